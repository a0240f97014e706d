"""The Control layer as a reader uses it, in headless Debian Chromium with no internet: the Overview of a store
holding a generated DeepStateMap-shaped series; the layer switched off and on in the layer control (it comes back
under the events), and a hovered gained area saying its km², whose assessment it is and that it is not ground
truth."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browsing import DESKTOP, MAP_FRAME, Visitor

pytestmark = pytest.mark.browser

_MAP = "Object.values(window).find((v) => v instanceof L.Map)"
TITLE = "Control: DeepStateMap (assessment)"
_CONTROL_SHAPES = f"""() => {{
    const kinds = [];
    {_MAP}.eachLayer((l) => {{
        if (l.feature && l.feature.properties.control) kinds.push(l.feature.properties.control);
    }});
    return kinds.sort();
}}"""
_ON_TOP = f"""() => {{
    const last = {_MAP}._renderer._drawLast;
    return last && last.layer.feature ? (last.layer.feature.properties.control || "event") : null;
}}"""
_HATCHED = f"""() => {{
    let hatched = false;
    {_MAP}.eachLayer((l) => {{
        const p = l.feature ? l.feature.properties : {{}};
        if (p.control === "gained") hatched = l.options.fillColor instanceof CanvasPattern;
    }});
    return hatched;
}}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, streamlit_server):
    """The dashboard on the bundled dataset and a generated series of 12 days from 1 Feb 2026."""
    from geo.control import synthetic
    from geo.control.read import import_control
    from geo.store import open_store

    folder = tmp_path_factory.mktemp("control")
    store = open_store(str(folder / "conflict.gpkg"))
    synthetic.write_daily_files(folder / "days", dt.date(2026, 2, 1), 12)
    import_control(store, folder / "days", today=dt.date(2026, 6, 1))
    url = streamlit_server("app.py", CONFLICTMAP_STORE=str(folder / "conflict.gpkg"))
    yield url
    streamlit_server.stop(url)  # done with it: an idle server still costs CPU for the rest of the run


def test_control_layer_switches_off_and_on_and_a_gained_area_says_its_km2(browser, server):
    reader = Visitor(browser, server, DESKTOP)
    try:
        reader.open("/?from=2026-02-03&to=2026-02-10").wait_for_map()
        frame = reader.page.query_selector(MAP_FRAME).content_frame()
        frame.wait_for_function(f"() => ({_CONTROL_SHAPES})().length > 0", timeout=60_000)
        assert frame.evaluate(_CONTROL_SHAPES) == ["gained", "held"]
        assert frame.evaluate(_HATCHED)  # diagonal lines, made in the page
        assert frame.evaluate(_ON_TOP) == "event"  # drawn under the events

        toggle = frame.locator(".leaflet-control-layers-overlays label").filter(has_text=TITLE).locator("input")
        toggle.uncheck()
        frame.wait_for_function(f"() => ({_CONTROL_SHAPES})().length === 0", timeout=10_000)
        toggle.check()
        frame.wait_for_function(f"() => ({_CONTROL_SHAPES})().length === 2", timeout=10_000)
        assert frame.evaluate(_ON_TOP) == "event"  # back under the events
        assert frame.evaluate(_HATCHED)

        # Close in on the gained strip (lon 35.22–35.29 on 3–10 Feb), then hover its middle.
        frame.evaluate(f"() => {_MAP}.setView([47.4, 35.255], 11, {{animate: false}})")
        reader.settle()  # redrawn, the new view reported and the page's rerun over
        at = frame.evaluate(
            f"""() => {{
                const map = {_MAP};
                const p = map.latLngToContainerPoint([47.42, 35.255]);
                const r = map.getContainer().getBoundingClientRect();
                return {{x: r.left + p.x, y: r.top + p.y}};
            }}"""
        )
        box = reader.page.locator(MAP_FRAME).bounding_box()
        reader.page.mouse.move(box["x"] + at["x"] + 25, box["y"] + at["y"] + 25, steps=4)
        reader.page.mouse.move(box["x"] + at["x"], box["y"] + at["y"], steps=4)
        tip = frame.locator(".leaflet-tooltip").filter(has_text="gained by Russia")
        tip.wait_for(timeout=10_000)
        text = tip.inner_text()
        assert text.startswith("DeepStateMap: +") and " km² gained by Russia, 3–10 Feb 2026" in text, text
        assert text.endswith("(assessed days 3 Feb and 10 Feb) — an assessment, not ground truth"), text
        reader.shot("overview-control-gained-tooltip", full_page=False)
        reader.no_traceback()
    finally:
        reader.close()
