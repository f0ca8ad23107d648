## "Ask about this report": questions about a finished case, and their answers

btn-ask = 💬 Ask about this report
ask-offer = Questions about this report? You can ask up to { $limit } about this case.
question-prompt = Type your question about case { $case } in one message ({ $left } left for this case). /cancel stops.
question-queued = Your question is in line. The answer will appear here.
question-writing = Writing the answer…
question-answer-title = Answer about case { $case }:
question-answer-footer = This is pre-screening, not a diagnosis. For advice about your own treatment, ask a doctor.
btn-ask-doctor = 👩‍⚕️ Ask a doctor
btn-ask-again = 💬 Ask another question
question-answer-unsafe = I can't answer that here. This is pre-screening, not a diagnosis, and I can't recommend medicines or doses. Please ask a doctor or pharmacist.
question-answer-urgent = 🚨 Urgent referral: this case shows a possible sign of skin cancer. Please see a doctor or dermatologist soon, within the next few days.
question-empty = Your question is empty. Please type it as text.
question-too-long = Your question is too long ({ $length } characters). Please keep it under { $limit } characters.
question-not-text = I can only read questions typed as text, not stickers, photos or voice messages. Please type your question.
question-gone = This case no longer exists (it was deleted or has expired), so there is nothing to ask about.
question-limit = You have already asked { $limit } questions about this case, the most allowed. A doctor can answer more: press "Ask a doctor".
question-busy = Please wait until your current report or answer is finished, then ask again.
question-failed = Sorry, the answer could not be written. Please ask again.
question-cancelled = The answer was stopped.
question-closed = OK, no question.

## What the clinic sees of a case's questions (review message and desk)
review-questions-title = Questions the patient asked about this report:
review-question = Q{ $number }: { $question }
review-answer = Answer: { $answer }
desk-questions-title = Questions and answers
