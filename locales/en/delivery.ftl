## Delivery: starting up, interrupted reports, reports cut short

queue-starting = ⏳ The service is starting up. You are number { $position } in line; your report will begin as soon as it is ready.
failure-interrupted = the service stopped twice while writing this report
report-cut-length = ✂️ This report reached its maximum length and ends early. The PDF says so too.
report-cut-repetition = ✂️ This report was stopped early because the text started repeating itself. The PDF says so too.
pdf-report-cut = Note: this report ended early (it reached its maximum length or began to repeat itself). It may be incomplete.
case-status-reported = report ready, PDF on its way
upload-one-at-a-time = ⏳ One photo at a time, please: I am still working on your previous ones.
