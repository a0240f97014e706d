"""The map of a briefing as an image: the offline map, fitted exactly to the briefing's frame, with no controls.

A briefing's layouts put the legend, the title and the panels *beside* the
map, so the map image carries only the map: the offline vector basemap, the
event layers, the Control layer and the drawn area, with no zoom, layer or
draw control and no legend (the layouts draw theirs from
:func:`geo.mapview.legend_entries`). The view is fitted to the frame at a
fractional zoom, so the frame (the subject with its margin) fills the image
on its longer side and the subject never touches the edge.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo import i18n
from geo import layers as registry
from geo.assets import ensure_static
from geo.briefing.chromium import Chromium
from geo.errors import GeoError
from geo.exporters.html import _VENDOR_MARK, _inline_assets
from geo.filters import Filter

__all__ = ["MAP_CSS", "READY", "map_image", "map_page"]

Box = tuple[float, float, float, float]

MAP_CSS: Final = """
html, body { margin: 0; padding: 0; width: 100%; height: 100%; overflow: hidden; }
.folium-map { position: absolute !important; inset: 0 !important; width: 100% !important; height: 100% !important; }
.leaflet-control-zoom, .leaflet-draw, .leaflet-control-layers, .cm-legend, .leaflet-control-attribution
  { display: none !important; }
"""
"""The map alone: full page, no controls, no legend (the layouts draw the legend beside it)."""

READY: Final = "window.cmBriefingReady === true"
"""True once the map page has fitted its frame and Leaflet has drawn (:func:`map_page`)."""

_FIT_JS: Final = """<script>
(function () {
  function fit() {
    var box = %s;
    Object.keys(window).forEach(function (k) {
      var m = window[k];
      if (typeof L !== "object" || !(m instanceof L.Map)) { return; }
      m.options.zoomSnap = 0;
      m.invalidateSize({animate: false});
      m.fitBounds([[box[1], box[0]], [box[3], box[2]]], {animate: false, padding: [0, 0]});
      m.fire("moveend");
    });
    requestAnimationFrame(function () { requestAnimationFrame(function () { window.cmBriefingReady = true; }); });
  }
  window.addEventListener("load", function () { setTimeout(fit, 0); });
})();
</script>"""


def _zoom(box: Box, size: tuple[int, int]) -> int:
    """The whole zoom level at which ``box`` fits ``size`` px (the detail the map draws for it)."""
    west, south, east, north = box
    lon = max(east - west, 1e-6)
    y = [math.log(math.tan(math.pi / 4 + math.radians(max(min(v, 85.0), -85.0)) / 2)) for v in (south, north)]
    lat = max(y[1] - y[0], 1e-6)
    zx = math.log2(size[0] * 360.0 / (256.0 * lon))
    zy = math.log2(size[1] * 2 * math.pi / (256.0 * lat))
    return max(1, min(18, math.floor(min(zx, zy))))


def map_page(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    box: Box,
    *,
    size: tuple[int, int] = (1200, 800),
    layers: Sequence[str] | None = None,
    verdicts: pd.DataFrame | None = None,
    control: Sequence[Any] | None = None,
    lang: str | None = None,
) -> str:
    """The map alone as a self-contained page, fitted to ``box`` (it sets ``window.cmBriefingReady``).

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    flt : Filter or None
        The filter (its layers, its drawn area).
    box : (west, south, east, north)
        The frame (:func:`geo.briefing.frame`).
    size : (int, int)
        The image's size in CSS px (the detail drawn depends on it).
    layers : sequence of str, optional
        Map layers (default: the filter's, else every registered layer).
    verdicts : DataFrame, optional
        Verdicts for the capture popups (not shown in an image, but kept consistent with the page).
    control : sequence of ControlArea, optional
        The Control layer (:func:`geo.mapview.control_areas`).
    lang : str, optional
        Language of the map's text (city labels, region names).

    Returns
    -------
    str
        The HTML page; it loads nothing from the network.
    """
    from geo.mapview import build_map

    chosen = tuple(layers) if layers else (flt.layers if flt is not None and flt.layers else registry.names())
    with i18n.using(lang) as language:
        m = build_map(
            events,
            claims,
            layers=chosen,
            assets="local",
            static_url=_VENDOR_MARK,
            area=flt.area if flt is not None else None,
            view=box,
            zoom=_zoom(box, size),
            lang=language,
            control=list(control) if control else None,
            verdicts=verdicts,
        )
        page = m.get_root().render()
    with tempfile.TemporaryDirectory(prefix="geo-briefing-") as tmp:
        page = _inline_assets(page, ensure_static(Path(tmp)))
    page = page.replace("</head>", f"<style>{MAP_CSS}</style></head>", 1)
    at = page.rfind("</body>")
    if at < 0:
        raise GeoError("the map page has no </body>")
    fit = _FIT_JS % ("[" + ", ".join(f"{float(v):.6f}" for v in box) + "]")
    return re.sub(r"\s+$", "", page[:at]) + fit + page[at:]


def map_image(
    chromium: Chromium,
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    box: Box,
    *,
    size: tuple[int, int] = (1200, 800),
    scale: float = 2.0,
    layers: Sequence[str] | None = None,
    verdicts: pd.DataFrame | None = None,
    control: Sequence[Any] | None = None,
    lang: str | None = None,
) -> bytes:
    """The map of a briefing as a PNG, fitted to ``box``, rendered by ``chromium``.

    Parameters
    ----------
    chromium : Chromium
        The browser (:class:`geo.briefing.chromium.Chromium`), shared by a briefing's renders.
    events, claims, flt, box, size, layers, verdicts, control, lang
        As for :func:`map_page`.
    scale : float
        Device pixels per CSS pixel: the PNG is ``size × scale`` px (2: sharp in print and on a 4K screen).

    Returns
    -------
    bytes
        The PNG.
    """
    page = map_page(events, claims, flt, box, size=size, layers=layers, verdicts=verdicts, control=control, lang=lang)
    return chromium.screenshot(page, size, scale=scale, wait=READY, delay=150)
