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
A layer's colour is its :attr:`geo.layers.LayerSpec.colour` (read from the
registry when a chart is drawn), so a colour means one thing everywhere.

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

Binning
-------
:func:`count_bins` is the one timeline binning (:func:`geo.present.choose_bin`:
per day up to 180 days, then per week, month or year within the row budget);
the exports' small timeline (:mod:`geo.exporters.html`) draws the same bins.
An event dated only to a week or a month (or lasting several days) is spread
evenly over its days and drawn paler, with a tooltip saying over which days —
never piled on its first day.

Texts
-----
Every title, legend, tooltip and "no events match" goes through
:func:`geo.i18n.t`; each chart function takes ``lang`` and draws in it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any, Final

import altair as alt
import numpy as np
import pandas as pd

from geo import i18n, layers, present, schema
from geo.claims import day_only, stated_text, statement_order
from geo.errors import Problem, ValidationError
from geo.filters import member
from geo.i18n import t, tn
from geo.timebins import MAX_ROWS, count_bins, counted_layers, per_bin_title, talks_bands

__all__ = [
    "EMPTY_TEXT",
    "MAX_ROWS",
    "NO_STATUS",
    "SELECTION",
    "SIDE_COLOURS",
    "STATUS_COLOURS",
    "breakdown",
    "breakdowns",
    "figures_over_time",
    "selection_dates",
    "timeline",
]

SELECTION: Final = "span"
"""Name of the timeline's interval selection (``st.altair_chart(…, selection_mode=SELECTION)``)."""
EMPTY_TEXT: Final = "no events match"
"""What a chart of nothing says (in English; charts say it in their language)."""

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
"""Status value of events with no claims (not folded, or nothing stated)."""
_NO_STATUS_COLOUR: Final = "#e0e0e0"
_TALKS_BAND_OPACITY: Final = 0.18
_SPREAD_OPACITY: Final = 0.5
_MAX_CATEGORIES: Final = 30
_UTC: Final = alt.Scale(type="utc")
_COUNT_AXIS: Final = alt.Axis(tickMinStep=1, format=",d")
_SHARE_AXIS: Final = alt.Axis(format=",.2~f")
_BRUSH: Final = "#1f5fbf"


# -- shared helpers -------------------------------------------------------------------------------


def _empty_text() -> str:
    return t("no events match")


def _empty_mark() -> alt.Chart:
    """A text mark saying there is nothing to draw (centred: it has no x or y)."""
    frame = pd.DataFrame({"text": [_empty_text()]})
    return alt.Chart(frame).mark_text(fontSize=14, color="#666666").encode(text="text:N")


def _empty(height: int = 240) -> alt.Chart:
    """A chart saying there is nothing to draw."""
    return _empty_mark().properties(height=height)


def _figure_labels(values: pd.Series, bounds: pd.Series) -> list[str]:
    """``170`` with bound ``at_least`` → ``"≥170"``; ``about`` → ``"~300"``; ``at_most`` → ``"≤5"``."""
    return [present.figure(v, b) for v, b in zip(values, bounds, strict=True)]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _label_expr(labels: Mapping[str, str]) -> str:
    """A Vega expression that writes a legend's values (data keys) as labels in the reader's language."""
    return f"{json.dumps(dict(labels), ensure_ascii=False)}[datum.label] || datum.label"


def _column_label(column: str) -> str:
    """An event column as a chart's title names it ("target type")."""
    known = {
        "weapon": t("weapon"),
        "target_type": t("target type"),
        "impact_type": t("impact type"),
        "side": t("side"),
    }
    return known.get(column) or column.replace("_", " ")


# -- timeline ---------------------------------------------------------------------------------------


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
    lang: str | None = None,
) -> alt.LayerChart:
    """Events per day and layer as stacked bars, with rounds of talks as labelled bands.

    Parameters
    ----------
    events : DataFrame
        Events (folded and filtered, any layers). Each is counted once: an
        event dated to a day on its ``time_start``, one dated only to a
        period (week, month, several days) spread evenly over its days
        (:func:`count_bins`); rows of layers drawn as bands (talks) are not
        counted.
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
    lang : str, optional
        Language of the texts (default: the current one).

    Returns
    -------
    altair.LayerChart
        Bars per day (per week when the events span more than 180 days, per
        month or year if even that would exceed :data:`MAX_ROWS` rows; see
        :func:`count_bins`) in each layer's colour, the shares of events
        dated only to a period stacked on them as paler bars (their tooltip
        says over which days they are spread; a footnote says what paler
        means); a translucent band from the first to the end of the last day
        of each round of talks with a label such as "Abu Dhabi, round 1";
        the text "no events match" when there is nothing to count.
    """
    with i18n.using(lang):
        return _timeline(events, talks, selectable=selectable, height=height)


