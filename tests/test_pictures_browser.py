"""The picture pages in headless Chromium, served by a real ``kg serve``: what a reader sees,
what the keyboard reaches, phone and desktop widths, and nothing fetched from outside loopback.

Screenshots go to the test's temporary directory, or to ``$KG_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.plugins.browser import BrowserPage

INFRASTRUCTURE = "https://w3id.org/aikg/id/unit/openai-infrastructure"
PHONE = {"width": 390, "height": 844}


def graphql(server: str, query: str) -> Any:
    response = httpx.post(f"{server}/graphql", json={"query": query}, timeout=30)
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def no_page_scroll(page: Any) -> bool:
    """The page itself is no wider than the window (pictures may scroll in their own box)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_the_org_chart_in_a_browser(kg_server: str, browser_page: BrowserPage, shots: Path) -> None:
    infra = graphql(
        kg_server,
        f'{{ lookup(iri: "{INFRASTRUCTURE}") {{ ... on Unit {{ name '
        "subUnits { name responsibilities { statement } posts { title } } } } }",
    )["lookup"]
    groups = infra["subUnits"]
    assert len(groups) == 3
    page = browser_page.page
    page.goto(f"{kg_server}/orgchart/openai")
    names = page.locator(".kg-picture .box").evaluate_all(
        "boxes => boxes.map(b => b.getAttribute('data-name'))"
    )
    assert infra["name"] in names
    assert all(g["name"] in names for g in groups)
    text = page.locator("main").inner_text()
    assert text.count("unnamed (not reported)") >= 3
    assert all(g["posts"][0]["title"] in text for g in groups)

    # The keyboard reaches every box; focusing a group shows its responsibilities in the panel.
    group = max(groups, key=lambda g: len(g["responsibilities"]))
    focused = []
    for _ in range(40):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.getAttribute('data-name')")
        focused.append(name)
        if name == group["name"]:
            break
    assert group["name"] in focused, focused
    panel = page.locator("#details").inner_text()
    assert all(r["statement"] in panel for r in group["responsibilities"])
    browser_page.screenshot(shots / "orgchart-focus.png")

    other = next(g for g in groups if g is not group)
    page.locator(f".kg-picture .box[data-name='{other['name']}']").first.hover()
    panel = page.locator("#details").inner_text()
    assert all(r["statement"] in panel for r in other["responsibilities"])

    # Reporting lines: each group leader's post has a visible, labelled line to the post the
    # graph says it reports to, and the key explains the line.
    bosses = graphql(
        kg_server,
        f'{{ lookup(iri: "{INFRASTRUCTURE}") {{ ... on Unit {{ '
        "subUnits(first: 10) { posts(first: 10) { iri reportsTo(first: 10) { iri } } } } } }",
    )["lookup"]["subUnits"]
    for post in (p for g in bosses for p in g["posts"]):
        for boss in post["reportsTo"]:
            line = page.locator(
                f".kg-picture .reporting[data-from='{post['iri']}'][data-to='{boss['iri']}']"
            ).first
            assert line.is_visible() and "reports to" in (line.text_content() or "")
    assert page.locator(".kg-picture .legend").first.is_visible()

    # The reorganisation: its before/after picture is on the page.
    befores = page.locator(".kg-picture text", has_text="BEFORE").count()
    afters = page.locator(".kg-picture text", has_text="AFTER").count()
    assert befores >= 1 and afters >= 1
    browser_page.screenshot(shots / "orgchart-desktop.png")

    page.set_viewport_size(PHONE)
    page.reload()
    assert no_page_scroll(page)
    browser_page.screenshot(shots / "orgchart-phone.png")
    browser_page.assert_loopback_only()
    browser_page.assert_no_errors()


def test_the_timeline_in_a_browser(kg_server: str, browser_page: BrowserPage, shots: Path) -> None:
    events = graphql(
        kg_server, "{ events(first: 1000) { nodes { iri name date kind { key label } } } }"
    )["events"]["nodes"]
    assert events
    dates = {e["iri"]: e["date"] for e in events}
    page = browser_page.page
    page.goto(f"{kg_server}/timeline")
    shown = page.locator(".kg-picture .event:visible").evaluate_all(
        "events => events.map(e => e.getAttribute('data-iri'))"
    )
    assert sorted(shown) == sorted(dates)
    in_order = [dates[iri] for iri in shown]
    dated = [d for d in in_order if d]
    assert in_order[: len(dated)] == dated, "undated events come last"
    assert dated == sorted(dated, key=lambda d: (d + "-00-00")[:10])
    text = page.locator("main").inner_text()
    assert all(e["name"] in text for e in events)
    assert "date not reported" in text
    browser_page.screenshot(shots / "timeline-desktop.png")

    # Filter by kind with the form, as a reader would.
    kind = next(e["kind"] for e in events if e["kind"]["key"] == "Reorganisation")
    page.select_option("select[name=kind]", label=kind["label"])
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/timeline?*kind=Reorganisation*")
    shown = page.locator(".kg-picture .event:visible").evaluate_all(
        "events => events.map(e => e.getAttribute('data-iri'))"
    )
    assert sorted(shown) == sorted(e["iri"] for e in events if e["kind"] == kind)

    page.set_viewport_size(PHONE)
    page.goto(f"{kg_server}/timeline")
    assert no_page_scroll(page)
    phone = page.locator(".kg-picture .event:visible").evaluate_all(
        "events => events.map(e => e.getAttribute('data-iri'))"
    )
    assert sorted(phone) == sorted(dates), "the phone picture shows every event too"
    picture = page.locator(".kg-picture:visible").first.bounding_box()
    assert picture is not None and picture["width"] <= PHONE["width"]
    browser_page.screenshot(shots / "timeline-phone.png")

    # The pages link to each other and back to the playground.
    page.get_by_role("link", name="Organisation charts").first.click()
    page.wait_for_url("**/orgchart")
    page.get_by_role("link", name="OpenAI", exact=True).first.click()
    page.wait_for_url("**/orgchart/openai")
    page.get_by_role("link", name="Strategy timeline").first.click()
    page.wait_for_url("**/timeline")
    browser_page.assert_loopback_only()
    browser_page.assert_no_errors()


def test_the_playground_links_to_both_pictures(kg_server: str, browser_page: BrowserPage) -> None:
    page = browser_page.page
    page.goto(f"{kg_server}/graphql")
    for href in ("/orgchart", "/timeline"):
        link = page.locator(f"a[href='{href}']").first
        link.wait_for()
        response = httpx.get(f"{kg_server}{href}", timeout=30)
        assert response.status_code == 200
    page.locator("a[href='/timeline']").first.click()
    page.wait_for_url("**/timeline")
    assert page.locator(".kg-picture .event:visible").count() > 0
    browser_page.assert_loopback_only()
