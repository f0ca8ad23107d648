## "Ask about this report": questions about a finished case, and their answers

btn-ask = 💬 Hỏi về báo cáo này
ask-offer = Bạn có thắc mắc về báo cáo này? Bạn có thể hỏi tối đa { $limit } câu về ca này.
question-prompt = Hãy gõ câu hỏi của bạn về ca { $case } trong một tin nhắn (còn { $left } câu cho ca này). Gõ /cancel để dừng.
question-queued = Câu hỏi của bạn đang chờ. Câu trả lời sẽ hiện ở đây.
question-writing = Đang viết câu trả lời…
question-answer-title = Trả lời về ca { $case }:
question-answer-footer = Đây là sàng lọc sơ bộ, không phải chẩn đoán. Để được tư vấn về việc điều trị của bạn, hãy hỏi bác sĩ.
btn-ask-doctor = 👩‍⚕️ Hỏi bác sĩ
btn-ask-again = 💬 Hỏi câu khác
question-answer-unsafe = Tôi không thể trả lời câu này ở đây. Đây là sàng lọc sơ bộ, không phải chẩn đoán, và tôi không thể khuyên dùng thuốc hay liều lượng. Hãy hỏi bác sĩ hoặc dược sĩ.
question-answer-urgent = 🚨 Cần đi khám gấp: ca này có đặc điểm có thể là dấu hiệu của ung thư da. Hãy đi khám bác sĩ hoặc bác sĩ da liễu sớm, trong vài ngày tới.
question-empty = Câu hỏi của bạn đang trống. Hãy gõ câu hỏi bằng chữ.
question-too-long = Câu hỏi của bạn quá dài ({ $length } ký tự). Hãy viết ngắn hơn { $limit } ký tự.
question-not-text = Tôi chỉ đọc được câu hỏi gõ bằng chữ, không đọc được nhãn dán, ảnh hay tin nhắn thoại. Hãy gõ câu hỏi của bạn.
question-gone = Ca này không còn nữa (đã bị xóa hoặc đã hết thời hạn lưu), nên không thể hỏi về nó.
question-limit = Bạn đã hỏi đủ { $limit } câu được phép cho ca này. Bác sĩ có thể trả lời thêm: hãy bấm "Hỏi bác sĩ".
question-busy = Vui lòng chờ báo cáo hoặc câu trả lời hiện tại xong rồi hỏi lại.
question-failed = Xin lỗi, không viết được câu trả lời. Vui lòng hỏi lại.
question-cancelled = Đã dừng viết câu trả lời.
question-closed = Được, đã hủy câu hỏi.

## What the clinic sees of a case's questions (review message and desk)
review-questions-title = Những câu bệnh nhân đã hỏi về báo cáo này:
review-question = Hỏi { $number }: { $question }
review-answer = Trả lời: { $answer }
desk-questions-title = Câu hỏi và trả lời
