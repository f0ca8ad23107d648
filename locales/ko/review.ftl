## Patient side

review-offer = 의사가 이 검사 결과를 검토하고 여기로 답변을 보내 드릴 수 있습니다.
btn-review = 👩‍⚕️ 의사에게 검토 요청
btn-review-all = 👩‍⚕️ 미검토 { $count }건 모두 의사에게
review-pick-clinic = 어느 병원에 검토를 요청할까요?
review-consent =
    { $clinic }에 { $count ->
        [1] PDF 보고서
       *[other] PDF 보고서 { $count }건
    }(환자 이름, 나이, 성별, 병력, 사진과 분석 결과)와 간단한 요약(검사 번호, 나이, 성별, 가능성이 가장 높은 질환, 긴급도)이 전달됩니다. 해당 텔레그램 대화방의 의사들이 볼 수 있습니다. 보내시겠습니까?
btn-review-send = ✅ 보내기
btn-review-cancel = ✖️ 보내지 않기
review-sent =
    { $count ->
        [1] { $clinic }에 보냈습니다. 의사의 답변이 여기로 옵니다.
       *[other] 검사 { $count }건을 { $clinic }에 보냈습니다. 의사들의 답변이 여기로 옵니다.
    }
review-not-sent = 아무것도 보내지 않았습니다.
review-nothing-to-send = 보낼 완료된 검사가 없습니다.
review-verdict = 👩‍⚕️ { $clinic }에서 { $date }에 검사 { $case }번을 검토했습니다: { $verdict }
review-note = 의사 소견: { $note }
review-stamp = { $clinic } 검토({ $date }): { $verdict }
verdict-routine = 자가 관리: 집에서 관리하셔도 됩니다
verdict-visit = 병원 방문 예약을 하세요
verdict-urgent = 긴급: 오늘 의사의 진료를 받으세요
verdict-note = 의사가 소견을 보냈습니다
case-waiting-review = 검토 대기 중
case-reviewed = 검토 완료: { $verdict }

## Clinic side

clinic-summary =
    🩺 검토할 검사 { $case }
    나이: { $age }
    성별: { $gender }
    가능성이 가장 높은 질환: { $label } ({ NUMBER($confidence, style: "percent", maximumFractionDigits: 0) })
    긴급도: { $triage }
btn-verdict-routine = 자가 관리
btn-verdict-visit = 방문 예약
btn-verdict-urgent = 긴급: 오늘 진료
btn-verdict-note = 소견으로 답변
clinic-answered = ✅ { $reviewer } 답변: { $verdict }
clinic-already-answered = { $reviewer }님이 이미 이 검사에 답변했습니다.
clinic-not-a-clinic = 이 검사를 받은 병원만 답변할 수 있습니다.
clinic-not-staff = 이 병원에 등록된 직원만 여기에서 검사에 답변할 수 있습니다. 관리자에게 텔레그램 ID 등록을 요청해 주세요: { $id }
clinic-note-ask = { $reviewer }님, 검사 { $case }에 대한 소견을 이 메시지에 답장으로 보내 주세요(최대 { $max }자).
clinic-note-too-long = 소견이 { $length }자입니다. { $max }자 이내로 줄여서 다시 답장해 주세요.
clinic-note-sent = ✅ 검사 { $case }의 소견을 환자에게 보냈습니다.
clinic-reflag = ⏰ 검사 { $case }번이 아직 검토를 기다리고 있습니다.
