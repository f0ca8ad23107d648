## Delivery: starting up, interrupted reports, reports cut short

queue-starting = ⏳ Dịch vụ đang khởi động. Bạn đang ở vị trí số { $position } trong hàng chờ; báo cáo sẽ bắt đầu ngay khi dịch vụ sẵn sàng.
failure-interrupted = dịch vụ đã dừng hai lần trong khi viết báo cáo này
report-cut-length = ✂️ Báo cáo này đã đạt độ dài tối đa và kết thúc sớm. Tệp PDF cũng ghi chú điều này.
report-cut-repetition = ✂️ Báo cáo này đã được dừng sớm vì nội dung bắt đầu lặp lại. Tệp PDF cũng ghi chú điều này.
pdf-report-cut = Lưu ý: báo cáo này kết thúc sớm (đạt độ dài tối đa hoặc bắt đầu lặp lại). Nội dung có thể chưa đầy đủ.
case-status-reported = đã có báo cáo, tệp PDF đang được gửi
upload-one-at-a-time = ⏳ Vui lòng gửi từng ảnh một: tôi vẫn đang xử lý các ảnh trước của bạn.
