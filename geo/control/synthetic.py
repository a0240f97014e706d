"""Generated series of assessed control, in the exact shape of DeepStateMap's daily files, for tests and benchmarks.

Nothing of DeepStateMap is bundled (its archives are not cleared for
redistribution); these series are made up: a rectangle in Zaporizhzhia oblast
whose eastern edge moves east by a fixed strip each day, optionally with a
wiggly edge of many vertices (the size of a real daily file). Every file is
marked synthetic only by where it is written: it has DeepStateMap's shape on
purpose, so that importing it exercises the real path.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Final

import numpy as np
import shapely

__all__ = ["CRS84", "EAST0", "NORTH", "SOUTH", "WEST", "daily_geojson", "growing_area", "write_daily_files"]

CRS84: Final = "urn:ogc:def:crs:OGC:1.3:CRS84"
WEST: Final = 35.0
"""West edge of the generated area (° E), in Zaporizhzhia oblast."""
SOUTH: Final = 47.3
NORTH: Final = 47.5
EAST0: Final = 35.2
"""East edge on day 0."""


def growing_area(day: int, *, step: float = 0.01, vertices: int = 4, wiggle: float = 0.0) -> shapely.MultiPolygon:
    """The area held on day ``day`` (0-based): the rectangle WEST..EAST0 + day × step, SOUTH..NORTH.

    Parameters
    ----------
    day : int
        Days since the first.
    step : float
        Degrees of longitude added each day.
    vertices : int
        Points on the eastern edge (4: a plain rectangle).
    wiggle : float
        Amplitude (degrees) of a sine on the eastern edge, the same every day
        (so each day's strip keeps its area exactly).

    Returns
    -------
    shapely.MultiPolygon
        In lon/lat.
    """
    east = EAST0 + day * step
    n = max(vertices - 2, 2)
    lats = np.linspace(SOUTH, NORTH, n)
    lons = east + wiggle * np.sin(np.linspace(0, 40 * np.pi, n))
    ring = [(WEST, SOUTH), *zip(lons.tolist(), lats.tolist(), strict=True), (WEST, NORTH), (WEST, SOUTH)]
    if vertices <= 4:
        ring = [(WEST, SOUTH), (east, SOUTH), (east, NORTH), (WEST, NORTH), (WEST, SOUTH)]
    return shapely.MultiPolygon([shapely.Polygon(ring)])


def daily_geojson(geom: shapely.MultiPolygon) -> str:
    """A day's file as DeepStateMap publishes it: a FeatureCollection of one MultiPolygon, CRS84, no properties."""
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": CRS84}},
        "features": [{"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(geom))}],
    }
    return json.dumps(doc, separators=(",", ":"))


def write_daily_files(
    folder: Path,
    start: dt.date,
    days: int,
    *,
    step: float = 0.01,
    vertices: int = 4,
    wiggle: float = 0.0,
    zip_name: str | None = None,
) -> list[Path]:
    """Write ``days`` daily files ``deepstatemap_data_YYYYMMDD.geojson`` (or one zip holding them).

    Parameters
    ----------
    folder : Path
        Where to write (created).
    start : date
        The first day.
    days : int
        How many days.
    step, vertices, wiggle
        As for :func:`growing_area`.
    zip_name : str, optional
        Write one zip of that name holding every day instead of loose files.

    Returns
    -------
    list of Path
        The files written (the zip alone when ``zip_name`` is given).
    """
    folder.mkdir(parents=True, exist_ok=True)
    named = [
        (
            f"deepstatemap_data_{start + dt.timedelta(days=i):%Y%m%d}.geojson",
            daily_geojson(growing_area(i, step=step, vertices=vertices, wiggle=wiggle)),
        )
        for i in range(days)
    ]
    if zip_name is not None:
        path = folder / zip_name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in named:
                z.writestr(name, text)
        return [path]
    out = []
    for name, text in named:
        (folder / name).write_text(text, encoding="utf-8")
        out.append(folder / name)
    return out
