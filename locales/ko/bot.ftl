## Start, consent, help and privacy

welcome =
    안녕하세요! 저는 skinbot입니다. 사진으로 피부 상태를 사전 선별하고, 의사에게 보여 줄 수 있는 보고서를 준비해 드립니다.
# The signs of an emergency, the same in the chat's disclaimer and the PDF's.
-emergency-signs = 멈추지 않는 출혈, 빠르게 퍼지는 발진, 발진을 동반한 발열, 호흡 곤란
disclaimer =
    ⚠️ 이것은 사전 선별이며 진단이 아닙니다. 피부 질환은 의사만 진단할 수 있습니다.
    { $emergency_number ->
        [none] 응급 상황({ -emergency-signs })이라면 지금 바로 가까운 응급실로 가세요.
       *[other] 응급 상황({ -emergency-signs })이라면 지금 바로 가까운 응급실로 가거나 { $emergency_number }에 전화하세요.
    }
privacy-text =
    🔒 개인정보
    저장하는 것: 사진, 입력하신 답변(환자 이름, 나이, 성별, 병력), 분석 결과와 PDF 보고서, 보고서에 대해 하신 질문과 그 답변, 동의한 날짜.
    저장 위치: 이 서비스의 자체 서버에 저장됩니다(메시지는 텔레그램을 거쳐 전달됩니다). { $engine ->
        [remote] 보고서를 작성하기 위해 사진, 나이, 성별, 병력과 분석 결과(이름은 제외)가 이 서비스가 사용하는 AI 엔진({ $host })으로 전송됩니다.
       *[local] AI 모델도 이 서버에서 실행되므로 외부 AI 서비스로는 아무것도 전송되지 않습니다.
    }
    { $clinics ->
        [0] 이 서비스에 연결된 병원이 없으므로 검사 내용은 누구와도 공유되지 않습니다.
       *[other] 의사 검토를 요청하신 경우에만 해당 검사(환자 이름이 들어 있는 PDF 보고서와 짧은 요약)가 선택하신 병원으로 전송됩니다: { $clinic_names }. 그 병원의 텔레그램 대화방에 전달된 메시지는 /delete 후에도 그곳에 남습니다.
    }
    보관 기간: { $days }일이 지나면 모두 자동으로 삭제됩니다.
    서버의 백업은 { $days }일이 지나면 삭제됩니다. /delete 로 지우거나 자동으로 삭제된 정보도 그 전에 만든 백업에는 최대 { $days }일 동안 더 남아 있을 수 있습니다.
    언제든지 /delete 를 보내면 모든 정보를 한 번에 지울 수 있습니다. 환자 이름은 AI 모델에 절대 전달되지 않습니다.
    알림을 요청하신 검사는 알림 날짜까지, 그리고 그 후 { $days }일 동안 보관됩니다.
consent-ask = 시작하려면 “동의합니다”를 눌러 주세요.
consent-needed = 위 안내를 읽고 “동의합니다”를 눌러 주셔야 시작할 수 있습니다.
consent-thanks = 감사합니다. 시작하겠습니다.
btn-agree = 동의합니다
help-text =
    사용 방법: 피부 사진을 보내고 몇 가지 짧은 질문에 답하면, 사전 선별 보고서와 의사에게 보여 줄 PDF를 받으실 수 있습니다.
    명령어:
    /new — 새 검사 시작 (다른 환자)
    /cancel — 현재 단계 취소
    /cases — 최근 검사 내역
    /reminders — 부위 재확인 알림
    /language — 언어 변경
    /privacy — 저장하는 정보와 보관 기간
    /export — 내 정보 내려받기
    /delete — 내 정보 모두 삭제
    /help — 이 안내

## Intake questions

ask-photo = 📷 증상이 있는 피부의 근접 사진을 선명하게 찍어 보내 주세요. 밝은 자연광에서 휴대폰을 10~15cm 떨어뜨려 찍어 주세요. 다음 단계에서 전체 사진을 추가할 수 있습니다.
ask-name = 환자 이름이 무엇인가요? (최대 { $max }자) 검사를 구분하는 데에만 사용됩니다.
ask-age = 환자의 만 나이를 숫자로 보내 주세요(0~120). 예: 45
ask-gender = 환자의 성별은 무엇인가요?
ask-history = 관련 병력을 적어 주세요: 증상이 얼마나 오래되었는지, 복용 중인 약, 알레르기 등. 없으면 “건너뛰기”를 눌러 주세요.
ask-report-language = 보고서를 어떤 언어로 작성할까요?

gender-female = 여성
gender-male = 남성
gender-other = 기타
gender-undisclosed = 밝히고 싶지 않음

lang-ko = 한국어
lang-en = English
lang-vi = Tiếng Việt

btn-skip = 건너뛰기
btn-confirm = ✅ 확인
btn-edit = ✏️ 수정
btn-cancel = ✖️ 취소

## Summary and editing

