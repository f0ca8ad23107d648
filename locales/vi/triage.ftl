## Phân loại mức độ khẩn cấp: dùng trong cả trò chuyện và PDF, nên mỗi dòng phải tự đứng được.

triage-urgent-title = Cần đi khám gấp
triage-urgent = Hãy đi khám bác sĩ hoặc bác sĩ da liễu sớm, trong vài ngày tới.
triage-urgent-why = Lý do: bộ phân loại phát hiện những đặc điểm có thể là dấu hiệu của ung thư da (ung thư biểu mô). Chỉ bác sĩ mới có thể xác nhận hoặc loại trừ điều này, và việc khám sớm rất quan trọng.
triage-uncertain-title = Kết quả chưa rõ
triage-uncertain = Không thể đánh giá ảnh một cách đáng tin cậy. Vui lòng gửi một ảnh mới, rõ nét, chụp dưới ánh sáng ban ngày, hoặc cho bác sĩ xem trực tiếp vùng da này.
triage-routine-title = Không có dấu hiệu khẩn cấp
triage-routine = Không phát hiện dấu hiệu cảnh báo khẩn cấp nào. Nếu tình trạng kéo dài, nặng hơn hoặc khiến bạn lo lắng, hãy đi khám bác sĩ hoặc bác sĩ da liễu.
