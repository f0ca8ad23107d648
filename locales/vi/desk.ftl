## The review desk in the browser (clinic staff)

desk-title = Trang xem xét ca bệnh
desk-signed-in-as = Đã đăng nhập: { $name }
desk-nav-queue = Danh sách chờ
desk-nav-audit = Nhật ký hoạt động
desk-language = Ngôn ngữ
desk-language-save = Đổi
desk-logout = Đăng xuất
desk-percent = { NUMBER($value, style: "percent", maximumFractionDigits: 0) }

desk-login-title = Đăng nhập trang xem xét ca bệnh
desk-login-as = Đăng nhập với tên { $name } tại { $clinic }.
desk-login-button = Đăng nhập
desk-login-once = Liên kết này chỉ dùng được một lần. Để đăng nhập lại sau này, hãy xin quản trị viên một liên kết mới.
desk-login-invalid = Liên kết đăng nhập này không còn dùng được: nó đã được dùng, đã hết hạn, hoặc chưa từng được cấp. Hãy xin quản trị viên một liên kết mới.
desk-login-needed = Vui lòng đăng nhập bằng liên kết mà quản trị viên đã gửi cho bạn.
desk-signed-out = Bạn đã đăng xuất.
desk-csrf = Biểu mẫu này đã hết hạn. Hãy tải lại trang và thử lại.
desk-cross-site = Yêu cầu này đến từ một trang web khác nên đã bị từ chối. Hãy mở trực tiếp trang xem xét ca bệnh hoặc liên kết đăng nhập của bạn.
desk-not-found = Ca này không có ở đây, hoặc không được gửi đến phòng khám của bạn.

desk-queue-title = Các ca cần xem xét
desk-filter-triage = Mức độ khẩn cấp
desk-filter-status = Trạng thái
desk-filter-language = Ngôn ngữ báo cáo
desk-filter-from = Gửi từ ngày
desk-filter-until = Gửi đến ngày
desk-filter-any = Tất cả
desk-filter-apply = Lọc
desk-filter-reset = Đặt lại
desk-status-waiting = Đang chờ kết luận
desk-status-answered = Đã trả lời
desk-status-all = Tất cả
desk-queue-count = { $count } ca.
desk-queue-order = Ca khẩn cấp trước, sau đó là ca mới nhất.
desk-queue-empty = Không có ca nào khớp với bộ lọc này.
desk-patient-summary = { $age } tuổi, { $gender }
desk-sent-at = Gửi xem xét lúc
desk-answered-by = { $verdict } ({ $reviewer })

desk-case-title = Ca { $case }
desk-back = ← Quay lại danh sách chờ
desk-photo = Ảnh
desk-zoom-in = Phóng to
desk-zoom-out = Thu nhỏ
desk-zoom-reset = Vừa khung
desk-heatmap-toggle = Hiện bản đồ nhiệt Grad-CAM
desk-heatmap-explain = Bản đồ nhiệt cho thấy vùng mà bộ phân loại chú ý khi chọn tình trạng có khả năng cao nhất. Đó không phải là đường viền của tổn thương.
desk-heatmap-none = Ca này không có bản đồ nhiệt.
desk-scores = Điểm của bộ phân loại
desk-answers = Câu trả lời
desk-name = Tên bệnh nhân
desk-age = Tuổi
desk-gender = Giới tính
desk-history = Tiền sử bệnh
desk-no-history = không cung cấp
desk-report-language = Ngôn ngữ báo cáo
desk-report = Báo cáo
desk-report-missing = Ca này không có nội dung báo cáo được lưu.
desk-pdf = Mở PDF

desk-verdict = Kết luận
desk-note-label = Ghi chú cho bệnh nhân (không bắt buộc; cần cho “Trả lời bằng ghi chú”)
desk-note-help = Tối đa { $max } ký tự. Bệnh nhân nhận đúng như bạn viết, trong cuộc trò chuyện của họ.
desk-verdict-missing = Hãy chọn một kết luận.
desk-note-required = Hãy viết ghi chú trước: kết luận này chỉ gửi ghi chú.
desk-note-too-long = Ghi chú có { $length } ký tự. Vui lòng rút gọn còn { $max } ký tự.
desk-verdict-won = Kết luận của bạn đã được ghi lại. Bệnh nhân đang được thông báo.
desk-verdict-lost = { $reviewer } đã trả lời ca này trước. Kết luận đó được giữ nguyên.
desk-verdict-recorded = { $verdict }: do { $reviewer } quyết định lúc { $when }.
desk-note-shown = Ghi chú: { $note }
desk-patient-told = Bệnh nhân đã được thông báo.
desk-patient-pending = Bệnh nhân chưa được thông báo. Bot vẫn đang thử lại.
desk-case-audit = Lịch sử của ca này

desk-audit-title = Nhật ký hoạt động
desk-audit-private = Chỉ nhân viên phòng khám của bạn mới xem được nhật ký này. Nó không bao giờ được gửi cho bệnh nhân.
desk-audit-empty = Chưa có gì được ghi lại.
desk-audit-when = Thời gian
desk-audit-who = Người thực hiện
desk-audit-what = Hành động
desk-audit-case = Ca
desk-audit-source-web = trang xem xét
desk-audit-source-telegram = Telegram
desk-audit-action-login = đã đăng nhập
desk-audit-action-logout = đã đăng xuất
desk-audit-action-view = đã mở ca
desk-audit-action-pdf = đã mở PDF
desk-audit-action-verdict = kết luận: { $verdict }

## The review desk inside Telegram (a Mini App), and the bot's answers to staff who open it

desk-telegram-title = Đăng nhập từ Telegram
desk-telegram-outside = Trang này đăng nhập cho nhân viên phòng khám khi trang xem xét ca bệnh được mở từ bot trong Telegram. Bên ngoài Telegram, hãy đăng nhập bằng liên kết mà quản trị viên đã gửi cho bạn.
desk-telegram-wait = Đang đăng nhập bằng tài khoản Telegram của bạn…
desk-telegram-invalid = Dữ liệu đăng nhập từ Telegram không hợp lệ nên chưa ai được đăng nhập. Hãy đóng trang xem xét ca bệnh và mở lại từ bot.
desk-telegram-stale = Lần đăng nhập từ Telegram này đã quá một ngày. Hãy đóng trang xem xét ca bệnh và mở lại từ bot.
desk-telegram-early = Thời điểm của lần đăng nhập từ Telegram này đi trước đồng hồ của máy chủ. Hãy thử lại sau vài phút; nếu vẫn xảy ra, hãy báo cho quản trị viên.
desk-telegram-not-staff = Tài khoản Telegram của bạn chưa được đăng ký là nhân viên của phòng khám này nên bạn chưa được đăng nhập. Hãy nhờ quản trị viên đăng ký tài khoản này.
btn-open-desk = 🩺 Mở trang xem xét
desk-app-open = { $clinic }: mở trang xem xét ca bệnh ngay trong Telegram. Bạn sẽ được đăng nhập với tên { $name }.
desk-app-not-staff = Chỉ nhân viên đã đăng ký của phòng khám này mới có thể mở trang xem xét ca bệnh. Vui lòng nhờ quản trị viên đăng ký ID Telegram của bạn: { $id }
desk-app-off = Tại đây không thể mở trang xem xét ca bệnh trong Telegram. Hãy đăng nhập bằng liên kết mà quản trị viên đã gửi cho bạn.
