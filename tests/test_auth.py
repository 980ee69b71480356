"""kg.writes.auth: the write token check that SPARQL Update and GraphQL mutations share."""

from __future__ import annotations

import logging

import pytest

from kg.errors import Unauthorized, WritesDisabled
from kg.settings import Settings
from kg.writes import auth

TOKEN = "s3cret-token-value"


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (f"Bearer {TOKEN}", TOKEN),
        (f"bearer   {TOKEN}  ", TOKEN),
        (f"Basic {TOKEN}", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert auth.bearer_token(header) == token


def test_the_right_token_passes() -> None:
    auth.require_write_token(Settings(write_token=TOKEN), f"Bearer {TOKEN}")


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Bearer {TOKEN}x", f"Basic {TOKEN}"])
def test_a_missing_or_wrong_token_is_unauthorized(header: str | None) -> None:
    with pytest.raises(Unauthorized) as caught:
        auth.require_write_token(Settings(write_token=TOKEN), header)
    assert caught.value.status == 401
    assert caught.value.headers["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in caught.value.message
    if header:
        assert header.split()[-1] not in caught.value.message


def test_without_a_configured_token_writes_are_disabled() -> None:
    with pytest.raises(WritesDisabled) as caught:
        auth.require_write_token(Settings(), f"Bearer {TOKEN}")
    assert caught.value.status == 403 and "KG_WRITE_TOKEN" in caught.value.message


def test_the_start_log_says_whether_writes_are_enabled(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="kg.auth"):
        auth.log_write_mode(Settings())
        auth.log_write_mode(Settings(write_token=TOKEN))
    assert "writes are disabled" in caplog.text and "writes enabled" in caplog.text
    assert TOKEN not in caplog.text
