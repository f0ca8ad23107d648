## Nhiều ảnh cho một ca, vị trí trên cơ thể, theo dõi một vùng da, lời nhắc và liên kết phòng khám

# Hỏi bệnh: ảnh
ask-more-photos =
    { $count ->
        [1] Đã lưu ảnh chụp gần (ảnh 1/{ $max }). Một ảnh toàn cảnh giúp bác sĩ thấy vị trí và mức độ lan rộng: hãy thêm một ảnh, hoặc bấm “Xong”.
       *[other] Đã lưu ảnh { $count }/{ $max }. Hãy thêm một ảnh nữa, hoặc bấm “Xong”.
    }
btn-add-overview = 📷 Thêm ảnh toàn cảnh
btn-add-photo = 📷 Thêm một ảnh nữa
btn-photos-done = ✅ Xong
ask-photo-overview = Hãy gửi ảnh toàn cảnh ngay bây giờ: lùi ra xa để chụp được cả vùng da và một phần da xung quanh.
ask-photo-extra = Hãy gửi thêm một ảnh, ví dụ một ảnh chụp gần từ góc khác.
nudge-more-photos = Hãy gửi thêm một ảnh, hoặc bấm “Xong”.
photos-over-limit = Mỗi ca có tối đa { $max } ảnh, nên tôi đã giữ những ảnh đầu tiên.

# Hỏi bệnh: vị trí trên cơ thể
ask-body-site = Vùng da này ở đâu trên cơ thể? Câu này không bắt buộc: bấm “Bỏ qua” nếu bạn muốn.
site-face = Mặt
site-scalp = Da đầu
site-neck = Cổ
site-chest = Ngực
site-back = Lưng
site-abdomen = Bụng
site-arm = Cánh tay
site-hand = Bàn tay
site-leg = Chân
site-foot = Bàn chân
site-genital = Vùng kín
site-other = Khác
site-unknown = chưa cung cấp vị trí
field-body-site = Vị trí
summary-no-site = không cung cấp
summary-new-spot = không, một vùng da mới

# Hỏi bệnh: theo dõi một vùng da đã gửi trước đây
ask-follow-up = Đây có phải là vùng da bạn đã gửi trước đây không? Hãy chọn ca đó, ảnh mới sẽ được so sánh với ảnh trước.
follow-up-option = { $date } · { $name } · { $site } · { $result }
btn-follow-up-new = ➕ Không, một vùng da mới
follow-up-started = Theo dõi ca ngày { $date } của { $name }: ảnh mới sẽ được so sánh với ảnh trước.
follow-up-case-gone = Ca trước không còn được lưu nên không thể so sánh. Gửi /new để bắt đầu một ca mới.

# Kết quả và ảnh bị từ chối của một ca có nhiều ảnh
photo-kind-close-up = ảnh chụp gần
photo-kind-overview = ảnh toàn cảnh
photo-kind-extra = ảnh bổ sung
photo-which = Ảnh { $position }/{ $count } ({ $kind }):
quality-send-photos-again = Hãy gửi lại các ảnh, bắt đầu bằng ảnh chụp gần.
scores-mean-of-photos = Trung bình của { $count } ảnh:

# /cases: ca theo dõi nằm dưới ca trước
case-line-follow-up = ↳ { $date } · theo dõi · { $site } · { $result }

# Lời nhắc
reminder-offer = Bạn có muốn được nhắc kiểm tra lại vùng da này không?
btn-remind-weeks = ⏰ { $weeks } tuần
reminder-set = Xong. Tôi sẽ nhắc bạn vào ngày { $date } (sau { $weeks } tuần). Gửi /reminders để xem hoặc hủy.
reminder-not-possible = Không thể đặt lời nhắc cho ca này. Có thể ca đã bị xóa.
reminder-due = ⏰ Nhắc nhở: đã đến lúc kiểm tra lại vùng da ({ $name }, { $site }, ca ngày { $date }). Bấm nút và gửi ảnh mới; ảnh sẽ được so sánh với ảnh trước.
btn-follow-up-start = 📷 Bắt đầu theo dõi
reminders-title = Lời nhắc của bạn:
reminders-empty = Bạn không có lời nhắc nào. Sau khi nhận báo cáo, bạn có thể yêu cầu một lời nhắc.
reminder-line = • { $due }: { $name } · { $site } (ca ngày { $date })
btn-reminder-cancel = ✖ Hủy { $due } · { $name }
reminder-cancelled = Đã hủy lời nhắc.
reminder-not-found = Lời nhắc đó không còn nữa.
command-reminders = Lời nhắc kiểm tra lại vùng da

# Liên kết phòng khám
clinic-link-invalid = Liên kết phòng khám này không hợp lệ hoặc không còn hợp lệ. Bạn vẫn có thể dùng skinbot như bình thường.
clinic-link-welcome = Chào mừng bạn! Bạn đến đây qua liên kết của { $clinic }.
clinic-bound = Từ giờ các ca của bạn có thể được gửi đến { $clinic } để bác sĩ xem.

# PDF
pdf-patient-site = Vị trí
pdf-site-none = Không cung cấp
pdf-section-photos = Ảnh
pdf-photo-kind = { $number }. { $kind }
pdf-mean-of-photos = trung bình của { $count } ảnh
pdf-per-photo-title = Điểm theo từng ảnh
pdf-col-mean = Trung bình
pdf-col-change = Thay đổi
pdf-change-points = { $sign }{ NUMBER($points, minimumFractionDigits: 1, maximumFractionDigits: 1) } điểm
pdf-section-follow-up = Theo dõi: thay đổi kể từ ngày { $date }
pdf-earlier-caption = Trước đây · { $date }
pdf-now-caption = Hiện tại · { $date }
pdf-earlier-photo-gone = Ảnh trước đây không còn được lưu.
pdf-col-then = Trước { $date }
pdf-col-now = Hiện tại { $date }
pdf-follow-up-note = Thay đổi được tính bằng điểm phần trăm độ tin cậy của bộ phân loại. Điểm số thay đổi không có nghĩa là da đã thay đổi: hãy so sánh các ảnh.
