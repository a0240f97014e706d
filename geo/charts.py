"""Altair charts of folded events: timeline with talks, stated figures over time, breakdowns.

Every chart is built from a small table aggregated here in pandas/numpy, never
from the events themselves: whatever the number of events, a chart carries at
most :data:`MAX_ROWS` rows (Altair's own limit), so a million events draw as
fast as a hundred. Every chart also accepts an empty input and then shows
"no events match" instead of raising.

Dates are sent to Vega-Lite as ``YYYY-MM-DD`` (or ``…THH:MM:SSZ``) strings and
drawn on UTC time scales, so a bar for 15 February sits on 15 February in
every browser time zone and an interval selection comes back in UTC
(:func:`selection_dates`).

Colours
-------
The map uses the same constants, so a colour means one thing everywhere.

:data:`LAYER_COLOURS`
    ColorBrewer *Dark2* (colour-blind safe for three classes): captures
    purple, strikes orange, outages and other impacts teal; talks grey (drawn
    as translucent bands).
:data:`STATUS_COLOURS`
    Ordered by lightness so they stay apart in greyscale print and for the
    common colour-vision deficiencies: *confirmed* darkest (navy), *claimed*
    mid grey, *disputed* orange, *contested* yellow and *retracted* light grey
    (faded on purpose: a withdrawn claim). Contested and retracted are close
    in lightness but differ in hue, and yellow survives deuteranopia,
    protanopia and tritanopia alike; the map also draws retracted events
    hollow, so colour is never the only cue.
:data:`SIDE_COLOURS`
    Russia red, Ukraine blue (a red–blue pair stays distinct under all common
    colour-vision deficiencies), independent and other sources greys.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Final

import altair as alt
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import schema
from geo.errors import Problem, ValidationError
from geo.filters import describe_dates, member

__all__ = [
    "BREAKDOWNS",
    "EMPTY_TEXT",
    "LAYER_COLOURS",
    "MAX_ROWS",
    "NO_STATUS",
    "SELECTION",
    "SIDE_COLOURS",
    "STATUS_COLOURS",
    "breakdown",
    "figures_over_time",
    "selection_dates",
    "timeline",
]

SELECTION: Final = "span"
"""Name of the timeline's interval selection (``st.altair_chart(…, selection_mode=SELECTION)``)."""
MAX_ROWS: Final = 5000
"""Most data rows any chart carries."""
EMPTY_TEXT: Final = "no events match"
"""What a chart of nothing says."""
BREAKDOWNS: Final = ("weapon", "target_type", "impact_type", "side")
"""Categories :func:`breakdown` is meant for (any event column works)."""

LAYER_COLOURS: Final[dict[str, str]] = {
    "capture": "#7570b3",
    "strike": "#d95f02",
    "impact": "#1b9e77",
    "talks": "#8c8c8c",
}
"""Colour of each layer (ColorBrewer Dark2; talks grey)."""
STATUS_COLOURS: Final[dict[str, str]] = {
    "confirmed": "#2c3e50",
    "claimed": "#808080",
    "disputed": "#e67e22",
    "contested": "#f1c40f",
    "retracted": "#c8c8c8",
}
"""Colour of each status, darkest to lightest."""
SIDE_COLOURS: Final[dict[str, str]] = {
    "RU": "#c0392b",
    "UA": "#1f5fbf",
    "independent": "#7f7f7f",
    "other": "#b3b3b3",
}
"""Colour of each party."""
NO_STATUS: Final = "no claims"
"""Status shown for events with no claims (not folded, or nothing stated)."""
_NO_STATUS_COLOUR: Final = "#e0e0e0"
_TALKS_BAND_OPACITY: Final = 0.18
_DAILY_MAX_DAYS: Final = 180
"""Longest span (days) counted per day; longer spans are counted per week (or coarser)."""
_MAX_TALKS: Final = 500
_MAX_CATEGORIES: Final = 30
_BOUND_SIGNS: Final = {"at_least": "≥", "at_most": "≤", "about": "~", "exact": ""}
_FIGURE_TITLES: Final = {"area_km2": "area (km²)", "duration_h": "duration (hours)"}
_UTC: Final = alt.Scale(type="utc")
_COUNT_AXIS: Final = alt.Axis(tickMinStep=1, format=",d")
_BRUSH: Final = "#1f5fbf"


# -- shared helpers -------------------------------------------------------------------------------


