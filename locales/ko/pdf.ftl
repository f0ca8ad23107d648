## 의사에게 보여 줄 PDF 보고서: 제목과 항목 이름. 분석 본문은 모델이 작성합니다.

pdf-title = 피부 사전 선별 검사 보고서
pdf-subtitle = skinbot이 의사 또는 피부과 전문의를 위해 작성했습니다
pdf-case = 검사 { $case }
pdf-created = { DATETIME($created, dateStyle: "long", timeStyle: "short") } ({ $zone })
pdf-case-full = 전체 검사 ID: { $case }
pdf-review-title = 의사 검토

pdf-section-patient = 환자 정보
pdf-patient-name = 이름
pdf-patient-age = 나이
pdf-patient-age-value = { $age }세
pdf-patient-gender = 성별
pdf-patient-history = 병력
pdf-history-none = 입력하지 않음

pdf-section-photo = 사진
pdf-photo-caption = 전송된 사진
pdf-photo-unreadable = 사진을 표시할 수 없습니다.
pdf-heatmap-caption = 히트맵(Grad-CAM): 색이 따뜻할수록 분류 모델의 판단에 더 큰 영향을 준 부위입니다

pdf-section-classification = 분류 모델 결과
pdf-col-condition = 질환
pdf-col-confidence = 확신도
pdf-probability = { NUMBER($value, style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1) }
pdf-top-class = 가능성이 가장 높음
pdf-classifier-note = 분류 모델은 이 여섯 가지 질환만 구별합니다. 백분율은 모델의 확신도이며, 실제로 병이 있을 가능성을 뜻하지 않습니다.
pdf-classifier-uncertain = 분류 모델이 이 사진에 대해 확신하지 못했습니다. 이 수치는 신중하게 해석하세요.

pdf-section-triage = 권고 사항
pdf-section-report = 분석
pdf-image-not-seen = 참고: 언어 모델은 이미지를 보지 못했습니다. 이 내용은 분류 모델 결과와 입력된 답변만을 바탕으로 작성되었습니다.

pdf-section-disclaimer = 중요 안내
pdf-disclaimer = 이 결과는 소프트웨어가 만든 사전 선별 검사이며 진단이 아닙니다. 피부 질환은 의사만 진단할 수 있습니다.
pdf-emergency =
    { $emergency_number ->
        [none] 응급 상황({ -emergency-signs })에서는 지금 바로 가까운 응급실을 방문해야 합니다.
       *[other] 응급 상황({ -emergency-signs })에서는 지금 바로 가까운 응급실을 방문하거나 { $emergency_number }에 연락해야 합니다.
    }

pdf-footer = skinbot · 검사 { $case }
pdf-page = { $total }쪽 중 { $page }쪽
