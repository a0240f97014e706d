"""Placing located events in regions: the one rule every path uses.

:func:`place` answers, for many geometries at once, which ISO 3166-2
region(s) each lies in and *how* that was decided (:data:`HOW`). Validation
(:mod:`geo.validate`) and the importers' ``point`` rule
(:mod:`geo.importers.rules`) both call it, so a point is placed the same way
wherever it comes from.

Natural Earth's 1:10m lines are 1–3 km off at the borders and the coasts, so
a point is placed by these rules, distances measured in kilometres on the
WGS84 ellipsoid (a local metric around each point, not degrees):

``inside``
    It lies in a region's polygon (and in the region the row states, if any).
``stated``
    The row states a region (``admin1``) and the point lies within
    :data:`TOLERANCE_KM` of it, or the two are a known city/oblast pair or
    enclave (:data:`PAIRS`, :data:`EXCLAVES`): the stated region wins,
    whatever polygon the point falls in. A row that states only a country
    gets the nearest region of that country within the tolerance.
``snapped``
    Outside every polygon (a coastal town, a riverbank) and not inside a
    neighbouring country's outline: the nearest region within the
    tolerance, or a small island Natural Earth lacks (:data:`ISLANDS`).
``sea``
    Farther than the tolerance from every region and on no land (Natural
    Earth land, :func:`geo.reference.load_land`): a maritime event, with no
    region and the country the row states (``None`` when it states none).
``outside``
    On somebody else's land (Poland, Yemen, Turkey's interior) or off the
    land mask's coverage: not placed.

A point in region R whose row states region S, farther than the tolerance
from S, keeps R and is flagged in :attr:`Placement.disagrees`. A polygon or
line over several regions gets all of them, ``;``-joined, largest share first;
regions holding less than :data:`MIN_SHARE` of it are slivers and left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import reference, settings

__all__ = ["EXCLAVES", "HOW", "ISLANDS", "MIN_SHARE", "PAIRS", "TOLERANCE_KM", "Placement", "place"]

TOLERANCE_KM = 10.0
"""How far (km) a point may lie from the region its row states, or from the nearest coast, and still be placed there."""
MIN_SHARE = 0.05
"""A polygon's (or line's) share of a region below which the region is a sliver and not named."""
HOW = ("inside", "stated", "snapped", "sea", "outside")
"""How :func:`place` decided, in order of preference (see the module docstring)."""

PAIRS: tuple[tuple[str, str], ...] = (
    ("UA-30", "UA-32"),  # Kyiv city, inside Kyiv Oblast
    ("UA-40", "UA-43"),  # Sevastopol, on the Crimean peninsula
    ("RU-MOW", "RU-MOS"),  # Moscow, inside Moscow Oblast
    ("RU-SPE", "RU-LEN"),  # Saint Petersburg, inside Leningrad Oblast
    ("BY-HM", "BY-MI"),  # Minsk city, inside Minsk Oblast
)
"""City/region pairs a source may name either way: a point in one stated as the other keeps the stated one."""


class Exclave(NamedTuple):
    """A town administered by one region but lying inside another."""

    code: str
    within: str
    name: str
    lon: float
    lat: float
    radius_km: float


class Island(NamedTuple):
    """An island of a region that Natural Earth 1:10m does not draw."""

    code: str
    name: str
    lon: float
    lat: float
    radius_km: float


EXCLAVES: tuple[Exclave, ...] = (
    # Slavutych, built for the Chornobyl staff: Kyiv Oblast, inside Chernihiv Oblast (GeoNames 6930327)
    Exclave("UA-32", "UA-74", "Slavutych", 30.71806, 51.52250, 6.0),
)
"""Exclaves: a point within ``radius_km`` of the town, in ``within``, stated as ``code``, keeps ``code``."""
ISLANDS: tuple[Island, ...] = (
    # Snake Island (Zmiinyi), Odesa Oblast, 35 km off the Danube delta (GeoNames 686930)
    Island("UA-51", "Snake Island", 30.20371, 45.25489, 3.0),
)
"""Islands missing from Natural Earth: a point within ``radius_km`` is snapped to ``code``."""

_CHUNK = 64  # boundary vertices per indexed piece


@dataclass
class Placement:
    """Where :func:`place` put each geometry.

    Attributes
    ----------
    admin1 : ndarray of object
        ISO 3166-2 code(s), ``;``-joined (the stated value as given when the
        stated region wins), or None: at sea, outside, or no geometry.
    country : ndarray of object
        ISO 3166-1 alpha-2: the first region's prefix, the stated country at
        sea, None outside or without geometry.
    how : ndarray of object
        One of :data:`HOW`, None where there is no (finite, in-range) geometry.
    distance_km : ndarray of float
        km from the geometry to the region it was given (0 inside; to the
        stated or snapped region; for ``outside`` to the nearest covered
        region when within the tolerance), NaN otherwise.
    found : ndarray of object
        The region(s) the geometry lies in or was snapped to, whatever the
        row states (None at sea or outside).
    disagrees : ndarray of bool
        A region was stated, but the geometry lies farther than the
        tolerance from it (``admin1`` then holds ``found``).
    swapped : ndarray of bool
        ``outside``, but with latitude and longitude exchanged the point
        would lie in a region.
    """

    admin1: np.ndarray
    country: np.ndarray
    how: np.ndarray
    distance_km: np.ndarray
    found: np.ndarray
    disagrees: np.ndarray
    swapped: np.ndarray

    def counts(self, mask: npt.ArrayLike | None = None) -> dict[str, int]:
        """Count the geometries per way of placing them.

        Parameters
        ----------
        mask : array-like of bool, optional
            Count only these rows.

        Returns
        -------
        dict of str to int
            ``{how: n}`` in the order of :data:`HOW`, ways with no row left out.
        """
        how = self.how if mask is None else self.how[np.asarray(mask, dtype=bool)]
        values, n = np.unique(how[pd.notna(how)].astype(str), return_counts=True)
        found = dict(zip(values.tolist(), n.tolist(), strict=True))
        return {h: int(found[h]) for h in HOW if found.get(h)}


# --- the regions, indexed for distances -----------------------------------------------------------------------------


class _Index(NamedTuple):
    codes: tuple[str, ...]
    position: dict[str, int]
    geoms: np.ndarray  # prepared region polygons
    tree: shapely.STRtree  # over geoms
    pieces: np.ndarray  # boundary pieces (LineStrings)
    piece_region: np.ndarray  # region position of each piece
    piece_tree: shapely.STRtree


@lru_cache(maxsize=4)
def _index(path: Path) -> _Index:
    admin1 = reference.load_admin1()
    codes = tuple(admin1["iso_3166_2"])
    geoms = admin1.geometry.to_numpy().copy()
    shapely.prepare(geoms)
    pieces: list[np.ndarray] = []
    owner: list[int] = []
    for i, geom in enumerate(geoms):
        for ring in shapely.get_parts(shapely.boundary(geom)):
            xy = shapely.get_coordinates(ring)
            for start in range(0, max(len(xy) - 1, 1), _CHUNK):
                pieces.append(xy[start : start + _CHUNK + 1])
                owner.append(i)
    lines = np.array([shapely.linestrings(xy) for xy in pieces if len(xy) >= 2], dtype=object)
    owner_arr = np.array([o for o, xy in zip(owner, pieces, strict=True) if len(xy) >= 2], dtype=int)
    return _Index(
        codes,
        {c: i for i, c in enumerate(codes)},
        geoms,
        shapely.STRtree(geoms),
        lines,
        owner_arr,
        shapely.STRtree(lines),
    )


def _regions() -> _Index:
    return _index(settings.get().reference_dir / "admin1.geojson")


def _km_per_degree(lat: float) -> tuple[float, float]:
    """Kilometres per degree of longitude and of latitude at ``lat`` on the WGS84 ellipsoid."""
    phi = np.radians(lat)
    along_meridian = 111132.92 - 559.82 * np.cos(2 * phi) + 1.175 * np.cos(4 * phi) - 0.0023 * np.cos(6 * phi)
    along_parallel = 111412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi) + 0.118 * np.cos(5 * phi)
    return max(float(along_parallel), 1.0) / 1000.0, float(along_meridian) / 1000.0


def _near(
    idx: _Index, geom: shapely.Geometry, tolerance_km: float, only: Sequence[int] | None = None
) -> dict[int, float]:
    """Kilometres from ``geom`` to each region within ``tolerance_km`` (0 where they touch), by region position."""
    minx, miny, maxx, maxy = shapely.bounds(geom)
    worst_lat = min(max(abs(miny), abs(maxy)) + 0.5, 89.0)
    kx, ky = _km_per_degree(worst_lat)
    dx, dy = tolerance_km / kx * 1.01, tolerance_km / ky * 1.01
    box = shapely.box(minx - dx, miny - dy, maxx + dx, maxy + dy)
    wanted = None if only is None else set(only)
    out = {int(r): 0.0 for r in idx.tree.query(geom, predicate="intersects") if wanted is None or r in wanted}
    hits = idx.piece_tree.query(box)
    regions = idx.piece_region[hits]
    keep = [r not in out and (wanted is None or r in wanted) for r in regions.tolist()]
    hits, regions = hits[keep], regions[keep]
    if not len(hits):
        return out
    lon0, lat0 = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
    kx, ky = _km_per_degree(lat0)
    origin, scale = np.array([lon0, lat0]), np.array([kx, ky])
    local = shapely.transform(geom, lambda xy: (xy - origin) * scale)
    pieces = shapely.transform(idx.pieces[hits], lambda xy: (xy - origin) * scale)
    dist = shapely.distance(local, pieces)
    for r, d in zip(regions, dist, strict=True):
        if d <= tolerance_km and d < out.get(int(r), np.inf):
            out[int(r)] = float(d)
    return out


def _local_km(lon0: float, lat0: float, lon: float, lat: float) -> float:
    kx, ky = _km_per_degree((lat0 + lat) / 2)
    return float(np.hypot((lon - lon0) * kx, (lat - lat0) * ky))


def _overlaps(idx: _Index, geom: shapely.Geometry) -> list[tuple[str, float]]:
    """The regions a polygon or line lies over, with their shares, largest first (slivers under MIN_SHARE left out)."""
    cand = idx.tree.query(geom, predicate="intersects")
    if not len(cand):
        return []
    for r in cand:
        if shapely.contains(idx.geoms[r], geom):
            return [(idx.codes[r], 1.0)]
    lon0 = shapely.get_x(shapely.point_on_surface(geom))
    area = shapely.get_dimensions(geom) == 2

    def _equal_area(g: shapely.Geometry) -> shapely.Geometry:  # sinusoidal around the geometry's own meridian
        return shapely.transform(g, lambda xy: np.c_[(xy[:, 0] - lon0) * np.cos(np.radians(xy[:, 1])), xy[:, 1]])

    measure = shapely.area if area else shapely.length
    total = float(measure(_equal_area(geom)))
    if total <= 0:
        return []
    parts = shapely.intersection(geom, idx.geoms[cand])
    shares = np.array([float(measure(_equal_area(p))) / total for p in parts])
    order = np.argsort(-shares, kind="stable")
    found = [(idx.codes[cand[i]], float(shares[i])) for i in order if shares[i] > 0]
    big = [(c, s) for c, s in found if s >= MIN_SHARE]
    return big or found[:1]


# --- the rules ------------------------------------------------------------------------------------------------------


def _split(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip().upper() for p in value.split(";") if p.strip()]


def _pair(inside: str, stated: str) -> bool:
    return (inside, stated) in PAIRS or (stated, inside) in PAIRS


def _in_exclave(inside: str, stated: str, lon: float, lat: float) -> bool:
    return any(
        e.code == stated and e.within == inside and _local_km(e.lon, e.lat, lon, lat) <= e.radius_km for e in EXCLAVES
    )


def _island(lon: float, lat: float) -> tuple[str, float] | None:
    for isl in ISLANDS:
        d = _local_km(isl.lon, isl.lat, lon, lat)
        if d <= isl.radius_km:
            return isl.code, d
    return None


class _Row(NamedTuple):
    admin1: str | None
    country: str | None
    how: str
    distance_km: float
    found: str | None
    disagrees: bool


def _nearest(
    idx: _Index, geom: shapely.Geometry, tolerance_km: float, country: str | None = None
) -> tuple[str | None, float]:
    """The nearest region (of ``country``, if given) within the tolerance, and its distance."""
    only = None if country is None else [i for i, c in enumerate(idx.codes) if c.startswith(country + "-")]
    near = _near(idx, geom, tolerance_km, only)
    if not near:
        return None, float("nan")
    best = min(near, key=lambda r: (near[r], idx.codes[r]))
    return idx.codes[best], near[best]


def _place_one(
    idx: _Index,
    geom: shapely.Geometry,
    found: list[str],
    stated: str | None,
    country: str | None,
    tolerance_km: float,
    where: tuple[bool, bool],
) -> _Row:
    """The slow path, for one geometry not simply inside the region it states (``where``: in a neighbour, on land)."""
    named = _split(stated)
    codes = [c for c in named if c in idx.position]  # a code no region has is never near
    lon, lat = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
    joined = ";".join(found) or None
    point = shapely.get_type_id(geom) == 0
    stated_country = country or (codes[0][:2] if codes else None)

    def distance_to(targets: list[str]) -> float:
        near = _near(idx, geom, tolerance_km, [idx.position[c] for c in targets])
        return min(near.values()) if near else float("inf")

    if found:
        if named and not codes:
            return _Row(joined, found[0][:2], "inside", 0.0, joined, True)
        if not codes:
            if country and all(not f.startswith(country + "-") for f in found):
                code, d = _nearest(idx, geom, tolerance_km, country)
                if code is not None:
                    return _Row(code, country, "stated", d, joined, False)
            return _Row(joined, found[0][:2], "inside", 0.0, joined, False)
        if any(c in found for c in codes):
            return _Row(stated, codes[0][:2], "inside", 0.0, joined, False)
        if any(_pair(f, c) or (point and _in_exclave(f, c, lon, lat)) for f in found for c in codes):
            d = distance_to(codes)
            return _Row(stated, codes[0][:2], "stated", d if np.isfinite(d) else float("nan"), joined, False)
        d = distance_to(codes)
        if d <= tolerance_km:
            return _Row(stated, codes[0][:2], "stated", d, joined, False)
        return _Row(joined, found[0][:2], "inside", 0.0, joined, True)
    # outside every region's polygon
    if codes:
        d = distance_to(codes)
        if d <= tolerance_km:
            return _Row(stated, codes[0][:2], "stated", d, None, False)
    elif country:
        code, d = _nearest(idx, geom, tolerance_km, country)
        if code is not None:
            return _Row(code, country, "stated", d, None, False)
    in_neighbour, on_land = where
    nearest, d = _nearest(idx, geom, tolerance_km)
    if in_neighbour:
        return _Row(None, None, "outside", d, None, False)
    if nearest is not None:
        return _Row(nearest, nearest[:2], "snapped", d, nearest, bool(named))
    island = _island(lon, lat)
    if island is not None:
        code, d = island
        return _Row(code, code[:2], "snapped", d, code, bool(named) and code not in codes)
    if not on_land:
        return _Row(None, stated_country, "sea", float("nan"), None, False)
    return _Row(None, None, "outside", float("nan"), None, False)


def _place_slow(
    slow: np.ndarray,
    geoms: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    found: np.ndarray,
    is_point: np.ndarray,
    given: np.ndarray,
    given_country: np.ndarray,
    tolerance_km: float,
) -> list[_Row]:
    """Place the rows at ``slow``: what no polygon alone settles (land and neighbours looked up at once)."""
    idx = _regions()
    here = {
        i: [code for code, _ in _overlaps(idx, geoms[i])] if not is_point[i] else [found[i]] if found[i] else []
        for i in slow
    }
    off = np.array([i for i in slow if not here[i]], dtype=int)
    in_neighbour = np.zeros(len(x), dtype=bool)
    on_land = np.zeros(len(x), dtype=bool)
    if len(off):
        in_neighbour[off] = pd.notna(reference.neighbours_of(x[off], y[off]))
        on_land[off] = shapely.contains_xy(reference.load_land(), x[off], y[off])
    rows = []
    for i in slow:
        geom = geoms[i] if geoms[i] is not None else shapely.Point(x[i], y[i])
        where = (bool(in_neighbour[i]), bool(on_land[i]))
        rows.append(_place_one(idx, geom, here[i], given[i], given_country[i], tolerance_km, where))
    return rows


def _as_geoms(geoms_or_lons: npt.ArrayLike, lats: npt.ArrayLike | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geometries (object array, None where missing) and their representative lon/lat (NaN where missing)."""
    if lats is not None:
        x = np.asarray(geoms_or_lons, dtype=float).ravel()
        y = np.asarray(lats, dtype=float).ravel()
        if x.shape != y.shape:
            raise ValueError(f"lons has {x.shape[0]} values but lats has {y.shape[0]}")
        return np.full(x.shape, None, dtype=object), x, y
    geoms = np.asarray(geoms_or_lons, dtype=object).ravel()
    geoms = np.where(pd.isna(geoms), None, geoms)
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    has = np.array([g is not None for g in geoms], dtype=bool)
    has[has] = ~shapely.is_empty(geoms[has])
    if has.any():
        bounds = shapely.bounds(geoms[has])
        finite = np.isfinite(bounds).all(axis=1)
        sub = np.flatnonzero(has)[finite]
        points = shapely.get_type_id(geoms[sub]) == 0
        x[sub[points]], y[sub[points]] = shapely.get_x(geoms[sub[points]]), shapely.get_y(geoms[sub[points]])
        other = sub[~points]
        if len(other):
            reps = shapely.point_on_surface(geoms[other])
            x[other], y[other] = shapely.get_x(reps), shapely.get_y(reps)
    return geoms, x, y


