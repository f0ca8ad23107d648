daily-limit = Hôm nay bạn đã dùng hết { $count } ca được phép. Vui lòng tiếp tục vào ngày mai; các câu trả lời của bạn vẫn được giữ.
export-caption = Dữ liệu của bạn: { $count } ca (câu trả lời, kết quả và báo cáo dạng JSON, kèm các tệp PDF và ảnh).
export-empty = Không có dữ liệu nào về bạn được lưu.
command-export = Tải dữ liệu của bạn
