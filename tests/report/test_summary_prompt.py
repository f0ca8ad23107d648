"""The prompt asks for a short summary first, under a heading the chat and the PDF recognise as one."""

from __future__ import annotations

import pytest

from casework.report_markup import split_summary
from inference.prompt import render_prompt
from tests.report.test_prompt import sample


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "## Summary"), ("ko", "## 요약"), ("vi", "## Tóm tắt")]
)
def test_the_report_opens_with_a_summary(language: str, heading: str) -> None:
    text = render_prompt(sample(language))
    assert f"\n{heading}\n" in text
    assert text.index(heading) < text.index("## 1.")  # first, before the numbered sections
    answer = f"{heading}\nMost likely eczema; not urgent.\n\n## 1. ...\n- dry"
    assert split_summary(answer) == (f"{heading}\nMost likely eczema; not urgent.\n\n", "## 1. ...\n- dry")
