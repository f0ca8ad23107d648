## The review desk in the browser (clinic staff)

desk-title = 검토 화면
desk-signed-in-as = { $name }(으)로 로그인됨
desk-nav-queue = 대기 목록
desk-nav-audit = 감사 기록
desk-language = 언어
desk-language-save = 변경
desk-logout = 로그아웃
desk-percent = { NUMBER($value, style: "percent", maximumFractionDigits: 0) }

desk-login-title = 검토 화면 로그인
desk-login-as = { $clinic }의 { $name }(으)로 로그인합니다.
desk-login-button = 로그인
desk-login-once = 이 링크는 한 번만 사용할 수 있습니다. 나중에 다시 로그인하려면 관리자에게 새 링크를 요청하세요.
desk-login-invalid = 이 로그인 링크는 더 이상 사용할 수 없습니다. 이미 사용되었거나, 만료되었거나, 발급된 적이 없는 링크입니다. 관리자에게 새 링크를 요청하세요.
desk-login-needed = 관리자가 보낸 링크로 로그인하세요.
desk-signed-out = 로그아웃되었습니다.
desk-csrf = 이 양식은 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도하세요.
desk-cross-site = 다른 웹사이트에서 온 요청이라 거부되었습니다. 검토 화면이나 로그인 링크를 직접 여세요.
desk-not-found = 이 검사는 여기에 없거나 귀하의 병원으로 보내지지 않았습니다.

desk-queue-title = 검토할 검사
desk-filter-triage = 긴급도
desk-filter-status = 상태
desk-filter-language = 보고서 언어
desk-filter-from = 보낸 날짜(부터)
desk-filter-until = 보낸 날짜(까지)
desk-filter-any = 전체
desk-filter-apply = 적용
desk-filter-reset = 초기화
desk-status-waiting = 판정 대기 중
desk-status-answered = 답변 완료
desk-status-all = 전체
desk-queue-count = 검사 { $count }건.
desk-queue-order = 긴급한 검사부터, 그다음 최신 순으로 표시됩니다.
desk-queue-empty = 이 조건에 맞는 검사가 없습니다.
desk-patient-summary = { $age }세, { $gender }
desk-sent-at = 검토 요청 시각
desk-answered-by = { $verdict } ({ $reviewer })

desk-case-title = 검사 { $case }
desk-back = ← 대기 목록으로
desk-photo = 사진
desk-zoom-in = 확대
desk-zoom-out = 축소
desk-zoom-reset = 화면에 맞춤
desk-heatmap-toggle = Grad-CAM 히트맵 보기
desk-heatmap-explain = 히트맵은 분류 모델이 가능성이 가장 높은 질환을 판단할 때 주목한 부위를 보여 줍니다. 병변의 윤곽이 아닙니다.
desk-heatmap-none = 이 검사에는 히트맵이 없습니다.
desk-scores = 분류 모델 점수
desk-answers = 답변
desk-name = 환자 이름
desk-age = 나이
desk-gender = 성별
desk-history = 병력
desk-no-history = 입력하지 않음
desk-report-language = 보고서 언어
desk-report = 보고서
desk-report-missing = 이 검사에는 저장된 보고서 내용이 없습니다.
desk-pdf = PDF 열기

desk-verdict = 판정
desk-note-label = 환자에게 보낼 소견(선택 사항, “소견으로 답변”에는 필수)
desk-note-help = 최대 { $max }자. 환자는 쓰신 그대로 대화창에서 받습니다.
desk-verdict-missing = 판정을 선택하세요.
desk-note-required = 먼저 소견을 쓰세요. 이 판정은 소견만 보냅니다.
desk-note-too-long = 소견이 { $length }자입니다. { $max }자 이내로 줄여 주세요.
desk-verdict-won = 판정이 기록되었습니다. 환자에게 알리는 중입니다.
desk-verdict-lost = { $reviewer }님이 먼저 이 검사에 답변했습니다. 그 판정이 유지됩니다.
desk-verdict-recorded = { $verdict }: { $reviewer }님이 { $when }에 판정했습니다.
desk-note-shown = 소견: { $note }
desk-patient-told = 환자에게 알렸습니다.
desk-patient-pending = 아직 환자에게 알리지 못했습니다. 봇이 계속 시도합니다.
desk-case-audit = 이 검사의 기록

desk-audit-title = 감사 기록
desk-audit-private = 이 기록은 귀하의 병원 직원만 볼 수 있습니다. 환자에게는 절대 보내지지 않습니다.
desk-audit-empty = 아직 기록된 내용이 없습니다.
desk-audit-when = 시각
desk-audit-who = 사용자
desk-audit-what = 작업
desk-audit-case = 검사
desk-audit-source-web = 검토 화면
desk-audit-source-telegram = 텔레그램
desk-audit-action-login = 로그인
desk-audit-action-logout = 로그아웃
desk-audit-action-view = 검사 열람
desk-audit-action-pdf = PDF 열람
desk-audit-action-verdict = 판정: { $verdict }

## The review desk inside Telegram (a Mini App), and the bot's answers to staff who open it

desk-telegram-title = 텔레그램으로 로그인
desk-telegram-outside = 이 페이지는 텔레그램에서 봇을 통해 검토 화면을 열 때 병원 직원을 로그인시킵니다. 텔레그램 밖에서는 관리자가 보낸 링크로 로그인하세요.
desk-telegram-wait = 텔레그램 계정으로 로그인하는 중입니다…
desk-telegram-invalid = 텔레그램의 로그인 정보가 유효하지 않아 로그인되지 않았습니다. 검토 화면을 닫고 봇에서 다시 여세요.
desk-telegram-stale = 이 텔레그램 로그인 정보는 하루가 지나 만료되었습니다. 검토 화면을 닫고 봇에서 다시 여세요.
desk-telegram-early = 이 텔레그램 로그인 정보의 시각이 서버 시계보다 앞서 있습니다. 몇 분 뒤에 다시 시도하세요. 계속 이런 경우 관리자에게 알려 주세요.
desk-telegram-not-staff = 이 텔레그램 계정은 이 병원의 직원으로 등록되어 있지 않아 로그인되지 않았습니다. 관리자에게 계정 등록을 요청하세요.
btn-open-desk = 🩺 검토 화면 열기
desk-app-open = { $clinic }: 텔레그램 안에서 검토 화면을 여세요. { $name }(으)로 로그인됩니다.
desk-app-not-staff = 이 병원에 등록된 직원만 검토 화면을 열 수 있습니다. 관리자에게 텔레그램 ID 등록을 요청해 주세요: { $id }
desk-app-off = 여기에서는 텔레그램 안에서 검토 화면을 열 수 없습니다. 관리자가 보낸 링크로 로그인하세요.
