"""Standalone HTML export: the dashboard's map with Leaflet inlined, a header and the sources.

The page is :func:`geo.mapview.build_map` with ``assets="local"``; the vendor
``<script src>`` / ``<link href>`` tags are replaced by inline ``<script>`` /
``<style>`` (Leaflet's CSS images become ``data:`` URIs), so the file opens
with no network at all. PNG and PDF snapshots (:mod:`geo.exporters.snapshot`)
render this same page. Given verdicts of the capture claims
(:func:`geo.control.check.check_claims`) and aggregate claims
(:func:`geo.control.check.aggregate_claims`), the page has a *Claims vs
assessment* section (``<div id="export-assessment">``) above the sources:
whose assessments they are and that they are not ground truth, the claimed
figures beside each assessor's change, and a verdict per claim and assessor.
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import i18n, present
from geo import layers as registry
from geo.assets import ensure_static
from geo.errors import GeoError
from geo.exporters.data import CAVEAT, caveat, check_target, write_atomic
from geo.filters import Filter
from geo.i18n import t, tn
from geo.present import escape
from geo.stats import (
    NOT_STATED,
    assessment_figures,
    key_figures,
    verdict_table,
)
from geo.timebins import count_bins, counted_layers, per_bin_title, talks_bands

__all__ = ["CAVEAT", "DEFAULT_TITLE", "FIT_MAPS_JS", "NO_EVENTS", "caveat", "default_title", "render_page", "to_html"]

DEFAULT_TITLE: Final = "Russia–Ukraine war: claimed events"
"""The default title (English; :func:`default_title` gives it in the current language)."""
NO_EVENTS: Final = "No events match"
"""What the map of nothing says (English)."""
_VENDOR_MARK: Final = "@@geo-export-vendor@@"
_TAG = re.compile(
    r'<script\s+src="' + re.escape(_VENDOR_MARK) + r'/(?P<js>[^"]+)"\s*>\s*</script>'
    r'|<link\s+rel="stylesheet"\s+href="' + re.escape(_VENDOR_MARK) + r'/(?P<css>[^"]+)"\s*/?>'
)
_CSS_URL = re.compile(r"url\(\s*['\"]?(?P<u>[^'\")]+)['\"]?\s*\)")
_CSS: Final = """
html, body { margin: 0; padding: 0; height: 100%; width: 100%; }
body { display: flex; flex-direction: column; font-family: "DejaVu Sans", Arial, sans-serif; }
#export-header { flex: 0 0 auto; padding: 6px 12px; border-bottom: 1px solid #ccc; background: #fff; font-size: 12px; }
#export-header h1 { font-size: 18px; margin: 0 0 2px 0; }
#export-header .caveat { color: #b71c1c; font-weight: bold; }
#export-header .meta, #export-header .figures { color: #333; margin: 1px 0; }
#export-sources { flex: 0 0 auto; padding: 4px 12px; font-size: 10px; border-top: 1px solid #ccc; background: #fff; }
#export-sources ul { margin: 0; padding-left: 16px; columns: 3; }
#export-assessment { flex: 0 0 auto; padding: 4px 12px; font-size: 10px; border-top: 1px solid #ccc; background: #fff; }
#export-assessment .caveat { color: #b71c1c; }
#export-assessment ul { margin: 1px 0; padding-left: 16px; }
#export-assessment table { border-collapse: collapse; margin-top: 2px; }
#export-assessment th, #export-assessment td { border-bottom: 1px solid #eee; padding: 1px 6px 1px 0; text-align: left;
  vertical-align: top; }
.folium-map { flex: 1 1 auto; height: auto !important; min-height: 200px; position: relative; }
#export-empty { position: absolute; z-index: 1000; top: 40%; left: 0; right: 0; text-align: center;
  font-size: 28px; font-weight: bold; color: #333; pointer-events: none; }
