# 사진 품질 검사 (inference/quality.py). 각 문제마다 이유와 구체적인 요령이 있습니다.

quality-too-small = 사진이 너무 작아서 판단할 수 없습니다. 화소 수가 부족합니다.
quality-too-small-tip = 미리보기나 스크린샷이 아닌 원본 사진을 보내 주시고, 피부가 화면 대부분을 채우도록 더 가까이에서 찍어 주세요.

quality-too-dark = 사진이 너무 어두워서 피부가 잘 보이지 않습니다.
quality-too-dark-tip = 창가의 자연광을 이용하거나 밝은 실내등을 켜 주시고, 촬영 부위에 그림자가 지지 않도록 해 주세요.

quality-too-bright = 사진이 너무 밝아서 피부색이 하얗게 바래 보입니다.
quality-too-bright-tip = 직사광선과 카메라 플래시를 피하고, 부드러운 간접 자연광에서 찍어 주세요.

quality-blurry = 사진이 흐려서 피부의 세부 모습을 볼 수 없습니다.
quality-blurry-tip = 휴대폰을 피부에서 10~15cm 떨어진 곳에 흔들리지 않게 들고, 화면에서 해당 부위를 눌러 초점을 맞춘 뒤 잠시 기다렸다가 찍어 주세요.

quality-flat = 사진이 거의 한 가지 색으로만 보여서 피부 부위를 알아볼 수 없습니다.
quality-flat-tip = 렌즈가 가려지지 않았는지 확인하고, 증상이 있는 부위와 그 주변의 건강한 피부가 조금 함께 나오도록 찍어 주세요.

## Checks as each photo arrives (bot/routers/intake.py): the reasons and tips above follow the first line.

upload-quality-rejected = 이 사진으로는 신뢰할 수 있는 평가를 할 수 없습니다:
upload-not-skin = 피부 사진으로 보이지 않습니다.
upload-send-another = 다른 사진을 보내 주세요. 다른 답변은 그대로 저장되어 있습니다.
# Photos sent together (an album): which one was turned back.
upload-album-item = 보내 주신 사진 { $count }장 중 { $position }번째 사진:
