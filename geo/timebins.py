"""The one timeline binning: events per bin and layer, and the bands of the talks.

The dashboard's timeline (:func:`geo.charts.timeline`) and the exports' small
timeline (:mod:`geo.exporters.html`) both draw these tables, so a long span
is binned the same way everywhere: per day up to 180 days, then per week,
month or year within a row budget (:func:`geo.present.choose_bin`). An event
dated only to a week or a month (or lasting several days) is spread evenly
over its days, never piled on its first one (:func:`count_bins`). Which
layers are counted and which are bands (the talks), and their colours, are
read from the registry (:mod:`geo.layers`) at call time.

Everything is vectorised: a million events bin in well under a second.
"""

from __future__ import annotations

import math
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import layers, present
from geo.i18n import t

__all__ = [
    "MAX_ROWS",
    "MAX_TALKS",
    "SPREAD_MIN_DAYS",
    "SPREAD_PRECISIONS",
    "band_layers",
    "count_bins",
    "counted_layers",
    "per_bin_title",
    "talks_bands",
]

MAX_ROWS: Final = 5000
"""Most rows (bins × counted layers) a binned timeline has by default (Altair's own limit)."""
MAX_TALKS: Final = 500
"""Most bands drawn (the latest)."""
SPREAD_PRECISIONS: Final = ("week", "month")
"""Time precisions of events dated only to a period: a timeline spreads them over their days."""
SPREAD_MIN_DAYS: Final = 3
"""An event dated to the day but lasting this many days or more is spread too (an overnight wave, 15–16 Feb, is not)."""
_FALLBACK_BAND_COLOUR: Final = "#8c8c8c"


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _day_strings(days: npt.NDArray[np.datetime64]) -> list[str]:
    return [str(d) for d in np.asarray(days, dtype="datetime64[D]")]


def band_layers() -> tuple[str, ...]:
    """The layers a timeline draws as bands (``timeline == "bands"``: the talks), in registry order.

    Returns
    -------
    tuple of str
        Layer names, read from :mod:`geo.layers` now.
    """
    return _timed("bands")


def counted_layers() -> tuple[str, ...]:
    """The layers a timeline counts (``timeline == "counts"``), in registry order; the others are bands.

    Returns
    -------
    tuple of str
        Layer names, read from :mod:`geo.layers` now.
    """
    return _timed("counts")


def _timed(kind: str) -> tuple[str, ...]:
    return tuple(spec.name for spec in layers.all_specs() if spec.timeline == kind)


def per_bin_title(unit: str) -> str:
    """The count axis of a timeline binned by ``unit``: "events per day" (translated).

    Parameters
    ----------
    unit : {"day", "week", "month", "year"}
        The bin (:data:`geo.present.BIN_UNITS`).

    Returns
    -------
    str
        The title.
    """
    titles = {
        "day": t("events per day"),
        "week": t("events per week"),
        "month": t("events per month"),
        "year": t("events per year"),
    }
    return titles.get(unit, titles["day"])


def _days_of(values: pd.Series) -> npt.NDArray[np.datetime64]:
    return pd.to_datetime(values, errors="coerce").to_numpy(dtype="datetime64[D]")


def _coarse(precision: pd.Series) -> npt.NDArray[np.bool_]:
    """Whether each event is dated only to a week or a month (:data:`SPREAD_PRECISIONS`)."""
    codes, uniques = pd.factorize(precision, use_na_sentinel=True)
    lookup = np.array([u in SPREAD_PRECISIONS for u in uniques] + [False], dtype=bool)
    return lookup[codes]


def _share_text(value: float) -> str:
    """A (fractional) count as a tooltip writes it: ``3``, ``0.5``, ``0.07``, ``<0.01``."""
    if value <= 0:
        return "0"
    if value < 0.005:
        return "<0.01"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


class _Spread(NamedTuple):
    """Events dated to a period, per (bin, layer) arrays of shape (bins, layers)."""

    weight: npt.NDArray[np.float64]
    """The events' shares in the bin (each event adds 1 over all its bins)."""
    overlap: npt.NDArray[np.int64]
    """How many of the events overlap the bin."""
    distinct: npt.NDArray[np.int64]
    """How many different periods (first and last day) they have."""
    earliest: npt.NDArray[np.int64]
    """First day (days since the epoch) of the earliest period overlapping the bin."""
    latest: npt.NDArray[np.int64]
    """Last day of the latest one."""


