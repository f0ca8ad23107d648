# Chống gửi dồn dập (casework/flood.py): chỉ gửi một lần trong mỗi khoảng thời gian cho người gửi quá nhanh.

flood-slow-down = Bạn đang gửi tin nhắn quá nhanh nên tôi đã bỏ qua một số tin. Vui lòng đợi vài giây rồi gửi lại câu trả lời của bạn.