def _bar_marks(bars: pd.DataFrame, unit: str, x: alt.X) -> list[alt.Chart]:
    """The stacked bars of :func:`count_bins`: events dated to a day, then (paler) those spread over a period."""
    ground = [layers.get(name) for name in counted_layers()]
    labels = _label_expr({s.name: present.layer_label(s.name) for s in ground})
    scale = alt.Scale(domain=[s.name for s in ground], range=[s.colour for s in ground])
    colour = alt.Color("layer:N", scale=scale, legend=alt.Legend(title=None, orient="top", labelExpr=labels))
    axis = _COUNT_AXIS if bars["y1"].max() >= 2 else _SHARE_AXIS  # below 2, the shares of spread events need ticks
    place = {"x": x, "x2": "end:T", "y": alt.Y("y0:Q", title=per_bin_title(unit), axis=axis), "y2": "y1:Q"}
    tips = [alt.Tooltip("when:N", title=t("when")), alt.Tooltip("layer_label:N", title=t("layer"))]
    spread = bars["spread"].to_numpy(dtype=bool)
    kinds = (
        (bars[~spread], 1.0, [alt.Tooltip("events:Q", title=t("events"), format=",")]),
        (
            bars[spread],
            _SPREAD_OPACITY,
            [alt.Tooltip("events_text:N", title=t("events")), alt.Tooltip("note:N", title=t("dated to a period"))],
        ),
    )
    return [
        alt.Chart(rows.drop(columns=["spread_over", "periods"]))
        .mark_rect(stroke="white", strokeWidth=0.5, fillOpacity=opacity)
        .encode(**place, color=colour, tooltip=[*tips, *extra])
        for rows, opacity, extra in kinds
        if not rows.empty
    ]


def _timeline(events: pd.DataFrame, talks: pd.DataFrame | None, *, selectable: bool, height: int) -> alt.LayerChart:
    bars, unit = count_bins(events)
    bands = talks_bands(events if talks is None else talks)
    x = alt.X("start:T", scale=_UTC, title=None)
    marks: list[alt.Chart] = []
    brush = _selection() if selectable else None
    carried = brush is None  # the selection is added to exactly one mark
    if not bands.empty:
        band = (
            alt.Chart(bands)
            .mark_rect(opacity=_TALKS_BAND_OPACITY)
            .encode(
                x=x,
                x2="end:T",
                color=alt.Color("colour:N", scale=None, legend=None),
                tooltip=[
                    alt.Tooltip("label:N", title=t("talks")),
                    alt.Tooltip("dates:N", title=t("dates")),
                    alt.Tooltip("title:N", title=t("round")),
                ],
            )
        )
        label = (
            alt.Chart(bands)
            .mark_text(align="left", baseline="top", dx=3, dy=3, fontSize=10, color="#444444")
            .encode(x=x, y=alt.value(0), text="label:N")
        )
        marks += [band, label]
    footnote: alt.TitleParams | None = None
    if not bars.empty:
        for bar in _bar_marks(bars, unit, x):
            if brush is not None:
                if not carried:
                    bar = bar.add_params(brush)
                    carried = True
                bar = bar.encode(opacity=alt.condition(brush, alt.value(1.0), alt.value(0.45)))
            marks.append(bar)
        if bars["spread"].to_numpy(dtype=bool).any():
            footnote = alt.TitleParams(
                t("Paler: events dated only to a week, a month or several days, each spread evenly over its days."),
                orient="bottom",
                anchor="start",
                fontSize=11,
                fontWeight="normal",
                color="#555555",
            )
    else:
        marks.append(_empty_mark())
    if brush is not None and not carried:
        if not bands.empty:
            marks[0] = marks[0].add_params(brush)
        else:  # nothing drawn: an invisible mark on a time axis carries the selection
            anchor = pd.DataFrame({"start": ["2000-01-01"]})
            marks.insert(
                0,
                alt.Chart(anchor)
                .mark_point(opacity=0)
                .encode(x=alt.X("start:T", scale=_UTC, axis=None))
                .add_params(brush),
            )
    chart = alt.layer(*marks).properties(height=height)
    return chart.properties(title=footnote) if footnote is not None else chart


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


