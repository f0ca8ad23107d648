# 피부 여부 확인(inference/skin_gate.py)과 PDF의 피부색 관련 한계 안내.

scores-not-skin = 피부 사진으로 보이지 않아 보고서를 작성하지 않았습니다.
scores-not-skin-tip = 밝은 자연광에서 10~15cm 거리로 증상이 있는 피부를 가까이 찍어, 화면 대부분이 피부로 채워지게 해 주세요. 물건, 반려동물, 화면, 종이가 찍히지 않게 해 주세요.

scores-tone-very-light = 매우 밝은 피부
scores-tone-light = 밝은 피부
scores-tone-intermediate = 중간 톤 피부
scores-tone-tan = 황갈색 피부
scores-tone-brown = 갈색 피부
scores-tone-dark = 어두운 피부

# $groups: 쉼표로 이은 피부색 이름; $min: 피부색마다 필요한 최소 평가용 사진 수.
scores-pdf-tones-evaluated = 분류 모델의 성능을 평가한 피부색(피부색별 평가용 사진 { $min }장 이상): { $groups }. 다른 피부색에서의 정확도는 측정되지 않았습니다.
scores-pdf-tones-unmeasured = 분류 모델의 피부색별 정확도는 측정되지 않았습니다. 일부 피부색에서는 정확도가 더 낮을 수 있습니다.
