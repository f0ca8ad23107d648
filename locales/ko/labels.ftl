## 분류 모델이 점수를 매기는 여섯 가지 질환 (inference/labels.py LABELS)

label-acne = 여드름
label-carcinoma = 피부암(암종)
label-eczema = 습진
label-keratosis = 각화증
label-milia = 비립종
label-rosacea = 주사(안면 홍반·딸기코)
