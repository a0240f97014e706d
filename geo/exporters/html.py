"""Standalone HTML export: the dashboard's map with Leaflet inlined, a header and the sources.

The page is :func:`geo.mapview.build_map` with ``assets="local"``; the vendor
``<script src>`` / ``<link href>`` tags are replaced by inline ``<script>`` /
``<style>`` (Leaflet's CSS images become ``data:`` URIs), so the file opens
with no network at all. PNG and PDF snapshots (:mod:`geo.exporters.snapshot`)
render this same page.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import mimetypes
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

import geopandas as gpd
import pandas as pd

from geo.assets import ensure_static
from geo.charts import LAYER_COLOURS
from geo.errors import GeoError
from geo.exporters.data import check_target, write_atomic
from geo.filters import Filter
from geo.stats import key_figures

__all__ = ["CAVEAT", "DEFAULT_TITLE", "FIT_MAPS_JS", "render_page", "to_html"]

CAVEAT: Final = "Claims by parties to the war, not independently verified"
DEFAULT_TITLE: Final = "Russia–Ukraine war: claimed events"
NO_EVENTS: Final = "No events match"
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


def _sources(claims: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(publisher, http(s) url or None), distinct, sorted by publisher."""
    if claims.empty:
        return []
    seen: dict[tuple[str, str | None], None] = {}
    for pub, url, title in zip(
        claims.get("publisher", pd.Series(dtype=object)),
        claims.get("source_url", pd.Series(dtype=object)),
        claims.get("source_title", pd.Series([None] * len(claims))),
        strict=False,
    ):
        name = str(pub) if isinstance(pub, str) and pub else (str(title) if isinstance(title, str) else "unknown")
        link = str(url) if isinstance(url, str) and urlparse(url).scheme in ("http", "https") else None
        seen[(name, link)] = None
    return sorted(seen, key=lambda s: (s[0].lower(), s[1] or ""))


def _figures_text(events: gpd.GeoDataFrame) -> str:
    if events.empty:
        return "No events."
    k = key_figures(events)
    parts = [f"{len(events):,} events"]
    if k["captures_total"] or k["contested"]:
        sides = ", ".join(f"{side} {sum(v.values())}" for side, v in k["captures"].items())
        parts.append(f"captures claimed {k['captures_total']}" + (f" ({sides})" if sides else ""))
        if k["contested"]:
            parts.append(f"contested {k['contested']}")
    if k["area"]:
        parts.append("area claimed " + ", ".join(f"{s} {a} km²" for s, a in k["area"].items()))
    if k["strikes"]:
        parts.append(f"strikes {k['strikes']} (launched {k['launched']}, intercepted {k['intercepted']})")
    if k["impacts"]:
        parts.append(f"impacts {k['impacts']} in {k['regions_affected']} regions")
    if k["talks"]:
        parts.append(f"talks {k['talks']}")
    if k["synthetic"]:
        parts.append(f"SYNTHETIC events {k['synthetic']}")
    return "Key figures (as claimed): " + "; ".join(parts) + "."


# -- small timeline (server-side SVG: no script, no network, prints as is) ----------------------------------------

_TL_WIDTH: Final = 900
_TL_HEIGHT: Final = 140
_TL_LEFT: Final = 40
_TL_RIGHT: Final = 10
_TL_TOP: Final = 30
_TL_BOTTOM: Final = 18
_TL_DAILY_MAX_DAYS: Final = 180
_TL_BAND_OPACITY: Final = 0.18
_TL_LABEL_MAX: Final = 40
_TL_CSS: Final = """
#export-timeline { margin: 3px 0 0 0; }
#export-timeline .tl-head { font-weight: bold; font-size: 12px; }
#export-timeline svg { display: block; width: 100%; max-width: 900px; height: auto; }
"""


def _tl_days(values: pd.Series) -> pd.Series:
    """Calendar days (naive UTC midnight) of date-like values; unparseable ones become NaT.

    Parameters
    ----------
    values : Series
        Dates, timestamps or strings (time zones are converted to UTC).

    Returns
    -------
    Series
        ``datetime64[ns]`` floored to the day.
    """
    stamps = pd.to_datetime(values, errors="coerce", utc=True)
    return stamps.dt.tz_localize(None).dt.floor("D")


