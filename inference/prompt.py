"""Render the report prompt from the reviewed templates in inference/prompts/.

Gemma 3 has no real system role: its chat template prepends the system text to the first user turn,
separated by a blank line. `render_prompt` returns exactly that combined text, so the golden files show
what the model reads (minus the chat control tokens).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from string import Template

from inference.labels import LABELS, Classification
from inference.report_request import ReportRequest
from inference.triage import Triage, triage

MAX_HISTORY_CHARS = 1500

_SYSTEM_MARK = "<!-- system -->"
_USER_MARK = "<!-- user -->"

# Words the templates need in each language. Kept next to the code that formats them; the rendered
# goldens in tests/report/golden/ show them in context for review.
_TERMS: dict[str, dict[str, object]] = {
    "en": {
        "gender": {"female": "female", "male": "male", "other": "other", "undisclosed": "not disclosed"},
        "labels": {
            "acne": "acne",
            "carcinoma": "carcinoma (skin cancer)",
            "eczema": "eczema",
            "keratosis": "keratosis",
            "milia": "milia",
            "rosacea": "rosacea",
        },
        "no_history": "none given",
        "uncertain": {
            True: "yes (the classifier is not confident; rely on the image and say so)",
            False: "no",
        },
        "cancer": {
            True: "yes (carcinoma is the top class or at least {pct}): "
            "urgency must be emergency or within days",
            False: "no",
        },
        "photo": {True: "attached above.", False: "not available; say that the image could not be checked."},
    },
    "ko": {
        "gender": {"female": "여성", "male": "남성", "other": "기타", "undisclosed": "밝히지 않음"},
        "labels": {
            "acne": "여드름 (acne)",
            "carcinoma": "피부암/암종 (carcinoma)",
            "eczema": "습진 (eczema)",
            "keratosis": "각화증 (keratosis)",
            "milia": "비립종 (milia)",
            "rosacea": "주사비 (rosacea)",
        },
        "no_history": "제공되지 않음",
        "uncertain": {
            True: "예 (분류기의 확신이 낮음; 이미지를 근거로 판단하고 그 점을 밝힐 것)",
            False: "아니요",
        },
        "cancer": {
            True: "예 (암종이 가장 높은 분류이거나 {pct} 이상): 긴급도는 응급 또는 며칠 내 진료여야 함",
            False: "아니요",
        },
        "photo": {True: "위에 첨부됨.", False: "없음; 이미지를 확인할 수 없었다고 밝힐 것."},
    },
    "vi": {
        "gender": {"female": "nữ", "male": "nam", "other": "khác", "undisclosed": "không cho biết"},
        "labels": {
            "acne": "mụn trứng cá (acne)",
            "carcinoma": "ung thư biểu mô da (carcinoma)",
            "eczema": "chàm (eczema)",
            "keratosis": "dày sừng (keratosis)",
            "milia": "mụn hạt kê (milia)",
            "rosacea": "trứng cá đỏ (rosacea)",
        },
        "no_history": "không có thông tin",
        "uncertain": {
            True: "có (bộ phân loại không chắc chắn; hãy dựa vào hình ảnh và nói rõ điều đó)",
            False: "không",
        },
        "cancer": {
            True: "có (ung thư biểu mô là nhóm cao nhất hoặc từ {pct} trở lên): "
            "mức độ khẩn cấp phải là cấp cứu hoặc trong vài ngày",
            False: "không",
        },
        "photo": {True: "đính kèm ở trên.", False: "không có; hãy nói rằng không thể kiểm tra hình ảnh."},
    },
}

# Gemma control tokens would be parsed as real special tokens if a patient typed them; the delimiter tags
# would let them close the data block early. Both are removed from the history before it is rendered.
_CONTROL_TOKENS = re.compile(
    r"<\s*/?\s*(?:start_of_turn|end_of_turn|start_of_image|end_of_image|image_soft_token|bos|eos|pad|unk|mask"
    r"|unused\d+|patient_history)\s*>",
    re.IGNORECASE,
)


@cache
def _template(language: str) -> tuple[Template, Template]:
    text = files("inference").joinpath("prompts", f"report.{language}.md").read_text(encoding="utf-8")
    _, _, rest = text.partition(_SYSTEM_MARK)
    system, sep, user = rest.partition(_USER_MARK)
    if not sep or not system.strip() or not user.strip():
        raise ValueError(f"prompts/report.{language}.md needs '{_SYSTEM_MARK}' then '{_USER_MARK}' sections")
    return Template(system.strip()), Template(user.strip())


@cache
def gemma3_chat_template() -> str:
    """Gemma 3's chat template, for tokenizers that ship without one (the GGUF text-only model)."""
    return (
        files("inference").joinpath("prompts", "gemma3_chat_template.jinja.txt").read_text(encoding="utf-8")
    )


def sanitize_history(history: str | None) -> str | None:
    """Patient text made safe to place inside the data block; None when nothing useful is left."""
    if history is None:
        return None
    text = _CONTROL_TOKENS.sub(" ", history).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n")).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) > MAX_HISTORY_CHARS:
        text = text[:MAX_HISTORY_CHARS].rstrip() + " […]"
    return text or None


def _percent(p: float) -> str:
    return f"{p * 100:.1f}%"


def _probabilities(classification: Classification, labels: dict[str, str]) -> str:
    # Fixed LABELS order, not ranked: the model should not read the list order as a second opinion.
    top = classification.top
    lines = []
    for label in LABELS:
        marker = " <- top" if label == top else ""
        lines.append(f"- {labels[label]}: {_percent(classification.prob(label))}{marker}")
    return "\n".join(lines)


def _values(req: ReportRequest, with_image: bool) -> dict[str, str]:
    terms = _TERMS[req.language]
    labels: dict[str, str] = terms["labels"]  # type: ignore[assignment]
    cls = req.classification
    # The same rule and threshold as the chat's referral notice and the PDF (inference.triage).
    urgent = triage(cls, req.carcinoma_referral) is Triage.URGENT
    cancer = terms["cancer"][urgent].format(pct=_percent(req.carcinoma_referral))  # type: ignore[index]
    return {
        "age": str(req.age),
        "gender": terms["gender"][req.gender],  # type: ignore[index]
        "history": sanitize_history(req.history) or terms["no_history"],  # type: ignore[dict-item]
        "probabilities": _probabilities(cls, labels),
        "top_label": labels[cls.top],
        "top_percent": _percent(cls.confidence),
        "uncertain": terms["uncertain"][cls.uncertain],  # type: ignore[index]
        "cancer_signal": cancer,
        "photo_note": terms["photo"][with_image],  # type: ignore[index]
    }


def render_system(language: str) -> str:
    system, _ = _template(language)
    return system.substitute()


def render_user(req: ReportRequest, with_image: bool = True) -> str:
    _, user = _template(req.language)
    return user.substitute(_values(req, with_image))


def render_prompt(req: ReportRequest, with_image: bool = True) -> str:
    """The full text the model reads: system, blank line, user text (as Gemma 3's template joins them)."""
    return f"{render_system(req.language)}\n\n{render_user(req, with_image)}"


def chat_messages(req: ReportRequest, with_image: bool) -> list[dict]:
    """Gemma 3 chat messages: a system turn, then one user turn with the image placeholder before the text."""
    content: list[dict] = [{"type": "image"}] if with_image else []
    content.append({"type": "text", "text": render_user(req, with_image)})
    return [
        {"role": "system", "content": [{"type": "text", "text": render_system(req.language)}]},
        {"role": "user", "content": content},
    ]
