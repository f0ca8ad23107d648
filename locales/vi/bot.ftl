## Start, consent, help and privacy

welcome =
    Xin chào! Tôi là skinbot. Tôi giúp bạn sàng lọc sơ bộ tình trạng da qua ảnh chụp và chuẩn bị một báo cáo để bạn đưa cho bác sĩ.
# The signs of an emergency, the same in the chat's disclaimer and the PDF's.
-emergency-signs = chảy máu không cầm được, phát ban lan nhanh, sốt kèm phát ban, khó thở
disclaimer =
    ⚠️ Đây là sàng lọc sơ bộ, không phải chẩn đoán. Chỉ bác sĩ mới có thể chẩn đoán bệnh da.
    { $emergency_number ->
        [none] Nếu là trường hợp khẩn cấp ({ -emergency-signs }), hãy đến cơ sở cấp cứu gần nhất ngay.
       *[other] Nếu là trường hợp khẩn cấp ({ -emergency-signs }), hãy đến cơ sở cấp cứu gần nhất hoặc gọi { $emergency_number } ngay.
    }
privacy-text =
    🔒 Quyền riêng tư
    Chúng tôi lưu: ảnh, các câu trả lời của bạn (tên bệnh nhân, tuổi, giới tính, tiền sử bệnh), kết quả phân tích, báo cáo PDF, các câu bạn hỏi về báo cáo cùng câu trả lời, và ngày bạn đồng ý.
    Nơi lưu: trên máy chủ riêng của dịch vụ này (tin nhắn đến đó qua Telegram). { $engine ->
        [remote] Để viết báo cáo, ảnh, tuổi, giới tính, tiền sử bệnh và kết quả phân tích (không bao gồm tên) được gửi đến máy chủ AI mà dịch vụ này sử dụng, tại { $host }.
       *[local] Các mô hình AI cũng chạy trên máy chủ này: không có gì được gửi đến dịch vụ AI bên ngoài.
    }
    { $clinics ->
        [0] Không có phòng khám nào được kết nối với dịch vụ này: các ca không được chia sẻ với ai.
       *[other] Chỉ khi bạn yêu cầu bác sĩ xem xét, ca đó (báo cáo PDF có tên bệnh nhân và một bản tóm tắt ngắn) mới được gửi đến phòng khám bạn chọn: { $clinic_names }. Những tin nhắn đã gửi đến cuộc trò chuyện Telegram của phòng khám đó vẫn còn ở đó, kể cả sau khi bạn dùng lệnh /delete.
    }
    Thời gian lưu: { $days } ngày, sau đó mọi thứ được tự động xóa.
    Các bản sao lưu của máy chủ được xóa sau { $days } ngày: dữ liệu đã xóa bằng /delete (hoặc được tự động xóa) vẫn có thể còn trong bản sao lưu tạo trước đó, tối đa thêm { $days } ngày.
    Gửi /delete bất cứ lúc nào để xóa tất cả cùng lúc. Tên bệnh nhân không bao giờ được gửi cho mô hình AI.
    Ca mà bạn đã đặt lời nhắc được giữ đến ngày nhắc, và thêm { $days } ngày sau đó.
consent-ask = Bấm “Tôi đồng ý” để bắt đầu.
consent-needed = Vui lòng đọc các lưu ý ở trên và bấm “Tôi đồng ý” trước khi bắt đầu.
consent-thanks = Cảm ơn bạn. Chúng ta bắt đầu nhé.
btn-agree = Tôi đồng ý
help-text =
    Cách dùng: gửi ảnh vùng da, trả lời vài câu hỏi ngắn, và bạn sẽ nhận được báo cáo sàng lọc sơ bộ cùng một tệp PDF cho bác sĩ.
    Lệnh:
    /new — bắt đầu ca mới (cho bệnh nhân khác)
    /cancel — hủy bước hiện tại
    /cases — các ca gần đây
    /reminders — lời nhắc kiểm tra lại vùng da
    /language — đổi ngôn ngữ
    /privacy — chúng tôi lưu gì và trong bao lâu
    /export — tải dữ liệu của bạn
    /delete — xóa toàn bộ dữ liệu của bạn
    /help — tin nhắn này

## Intake questions

ask-photo = 📷 Vui lòng gửi ảnh chụp gần, rõ nét của vùng da bị ảnh hưởng. Chụp dưới ánh sáng ban ngày và giữ điện thoại cách da 10–15 cm. Bước sau bạn có thể thêm ảnh toàn cảnh.
ask-name = Tên bệnh nhân là gì? (tối đa { $max } ký tự) Tên chỉ dùng để phân biệt các ca của bạn.
ask-age = Bệnh nhân bao nhiêu tuổi? Vui lòng gửi số tuổi (từ 0 đến 120), ví dụ 45.
ask-gender = Giới tính của bệnh nhân là gì?
ask-history = Vui lòng mô tả tiền sử bệnh liên quan: vấn đề kéo dài bao lâu, thuốc đang dùng, dị ứng. Hoặc bấm “Bỏ qua”.
ask-report-language = Báo cáo nên được viết bằng ngôn ngữ nào?

gender-female = Nữ
gender-male = Nam
gender-other = Khác
gender-undisclosed = Không muốn nói

lang-ko = 한국어
lang-en = English
lang-vi = Tiếng Việt

