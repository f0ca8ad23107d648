## The wait and the streamed report: expected wait, the heatmap, the Stop button, the summary

queue-position-eta = ⏳ 대기 순서 { $position }번입니다. 예상 대기 시간: { $wait }.
eta-under-minute = 1분 미만
eta-minutes = 약 { $minutes }분
heatmap-explained = 🌡️ 히트맵: 빨간색과 노란색 부위가 분류 모델의 판단에 가장 큰 영향을, 파란색 부위가 가장 작은 영향을 주었습니다.
btn-stop = ⏹ 중지
stop-stopping = 보고서 작성을 중지하고 있습니다…
stop-too-late = 이 보고서는 더 이상 작성 중이 아닙니다.
pdf-summary-title = 요약
