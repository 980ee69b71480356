"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for browser tests.

``chromium`` is the browser; ``browser_page`` is a fresh context and page in it that records
every request the page makes, its console errors and uncaught exceptions. Both are per test
(about 1.5 s to start): Playwright's sync API keeps an asyncio loop marked as running while it
is open, which would make ``asyncio.run`` fail in every later test of the session. Requests
to anything but loopback are recorded and aborted, so a page that would need the internet fails
the same way here as on a machine without it::

    def test_page(kg_server, browser_page):
        browser_page.page.goto(f"{kg_server}/timeline")
        ...
        browser_page.assert_loopback_only()
        browser_page.assert_no_errors()

Playwright never downloads a browser here: it launches the system Chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def is_loopback(url: str) -> bool:
    """True for URLs that stay on this machine (loopback hosts, data: and blob: URLs)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname in LOOPBACK_HOSTS


#: JavaScript that reads GraphiQL's result pane and its query editor (their CodeMirror text).
RESULT_TEXT = """() => {
  const el = document.querySelector('.result-window .CodeMirror');
  return el && el.CodeMirror ? el.CodeMirror.getValue() : '';
}"""
QUERY_TEXT = """() => {
  const el = document.querySelector('.graphiql-query-editor .CodeMirror');
  return el && el.CodeMirror ? el.CodeMirror.getValue() : '';
}"""


@dataclass
class BrowserPage:
    """A Playwright page with what it requested and what went wrong in it."""

    page: Any  # playwright.sync_api.Page
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def assert_loopback_only(self) -> None:
        outside = [url for url in self.requests if not is_loopback(url)]
        assert self.requests, "the page made no request at all"
        assert not outside, f"the page requested URLs outside loopback: {outside}"

    def assert_no_errors(self) -> None:
        assert not self.page_errors, f"uncaught errors in the page: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"

    def screenshot(self, path: Path) -> Path:
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def chromium() -> Iterator[Any]:
    """The system Chromium, headless, for one test."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[BrowserPage]:
    """A fresh context (no storage) and page; requests outside loopback are aborted."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    recorded = BrowserPage(page=page)

    def route(route: Any) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            recorded.blocked.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", route)
    page.on("request", lambda request: recorded.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            recorded.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: recorded.page_errors.append(str(error)))
    try:
        yield recorded
    finally:
        context.close()
