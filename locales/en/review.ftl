## Patient side

review-offer = A doctor can review this case and answer you here.
btn-review = 👩‍⚕️ Send to a doctor for review
btn-review-all = 👩‍⚕️ Send all { $count } unreviewed to a doctor
review-pick-clinic = Which clinic should review it?
review-consent =
    { $clinic } will receive { $count ->
        [one] the PDF report
       *[other] { $count } PDF reports
    } (patient name, age, gender, medical history, the photo and the analysis) and a short summary (case number, age, gender, the most likely condition and how urgent it looks). The doctors in that Telegram chat can read them. Do you agree to send them?
btn-review-send = ✅ Send
btn-review-cancel = ✖️ Don't send
review-sent =
    { $count ->
        [one] Sent to { $clinic }. The doctor's answer will arrive here.
       *[other] { $count } cases sent to { $clinic }. The doctors' answers will arrive here.
    }
review-not-sent = Nothing was sent.
review-nothing-to-send = There is no finished case waiting to be sent.
review-verdict = 👩‍⚕️ { $clinic } reviewed case { $case } on { $date }: { $verdict }
review-note = Doctor's note: { $note }
review-stamp = Reviewed by { $clinic } on { $date }: { $verdict }
verdict-routine = Routine: self-care is fine
verdict-visit = Book an in-person visit
verdict-urgent = Urgent: see a doctor today
verdict-note = The doctor answered with a note
case-waiting-review = waiting for review
case-reviewed = reviewed: { $verdict }

## Clinic side

clinic-summary =
    🩺 Case { $case } for review
    Age: { $age }
    Gender: { $gender }
    Top class: { $label } ({ NUMBER($confidence, style: "percent", maximumFractionDigits: 0) })
    Triage: { $triage }
btn-verdict-routine = Routine: self-care
btn-verdict-visit = Book a visit
btn-verdict-urgent = Urgent: go today
btn-verdict-note = Reply with a note
clinic-answered = ✅ Answered by { $reviewer }: { $verdict }
clinic-already-answered = { $reviewer } already answered this case.
clinic-not-a-clinic = Only the clinic this case was sent to can answer it.
clinic-not-staff = Only this clinic's registered staff can answer cases here. Ask the administrator to register your Telegram id: { $id }
clinic-note-ask = { $reviewer }, reply to this message with your note for case { $case } (at most { $max } characters).
clinic-note-too-long = The note has { $length } characters. Please keep it to { $max } and reply again.
clinic-note-sent = ✅ The note for case { $case } was sent to the patient.
clinic-reflag = ⏰ Case { $case } is still waiting for review.
