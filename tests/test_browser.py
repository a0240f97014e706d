"""Browser tests: the real dashboard (streamlit run) in headless Debian Chromium, with no internet.

Every request that is not to this machine is blocked, so a map that draws here
draws in an air-gapped briefing room. Screenshots of each page are kept in
tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from tests.browsing import MAP_FRAME, Visitor

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def _add_hostile_event(path: Path) -> None:
    """A claim whose text is an XSS attempt: it must show as text, never run."""
    from geo.store import open_store

    store = open_store(str(path))
    events = gpd.GeoDataFrame(
        [{"event_id": "xss-1", "layer": "capture", "title": XSS, "place": XSS, "admin1": "UA-23",
          "geo_precision": "exact", "time_start": "2026-02-12", "time_end": "2026-02-12", "time_precision": "day",
          "side": "RU", "dataset": "xss-test"}],
        geometry=[Point(36.0, 47.6)],
        crs="EPSG:4326",
    )  # fmt: skip
    claims = pd.DataFrame(
        [{"claim_id": "xss-1-c", "event_id": "xss-1", "claimant": XSS, "party": "RU", "stated_at": "2026-02-12",
          "stance": "asserts", "text": XSS + "</script><script>alert(2)</script>", "publisher": XSS,
          "source_url": "https://example.org/?q=<b>"}]
    )  # fmt: skip
    store.write(events, claims, dataset="xss-test", kind="import")


@pytest.fixture(scope="module")
def server(tmp_path_factory, streamlit_server):
    store = tmp_path_factory.mktemp("store") / "conflict.gpkg"
    _add_hostile_event(store)
    url = streamlit_server("app.py", CONFLICTMAP_STORE=str(store))
    yield url
    streamlit_server.stop(url)  # done with it: an idle server still costs CPU for the rest of the run


class _Page(Visitor):
    """A desktop tab; screenshots wait for the page to settle (the map's animations and reruns over)."""

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        self.settle()
        return super().shot(name, full_page=full_page)


@pytest.fixture
def page(browser, server):
    p = _Page(browser, server)
    yield p
    p.close()


def test_map_draws_offline_with_legend_and_no_errors_and_drawing_an_area_filters_by_it(page):
    """One Overview for both: the map draws with its legend and no outside request; then an area drawn on it filters
    the page (the two used to open the same page each)."""
    frame = page.open("/").map_frame()
    assert frame.locator(".leaflet-overlay-pane canvas, .leaflet-overlay-pane path").count() > 0
    assert page.page.frame_locator(MAP_FRAME).locator("body").evaluate("() => typeof L") == "object"
    legend = frame.get_by_text("Claims by parties", exact=False).first
    assert legend.is_visible()
    page.shot("overview")
    assert page.errors == []
    assert page.dialogs == []
    assert page.blocked == []  # nothing on the page even tried to reach the internet
    _draw_an_area(page)


def test_url_opens_the_filtered_view(page):
    page.open("/?from=2026-02-15&to=2026-02-16&region=RU-BRY")
    page.map_frame()
    caption = page.page.get_by_text("events · claims by parties", exact=False).first.inner_text()
    assert "Bryansk" in caption
    assert "15" in caption and "16 Feb 2026" in caption
    assert page.page.get_by_text("Russia · Bryansk", exact=False).first.is_visible()
    page.shot("overview-bryansk")
    assert page.errors == []


def test_hostile_text_shows_as_text_and_never_runs(page):
    frame = page.open("/?region=UA-23").map_frame()
    assert frame.locator('img[src="x"]').count() == 0
    html = frame.locator("html").evaluate("e => e.outerHTML")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html or "\\u0026lt;img" in html or "&amp;lt;img" in html
    page.settle()  # the map drawn and its rerun over: any script in the text would have run by now
    assert page.dialogs == []
    assert page.errors == []


@pytest.mark.parametrize(
    ("path", "name", "has_map"),
    [
        ("/captures", "captures", True),
        ("/strikes", "strikes", True),
        ("/regions", "regions", True),
        ("/timeline", "timeline", False),
        ("/sources", "sources", False),
        ("/import", "import", None),  # a visitor: "not allowed" (an editor's page; tests/test_app.py signs in)
        ("/add_claim", "add_claim", None),
        ("/audit", "audit", None),
    ],
)
def test_every_page_renders(page, path, name, has_map):
    page.open(path)
    if has_map:
        page.map_frame()
    elif has_map is None:
        page.page.get_by_text("not allowed:", exact=False).first.wait_for(timeout=60_000)
    else:
        page.page.wait_for_selector('[data-testid="stVegaLiteChart"], [data-testid="stDataFrame"]', timeout=60_000)
    page.shot(name)
    assert page.errors == []
    assert page.dialogs == []


def test_deep_link_as_the_first_request_after_a_start(browser, streamlit_server, tmp_path):
    """The very first request a fresh server gets is a shared link to a page with a filter."""
    url = streamlit_server("app.py", CONFLICTMAP_STORE=str(tmp_path / "conflict.gpkg"))
    page = _Page(browser, url)
    try:
        page.open("/captures?region=UA-23")
        page.map_frame()
        caption = page.page.get_by_text("events · claims by parties", exact=False).first.inner_text()
        assert caption.startswith("Zaporizhzhia Oblast · captures · 4 events")
        assert page.page.get_by_text("Filters").first.is_visible()
        assert page.errors == []
    finally:
        page.close()
        streamlit_server.stop(url)


def test_brushing_the_timeline_sets_the_date_filter(page):
    page.open("/timeline")
    chart = page.page.locator('[data-testid="stVegaLiteChart"]').first
    chart.locator("canvas, svg").first.wait_for(timeout=60_000)
    page.settle()
    box = chart.bounding_box()
    y = box["y"] + box["height"] * 0.55
    page.page.mouse.move(box["x"] + box["width"] * 0.55, y)
    page.page.mouse.down()
    page.page.mouse.move(box["x"] + box["width"] * 0.95, y, steps=12)
    page.page.mouse.up()
    page.page.wait_for_url("**from=2026-02-*", timeout=30_000)
    caption = page.page.get_by_text("Feb 2026 · ", exact=False).first
    caption.wait_for(timeout=30_000)
    assert "events · claims by parties" in caption.inner_text()
    page.shot("timeline-brushed")
    assert page.errors == []


def _draw_an_area(page: _Page) -> None:
    """Draw a rectangle on the Overview's map: the page filters by it and says so."""
    frame = page.map_frame()
    frame.locator(".leaflet-draw-draw-rectangle").click()
    box = page.page.locator(MAP_FRAME).bounding_box()
    page.page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.55)
    page.page.mouse.down()
    page.page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.8, steps=12)
    page.page.mouse.up()
    page.page.wait_for_url("**area=*", timeout=30_000)
    page.page.get_by_text("Clear the drawn area").first.wait_for(timeout=30_000)
    # the sidebar updates before the page does: wait for the page's caption to say the area
    caption = page.page.get_by_text("events · claims by parties", exact=False).first
    page.page.wait_for_function("(el) => el.innerText.toLowerCase().includes('area')", arg=caption.element_handle(),
                                timeout=30_000)  # fmt: skip
    assert "area" in caption.inner_text().lower()
    page.shot("overview-area")
    assert page.errors == []


@pytest.fixture(scope="module")
def many_server(tmp_path_factory, streamlit_server):
    from geo.store import open_store
    from geo.synthetic import write_synthetic

    path = tmp_path_factory.mktemp("many") / "conflict.gpkg"
    write_synthetic(open_store(path), 12_000, seed=5)
    url = streamlit_server("app.py", CONFLICTMAP_STORE=str(path))
    yield url
    streamlit_server.stop(url)


_LEAFLET_MAP = "() => Object.values(window).find((v) => v instanceof L.Map)"
_MAP_TEXT_HAS = (  # every map frame (a new map comes in a new frame; the old one goes a moment later)
    "(t) => { const f = [...document.querySelectorAll('iframe[title=\"streamlit_folium.st_folium\"]')];"
    " return f.length === 1 && !!f[0].contentDocument?.body?.textContent?.includes(t); }"
)


def test_zooming_in_on_cells_brings_the_events_of_the_view(browser, many_server):
    page = _Page(browser, many_server)
    try:
        frame = page.open("/").map_frame()
        legend = frame.locator(".cm-legend, .leaflet-control").filter(has_text="aggregated").first
        legend.wait_for(timeout=60_000)
        body = frame.locator("body")
        assert "This view:" not in body.inner_text()
        body.evaluate(f"() => {{ ({_LEAFLET_MAP})().setView([48.0, 37.8], 10); }}")
        page.page.wait_for_function(_MAP_TEXT_HAS, arg="This view:", timeout=60_000)  # a note of the folded legend
        frame = page.map_frame()
        text = frame.locator("body").text_content()
        assert "Strikes (aggregated)" not in text and "Claimed captures (aggregated)" not in text
        assert frame.locator("body").evaluate(f"() => ({_LEAFLET_MAP})().getZoom()") == 10  # the reader's zoom kept
        page.shot("overview-zoomed-in")
        frame.locator("body").evaluate(f"() => {{ ({_LEAFLET_MAP})().setZoom(4); }}")
        page.page.wait_for_function(f"(t) => !({_MAP_TEXT_HAS})(t)", arg="This view:", timeout=60_000)
        page.page.wait_for_function(_MAP_TEXT_HAS, arg="(aggregated)", timeout=60_000)  # the whole map again
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()
