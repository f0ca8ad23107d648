## Patient side

review-offer = 의사가 이 사례를 검토하고 여기로 답변을 보내 드릴 수 있습니다.
btn-review = 👩‍⚕️ 의사에게 검토 요청
btn-review-all = 👩‍⚕️ 검토되지 않은 사례 모두 보내기 ({ $count })
review-pick-clinic = 어느 진료소에 검토를 요청할까요?
review-consent =
    { $clinic }에 { $count ->
        [one] PDF 보고서
       *[other] PDF 보고서 { $count }개
    }(환자 이름, 나이, 성별, 병력, 사진과 분석 결과)와 간단한 요약(사례 번호, 나이, 성별, 가장 높은 분류, 분류 결과)이 전달됩니다. 해당 텔레그램 대화방의 의사들이 볼 수 있습니다. 보낼까요?
btn-review-send = ✅ 보내기
btn-review-cancel = ✖️ 보내지 않기
review-sent =
    { $count ->
        [one] { $clinic }에 보냈습니다. 의사의 답변이 여기로 옵니다.
       *[other] 사례 { $count }개를 { $clinic }에 보냈습니다. 의사들의 답변이 여기로 옵니다.
    }
review-not-sent = 아무것도 보내지 않았습니다.
review-nothing-to-send = 보낼 완료된 사례가 없습니다.
review-verdict = 👩‍⚕️ { $clinic }에서 { $date }에 사례 { $case }을(를) 검토했습니다: { $verdict }
review-note = 의사의 메모: { $note }
review-stamp = { $clinic } 검토({ $date }): { $verdict }
verdict-routine = 일상 관리: 스스로 관리해도 괜찮습니다
verdict-visit = 병원 방문 예약을 하세요
verdict-urgent = 긴급: 오늘 의사의 진료를 받으세요
verdict-note = 의사가 메모로 답변했습니다
case-waiting-review = 검토 대기 중
case-reviewed = 검토 완료: { $verdict }

## Clinic side

clinic-summary =
    🩺 검토할 사례 { $case }
    나이: { $age }
    성별: { $gender }
    가장 높은 분류: { $label } ({ NUMBER($confidence, style: "percent", maximumFractionDigits: 0) })
    분류 결과: { $triage }
btn-verdict-routine = 일상 관리
btn-verdict-visit = 방문 예약
btn-verdict-urgent = 긴급: 오늘 진료
btn-verdict-note = 메모로 답변
clinic-answered = ✅ { $reviewer } 답변: { $verdict }
clinic-already-answered = { $reviewer }님이 이미 이 사례에 답변했습니다.
clinic-not-a-clinic = 이 사례를 받은 진료소만 답변할 수 있습니다.
clinic-not-staff = 이 병원에 등록된 직원만 여기에서 검사에 답변할 수 있습니다. 관리자에게 텔레그램 ID 등록을 요청해 주세요: { $id }
clinic-note-ask = { $reviewer }님, 사례 { $case }에 대한 메모를 이 메시지에 답장으로 보내 주세요(최대 { $max }자).
clinic-note-too-long = 메모가 { $length }자입니다. { $max }자 이내로 줄여서 다시 답장해 주세요.
clinic-note-sent = ✅ 사례 { $case }의 메모를 환자에게 보냈습니다.
clinic-reflag = ⏰ 사례 { $case }이(가) 아직 검토를 기다리고 있습니다.
