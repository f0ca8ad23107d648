# Kiểm tra chất lượng ảnh (inference/quality.py). Mỗi lỗi có lý do và một lời khuyên cụ thể.

quality-too-small = Ảnh quá nhỏ để đánh giá: ảnh có quá ít điểm ảnh.
quality-too-small-tip = Hãy gửi ảnh gốc, không phải ảnh thu nhỏ hay ảnh chụp màn hình, và chụp gần hơn để vùng da chiếm gần hết khung hình.

quality-too-dark = Ảnh quá tối nên không nhìn rõ vùng da.
quality-too-dark-tip = Hãy chụp dưới ánh sáng ban ngày gần cửa sổ hoặc bật đèn phòng thật sáng, và đừng để bóng của bạn che vùng da.

quality-too-bright = Ảnh bị cháy sáng: vùng da trông bạc màu.
quality-too-bright-tip = Tránh ánh nắng trực tiếp và đèn flash; hãy chụp dưới ánh sáng ban ngày dịu, gián tiếp.

quality-blurry = Ảnh bị mờ nên không thấy rõ chi tiết của vùng da.
quality-blurry-tip = Giữ điện thoại thật chắc, cách da 10–15 cm, chạm vào vùng da trên màn hình để lấy nét và chờ một chút rồi mới chụp.

quality-flat = Ảnh gần như chỉ có một màu, không nhận ra được vùng da nào.
quality-flat-tip = Kiểm tra xem ống kính có bị che không, hướng máy vào vùng da bị ảnh hưởng và chụp kèm một ít da lành xung quanh.

## Checks as each photo arrives (bot/routers/intake.py): the reasons and tips above follow the first line.

upload-quality-rejected = Tôi không thể đánh giá ảnh này một cách đáng tin cậy:
upload-not-skin = Ảnh này có vẻ không phải là ảnh chụp da.
upload-send-another = Vui lòng gửi ảnh khác. Các câu trả lời khác của bạn vẫn được giữ.
# Photos sent together (an album): which one was turned back.
upload-album-item = Ảnh { $position } trong { $count } ảnh bạn đã gửi:
