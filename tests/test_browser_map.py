"""The dashboard's map as a person uses it, in headless Debian Chromium with no internet (issue 11: 8, 10, 11).

Labels never overlap at the zoom the map opens at, nor after zooming in and out; on a phone the layer control
starts folded and the map fits the screen; hovering a region outline says which places it stands for.
"""

from __future__ import annotations

import pytest

from tests.browsing import DESKTOP, MAP_FRAME, PHONE, Visitor
from tests.test_mapview_labels import LABELS_JS, PLACED_JS, overlaps, zoom

pytestmark = pytest.mark.browser

_MAP = "Object.values(window).find((v) => v instanceof L.Map)"


@pytest.fixture(scope="module")
def server(bundled_server):
    """The dashboard on the bundled dataset (the run's, read only)."""
    return bundled_server


class _Dashboard(Visitor):
    """A page of the dashboard at a screen size, with the network cut off, and its map frame."""

    def frame(self):
        """The map's frame (a Playwright Frame), once its labels are placed."""
        self.map_frame()
        frame = self.page.query_selector(MAP_FRAME).content_frame()
        frame.wait_for_function(f"() => ({PLACED_JS})() > 0", timeout=60_000)
        self.settle()  # the fitted view's zoom animation, the labels placed after it, the report and its rerun
        return frame


def _settled_overlaps(frame, seconds: float = 5.0) -> list:
    """Overlapping labels once the map has settled and named its cities: placing runs after each zoom or fit, so a
    busy machine may catch it half-way; a pair still overlapping after ``seconds`` is a real overlap."""
    labels = frame.evaluate(LABELS_JS)
    for _ in range(int(seconds / 0.25)):
        if any(lab["kind"] == "cm-city" for lab in labels) and not overlaps(labels):
            break
        frame.wait_for_timeout(250)
        labels = frame.evaluate(LABELS_JS)
    assert any(lab["kind"] == "cm-city" for lab in labels), "the map names no city"
    return overlaps(labels)


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def dashboard(request, browser, server):
    d = _Dashboard(browser, server, request.param)
    yield d
    d.close()


def test_no_two_labels_overlap_on_the_overview_map(dashboard):
    frame = dashboard.open("/").frame()
    assert _settled_overlaps(frame) == []
    name = f"overview-labels-{dashboard.page.viewport_size['width']}"
    dashboard.shot(name)
    start = frame.evaluate(f"() => {_MAP}.getZoom()")
    assert zoom(frame, "in")
    assert frame.evaluate(f"() => {_MAP}.getZoom()") == start + 1
    assert _settled_overlaps(frame) == []
    assert zoom(frame, "out")
    if zoom(frame, "out"):  # one below the zoom it opened at, unless that is the widest
        assert frame.evaluate(f"() => {_MAP}.getZoom()") == start - 1
    assert _settled_overlaps(frame) == []
    assert "area=" not in dashboard.page.url  # zooming filters nothing
    dashboard.no_traceback()


def test_the_captures_page_opens_with_no_label_overlapping(dashboard):
    frame = dashboard.open("/captures").frame()
    assert _settled_overlaps(frame) == []
    dashboard.no_traceback()


def test_on_a_phone_the_layer_control_starts_folded_and_the_map_fits_the_screen(browser, server):
    phone = _Dashboard(browser, server, PHONE)
    try:
        frame = phone.open("/").frame()
        control = frame.locator(".leaflet-control-layers")
        assert "leaflet-control-layers-expanded" not in control.get_attribute("class")
        assert frame.locator(".leaflet-control-layers-list").is_hidden()
        box = phone.page.locator(MAP_FRAME).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # no sideways scrolling for the map
        assert box["height"] <= PHONE["height"]  # the whole map on one screen
        frame.locator(".leaflet-control-layers-toggle").tap()  # a tap opens it
        assert frame.locator(".leaflet-control-layers-list").is_visible()
        assert frame.get_by_text("Claimed captures").first.is_visible()
        phone.shot("overview-phone-layers")
        phone.no_traceback()
    finally:
        phone.close()


def test_on_a_desktop_the_layer_control_is_open_and_hovering_a_region_outline_names_its_places(browser, server):
    """One desktop Overview for both: the layer control stands open, and a region outline's tooltip names places."""
    page = _Dashboard(browser, server, DESKTOP)
    try:
        frame = page.open("/").frame()
        assert frame.locator(".leaflet-control-layers-list").is_visible(), "on a desktop the layer control is folded"
        page.no_traceback()
        # Inside Zaporizhzhia Oblast's outline, away from any point (where its count badge is anchored).
        at = frame.evaluate(
            f"""() => {{
                const map = {_MAP};
                const p = map.latLngToContainerPoint([47.199, 35.6969]);
                const r = map.getContainer().getBoundingClientRect();
                return {{x: r.left + p.x, y: r.top + p.y}};
            }}"""
        )
        box = page.page.locator(MAP_FRAME).bounding_box()
        page.page.mouse.move(box["x"] + at["x"] + 30, box["y"] + at["y"] + 30, steps=4)
        page.page.mouse.move(box["x"] + at["x"], box["y"] + at["y"], steps=4)
        tip = frame.locator(".leaflet-tooltip").filter(has_text="Zaporizhzhia Oblast")
        tip.wait_for(timeout=10_000)
        text = tip.inner_text()
        # Prydorozhne and Staroukrainka are GeoNames points now; Tsvitkove names two villages of the oblast
        assert text == "Zaporizhzhia Oblast: 1 capture claim — Tsvitkove", text
        page.shot("overview-region-tooltip")
        assert "area=" not in page.page.url
        page.no_traceback()
    finally:
        page.close()
