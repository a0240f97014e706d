"""From the map to a recorded claim in headless Chromium (#17.3): popup → *Add a claim* (a new tab) → sign in → form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browsing import MAP_FRAME, ROOT
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


def test_a_new_events_point_is_clicked_on_the_map(browser, server):
    reader = _Reader(browser, server)
    try:
        page = reader.page
        page.goto(server + "/add_claim")
        page.get_by_text("Sign in (reading as a visitor)").click()
        page.get_by_label("Name", exact=True).fill("ed")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("A new event with its first claim").click()
        page.get_by_text("A point from the map").click()
        frame = page.frame_locator(MAP_FRAME)
        box = frame.locator(".leaflet-container")
        box.wait_for(timeout=60_000)
        frame.locator(".leaflet-pane canvas, .leaflet-pane path").first.wait_for(timeout=60_000)
        size = box.bounding_box()  # (this map reports clicks only, not its view: nothing for settle() to wait on)
        box.click(position={"x": size["width"] * 0.55, "y": size["height"] * 0.5})  # near the middle: Ukraine
        longitude = page.get_by_label("Longitude", exact=True)
        page.wait_for_function(
            "el => el.value !== ''", arg=longitude.element_handle(), timeout=30_000
        )  # the click's point, reported by the map, fills the fields
        lon, lat = float(longitude.input_value()), float(page.get_by_label("Latitude", exact=True).input_value())
        assert 20 < lon < 50 and 40 < lat < 58, (lon, lat)
        longitude.fill("36.25000")  # still typed over by hand: the click is not applied again
        longitude.press("Enter")
        page.get_by_label("Place as the claim names it", exact=True).click()  # a rerun after the typed value
        page.wait_for_timeout(1500)
        assert longitude.input_value() == "36.25000"
        reader.no_traceback()
    finally:
        reader.close()
