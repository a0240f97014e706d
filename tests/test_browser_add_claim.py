"""From the map to a recorded claim in headless Chromium (#17.3): popup → *Add a claim* (a new tab) → sign in → form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browsing import ROOT
from tests.test_browser_clicks import _Reader

pytestmark = pytest.mark.browser

PASSWORD = "a long passphrase for editing 17"


@pytest.fixture(scope="module")
def server(tmp_path_factory, streamlit_server) -> Iterator[str]:
    """The dashboard on a fresh copy of the bundled data (this test writes), with an editor account."""
    from geo.auth import SYSTEM, accounts
    from geo.store import open_store

    folder = tmp_path_factory.mktemp("add-claim-browser")
    path = folder / "conflict.gpkg"
    accounts.add_user(open_store(str(path), create=True, seed=True), SYSTEM, "ed", "editor", PASSWORD)
    url = streamlit_server(str(ROOT / "app.py"), CONFLICTMAP_STORE=str(path))
    yield url
    streamlit_server.stop(url)


def _choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_popups_add_a_claim_link_opens_the_form_and_the_claim_is_recorded(browser, server):
    reader = _Reader(browser, server)
    try:
        reader.open("/")
        reader.click_feature("point", "Chuhunivka")
        popup = reader.popup()
        assert "Chuhunivka" in popup.inner_text()
        link = popup.get_by_role("link", name="Add a claim")
        assert link.get_attribute("href") == "/add_claim?event=feb26-cap-chuhunivka"
        assert link.get_attribute("target") == "_blank"  # the map's frame may not navigate the dashboard's tab
        with reader.context.expect_page() as opened:
            link.click()
        page = reader.page = opened.value  # the form, in a new tab: a new session (sign in there)
        page.on("pageerror", lambda e: reader.errors.append(str(e)))
        page.wait_for_url("**/add_claim?event=feb26-cap-chuhunivka", timeout=30_000)
        page.get_by_text("not allowed: recording claims needs the editor role").wait_for(timeout=60_000)
        assert page.get_by_role("button", name="Record the claim").count() == 0  # a visitor: no form
        page.get_by_text("Sign in (reading as a visitor)").click()
        page.get_by_label("Name", exact=True).fill("ed")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Record the claim").wait_for(timeout=60_000)
        reader.settle()
        main = page.locator('[data-testid="stMain"]')
        assert "Chuhunivka (Kharkiv oblast) claimed captured" in main.inner_text()  # the popup's event, its status
        _choose(page, "Stance", "denies")
        claimant = page.get_by_label("Claimant", exact=True)
        claimant.click()
        claimant.fill("General Staff of Ukraine (test)")
        claimant.press("Enter")
        _choose(page, "Party", "UA")
        page.get_by_label("Stated on", exact=True).locator('[role="spinbutton"]').first.click()
        page.keyboard.type("20260216")  # year, month, day: the field moves on by itself
        page.get_by_label("Source address (http or https)", exact=True).fill("https://example.org/gs/16")
        page.get_by_label("Publisher", exact=True).fill("General Staff of Ukraine")
        page.get_by_role("button", name="Record the claim").click()
        done = page.get_by_text("Recorded: General Staff of Ukraine (test) — denies — the event is now disputed.")
        done.wait_for(timeout=60_000)
        reader.settle()
        listed = main.inner_text()
        assert "2026-02-16 · General Staff of Ukraine (test) · denies · version 1" in listed  # no made-up 00:00
        reader.no_traceback()
        reader.shot("add-claim-recorded")
    finally:
        reader.close()
