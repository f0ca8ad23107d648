## "Ask about this report": questions about a finished case, and their answers

btn-ask = 💬 이 보고서에 대해 질문하기
ask-offer = 이 보고서에 대해 궁금한 점이 있나요? 이 검사에 대해 최대 { $limit }개까지 질문할 수 있습니다.
question-prompt = 검사 { $case }에 대한 질문을 메시지 하나로 입력해 주세요 (이 검사에 남은 질문: { $left }개). 그만두려면 /cancel 을 누르세요.
question-queued = 질문이 대기 중입니다. 답변은 여기에 표시됩니다.
question-writing = 답변을 작성하는 중…
question-answer-title = 검사 { $case }에 대한 답변:
question-answer-footer = 이것은 진단이 아니라 사전 선별입니다. 본인의 치료에 관한 조언은 의사에게 문의하세요.
btn-ask-doctor = 👩‍⚕️ 의사에게 묻기
btn-ask-again = 💬 다른 질문하기
question-answer-unsafe = 여기에서는 그 질문에 답할 수 없습니다. 이것은 진단이 아니라 사전 선별이며, 약이나 용량을 권할 수 없습니다. 의사나 약사에게 문의하세요.
question-answer-urgent = 🚨 긴급 진료 권고: 이 검사에서 피부암의 징후일 수 있는 특징이 보입니다. 며칠 안에 가능한 한 빨리 의사나 피부과 전문의의 진료를 받으세요.
question-empty = 질문이 비어 있습니다. 글자로 입력해 주세요.
question-too-long = 질문이 너무 깁니다 ({ $length }자). { $limit }자 이내로 줄여 주세요.
question-not-text = 질문은 글자로 입력된 것만 읽을 수 있습니다. 스티커, 사진, 음성 메시지는 읽을 수 없으니 질문을 입력해 주세요.
question-gone = 이 검사는 삭제되었거나 보관 기간이 지나 더 이상 없습니다. 질문할 대상이 없습니다.
question-limit = 이 검사에 대해 허용된 { $limit }개의 질문을 모두 하셨습니다. 더 궁금한 점은 의사가 답할 수 있습니다: "의사에게 묻기"를 누르세요.
question-busy = 지금 진행 중인 보고서나 답변이 끝난 뒤에 다시 질문해 주세요.
question-failed = 죄송합니다. 답변을 작성하지 못했습니다. 다시 질문해 주세요.
question-cancelled = 답변 작성을 중단했습니다.
question-closed = 알겠습니다. 질문을 취소했습니다.

## What the clinic sees of a case's questions (review message and desk)
review-questions-title = 환자가 이 보고서에 대해 한 질문:
review-question = 질문 { $number }: { $question }
review-answer = 답변: { $answer }
desk-questions-title = 질문과 답변
