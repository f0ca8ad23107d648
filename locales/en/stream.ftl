## The wait and the streamed report: expected wait, the heatmap, the Stop button, the summary

queue-position-eta = ⏳ You are number { $position } in line. Estimated wait: { $wait }.
eta-under-minute = less than a minute
eta-minutes = { $minutes ->
    [one] about 1 minute
   *[other] about { $minutes } minutes
}
heatmap-explained = 🌡️ Heatmap: red and yellow areas influenced the classifier most, blue areas least.
btn-stop = ⏹ Stop
stop-stopping = Stopping the report…
stop-too-late = This report is no longer being written.
pdf-summary-title = Summary
