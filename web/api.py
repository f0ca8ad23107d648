"""The REST/SSE API under /api/v1, as the original design names it: classify, analyze, diagnose and
diagnose-stream, plus the PDF a diagnosis links to. Every request is a multipart form: the photo and the
intake's answers. Authentication, the rate limit and the upload size are checked before the body is
read (`web.api_gate`)."""

# No `from __future__ import annotations` here: the endpoints are defined inside build_router and their
# annotations name local aliases, which FastAPI can only use as real objects, not as strings.
import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, Security, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import APIKeyHeader

from casework.upload_checks import PhotoUnusable, checked_photo
from conversations.domain import Language
from conversations.photos import MAX_ASPECT_RATIO, MAX_PIXELS, PhotoRejected
from conversations.validation import HISTORY_MAX, NAME_MAX, clean_history, clean_name
from conversations.web_domain import ApiKey, ApiKind
from inference.labels import Classification
from web.api_gate import KEY_HEADER
from web.api_models import (
    ERRORS,
    NOT_FOUND,
    STREAM_EXAMPLE,
    AnalyzeResponse,
    ClassifyResponse,
    DiagnoseResponse,
)
from web.context import WebContext
from web.errors import ApiError
from web.jobs import ApiEvent, ApiIntake, ApiJobs, ApiRun
from web.results import analysis_text, rejected_quality, rejection_payload

KEEP_ALIVE_S = 15.0
SSE = STREAM_EXAMPLE
api_key_scheme = APIKeyHeader(
    name=KEY_HEADER,
    scheme_name="ApiKey",
    description="Made with `skinbot api-key create NAME`, shown once; `skinbot api-key revoke ID` ends it.",
    auto_error=False,
)


def _photo_rejected(rejected: PhotoRejected, lang: Language) -> ApiError:
    status = 413 if rejected.key == "photo-too-large" else 422
    code = rejected.key.replace("-", "_")
    return ApiError(status, code, rejected.key, extra={"field": "photo"}, lang=lang, **rejected.params)


def _optional_text(max_length: int, description: str, example: str) -> Any:
    """A free-text form field the intake may leave out (history, name), capped at `max_length`."""
    return Annotated[str | None, Form(max_length=max_length, description=description, examples=[example])]


