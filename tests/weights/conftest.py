"""The fake Hugging Face hub the weights downloads run against, with two accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testkit.fake_hub import FakeHub

TOKEN = "hf_granted_token_0123456789"
OTHER = "hf_account_without_access_0123"


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as fake:
        fake.tokens.update({TOKEN, OTHER})  # two accounts; in a gated repository only TOKEN's has access
        yield fake
