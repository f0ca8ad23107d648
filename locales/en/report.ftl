## Waiting and analysing

queue-position = ⏳ You are number { $position } in line. Your report will start soon.
analysing = 🔬 Analysing the photo…
regenerating = 🔁 The service restarted while your report was being written. It is being regenerated from the start.
writing = ✍️ Writing the report…
# The status message once the case has ended: nothing edits it after this.
status-done = ✅ The report is written.
status-stopped = ⏹ Stopped: see the message below.

## Classification

classification-title = Classifier scores (pre-screening, not a diagnosis):
classification-row = { $label }: { $bar } { NUMBER($percent, style: "percent", maximumFractionDigits: 1) }
urgent-prefix = 🚨
uncertain-prefix = ⚠️

## Photo quality

quality-rejected = I can't assess this photo reliably, so no report was written:
quality-reason = • { $reason } { $tip }
quality-send-another = Please send another photo now. Your other answers are kept.

## Report end states

report-failed = ⚠️ The report could not be finished ({ $reason }). The text above is incomplete. Press “Retry” to write it again.
failure-timeout = it took too long
failure-out_of_memory = the server ran out of memory
failure-error = an internal error
failure-image_missing = the photo is no longer available
failure-engine = the language model server did not answer
btn-retry = 🔁 Retry
report-cancelled = The report was cancelled.
retry-started = Writing the report again.
retry-not-possible = This case can no longer be retried. Send /new to start a new case.
pdf-caption = Skin pre-screening report, case { $case }. You can forward this PDF to a doctor. It is pre-screening, not a diagnosis.

## The report's urgency line, set to the triage's when the model contradicts an urgent referral
## (inference/urgency.py). The label and level names are the ones the report prompt asks for
## (inference/prompts/report.*.md); a test keeps the two in step.

report-urgency-label = Urgency
report-urgency-emergency = emergency
report-urgency-within-days = within days
report-urgency-routine = routine
report-urgency-self-care = self-care
report-urgency-set = ⚠️ The urgency was set to “{ $level }” because the classifier found features that can be a sign of skin cancer. Please see a doctor within the next few days, whatever the rest of this report says.

## Your cases

cases-title = Your recent cases:
cases-empty = You have no cases yet. Send /new to start one.
case-line = { $date } · { $name } · { $result }
case-status-queued = waiting
case-status-running = being analysed
case-status-failed = failed
case-status-cancelled = cancelled
case-status-rejected = photo not usable
case-pdf-missing = The PDF of this case is no longer available.
