"""Clicking things on the map, as a reader does, in headless Chromium (issue 11, items 1–3).

A click on anything drawn — a point of each layer, a region outline, its
count label, a choropleth region, a grid cell — opens its popup or tooltip
and changes nothing else: no traceback, no ``area=`` in the address, the
caption as it was. Only the draw tools set an area. Each click is a real
mouse click at a spot where the feature is the topmost thing drawn (found
in the map's own frame), so it is the click a person makes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browsing import MAP_FRAME, Visitor

pytestmark = pytest.mark.browser

CAPTION = "events · claims by parties"
_REDRAWN_JS = "() => !Object.values(window.map._layers).some((l) => l instanceof L.Canvas && l._redrawRequest)"
"""The map's canvases have drawn what the last move asked for."""

# A spot where a feature of a kind, whose tooltip/popup/badge holds a text, is the topmost thing drawn and no
# control covers it, in page coordinates of the map's frame; or, when there is none in this view, the map is
# panned to bring the feature under a clear part of it ({moved: true}) and the caller asks again.
_SPOT_JS = """
(body, [kind, text]) => {
  const map = window.map;
  const size = map.getSize();
  const rect = map.getContainer().getBoundingClientRect();
  const props = (l) => (l.feature && l.feature.properties) || {};
  const ofKind = (l) => {
    const p = props(l);
    if (kind === "point") return l instanceof L.CircleMarker;
    if (kind === "outline") return !!p.badge;
    if (kind === "cell") return !!p.cell;
    if (kind === "choropleth") return l instanceof L.Polygon && !p.badge && !p.cell;
    return false;
  };
  const targets = [];
  map.eachLayer((l) => {
    const p = props(l);
    if (l.feature && ofKind(l) && (!text || [p.tip, p.popup, p.badge].join(" ").includes(text))) targets.push(l);
  });
  if (!targets.length) return {error: "no " + kind + " drawn with " + text};
  const centre = L.point(size.x / 2, size.y / 2);
  const byCentre = (a, b) => a.distanceTo(centre) - b.distanceTo(centre);
  const topmost = (renderer, cp) => {  // as L.Canvas picks the layer a click goes to: the last drawn that holds it
    const lp = map.containerPointToLayerPoint(cp);
    let top = null;
    for (let o = renderer._drawFirst; o; o = o.next) {
      if (o.layer.options.interactive && o.layer._containsPoint(lp)) top = o.layer;
    }
    return top;
  };
  const clear = (cp, renderer) =>
    cp.x > 8 && cp.y > 8 && cp.x < size.x - 8 && cp.y < size.y - 8
    && document.elementFromPoint(rect.left + cp.x, rect.top + cp.y) === renderer._container;
  const spots = (layer) => {
    if (layer instanceof L.CircleMarker) return [map.latLngToContainerPoint(layer.getLatLng())];
    const b = layer.getBounds();
    const nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
    const out = [];
    for (let i = 1; i < 30; i++) for (let j = 1; j < 30; j++) {
      out.push(L.point(nw.x + (se.x - nw.x) * i / 30, nw.y + (se.y - nw.y) * j / 30));
    }
    return out.sort(byCentre);
  };
  for (const layer of targets) {
    for (const cp of spots(layer)) {
      if (clear(cp, layer._renderer) && topmost(layer._renderer, cp) === layer) {
        return {x: rect.left + cp.x, y: rect.top + cp.y, tip: props(layer).tip || ""};
      }
    }
  }
  const layer = targets[0];
  const at = spots(layer)[0];
  if (clear(at, layer._renderer)) {  // under another feature (a village 3 km away): zoom in, as a reader does
    const centre = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
    map.setView(centre, map.getZoom() + 2, {animate: false});
    return {moved: true};
  }
  const free = [];
  for (let x = 20; x < size.x - 20; x += 10) for (let y = 20; y < size.y - 20; y += 10) free.push(L.point(x, y));
  const to = free.sort(byCentre).find((cp) => clear(cp, layer._renderer));
  if (!to) return {error: "no clear part of the map"};
  map.panBy([at.x - to.x, at.y - to.y], {animate: false});
  return {moved: true};
}
"""


