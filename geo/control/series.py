"""Reading assessed series from a store: which series and days exist, and a day's area (cached).

Everything here is keyed on the store's change token
(:meth:`geo.store.base.Store.version`): an import refreshes it. A day's
polygon is decoded and prepared once and kept (:data:`CACHE_DAYS` most
recent), so the change between two dates, the
Control layer and a time-lapse read each day once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import pandas as pd
import shapely

from geo.control.model import HELD, SIDES, other_side, to_equal_area, to_lonlat
from geo.errors import GeoError, NotFoundError
from geo.store.base import DateLike, Store

__all__ = [
    "CACHE_DAYS",
    "Held",
    "border_zone",
    "catalogue",
    "has_series",
    "held",
    "mirrored",
    "pick_assessor",
    "series",
    "to_day",
    "ukraine",
]

CACHE_DAYS: Final = 128
"""Days (decoded, projected, prepared) kept per process."""

_CACHE: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
_CATALOGUES: OrderedDict[tuple[str, str], pd.DataFrame] = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Held:
    """The area one side holds on one day, as one assessor mapped it.

    Parameters
    ----------
    assessor, side, kind : str
        The series.
    requested : date
        The date asked for.
    as_of : date
        The assessed day used: the latest on or before ``requested``.
    area_km2 : float
        Its area (equal-area projection).
    geometry : shapely MultiPolygon
        The area in EPSG:4326 (prepared: ``shapely.contains_xy`` on it is fast).
    """

    assessor: str
    side: str
    kind: str
    requested: dt.date
    as_of: dt.date
    area_km2: float
    geometry: Any


def to_day(value: DateLike, what: str = "date") -> dt.date:
    """A date-like value as a date, or a :class:`GeoError` naming ``what``."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts):
        raise GeoError(f"{what}: not a date: {value!r}; give YYYY-MM-DD")
    return ts.date()


def catalogue(store: Store) -> pd.DataFrame:
    """Every stored day without its polygon (cached on the store's version).

    Parameters
    ----------
    store : Store
        The store.

    Returns
    -------
    DataFrame
        :data:`geo.store.base.ASSESSMENT_COLUMNS`, ``as_of`` as dates
        (``datetime.date``), ordered by series and day. Do not modify.
    """
    key = (store.location, store.version())
    with _LOCK:
        hit = _CATALOGUES.get(key)
    if hit is not None:
        return hit
    frame = store.read_assessments(geometry=False)
    frame["as_of"] = frame["as_of"].dt.date
    with _LOCK:
        _CATALOGUES[key] = frame
        while len(_CATALOGUES) > 8:
            _CATALOGUES.popitem(last=False)
    return frame


def series(store: Store) -> pd.DataFrame:
    """One row per stored series: who, which side and kind, first and last day, how many days.

    Parameters
    ----------
    store : Store
        The store.

    Returns
    -------
    DataFrame
        Columns ``assessor, side, kind, first, last, days, last_area_km2``.
    """
    cat = catalogue(store)
    if cat.empty:
        return pd.DataFrame(columns=["assessor", "side", "kind", "first", "last", "days", "last_area_km2"])
    grouped = cat.groupby(["assessor", "side", "kind"], sort=True)
    return grouped.agg(
        first=("as_of", "min"), last=("as_of", "max"), days=("as_of", "size"), last_area_km2=("area_km2", "last")
    ).reset_index()


def pick_assessor(store: Store, assessor: str | None, kind: str = HELD) -> list[str]:
    """The assessors to answer for: the one named (checked), else every one with a series of ``kind``.

    Raises
    ------
    NotFoundError
        No assessment stored, or none by that assessor.
    """
    known = sorted(set(series(store).query("kind == @kind")["assessor"]))
    if not known:
        raise NotFoundError(f"no assessment of kind {kind!r} in the store; import some with 'control import'")
    if assessor is None:
        return known
    if assessor not in known:
        folded = {a.casefold(): a for a in known}
        if assessor.casefold() in folded:
            return [folded[assessor.casefold()]]
        raise NotFoundError(f"no {kind!r} assessment by {assessor!r}; assessors: {', '.join(known)}")
    return [assessor]


def _days(store: Store, assessor: str, side: str, kind: str) -> pd.DataFrame:
    cat = catalogue(store)
    return cat[(cat["assessor"] == assessor) & (cat["side"] == side) & (cat["kind"] == kind)]


def has_series(store: Store, assessor: str, side: str, kind: str = HELD) -> bool:
    """Whether the store holds days of that series."""
    return not _days(store, assessor, side, kind).empty


def _geometry(store: Store, row: Any) -> Any:
    """The lon/lat polygon (prepared) of one catalogue row, read once per store version."""
    key = (store.location, store.version(), row.assessment_id)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    frame = store.read_assessments(
        assessors=row.assessor, sides=row.side, kinds=row.kind, date_from=row.as_of, date_to=row.as_of
    )
    if frame.empty:
        raise NotFoundError(f"{row.assessment_id} has gone from the store")
    geom = frame.geometry.iloc[0]
    shapely.prepare(geom)
    with _LOCK:
        _CACHE[key] = geom
        while len(_CACHE) > CACHE_DAYS:
            _CACHE.popitem(last=False)
    return geom


def held(store: Store, date: DateLike, *, assessor: str, side: str = "RU", kind: str = HELD) -> Held | None:
    """The area ``side`` holds on ``date`` per ``assessor``: the latest assessed day on or before it.

    Parameters
    ----------
    store : Store
        The store.
    date : date-like
        The day asked for.
    assessor : str
        As stored.
    side : {"RU", "UA"}
        The side holding.
    kind : str
        The kind of area (default ``occupied``).

    Returns
    -------
    Held or None
        None when the series does not exist or starts after ``date``.
    """
    if side not in SIDES:
        raise GeoError(f"side must be RU or UA, got {side!r}")
    day = to_day(date)
    days = _days(store, assessor, side, kind)
    before = days[days["as_of"] <= day]
    if before.empty:
        return None
    row = next(before.iloc[[-1]].itertuples())
    return Held(assessor, side, kind, day, row.as_of, float(row.area_km2), _geometry(store, row))


def mirrored(store: Store, assessor: str, side: str, kind: str) -> bool:
    """Whether ``side``'s figures have to be read from the other side's series (the assessor maps only that one)."""
    return not has_series(store, assessor, side, kind) and has_series(store, assessor, other_side(side), kind)


@lru_cache(maxsize=1)
def ukraine() -> tuple[Any, Any]:
    """Ukraine's outline (Crimea included) in lon/lat and in the equal-area projection, both prepared."""
    from geo import reference

    admin0 = reference.load_admin0()
    geom = admin0.loc[admin0["iso_a2"] == "UA"].geometry.iloc[0]
    projected = to_equal_area(geom)
    shapely.prepare(geom)
    shapely.prepare(projected)
    return geom, projected


@lru_cache(maxsize=1)
def border_zone(width_m: float = 1000.0) -> Any:
    """Ukraine's state border and coast widened by ``width_m`` (lon/lat, prepared): no front line runs there."""
    _, projected = ukraine()
    zone = to_lonlat(shapely.buffer(projected.boundary, width_m))
    shapely.prepare(zone)
    return zone
