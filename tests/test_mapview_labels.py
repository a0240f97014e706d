"""Labels and controls of the map: region tooltips naming their places, labels that never overlap, the layer control.

The overlap and the folding are decided in the browser (only there are the labels' boxes and the map's width
known), so those tests open the rendered map in headless Chromium; the dashboard's own tests of the same are in
``tests/test_browser_map.py``.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from geo.claims import fold
from geo.mapview import build_map
from geo.mapview.elements import LAYERS_FOLD_BELOW, static_text
from geo.mapview.popups import MAX_PLACES_IN_TIP
from geo.synthetic import generate
from tests.test_mapview import REGION_LAYER, XSS_IMG, _layers, _seed, _Visit
from tests.test_mapview import site as site  # the fixture: vendored assets served on 127.0.0.1

LABELS_JS = """() => {
    const map = document.querySelector(".leaflet-container").getBoundingClientRect();
    const out = [];
    for (const el of document.querySelectorAll(".cm-city, .cm-country span, .cm-badge span")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility !== "visible") continue;
        if (r.right <= map.left || r.left >= map.right || r.bottom <= map.top || r.top >= map.bottom) continue;
        const kind = (el.closest(".cm-badge, .cm-city, .cm-country") || el).className.split(" ")
            .find((c) => c.startsWith("cm-"));
        out.push({text: el.textContent, kind: kind, l: r.left, t: r.top, r: r.right, b: r.bottom});
    }
    return out;
}"""
"""Every label shown on the map (city and country names, count badges) with its box on the screen."""
PLACED_JS = "() => +(document.querySelector('.leaflet-container').dataset.cmPlaced || 0)"
"""How many times the labels have been placed (declutter.js)."""


def overlaps(labels: list[dict], slack: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes meet by more than ``slack`` px each way.

    Parameters
    ----------
    labels : list of dict
        What :data:`LABELS_JS` returns.
    slack : float
        Overlap allowed for rounding.

    Returns
    -------
    list of (str, str)
        The texts of each overlapping pair.
    """
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if min(a["r"], b["r"]) - max(a["l"], b["l"]) > slack and min(a["b"], b["b"]) - max(a["t"], b["t"]) > slack:
                out.append((a["text"], b["text"]))
    return out


def _region_events(places: list[str], code: str = "UA-23") -> gpd.GeoDataFrame:
    """Capture claims located only to a region, one per place, newest first."""
    rows = [
        {"event_id": f"ev-{i}", "layer": "capture", "place": place, "title": None, "admin1": code,
         "geo_precision": "admin1", "time_start": f"2026-02-{20 - i:02d}", "time_end": f"2026-02-{20 - i:02d}",
         "time_precision": "day", "status": "claimed", "side": "RU", "dataset": "test"}
        for i, place in enumerate(places)
    ]  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry=[None] * len(rows), crs="EPSG:4326")


def _outline_tips(events: gpd.GeoDataFrame) -> dict[str, str]:
    outlines = _layers(build_map(events, pd.DataFrame()))[REGION_LAYER]
    return {f["properties"]["badge_key"]: f["properties"]["tip"] for f in outlines}


# --- region outlines say which places they stand for ----------------------------------------------------------------


def test_a_region_outline_tooltip_names_the_places_it_stands_for():
    events, claims = _seed()
    outlines = _layers(build_map(events, claims))[REGION_LAYER]
    tips = {
        f["properties"]["badge_key"]: f["properties"]["tip"] for f in outlines if "capture" in f["properties"]["tip"]
    }
    zap = tips["UA-23"]
    # Prydorozhne and Staroukrainka have GeoNames points; Tsvitkove names two villages of the oblast
    assert zap == "<b>Zaporizhzhia Oblast</b>: 1 capture claim — Tsvitkove"
    assert "Popivka" in tips["UA-59"] and "Sydorivka" not in tips["UA-59"]  # Sydorivka is a point now
    strikes = next(f["properties"]["tip"] for f in outlines if f["properties"]["badge_key"] == "RU-BEL")
    assert strikes == "<b>Belgorod Oblast</b>: 1 strike"  # its one place is the region itself: nothing to add


def test_a_long_list_of_places_is_capped_with_how_many_more():
    places = [f"Village {i}" for i in range(MAX_PLACES_IN_TIP + 3)]
    tip = _outline_tips(_region_events([*places, "village 0", "Zaporizhzhia Oblast"]))["UA-23"]
    shown = ", ".join(places[:MAX_PLACES_IN_TIP])
    assert tip == f"<b>Zaporizhzhia Oblast</b>: 10 capture claims — {shown} and 3 more"


def test_places_in_a_region_tooltip_are_escaped():
    tip = _outline_tips(_region_events([XSS_IMG, "Tom & Jerry"]))["UA-23"]
    assert "<img" not in tip and "&lt;img src=x onerror=alert(1)&gt;" in tip and "Tom &amp; Jerry" in tip


def test_every_badge_of_a_region_carries_its_code():
    events, claims = _seed()
    outlines = _layers(build_map(events, claims))[REGION_LAYER]
    for f in outlines:
        assert f"({f['properties']['badge_key']}):" in f["properties"]["popup"]  # the region the popup is about
    keys = [f["properties"]["badge_key"] for f in outlines]
    assert keys.count("UA-63") == 1 and keys.count("RU-BRY") == 1  # each region once per layer


