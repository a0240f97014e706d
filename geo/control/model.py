"""What an assessment of control is: sides, kinds, the equal-area projection, and areas in km².

An *assessment* is one assessor's map of the area one side holds on one day
(DeepStateMap's occupied area, an ISW layer). It is stored as a MultiPolygon
in EPSG:4326 (:meth:`geo.store.base.Store.write_assessments`); areas and
distances are computed in :data:`EQUAL_AREA`, a Lambert azimuthal
equal-area projection on the WGS 84 ellipsoid centred on Ukraine: areas are
exact up to the densification of long edges (:data:`DENSIFY_DEG`), distances
are within 0.5 % of the true ones anywhere in Ukraine.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

import numpy as np
import numpy.typing as npt
import pyproj
import shapely

__all__ = [
    "DENSIFY_DEG",
    "EQUAL_AREA",
    "HELD",
    "KIND_WORDS",
    "SIDES",
    "area_km2",
    "kind_of",
    "other_side",
    "side_of",
    "to_equal_area",
    "to_lonlat",
]

SIDES: Final = ("RU", "UA")
"""The sides an assessed area can be held by."""

HELD: Final = "occupied"
"""The kind of an area a side holds (DeepStateMap's occupied area, ISW's assessed control): the kind that
changes, verdicts and the Control layer read by default. Other kinds (an assessed advance, a claimed control)
are stored and read the same way when asked for by name."""

KIND_WORDS: Final = (
    ("claim", "claimed_control"),
    ("advance", "assessed_advance"),
    ("counteroffensive", "counteroffensive"),
    ("counter-offensive", "counteroffensive"),
    ("partisan", "partisan_activity"),
    ("occup", HELD),
    ("окуп", HELD),
    ("оккуп", HELD),
    ("control", HELD),
    ("held", HELD),
)
"""Words of a layer's kind text → the stored kind, first match wins ("claimed Russian control" is a claim,
"assessed Russian advance" an advance, "Russian-occupied" and "assessed Russian-controlled" are held)."""

EQUAL_AREA: Final = "+proj=laea +lat_0=48.5 +lon_0=32 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
"""Lambert azimuthal equal-area on WGS 84, centred on Ukraine (48.5° N, 32° E)."""

DENSIFY_DEG: Final = 0.02
"""Edges longer than this (degrees) get vertices added before projecting, so that an edge along a parallel
(as EPSG:4326 polygons draw it) keeps its course: the area error stays far below 0.1 %."""

_RUSSIAN = re.compile(r"\brussia|\bru\b|\bросі|\bросс", re.IGNORECASE)
_UKRAINIAN = re.compile(r"ukrainian|\bua\b|українськ|украинск|\bзсу\b|\bafu\b", re.IGNORECASE)
"""Adjectives name the side; "Ukraine" alone is where ("Russian-occupied Ukraine" is RU)."""


@lru_cache(maxsize=1)
def _forward() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)


@lru_cache(maxsize=1)
def _inverse() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(EQUAL_AREA, "EPSG:4326", always_xy=True)


def _apply(transformer: pyproj.Transformer, geoms: object) -> object:
    def fn(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)


def to_equal_area(geoms: object, *, densify: bool = True) -> object:
    """Project lon/lat geometries (EPSG:4326) to :data:`EQUAL_AREA` metres.

    Parameters
    ----------
    geoms : shapely geometry or array of them
        Geometries in EPSG:4326.
    densify : bool
        Add vertices to edges longer than :data:`DENSIFY_DEG` first.

    Returns
    -------
    shapely geometry or ndarray
        The same shape of input, in metres.
    """
    if densify:
        geoms = shapely.segmentize(geoms, DENSIFY_DEG)
    return _apply(_forward(), geoms)


def to_lonlat(geoms: object) -> object:
    """Project :data:`EQUAL_AREA` geometries back to lon/lat (EPSG:4326).

    Parameters
    ----------
    geoms : shapely geometry or array of them
        Geometries in metres of :data:`EQUAL_AREA`.

    Returns
    -------
    shapely geometry or ndarray
        In EPSG:4326.
    """
    return _apply(_inverse(), geoms)


def area_km2(geoms: object) -> npt.NDArray[np.float64]:
    """Areas in km² of lon/lat polygons, computed in :data:`EQUAL_AREA`.

    Parameters
    ----------
    geoms : shapely geometry or array of them
        Polygons or MultiPolygons in EPSG:4326 (missing ones count 0).

    Returns
    -------
    ndarray of float
        One area per geometry.
    """
    arr = np.atleast_1d(np.asarray(geoms, dtype=object))
    out = np.zeros(len(arr))
    present = ~shapely.is_missing(arr)
    if present.any():
        out[present] = shapely.area(to_equal_area(arr[present])) / 1e6
    return out


def side_of(text: object) -> str | None:
    """The side a layer's kind text names ("assessed Russian advance" → ``RU``), or None.

    Parameters
    ----------
    text : object
        A kind or layer name, in English, Ukrainian or Russian, or a code.

    Returns
    -------
    str or None
        ``RU``, ``UA`` or None when it names neither or both.
    """
    if not isinstance(text, str):
        return None
    ru, ua = bool(_RUSSIAN.search(text)), bool(_UKRAINIAN.search(text))
    if ru == ua:
        return None
    return "RU" if ru else "UA"


def kind_of(text: object) -> str | None:
    """The stored kind of a layer's kind text (see :data:`KIND_WORDS`), or None when it says none.

    Parameters
    ----------
    text : object
        E.g. "Assessed Russian Advance in Ukraine", "claimed Russian control", "occupied".

    Returns
    -------
    str or None
        ``occupied``, ``assessed_advance``, ``claimed_control``, ``counteroffensive``,
        ``partisan_activity``, or None.
    """
    if not isinstance(text, str):
        return None
    low = text.lower()
    for word, kind in KIND_WORDS:
        if word in low:
            return kind
    return None


def other_side(side: str) -> str:
    """``UA`` for ``RU`` and the other way round."""
    return "UA" if side == "RU" else "RU"