btn-skip = Bỏ qua
btn-confirm = ✅ Xác nhận
btn-edit = ✏️ Sửa
btn-cancel = ✖️ Hủy

## Summary and editing

summary =
    Vui lòng kiểm tra các câu trả lời:
    Số ảnh: { $photos }
    Vị trí: { $site }
    Theo dõi ca trước: { $follow_up }
    Tên: { $name }
    Tuổi: { $age }
    Giới tính: { $gender }
    Tiền sử bệnh: { $history }
    Ngôn ngữ báo cáo: { $language }
summary-no-history = không cung cấp
edit-which = Bạn muốn sửa câu trả lời nào?
field-photo = Ảnh
field-name = Tên
field-age = Tuổi
field-gender = Giới tính
field-history = Tiền sử bệnh
field-report-language = Ngôn ngữ báo cáo

## Invalid input

invalid-age = “{ $text }” không phải là tuổi hợp lệ. Vui lòng gửi số tuổi (từ 0 đến 120), ví dụ 15.
invalid-name-empty = Vui lòng gửi tên bệnh nhân bằng chữ.
invalid-name-long = Tên quá dài ({ $length } ký tự). Vui lòng dùng tối đa { $max } ký tự.
invalid-history-long = Tiền sử bệnh quá dài ({ $length } ký tự). Vui lòng rút gọn còn tối đa { $max } ký tự.
nudge-photo = Ở bước này tôi cần một ảnh chụp vùng da. Vui lòng gửi dưới dạng ảnh hoặc tệp hình ảnh.
nudge-text = Vui lòng trả lời bằng tin nhắn chữ.
nudge-buttons = Vui lòng chọn một trong các nút bên dưới.
photo-too-large = Tệp có dung lượng { NUMBER($size_mb, maximumFractionDigits: 1) } MB. Giới hạn là { $max_mb } MB. Vui lòng gửi ảnh nhỏ hơn.
photo-unreadable = Tôi không đọc được ảnh này. Có thể tệp đã bị hỏng. Vui lòng gửi ảnh JPEG, PNG, WebP hoặc HEIC.
photo-too-many-pixels = Ảnh quá lớn để xử lý ({ NUMBER($megapixels, maximumFractionDigits: 0) } megapixel). Vui lòng gửi ảnh chụp bằng điện thoại thông thường.
photo-too-small = Ảnh quá nhỏ: cạnh ngắn chỉ có { $side } điểm ảnh, trong khi cần ít nhất { $min_side } điểm ảnh. Vui lòng gửi ảnh gốc, không phải ảnh thu nhỏ hay ảnh đã cắt.
photo-too-elongated = Ảnh quá dài và hẹp: cạnh dài gấp { NUMBER($ratio, maximumFractionDigits: 1) } lần cạnh ngắn, trong khi ảnh chỉ được dài gấp tối đa { $max_ratio } lần. Vui lòng gửi ảnh chụp vùng da bình thường, không phải ảnh toàn cảnh hay ảnh chụp màn hình dài.
photo-not-image = Tệp này không phải là hình ảnh. Vui lòng gửi ảnh chụp vùng da.
photo-download-failed = Tôi không tải được ảnh từ Telegram. Vui lòng gửi lại.

## Confirm, cancel, new case

case-received = Cảm ơn bạn. Ca { $case } đã được tiếp nhận và đang chờ phân tích.
case-active = Bạn có một ca đang được phân tích. Vui lòng chờ báo cáo của ca đó trước khi xác nhận ca khác.
intake-cancelled = Đã hủy. Chưa có gì được gửi đi phân tích. Gửi /new để bắt đầu lại.
step-cancelled = Đã hủy. Các câu trả lời trước đó vẫn được giữ.
nothing-to-cancel = Không có gì để hủy. Gửi /new để bắt đầu một ca.
new-case = Ca mới. Các ca trước vẫn được giữ: xem /cases.
idle = Gửi /new để bắt đầu ca mới, hoặc /help để xem hướng dẫn.

## Language

language-choose = Chọn ngôn ngữ:
language-set = Xong. Từ bây giờ tôi sẽ dùng tiếng Việt.

## Delete

delete-ask = Thao tác này sẽ xóa vĩnh viễn tất cả các ca, ảnh, báo cáo và câu trả lời của bạn. Không thể hoàn tác. Bạn có chắc không?
btn-delete-yes = Có, xóa tất cả
btn-delete-no = Không, giữ dữ liệu
delete-done = Toàn bộ dữ liệu của bạn đã được xóa. Gửi /start nếu bạn muốn dùng lại skinbot.
delete-kept = Không có gì bị xóa.

## Buttons and errors

button-stale = Nút này không còn hoạt động.
button-foreign = Nút này thuộc về cuộc trò chuyện của người khác.
unavailable = Dịch vụ tạm thời không khả dụng. Vui lòng thử lại sau vài phút. Các câu trả lời của bạn đã được lưu.
error-generic = Đã xảy ra lỗi ở phía chúng tôi. Các câu trả lời của bạn đã được lưu; vui lòng thử lại.

## Command menu

command-new = Bắt đầu ca mới
command-cancel = Hủy bước hiện tại
command-cases = Các ca gần đây
command-language = Đổi ngôn ngữ
command-help = Cách dùng skinbot
command-privacy = Chúng tôi lưu gì
command-delete = Xóa toàn bộ dữ liệu
