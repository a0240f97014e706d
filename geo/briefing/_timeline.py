"""The timeline of a briefing's slide: bars binned as the dashboard's (:mod:`geo.timebins`), talks, statements."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from geo import layers as registry
from geo import present
from geo.i18n import t
from geo.present import escape
from geo.timebins import count_bins, counted_layers, per_bin_title, talks_bands

if TYPE_CHECKING:
    from geo.briefing.view import View

__all__ = ["MAX_TICKS", "timeline_svg"]

MAX_TICKS: Final = 500
"""Statements drawn as ticks at most (more would be a smear; the bars count them)."""


def _days(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy(dtype="datetime64[D]").astype(np.int64)


def _span(view: View, bars: pd.DataFrame, bands: pd.DataFrame) -> tuple[int, int] | None:
    """First day and the day after the last: the filter's dates where set, widened to what is drawn."""
    starts: list[int] = []
    stops: list[int] = []
    for frame in (bars, bands):
        if not frame.empty:
            starts.append(int(_days(frame["start"]).min()))
            stops.append(int(_days(frame["end"]).max()))
    flt = view.flt
    if flt.date_from is not None:
        starts.append(int(np.datetime64(flt.date_from, "D").astype(np.int64)))
    if flt.date_to is not None:
        stops.append(int(np.datetime64(flt.date_to, "D").astype(np.int64)) + 1)
    if not starts or not stops:
        return None
    first, stop = min(starts), max(stops)
    return (first, stop) if stop > first else None


def timeline_svg(view: View, width: int, height: int, fs: int) -> str:
    """A view's timeline: stacked bars per bin and layer (:func:`geo.timebins.count_bins`), talks as bands,
    statements as ticks.

    The axis spans the filter's dates (or what is drawn), so a two-day view has two day columns; when it spans
    a week or less, every statement of the view (up to :data:`MAX_TICKS`) is a tick at its time of day, so a
    day's revisions show.

    Parameters
    ----------
    view : View
        The view (its events, claims, talks and filter).
    width, height : int
        The drawing's size in CSS px.
    fs : int
        Font size in CSS px.

    Returns
    -------
    str
        ``<div class="bf-timeline"><svg>…</svg></div>``; ``""`` when there is nothing to draw.
    """
    events = view.events if view.events is not None else pd.DataFrame()
    bars, unit = count_bins(events) if len(events) else (pd.DataFrame(), "day")
    bands = talks_bands(view.talks)
    span = _span(view, bars, bands)
    if span is None:
        return ""
    first, stop = span
    x0, x1 = 6 + fs * 2, width - 6
    y0, y1 = fs + 6, height - fs - 8
    days = stop - first
    short = days <= 7
    tick_h = fs if short else 0
    bar_bottom = y1 - tick_h

    def x(day: float) -> float:
        return x0 + (x1 - x0) * (day - first) / days

    parts = [f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="#fafafa" stroke="#ccc"/>']
    for i, row in enumerate(bands.itertuples(index=False)):
        a, b = int(_days(pd.Series([row.start]))[0]), int(_days(pd.Series([row.end]))[0])
        bx, bw = x(a), max(x(b) - x(a), 2.0)
        parts.append(
            f'<rect class="tl-talks" x="{bx:.1f}" y="{y0}" width="{bw:.1f}" height="{y1 - y0}" '
            f'fill="{escape(row.colour)}" fill-opacity="0.25"><title>{escape(row.label)}</title></rect>'
        )
        if i < 6:  # a band near the right end is labelled leftwards, so its label stays inside the drawing
            right = bx > x0 + (x1 - x0) * 0.7
            at, anchor = (min(bx + bw, x1) - 2, "end") if right else (bx + 2, "start")
            parts.append(
                f'<text x="{at:.1f}" y="{y0 + fs * (1 + i % 2):.0f}" font-size="{fs}" fill="#333" '
                f'text-anchor="{anchor}">{escape(row.label)}</text>'
            )
    colours = {spec.name: spec.colour for spec in registry.all_specs()}
    if not bars.empty:
        peak = float(bars["y1"].max()) or 1.0
        scale = (bar_bottom - y0 - fs - 4) / peak
        starts, ends = _days(bars["start"]), _days(bars["end"])
        narrow = 0.35 if days <= 3 else 0.0  # a day's bar in a view of a few days: a column, not the whole day
        for i, row in enumerate(bars.itertuples(index=False)):
            bx0, bx1 = x(starts[i] + narrow) + 1, x(ends[i] - narrow) - 1
            top, bottom = bar_bottom - row.y1 * scale, bar_bottom - row.y0 * scale
            parts.append(
                f'<rect class="tl-bar" data-layer="{escape(row.layer)}" data-start="{escape(row.start)}" '
                f'x="{bx0:.1f}" y="{top:.1f}" width="{max(bx1 - bx0, 1):.1f}" height="{max(bottom - top, 0.5):.1f}" '
                f'fill="{colours.get(row.layer, "#757575")}" fill-opacity="{0.45 if row.spread else 1}">'
                f"<title>{escape(row.when)}: {escape(row.events_text)} {escape(row.layer_label)}</title></rect>"
            )
        if days <= 3:  # each day's count above its column
            for start, top in bars.groupby("start")["y1"].max().items():
                d = int(_days(pd.Series([start]))[0])
                parts.append(
                    f'<text x="{x(d + 0.5):.1f}" y="{bar_bottom - top * scale - 3:.1f}" font-size="{fs}" '
                    f'text-anchor="middle" fill="#333">{escape(present.number(top))}</text>'
                )
        parts.append(f'<text x="{x0 - 3}" y="{y0 + fs}" font-size="{fs}" text-anchor="end" fill="#333">'
                     f"{escape(present.number(peak) if peak >= 1 else f'{peak:.2g}')}</text>")  # fmt: skip
    if short and view.claims is not None and 0 < len(view.claims) <= MAX_TICKS and "stated_at" in view.claims:
        stated = pd.to_datetime(view.claims["stated_at"], errors="coerce").dropna()
        at = (stated.to_numpy(dtype="datetime64[m]").astype(np.int64) / 1440.0).tolist()
        for value in at:
            if first <= value < stop:
                parts.append(f'<line class="tl-said" x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{y1 - tick_h + 2}" '
                             f'y2="{y1}" stroke="#a93226" stroke-width="2"/>')  # fmt: skip
    parts.append(_axis(first, stop, x, y1, fs))
    key = " ".join(
        f'<tspan fill="{colours.get(name, "#757575")}">■</tspan> {escape(present.layer_label(name))}'
        for name in counted_layers()
        if not bars.empty and name in set(bars["layer"])
    )
    heading = escape(per_bin_title(unit))
    if short:
        heading += " · " + escape(t("ticks: statements, at their time where recorded"))
    if not bands.empty:
        heading += " · " + escape(t("bands: talks"))
    parts.append(f'<text x="{x0}" y="{fs}" font-size="{fs}" fill="#333">{heading} {key}</text>')
    return (
        f'<div class="bf-timeline" id="bf-timeline" data-unit="{unit}" data-days="{days}">'
        f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(t("Timeline"))}" '
        f'font-family="DejaVu Sans, sans-serif">{"".join(parts)}</svg></div>'
    )


