## Several photos a case, body site, follow-up of a spot, reminders and clinic links

# The intake: photos
ask-more-photos =
    { $count ->
        [1] Close-up saved (photo 1 of { $max }). An overview photo helps the doctor see where the spot is and how far it spreads: add one, or press “Done”.
       *[other] Photo { $count } of { $max } saved. Add one more photo, or press “Done”.
    }
btn-add-overview = 📷 Add an overview photo
btn-add-photo = 📷 Add another photo
btn-photos-done = ✅ Done
ask-photo-overview = Send the overview photo now: step back so the whole area and some skin around it are in the picture.
ask-photo-extra = Send one more photo now, for example another close-up from a different angle.
nudge-more-photos = Please send another photo, or press “Done”.
photos-over-limit = A case has at most { $max } photos, so I kept the first ones.

# The intake: body site
ask-body-site = Where on the body is it? This is optional: press “Skip” if you prefer.
site-face = Face
site-scalp = Scalp
site-neck = Neck
site-chest = Chest
site-back = Back
site-abdomen = Abdomen
site-arm = Arm
site-hand = Hand
site-leg = Leg
site-foot = Foot
site-genital = Genitals
site-other = Other
site-unknown = site not given
field-body-site = Body site
summary-no-site = not given
summary-new-spot = no, a new spot

# The intake: follow-up of a spot sent before
ask-follow-up = Is this a spot you sent before? Choose it, and the new photos will be compared with the earlier ones.
follow-up-option = { $date } · { $name } · { $site } · { $result }
btn-follow-up-new = ➕ No, a new spot
follow-up-started = Follow-up of { $name }'s case of { $date }: the new photos will be compared with the earlier ones.
follow-up-case-gone = That earlier case is no longer kept, so nothing can be compared with it. Send /new to start a new case.

# Results and rejections of a case with several photos
photo-kind-close-up = close-up
photo-kind-overview = overview
photo-kind-extra = another photo
photo-which = Photo { $position } of { $count } ({ $kind }):
quality-send-photos-again = Please send the photos again, starting with the close-up.
scores-mean-of-photos = Mean of { $count } photos:

# /cases: a follow-up under the case it follows
case-line-follow-up = ↳ { $date } · follow-up · { $site } · { $result }

# Reminders
reminder-offer = Would you like a reminder to check this spot again?
btn-remind-weeks = ⏰ { $weeks } weeks
reminder-set = Done. I will remind you on { $date } (in { $weeks } weeks). Send /reminders to see or cancel it.
reminder-not-possible = This case cannot get a reminder. It may have been deleted.
reminder-due = ⏰ Reminder: time to check the spot again ({ $name }, { $site }, case of { $date }). Press the button and send new photos; they will be compared with the earlier ones.
btn-follow-up-start = 📷 Start the follow-up
reminders-title = Your reminders:
reminders-empty = You have no reminders. After a report you can ask for one.
reminder-line = • { $due }: { $name } · { $site } (case of { $date })
btn-reminder-cancel = ✖ Cancel { $due } · { $name }
reminder-cancelled = The reminder is cancelled.
reminder-not-found = That reminder no longer exists.
command-reminders = Your reminders to re-check a spot

# Clinic links
clinic-link-invalid = This clinic link is not valid, or no longer valid. You can use skinbot as before.
clinic-link-welcome = Welcome! You came here through a link from { $clinic }.
clinic-bound = Your cases can now be sent for review to { $clinic }.

# The PDF
pdf-patient-site = Body site
pdf-site-none = Not given
pdf-section-photos = Photos
pdf-photo-kind = { $number }. { $kind }
pdf-mean-of-photos = mean of { $count } photos
pdf-per-photo-title = Scores per photo
pdf-col-mean = Mean
pdf-col-change = Change
pdf-change-points = { $sign }{ NUMBER($points, minimumFractionDigits: 1, maximumFractionDigits: 1) } pts
pdf-section-follow-up = Follow-up: change since { $date }
pdf-earlier-caption = Earlier · { $date }
pdf-now-caption = Now · { $date }
pdf-earlier-photo-gone = The earlier photo is no longer kept.
pdf-col-then = Earlier { $date }
pdf-col-now = Now { $date }
pdf-follow-up-note = The change is in percentage points of the classifier's confidence. A change in the scores is not in itself a change in the skin: compare the photos.
