## Triage: shown in the chat and in the PDF, so each line stands on its own.

triage-urgent-title = Urgent referral
triage-urgent = Please see a doctor or dermatologist soon, within the next few days.
triage-urgent-why = Why: the classifier found features that can be a sign of skin cancer (carcinoma). Only a doctor can confirm or rule this out, and an early examination matters.
triage-uncertain-title = Unclear result
triage-uncertain = The photo could not be assessed reliably. Please send a new, sharp photo taken in daylight, or show the skin to a doctor.
triage-routine-title = No urgent signs
triage-routine = No urgent warning signs were found. If the problem lasts, gets worse or worries you, see a doctor or dermatologist.
