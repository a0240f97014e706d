"""Change of assessed control between two dates: km² gained and lost, per region, settlements that changed hands.

All areas are computed in the equal-area projection of
:mod:`geo.control.model`. The two days compared are the latest assessed days
on or before each date asked for (:func:`geo.control.series.held`); the
answer says which days they were. Gained and lost are from the holding
side's point of view: for ``side="RU"``, *gained* is the area Russia holds on
the second day and did not on the first. An assessor that maps only one
side (DeepStateMap: the occupied area) answers for the other side by mirror:
what Russia lost, Ukraine gained.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.control import series as _series
from geo.control.model import HELD, SIDES, area_km2, other_side, to_equal_area
from geo.errors import GeoError, NotFoundError
from geo.store.base import DateLike, Store

__all__ = ["Change", "change", "changes", "settlements_table"]

_MIN_KM2 = 1e-6


@dataclass(frozen=True)
class Change:
    """What changed hands between two days, as one assessor mapped it.

    Parameters
    ----------
    assessor, side, kind : str
        The series (``side``: whose gains and losses these are).
    date_from, date_to : date
        The dates asked for.
    day_from, day_to : date
        The assessed days compared (latest on or before each date).
    gained_km2, lost_km2 : float
        Area ``side`` held on ``day_to`` and not on ``day_from``, and the
        other way round.
    region : str or None
        ISO 3166-2 code the figures are limited to, if any.
    by_region : dict
        Region code → ``{"gained_km2", "lost_km2", "net_km2"}`` (regions
        with a change only).
    settlements : list of dict
        Gazetteer places inside the gained or lost area: ``name``,
        ``geonameid``, ``lat``, ``lon``, ``admin1``, ``population``,
        ``change`` (``gained``/``lost``).
    gained, lost : shapely geometry
        The areas themselves (EPSG:4326), for the map.
    mirrored : bool
        Read from the other side's series (gains and losses swapped).
    """

    assessor: str
    side: str
    kind: str
    date_from: dt.date
    date_to: dt.date
    day_from: dt.date
    day_to: dt.date
    gained_km2: float
    lost_km2: float
    region: str | None = None
    by_region: dict[str, dict[str, float]] = field(default_factory=dict)
    settlements: list[dict[str, Any]] = field(default_factory=list)
    gained: Any = None
    lost: Any = None
    mirrored: bool = False

    @property
    def net_km2(self) -> float:
        """Gained minus lost."""
        return self.gained_km2 - self.lost_km2

    def to_dict(self) -> dict[str, Any]:
        """The change as a JSON-ready dict (without the geometries)."""
        return {
            "assessor": self.assessor,
            "from": f"{self.date_from:%Y-%m-%d}",
            "to": f"{self.date_to:%Y-%m-%d}",
            "side": self.side,
            "kind": self.kind,
            "days_compared": [f"{self.day_from:%Y-%m-%d}", f"{self.day_to:%Y-%m-%d}"],
            "region": self.region,
            "gained_km2": round(self.gained_km2, 2),
            "lost_km2": round(self.lost_km2, 2),
            "net_km2": round(self.net_km2, 2),
            "by_region": {k: {kk: round(vv, 2) for kk, vv in v.items()} for k, v in sorted(self.by_region.items())},
            "settlements": self.settlements,
        }


# -- reference data, projected once ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _regions() -> tuple[np.ndarray, np.ndarray, shapely.STRtree]:
    """Admin-1 codes and outlines (lon/lat), with a tree over them; only the regions hit are ever projected."""
    from geo import reference

    admin1 = reference.load_admin1()
    geoms = admin1.geometry.to_numpy()
    shapely.prepare(geoms)
    return admin1["iso_3166_2"].to_numpy(dtype=object), geoms, shapely.STRtree(geoms)


def _places_frame() -> pd.DataFrame:
    """The gazetteer's places: ``geonameid, name, lat, lon, country, admin1, population``."""
    from geo import gazetteer

    public = getattr(gazetteer, "places", None)
    if callable(public):
        return pd.DataFrame(public())
    path = gazetteer._gazetteer_file()
    return pd.read_csv(
        path,
        usecols=["geonameid", "name", "lat", "lon", "country", "admin1", "population", "kind"],
        dtype={"name": str, "admin1": str, "country": str, "kind": str},
        keep_default_na=False,
    )