def _overlaps(
    first_bin: npt.NDArray[np.int64],
    last_bin: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    shape: tuple[int, int],
) -> npt.NDArray[np.int64]:
    """How many spans overlap each (bin, layer): +1 at a span's first bin, -1 after its last, summed up."""
    nbins, nlayers = shape
    row = codes * (nbins + 1)
    size = nlayers * (nbins + 1)
    edges = np.bincount(row + first_bin, minlength=size) - np.bincount(row + last_bin + 1, minlength=size)
    return edges.reshape(nlayers, nbins + 1).cumsum(axis=1)[:, :nbins].T


def _spread(
    lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64], codes: npt.NDArray[np.int64], unit: str, first: int,
    shape: tuple[int, int],
) -> _Spread:  # fmt: skip
    """Events dated to the periods [lo, hi] (days), each spread evenly over its days, per bin and layer."""
    nbins, nlayers = shape
    if lo.size == 0:
        zero = np.zeros(shape, dtype=np.int64)
        return _Spread(np.zeros(shape), zero, zero, zero, zero)
    # weight per day and layer: a difference array of 1/length from the first day to the last, summed up
    d0 = int(lo.min())
    ndays = int(hi.max()) - d0 + 2
    per_day = 1.0 / (hi - lo + 1).astype(np.float64)
    row = codes * ndays
    size = nlayers * ndays
    diff = np.bincount(row + (lo - d0), weights=per_day, minlength=size)
    diff -= np.bincount(row + (hi + 1 - d0), weights=per_day, minlength=size)
    density = diff.reshape(nlayers, ndays).cumsum(axis=1)[:, :-1]
    day_bin = present.bin_ordinals(np.arange(d0, d0 + ndays - 1, dtype=np.int64), unit) - first
    weight = np.stack([np.bincount(day_bin, weights=density[c], minlength=nbins) for c in range(nlayers)], axis=1)
    first_bin = present.bin_ordinals(lo, unit) - first
    last_bin = present.bin_ordinals(hi, unit) - first
    overlap = _overlaps(first_bin, last_bin, codes, shape)
    periods = pd.DataFrame({"c": codes, "lo": lo, "hi": hi}).drop_duplicates()
    at = periods.index.to_numpy()
    distinct = _overlaps(first_bin[at], last_bin[at], codes[at], shape)
    # latest end among the periods begun by a bin (those reaching it overlap it), earliest start among those ending
    # in or after it: where any overlaps, these are the bounds of the overlapping periods
    flat = codes * nbins
    latest = np.full(nlayers * nbins, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, flat + first_bin, hi)
    latest = np.maximum.accumulate(latest.reshape(nlayers, nbins), axis=1).T
    earliest = np.full(nlayers * nbins, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(earliest, flat + last_bin, lo)
    earliest = np.minimum.accumulate(earliest.reshape(nlayers, nbins)[:, ::-1], axis=1)[:, ::-1].T
    weight = np.where(overlap > 0, np.maximum(weight, 0.0), 0.0)  # no rounding residue where nothing overlaps
    return _Spread(weight, overlap, distinct, earliest, latest)


def _spread_texts(n: int, distinct: int, layer: str, lo: int, hi: int) -> tuple[str, str]:
    """The days a bin's spread events cover ("1–14 Feb 2026") and the tooltip's sentence about them."""
    span = present.date_range(np.datetime64(lo, "D").item(), np.datetime64(hi, "D").item())
    events = present.count(n, layer)
    if distinct == 1:
        note = t("spread over {span}: {events} dated to that period, not to a day", span=span, events=events)
    else:
        note = t(
            "spread over their periods, within {span}: {events} dated to a period, not to a day",
            span=span,
            events=events,
        )
    return span, note


def count_bins(events: pd.DataFrame, *, max_rows: int = MAX_ROWS) -> tuple[pd.DataFrame, str]:
    """Events per time bin and counted layer, stacked: the one timeline binning (charts and exports).

    An event dated to a day is counted once, on its first day. An event dated
    only to a period — ``time_precision`` week or month, or lasting
    :data:`SPREAD_MIN_DAYS` days or more (the General Staff's 1–14 February
    aggregate) — is never piled on its first day: its one event is spread
    evenly over the days from ``time_start`` to ``time_end``, so each bin gets
    the share of its days there (fractional counts), in a row of its own.

    Parameters
    ----------
    events : DataFrame
        Events with ``layer``, ``time_start`` and, where known, ``time_end``
        (the last day; default the first) and ``time_precision`` (default
        day). Layers drawn as bands (talks), unknown layers and undated rows
        are not counted.
    max_rows : int
        Most rows (bins × counted layers × 2) the table may have.

    Returns
    -------
    table : DataFrame
        One row per non-empty (bin, layer, kind): ``start``, ``end`` (first
        day of the next bin) as ``YYYY-MM-DD``, ``when``
        (:func:`geo.present.bin_label`), ``layer``, ``layer_label`` (its
        label), ``events`` (float: whole for events dated to a day, the
        shares of spread events otherwise), ``events_text`` ("3", "0.5",
        "0.07"), ``spread`` (True for the row of events dated to a period),
        ``periods`` (how many such events overlap the bin; 0 on day rows),
        ``spread_over`` (the days their periods cover, "1–14 Feb 2026"; ""
        on day rows), ``note`` (the tooltip's sentence, "spread over 1–14 Feb
        2026: 1 capture claim dated to that period, not to a day"; "" on day
        rows) and ``y0``/``y1`` (stacked in :func:`counted_layers` order, the
        day row of a layer below its spread row). Empty when nothing is
        counted.
    unit : str
        The bin (:func:`geo.present.choose_bin`): ``"day"``, ``"week"``
        (from Monday), ``"month"`` or ``"year"``.
    """
    ground = list(counted_layers())
    nlayers = len(ground)
    codes, uniques = pd.factorize(_column(events, "layer"), use_na_sentinel=True)
    lookup = np.array([ground.index(u) if u in ground else -1 for u in uniques] + [-1], dtype=np.int64)
    layer_code = lookup[codes]  # code -1 (missing) takes the last entry
    start = _days_of(_column(events, "time_start"))
    keep = (layer_code >= 0) & ~np.isnat(start)
    if not keep.any():
        return pd.DataFrame(), "day"
    lo = start[keep].astype(np.int64)
    end = _days_of(_column(events, "time_end"))[keep]
    hi = np.where(np.isnat(end), lo, end.astype(np.int64))
    hi = np.maximum(hi, lo)
    codes = layer_code[keep]
    spread = (hi > lo) & (_coarse(_column(events, "time_precision"))[keep] | (hi - lo + 1 >= SPREAD_MIN_DAYS))
    reach = np.concatenate([lo, hi[spread]])
    unit = present.choose_bin(reach, series=nlayers * (2 if spread.any() else 1), max_rows=max_rows)
    ordinal = present.bin_ordinals(reach, unit)
    first = int(ordinal.min())
    nbins = int(ordinal.max()) - first + 1
    day = ~spread
    flat = (ordinal[: lo.size][day] - first) * nlayers + codes[day]
    counts = np.bincount(flat, minlength=nbins * nlayers).reshape(nbins, nlayers)
    spreads = _spread(lo[spread], hi[spread], codes[spread], unit, first, (nbins, nlayers))
    values = np.empty((nbins, 2 * nlayers), dtype=np.float64)
    values[:, 0::2] = counts
    values[:, 1::2] = spreads.weight
    shown = np.empty((nbins, 2 * nlayers), dtype=bool)
    shown[:, 0::2] = counts > 0
    shown[:, 1::2] = spreads.overlap > 0
    top = values.cumsum(axis=1)
    b, k = np.nonzero(shown)
    c = k // 2
    is_spread = (k % 2).astype(bool)
    starts = present.bin_starts(np.arange(first, first + nbins + 1, dtype=np.int64), unit)
    used = np.unique(b)
    when = np.empty(nbins, dtype=object)
    when[used] = [present.bin_label(d, unit) for d in starts[used].astype(object)]
    labels = np.asarray([present.layer_label(name) for name in ground], dtype=object)
    names = np.asarray(ground, dtype=object)
    events_here = values[b, k]
    periods = np.where(is_spread, spreads.overlap[b, c], 0)
    spread_over = np.full(b.size, "", dtype=object)
    note = np.full(b.size, "", dtype=object)
    for i in np.flatnonzero(is_spread):
        at = (b[i], c[i])
        spread_over[i], note[i] = _spread_texts(
            int(periods[i]), int(spreads.distinct[at]), ground[c[i]], int(spreads.earliest[at]), int(spreads.latest[at])
        )
    table = pd.DataFrame(
        {
            "start": _day_strings(starts[b]),
            "end": _day_strings(starts[b + 1]),
            "when": when[b],
            "layer": names[c],
            "layer_label": labels[c],
            "events": events_here,
            "events_text": [_share_text(v) for v in events_here],
            "spread": is_spread,
            "periods": periods.astype(np.int64),
            "spread_over": spread_over,
            "note": note,
            "y0": top[b, k] - events_here,
            "y1": top[b, k],
        }
    )
    return table, unit


def _talks_label(venue: object, place: object, title: object, round_: object) -> str:
    where = venue if isinstance(venue, str) and venue.strip() else place
    where = where.split(",")[0].strip() if isinstance(where, str) and where.strip() else None
    if where is None:
        where = title.strip() if isinstance(title, str) and title.strip() else t("talks")
    if isinstance(round_, (int, float)) and not isinstance(round_, bool) and math.isfinite(round_):
        return t("{place}, round {n}", place=where, n=f"{round_:.0f}")
    return where


def talks_bands(talks: pd.DataFrame | None) -> pd.DataFrame:
    """One row per event of a layer drawn as bands (the rounds of talks), oldest first.

    Parameters
    ----------
    talks : DataFrame or None
        Events; rows of the layers whose ``timeline`` is ``"bands"`` are used
        (all rows when there is no ``layer`` column).

    Returns
    -------
    DataFrame
        ``start``, ``end`` (the day after the last) as ``YYYY-MM-DD``,
        ``label`` ("Abu Dhabi, round 1"; plain text), ``title``, ``dates``
        (:func:`geo.present.date_range`) and ``colour`` (the layer's); the
        latest 500 if ever more. Empty when none is dated.
    """
    if talks is None or talks.empty:
        return pd.DataFrame()
    if "layer" in talks.columns:
        talks = talks[talks["layer"].isin(band_layers()).to_numpy(dtype=bool, na_value=False)]
    start = pd.to_datetime(_column(talks, "time_start"), errors="coerce")
    end = pd.to_datetime(_column(talks, "time_end"), errors="coerce").fillna(start)
    end = end.where(end >= start, start)
    ok = start.notna().to_numpy()
    talks, start, end = talks[ok], start[ok], end[ok]
    if talks.empty:
        return pd.DataFrame()
    order = np.argsort(start.to_numpy(), kind="stable")[-MAX_TALKS:]  # the latest rounds if ever more
    talks, start, end = talks.iloc[order], start.iloc[order], end.iloc[order]
    labels = [
        _talks_label(v, p, title, r)
        for v, p, title, r in zip(
            _column(talks, "venue"), _column(talks, "place"), _column(talks, "title"), _column(talks, "round"),
            strict=True,
        )
    ]  # fmt: skip
    colour = {spec.name: spec.colour for spec in layers.all_specs()}
    default = colour.get(next(iter(band_layers()), ""), _FALLBACK_BAND_COLOUR)
    return pd.DataFrame(
        {
            "start": _day_strings(start.to_numpy()),
            "end": _day_strings(end.to_numpy() + np.timedelta64(1, "D")),
            "label": labels,
            "title": _column(talks, "title").fillna("").astype(str).to_numpy(),
            "dates": [present.date_range(a, b) for a, b in zip(start, end, strict=True)],
            "colour": [colour.get(v, default) for v in _column(talks, "layer")],
        }
    )
