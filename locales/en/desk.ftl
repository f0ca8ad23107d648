## The review desk in the browser (clinic staff)

desk-title = Review desk
desk-signed-in-as = Signed in as { $name }
desk-nav-queue = Queue
desk-nav-audit = Audit log
desk-language = Language
desk-language-save = Change
desk-logout = Sign out
desk-percent = { NUMBER($value, style: "percent", maximumFractionDigits: 0) }

desk-login-title = Sign in to the review desk
desk-login-as = Sign in as { $name } at { $clinic }.
desk-login-button = Sign in
desk-login-once = This link works once. To sign in again later, ask your administrator for a new link.
desk-login-invalid = This sign-in link no longer works: it was used already, it expired, or it was never issued. Ask your administrator for a new one.
desk-login-needed = Please sign in with the link your administrator sent you.
desk-signed-out = You are signed out.
desk-csrf = This form has expired. Reload the page and try again.
desk-cross-site = This request came from another website, so it was refused. Open the review desk, or your sign-in link, directly.
desk-not-found = This case does not exist here, or it was not sent to your clinic.

desk-queue-title = Cases for review
desk-filter-triage = Triage
desk-filter-status = Status
desk-filter-language = Report language
desk-filter-from = Sent from
desk-filter-until = Sent until
desk-filter-any = Any
desk-filter-apply = Filter
desk-filter-reset = Reset
desk-status-waiting = Waiting for a verdict
desk-status-answered = Answered
desk-status-all = All
desk-queue-count =
    { $count ->
        [one] One case.
       *[other] { $count } cases.
    }
desk-queue-order = Urgent cases first, then the newest.
desk-queue-empty = No cases match these filters.
desk-patient-summary = { $age } years, { $gender }
desk-sent-at = Sent for review
desk-answered-by = { $verdict } ({ $reviewer })

desk-case-title = Case { $case }
desk-back = ← Back to the queue
desk-photo = Photo
desk-zoom-in = Zoom in
desk-zoom-out = Zoom out
desk-zoom-reset = Fit
desk-heatmap-toggle = Show the Grad-CAM heatmap
desk-heatmap-explain = The heatmap shows where the classifier looked for its top class. It is not an outline of the lesion.
desk-heatmap-none = There is no heatmap for this case.
desk-scores = Classifier scores
desk-answers = Answers
desk-name = Patient name
desk-age = Age
desk-gender = Gender
desk-history = Medical history
desk-no-history = none given
desk-report-language = Report language
desk-report = Report
desk-report-missing = No report text is stored for this case.
desk-pdf = Open the PDF

desk-verdict = Verdict
desk-note-label = Note to the patient (optional; needed for “Reply with a note”)
desk-note-help = At most { $max } characters. The patient receives it as written, in their chat.
desk-verdict-missing = Choose a verdict.
desk-note-required = Write the note first: this verdict sends only the note.
desk-note-too-long = The note has { $length } characters. Please keep it to { $max }.
desk-verdict-won = Your verdict is recorded. The patient is being told.
desk-verdict-lost = { $reviewer } answered this case first. Their verdict stands.
desk-verdict-recorded = { $verdict }: decided by { $reviewer } on { $when }.
desk-note-shown = Note: { $note }
desk-patient-told = The patient has been told.
desk-patient-pending = The patient has not been told yet. The bot keeps trying.
desk-case-audit = History of this case

desk-audit-title = Audit log
desk-audit-private = Only your clinic's staff can see this log. It is never sent to a patient.
desk-audit-empty = Nothing has been recorded yet.
desk-audit-when = When
desk-audit-who = Who
desk-audit-what = What
desk-audit-case = Case
desk-audit-source-web = review desk
desk-audit-source-telegram = Telegram
desk-audit-action-login = signed in
desk-audit-action-logout = signed out
desk-audit-action-view = opened the case
desk-audit-action-pdf = opened the PDF
desk-audit-action-verdict = verdict: { $verdict }

## The review desk inside Telegram (a Mini App), and the bot's answers to staff who open it

desk-telegram-title = Sign in from Telegram
desk-telegram-outside = This page signs clinic staff in when the review desk is opened from the bot inside Telegram. Outside Telegram, sign in with the link your administrator sent you.
desk-telegram-wait = Signing you in with your Telegram account…
desk-telegram-invalid = Telegram's sign-in data is not valid, so nobody was signed in. Close the review desk and open it again from the bot.
desk-telegram-stale = This sign-in from Telegram is more than a day old. Close the review desk and open it again from the bot.
desk-telegram-early = This sign-in from Telegram is dated ahead of the server's clock. Try again in a few minutes; if it keeps happening, tell your administrator.
desk-telegram-not-staff = Your Telegram account is not registered as staff of this clinic, so you were not signed in. Ask your administrator to register it.
btn-open-desk = 🩺 Open the review desk
desk-app-open = { $clinic }: open the review desk here in Telegram. You will be signed in as { $name }.
desk-app-not-staff = Only this clinic's registered staff can open its review desk. Ask the administrator to register your Telegram id: { $id }
desk-app-off = The review desk cannot be opened inside Telegram here. Sign in with the link your administrator sent you.
