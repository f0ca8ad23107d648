## The web API: errors and the short analysis, in the request's language

api-error-unauthorized = Cần một khóa API hợp lệ trong tiêu đề X-API-Key.
api-error-rate-limited = Khóa này đã gửi quá nhiều yêu cầu. Hãy thử lại sau { $seconds } giây.
api-error-wrong-keys = Địa chỉ này đã gửi quá nhiều yêu cầu không có khóa API hợp lệ. Hãy thử lại sau { $seconds } giây.
api-error-busy = Khóa này đã có một yêu cầu đang chờ hoặc đang xử lý. Hãy gửi yêu cầu tiếp theo khi yêu cầu đó xong.
api-error-unavailable = Hiện máy chủ này chưa dùng được các mô hình. Hãy thử lại sau.
api-error-stopping = Máy chủ đang dừng. Hãy gửi lại yêu cầu sau giây lát.
api-error-length-required = Hãy gửi yêu cầu kèm tiêu đề Content-Length.
api-error-too-large = Tệp tải lên lớn hơn { $max_mb } MB.
api-error-missing = Thiếu trường “{ $field }”.
api-error-invalid = Trường “{ $field }” không hợp lệ.
api-error-invalid-request = Yêu cầu này không hợp lệ.
api-error-age = Tuổi phải là số tuổi từ 0 đến 120, ví dụ 45.
api-error-gender = Giới tính phải là một trong: female, male, other, undisclosed.
api-error-language = Ngôn ngữ phải là ko, en hoặc vi.
api-error-history = Tiền sử bệnh chỉ được tối đa { $max } ký tự.
api-error-name = Tên bệnh nhân chỉ được tối đa { $max } ký tự.
api-error-not-found = Không tìm thấy.
api-error-photo-rejected = Không thể đánh giá ảnh này một cách đáng tin cậy, nên không có báo cáo nào được viết.
api-error-failed = Không thể hoàn thành báo cáo ({ $reason }). Hãy gửi lại yêu cầu.
api-error-cancelled = Yêu cầu đã bị hủy.
api-analysis-ranking = Khả năng cao nhất: { $first } ({ NUMBER($first_score, style: "percent", maximumFractionDigits: 0) }), tiếp theo: { $second } ({ NUMBER($second_score, style: "percent", maximumFractionDigits: 0) }).

## The API reference at /docs (its descriptions are in English)

docs-title = Tài liệu tham khảo API
docs-document = Cùng nội dung dưới dạng tài liệu OpenAPI, dành cho công cụ:
docs-fields = Các trường
docs-field = Tên
docs-type = Kiểu
docs-description = Mô tả
docs-required = (bắt buộc)
docs-responses = Phản hồi