def _add_synthetic(path: Path, n: int) -> None:
    from geo.store import open_store
    from geo.synthetic import write_synthetic

    write_synthetic(open_store(path), n, seed=11)


@pytest.fixture(scope="module")
def server(bundled_server) -> str:
    """The dashboard on the bundled data (the run's, read only: each reader is a new session)."""
    return bundled_server


@pytest.fixture(scope="module")
def cells_server(tmp_path_factory, streamlit_server) -> Iterator[str]:
    """The dashboard on enough synthetic events (over 3,000 a layer) that points are drawn as grid cells."""
    path = tmp_path_factory.mktemp("clicks-cells") / "conflict.gpkg"
    _add_synthetic(path, 12_000)
    url = streamlit_server("app.py", CONFLICTMAP_STORE=str(path))
    yield url
    streamlit_server.stop(url)  # done with it: an idle server still costs CPU for the rest of the run


class _Reader(Visitor):
    """A person at the dashboard: no internet, every page error recorded."""

    def __init__(self, browser, server: str, viewport: tuple[int, int] = (1440, 1000)):
        super().__init__(browser, server, {"width": viewport[0], "height": viewport[1]})
        self.caption = ""

    @property
    def frame(self):
        return self.page.frame_locator(MAP_FRAME)

    def open(self, path: str = "/") -> _Reader:
        self.page.goto(self.server + path)
        self.page.wait_for_selector("h1", timeout=60_000)
        self.page.wait_for_selector(MAP_FRAME, timeout=60_000)
        self.frame.locator(".leaflet-overlay-pane canvas").first.wait_for(timeout=60_000)
        self.page.locator(MAP_FRAME).scroll_into_view_if_needed()
        self.settle()  # the map's first report of its view reruns the page: wait for it and the rerun
        zoom = self.frame.locator("body").evaluate("() => window.map.getZoom()")
        assert zoom >= 3, f"the map opened at zoom {zoom}, not fitted to what it draws (was its frame 0 px high?)"
        self.caption = self.caption_text()
        return self

    def caption_text(self) -> str:
        return self.page.get_by_text(CAPTION, exact=False).first.inner_text()

    def click_feature(self, kind: str, text: str = "") -> dict[str, Any]:
        """Click the first ``kind`` feature (point, outline, choropleth, cell) whose text holds ``text``."""
        spot: dict[str, Any] = {}
        for _ in range(4):
            spot = self.frame.locator("body").evaluate(_SPOT_JS, [kind, text])
            assert "error" not in spot, spot
            if "x" in spot:
                break
            self.page.query_selector(MAP_FRAME).content_frame().wait_for_function(_REDRAWN_JS, timeout=10_000)
        assert "x" in spot, f"could not reach a {kind} {text!r} on the map"
        box = self.page.locator(MAP_FRAME).bounding_box()
        self.page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
        return spot

    def popup(self):
        popup = self.frame.locator(".leaflet-popup-content").first
        popup.wait_for(state="visible", timeout=10_000)
        return popup

    def assert_nothing_else_changed(self) -> None:
        """No traceback or error text, no area in the address, the caption as it was, no script error.

        First the page settles: a popup's pan, the map's report of the new view (250 ms later) and the rerun it
        causes, all over.
        """
        self.settle()
        assert self.page.locator('[data-testid="stException"]').count() == 0
        text = self.page.locator("body").inner_text()
        for word in ("Traceback", "ValidationError", "could not be shown", "could not be applied"):
            assert word not in text, text[:2000]
        assert "area=" not in self.page.url, self.page.url
        assert self.caption_text() == self.caption
        assert self.errors == [] and self.dialogs == []


@pytest.fixture
def reader(browser, server):
    r = _Reader(browser, server)
    yield r
    r.close()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Novobryanska 750 kV substation", "strike"),  # the strike dot at the Bryansk substation
        ("Zaliznychne", "capture"),  # the Zaliznychne circle
        ("Geneva", "talks"),  # a talks venue, out of the opening view: panned to first
    ],
)
def test_clicking_a_point_opens_its_popup_and_changes_nothing_else(reader, text, name):
    reader.open("/")
    reader.click_feature("point", text)
    assert text in reader.popup().inner_text()
    reader.assert_nothing_else_changed()
    assert text in reader.popup().inner_text()  # still open: the rerun did not redraw the map
    reader.shot(f"click-{name}")