def _axis(first: int, stop: int, x: Callable[[float], float], y1: float, fs: int) -> str:
    """Labels under the timeline: each day (and its hours, for three days or fewer), else a day every few."""
    days = stop - first
    width = x(stop) - x(first)
    each = max(1, int(np.ceil(days * fs * 7 / max(width, 1))))  # a label is about 7 characters wide
    out = []

    def label(at: float, text: str, anchor: str) -> None:
        out.append(f'<text x="{x(at):.1f}" y="{y1 + fs + 2}" font-size="{fs}" text-anchor="{anchor}" fill="#333">'
                   f"{escape(text)}</text>")  # fmt: skip

    def tick(at: float) -> None:
        out.append(f'<line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{y1 - 4}" y2="{y1 + 3}" stroke="#777"/>')

    last = present.day(np.datetime64(stop - 1, "D").item(), year=True)
    if days <= 3:  # each day, and its hours
        for d in range(first, stop):
            label(d, present.day(np.datetime64(d, "D").item(), year=False), "start")
            tick(d)
            for hour in (6, 12, 18):
                tick(d + hour / 24)
                label(d + hour / 24, f"{hour:02d}:00", "middle")
        return "".join(out)
    room = (x(stop) - fs * 7 * 1.2) if days > 31 or each > 1 else x(stop)
    for d in range(first, stop, each):
        mid = each == 1 and days <= 31
        at = d + 0.5 if mid else d
        if x(at) + fs * 3.5 > room:
            break
        label(at, present.day(np.datetime64(d, "D").item(), year=False), "middle" if mid else "start")
        tick(d)
    if days > 31 or each > 1:
        label(stop, last, "end")
    return "".join(out)