def test_declutter_and_the_folding_layer_control_are_in_the_page():
    events, claims = _seed()
    page = build_map(events, claims).get_root().render()
    assert static_text("declutter.js") in page and static_text("layer_control.js") in page
    assert f"}}, {LAYERS_FOLD_BELOW});" in page
    assert "L.control.layers(" not in page.replace(static_text("layer_control.js"), "")  # no other, fixed control


# --- in Chromium --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Synthetic events: region outlines with badges all over Ukraine and western Russia."""
    events, claims = generate(6000, seed=3)
    return fold(events, claims), claims


@pytest.fixture(params=[(1400, 900), (390, 844)], ids=["desktop", "phone"])
def visit(request, browser, site):
    v = _Visit(browser, site[1])
    width, height = request.param
    v.page.set_viewport_size({"width": width, "height": height})
    yield v
    v.close()


def zoom(page, button: str) -> bool:
    """Click a zoom button as a person does, and wait until the labels are placed for the new zoom.

    Parameters
    ----------
    page : playwright Page or Frame
        Where the map is.
    button : {"in", "out"}
        Which button.

    Returns
    -------
    bool
        False when the button is greyed out (the map is at its nearest or widest zoom) and nothing happened.
    """
    control = page.locator(f".leaflet-control-zoom-{button}")
    if "leaflet-disabled" in (control.get_attribute("class") or ""):
        return False
    before = page.evaluate(PLACED_JS)
    control.click()
    page.wait_for_function(f"() => ({PLACED_JS})() > {before}", timeout=30_000)
    page.wait_for_timeout(150)
    return True


@pytest.mark.browser
def test_no_two_labels_overlap_at_any_zoom_the_map_opens_at(visit, site):
    root, base = site
    events, claims = _seed()
    width = visit.page.viewport_size["width"]
    page = visit.open(root, f"labels-{width}", build_map(events, claims, static_url=f"{base}/vendor", draw=True))
    page.wait_for_function(f"() => ({PLACED_JS})() > 0", timeout=10_000)
    page.wait_for_timeout(400)  # the fitted view's zoom animation
    labels = page.evaluate(LABELS_JS)
    assert sum(lab["kind"] == "cm-city" for lab in labels) >= 5
    assert overlaps(labels) == []
    visit.shot(f"map_labels_{width}")
    for button in ("in", "in", "out", "out", "out"):
        if zoom(page, button):
            assert overlaps(page.evaluate(LABELS_JS)) == [], button
    assert visit.errors == [] and visit.blocked == []


@pytest.mark.browser
def test_badges_of_one_region_are_stacked_and_labels_move_off_them(visit, site):
    root, base = site
    events, claims = _seed()
    width = visit.page.viewport_size["width"]
    page = visit.open(root, f"badges-{width}", build_map(events, claims, static_url=f"{base}/vendor"))
    for zoom in (6, 7, 8):  # Moscow city and oblast, Belgorod by Kharkiv, Kursk: close badges at every zoom
        before = page.evaluate(PLACED_JS)
        page.evaluate(f"{visit.map_js()}.setView([51.5, 36.5], {zoom}, {{animate: false}}); 0")
        page.wait_for_function(f"() => ({PLACED_JS})() > {before}", timeout=10_000)
        labels = page.evaluate(LABELS_JS)
        assert any(lab["kind"] == "cm-badge" for lab in labels)
        assert overlaps(labels) == [], zoom
    assert visit.errors == []


@pytest.mark.browser
def test_labels_of_a_dense_map_never_overlap(visit, site, synthetic):
    root, base = site
    events, claims = synthetic
    width = visit.page.viewport_size["width"]
    page = visit.open(root, f"labels-dense-{width}", build_map(events, claims, static_url=f"{base}/vendor"))
    page.wait_for_function(f"() => ({PLACED_JS})() > 0", timeout=10_000)
    for zoom in (5, 6, 7):
        before = page.evaluate(PLACED_JS)
        page.evaluate(f"{visit.map_js()}.setView([49.0, 35.0], {zoom}, {{animate: false}}); 0")
        page.wait_for_function(f"() => ({PLACED_JS})() > {before}", timeout=10_000)
        labels = page.evaluate(LABELS_JS)
        assert overlaps(labels) == [], zoom
    assert visit.errors == []


@pytest.mark.browser
def test_the_layer_control_starts_folded_on_a_narrow_map(visit, site):
    root, base = site
    events, claims = _seed()
    width = visit.page.viewport_size["width"]
    page = visit.open(root, f"control-{width}", build_map(events, claims, static_url=f"{base}/vendor"))
    control = page.locator(".leaflet-control-layers")
    folded = width < LAYERS_FOLD_BELOW
    assert ("leaflet-control-layers-expanded" in control.get_attribute("class")) is not folded
    assert page.locator(".leaflet-control-layers-list").is_visible() is not folded
    if folded:
        box = page.locator(".leaflet-control-layers-toggle").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # pointing at it opens it
        assert page.locator(".leaflet-control-layers-list").is_visible()
        assert page.get_by_text("Claimed captures").first.is_visible()
    assert visit.errors == []
