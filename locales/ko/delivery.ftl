## Delivery: starting up, interrupted reports, reports cut short

queue-starting = ⏳ 서비스를 시작하는 중입니다. 대기 순서 { $position }번이며, 준비되는 대로 보고서 작성을 시작합니다.
failure-interrupted = 이 보고서를 작성하는 동안 서비스가 두 번 중단됨
report-cut-length = ✂️ 이 보고서는 최대 길이에 도달하여 일찍 끝났습니다. PDF에도 이 내용이 표시됩니다.
report-cut-repetition = ✂️ 문장이 반복되기 시작하여 이 보고서를 일찍 중단했습니다. PDF에도 이 내용이 표시됩니다.
pdf-report-cut = 참고: 이 보고서는 일찍 끝났습니다(최대 길이에 도달했거나 같은 내용이 반복되기 시작함). 완전하지 않을 수 있습니다.
case-status-reported = 보고서 완료, PDF 전송 중
upload-one-at-a-time = ⏳ 사진은 한 번에 하나씩 보내 주세요. 아직 이전 사진을 처리하고 있습니다.