def build_router(ctx: WebContext, jobs: ApiJobs) -> APIRouter:
    router = APIRouter(prefix="/api/v1", dependencies=[Security(api_key_scheme)], responses=ERRORS)
    limits = ctx.case_config
    max_bytes = limits.max_download_mb * 1024 * 1024
    photo_description = (
        f"The skin photo: JPEG, PNG, WebP, HEIC or AVIF, at most {limits.max_download_mb} MB and "
        f"{MAX_PIXELS // 1_000_000} megapixels, its shorter side at least {limits.min_side} px and its "
        f"longer side at most {MAX_ASPECT_RATIO} times that. It is re-encoded, its EXIF data dropped, "
        "before anything sees it."
    )

    async def read_intake(
        photo: Annotated[
            UploadFile,
            File(description=photo_description),
        ],
        age: Annotated[int, Form(ge=0, le=120, description="Age in whole years.", examples=[15])],
        gender: Annotated[Literal["female", "male", "other", "undisclosed"], Form(examples=["female"])],
        language: Annotated[
            Literal["ko", "en", "vi"],
            Form(
                description="Language of the report and of every message, errors included.", examples=["ko"]
            ),
        ] = "en",
        history: _optional_text(
            HISTORY_MAX,
            "Medical history, free text. Given to the language model as quoted data.",
            "Itchy red patches on both cheeks for two weeks",
        ) = None,
        name: _optional_text(
            NAME_MAX,
            "The patient's name, printed in the PDF only. It is never given to a model.",
            "Henry Nguyen",
        ) = None,
    ) -> ApiIntake:
        lang = Language(language)
        data = await photo.read(max_bytes + 1)
        jpeg = b""
        issues: tuple[str, ...] = ()
        try:
            # The chat's checks at upload too (quality, colour), on this thread: a photo they turn back is
            # answered without queueing a job.
            jpeg = await asyncio.to_thread(checked_photo, data, limits)
        except PhotoRejected as rejected:
            raise _photo_rejected(rejected, lang) from None
        except PhotoUnusable as unusable:
            issues = unusable.issues
        return ApiIntake(
            photo_jpeg=jpeg,
            issues=issues,
            age=age,
            gender=gender,
            history=(clean_history(history) or None) if history else None,
            language=lang,
            name=clean_name(name) if name else "",
        )

    Intake = Annotated[ApiIntake, Depends(read_intake)]

    def key_of(request: Request) -> ApiKey:
        return request.state.api_key  # set by ApiGate

    async def start(request: Request, kind: ApiKind, intake: ApiIntake) -> ApiRun:
        if intake.issues:
            raise ApiError(
                422,
                "photo_rejected",
                "api-error-photo-rejected",
                extra=rejection_payload(ctx.t, intake.language, intake.issues),
                lang=intake.language,
            )
        try:
            return await jobs.submit(key_of(request), kind, intake)
        except ApiError as error:
            error.lang = intake.language
            raise

    async def outcome(request: Request, run: ApiRun) -> dict[str, Any] | None:
        """The run's result (its classified and terminal events, the report text), or None if the client
        went away first, in which case the run is abandoned."""

        async def collect() -> dict[str, Any]:
            result: dict[str, Any] = {"text": ""}
            async for event in run.stream():
                assert event is not None
                if event.kind == "classified":
                    result["classified"] = event.data
                elif event.kind == "delta":
                    result["text"] += event.data["text"]
                elif event.kind == "restart":
                    result["text"] = ""
                elif event.terminal:
                    result[event.kind] = event.data
            return result

        collecting = asyncio.create_task(collect())
        gone = asyncio.create_task(_disconnected(request))
        try:
            await asyncio.wait({collecting, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if not collecting.done():
            run.abandon()
            collecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await collecting
            return None
        return collecting.result()

    def notice(lang: str) -> str:
        return ctx.t(lang, "pdf-disclaimer")

    def error_response(data: dict[str, Any]) -> JSONResponse:
        status = int(data.pop("status", 500))
        return JSONResponse({"error": data}, status)

    def turned_back(lang: Language, issues: tuple[str, ...], analyze: bool) -> JSONResponse:
        """classify's and analyze's answer for a photo the gates turn back: no scores, the reasons."""
        body: dict[str, Any] = {
            "scores": None,
            "top": None,
            "confidence": None,
            "uncertain": None,
            "triage": None,
            "quality": rejected_quality(ctx.t, lang, issues),
            "notice": notice(lang),
        }
        if analyze:
            body["analysis"] = None
        return JSONResponse(body)

    async def scores_only(request: Request, intake: ApiIntake, analyze: bool) -> Response:
        lang = intake.language
        if intake.issues:  # turned back at upload: nothing queued
            return turned_back(lang, intake.issues, analyze)
        run = await start(request, "analyze" if analyze else "classify", intake)
        result = await outcome(request, run)
        if result is None:
            return Response(status_code=499)
        if "error" in result:
            error = result["error"]
            if error["code"] == "photo_rejected":
                return turned_back(lang, tuple(error["issues"]), analyze)
            return error_response(error)
        body = {**result["classified"], "notice": notice(lang)}
        if analyze:
            scores = result["classified"]["scores"]
            classification = Classification.from_dict(scores, bool(result["classified"]["uncertain"]))
            body["analysis"] = analysis_text(ctx.t, lang, classification, ctx.case_config.carcinoma_referral)
        return JSONResponse(body)

    def scores_route(name: str, analyze: bool) -> Callable[[Request, Intake], Awaitable[Response]]:
        async def route(request: Request, intake: Intake) -> Response:
            return await scores_only(request, intake, analyze=analyze)

        route.__name__ = name  # FastAPI names the operation after it
        return route

    # The two answers from the scores alone: the same route, with and without the short analysis.
    for path, response_model, summary, description, analyze in (
        (
            "/classify",
            ClassifyResponse,
            "Image classification",
            "The quality gate, then the six class probabilities and the triage. No report is "
            "written and nothing is kept: the photo is deleted as soon as the answer is ready.",
            False,
        ),
        (
            "/analyze",
            AnalyzeResponse,
            "Simple analysis",
            "What classify returns plus a short analysis in the request's language: the triage "
            "with its advice and the two most likely classes. Nothing is kept.",
            True,
        ),
    ):
        router.post(path, response_model=response_model, summary=summary, description=description)(
            scores_route(path.strip("/"), analyze)
        )

    @router.post(
        "/diagnose",
        response_model=DiagnoseResponse,
        summary="Comprehensive diagnosis",
        description="The whole pipeline: quality gate, scores and triage, the report written by the "
        "language model, and the PDF (kept for SKINBOT_RETENTION_DAYS, readable with the same key). A photo "
        "the quality gate turns back gets 422 with code photo_rejected and the reasons. The request waits "
        "in the bot's one queue: it can take minutes. The model never sees the patient's name.",
    )
    async def diagnose(request: Request, intake: Intake) -> Response:
        run = await start(request, "diagnose", intake)
        result = await outcome(request, run)
        if result is None:
            return Response(status_code=499)
        if "error" in result:
            return error_response(result["error"])
        done = result["done"]
        body = {
            **result["classified"],
            "case_id": done["case_id"],
            "report": done["report"],
            "report_cut": done["report_cut"],
            "urgency_corrected": done["urgency_corrected"],
            "pdf_url": done["pdf_url"],
            "notice": notice(intake.language),
        }
        return JSONResponse(body)

    @router.post(
        "/diagnose-stream",
        summary="Real-time streaming diagnosis",
        description="The diagnosis as Server-Sent Events, in this order: `queued` (place in line, again "
        "whenever it changes; `starting` while the models load), `classified` (scores, triage, quality), "
        "`delta` (the next piece of the report), then `done` (case_id, pdf_url, the whole report, which is "
        "the final text: it differs from the deltas when `urgency_corrected`) or "
        "`error` (code, message; for photo_rejected also issues and detail). A photo the checks at upload "
        "turn back (quality, colour) gets 422 photo_rejected before any stream. A rare `restart` means the "
        "text streamed so far is void and starts again. Comment lines keep an idle connection open. "
        "Closing the connection cancels the job.",
        response_class=StreamingResponse,
        responses={
            200: {"content": {"text/event-stream": {"schema": {"type": "string"}, "example": STREAM_EXAMPLE}}}
        },
    )
    async def diagnose_stream(request: Request, intake: Intake) -> StreamingResponse:
        run = await start(request, "diagnose", intake)
        return StreamingResponse(
            _sse(run),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @router.get(
        "/reports/{case_id}.pdf",
        summary="The PDF of a diagnosis",
        description="Only with the key that made the diagnosis.",
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}}, 404: NOT_FOUND},
    )
    async def report_pdf(request: Request, case_id: str) -> Response:
        key = key_of(request)
        case = await ctx.store.api_cases.get(key.id, case_id) if len(case_id) == 32 else None
        pdf = None
        if case is not None and case.report is not None:
            pdf = await asyncio.to_thread(ctx.files.read_pdf, case.owner_id, case.id)
        if pdf is None:
            raise ApiError(404, "not_found", "api-error-not-found")
        name = f"skin-report-{case.id[:8]}-{case.created_at.date().isoformat()}.pdf"  # type: ignore[union-attr]
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )

    return router


async def _disconnected(request: Request) -> None:
    """Returns when the client has gone (the body is read, so the next message is the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def sse_line(event: ApiEvent) -> str:
    data = dict(event.data)
    if event.kind == "error":
        data.pop("status", None)
    return f"event: {event.kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _sse(run: ApiRun) -> AsyncIterator[str]:
    try:
        async for event in run.stream(keep_alive_s=KEEP_ALIVE_S):
            yield ": keep-alive\n\n" if event is None else sse_line(event)
    finally:
        # The client went away mid-stream (Starlette cancels this generator), or the stream ended.
        run.abandon()