def _empty_mark(text: str = EMPTY_TEXT) -> alt.Chart:
    """A text mark saying there is nothing to draw (centred: it has no x or y)."""
    return alt.Chart(pd.DataFrame({"text": [text]})).mark_text(fontSize=14, color="#666666").encode(text="text:N")


def _empty(height: int = 240, text: str = EMPTY_TEXT) -> alt.Chart:
    """A chart saying there is nothing to draw."""
    return _empty_mark(text).properties(height=height)


def _day_strings(days: npt.NDArray[np.datetime64]) -> list[str]:
    return [str(d) for d in np.asarray(days, dtype="datetime64[D]")]


def _when(day: dt.date, unit: str) -> str:
    if unit == "week":
        return f"week of {day.day} {day:%b %Y}"
    if unit == "month":
        return f"{day:%b %Y}"
    if unit == "year":
        return f"{day.year}"
    return f"{day.day} {day:%b %Y}"


def _number(value: float) -> str:
    if not math.isfinite(value):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def _figure_labels(values: pd.Series, bounds: pd.Series) -> list[str]:
    """``170`` with bound ``at_least`` → ``"≥170"``; ``about`` → ``"~300"``; ``at_most`` → ``"≤5"``."""
    signs = bounds.map(_BOUND_SIGNS).fillna("")
    return [f"{s}{_number(v)}" for s, v in zip(signs, values, strict=True)]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


# -- timeline ---------------------------------------------------------------------------------------


def _ordinals(days: npt.NDArray[np.int64], unit: str) -> npt.NDArray[np.int64]:
    """Bin number of each day (days since 1970-01-01) for a unit; weeks start on Monday."""
    if unit == "day":
        return days
    if unit == "week":
        return (days + 3) // 7  # 1970-01-05 (day 4) is a Monday: week 1 starts there
    as_day = days.astype("datetime64[D]")
    return as_day.astype(f"datetime64[{'M' if unit == 'month' else 'Y'}]").astype(np.int64)


def _bin_start(ordinal: npt.NDArray[np.int64], unit: str) -> npt.NDArray[np.datetime64]:
    if unit == "day":
        return ordinal.astype("datetime64[D]")
    if unit == "week":
        return (ordinal * 7 - 3).astype("datetime64[D]")
    return ordinal.astype(f"datetime64[{'M' if unit == 'month' else 'Y'}]").astype("datetime64[D]")


