## The six conditions the classifier scores (inference/labels.py LABELS).

label-acne = Acne
label-carcinoma = Carcinoma (skin cancer)
label-eczema = Eczema
label-keratosis = Keratosis
label-milia = Milia
label-rosacea = Rosacea