#export-empty span { background: rgba(255,255,255,0.85); padding: 8px 18px; border-radius: 6px; }
"""
_PRINT_CSS: Final = """
.leaflet-control-zoom, .leaflet-draw, .leaflet-control-layers { display: none !important; }
.cm-legend { max-height: none !important; overflow: visible !important; font-size: 9.5px !important;
  padding: 4px 6px !important; }
.cm-legend summary { font-size: 11px !important; }
.cm-legend .cm-note { font-size: 9px !important; }
"""
OPEN_LEGEND: Final = "document.querySelectorAll('.cm-legend details').forEach(d => { d.open = true; });"
"""Script that opens the map's legend (snapshots always show it in full)."""


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(css: str, folder: Path) -> str:
    def repl(m: re.Match[str]) -> str:
        ref = m.group("u").strip()
        if ref.startswith(("data:", "#")):
            return m.group(0)
        local = (folder / ref.split("?")[0].split("#")[0]).resolve()
        if local.is_file() and folder.resolve() in local.parents:
            return f'url("{_data_uri(local)}")'
        return "url(data:,)"  # never let CSS ask the network for anything

    return _CSS_URL.sub(repl, css)


def _inline_assets(page: str, vendor: Path) -> str:
    """Replace the vendor script/link tags with inline ``<script>``/``<style>``."""

    def repl(m: re.Match[str]) -> str:
        rel = m.group("js") or m.group("css")
        file = vendor / rel
        if not file.is_file():
            raise GeoError(f"map asset {rel} is missing from {vendor}")
        text = file.read_text(encoding="utf-8")
        if m.group("js"):
            text = re.sub(r"//# sourceMappingURL=\S+", "", text).replace("</script", "<\\/script")
            return f"<script>{text}</script>"
        css = _inline_css(text, file.parent).replace("</style", "<\\/style")
        return f"<style>{css}</style>"

    out = _TAG.sub(repl, page)
    if _VENDOR_MARK in out:
        raise GeoError("the map still refers to an asset that could not be inlined")
    return out


def default_title() -> str:
    """The default title of a snapshot, in the current language.

    Returns
    -------
    str
        Plain text.
    """
    return t("Russia–Ukraine war: claimed events")


