## The web API: errors and the short analysis, in the request's language

api-error-unauthorized = X-API-Key 헤더에 유효한 API 키가 필요합니다.
api-error-rate-limited = 이 키로 보낸 요청이 너무 많습니다. { $seconds }초 후에 다시 시도하세요.
api-error-wrong-keys = 이 주소에서 유효한 API 키 없이 보낸 요청이 너무 많습니다. { $seconds }초 후에 다시 시도하세요.
api-error-busy = 이 키로 보낸 요청이 이미 대기 중이거나 처리 중입니다. 그 요청이 끝난 뒤에 다음 요청을 보내세요.
api-error-unavailable = 지금 이 서버에서 모델을 사용할 수 없습니다. 나중에 다시 시도하세요.
api-error-stopping = 서버가 종료되는 중입니다. 잠시 후에 요청을 다시 보내세요.
api-error-length-required = Content-Length 헤더를 넣어 요청을 보내세요.
api-error-too-large = 업로드가 { $max_mb }MB보다 큽니다.
api-error-missing = “{ $field }” 필드가 없습니다.
api-error-invalid = “{ $field }” 필드가 올바르지 않습니다.
api-error-invalid-request = 올바르지 않은 요청입니다.
api-error-age = 나이는 0~120 사이의 숫자(만 나이)여야 합니다.
api-error-gender = 성별은 female, male, other, undisclosed 중 하나여야 합니다.
api-error-language = 언어는 ko, en, vi 중 하나여야 합니다.
api-error-history = 병력은 최대 { $max }자까지 입력할 수 있습니다.
api-error-name = 환자 이름은 최대 { $max }자까지 입력할 수 있습니다.
api-error-not-found = 찾을 수 없습니다.
api-error-photo-rejected = 이 사진으로는 신뢰할 수 있는 평가를 할 수 없어 보고서를 작성하지 않았습니다.
api-error-failed = 보고서를 완성하지 못했습니다({ $reason }). 요청을 다시 보내세요.
api-error-cancelled = 요청이 취소되었습니다.
api-analysis-ranking = 가능성이 가장 높은 질환: { $first }({ NUMBER($first_score, style: "percent", maximumFractionDigits: 0) }), 다음: { $second }({ NUMBER($second_score, style: "percent", maximumFractionDigits: 0) }).

## The API reference at /docs (its descriptions are in English)

docs-title = API 참조 문서
docs-document = 같은 내용의 OpenAPI 문서(도구용):
docs-fields = 필드
docs-field = 이름
docs-type = 형식
docs-description = 설명
docs-required = (필수)
docs-responses = 응답