def figures_over_time(events: pd.DataFrame, claims: pd.DataFrame, figure: str, *, lang: str | None = None) -> alt.Chart:
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
    lang : str, optional
        Language of the texts (default: the current one).

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
    with i18n.using(lang):
        return _figures_over_time(events, claims, figure)


def _figure_title(figure: str) -> str:
    """A figure as an axis names it, with its unit: "area (km²)", "intercepted"."""
    with_unit = {"area_km2": t("area (km²)"), "duration_h": t("duration (hours)")}
    return with_unit.get(figure) or present.figure_label(figure)


def _figures_over_time(events: pd.DataFrame, claims: pd.DataFrame, figure: str) -> alt.Chart:
    title = _figure_title(figure)
    heading = t("{figure} as stated", figure=title)
    if events.empty or claims.empty or figure not in claims.columns or "event_id" not in events.columns:
        return _empty().properties(title=heading)
    bound_col = schema.bound_column(figure)
    wanted = ("claim_id", "event_id", "claimant", "party", "stance", "stated_at", "stated_precision", figure, bound_col)
    wanted += ("publisher",)
    stated = claims.loc[claims[figure].notna().to_numpy(dtype=bool), [c for c in wanted if c in claims.columns]]
    stated = stated[member(stated["event_id"], events["event_id"])]
    stated = stated[pd.to_datetime(stated["stated_at"], errors="coerce").notna().to_numpy()]
    if stated.empty:
        return _empty().properties(title=heading)
    n_events = stated["event_id"].nunique()
    subtitle = None
    if len(stated) > MAX_ROWS:
        per_event = stated.groupby("event_id", sort=False)["stated_at"].agg(["size", "max"])
        per_event = per_event.sort_values(["size", "max"], ascending=[False, False], kind="stable")
        keep = per_event.index[per_event["size"].cumsum().to_numpy() <= MAX_ROWS]
        stated = stated[member(stated["event_id"], pd.Series(keep))]
        subtitle = t(
            "the {shown} events with the most statements, of {total}",
            shown=present.number(len(keep)),
            total=present.number(n_events),
        )
    stated = stated.iloc[statement_order(stated, first=("event_id", "claimant"))]
    info = events.loc[:, [c for c in ("event_id", "title", "place") if c in events.columns]]
    info = info.drop_duplicates("event_id").set_index("event_id")
    event_name = _column(info, "title").fillna(_column(info, "place")).fillna(pd.Series(info.index, index=info.index))
    at = pd.to_datetime(stated["stated_at"])
    # A statement known only to its day is plotted at the day's end, after that day's timed ones (never at midnight).
    at = at.where(~day_only(stated), at.dt.normalize() + pd.Timedelta(hours=23, minutes=59))
    data = pd.DataFrame(
        {
            "stated": at.dt.strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy(),
            "when": stated_text(stated).to_numpy(),
            "value": stated[figure].astype(float).to_numpy(),
            "label": _figure_labels(stated[figure].astype(float), _column(stated, bound_col)),
            "claimant": stated["claimant"].astype(str).to_numpy(),
            "party": _column(stated, "party").fillna("").astype(str).to_numpy(),
            "stance": [present.stance_label(v) for v in _column(stated, "stance")],
            "publisher": _column(stated, "publisher").fillna("").astype(str).to_numpy(),
            "event": stated["event_id"].map(event_name).fillna(stated["event_id"]).astype(str).to_numpy(),
            "series": (stated["event_id"].astype(str) + "|" + stated["claimant"].astype(str)).to_numpy(),
        }
    )
    chart_title = alt.TitleParams(heading, subtitle=subtitle) if subtitle else heading
    return (
        alt.Chart(data)
        .mark_line(interpolate="step-after", point=True)
        .encode(
            x=alt.X("stated:T", scale=_UTC, title=t("stated")),
            y=alt.Y("value:Q", title=title),
            color=alt.Color(
                "claimant:N", legend=alt.Legend(title=t("claimant"), orient="bottom", columns=2, labelLimit=360)
            ),
            detail="series:N",
            tooltip=[
                alt.Tooltip("claimant:N", title=t("claimant")),
                alt.Tooltip("party:N", title=t("party")),
                alt.Tooltip("event:N", title=t("event")),
                alt.Tooltip("when:N", title=t("stated")),
                alt.Tooltip("label:N", title=title),
                alt.Tooltip("stance:N", title=t("stance")),
                alt.Tooltip("publisher:N", title=t("source")),
            ],
        )
        .properties(title=chart_title)
    )