def _tl_counts(events: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Events per day (per week for spans over 180 days) and ground layer.

    Parameters
    ----------
    events : DataFrame
        Events with ``layer`` and ``time_start``; talks and undated rows are ignored.

    Returns
    -------
    counts : DataFrame
        Index: start of each bin (``datetime64``), sorted; one column per
        ground layer present, in :data:`geo.charts.LAYER_COLOURS` order.
        Empty when nothing is counted.
    unit : str
        ``"day"`` or ``"week"`` (weeks start on Monday).
    """
    ground = [layer for layer in LAYER_COLOURS if layer != "talks"]
    if events.empty or "layer" not in events.columns or "time_start" not in events.columns:
        return pd.DataFrame(), "day"
    frame = pd.DataFrame({"layer": events["layer"], "day": _tl_days(events["time_start"])})
    frame = frame[frame["layer"].isin(ground) & frame["day"].notna()]
    if frame.empty:
        return pd.DataFrame(), "day"
    span = (frame["day"].max() - frame["day"].min()).days
    unit = "week" if span > _TL_DAILY_MAX_DAYS else "day"
    if unit == "week":
        frame["day"] = frame["day"] - pd.to_timedelta(frame["day"].dt.day_of_week, unit="D")
    counts = frame.groupby(["day", "layer"], sort=True).size().unstack("layer", fill_value=0)
    return counts[[layer for layer in ground if layer in counts.columns]], unit


def _tl_label(row: pd.Series) -> str:
    """Short label of a round of talks: "Abu Dhabi, round 1", else its title (not escaped).

    Parameters
    ----------
    row : Series
        One talks event (``venue``, ``place``, ``title``, ``round`` are used if present).

    Returns
    -------
    str
        The label, at most 40 characters.
    """
    venue, place, title, round_ = (row.get(k) for k in ("venue", "place", "title", "round"))
    where = venue if isinstance(venue, str) and venue.strip() else place
    label = where.split(",")[0].strip() if isinstance(where, str) and where.strip() else ""
    if label and isinstance(round_, (int, float)) and not isinstance(round_, bool) and pd.notna(round_):
        label = f"{label}, round {round_:.0f}"
    if not label:
        label = title.strip() if isinstance(title, str) and title.strip() else "talks"
    return label if len(label) <= _TL_LABEL_MAX else label[: _TL_LABEL_MAX - 1] + "…"


def _tl_bands(talks: pd.DataFrame | None) -> pd.DataFrame:
    """Rounds of talks as bands: ``start``, ``end`` (day after the last), ``label``.

    Parameters
    ----------
    talks : DataFrame or None
        Events; rows whose ``layer`` is ``"talks"`` (all rows if there is no ``layer``) are used.

    Returns
    -------
    DataFrame
        One row per dated round, sorted by start; empty if none.
    """
    if talks is None or talks.empty or "time_start" not in talks.columns:
        return pd.DataFrame(columns=["start", "end", "label"])
    if "layer" in talks.columns:
        talks = talks[talks["layer"] == "talks"]
    start = _tl_days(talks["time_start"])
    end = _tl_days(talks["time_end"]) if "time_end" in talks.columns else start
    end = end.fillna(start).where(lambda e: e >= start, start)
    bands = pd.DataFrame(
        {"start": start, "end": end + pd.Timedelta(days=1), "label": [_tl_label(r) for _, r in talks.iterrows()]}
    )
    return bands[bands["start"].notna()].sort_values("start", kind="stable").reset_index(drop=True)


def _tl_day_text(day: pd.Timestamp) -> str:
    return f"{day.day} {day:%b %Y}"


def _timeline_svg(events: pd.DataFrame, talks: pd.DataFrame | None = None) -> str:
    """A small timeline as inline SVG: stacked bars per layer, talks as grey bands.

    Parameters
    ----------
    events : DataFrame
        Folded, filtered events. Each non-talks event is counted once on its
        ``time_start``, per day (per week when they span more than 180 days).
    talks : DataFrame, optional
        Rounds of talks drawn as translucent grey bands with a short label;
        by default the talks among ``events``.

    Returns
    -------
    str
        A ``<div id="export-timeline">`` with the heading "Timeline" and an
        ``<svg>`` of 900×140 user units scaling with the page width, with
        first/last day labels; ``""`` when ``events`` is empty or nothing is
        dated. All text from the data is HTML-escaped.
    """
    if events.empty:
        return ""
    counts, unit = _tl_counts(events)
    bands = _tl_bands(events if talks is None else talks)
    if counts.empty and bands.empty:
        return ""
    step = pd.Timedelta(days=7 if unit == "week" else 1)
    starts = [*([counts.index.min()] if not counts.empty else []), *([bands["start"].min()] if not bands.empty else [])]
    ends = [
        *([counts.index.max() + step] if not counts.empty else []),
        *([bands["end"].max()] if not bands.empty else []),
    ]
    first, stop = min(starts), max(ends)
    total_days = max((stop - first).days, 1)
    x0, x1 = _TL_LEFT, _TL_WIDTH - _TL_RIGHT
    y0, y1 = _TL_TOP, _TL_HEIGHT - _TL_BOTTOM

    def x(when: pd.Timestamp) -> float:
        return x0 + (x1 - x0) * (when - first).days / total_days

    parts: list[str] = [
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="#fafafa" stroke="#dddddd"/>'
    ]
    for i, band in enumerate(bands.itertuples(index=False)):
        bx, bw = x(band.start), max(x(band.end) - x(band.start), 1.0)
        label = html.escape(band.label)
        right = bx > x0 + 0.75 * (x1 - x0)  # near the right edge: label ends at the band's end
        tx, anchor = (min(bx + bw, x1) - 2, "end") if right else (bx + 2, "start")
        parts.append(
            f'<rect class="tl-talks" x="{bx:.1f}" y="{y0}" width="{bw:.1f}" height="{y1 - y0}" '
            f'fill="{LAYER_COLOURS["talks"]}" fill-opacity="{_TL_BAND_OPACITY}"><title>{label}</title></rect>'
            f'<text x="{tx:.1f}" y="{y0 - 4 - 11 * (i % 2)}" font-size="10" text-anchor="{anchor}" '
            f'fill="#444444">{label}</text>'
        )
    if not counts.empty:
        peak = int(counts.to_numpy().sum(axis=1).max())
        scale = (y1 - y0 - 4) / peak
        width = max((x1 - x0) * step.days / total_days - 1.0, 0.6)
        tops = counts.cumsum(axis=1)
        for layer in counts.columns:
            colour = LAYER_COLOURS[layer]
            for day, n, top in zip(counts.index, counts[layer], tops[layer], strict=True):
                if n <= 0:
                    continue
                when = html.escape(f"{'week of ' if unit == 'week' else ''}{_tl_day_text(day)}")
                parts.append(
                    f'<rect class="tl-bar" x="{x(day) + 0.5:.1f}" y="{y1 - top * scale:.1f}" width="{width:.1f}" '
                    f'height="{n * scale:.1f}" fill="{colour}"><title>{when}: {int(n)} {layer}</title></rect>'
                )
        parts.append(
            f'<text x="{x0 - 4}" y="{y0 + 8}" font-size="10" text-anchor="end" fill="#444444">{peak}</text>'
            f'<text x="{x0 - 4}" y="{y1}" font-size="10" text-anchor="end" fill="#444444">0</text>'
        )
        key = " ".join(
            f'<tspan fill="{LAYER_COLOURS[layer]}">■</tspan> {html.escape(layer)}' for layer in counts.columns
        )
        parts.append(
            f'<text x="{(x0 + x1) / 2:.0f}" y="{_TL_HEIGHT - 4}" font-size="10" text-anchor="middle" '
            f'fill="#444444">events per {unit}: {key}</text>'
        )
    last = stop - pd.Timedelta(days=1)
    parts.append(
        f'<text x="{x0}" y="{_TL_HEIGHT - 4}" font-size="10" fill="#444444">{html.escape(_tl_day_text(first))}</text>'
        f'<text x="{x1}" y="{_TL_HEIGHT - 4}" font-size="10" text-anchor="end" fill="#444444">'
        f"{html.escape(_tl_day_text(last))}</text>"
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_TL_WIDTH} {_TL_HEIGHT}" '
        f'width="{_TL_WIDTH}" height="{_TL_HEIGHT}" role="img" aria-label="Timeline" '
        f'font-family="DejaVu Sans, Arial, sans-serif">' + "".join(parts) + "</svg>"
    )
    return f'<div id="export-timeline"><div class="tl-head">Timeline</div>{svg}</div>'


def _header(
    events: gpd.GeoDataFrame, flt: Filter | None, title: str, made: dt.datetime, talks: pd.DataFrame | None = None
) -> str:
    what = flt.describe() if flt is not None else "All events"
    return (
        '<div id="export-header">'
        f"<h1>{html.escape(title)}</h1>"
        f'<div class="meta">Filter: {html.escape(what)}</div>'
        f'<div class="figures">{html.escape(_figures_text(events))}</div>'
        f'<div class="meta"><span class="caveat">{html.escape(CAVEAT)}.</span> '
        f"Made {html.escape(made.strftime('%Y-%m-%d %H:%M UTC'))}.</div>"
        f"{_timeline_svg(events, talks)}"
        "</div>"
    )


def _sources_block(claims: pd.DataFrame) -> str:
    items = []
    for name, link in _sources(claims):
        if link:
            items.append(
                f'<li>{html.escape(name)}: <a href="{html.escape(link, quote=True)}">{html.escape(link)}</a></li>'
            )
        else:
            items.append(f"<li>{html.escape(name)}</li>")
    body = "<ul>" + "".join(items) + "</ul>" if items else "<p>No sources.</p>"
    return f'<div id="export-sources"><b>Sources</b>{body}</div>'


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
    title: str = DEFAULT_TITLE,
    layers: Sequence[str] | None = None,
    for_print: bool = False,
    made: dt.datetime | None = None,
    talks: pd.DataFrame | None = None,
) -> str:
    """The standalone page as text: map with inlined Leaflet, header, sources.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    flt : Filter, optional
        The filter, described in words in the header.
    title : str
        Title shown at the top (escaped).
    layers : sequence of str, optional
        Map layers (default: the filter's layers, else all).
    for_print : bool
        Hide the zoom, draw and layer controls (snapshots).
    made : datetime, optional
        When it was made (default now, UTC).
    talks : DataFrame, optional
        Rounds of talks for the header's timeline (rows of the ``talks``
        layer); by default the talks among ``events``. Pass them when the
        events were filtered by region or area (talks have no region).

    Returns
    -------
    str
        The HTML page; it loads nothing from the network.
    """
    from geo.mapview import build_map

    made = made or dt.datetime.now(dt.UTC)
    chosen = tuple(layers) if layers else (flt.layers if flt is not None and flt.layers else None)
    kwargs = {"layers": chosen} if chosen else {}
    m = build_map(
        events,
        claims,
        assets="local",
        static_url=_VENDOR_MARK,
        area=flt.area if flt is not None else None,
        **kwargs,
    )
    page = m.get_root().render()
    with tempfile.TemporaryDirectory(prefix="geo-export-") as tmp:
        vendor = ensure_static(Path(tmp))
        page = _inline_assets(page, vendor)
    css = _CSS + _TL_CSS + (_PRINT_CSS if for_print else "")
    page = page.replace("</head>", f"<style>{css}</style><title>{html.escape(title)}</title></head>", 1)
    empty = f'<div id="export-empty"><span>{html.escape(NO_EVENTS)}</span></div>' if events.empty else ""
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
    title: str = DEFAULT_TITLE,
    talks: pd.DataFrame | None = None,
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
    title : str
        Page title.
    talks : DataFrame, optional
        Rounds of talks for the timeline (default: the talks among ``events``).

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
    page = render_page(events, claims, flt, title=title, talks=talks)
    return write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
