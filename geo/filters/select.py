"""Selecting the events (and claims) a :class:`~geo.filters.Filter` keeps.

:func:`apply` keeps the events that match, vectorised over the whole frame
(no Python per row). Matching rules, field by field:

dates
    Overlap: an event is kept when ``time_start <= to`` and ``time_end >= from``
    (both bounds inclusive, whole days).
regions
    Any of the event's ``admin1`` codes (multi-valued, ``"RU-BRY;RU-KLU"``) is
    selected. An event with no ``admin1`` (country- or front-level, such as
    an aggregate claim for "all directions") never matches a region filter.
area
    An event with a geometry matches when its geometry intersects the area
    (a point on the edge counts as inside). An event without a geometry
    (located to a region only) matches when one of its ``admin1`` regions
    intersects the area. An event with neither never matches.
layers, statuses, datasets
    Membership. Events with no claims have no status and match no status
    filter.
parties
    Any of the parties that made a claim about the event (the folded
    ``parties`` column) is selected – a side *denying* a capture counts, so
    ``party=UA`` finds Russian claims that Ukraine disputes.
weapons, target types
    Only restrict the layers that list them in their ``filters``
    (:func:`geo.layers.for_filter`; the strikes): selecting ``drone`` drops
    strikes by other weapons but keeps captures, outages and talks, which
    have no weapon. To see drone strikes only, add ``layer=strike``. A strike
    with no weapon (target type) recorded matches ``unknown``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import layers, reference, schema, settings
from geo.errors import Problem, ValidationError
from geo.filters._arrow import member
from geo.filters.value import Filter

__all__ = ["apply", "filter_claims", "talks_for"]

ArrayLike = npt.NDArray[np.object_] | pd.api.extensions.ExtensionArray

_TALKS: Final = "talks"
"""The layer :func:`talks_for` keeps."""


def apply(events: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """Keep the events a filter selects.

    Parameters
    ----------
    events : GeoDataFrame
        Folded events (:func:`geo.claims.fold`: with ``status`` and
        ``parties``), in EPSG:4326. A plain DataFrame works when the filter
        has no area.
    flt : Filter
        What to keep (the rules are in the module docstring).

    Returns
    -------
    GeoDataFrame
        A new frame with the matching rows, in their original index order.
        ``events`` is not changed.

    Raises
    ------
    ValidationError
        The filter needs a column the events do not have (e.g. a status
        filter on events whose claims were not folded in).
    """
    idx = _select(events, flt)
    if len(idx) == len(events):
        return events.copy(deep=False)  # copy-on-write (pandas 3): changing it does not change `events`
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        # One run of rows (the dashboard's snapshot keeps events by layer and date, so a layer or a layer's dates
        # are one run): a slice, which copies nothing; copy-on-write still keeps `events` unchanged.
        return events.iloc[int(idx[0]) : int(idx[-1]) + 1]
    return events.iloc[idx]


def talks_for(events: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """The rounds of talks in the filter's dates, whatever its other fields.

    Talks have no region, so a region or area filter would drop them; the
    timeline still sets the ground events against them.

    Parameters
    ----------
    events : GeoDataFrame
        Folded events (all of them, not the filtered ones).
    flt : Filter
        The filter whose dates count.

    Returns
    -------
    GeoDataFrame
        The talks events overlapping the filter's dates.
    """
    return apply(events, Filter(date_from=flt.date_from, date_to=flt.date_to, layers=(_TALKS,)))


def filter_claims(claims: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Keep the claims about the given events.

    Parameters
    ----------
    claims : DataFrame
        Claims with an ``event_id`` column.
    events : DataFrame
        Events (typically :func:`apply`'s result) with an ``event_id`` column.

    Returns
    -------
    DataFrame
        A new frame with the claims whose ``event_id`` is among the events',
        in their original order.
    """
    return claims.iloc[np.flatnonzero(member(claims["event_id"], events["event_id"]))]


# -- the selection ----------------------------------------------------------------------------------


class _Rows:
    """The positions of the rows still kept, narrowed rule by rule."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.events = events
        self.idx: npt.NDArray[np.intp] = np.arange(len(events))

    def column(self, name: str) -> ArrayLike:
        """The kept rows' values of a column."""
        return self.events[name].array[self.idx]

    def keep(self, flags: npt.NDArray[np.bool_]) -> None:
        """Keep the rows flagged (one flag per kept row)."""
        self.idx = self.idx[flags]


def _select(events: pd.DataFrame, flt: Filter) -> npt.NDArray[np.intp]:
    """Positions of the rows a filter keeps, in order.

    Each rule looks only at the rows the rules before it kept (cheap and
    selective rules first), so a narrow date range makes the rest cheap.
    """
    _require(events, _needed_columns(flt))
    rows = _Rows(events)
    for rule in _RULES:
        rule(rows, flt)
    return rows.idx


def _needed_columns(flt: Filter) -> list[str]:
    """Event columns the filter reads, in the order the rules read them."""
    layer_only = layers.FILTER_FIELDS
    uses = [
        ("date_from", "time_end"),
        ("date_to", "time_start"),
        *((field, "layer") for field in ("layers", *layer_only)),
        ("datasets", "dataset"),
        ("statuses", "status"),
        *layer_only.items(),
        ("parties", "parties"),
        ("regions", "admin1"),
    ]
    return list(dict.fromkeys(column for field, column in uses if getattr(flt, field)))


