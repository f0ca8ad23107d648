## 검사당 여러 장의 사진, 부위, 같은 부위의 추적 관찰, 알림, 병원 링크

# 문진: 사진
ask-more-photos =
    { $count ->
        [1] 근접 사진을 저장했습니다 (사진 1/{ $max }). 전체 사진이 있으면 의사가 증상 부위의 위치와 퍼진 범위를 알 수 있습니다. 전체 사진을 추가하거나 “완료”를 눌러 주세요.
       *[other] 사진 { $count }/{ $max }을(를) 저장했습니다. 사진을 한 장 더 추가하거나 “완료”를 눌러 주세요.
    }
btn-add-overview = 📷 전체 사진 추가
btn-add-photo = 📷 사진 한 장 더 추가
btn-photos-done = ✅ 완료
ask-photo-overview = 이제 전체 사진을 보내 주세요. 조금 떨어져서 해당 부위 전체와 주변 피부가 함께 나오게 찍어 주세요.
ask-photo-extra = 사진을 한 장 더 보내 주세요. 예를 들어 다른 각도에서 찍은 근접 사진도 좋습니다.
nudge-more-photos = 사진을 한 장 더 보내거나 “완료”를 눌러 주세요.
photos-over-limit = 한 검사에는 사진을 최대 { $max }장까지 보낼 수 있어 앞의 사진만 저장했습니다.

# 문진: 부위
ask-body-site = 증상이 있는 곳은 몸의 어디인가요? 선택 사항이니 원하지 않으시면 “건너뛰기”를 눌러 주세요.
site-face = 얼굴
site-scalp = 두피
site-neck = 목
site-chest = 가슴
site-back = 등
site-abdomen = 배
site-arm = 팔
site-hand = 손
site-leg = 다리
site-foot = 발
site-genital = 생식기 부위
site-other = 기타
site-unknown = 부위 입력하지 않음
field-body-site = 부위
summary-no-site = 입력하지 않음
summary-new-spot = 아니요, 새로운 부위

# 문진: 전에 보낸 부위의 추적 관찰
ask-follow-up = 전에 보낸 적이 있는 부위인가요? 해당 검사를 고르면 새 사진을 이전 사진과 비교합니다.
follow-up-option = { $date } · { $name } · { $site } · { $result }
btn-follow-up-new = ➕ 아니요, 새로운 부위
follow-up-started = { $name }님의 { $date } 검사에 대한 추적 관찰입니다. 새 사진을 이전 사진과 비교합니다.
follow-up-case-gone = 이전 검사가 더 이상 보관되어 있지 않아 비교할 수 없습니다. 새 검사를 시작하려면 /new를 보내 주세요.

# 사진이 여러 장인 검사의 결과와 반려
photo-kind-close-up = 근접 사진
photo-kind-overview = 전체 사진
photo-kind-extra = 추가 사진
photo-which = 사진 { $position }/{ $count } ({ $kind }):
quality-send-photos-again = 근접 사진부터 다시 보내 주세요.
scores-mean-of-photos = 사진 { $count }장의 평균:

# /cases: 추적 관찰 검사는 이전 검사 아래에
case-line-follow-up = ↳ { $date } · 추적 관찰 · { $site } · { $result }

# 알림
reminder-offer = 이 부위를 다시 확인하도록 알림을 받으시겠어요?
btn-remind-weeks = ⏰ { $weeks }주 후
reminder-set = 알겠습니다. { $date }({ $weeks }주 후)에 알려 드리겠습니다. 확인하거나 취소하려면 /reminders를 보내 주세요.
reminder-not-possible = 이 검사에는 알림을 설정할 수 없습니다. 삭제되었을 수 있습니다.
reminder-due = ⏰ 알림: 부위를 다시 확인할 때입니다 ({ $name }, { $site }, { $date } 검사). 버튼을 누르고 새 사진을 보내 주세요. 이전 사진과 비교해 드립니다.
btn-follow-up-start = 📷 추적 관찰 시작
reminders-title = 설정된 알림:
reminders-empty = 설정된 알림이 없습니다. 보고서를 받은 뒤 알림을 요청할 수 있습니다.
reminder-line = • { $due }: { $name } · { $site } ({ $date } 검사)
btn-reminder-cancel = ✖ { $due } · { $name } 취소
reminder-cancelled = 알림을 취소했습니다.
reminder-not-found = 해당 알림이 더 이상 없습니다.
command-reminders = 부위 재확인 알림

# 병원 링크
clinic-link-invalid = 이 병원 링크는 유효하지 않거나 더 이상 유효하지 않습니다. skinbot은 그대로 사용할 수 있습니다.
clinic-link-welcome = 환영합니다! { $clinic }에서 보낸 링크로 들어오셨습니다.
clinic-bound = 이제 { $clinic }에 검사 결과의 검토를 요청할 수 있습니다.

# PDF
pdf-patient-site = 병변 부위
pdf-site-none = 입력하지 않음
pdf-section-photos = 사진
pdf-photo-kind = { $number }. { $kind }
pdf-mean-of-photos = 사진 { $count }장의 평균
pdf-per-photo-title = 사진별 점수
pdf-col-mean = 평균
pdf-col-change = 변화
pdf-change-points = { $sign }{ NUMBER($points, minimumFractionDigits: 1, maximumFractionDigits: 1) }%p
pdf-section-follow-up = 추적 관찰: { $date } 이후의 변화
pdf-earlier-caption = 이전 · { $date }
pdf-now-caption = 현재 · { $date }
pdf-earlier-photo-gone = 이전 사진은 더 이상 보관되어 있지 않습니다.
pdf-col-then = 이전 { $date }
pdf-col-now = 현재 { $date }
pdf-follow-up-note = 변화는 분류 모델 확신도의 퍼센트포인트 차이입니다. 점수의 변화가 곧 피부의 변화는 아니므로 사진을 비교해 보세요.
