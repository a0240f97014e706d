"""Geometries a vector reader lost or could not trust, found per feature so each is rejected by row with its reason.

GDAL reads what it cannot parse as *no geometry*, silently: a GeoJSON
``"coordinates": ["30.5", "50.4"]`` (text, not numbers), a Point nested as a
LineString, an unknown ``type``; LIBKML reads ``<coordinates>abc,def`` as the
point 0, 0. A feature without geometry is otherwise located from its place
name, so such a feature would land somewhere else with no word. This module
names each one:

* :func:`geojson_lost` reads the raw GeoJSON (bounded size) and says, for every
  feature GDAL returned without geometry although the file gives one, what is
  wrong with it;
* :func:`untrusted` finds geometries with coordinates that are not finite
  numbers (``1e309``, ``NaN``) or that sit exactly on 0, 0 ("Null Island").

:func:`crs_link` runs *before* GDAL opens a GeoJSON file: GDAL fetches a
``"crs": {"type": "link", "properties": {"href": "http://…"}}`` over the
network while it opens the file (found by tests/test_fuzz_importers.py).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely

MAX_RAW_JSON: Final = 64 * 2**20
"""GeoJSON files up to this size are also read as raw JSON to explain the geometries GDAL could not read."""
_DEPTH: Final = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
"""How many list levels each geometry type has above a position."""
_MIN_POSITIONS: Final = {"LineString": 2, "MultiLineString": 2, "Polygon": 4, "MultiPolygon": 4}
"""The fewest positions of one line (2) or one ring (4) of each type."""
_U_ESCAPE: Final = re.compile(rb"\\u([0-9a-fA-F]{4})")
_LINK_TYPE: Final = re.compile(rb'"type"\s*:\s*"(?:link|url)"', re.IGNORECASE)
_HREF: Final = re.compile(rb'"href"\s*:\s*"([^"]{0,200})', re.IGNORECASE)
GEOJSON_FIX: Final = 'write each position as numbers, [longitude, latitude], e.g. "coordinates": [30.52, 50.45]'


def _short(value: Any) -> str:
    """A value as JSON, cut to 60 characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _position_problem(pos: Any) -> str | None:
    """What is wrong with one position (``[lon, lat]``), or None."""
    if not isinstance(pos, list):
        return f"a position must be a list [longitude, latitude], not {_short(pos)}"
    if any(isinstance(v, list) for v in pos):
        return f"coordinates are nested one level too deep: {_short(pos)}"
    if len(pos) < 2:
        return f"a position needs a longitude and a latitude: {_short(pos)}"
    if not all(_is_number(v) for v in pos):
        return f"geometry coordinates are not numbers: {_short(pos)}"
    if not all(math.isfinite(float(v)) for v in pos):
        return f"geometry coordinates are not finite numbers: {_short(pos)}"
    return None


def _coordinates_problem(coords: Any, depth: int, kind: str) -> str | None:
    """What is wrong with ``coords`` of a geometry whose positions sit ``depth`` list levels down."""
    if depth == 0:
        return _position_problem(coords)
    if not isinstance(coords, list):
        return f"{kind} coordinates must be nested lists, not {_short(coords)}"
    if coords and depth >= 1 and all(_is_number(v) or isinstance(v, str) for v in coords):
        return f"coordinates are not nested deeply enough for a {kind}: {_short(coords)}"
    for part in coords:
        problem = _coordinates_problem(part, depth - 1, kind)
        if problem:
            return problem
    least = _MIN_POSITIONS.get(kind)
    if least and depth == 1 and len(coords) < least:
        what = "ring" if kind.endswith("Polygon") else "line"
        return f"a {kind}'s {what} needs at least {least} positions: {_short(coords)}"
    return None


def geometry_problem(geometry: Any, nesting: int = 0) -> str | None:
    """What is wrong with a raw GeoJSON geometry object, or None when it looks right.

    Parameters
    ----------
    geometry : object
        The ``geometry`` member of a feature, as :func:`json.loads` read it.
    nesting : int
        How deep inside GeometryCollections it is (deeper than 8 is refused).

    Returns
    -------
    str or None
        The reason, naming the offending value (cut short).
    """
    if geometry is None:
        return None
    if not isinstance(geometry, dict):
        return f"geometry is not a GeoJSON geometry object: {_short(geometry)}"
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        parts = geometry.get("geometries")
        if not isinstance(parts, list):
            return "a GeometryCollection needs a list of geometries"
        if nesting >= 8:
            return "GeometryCollections nested too deeply"
        return next((p for p in (geometry_problem(g, nesting + 1) for g in parts) if p), None)
    if kind not in _DEPTH:
        return f"unknown geometry type {_short(kind)}"
    if "coordinates" not in geometry:
        return f"the {kind} has no coordinates"
    return _coordinates_problem(geometry["coordinates"], _DEPTH[kind], str(kind))


