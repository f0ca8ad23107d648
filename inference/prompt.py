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
from typing import Any

from inference.labels import LABELS, Classification
from inference.report_request import ReportRequest
from inference.triage import Triage, triage

MAX_HISTORY_CHARS = 1500
MAX_QUESTION_CHARS = 1000  # the chat refuses longer questions; this is the prompt's own bound
MAX_REPORT_CHARS = 6000

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
        "sites": {
            "face": "face",
            "scalp": "scalp",
            "neck": "neck",
            "chest": "chest",
            "back": "back",
            "abdomen": "abdomen",
            "arm": "arm",
            "hand": "hand",
            "leg": "leg",
            "foot": "foot",
            "genital": "genital area",
            "other": "other (not listed)",
        },
        "no_site": "not given",
        "kinds": {"close_up": "close-up", "overview": "overview", "extra": "another close-up"},
        "photos": "{count} images attached above, in this order: {images}.",
        "earlier_image": "the earlier close-up from {day}, for comparison",
        "per_photo": " The classifier result above is the mean over the photos; per photo: {rows}.",
        "follow_up": (
            "Follow-up: this is the same spot as an earlier case from {day}.\n"
            "Image classifier result then (six classes, probabilities):\n{probabilities}\n"
            "- Top class then: {top_label}, {top_percent}\n"
            "{photo}"
            "In section 1, say what has changed since {day} (size, colour, shape, borders, texture); "
            "in section 2, say whether the change makes any condition more or less likely.\n\n"
        ),
        "earlier_photo": {
            True: "The earlier close-up is the last image attached.\n",
            False: "The earlier photo is not available: compare using the earlier result and the history.\n",
        },
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
        "sites": {
            "face": "얼굴",
            "scalp": "두피",
            "neck": "목",
            "chest": "가슴",
            "back": "등",
            "abdomen": "배",
            "arm": "팔",
            "hand": "손",
            "leg": "다리",
            "foot": "발",
            "genital": "생식기 부위",
            "other": "기타 (목록에 없음)",
        },
        "no_site": "제공되지 않음",
        "kinds": {"close_up": "근접 사진", "overview": "전체 사진", "extra": "추가 근접 사진"},
        "photos": "위에 이미지 {count}장이 이 순서로 첨부됨: {images}.",
        "earlier_image": "비교용 {day} 이전 근접 사진",
        "per_photo": " 위의 분류기 결과는 사진들의 평균이며, 사진별 결과: {rows}.",
        "follow_up": (
            "추적 관찰: {day}에 접수된 이전 사례와 같은 부위입니다.\n"
            "그때의 이미지 분류기 결과 (6개 분류, 확률):\n{probabilities}\n"
            "- 그때 가장 높은 분류: {top_label}, {top_percent}\n"
            "{photo}"
            "1번 섹션에서 {day} 이후 무엇이 달라졌는지(크기, 색, 모양, 경계, 질감) 설명하고, "
            "2번 섹션에서 그 변화로 어떤 질환의 가능성이 높아지거나 낮아졌는지 밝히십시오.\n\n"
        ),
        "earlier_photo": {
            True: "이전 근접 사진은 마지막으로 첨부된 이미지입니다.\n",
            False: "이전 사진은 없습니다: 이전 결과와 병력으로 비교하십시오.\n",
        },
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
        "sites": {
            "face": "mặt",
            "scalp": "da đầu",
            "neck": "cổ",
            "chest": "ngực",
            "back": "lưng",
            "abdomen": "bụng",
            "arm": "cánh tay",
            "hand": "bàn tay",
            "leg": "chân",
            "foot": "bàn chân",
            "genital": "vùng sinh dục",
            "other": "khác (không có trong danh sách)",
        },
        "no_site": "không có thông tin",
        "kinds": {"close_up": "ảnh chụp gần", "overview": "ảnh toàn cảnh", "extra": "ảnh chụp gần thêm"},
        "photos": "{count} ảnh đính kèm ở trên, theo thứ tự: {images}.",
        "earlier_image": "ảnh chụp gần trước đây ngày {day}, để so sánh",
        "per_photo": " Kết quả phân loại ở trên là trung bình của các ảnh; theo từng ảnh: {rows}.",
        "follow_up": (
            "Theo dõi: đây là cùng một vùng da với ca trước ngày {day}.\n"
            "Kết quả của bộ phân loại ảnh lúc đó (sáu nhóm, xác suất):\n{probabilities}\n"
            "- Nhóm cao nhất lúc đó: {top_label}, {top_percent}\n"
            "{photo}"
            "Trong phần 1, hãy nói điều gì đã thay đổi kể từ ngày {day} (kích thước, màu sắc, hình dạng, bờ, "
            "bề mặt); trong phần 2, hãy nói thay đổi đó làm bệnh nào có khả năng cao hơn hay thấp hơn.\n\n"
        ),
        "earlier_photo": {
            True: "Ảnh chụp gần trước đây là ảnh đính kèm cuối cùng.\n",
            False: "Không còn ảnh trước đây: hãy so sánh dựa trên kết quả trước đây và tiền sử.\n",
        },
    },
}

# Gemma control tokens would be parsed as real special tokens if a patient typed them; the delimiter tags
# would let them close the data block early. Both are removed from the history before it is rendered.
_CONTROL_TOKENS = re.compile(
    r"<\s*/?\s*(?:start_of_turn|end_of_turn|start_of_image|end_of_image|image_soft_token|bos|eos|pad|unk|mask"
    r"|unused\d+|patient_history|patient_question|report)\s*>",
    re.IGNORECASE,
)


