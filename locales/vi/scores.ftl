# Kiểm tra ảnh có phải là da không (inference/skin_gate.py) và ghi chú giới hạn về màu da trong PDF.

scores-not-skin = Ảnh này có vẻ không phải là ảnh chụp da, nên không tạo báo cáo.
scores-not-skin-tip = Hãy chụp cận vùng da bị ảnh hưởng dưới ánh sáng ban ngày, cách 10–15 cm, để da chiếm gần hết khung hình, không có đồ vật, vật nuôi, màn hình hay giấy tờ trong ảnh.

scores-tone-very-light = da rất sáng
scores-tone-light = da sáng
scores-tone-intermediate = da trung bình
scores-tone-tan = da ngăm
scores-tone-brown = da nâu
scores-tone-dark = da sẫm màu

# $groups: tên các màu da, cách nhau bằng dấu phẩy; $min: số ảnh kiểm tra tối thiểu cho mỗi màu da.
scores-pdf-tones-evaluated = Các màu da mà bộ phân loại đã được kiểm tra (mỗi màu ít nhất { $min } ảnh kiểm tra): { $groups }. Độ chính xác trên các màu da khác chưa được đo.
scores-pdf-tones-unmeasured = Độ chính xác của bộ phân loại theo màu da chưa được đo; nó có thể kém chính xác hơn với một số màu da.