def _features(root: Any) -> list[Any] | None:
    """The entries GDAL reads as features, in order (None: not a shape this check knows)."""
    if not isinstance(root, dict):
        return None
    if root.get("type") == "FeatureCollection" and isinstance(root.get("features"), list):
        return list(root["features"])
    if root.get("type") == "Feature":
        return [root]
    return None


def geojson_lost(path: Path, missing: np.ndarray) -> tuple[dict[int, str | None], list[str]]:
    """Why GDAL returned no geometry for features the file gives one, and entries it did not read as features.

    Parameters
    ----------
    path : Path
        The GeoJSON file (already checked for size).
    missing : ndarray of bool
        Per feature GDAL read (in its order): it came without geometry.

    Returns
    -------
    lost : dict of int to str or None
        0-based feature position → why its geometry cannot be read (None:
        the file gives a geometry there, and it looks right).
    notes : list of str
        What could not be checked, or entries of ``features`` that are not features.
    """
    if path.stat().st_size > MAX_RAW_JSON:
        if missing.any():
            return {}, [
                f"{int(missing.sum()):,} feature(s) have no geometry; the file is too large to check whether "
                "their geometry was unreadable"
            ]
        return {}, []
    try:
        root = json.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"), parse_int=float)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return {}, []  # GDAL read it, Python's json does not (e.g. comments): nothing more to say
    entries = _features(root)
    if entries is None:
        return {}, []
    kept = [i for i, e in enumerate(entries) if isinstance(e, dict) and e.get("type") == "Feature"]
    notes = []
    dropped = [i for i in range(len(entries)) if i not in set(kept)]
    if dropped:
        listed = ", ".join(str(i + 1) for i in dropped[:5]) + (", …" if len(dropped) > 5 else "")
        notes.append(
            f"{len(dropped):,} entr{'y' if len(dropped) == 1 else 'ies'} of 'features' (number {listed}) "
            'not read: not a GeoJSON Feature (each needs "type": "Feature")'
        )
    if len(kept) != len(missing):
        if missing.any():
            notes.append(
                f"{int(missing.sum()):,} feature(s) have no geometry; which of them were unreadable is unknown"
            )
        return {}, notes
    lost: dict[int, str | None] = {}
    for pos in np.flatnonzero(missing):
        geometry = entries[kept[pos]].get("geometry")
        if geometry is not None:
            lost[int(pos)] = geometry_problem(geometry)
    return lost, notes


def untrusted(geoms: np.ndarray) -> dict[int, str]:
    """Geometries whose coordinates are not finite, or that have a vertex exactly at 0, 0.

    Parameters
    ----------
    geoms : ndarray of shapely geometries (or None)
        As read, before reprojection.

    Returns
    -------
    dict of int to str
        Position → why the geometry is not used.
    """
    present = ~pd.isna(geoms)
    if not present.any():
        return {}
    coords, index = shapely.get_coordinates(np.where(present, geoms, None), return_index=True)
    out: dict[int, str] = {}
    for i in np.unique(index[~np.isfinite(coords).all(axis=1)]):
        out[int(i)] = "geometry coordinates are not finite numbers (infinite or NaN)"
    for i in np.unique(index[(coords == 0).all(axis=1)]):
        out.setdefault(int(i), 'coordinates 0, 0 ("Null Island"): the file\'s coordinates are missing or not numbers')
    return out


def crs_link(path: Path) -> str | None:
    """Whether a GeoJSON file gives a CRS by link or URL (GDAL would fetch it): the link, or ``"a link"``.

    Conservative: any ``"type": "link"`` or ``"type": "url"`` in the file counts,
    whatever its case and however its letters are escaped (``\\u006c``).

    Parameters
    ----------
    path : Path
        The file (already checked for size).

    Returns
    -------
    str or None
        What it links to (cut to 200 characters), or None when there is no such member.
    """
    data = path.read_bytes()
    if b"\\u" in data:
        data = _U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)).encode("utf-8", "replace"), data)
    found = _LINK_TYPE.search(data)
    if found is None:
        return None
    href = _HREF.search(data)
    return href.group(1).decode("utf-8", "replace") if href else "a link"