def _require(events: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in events.columns]
    if missing:
        hint = " (fold the claims in first: geo.claims.fold)" if {"status", "parties"} & set(missing) else ""
        raise ValidationError(
            Problem(f"events have no {', '.join(repr(c) for c in missing)} column{hint}", column=missing[0]),
            context="filter",
        )


def _by_dates(rows: _Rows, flt: Filter) -> None:
    """Overlap with ``[date_from, date_to]``, whole days."""
    if flt.date_from is not None:
        ends = rows.events["time_end"].to_numpy(dtype="datetime64[ms]")[rows.idx]
        rows.keep(ends >= np.datetime64(flt.date_from, "ms"))  # NaT compares False
    if flt.date_to is not None:
        starts = rows.events["time_start"].to_numpy(dtype="datetime64[ms]")[rows.idx]
        rows.keep(starts < np.datetime64(flt.date_to + dt.timedelta(days=1), "ms"))


def _by_membership(rows: _Rows, flt: Filter) -> None:
    """Layers, datasets and statuses: the cell is one of the values."""
    for field, column in (("layers", "layer"), ("datasets", "dataset"), ("statuses", "status")):
        wanted = getattr(flt, field)
        if wanted:
            rows.keep(_isin(rows.column(column), wanted))


def _by_layer_fields(rows: _Rows, flt: Filter) -> None:
    """Weapons, target types: restrict only the layers that list the field (a missing value is ``unknown``)."""
    for field, column in layers.FILTER_FIELDS.items():
        wanted = getattr(flt, field)
        if wanted:
            applies = _isin(rows.column("layer"), layers.for_filter(field))
            rows.keep(~applies | _isin(rows.column(column), wanted, missing_as="unknown"))


def _by_parties_and_regions(rows: _Rows, flt: Filter) -> None:
    """Any party of the event's claims, any of its ``admin1`` regions."""
    if flt.parties:
        rows.keep(_multi_match(rows.column("parties"), flt.parties))
    if flt.regions:
        rows.keep(_multi_match(rows.column("admin1"), flt.regions))


def _by_area(rows: _Rows, flt: Filter) -> None:
    """The event's geometry, or (unlocated) one of its regions, intersects the area."""
    if flt.area is None:
        return
    if not isinstance(rows.events, gpd.GeoDataFrame):
        raise ValidationError(Problem("an area filter needs a GeoDataFrame", column="area"), context="filter")
    geoms = np.asarray(rows.events.geometry.array, dtype=object)[rows.idx]
    admin1 = rows.column("admin1") if "admin1" in rows.events.columns else None
    rows.keep(_area_match(geoms, admin1, flt.area))


_RULES: Final[tuple[Callable[[_Rows, Filter], None], ...]] = (
    _by_dates,
    _by_membership,
    _by_layer_fields,
    _by_parties_and_regions,
    _by_area,
)
"""The rules in the order they narrow the rows: cheap and selective first."""


# -- matching helpers ---------------------------------------------------------------------------------


def _multi_match(values: ArrayLike, wanted: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Whether any ``;``-separated part of each cell is wanted; one Python step per distinct cell, not per row."""
    wanted = set(wanted)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hits = np.fromiter((bool(wanted.intersection(schema.split_multi(u))) for u in uniques), bool, len(uniques))
    return np.append(hits, False)[codes]  # code -1 (missing) → the appended False


def _isin(values: ArrayLike, wanted: Iterable[str], missing_as: str | None = None) -> npt.NDArray[np.bool_]:
    """Membership through the distinct values (fast on large object columns)."""
    wanted = set(wanted)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hits = np.fromiter((u in wanted for u in uniques), bool, len(uniques))
    return np.append(hits, missing_as is not None and missing_as in wanted)[codes]


@lru_cache(maxsize=32)
def _regions_touching(wkt: str, reference_dir: str) -> frozenset[str]:
    area = shapely.from_wkt(wkt)
    admin1 = reference.load_admin1()
    return frozenset(admin1.loc[admin1.intersects(area), "iso_3166_2"])


def _area_match(geoms: npt.NDArray[np.object_], admin1: ArrayLike | None, wkt: str) -> npt.NDArray[np.bool_]:
    """Area rule on some rows: their geometries (None when unlocated) and ``admin1`` cells."""
    area = shapely.from_wkt(wkt)
    shapely.prepare(area)
    kind = shapely.get_type_id(geoms)  # -1 missing, 0 point
    out = np.zeros(len(geoms), dtype=bool)
    points = np.flatnonzero(kind == 0)
    if points.size:
        out[points] = _points_in(area, geoms[points])
    shapes = np.flatnonzero(kind > 0)
    if shapes.size:
        out[shapes] = shapely.intersects(area, geoms[shapes])
    unlocated = np.flatnonzero(kind < 0)
    if unlocated.size and admin1 is not None:
        touching = _regions_touching(wkt, str(settings.get().reference_dir))
        if touching:
            out[unlocated] = _multi_match(admin1[unlocated], touching)
    return out


def _points_in(area: shapely.Geometry, points: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Whether each point intersects the (prepared) area; a bounding-box test first."""
    x = shapely.get_x(points)
    y = shapely.get_y(points)
    minx, miny, maxx, maxy = area.bounds
    near = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    out = np.zeros(len(points), dtype=bool)
    out[near] = shapely.intersects_xy(area, x[near], y[near])
    return out