@lru_cache(maxsize=1)
def _places() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Settlements (venues of talks left out) and their projected x, y."""
    frame = _places_frame()
    if "kind" in frame.columns:
        frame = frame[frame["kind"].astype(str) != "venue"]
    frame = frame.reset_index(drop=True)
    pts = to_equal_area(shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float)), densify=False)
    return frame, shapely.get_x(pts), shapely.get_y(pts)


def _inside(area: Any, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the points inside a projected area (bounding box first)."""
    if area is None or area.is_empty:
        return np.zeros(0, dtype=np.intp)
    x0, y0, x1, y1 = area.bounds
    cand = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
    if not len(cand):
        return cand
    shapely.prepare(area)
    return cand[shapely.contains_xy(area, x[cand], y[cand])]


def settlements_table(gained: Any, lost: Any) -> list[dict[str, Any]]:
    """Gazetteer settlements inside projected gained / lost areas, most populous first.

    Parameters
    ----------
    gained, lost : shapely geometry or None
        Areas in the equal-area projection.

    Returns
    -------
    list of dict
        ``name, geonameid, lat, lon, admin1, population, change``.
    """
    frame, x, y = _places()
    out = []
    for label, area in (("gained", gained), ("lost", lost)):
        for i in _inside(area, x, y):
            r = frame.iloc[i]
            out.append(
                {
                    "name": str(r["name"]),
                    "geonameid": int(r["geonameid"]),
                    "lat": float(r["lat"]),
                    "lon": float(r["lon"]),
                    "admin1": (str(r["admin1"]) or None) if r["admin1"] is not None else None,
                    "population": int(r["population"] or 0),
                    "change": label,
                }
            )
    out.sort(key=lambda s: (s["change"], -s["population"], s["name"]))
    return out


def _by_region(gained: Any, lost: Any) -> dict[str, dict[str, float]]:
    """km² gained and lost per admin-1 region, of lon/lat areas (intersected in lon/lat, measured projected)."""
    codes, geoms, tree = _regions()
    out: dict[str, dict[str, float]] = {}
    for label, area in (("gained_km2", gained), ("lost_km2", lost)):
        if area is None or area.is_empty:
            continue
        for i in tree.query(area, predicate="intersects"):
            km2 = float(area_km2(shapely.intersection(area, geoms[i]))[0])
            if km2 > _MIN_KM2:
                entry = out.setdefault(str(codes[i]), {"gained_km2": 0.0, "lost_km2": 0.0})
                entry[label] += km2
    for entry in out.values():
        entry["net_km2"] = entry["gained_km2"] - entry["lost_km2"]
    return out


def _region_code(region: str | None) -> tuple[str | None, Any]:
    """The ISO code of a region named by code or name, and its outline in lon/lat."""
    if region is None:
        return None, None
    from geo import reference

    code = reference.lookup_region(region)
    outline = _outlines().get(code)
    if outline is None:
        raise NotFoundError(f"region {region!r} has no outline in the reference data")
    return code, outline


def _outlines() -> dict[str, Any]:
    codes, geoms, _ = _regions()
    return dict(zip(codes, geoms, strict=True))