@cache
def _template(language: str, name: str = "report") -> tuple[Template, Template]:
    """The system and user templates of prompts/<name>.<language>.md (the report's, or a question's)."""
    text = files("inference").joinpath("prompts", f"{name}.{language}.md").read_text(encoding="utf-8")
    _, _, rest = text.partition(_SYSTEM_MARK)
    system, sep, user = rest.partition(_USER_MARK)
    if not sep or not system.strip() or not user.strip():
        raise ValueError(f"prompts/{name}.{language}.md needs '{_SYSTEM_MARK}' then '{_USER_MARK}' sections")
    return Template(system.strip()), Template(user.strip())


@cache
def gemma3_chat_template() -> str:
    """Gemma 3's chat template, for tokenizers that ship without one (the GGUF text-only model)."""
    return (
        files("inference").joinpath("prompts", "gemma3_chat_template.jinja.txt").read_text(encoding="utf-8")
    )


def sanitize_history(history: str | None, limit: int = MAX_HISTORY_CHARS) -> str | None:
    """Patient text made safe to place inside the data block; None when nothing useful is left."""
    if history is None:
        return None
    text = _CONTROL_TOKENS.sub(" ", history).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n")).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) > limit:
        text = text[:limit].rstrip() + " […]"
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


def _photo_note(req: ReportRequest, with_image: bool, terms: dict[str, Any]) -> str:
    """What the images are: one photo reads as before; several are listed in the order attached."""
    labels: dict[str, str] = terms["labels"]
    per_photo = ""
    if len(req.classification.photos) > 1:
        rows = [
            f"{n}. {terms['kinds'][kind]}: {labels[result.top]} {_percent(result.confidence)}"
            for n, (kind, result) in enumerate(
                zip(req.photo_kinds, req.classification.photos, strict=True), start=1
            )
        ]
        per_photo = terms["per_photo"].format(rows="; ".join(rows))
    if not with_image or req.image_count == 1:
        return terms["photo"][with_image] + per_photo
    names = [terms["kinds"][kind] for kind in req.photo_kinds]
    if req.earlier is not None and req.earlier.photo_attached:
        names.append(terms["earlier_image"].format(day=req.earlier.day))
    images = "; ".join(f"{n}. {name}" for n, name in enumerate(names, start=1))
    return terms["photos"].format(count=len(names), images=images) + per_photo


def _follow_up(req: ReportRequest, with_image: bool, terms: dict[str, Any]) -> str:
    earlier = req.earlier
    if earlier is None:
        return ""
    labels: dict[str, str] = terms["labels"]
    then = earlier.classification
    return terms["follow_up"].format(
        day=earlier.day,
        probabilities=_probabilities(then, labels),
        top_label=labels[then.top],
        top_percent=_percent(then.confidence),
        photo=terms["earlier_photo"][with_image and earlier.photo_attached],
    )


def case_values(req: ReportRequest, with_image: bool) -> dict[str, str]:
    terms: dict[str, Any] = _TERMS[req.language]
    labels: dict[str, str] = terms["labels"]
    cls = req.classification
    # The same rule and threshold as the chat's referral notice and the PDF (inference.triage).
    urgent = triage(cls, req.carcinoma_referral) is Triage.URGENT
    cancer = terms["cancer"][urgent].format(pct=_percent(req.carcinoma_referral))
    return {
        "age": str(req.age),
        "gender": terms["gender"][req.gender],
        "body_site": terms["sites"][req.body_site] if req.body_site else terms["no_site"],
        "history": sanitize_history(req.history) or terms["no_history"],
        "probabilities": _probabilities(cls, labels),
        "top_label": labels[cls.top],
        "top_percent": _percent(cls.confidence),
        "uncertain": terms["uncertain"][cls.uncertain],
        "cancer_signal": cancer,
        "photo_note": _photo_note(req, with_image, terms),
        "follow_up": _follow_up(req, with_image, terms),
    }


def render_system(language: str) -> str:
    system, _ = _template(language)
    return system.substitute()


def render_user(req: ReportRequest, with_image: bool = True) -> str:
    _, user = _template(req.language)
    return user.substitute(case_values(req, with_image))


def render_prompt(req: ReportRequest, with_image: bool = True) -> str:
    """The full text the model reads: system, blank line, user text (as Gemma 3's template joins them)."""
    return f"{render_system(req.language)}\n\n{render_user(req, with_image)}"


def question_system(language: str) -> str:
    """The rules for answering a question about a finished case (prompts/question.<lang>.md)."""
    system, _ = _template(language, "question")
    return system.substitute()


def render_question(req: ReportRequest, with_image: bool = True) -> str:
    """A question's user turn: the case's facts and scores as in the report's prompt, the report the patient
    received, then the question; both free texts cleaned like the history (inference.question_prompt)."""
    assert req.question is not None
    _, user = _template(req.language, "question")
    values = case_values(req, with_image)
    values["report"] = sanitize_history(req.question.report, MAX_REPORT_CHARS) or ""
    values["question"] = sanitize_history(req.question.text, MAX_QUESTION_CHARS) or ""
    return user.substitute(values)


def chat_messages(req: ReportRequest, with_image: bool) -> list[dict]:
    """Gemma 3 chat messages: a system turn, then one user turn with an image placeholder per image
    (`req.image_count`: the case's photos, then the earlier close-up of a follow-up) before the text. A
    request that asks a question about a finished case gets the question's prompt instead of the report's,
    whichever writer asks."""
    content: list[dict] = [{"type": "image"} for _ in range(req.image_count)] if with_image else []
    if req.question is None:
        system, text = render_system(req.language), render_user(req, with_image)
    else:
        system, text = question_system(req.language), render_question(req, with_image)
    content.append({"type": "text", "text": text})
    return [
        {"role": "system", "content": [{"type": "text", "text": system}]},
        {"role": "user", "content": content},
    ]
