## Waiting and analysing

queue-position = ⏳ Bạn đang ở vị trí số { $position } trong hàng chờ. Báo cáo của bạn sẽ sớm bắt đầu.
analysing = 🔬 Đang phân tích ảnh…
regenerating = 🔁 Dịch vụ đã khởi động lại trong khi đang viết báo cáo của bạn. Báo cáo đang được viết lại từ đầu.
writing = ✍️ Đang viết báo cáo…
# The status message once the case has ended: nothing edits it after this.
status-done = ✅ Đã viết xong báo cáo.
status-stopped = ⏹ Đã dừng: vui lòng xem tin nhắn bên dưới.

## Classification

classification-title = Điểm của bộ phân loại (sàng lọc sơ bộ, không phải chẩn đoán):
classification-row = { $label }: { $bar } { NUMBER($percent, style: "percent", maximumFractionDigits: 1) }
urgent-prefix = 🚨
uncertain-prefix = ⚠️

## Photo quality

quality-rejected = Tôi không thể đánh giá ảnh này một cách đáng tin cậy, nên không tạo báo cáo:
quality-reason = • { $reason } { $tip }
quality-send-another = Vui lòng gửi ảnh khác ngay bây giờ. Các câu trả lời khác của bạn vẫn được giữ.

## Report end states

report-failed = ⚠️ Không thể hoàn thành báo cáo ({ $reason }). Nội dung ở trên chưa đầy đủ. Bấm “Thử lại” để viết lại.
failure-timeout = mất quá nhiều thời gian
failure-out_of_memory = máy chủ hết bộ nhớ
failure-error = lỗi nội bộ
failure-image_missing = ảnh không còn nữa
failure-engine = máy chủ mô hình ngôn ngữ không phản hồi
btn-retry = 🔁 Thử lại
report-cancelled = Đã hủy báo cáo.
retry-started = Đang viết lại báo cáo.
retry-not-possible = Ca này không thể thử lại được nữa. Gửi /new để bắt đầu ca mới.
pdf-caption = Báo cáo sàng lọc da sơ bộ, ca { $case }. Bạn có thể chuyển tệp PDF này cho bác sĩ. Đây là sàng lọc sơ bộ, không phải chẩn đoán.

## The report's urgency line, set to the triage's when the model contradicts an urgent referral
## (inference/urgency.py). The label and level names are the ones the report prompt asks for
## (inference/prompts/report.*.md); a test keeps the two in step.

report-urgency-label = Mức độ khẩn cấp
report-urgency-emergency = cấp cứu
report-urgency-within-days = trong vài ngày
report-urgency-routine = khám định kỳ
report-urgency-self-care = tự chăm sóc
report-urgency-set = ⚠️ Mức độ khẩn cấp đã được đặt thành “{ $level }” vì bộ phân loại phát hiện những đặc điểm có thể là dấu hiệu của ung thư da. Vui lòng đi khám bác sĩ trong vài ngày tới, dù phần còn lại của báo cáo này nói gì.

## Your cases

cases-title = Các ca gần đây của bạn:
cases-empty = Bạn chưa có ca nào. Gửi /new để bắt đầu.
case-line = { $date } · { $name } · { $result }
case-status-queued = đang chờ
case-status-running = đang phân tích
case-status-failed = thất bại
case-status-cancelled = đã hủy
case-status-rejected = ảnh không dùng được
case-pdf-missing = Tệp PDF của ca này không còn nữa.