def _count_bins(events: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Events per time bin and layer, stacked (``y0``/``y1``), at most :data:`MAX_ROWS` rows."""
    ground = [layer for layer in schema.LAYERS if layer != "talks"]
    codes, uniques = pd.factorize(_column(events, "layer"), use_na_sentinel=True)
    lookup = np.array([ground.index(u) if u in ground else -1 for u in uniques] + [-1], dtype=np.int64)
    layer_code = lookup[codes]  # code -1 (missing) takes the last entry
    start = pd.to_datetime(_column(events, "time_start"), errors="coerce").to_numpy(dtype="datetime64[D]")
    keep = (layer_code >= 0) & ~np.isnat(start)
    if not keep.any():
        return pd.DataFrame(), "day"
    days = start[keep].astype(np.int64)
    codes = layer_code[keep]
    span = int(days.max() - days.min())
    unit = "year"
    for candidate in ("day", "week", "month", "year"):
        if candidate == "day" and span > _DAILY_MAX_DAYS:
            continue
        ordinal = _ordinals(days, candidate)
        if (int(ordinal.max() - ordinal.min()) + 1) * len(ground) <= MAX_ROWS:
            unit = candidate
            break
    ordinal = _ordinals(days, unit)
    first = int(ordinal.min())
    nbins = int(ordinal.max()) - first + 1
    counts = np.bincount((ordinal - first) * len(ground) + codes, minlength=nbins * len(ground))
    counts = counts.reshape(nbins, len(ground))
    top = counts.cumsum(axis=1)
    b, c = np.nonzero(counts)
    bin_ord = np.arange(first, first + nbins + 1, dtype=np.int64)
    starts = _bin_start(bin_ord, unit)
    table = pd.DataFrame(
        {
            "start": _day_strings(starts[b]),
            "end": _day_strings(starts[b + 1]),
            "when": [_when(d, unit) for d in starts[b].astype(object)],
            "layer": np.asarray(ground, dtype=object)[c],
            "events": counts[b, c],
            "y0": top[b, c] - counts[b, c],
            "y1": top[b, c],
        }
    )
    return table, unit


def _talks_label(venue: object, place: object, title: object, round_: object) -> str:
    where = venue if isinstance(venue, str) and venue.strip() else place
    where = where.split(",")[0].strip() if isinstance(where, str) and where.strip() else None
    if where is None:
        where = title.strip() if isinstance(title, str) and title.strip() else "talks"
    if isinstance(round_, (int, float)) and math.isfinite(round_):
        return f"{where}, round {round_:.0f}"
    return where


def _talks_bands(talks: pd.DataFrame | None) -> pd.DataFrame:
    """One row per round of talks: ``start``, ``end`` (day after the last), ``label``, ``title``, ``dates``."""
    if talks is None or talks.empty:
        return pd.DataFrame()
    if "layer" in talks.columns:
        talks = talks[talks["layer"] == "talks"]
    start = pd.to_datetime(_column(talks, "time_start"), errors="coerce")
    end = pd.to_datetime(_column(talks, "time_end"), errors="coerce").fillna(start)
    ok = start.notna().to_numpy()
    talks, start, end = talks[ok], start[ok], end[ok]
    if talks.empty:
        return pd.DataFrame()
    order = np.argsort(start.to_numpy(), kind="stable")[-_MAX_TALKS:]  # the latest rounds if ever more
    talks, start, end = talks.iloc[order], start.iloc[order], end.iloc[order]
    labels = [
        _talks_label(v, p, t, r)
        for v, p, t, r in zip(
            _column(talks, "venue"), _column(talks, "place"), _column(talks, "title"), _column(talks, "round"),
            strict=True,
        )
    ]  # fmt: skip
    first = start.dt.date.to_numpy()
    last = end.dt.date.to_numpy()
    return pd.DataFrame(
        {
            "start": _day_strings(start.to_numpy()),
            "end": _day_strings(end.to_numpy() + np.timedelta64(1, "D")),
            "label": labels,
            "title": _column(talks, "title").fillna("").astype(str).to_numpy(),
            "dates": [describe_dates(a, b) for a, b in zip(first, last, strict=True)],
        }
    )


def _selection() -> alt.Parameter:
    # A blue brush, so the selection never looks like a (grey) band of talks.
    brush = alt.BrushConfig(fill=_BRUSH, fillOpacity=0.15, stroke=_BRUSH, strokeWidth=1)
    return alt.selection_interval(encodings=["x"], name=SELECTION, mark=brush)


def timeline(
    events: pd.DataFrame,
    talks: pd.DataFrame | None = None,
    *,
    selectable: bool = True,
    height: int = 240,
) -> alt.LayerChart:
    """Events per day and layer as stacked bars, with rounds of talks as labelled bands.

    Parameters
    ----------
    events : DataFrame
        Events (folded and filtered, any layers). Each is counted once, on
        its ``time_start``; rows of the ``talks`` layer are not counted.
    talks : DataFrame, optional
        Rounds of talks to draw as bands (rows of the ``talks`` layer are
        used). By default, the talks among ``events``. Pass them separately
        when the events were filtered by region or area (talks have no
        region), e.g. the talks of the same date range.
    selectable : bool, default True
        Add an interval selection named :data:`SELECTION` on the x axis, for
        ``st.altair_chart(chart, on_select="rerun", selection_mode=SELECTION)``;
        read it with :func:`selection_dates`.
    height : int, default 240
        Height in pixels.

    Returns
    -------
    altair.LayerChart
        Bars per day (per week when the events span more than 180 days, per
        month or year if even that would exceed :data:`MAX_ROWS` rows), a
        translucent band from the first to the end of the last day of each
        round of talks with a label such as "Abu Dhabi, round 1", and the
        text "no events match" when there is nothing to count.
    """
    bars, unit = _count_bins(events)
    bands = _talks_bands(events if talks is None else talks)
    x = alt.X("start:T", scale=_UTC, title=None)
    layers: list[alt.Chart] = []
    brush = _selection() if selectable else None
    if not bands.empty:
        band = (
            alt.Chart(bands)
            .mark_rect(color=LAYER_COLOURS["talks"], opacity=_TALKS_BAND_OPACITY)
            .encode(
                x=x,
                x2="end:T",
                tooltip=[
                    alt.Tooltip("label:N", title="talks"),
                    alt.Tooltip("dates:N", title="dates"),
                    alt.Tooltip("title:N", title="round"),
                ],
            )
        )
        label = (
            alt.Chart(bands)
            .mark_text(align="left", baseline="top", dx=3, dy=3, fontSize=10, color="#444444")
            .encode(x=x, y=alt.value(0), text="label:N")
        )
        layers += [band, label]
    if not bars.empty:
        present = [layer for layer in LAYER_COLOURS if layer != "talks"]
        bar = (
            alt.Chart(bars)
            .mark_rect(stroke="white", strokeWidth=0.5)
            .encode(
                x=x,
                x2="end:T",
                y=alt.Y("y0:Q", title=f"events per {unit}", axis=_COUNT_AXIS),
                y2="y1:Q",
                color=alt.Color(
                    "layer:N",
                    scale=alt.Scale(domain=present, range=[LAYER_COLOURS[v] for v in present]),
                    legend=alt.Legend(title=None, orient="top"),
                ),
                tooltip=[
                    alt.Tooltip("when:N", title="when"),
                    alt.Tooltip("layer:N", title="layer"),
                    alt.Tooltip("events:Q", title="events", format=","),
                ],
            )
        )
        if brush is not None:
            bar = bar.add_params(brush).encode(opacity=alt.condition(brush, alt.value(1.0), alt.value(0.45)))
            brush = None
        layers.append(bar)
    else:
        layers.append(_empty_mark())
    if brush is not None:
        if not bands.empty:
            layers[0] = layers[0].add_params(brush)
        else:  # nothing drawn: an invisible mark on a time axis carries the selection
            anchor = pd.DataFrame({"start": ["2000-01-01"]})
            layers.insert(
                0,
                alt.Chart(anchor)
                .mark_point(opacity=0)
                .encode(x=alt.X("start:T", scale=_UTC, axis=None))
                .add_params(brush),
            )
    return alt.layer(*layers).properties(height=height)


def selection_dates(state: Mapping[str, Any] | None) -> tuple[dt.date, dt.date] | None:
    """Read the timeline's interval selection from what ``st.altair_chart(..., on_select="rerun")`` returns.

    Parameters
    ----------
    state : mapping or None
        The returned event state, ``{"selection": {"span": {"start": [a, b]}}}``,
        where ``a`` and ``b`` are epoch milliseconds (UTC) or ISO date(time)
        strings; ``{"selection": {"span": {}}}`` when nothing is selected. The
        inner ``{"span": …}`` mapping alone is accepted too.

    Returns
    -------
    tuple of (date, date) or None
        First and last day selected (both inclusive; an end exactly at
        midnight belongs to the day before), or None when nothing (or
        something unreadable) is selected.
    """
    if not isinstance(state, Mapping):
        return None
    selection = state.get("selection", state)
    if not isinstance(selection, Mapping):
        return None
    span = selection.get(SELECTION)
    if not isinstance(span, Mapping) or not span:
        return None
    values = span.get("start")
    if values is None:
        values = next((v for v in span.values() if isinstance(v, (list, tuple)) and len(v) == 2), None)
    if not isinstance(values, (list, tuple)) or len(values) != 2:
        return None
    stamps = [_timestamp(v) for v in values]
    if stamps[0] is None or stamps[1] is None:
        return None
    lo, hi = sorted(stamps)
    if hi > lo and hi == hi.normalize():
        hi -= pd.Timedelta(milliseconds=1)
    return lo.date(), hi.date()


def _timestamp(value: object) -> pd.Timestamp | None:
    """Epoch milliseconds or an ISO string (or a date) → naive UTC Timestamp; None if unreadable."""
    try:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float, np.integer, np.floating)):
            if not math.isfinite(float(value)):
                return None
            ts = pd.Timestamp(float(value), unit="ms", tz="UTC")
        elif isinstance(value, (str, dt.date, dt.datetime)):
            text = value.strip() if isinstance(value, str) else value
            if isinstance(text, str) and text.lstrip("-").replace(".", "", 1).isdigit():
                ts = pd.Timestamp(float(text), unit="ms", tz="UTC")
            else:
                ts = pd.Timestamp(text)
        else:
            return None
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return None
    if pd.isna(ts):
        return None
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts


# -- figures over time ---------------------------------------------------------------------------------


def figures_over_time(events: pd.DataFrame, claims: pd.DataFrame, figure: str) -> alt.Chart:
    """Each claimant's stated value of one figure over statement time.

    Parameters
    ----------
    events : DataFrame
        Events (filtered); only their claims are drawn.
    claims : DataFrame
        Claims (``event_id``, ``claimant``, ``party``, ``stated_at``, the
        figure and its ``<figure>_bound``, ``publisher``…).
    figure : str
        One of :data:`geo.schema.CLAIM_FIGURES`, e.g. ``"intercepted"``,
        ``"launched"`` (strikes), ``"area_km2"``, ``"settlements"`` (captures).

    Returns
    -------
    altair.Chart
        A step line with points per event and claimant, coloured by claimant,
        so a revision (120 → ≥170 → 229) shows as a step; tooltips give the
        claimant, party, event, statement date, the value with its bound
        ("≥170", "~300") and the publisher. When more than :data:`MAX_ROWS`
        statements match, the events with the most statements are drawn and
        the subtitle says how many. "no events match" when none states the
        figure.

    Raises
    ------
    ValidationError
        ``figure`` is not a known figure.
    """
    if figure not in schema.CLAIM_FIGURES:
        raise ValidationError(
            Problem(
                f"unknown figure {figure!r}", column="figure", fix=f"use one of: {', '.join(schema.CLAIM_FIGURES)}"
            ),
            context="figures_over_time",
        )
    title = _FIGURE_TITLES.get(figure, figure.replace("_", " "))
    if events.empty or claims.empty or figure not in claims.columns or "event_id" not in events.columns:
        return _empty(text=EMPTY_TEXT).properties(title=f"{title} as stated")
    bound_col = schema.bound_column(figure)
    wanted = ("event_id", "claimant", "party", "stance", "stated_at", figure, bound_col, "publisher")
    stated = claims.loc[claims[figure].notna().to_numpy(dtype=bool), [c for c in wanted if c in claims.columns]]
    stated = stated[member(stated["event_id"], events["event_id"])]
    stated = stated[pd.to_datetime(stated["stated_at"], errors="coerce").notna().to_numpy()]
    if stated.empty:
        return _empty(text=EMPTY_TEXT).properties(title=f"{title} as stated")
    n_events = stated["event_id"].nunique()
    subtitle = None
    if len(stated) > MAX_ROWS:
        per_event = stated.groupby("event_id", sort=False)["stated_at"].agg(["size", "max"])
        per_event = per_event.sort_values(["size", "max"], ascending=[False, False], kind="stable")
        keep = per_event.index[per_event["size"].cumsum().to_numpy() <= MAX_ROWS]
        stated = stated[member(stated["event_id"], pd.Series(keep))]
        subtitle = f"the {len(keep):,} events with the most statements, of {n_events:,}"
    stated = stated.sort_values(["event_id", "claimant", "stated_at"], kind="stable")
    info = events.loc[:, [c for c in ("event_id", "title", "place") if c in events.columns]]
    info = info.drop_duplicates("event_id").set_index("event_id")
    event_name = _column(info, "title").fillna(_column(info, "place")).fillna(pd.Series(info.index, index=info.index))
    at = pd.to_datetime(stated["stated_at"])
    data = pd.DataFrame(
        {
            "stated": at.dt.strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy(),
            "when": [f"{t.day} {t:%b %Y}" + ("" if t == t.normalize() else f" {t:%H:%M}") for t in at],
            "value": stated[figure].astype(float).to_numpy(),
            "label": _figure_labels(stated[figure].astype(float), _column(stated, bound_col)),
            "claimant": stated["claimant"].astype(str).to_numpy(),
            "party": _column(stated, "party").fillna("").astype(str).to_numpy(),
            "stance": _column(stated, "stance").fillna("").astype(str).to_numpy(),
            "publisher": _column(stated, "publisher").fillna("").astype(str).to_numpy(),
            "event": stated["event_id"].map(event_name).fillna(stated["event_id"]).astype(str).to_numpy(),
            "series": (stated["event_id"].astype(str) + "|" + stated["claimant"].astype(str)).to_numpy(),
        }
    )
    chart_title = alt.TitleParams(f"{title} as stated", subtitle=subtitle) if subtitle else f"{title} as stated"
    return (
        alt.Chart(data)
        .mark_line(interpolate="step-after", point=True)
        .encode(
            x=alt.X("stated:T", scale=_UTC, title="stated"),
            y=alt.Y("value:Q", title=title),
            color=alt.Color(
                "claimant:N", legend=alt.Legend(title="claimant", orient="bottom", columns=2, labelLimit=360)
            ),
            detail="series:N",
            tooltip=[
                alt.Tooltip("claimant:N", title="claimant"),
                alt.Tooltip("party:N", title="party"),
                alt.Tooltip("event:N", title="event"),
                alt.Tooltip("when:N", title="stated"),
                alt.Tooltip("label:N", title=title),
                alt.Tooltip("stance:N", title="stance"),
                alt.Tooltip("publisher:N", title="source"),
            ],
        )
        .properties(title=chart_title)
    )


# -- breakdown --------------------------------------------------------------------------------------------


_MULTI: Final = frozenset(c.name for c in schema.EVENT_COLUMNS if c.multi)


def breakdown(events: pd.DataFrame, by: str) -> alt.Chart:
    """Horizontal bars counting events per category, coloured by status.

    Parameters
    ----------
    events : DataFrame
        Events (folded, filtered).
    by : str
        An event column: ``"weapon"``, ``"target_type"``, ``"impact_type"``,
        ``"side"`` (:data:`BREAKDOWNS`) or any other. A multi-valued column
        (``impact_type`` "power;heating") counts the event once per part, so
        the bars can add up to more than the number of events. Events with no
        value are left out and counted in the subtitle.

    Returns
    -------
    altair.Chart
        One bar per category, longest first (the 30 largest; the rest folded
        into one "N others" bar), stacked by status in
        :data:`STATUS_COLOURS`; events without claims are "no claims".
        "no events match" when no event has a value.

    Raises
    ------
    ValidationError
        ``by`` is not a column of ``events`` (checked only when there are
        events).
    """
    label = by.replace("_", " ")
    if events.empty:
        return _empty(text=EMPTY_TEXT).properties(title=f"events by {label}")
    if by not in events.columns:
        raise ValidationError(
            Problem(f"events have no column {by!r}", column="by", fix=f"use one of: {', '.join(BREAKDOWNS)}"),
            context="breakdown",
        )
    status = _column(events, "status").astype(object).where(_column(events, "status").notna(), NO_STATUS)
    pairs = pd.DataFrame({"value": events[by].to_numpy(dtype=object), "status": status.to_numpy(dtype=object)})
    counts = pairs.groupby(["value", "status"], dropna=True, sort=False).size().rename("events").reset_index()
    missing = int(pairs["value"].isna().sum() + (pairs["value"].astype(str).str.strip() == "").sum())
    if by in _MULTI:
        counts["value"] = counts["value"].map(schema.split_multi)
        counts = counts.explode("value").dropna(subset=["value"])
    counts["value"] = counts["value"].astype(str).str.strip()
    counts = counts[counts["value"] != ""]
    counts = counts.groupby(["value", "status"], sort=False)["events"].sum().reset_index()
    if counts.empty:
        return _empty(text=EMPTY_TEXT).properties(title=f"events by {label}")
    totals = counts.groupby("value")["events"].sum().sort_values(ascending=False, kind="stable")
    if len(totals) > _MAX_CATEGORIES:
        rest = totals.index[_MAX_CATEGORIES - 1 :]
        other = f"{len(rest)} others"
        counts["value"] = counts["value"].where(~counts["value"].isin(rest), other)
        counts = counts.groupby(["value", "status"], sort=False)["events"].sum().reset_index()
        totals = counts.groupby("value")["events"].sum().sort_values(ascending=False, kind="stable")
    counts["category"] = counts["value"].str.replace("_", " ")
    order = [v.replace("_", " ") for v in totals.index]
    extra = sorted(set(counts["status"].astype(str)) - set(STATUS_COLOURS) - {NO_STATUS})  # not in the schema
    domain = [*STATUS_COLOURS, *extra, *([NO_STATUS] if (counts["status"] == NO_STATUS).any() else [])]
    colours = [STATUS_COLOURS.get(s, _NO_STATUS_COLOUR) for s in domain]
    counts["share"] = counts["events"] / counts["value"].map(totals)
    counts["rank"] = counts["status"].map({s: i for i, s in enumerate(domain)})
    subtitle = f"not shown: {missing:,} events with no {label}" if missing else None
    return (
        alt.Chart(counts[["category", "status", "events", "share", "rank"]])
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=order, title=None),
            x=alt.X("events:Q", title="events", stack="zero", axis=_COUNT_AXIS),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(title="status", orient="bottom"),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("category:N", title=label),
                alt.Tooltip("status:N", title="status"),
                alt.Tooltip("events:Q", title="events", format=","),
                alt.Tooltip("share:Q", title=f"share of this {label}", format=".0%"),
            ],
        )
        .properties(
            title=alt.TitleParams(f"events by {label}", subtitle=subtitle) if subtitle else f"events by {label}"
        )
    )
