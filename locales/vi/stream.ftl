## The wait and the streamed report: expected wait, the heatmap, the Stop button, the summary

queue-position-eta = ⏳ Bạn đang ở vị trí số { $position } trong hàng chờ. Thời gian chờ ước tính: { $wait }.
eta-under-minute = dưới một phút
eta-minutes = khoảng { $minutes } phút
heatmap-explained = 🌡️ Bản đồ nhiệt: vùng màu đỏ và vàng ảnh hưởng nhiều nhất đến bộ phân loại, vùng màu xanh lam ít nhất.
btn-stop = ⏹ Dừng
stop-stopping = Đang dừng viết báo cáo…
stop-too-late = Báo cáo này đã dừng.
pdf-summary-title = Tóm tắt