def _sources(claims: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(publisher, http(s) url or None), distinct, sorted by publisher."""
    if claims.empty:
        return []
    missing = pd.Series([None] * len(claims), index=claims.index, dtype=object)
    pairs = pd.DataFrame(
        {
            "publisher": claims.get("publisher", missing),
            "title": claims.get("source_title", missing),
            "url": claims.get("source_url", missing),
        }
    ).drop_duplicates()
    unknown = t("unknown")
    seen: dict[tuple[str, str | None], None] = {}
    for pub, title, url in pairs.itertuples(index=False):
        name = str(pub) if isinstance(pub, str) and pub else (str(title) if isinstance(title, str) else unknown)
        seen[(name, present.safe_url(url))] = None
    return sorted(seen, key=lambda s: (s[0].lower(), s[1] or ""))


def _counted(n: int, layer: str, totals: dict[str, str]) -> str:
    """``12 strikes (launched ≥300, intercepted ≥170)``: a layer's count and its key figures' totals."""
    figures = [f"{present.figure_label(f)} {v}" for f, v in totals.items() if v != NOT_STATED]
    return present.count(n, layer) + (f" ({', '.join(figures)})" if figures else "")


def _figures_text(events: gpd.GeoDataFrame) -> str:
    """Key figures in words, for every registered layer present (plain text)."""
    if events.empty:
        return t("No events.")
    k = key_figures(events)
    parts = [tn("{n} event", "{n} events", len(events))]
    for spec in registry.all_specs():
        n = k["layers"].get(spec.name, 0)
        if spec.name == "capture":
            if not (k["captures_total"] or k["contested"]):
                continue
            sides = ", ".join(f"{side} {sum(v.values())}" for side, v in k["captures"].items())
            parts.append(t("captures claimed {n}", n=k["captures_total"]) + (f" ({sides})" if sides else ""))
            if k["contested"]:
                parts.append(t("contested {n}", n=k["contested"]))
            if k["area_totals"]:
                from geo.totals import total_text  # a range where claims may overlap: "RU 150–200 km², claims may …"

                areas = ", ".join(f"{side} {total_text(v, t(' km²'))}" for side, v in k["area_totals"].items())
                parts.append(t("area claimed {areas}", areas=areas))
        elif n:
            text = _counted(n, spec.name, k["totals"].get(spec.name, {}))
            if spec.drawn_as == "choropleth":
                text += " " + tn("in {n} region", "in {n} regions", k["regions_affected"])
            parts.append(text)
    if k["synthetic"]:
        parts.append(t("SYNTHETIC events {n}", n=k["synthetic"]))
    return t("Key figures (as claimed): {figures}.", figures="; ".join(parts))


# -- small timeline (server-side SVG: no script, no network, prints as is) ----------------------------------------

_TL_WIDTH: Final = 900
_TL_HEIGHT: Final = 140
_TL_LEFT: Final = 40
_TL_RIGHT: Final = 10
_TL_TOP: Final = 30
_TL_BOTTOM: Final = 18
_TL_BAND_OPACITY: Final = 0.18
_TL_SPREAD_OPACITY: Final = 0.5
_TL_LABEL_MAX: Final = 40
_TL_CSS: Final = """
#export-timeline { margin: 3px 0 0 0; }
#export-timeline .tl-head { font-weight: bold; font-size: 12px; }
#export-timeline svg { display: block; width: 100%; max-width: 900px; height: auto; }
"""


def _tl_label(label: str) -> str:
    """A band's label, at most 40 characters."""
    return label if len(label) <= _TL_LABEL_MAX else label[: _TL_LABEL_MAX - 1] + "…"


def _days(values: pd.Series) -> np.ndarray:
    """Days since the epoch of ``YYYY-MM-DD`` strings."""
    return np.asarray(values, dtype="datetime64[D]").astype(np.int64)


def _tl_bar(row: Any, left: float, right: float, bottom: float, scale: float, colour: str) -> str:
    """One row of :func:`geo.timebins.count_bins` as an SVG ``<rect>``: a day's events, or paler a period's shares."""
    width = max(right - left - 1.0, 0.6)
    place = (
        f'x="{left + 0.5:.1f}" y="{bottom - row.y1 * scale:.1f}" width="{width:.1f}" '
        f'height="{row.events * scale:.1f}" fill="{escape(colour)}"'
    )
    if not row.spread:
        title = escape(f"{row.when}: {present.count(int(row.events), row.layer)}")
        return (
            f'<rect class="tl-bar" data-layer="{escape(row.layer)}" data-start="{row.start}" '
            f'data-events="{int(row.events)}" {place}><title>{title}</title></rect>'
        )
    title = escape(f"{row.when}: {row.events_text} — {row.note}")
    return (
        f'<rect class="tl-spread" data-layer="{escape(row.layer)}" data-start="{row.start}" '
        f'data-events="{row.events:.6g}" data-periods="{int(row.periods)}" {place} '
        f'fill-opacity="{_TL_SPREAD_OPACITY}"><title>{title}</title></rect>'
    )


def _timeline_svg(events: pd.DataFrame, talks: pd.DataFrame | None = None) -> str:
    """A small timeline as inline SVG: stacked bars per layer, talks as grey bands.

    Parameters
    ----------
    events : DataFrame
        Folded, filtered events. Each event of a counted layer is counted once,
        in the bins the dashboard's timeline uses (:func:`geo.timebins.count_bins`:
        per day up to 180 days, then per week, month or year): on its
        ``time_start`` when dated to a day, spread evenly over its days when
        dated only to a period (drawn paler, its share in ``data-events``).
    talks : DataFrame, optional
        Rounds of talks drawn as translucent bands in their layer's colour
        with a short label; by default the talks among ``events``.

    Returns
    -------
    str
        A ``<div id="export-timeline">`` with the heading "Timeline" and an
        ``<svg>`` of 900×140 user units scaling with the page width, with
        first/last day labels; ``""`` when ``events`` is empty or nothing is
        dated. All text is HTML-escaped; bars (``class="tl-bar"``, or
        ``"tl-spread"`` for the shares of events dated to a period) carry
        ``data-layer``, ``data-start`` and ``data-events``.
    """
    if events.empty:
        return ""
    bars, unit = count_bins(events)
    bands = talks_bands(events if talks is None else talks)
    if bars.empty and bands.empty:
        return ""
    starts = [int(_days(frame["start"]).min()) for frame in (bars, bands) if not frame.empty]
    ends = [int(_days(frame["end"]).max()) for frame in (bars, bands) if not frame.empty]
    first, stop = min(starts), max(ends)
    total_days = max(stop - first, 1)
    x0, x1 = _TL_LEFT, _TL_WIDTH - _TL_RIGHT
    y0, y1 = _TL_TOP, _TL_HEIGHT - _TL_BOTTOM

    def x(day: int) -> float:
        return x0 + (x1 - x0) * (day - first) / total_days

    parts: list[str] = [
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="#fafafa" stroke="#dddddd"/>'
    ]
    if not bands.empty:
        band_start, band_end = _days(bands["start"]), _days(bands["end"])
        for i, (label, colour) in enumerate(zip(bands["label"], bands["colour"], strict=True)):
            bx, bw = x(band_start[i]), max(x(band_end[i]) - x(band_start[i]), 1.0)
            text = escape(_tl_label(label))
            right = bx > x0 + 0.75 * (x1 - x0)  # near the right edge: label ends at the band's end
            tx, anchor = (min(bx + bw, x1) - 2, "end") if right else (bx + 2, "start")
            parts.append(
                f'<rect class="tl-talks" x="{bx:.1f}" y="{y0}" width="{bw:.1f}" height="{y1 - y0}" '
                f'fill="{escape(colour)}" fill-opacity="{_TL_BAND_OPACITY}"><title>{text}</title></rect>'
                f'<text x="{tx:.1f}" y="{y0 - 4 - 11 * (i % 2)}" font-size="10" text-anchor="{anchor}" '
                f'fill="#444444">{text}</text>'
            )
    if not bars.empty:
        peak = float(bars["y1"].max())
        scale = (y1 - y0 - 4) / peak
        colours = {spec.name: spec.colour for spec in registry.all_specs()}
        bar_start, bar_end = _days(bars["start"]), _days(bars["end"])
        for i, row in enumerate(bars.itertuples(index=False)):
            parts.append(_tl_bar(row, x(bar_start[i]), x(bar_end[i]), y1, scale, colours.get(row.layer, "#757575")))
        parts.append(
            f'<text x="{x0 - 4}" y="{y0 + 8}" font-size="10" text-anchor="end" fill="#444444">'
            f"{present.number(peak) if peak >= 1 else f'{peak:.2g}'}</text>"
            f'<text x="{x0 - 4}" y="{y1}" font-size="10" text-anchor="end" fill="#444444">0</text>'
        )
        shown = [name for name in counted_layers() if name in set(bars["layer"])]
        key = " ".join(
            f'<tspan fill="{colours.get(layer, "#757575")}">■</tspan> {escape(present.layer_label(layer))}'
            for layer in shown
        )
        if bars["spread"].to_numpy(dtype=bool).any():
            key += f" · {escape(t('paler: spread over a week, a month or several days'))}"
        parts.append(
            f'<text x="{(x0 + x1) / 2:.0f}" y="{_TL_HEIGHT - 4}" font-size="10" text-anchor="middle" '
            f'fill="#444444">{escape(per_bin_title(unit))}: {key}</text>'
        )
    first_day, last_day = np.datetime64(first, "D"), np.datetime64(stop - 1, "D")
    parts.append(
        f'<text x="{x0}" y="{_TL_HEIGHT - 4}" font-size="10" fill="#444444">{escape(present.day(first_day.item()))}'
        f'</text><text x="{x1}" y="{_TL_HEIGHT - 4}" font-size="10" text-anchor="end" fill="#444444">'
        f"{escape(present.day(last_day.item()))}</text>"
    )
    heading = escape(t("Timeline"))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_TL_WIDTH} {_TL_HEIGHT}" '
        f'width="{_TL_WIDTH}" height="{_TL_HEIGHT}" role="img" aria-label="{heading}" '
        f'font-family="DejaVu Sans, Arial, sans-serif">' + "".join(parts) + "</svg>"
    )
    return f'<div id="export-timeline" data-unit="{unit}"><div class="tl-head">{heading}</div>{svg}</div>'


