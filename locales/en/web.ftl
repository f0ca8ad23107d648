## The web API: errors and the short analysis, in the request's language

api-error-unauthorized = A valid API key is needed in the X-API-Key header.
api-error-rate-limited = Too many requests with this key. Try again in { $seconds } s.
api-error-wrong-keys = Too many requests without a valid API key from this address. Try again in { $seconds } s.
api-error-busy = This key already has a request waiting or running. Send the next one when it has finished.
api-error-unavailable = The models are not available on this server right now. Try again later.
api-error-stopping = The server is stopping. Send the request again in a moment.
api-error-length-required = Send the request with a Content-Length header.
api-error-too-large = The upload is larger than { $max_mb } MB.
api-error-missing = The field “{ $field }” is missing.
api-error-invalid = The field “{ $field }” is not valid.
api-error-invalid-request = This request is not valid.
api-error-age = Age must be a whole number from 0 to 120.
api-error-gender = Gender must be one of: female, male, other, undisclosed.
api-error-language = Language must be ko, en or vi.
api-error-history = The medical history may have at most { $max } characters.
api-error-name = The patient name may have at most { $max } characters.
api-error-not-found = Not found.
api-error-photo-rejected = The photo cannot be assessed reliably, so no report was written.
api-error-failed = The report could not be finished ({ $reason }). Send the request again.
api-error-cancelled = The request was cancelled.
api-analysis-ranking = Most likely: { $first } ({ NUMBER($first_score, style: "percent", maximumFractionDigits: 0) }), then { $second } ({ NUMBER($second_score, style: "percent", maximumFractionDigits: 0) }).

## The API reference at /docs (its descriptions are in English)

docs-title = API reference
docs-document = The same reference as an OpenAPI document, for tools:
docs-fields = Fields
docs-field = Name
docs-type = Type
docs-description = Description
docs-required = (required)
docs-responses = Answers