# -- breakdown --------------------------------------------------------------------------------------------


_MULTI: Final = frozenset(c.name for c in schema.EVENT_COLUMNS if c.multi)


def breakdown(events: pd.DataFrame, by: str, *, lang: str | None = None) -> alt.Chart:
    """Horizontal bars counting events per category, coloured by status.

    Parameters
    ----------
    events : DataFrame
        Events (folded, filtered).
    by : str
        An event column: ``"weapon"``, ``"target_type"``, ``"impact_type"``,
        ``"side"`` (:func:`breakdowns`) or any other. A multi-valued column
        (``impact_type`` "power;heating") counts the event once per part, so
        the bars can add up to more than the number of events. Events with no
        value are left out and counted in the subtitle.
    lang : str, optional
        Language of the texts and categories (default: the current one).

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
    with i18n.using(lang):
        return _breakdown(events, by)


def breakdowns() -> tuple[str, ...]:
    """The event columns worth a breakdown: every registered layer's ``breakdowns``, in registry order.

    Returns
    -------
    tuple of str
        ``("side", "weapon", "target_type", "impact_type", …)``, read from :mod:`geo.layers` now.
    """
    return tuple(dict.fromkeys(column for spec in layers.all_specs() for column in spec.breakdowns))


def _status_text(status: str) -> str:
    return t("no claims") if status == NO_STATUS else present.status_label(status)


def _breakdown(events: pd.DataFrame, by: str) -> alt.Chart:
    label = _column_label(by)
    heading = t("events by {column}", column=label)
    if events.empty:
        return _empty().properties(title=heading)
    if by not in events.columns:
        raise ValidationError(
            Problem(f"events have no column {by!r}", column="by", fix=f"use one of: {', '.join(breakdowns())}"),
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
        return _empty().properties(title=heading)
    totals = counts.groupby("value")["events"].sum().sort_values(ascending=False, kind="stable")
    names = {v: present.value_label(by, v) for v in totals.index}
    if len(totals) > _MAX_CATEGORIES:
        rest = totals.index[_MAX_CATEGORIES - 1 :]
        other = "\x00others"  # not a value any column holds
        names[other] = tn("{n} other", "{n} others", len(rest))
        counts["value"] = counts["value"].where(~counts["value"].isin(rest), other)
        counts = counts.groupby(["value", "status"], sort=False)["events"].sum().reset_index()
        totals = counts.groupby("value")["events"].sum().sort_values(ascending=False, kind="stable")
    counts["category"] = counts["value"].map(names)
    order = [names[v] for v in totals.index]
    extra = sorted(set(counts["status"].astype(str)) - set(STATUS_COLOURS) - {NO_STATUS})  # not in the schema
    domain = [*STATUS_COLOURS, *extra, *([NO_STATUS] if (counts["status"] == NO_STATUS).any() else [])]
    colours = [STATUS_COLOURS.get(s, _NO_STATUS_COLOUR) for s in domain]
    counts["share"] = counts["events"] / counts["value"].map(totals)
    counts["rank"] = counts["status"].map({s: i for i, s in enumerate(domain)})
    counts["state"] = counts["status"].map(_status_text)
    subtitle = (
        tn("not shown: {n} event with no {column}", "not shown: {n} events with no {column}", missing, column=label)
        if missing
        else None
    )
    return (
        alt.Chart(counts[["category", "status", "state", "events", "share", "rank"]])
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=order, title=None),
            x=alt.X("events:Q", title=t("events"), stack="zero", axis=_COUNT_AXIS),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(
                    title=t("status"), orient="bottom", labelExpr=_label_expr({s: _status_text(s) for s in domain})
                ),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("category:N", title=label),
                alt.Tooltip("state:N", title=t("status")),
                alt.Tooltip("events:Q", title=t("events"), format=","),
                alt.Tooltip("share:Q", title=t("share of this {column}", column=label), format=".0%"),
            ],
        )
        .properties(title=alt.TitleParams(heading, subtitle=subtitle) if subtitle else heading)
    )
