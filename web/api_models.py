"""The API's response shapes, with the examples the OpenAPI document at /docs shows."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCORES_EXAMPLE = {
    "acne": 0.81,
    "carcinoma": 0.02,
    "eczema": 0.09,
    "keratosis": 0.04,
    "milia": 0.01,
    "rosacea": 0.03,
}
TRIAGE_EXAMPLE = {
    "level": "routine",
    "title": "No urgent signs",
    "advice": "No urgent warning signs were found. If the problem lasts, gets worse or worries you, see a "
    "doctor or dermatologist.",
}
# What every scoring answer (classify, analyze, diagnose) starts with.
SCORED_EXAMPLE = {
    "scores": SCORES_EXAMPLE,
    "top": "acne",
    "confidence": 0.81,
    "uncertain": False,
    "triage": TRIAGE_EXAMPLE,
    "quality": {"passed": True, "issues": [], "message": None},
}
NOTICE_EXAMPLE = (
    "This is a pre-screening made by software, not a diagnosis. Only a doctor can diagnose a skin condition."
)


class Scores(BaseModel):
    """The classifier's probability for each of the six classes (they add up to 1)."""

    acne: float
    carcinoma: float
    eczema: float
    keratosis: float
    milia: float
    rosacea: float


class Quality(BaseModel):
    """The photo quality gate (size, light, sharpness, contrast) and the skin gate."""

    passed: bool
    issues: list[str] = Field(
        description="Why the photo was turned back: too_small, too_dark, too_bright, too_blurry, "
        "too_flat, not_skin."
    )
    message: str | None = Field(description="The reasons and tips, in the request's language.")


class TriageResult(BaseModel):
    level: Literal["urgent", "uncertain", "routine"] = Field(
        description="urgent: a possible cancer signal (urgent referral); uncertain: the photo could not be "
        "assessed reliably; routine: no urgent signs."
    )
    title: str
    advice: str


class ClassifyResponse(BaseModel):
    """Scores are null when the quality gate turned the photo back."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**SCORED_EXAMPLE, "notice": NOTICE_EXAMPLE}]})

    scores: Scores | None
    top: str | None = Field(description="The most likely class.")
    confidence: float | None = Field(description="The top class's probability.")
    uncertain: bool | None = Field(
        description="The top class's probability is under SKINBOT_UNCERTAIN_BELOW."
    )
    triage: TriageResult | None
    quality: Quality
    notice: str = Field(description="Pre-screening, not a diagnosis: show this wherever the result is shown.")


class AnalyzeResponse(ClassifyResponse):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **SCORED_EXAMPLE,
                    "analysis": "No urgent signs: No urgent warning signs were found. ...\n"
                    "Most likely: Acne (81%), then Eczema (9%).\n" + NOTICE_EXAMPLE,
                    "notice": NOTICE_EXAMPLE,
                }
            ]
        }
    )

    analysis: str | None = Field(
        description="The short analysis: triage and advice, the two most likely classes, and the notice. "
        "Written from reviewed texts (no language model), in the request's language."
    )


class DiagnoseResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "case_id": "3f1c9a0e5b7d4e2f8a6c1b0d9e8f7a6b",
                    **SCORED_EXAMPLE,
                    "report": "## Summary\nThe photo shows small inflamed papules ...",
                    "report_cut": False,
                    "urgency_corrected": False,
                    "pdf_url": "https://skin.example.org/api/v1/reports/3f1c9a0e5b7d4e2f8a6c1b0d9e8f7a6b.pdf",
                    "notice": NOTICE_EXAMPLE,
                }
            ]
        }
    )

    case_id: str
    scores: Scores
    top: str
    confidence: float
    uncertain: bool
    triage: TriageResult
    quality: Quality
    report: str = Field(
        description="The report as the language model wrote it (Markdown-like headings), with its urgency "
        "line set to the triage's when it contradicted an urgent referral (see urgency_corrected)."
    )
    report_cut: bool = Field(description="The report hit the length cap or the repetition guard.")
    urgency_corrected: bool = Field(
        description="The triage is urgent and the model's urgency line said otherwise: the line was set to "
        "the urgent level and a note follows it in the report (and the PDF)."
    )
    pdf_url: str = Field(
        description="The PDF; fetch it with the same X-API-Key. Kept SKINBOT_RETENTION_DAYS. Absolute on the "
        "server's configured address (SKINBOT_WEB_URL), else a path on this server."
    )
    notice: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, for programs: e.g. invalid_field, photo_rejected, rate_limited.")
    message: str = Field(description="For people, in the request's language.")
    field: str | None = None
    issues: list[str] | None = None
    detail: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


def _error(description: str, code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "model": ErrorResponse,
        "description": description,
        "content": {"application/json": {"example": {"error": {"code": code, "message": message, **extra}}}},
    }


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error(
        "No or an unknown X-API-Key.", "unauthorized", "A valid API key is needed in the X-API-Key header."
    ),
    411: _error(
        "No Content-Length header.", "length_required", "Send the request with a Content-Length header."
    ),
    413: _error(
        "The upload is larger than SKINBOT_MAX_DOWNLOAD_MB.", "too_large", "The upload is larger than 20 MB."
    ),
    422: _error(
        "A missing or invalid field, or a photo that cannot be used.",
        "invalid_field",
        "Age must be a whole number from 0 to 120.",
        field="age",
    ),
    429: _error(
        "Over the key's rate limit, or this address sent too many requests without a valid key (Retry-After "
        "says when to try again); or the key already has a request in line (code busy).",
        "rate_limited",
        "Too many requests with this key. Try again in 2 s.",
    ),
    503: _error(
        "No models on this server, or it is stopping.", "unavailable", "The models are not available."
    ),
}

NOT_FOUND = _error(
    "No such report for this key (or it outlived SKINBOT_RETENTION_DAYS).", "not_found", "Not found."
)

STREAM_EXAMPLE = (
    'event: queued\ndata: {"position": 1, "starting": false}\n\n'
    'event: classified\ndata: {"scores": {"acne": 0.81, "carcinoma": 0.02, "eczema": 0.09, '
    '"keratosis": 0.04, "milia": 0.01, "rosacea": 0.03}, "top": "acne", "confidence": 0.81, '
    '"uncertain": false, "triage": '
    '{"level": "routine", "title": "No urgent signs", "advice": "..."}, "quality": {"passed": true, '
    '"issues": [], "message": null}}\n\n'
    'event: delta\ndata: {"text": "## Summary\\n"}\n\n'
    'event: delta\ndata: {"text": "The photo shows "}\n\n'
    'event: done\ndata: {"case_id": "3f1c9a0e5b7d4e2f8a6c1b0d9e8f7a6b", "pdf_url": '
    '"https://skin.example.org/api/v1/reports/3f1c9a0e5b7d4e2f8a6c1b0d9e8f7a6b.pdf", "report": "...", '
    '"report_cut": false, "urgency_corrected": false}\n\n'
)
