## Patient side

review-offer = Bác sĩ có thể xem xét ca này và trả lời bạn tại đây.
btn-review = 👩‍⚕️ Gửi cho bác sĩ xem xét
btn-review-all = 👩‍⚕️ Gửi bác sĩ { $count } ca chưa xem
review-pick-clinic = Phòng khám nào sẽ xem xét ca này?
review-consent =
    { $clinic } sẽ nhận { $count ->
        [1] báo cáo PDF
       *[other] { $count } báo cáo PDF
    } (tên bệnh nhân, tuổi, giới tính, tiền sử bệnh, ảnh và kết quả phân tích) và một bản tóm tắt ngắn (mã ca, tuổi, giới tính, tình trạng có khả năng cao nhất, mức độ khẩn cấp). Các bác sĩ trong cuộc trò chuyện Telegram đó có thể đọc những thông tin này. Bạn có đồng ý gửi không?
btn-review-send = ✅ Gửi
btn-review-cancel = ✖️ Không gửi
review-sent =
    { $count ->
        [1] Đã gửi cho { $clinic }. Câu trả lời của bác sĩ sẽ đến tại đây.
       *[other] Đã gửi { $count } ca cho { $clinic }. Câu trả lời của các bác sĩ sẽ đến tại đây.
    }
review-not-sent = Không có gì được gửi đi.
review-nothing-to-send = Không có ca đã hoàn thành nào đang chờ gửi.
review-verdict = 👩‍⚕️ { $clinic } đã xem xét ca { $case } ngày { $date }: { $verdict }
review-note = Ghi chú của bác sĩ: { $note }
review-stamp = Đã được { $clinic } xem xét ngày { $date }: { $verdict }
verdict-routine = Thông thường: có thể tự chăm sóc
verdict-visit = Hãy đặt lịch khám trực tiếp
verdict-urgent = Khẩn cấp: hãy đi khám ngay hôm nay
verdict-note = Bác sĩ đã trả lời bằng một ghi chú
case-waiting-review = đang chờ xem xét
case-reviewed = đã xem xét: { $verdict }

## Clinic side

clinic-summary =
    🩺 Ca { $case } cần xem xét
    Tuổi: { $age }
    Giới tính: { $gender }
    Khả năng cao nhất: { $label } ({ NUMBER($confidence, style: "percent", maximumFractionDigits: 0) })
    Mức độ khẩn cấp: { $triage }
btn-verdict-routine = Thông thường: tự chăm sóc
btn-verdict-visit = Đặt lịch khám
btn-verdict-urgent = Khẩn cấp: khám hôm nay
btn-verdict-note = Trả lời bằng ghi chú
clinic-answered = ✅ { $reviewer } đã trả lời: { $verdict }
clinic-already-answered = { $reviewer } đã trả lời ca này rồi.
clinic-not-a-clinic = Chỉ phòng khám nhận ca này mới có thể trả lời.
clinic-not-staff = Chỉ nhân viên đã đăng ký của phòng khám này mới có thể trả lời các ca tại đây. Vui lòng nhờ quản trị viên đăng ký ID Telegram của bạn: { $id }
clinic-note-ask = { $reviewer }, hãy trả lời tin nhắn này bằng ghi chú của bạn cho ca { $case } (tối đa { $max } ký tự).
clinic-note-too-long = Ghi chú có { $length } ký tự. Vui lòng rút gọn còn { $max } ký tự và trả lời lại.
clinic-note-sent = ✅ Đã gửi ghi chú của ca { $case } cho bệnh nhân.
clinic-reflag = ⏰ Ca { $case } vẫn đang chờ xem xét.
