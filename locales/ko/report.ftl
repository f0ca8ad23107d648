## Waiting and analysing

queue-position = ⏳ 대기 순서 { $position }번입니다. 곧 보고서 작성을 시작합니다.
analysing = 🔬 사진을 분석하고 있습니다…
regenerating = 🔁 보고서를 작성하는 중에 서비스가 다시 시작되었습니다. 처음부터 다시 작성하고 있습니다.
writing = ✍️ 보고서를 작성하고 있습니다…
# The status message once the case has ended: nothing edits it after this.
status-done = ✅ 보고서 작성이 끝났습니다.
status-stopped = ⏹ 중단되었습니다. 아래 메시지를 확인해 주세요.

## Classification

classification-title = 분류 모델 점수 (사전 선별이며 진단이 아닙니다):
classification-row = { $label }: { $bar } { NUMBER($percent, style: "percent", maximumFractionDigits: 1) }
urgent-prefix = 🚨
uncertain-prefix = ⚠️

## Photo quality

quality-rejected = 이 사진으로는 신뢰할 수 있는 평가를 할 수 없어 보고서를 작성하지 않았습니다:
quality-reason = • { $reason } { $tip }
quality-send-another = 지금 다른 사진을 보내 주세요. 다른 답변은 그대로 저장되어 있습니다.

## Report end states

report-failed = ⚠️ 보고서를 끝까지 작성하지 못했습니다({ $reason }). 위의 내용은 완전하지 않습니다. “다시 시도”를 눌러 다시 작성해 주세요.
failure-timeout = 시간이 너무 오래 걸림
failure-out_of_memory = 서버 메모리 부족
failure-error = 내부 오류
failure-image_missing = 사진을 더 이상 사용할 수 없음
failure-engine = 언어 모델 서버가 응답하지 않음
btn-retry = 🔁 다시 시도
report-cancelled = 보고서 작성을 취소했습니다.
retry-started = 보고서를 다시 작성합니다.
retry-not-possible = 이 검사는 더 이상 다시 시도할 수 없습니다. 새 검사를 시작하려면 /new 를 보내 주세요.
pdf-caption = 피부 사전 선별 보고서, 검사 { $case }. 이 PDF를 의사에게 전달할 수 있습니다. 진단이 아닌 사전 선별입니다.

## The report's urgency line, set to the triage's when the model contradicts an urgent referral
## (inference/urgency.py). The label and level names are the ones the report prompt asks for
## (inference/prompts/report.*.md); a test keeps the two in step.

report-urgency-label = 긴급도
report-urgency-emergency = 응급
report-urgency-within-days = 며칠 내 진료
report-urgency-routine = 일반 진료
report-urgency-self-care = 자가 관리
report-urgency-set = ⚠️ 분류 모델이 피부암의 징후일 수 있는 특징을 발견하여 긴급도를 “{ $level }” 단계로 조정했습니다. 보고서의 다른 내용과 관계없이 며칠 안에 의사의 진료를 받으세요.

## Your cases

cases-title = 최근 검사 내역:
cases-empty = 아직 검사 내역이 없습니다. 시작하려면 /new 를 보내 주세요.
case-line = { $date } · { $name } · { $result }
case-status-queued = 대기 중
case-status-running = 분석 중
case-status-failed = 실패
case-status-cancelled = 취소됨
case-status-rejected = 사진 사용 불가
case-pdf-missing = 이 검사의 PDF를 더 이상 사용할 수 없습니다.
