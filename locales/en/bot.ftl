## Start, consent, help and privacy

welcome =
    Hello! I am skinbot. I help you pre-screen a skin condition from a photo and prepare a report that you can show a doctor.
# The signs of an emergency, the same in the chat's disclaimer and the PDF's.
-emergency-signs = bleeding that will not stop, a fast-spreading rash, fever with a rash, difficulty breathing
disclaimer =
    ⚠️ This is pre-screening, not a diagnosis. Only a doctor can diagnose a skin condition.
    { $emergency_number ->
        [none] If this is an emergency ({ -emergency-signs }), go to the nearest emergency department now.
       *[other] If this is an emergency ({ -emergency-signs }), go to the nearest emergency department or call { $emergency_number } now.
    }
privacy-text =
    🔒 Privacy
    What we store: the photo, the answers you give (patient name, age, gender, medical history), the analysis and the PDF report, the questions you ask about a report and their answers, and the date you agreed.
    Where: on this service's own server (messages reach it through Telegram). { $engine ->
        [remote] To write the report, the photo, age, gender, medical history and analysis (never the name) are sent to the AI engine this service uses, at { $host }.
       *[local] The AI models run on this server too: nothing is sent to an outside AI service.
    }
    { $clinics ->
        [0] No clinic is connected to this service: cases are not shared with anyone.
       *[other] Only if you ask for a doctor's review is a case (its PDF report, with the patient's name, and a short summary) sent to the clinic you choose: { $clinic_names }. The messages delivered to that clinic's Telegram chat stay there, even after /delete.
    }
    How long: { $days } days, after which everything is deleted automatically.
    Backups of the server are deleted after { $days } days: data erased by /delete (or deleted automatically) can remain in a backup made before that, for up to { $days } more days.
    Send /delete at any time to erase all of it at once. The patient's name is never given to the AI model.
    A case you asked to be reminded about is kept until the reminder, and { $days } days after it.
consent-ask = Press “I agree” to start.
consent-needed = Please read the notes above and press “I agree” before we begin.
consent-thanks = Thank you. Let's begin.
btn-agree = I agree
help-text =
    How it works: send a photo of the skin, answer a few short questions, and you get a pre-screening report and a PDF for a doctor.
    Commands:
    /new — start a new case (for another patient)
    /cancel — cancel the current step
    /cases — your recent cases
    /reminders — your reminders to re-check a spot
    /language — change the language
    /privacy — what we store and for how long
    /export — download your data
    /delete — erase all your data
    /help — this message

## Intake questions

ask-photo = 📷 Please send a clear close-up photo of the affected skin. Use daylight and hold the phone 10–15 cm away. You can add an overview photo next.
ask-name = What is the patient's name? (at most { $max } characters) It is only used to tell your cases apart.
ask-age = How old is the patient? Please send a whole number from 0 to 120.
ask-gender = What is the patient's gender?
ask-history = Please describe any relevant medical history: how long the problem has lasted, medicines, allergies. Or press “Skip”.
ask-report-language = In which language should the report be written?

gender-female = Female
gender-male = Male
gender-other = Other
gender-undisclosed = Prefer not to say

lang-ko = 한국어
lang-en = English
lang-vi = Tiếng Việt

btn-skip = Skip
btn-confirm = ✅ Confirm
btn-edit = ✏️ Edit
btn-cancel = ✖️ Cancel

## Summary and editing

summary =
    Please check the answers:
    Photos: { $photos }
    Body site: { $site }
    Follow-up of an earlier case: { $follow_up }
    Name: { $name }
    Age: { $age }
    Gender: { $gender }
    Medical history: { $history }
    Report language: { $language }
summary-no-history = none given
edit-which = Which answer would you like to change?
field-photo = Photos
field-name = Name
field-age = Age
field-gender = Gender
field-history = Medical history
field-report-language = Report language

## Invalid input

invalid-age = “{ $text }” is not an age I can use. Please send a whole number from 0 to 120, for example 15.
invalid-name-empty = Please send the patient's name as text.
invalid-name-long = The name is too long ({ $length } characters). Please use at most { $max } characters.
invalid-history-long = The history is too long ({ $length } characters). Please shorten it to at most { $max } characters.
nudge-photo = I need a photo of the skin here. Please send it as a photo or as an image file.
nudge-text = Please answer with a text message.
nudge-buttons = Please choose one of the buttons.
photo-too-large = That file is { NUMBER($size_mb, maximumFractionDigits: 1) } MB. The limit is { $max_mb } MB. Please send a smaller photo.
photo-unreadable = I could not read that image. It may be damaged. Please send a JPEG, PNG, WebP or HEIC photo.
photo-too-many-pixels = That image is too large to process ({ NUMBER($megapixels, maximumFractionDigits: 0) } megapixels). Please send a normal phone photo.
photo-too-small = That image is too small: its shorter side is { $side ->
        [one] one pixel
       *[other] { $side } pixels
    }, and I need at least { $min_side }. Please send the original photo, not a thumbnail or a cut-out.
photo-too-elongated = That image is too long and narrow: one side is { NUMBER($ratio, maximumFractionDigits: 1) } times the other, and a photo may be at most { $max_ratio } times as long as it is wide. Please send an ordinary photo of the skin, not a panorama or a long screenshot.
photo-not-image = That file is not an image. Please send a photo of the skin.
photo-download-failed = I could not download that photo from Telegram. Please send it again.

## Confirm, cancel, new case

case-received = Thank you. Case { $case } has been received and is waiting for analysis.
case-active = You already have a case being analysed. Please wait for its report before confirming another one.
intake-cancelled = Cancelled. Nothing was sent for analysis. Send /new to start again.
step-cancelled = Cancelled. Your earlier answers are kept.
nothing-to-cancel = There is nothing to cancel. Send /new to start a case.
new-case = New case. Earlier cases are kept: see /cases.
idle = Send /new to start a new case, or /help to see what I can do.

## Language

language-choose = Choose the language:
language-set = Done. I will speak English from now on.

## Delete

delete-ask = This permanently erases all your cases, photos, reports and answers. This cannot be undone. Are you sure?
btn-delete-yes = Yes, delete everything
btn-delete-no = No, keep my data
delete-done = All your data has been deleted. Send /start if you want to use skinbot again.
delete-kept = Nothing was deleted.

## Buttons and errors

button-stale = This button is no longer active.
button-foreign = This button belongs to someone else's conversation.
unavailable = The service is temporarily unavailable. Please try again in a few minutes. Your answers so far are saved.
error-generic = Something went wrong on our side. Your answers are saved; please try again.

## Command menu

command-new = Start a new case
command-cancel = Cancel the current step
command-cases = Your recent cases
command-language = Change the language
command-help = How skinbot works
command-privacy = What we store
command-delete = Erase all your data