def _made(made: dt.datetime) -> str:
    """``20 Feb 2026 09:30 UTC``."""
    stamp = made.astimezone(dt.UTC) if made.tzinfo is not None else made
    return f"{present.day(stamp)} {stamp:%H:%M} UTC"


def _header(
    events: gpd.GeoDataFrame, flt: Filter | None, title: str, made: dt.datetime, talks: pd.DataFrame | None = None
) -> str:
    what = flt.describe() if flt is not None else t("All events")
    return (
        '<div id="export-header">'
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">{escape(t("Filter: {what}", what=what))}</div>'
        f'<div class="figures">{escape(_figures_text(events))}</div>'
        f'<div class="meta"><span class="caveat">{escape(caveat())}.</span> '
        f"{escape(t('Made {when}.', when=_made(made)))}</div>"
        f"{_timeline_svg(events, talks)}"
        "</div>"
    )


def _sources_block(claims: pd.DataFrame) -> str:
    items = []
    for name, url in _sources(claims):
        if url:
            items.append(f"<li>{escape(name)}: {present.link(url, url)}</li>")
        else:
            items.append(f"<li>{escape(name)}</li>")
    body = "<ul>" + "".join(items) + "</ul>" if items else f"<p>{escape(t('No sources.'))}</p>"
    return f'<div id="export-sources"><b>{escape(t("Sources"))}</b>{body}</div>'


