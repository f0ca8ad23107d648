## The review desk in the browser (clinic staff)

desk-title = 검토 데스크
desk-signed-in-as = { $name }(으)로 로그인됨
desk-nav-queue = 대기 목록
desk-nav-audit = 감사 기록
desk-language = 언어
desk-language-save = 변경
desk-logout = 로그아웃
desk-percent = { NUMBER($value, style: "percent", maximumFractionDigits: 0) }

desk-login-title = 검토 데스크 로그인
desk-login-as = { $clinic }의 { $name }(으)로 로그인합니다.
desk-login-button = 로그인
desk-login-once = 이 링크는 한 번만 사용할 수 있습니다. 나중에 다시 로그인하려면 관리자에게 새 링크를 요청하세요.
desk-login-invalid = 이 로그인 링크는 더 이상 사용할 수 없습니다. 이미 사용되었거나, 만료되었거나, 발급된 적이 없는 링크입니다. 관리자에게 새 링크를 요청하세요.
desk-login-needed = 관리자가 보낸 링크로 로그인하세요.
desk-signed-out = 로그아웃되었습니다.
desk-csrf = 이 양식은 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도하세요.
desk-cross-site = 다른 웹사이트에서 온 요청이라 거부되었습니다. 검토 데스크나 로그인 링크를 직접 여세요.
desk-not-found = 이 사례는 여기에 없거나 귀하의 진료소로 보내지지 않았습니다.

desk-queue-title = 검토할 사례
desk-filter-triage = 분류 결과
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
desk-queue-count =
    { $count ->
        [one] 사례 1건.
       *[other] 사례 { $count }건.
    }
desk-queue-order = 긴급 사례가 먼저, 그다음 최신 순입니다.
desk-queue-empty = 이 조건에 맞는 사례가 없습니다.
desk-patient-summary = { $age }세, { $gender }
desk-sent-at = 검토 요청 시각
desk-answered-by = { $verdict } ({ $reviewer })

desk-case-title = 사례 { $case }
desk-back = ← 대기 목록으로
desk-photo = 사진
desk-zoom-in = 확대
desk-zoom-out = 축소
desk-zoom-reset = 화면에 맞춤
desk-heatmap-toggle = Grad-CAM 히트맵 보기
desk-heatmap-explain = 히트맵은 분류기가 가장 높은 분류를 판단할 때 주목한 부위를 보여 줍니다. 병변의 윤곽이 아닙니다.
desk-heatmap-none = 이 사례에는 히트맵이 없습니다.
desk-scores = 분류기 점수
desk-answers = 답변
desk-name = 환자 이름
desk-age = 나이
desk-gender = 성별
desk-history = 병력
desk-no-history = 입력하지 않음
desk-report-language = 보고서 언어
desk-report = 보고서
desk-report-missing = 이 사례에는 저장된 보고서 내용이 없습니다.
desk-pdf = PDF 열기

desk-verdict = 판정
desk-note-label = 환자에게 보낼 메모(선택 사항, “메모로 답변”에는 필수)
desk-note-help = 최대 { $max }자. 환자는 쓰신 그대로 대화창에서 받습니다.
desk-verdict-missing = 판정을 선택하세요.
desk-note-required = 먼저 메모를 쓰세요. 이 판정은 메모만 보냅니다.
desk-note-too-long = 메모가 { $length }자입니다. { $max }자 이내로 줄여 주세요.
desk-verdict-won = 판정이 기록되었습니다. 환자에게 알리는 중입니다.
desk-verdict-lost = { $reviewer }님이 먼저 이 사례에 답변했습니다. 그 판정이 유지됩니다.
desk-verdict-recorded = { $verdict }: { $reviewer }님이 { $when }에 판정했습니다.
desk-note-shown = 메모: { $note }
desk-patient-told = 환자에게 알렸습니다.
desk-patient-pending = 아직 환자에게 알리지 못했습니다. 봇이 계속 시도합니다.
desk-case-audit = 이 사례의 기록

desk-audit-title = 감사 기록
desk-audit-private = 이 기록은 귀하의 진료소 직원만 볼 수 있습니다. 환자에게는 절대 보내지지 않습니다.
desk-audit-empty = 아직 기록된 내용이 없습니다.
desk-audit-when = 시각
desk-audit-who = 누가
desk-audit-what = 무엇을
desk-audit-case = 사례
desk-audit-source-web = 검토 데스크
desk-audit-source-telegram = 텔레그램
desk-audit-action-login = 로그인
desk-audit-action-logout = 로그아웃
desk-audit-action-view = 사례 열람
desk-audit-action-pdf = PDF 열람
desk-audit-action-verdict = 판정: { $verdict }