def change(
    store: Store,
    date_from: DateLike,
    date_to: DateLike,
    *,
    assessor: str | None = None,
    side: str = "RU",
    kind: str = HELD,
    region: str | None = None,
    settlements: bool = True,
) -> Change:
    """Area gained and lost by ``side`` between two dates per one assessor, per region, and the settlements.

    Parameters
    ----------
    store : Store
        The store holding the assessments.
    date_from, date_to : date-like
        The dates compared (each stands for the latest assessed day on or
        before it).
    assessor : str, optional
        Whose maps; may be left out when the store holds one assessor only.
    side : {"RU", "UA"}
        Whose gains and losses (default ``RU``).
    kind : str
        The kind of area compared (default ``occupied``).
    region : str, optional
        Limit every figure to one region (code or name, :func:`geo.reference.lookup_region`).
    settlements : bool
        List the gazetteer's settlements in the gained and lost areas.

    Returns
    -------
    Change
        The figures and geometries.

    Raises
    ------
    GeoError
        Dates in the wrong order, before the series starts, several
        assessors and none named, a bad side.
    NotFoundError
        No such assessor or series, an unknown region.
    """
    found = _series.pick_assessor(store, assessor, kind)
    if len(found) > 1:
        raise GeoError(f"several assessors hold {kind!r} series: {', '.join(found)}; name one (--assessor)")
    return _change(store, found[0], date_from, date_to, side, kind, region, settlements)


def changes(
    store: Store,
    date_from: DateLike,
    date_to: DateLike,
    *,
    assessor: str | None = None,
    side: str = "RU",
    kind: str = HELD,
    region: str | None = None,
    settlements: bool = True,
) -> list[Change]:
    """:func:`change` for the assessor named, or for every assessor with a series of ``kind``.

    Returns
    -------
    list of Change
        One per assessor, by name.
    """
    return [
        _change(store, a, date_from, date_to, side, kind, region, settlements)
        for a in _series.pick_assessor(store, assessor, kind)
    ]


def _change(
    store: Store,
    assessor: str,
    date_from: DateLike,
    date_to: DateLike,
    side: str,
    kind: str,
    region: str | None,
    settlements: bool,
) -> Change:
    if side not in SIDES:
        raise GeoError(f"side must be RU or UA, got {side!r}")
    start, end = _series.to_day(date_from, "from"), _series.to_day(date_to, "to")
    if start > end:
        raise GeoError(f"--from {start:%Y-%m-%d} is after --to {end:%Y-%m-%d}; swap them")
    mirror = _series.mirrored(store, assessor, side, kind)
    mapped = other_side(side) if mirror else side
    if not _series.has_series(store, assessor, mapped, kind):
        raise NotFoundError(f"{assessor} has no {kind!r} series for {side}")
    a = _series.held(store, start, assessor=assessor, side=mapped, kind=kind)
    b = _series.held(store, end, assessor=assessor, side=mapped, kind=kind)
    if a is None or b is None:
        first = _series.series(store).query("assessor == @assessor and side == @mapped and kind == @kind")
        raise GeoError(
            f"{assessor}'s {mapped} {kind} series starts on {first['first'].iloc[0]:%Y-%m-%d}; "
            f"give --from on or after it (asked for {start:%Y-%m-%d})"
        )
    # Differences in lon/lat, where both days share their vertices exactly; areas of the results projected.
    gained_ll = shapely.difference(b.geometry, a.geometry)
    lost_ll = shapely.difference(a.geometry, b.geometry)
    code, outline = _region_code(region)
    if outline is not None:
        gained_ll, lost_ll = shapely.intersection(gained_ll, outline), shapely.intersection(lost_ll, outline)
    if mirror:
        gained_ll, lost_ll = lost_ll, gained_ll
    gained, lost = to_equal_area(gained_ll), to_equal_area(lost_ll)
    result = Change(
        assessor=assessor,
        side=side,
        kind=kind,
        date_from=start,
        date_to=end,
        day_from=a.as_of,
        day_to=b.as_of,
        gained_km2=float(shapely.area(gained)) / 1e6,
        lost_km2=float(shapely.area(lost)) / 1e6,
        region=code,
        by_region=_by_region(gained_ll, lost_ll),
        gained=gained_ll,
        lost=lost_ll,
        mirrored=mirror,
    )
    if settlements:
        result = replace(result, settlements=settlements_table(gained, lost))
    return result