ASSESSMENT_ROWS: Final = {"print": 8, "page": 500}
"""Most claims the *Claims vs assessment* section lists (snapshots: one page), latest first; the rest are counted."""


def _verdict_cell(row: dict[str, Any], name: str) -> str:
    """One assessor's verdict on a claim: "reflected · 4 Jan 2024", its full sentence as the tooltip."""
    label = row.get(f"verdict:{name}")
    if not isinstance(label, str):
        return "<td></td>"
    on = present.day(row.get(f"as_of:{name}"))
    text = row.get(f"text:{name}")
    tip = f' title="{escape(text)}"' if isinstance(text, str) else ""
    return f"<td{tip}>{escape(label + (f' · {on}' if on else ''))}</td>"


def _assessment_block(verdicts: pd.DataFrame | None, aggregates: pd.DataFrame | None, for_print: bool) -> str:
    """The *Claims vs assessment* section ("" when neither was given).

    Whose assessments and the caveat first, then each claim with figures
    beside each assessor's change, then a table of the claims located to a
    settlement: place, claimant, day claimed, and per assessor its verdict
    and the day it is about (latest claims first, at most
    :data:`ASSESSMENT_ROWS`). All text is HTML-escaped.
    """
    if verdicts is None and aggregates is None:
        return ""
    verdicts = verdicts if verdicts is not None else pd.DataFrame(columns=["claim_id", "assessor"])
    figs = assessment_figures(verdicts, aggregates)
    parts = [f"<b>{escape(t('Claims vs assessment'))}</b> "]
    if not figs["assessors"]:
        parts.append(escape(t("No assessment of control is loaded, or none covers these claims.")))
        return '<div id="export-assessment">' + "".join(parts) + "</div>"
    parts.append(f'<span class="caveat">{escape(figs["caveat"])}</span>')
    lines = [f"{name}: {figs['lines'][name]}" for name in figs["assessors"] if name in figs["lines"]]
    if lines or figs["aggregates"]:
        parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in [*figs["aggregates"], *lines]) + "</ul>")
    table = verdict_table(verdicts)
    if len(table):
        names = [c.removeprefix("verdict:") for c in table.columns if c.startswith("verdict:")]
        most = ASSESSMENT_ROWS["print" if for_print else "page"]
        head = [t("Place"), t("Claimant"), t("Claimed on"), *names]
        rows = []
        for row in table.head(most).to_dict("records"):
            cells = [escape(row["place"]), escape(row["claimant"]), escape(present.day(row["claim_day"]))]
            rows.append(
                f'<tr data-claim="{escape(row["claim_id"])}">'
                + "".join(f"<td>{c}</td>" for c in cells)
                + "".join(_verdict_cell(row, name) for name in names)
                + "</tr>"
            )
        parts.append(
            "<table><thead><tr>"
            + "".join(f"<th>{escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
        if len(table) > most:
            more = tn("… and {n} more claim (see the data exports).", "… and {n} more claims (see the data exports).",
                      len(table) - most)  # fmt: skip
            parts.append(f"<div>{escape(more)}</div>")
    return '<div id="export-assessment">' + "".join(parts) + "</div>"


FIT_MAPS_JS = "window.cmFitMaps()"
"""Call it in the page to tell every map its current size again (the snapshot does, before capturing)."""
_RESIZE_SCRIPT = """<script>
(function () {
  // The header above the map settles its height after Leaflet has sized its canvas; tell every map its real size
  // (on load and resize), or the canvas layers are drawn clipped and offset. Not on beforeprint: a redraw
  // requested then lands after the page is printed, leaving the canvas blank.
  window.cmFitMaps = function () {
    Object.keys(window).forEach(function (k) {
      var v = window[k];
      if (typeof L === "object" && v instanceof L.Map) { v.invalidateSize({animate: false}); v.fire("moveend"); }
    });
  };
  window.addEventListener("load", window.cmFitMaps);
  window.addEventListener("resize", window.cmFitMaps);
  window.cmFitMaps();
})();
</script>"""


def render_page(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None = None,
    *,
    title: str | None = None,
    layers: Sequence[str] | None = None,
    for_print: bool = False,
    made: dt.datetime | None = None,
    talks: pd.DataFrame | None = None,
    lang: str | None = None,
    verdicts: pd.DataFrame | None = None,
    aggregates: pd.DataFrame | None = None,
    control: Sequence[Any] | None = None,
) -> str:
    """The standalone page as text: map with inlined Leaflet, header, claims vs assessment, sources.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    flt : Filter, optional
        The filter, described in words in the header.
    title : str, optional
        Title shown at the top (escaped); by default (or when it is
        :data:`DEFAULT_TITLE`) :func:`default_title` in the page's language.
    layers : sequence of str, optional
        Map layers (default: the filter's layers, else every registered layer).
    for_print : bool
        Hide the zoom, draw and layer controls (snapshots).
    made : datetime, optional
        When it was made (default now, UTC).
    talks : DataFrame, optional
        Rounds of talks for the header's timeline (rows of the ``talks``
        layer); by default the talks among ``events``. Pass them when the
        events were filtered by region or area (talks have no region).
    lang : str, optional
        Language of the page (default: the current one).
    verdicts : DataFrame, optional
        Verdicts of the capture claims (:func:`geo.control.check.check_claims`):
        a *Claims vs assessment* section above the sources.
    aggregates : DataFrame, optional
        Claims with figures beside the assessed change
        (:func:`geo.control.check.aggregate_claims`), in the same section.
    control : sequence of geo.mapview.ControlArea, optional
        The Control layer of the map (:func:`geo.mapview.control_areas`):
        held, gained and lost areas per assessor, in the map and its legend.

    Returns
    -------
    str
        The HTML page; it loads nothing from the network.
    """
    with i18n.using(lang) as language:
        page = _render_page(
            events, claims, flt, title, layers, for_print, made, talks, language, control=control, verdicts=verdicts
        )
        block = _assessment_block(verdicts, aggregates, for_print)
    if block:
        mark = '<div id="export-sources">'
        at = page.rfind(mark)
        page = page[:at] + block + page[at:]
    return page


def _render_page(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    title: str | None,
    layers: Sequence[str] | None,
    for_print: bool,
    made: dt.datetime | None,
    talks: pd.DataFrame | None,
    lang: str,
    *,
    control: Sequence[Any] | None = None,
    verdicts: pd.DataFrame | None = None,
) -> str:
    from geo.mapview import build_map

    title = default_title() if title is None or title == DEFAULT_TITLE else title
    made = made or dt.datetime.now(dt.UTC)
    chosen = tuple(layers) if layers else (flt.layers if flt is not None and flt.layers else registry.names())
    m = build_map(
        events,
        claims,
        layers=chosen,
        assets="local",
        static_url=_VENDOR_MARK,
        area=flt.area if flt is not None else None,
        lang=lang,
        control=list(control) if control else None,
        verdicts=verdicts,
    )
    page = m.get_root().render()
    with tempfile.TemporaryDirectory(prefix="geo-export-") as tmp:
        vendor = ensure_static(Path(tmp))
        page = _inline_assets(page, vendor)
    css = _CSS + _TL_CSS + (_PRINT_CSS if for_print else "")
    head = f"<style>{css}</style><title>{escape(title)}</title></head>"
    page = page.replace("</head>", head, 1)
    page = re.sub(r"<html(?![^>]*\blang=)", f'<html lang="{escape(lang)}"', page, count=1)
    empty = f'<div id="export-empty"><span>{escape(t("No events match"))}</span></div>' if events.empty else ""
    body_open = re.search(r"<body[^>]*>", page)
    if body_open is None:
        raise GeoError("the map page has no <body>")
    page = page[: body_open.end()] + _header(events, flt, title, made, talks) + page[body_open.end() :]
    if empty:
        page = re.sub(r'(<div class="folium-map"[^>]*>)', lambda mm: mm.group(1) + empty, page, count=1)
    idx = page.rfind("</body>")
    opener = f"<script>{OPEN_LEGEND}</script>" if for_print else ""
    page = page[:idx] + _sources_block(claims) + opener + _RESIZE_SCRIPT + page[idx:]
    return page


def to_html(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    talks: pd.DataFrame | None = None,
    lang: str | None = None,
    verdicts: pd.DataFrame | None = None,
    aggregates: pd.DataFrame | None = None,
    control: Sequence[Any] | None = None,
) -> Path:
    """Write the interactive map as one self-contained HTML file.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    flt : Filter or None
        The filter, shown in words.
    path : str or PathLike
        The file to write.
    title : str, optional
        Page title (default: :func:`default_title`).
    talks : DataFrame, optional
        Rounds of talks for the timeline (default: the talks among ``events``).
    lang : str, optional
        Language of the page (default: the current one).
    verdicts, aggregates : DataFrame, optional
        Claims set against assessed control: a *Claims vs assessment* section (:func:`render_page`).
    control : sequence of geo.mapview.ControlArea, optional
        The map's Control layer (:func:`render_page`).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    GeoError
        The path cannot be written (nothing is written) or an asset is missing.
    """
    check_target(path)
    page = render_page(
        events, claims, flt, title=title, talks=talks, lang=lang, verdicts=verdicts, aggregates=aggregates,
        control=control,
    )  # fmt: skip
    return write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
