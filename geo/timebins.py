"""The one timeline binning: events per bin and layer, and the bands of the talks.

The dashboard's timeline (:func:`geo.charts.timeline`) and the exports' small
timeline (:mod:`geo.exporters.html`) both draw these tables, so a long span
is binned the same way everywhere: per day up to 180 days, then per week,
month or year within a row budget (:func:`geo.present.choose_bin`). Which
layers are counted and which are bands (the talks), and their colours, are
read from the registry (:mod:`geo.layers`) at call time.

Everything is vectorised: a million events bin in well under a second.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import layers, present
from geo.i18n import t

__all__ = ["MAX_ROWS", "MAX_TALKS", "band_layers", "count_bins", "counted_layers", "per_bin_title", "talks_bands"]

MAX_ROWS: Final = 5000
"""Most rows (bins × counted layers) a binned timeline has by default (Altair's own limit)."""
MAX_TALKS: Final = 500
"""Most bands drawn (the latest)."""
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


def count_bins(events: pd.DataFrame, *, max_rows: int = MAX_ROWS) -> tuple[pd.DataFrame, str]:
    """Events per time bin and counted layer, stacked: the one timeline binning (charts and exports).

    Parameters
    ----------
    events : DataFrame
        Events with ``layer`` and ``time_start``; each is counted once, on its
        first day. Layers drawn as bands (talks), unknown layers and undated
        rows are not counted.
    max_rows : int
        Most rows (bins × counted layers) the table may have.

    Returns
    -------
    table : DataFrame
        One row per non-empty (bin, layer): ``start``, ``end`` (first day of
        the next bin) as ``YYYY-MM-DD``, ``when`` (:func:`geo.present.bin_label`),
        ``layer``, ``layer_label`` (its label), ``events``, ``y0``/``y1``
        (stacked in :func:`counted_layers` order). Empty when nothing is counted.
    unit : str
        The bin (:func:`geo.present.choose_bin`): ``"day"``, ``"week"``
        (from Monday), ``"month"`` or ``"year"``.
    """
    ground = list(counted_layers())
    codes, uniques = pd.factorize(_column(events, "layer"), use_na_sentinel=True)
    lookup = np.array([ground.index(u) if u in ground else -1 for u in uniques] + [-1], dtype=np.int64)
    layer_code = lookup[codes]  # code -1 (missing) takes the last entry
    start = pd.to_datetime(_column(events, "time_start"), errors="coerce").to_numpy(dtype="datetime64[D]")
    keep = (layer_code >= 0) & ~np.isnat(start)
    if not keep.any():
        return pd.DataFrame(), "day"
    days = start[keep].astype(np.int64)
    codes = layer_code[keep]
    unit = present.choose_bin(days, series=len(ground), max_rows=max_rows)
    ordinal = present.bin_ordinals(days, unit)
    first = int(ordinal.min())
    nbins = int(ordinal.max()) - first + 1
    counts = np.bincount((ordinal - first) * len(ground) + codes, minlength=nbins * len(ground))
    counts = counts.reshape(nbins, len(ground))
    top = counts.cumsum(axis=1)
    b, c = np.nonzero(counts)
    starts = present.bin_starts(np.arange(first, first + nbins + 1, dtype=np.int64), unit)
    used = np.unique(b)
    when = np.empty(nbins, dtype=object)
    when[used] = [present.bin_label(d, unit) for d in starts[used].astype(object)]
    labels = np.asarray([present.layer_label(name) for name in ground], dtype=object)
    table = pd.DataFrame(
        {
            "start": _day_strings(starts[b]),
            "end": _day_strings(starts[b + 1]),
            "when": when[b],
            "layer": np.asarray(ground, dtype=object)[c],
            "layer_label": labels[c],
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