def test_clicking_a_region_count_label_opens_the_regions_popup(reader):
    reader.open("/")
    badge = reader.frame.locator(".cm-badge span", has_text="1 capture claim").first  # the div is 0×0: its span
    badge.wait_for(timeout=10_000)
    box = badge.bounding_box()
    reader.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    text = reader.popup().inner_text()
    assert "Zaporizhzhia" in text and "located only to the region" in text, text
    reader.assert_nothing_else_changed()
    assert "Zaporizhzhia" in reader.popup().inner_text()
    reader.shot("click-region-label")


def test_clicking_a_region_outline_opens_its_popup(reader):
    reader.open("/")
    reader.click_feature("outline", "Kursk")
    text = reader.popup().inner_text()
    assert "Kursk" in text and "located only to the region" in text, text
    reader.assert_nothing_else_changed()


def test_clicking_a_choropleth_region_opens_its_popup(reader):
    reader.open("/")
    # The outlines of strikes known only to Bryansk Oblast lie over its shading: hide them, as a reader would.
    control = reader.frame.locator(".leaflet-control-layers").first
    control.hover()
    control.locator("label", has_text="Claims at region precision").locator("input").uncheck()
    reader.click_feature("choropleth", "Bryansk")
    text = reader.popup().inner_text()
    assert "Bryansk" in text and "impact event" in text, text
    reader.assert_nothing_else_changed()


def test_clicking_a_grid_cell_shows_its_counts(browser, cells_server):
    reader = _Reader(browser, cells_server)
    try:
        reader.open("/")
        reader.frame.get_by_text("(aggregated)").first.wait_for(timeout=60_000)
        reader.click_feature("cell")
        tooltip = reader.frame.locator(".leaflet-tooltip").first
        tooltip.wait_for(state="visible", timeout=10_000)
        assert "cell" in tooltip.inner_text()
        reader.assert_nothing_else_changed()
        reader.shot("click-cell")
    finally:
        reader.close()


def test_after_clicks_a_drawn_rectangle_still_sets_the_area(reader):
    reader.open("/")
    reader.click_feature("point", "Zaliznychne")
    reader.popup()
    reader.assert_nothing_else_changed()
    reader.frame.locator(".leaflet-popup-close-button").first.click()
    reader.frame.locator(".leaflet-popup").first.wait_for(state="detached", timeout=10_000)  # it would take the drag
    reader.frame.locator(".leaflet-draw-draw-rectangle").click()
    box = reader.page.locator(MAP_FRAME).bounding_box()
    reader.page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.55)
    reader.page.mouse.down()
    reader.page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.8, steps=12)
    reader.page.mouse.up()
    reader.page.wait_for_url("**area=*", timeout=30_000)
    reader.page.get_by_text("Clear the drawn area").first.wait_for(timeout=30_000)
    # the sidebar updates before the page does: wait for the page's caption to say the area
    reader.page.get_by_text(CAPTION, exact=False).first.filter(has_text="area").wait_for(timeout=30_000)
    caption = reader.caption_text()
    assert "area" in caption.lower() and caption != reader.caption, caption
    assert reader.page.locator('[data-testid="stException"]').count() == 0
    # Cleared, the area stays cleared (the map it was drawn on does not report it again).
    reader.page.get_by_text("Clear the drawn area").first.click()
    reader.page.wait_for_function("() => !location.search.includes('area=')", timeout=30_000)
    reader.settle()
    reader.assert_nothing_else_changed()


def test_clicking_a_point_on_a_phone(browser, server):
    reader = _Reader(browser, server, viewport=(390, 844))
    try:
        reader.open("/")
        reader.click_feature("point", "Zaliznychne")
        assert "Zaliznychne" in reader.popup().inner_text()
        reader.assert_nothing_else_changed()
        reader.shot("click-phone")
    finally:
        reader.close()
