## Báo cáo PDF cho bác sĩ: tiêu đề và nhãn. Phần phân tích do mô hình viết.

pdf-title = Báo cáo sàng lọc da sơ bộ
pdf-subtitle = Do skinbot chuẩn bị cho bác sĩ hoặc bác sĩ da liễu
pdf-case = Ca { $case }
pdf-created = { DATETIME($created, dateStyle: "long", timeStyle: "short") } ({ $zone })
pdf-case-full = Mã ca đầy đủ: { $case }
pdf-review-title = Nhận xét của bác sĩ

pdf-section-patient = Bệnh nhân
pdf-patient-name = Họ tên
pdf-patient-age = Tuổi
pdf-patient-age-value = { $age } tuổi
pdf-patient-gender = Giới tính
pdf-patient-history = Tiền sử bệnh
pdf-history-none = Không cung cấp

pdf-section-photo = Ảnh
pdf-photo-caption = Ảnh đã gửi
pdf-photo-unreadable = Không thể hiển thị ảnh.
pdf-heatmap-caption = Bản đồ nhiệt (Grad-CAM): màu càng nóng, vùng đó càng ảnh hưởng nhiều đến bộ phân loại

pdf-section-classification = Kết quả của bộ phân loại
pdf-col-condition = Tình trạng
pdf-col-confidence = Độ tin cậy
pdf-probability = { NUMBER($value, style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1) }
pdf-top-class = khả năng cao nhất
pdf-classifier-note = Bộ phân loại chỉ nhận biết sáu tình trạng này. Tỷ lệ phần trăm là mức độ tin cậy của nó, không phải khả năng mắc bệnh.
pdf-classifier-uncertain = Bộ phân loại không chắc chắn về ảnh này, vì vậy hãy thận trọng với các con số này.

pdf-section-triage = Khuyến nghị
pdf-section-report = Phân tích
pdf-image-not-seen = Lưu ý: mô hình ngôn ngữ không xem được hình ảnh. Nội dung này chỉ dựa trên kết quả của bộ phân loại và các câu trả lời đã cung cấp.

pdf-section-disclaimer = Quan trọng
pdf-disclaimer = Đây là kết quả sàng lọc sơ bộ do phần mềm thực hiện, không phải là chẩn đoán. Chỉ bác sĩ mới có thể chẩn đoán bệnh về da.
pdf-emergency =
    { $emergency_number ->
        [none] Trong trường hợp khẩn cấp ({ -emergency-signs }), cần đến cơ sở cấp cứu gần nhất ngay.
       *[other] Trong trường hợp khẩn cấp ({ -emergency-signs }), cần đến cơ sở cấp cứu gần nhất hoặc gọi { $emergency_number } ngay.
    }

pdf-footer = skinbot · ca { $case }
pdf-page = Trang { $page }/{ $total }