def _column(values: npt.ArrayLike | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, None, dtype=object)
    arr = np.asarray(values, dtype=object).ravel()
    if arr.shape != (n,):
        raise ValueError(f"expected {n} values, got {arr.shape[0]}")
    return np.where(pd.isna(arr) | (arr == ""), None, arr)


def place(
    geoms_or_lons: npt.ArrayLike,
    lats: npt.ArrayLike | None = None,
    *,
    stated: npt.ArrayLike | None = None,
    country: npt.ArrayLike | None = None,
    tolerance_km: float = TOLERANCE_KM,
) -> Placement:
    """Place geometries (or points) in regions, by the rules of this module.

    Parameters
    ----------
    geoms_or_lons : array-like
        Shapely geometries in EPSG:4326 (None for missing), or longitudes
        when ``lats`` is given.
    lats : array-like of float, optional
        Latitudes: ``geoms_or_lons`` are then longitudes of points.
    stated : array-like of str, optional
        The region each row states (ISO 3166-2, ``;``-joined for several;
        None where none).
    country : array-like of str, optional
        The country each row states (ISO 3166-1 alpha-2; None where none).
    tolerance_km : float
        How far a geometry may lie from a stated region or the nearest
        coast (default :data:`TOLERANCE_KM`).

    Returns
    -------
    Placement
        Per row: regions, country, how, distance; rows whose coordinates are
        missing, infinite or outside -180..180 / -90..90 get ``how`` None.

    Raises
    ------
    ValueError
        When the inputs differ in length.

    Examples
    --------
    >>> p = place([34.03613], [52.18886], stated=["UA-59"])  # Seredyna-Buda, in Natural Earth's Bryansk
    >>> p.admin1[0], p.how[0], p.found[0]
    ('UA-59', 'stated', 'RU-BRY')
    """
    geoms, x, y = _as_geoms(geoms_or_lons, lats)
    n = len(x)
    given = _column(stated, n)
    given_country = _column(country, n)
    usable = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
    is_point = np.ones(n, dtype=bool) if lats is not None else np.zeros(n, dtype=bool)
    if lats is None:  # points and multipoints are placed by their (representative) point
        is_point[usable] = shapely.get_dimensions(geoms[usable]) == 0

    admin1 = np.full(n, None, dtype=object)
    ctry = np.full(n, None, dtype=object)
    how = np.full(n, None, dtype=object)
    dist = np.full(n, np.nan)
    found = np.full(n, None, dtype=object)
    disagrees = np.zeros(n, dtype=bool)
    swapped = np.zeros(n, dtype=bool)

    pts = np.flatnonzero(usable & is_point)
    found[pts] = reference.regions_of(x[pts], y[pts])
    prefix = np.full(n, None, dtype=object)
    codes, uniques = pd.factorize(found[pts])
    prefix[pts] = np.array([u[:2] for u in uniques] + [None], dtype=object)[codes]
    simple = usable & is_point & pd.notna(found)
    simple &= pd.isna(given) | (given == found)
    simple &= pd.isna(given_country) | pd.notna(given) | (given_country == prefix)
    admin1[simple] = found[simple]
    ctry[simple] = prefix[simple]
    how[simple] = "inside"
    dist[simple] = 0.0

    slow = np.flatnonzero(usable & ~simple)
    if len(slow):
        rows = _place_slow(slow, geoms, x, y, found, is_point, given, given_country, tolerance_km)
        for i, row in zip(slow, rows, strict=True):
            admin1[i], ctry[i], how[i], dist[i], found[i], disagrees[i] = row

    outside = np.flatnonzero(how == "outside")
    if len(outside):
        swapped[outside] = pd.notna(reference.regions_of(y[outside], x[outside]))
    return Placement(admin1, ctry, how, dist, found, disagrees, swapped)