summary =
    입력하신 내용을 확인해 주세요:
    사진: { $photos }장
    부위: { $site }
    이전 검사의 추적 관찰: { $follow_up }
    이름: { $name }
    나이: { $age }
    성별: { $gender }
    병력: { $history }
    보고서 언어: { $language }
summary-no-history = 입력하지 않음
edit-which = 어떤 항목을 수정하시겠어요?
field-photo = 사진
field-name = 이름
field-age = 나이
field-gender = 성별
field-history = 병력
field-report-language = 보고서 언어

## Invalid input

invalid-age = “{ $text }”은(는) 나이로 사용할 수 없습니다. 만 나이를 숫자로 보내 주세요(0~120). 예: 15
invalid-name-empty = 환자 이름을 글자로 보내 주세요.
invalid-name-long = 이름이 너무 깁니다({ $length }자). 최대 { $max }자까지 입력해 주세요.
invalid-history-long = 병력이 너무 깁니다({ $length }자). { $max }자 이내로 줄여 주세요.
nudge-photo = 여기에는 피부 사진이 필요합니다. 사진 또는 이미지 파일로 보내 주세요.
nudge-text = 글자로 답해 주세요.
nudge-buttons = 아래 버튼 중 하나를 눌러 주세요.
photo-too-large = 파일 크기가 { NUMBER($size_mb, maximumFractionDigits: 1) }MB입니다. 최대 { $max_mb }MB까지 받을 수 있습니다. 더 작은 사진을 보내 주세요.
photo-unreadable = 이미지를 읽을 수 없습니다. 파일이 손상되었을 수 있습니다. JPEG, PNG, WebP 또는 HEIC 사진을 보내 주세요.
photo-too-many-pixels = 이미지가 너무 커서 처리할 수 없습니다({ NUMBER($megapixels, maximumFractionDigits: 0) }메가픽셀). 일반 휴대폰 사진을 보내 주세요.
photo-too-small = 이미지가 너무 작습니다. 짧은 쪽이 { $side }픽셀인데, 최소 { $min_side }픽셀이 필요합니다. 미리보기나 잘라 낸 이미지가 아닌 원본 사진을 보내 주세요.
photo-too-elongated = 이미지가 너무 길고 좁습니다. 긴 쪽이 짧은 쪽의 { NUMBER($ratio, maximumFractionDigits: 1) }배인데, 사진은 최대 { $max_ratio }배까지만 받을 수 있습니다. 파노라마나 긴 스크린샷이 아닌 일반 피부 사진을 보내 주세요.
photo-not-image = 이미지 파일이 아닙니다. 피부 사진을 보내 주세요.
photo-download-failed = 텔레그램에서 사진을 내려받지 못했습니다. 다시 보내 주세요.

## Confirm, cancel, new case

case-received = 감사합니다. 검사 { $case }번이 접수되어 분석을 기다리고 있습니다.
case-active = 이미 분석 중인 검사가 있습니다. 그 보고서를 받은 뒤에 다음 검사를 제출해 주세요.
intake-cancelled = 취소했습니다. 분석을 위해 보낸 것은 없습니다. 다시 시작하려면 /new 를 보내 주세요.
step-cancelled = 취소했습니다. 이전 답변은 그대로 저장되어 있습니다.
nothing-to-cancel = 취소할 것이 없습니다. 검사를 시작하려면 /new 를 보내 주세요.
new-case = 새 검사를 시작합니다. 이전 검사는 /cases 에서 볼 수 있습니다.
idle = 새 검사를 시작하려면 /new, 도움말은 /help 를 보내 주세요.

## Language

language-choose = 언어를 선택해 주세요:
language-set = 완료했습니다. 이제부터 한국어로 안내합니다.

## Delete

delete-ask = 모든 검사, 사진, 보고서와 답변이 영구적으로 삭제되며 되돌릴 수 없습니다. 정말 삭제하시겠어요?
btn-delete-yes = 네, 모두 삭제합니다
btn-delete-no = 아니요, 유지합니다
delete-done = 모든 정보가 삭제되었습니다. 다시 사용하시려면 /start 를 보내 주세요.
delete-kept = 아무것도 삭제하지 않았습니다.

## Buttons and errors

button-stale = 이 버튼은 더 이상 사용할 수 없습니다.
button-foreign = 이 버튼은 다른 사용자의 대화에 속한 것입니다.
unavailable = 서비스를 일시적으로 사용할 수 없습니다. 몇 분 뒤에 다시 시도해 주세요. 지금까지의 답변은 저장되어 있습니다.
error-generic = 저희 쪽에 문제가 생겼습니다. 답변은 저장되어 있으니 다시 시도해 주세요.

## Command menu

command-new = 새 검사 시작
command-cancel = 현재 단계 취소
command-cases = 최근 검사 내역
command-language = 언어 변경
command-help = 사용 방법
command-privacy = 저장하는 정보
command-delete = 내 정보 모두 삭제
