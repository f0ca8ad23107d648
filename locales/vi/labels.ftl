## Sáu tình trạng mà bộ phân loại chấm điểm (inference/labels.py LABELS).

label-acne = Mụn trứng cá
label-carcinoma = Ung thư biểu mô (ung thư da)
label-eczema = Chàm (eczema)
label-keratosis = Dày sừng
label-milia = Mụn hạt kê
label-rosacea = Bệnh trứng cá đỏ (rosacea)
