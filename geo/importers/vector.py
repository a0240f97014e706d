"""Vector files (GeoJSON, GeoPackage, KML/KMZ, zipped Shapefile) → events with their geometry.

Each feature is one row of the events template (:mod:`geo.importers.table`):
its attributes are template columns (or mapped onto them with a mapping
file), its geometry is the event's (points for places and targets, polygons
for claimed or affected areas). KML's ``Name``/``Description`` stand in for
``place``/``text`` when those are missing.

* Any CRS is reprojected to EPSG:4326. A file without a CRS is taken as
  EPSG:4326; coordinates that are then out of range are rejected per row as
  metres (EPSG:3857), the fix says so.
* Invalid geometries (a self-intersecting polygon) are repaired with
  :func:`shapely.make_valid` when that keeps the geometry's dimension (a
  polygon stays an area); the report lists each repair. Otherwise the row is
  rejected.
* Zips (KMZ, zipped Shapefile) are checked before anything is extracted: no
  absolute or ``../`` paths, at most 500 MB unpacked and a compression ratio
  of at most 100; then they are extracted to a temporary folder.
* A GeoPackage with several layers: the first layer is read, the others are
  named in the report.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import schema
from geo.errors import GeoError
from geo.importers import _common, rules
from geo.importers.report import ImportResult
from geo.importers.rules import Rule
from geo.importers.table import _read_table

__all__ = ["MAX_RATIO", "MAX_UNPACKED", "read_geojson", "read_gpkg", "read_kml", "read_shapefile_zip"]

MAX_UNPACKED = _common.MAX_UNPACKED
MAX_RATIO = _common.MAX_RATIO
check_zip = _common.check_zip


def _extract(path: Path, folder: Path, suffixes: tuple[str, ...], what: str) -> Path:
    """Check, extract and return the one file with one of ``suffixes`` in the zip."""
    names = check_zip(path)
    wanted = [n for n in names if n.lower().endswith(suffixes) and not n.split("/")[-1].startswith(".")]
    if not wanted:
        raise GeoError(f"{path.name} holds no {what} file")
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
    return folder / wanted[0]


_REPAIRABLE = Rule(
    "geometry", "test", ok=pd.isna, why="invalid geometry that cannot be repaired safely: {value}", fix="fix it in GIS"
)
"""The column holds why a geometry could not be repaired (``None``: valid, or repaired)."""


def _repair(result: ImportResult, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repair invalid geometries where the dimension survives; return (geometries, rejected mask)."""
    out = geoms.copy()
    unrepaired = np.full(len(geoms), None, dtype=object)
    present = ~pd.isna(geoms)
    invalid = np.flatnonzero(present & ~shapely.is_valid(np.where(present, geoms, None)))
    for i in invalid:
        reason = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[i])
        dim = shapely.get_dimensions(geoms[i])
        if fixed.geom_type == "GeometryCollection":
            parts = [g for g in shapely.get_parts(fixed) if shapely.get_dimensions(g) == dim]
            fixed = shapely.union_all(parts) if parts else fixed
        if not fixed.is_empty and shapely.get_dimensions(fixed) == dim and fixed.geom_type != "GeometryCollection":
            out[i] = fixed
            result.notes.append(f"row {i + 1}: invalid geometry ({reason}) repaired with make_valid")
        else:
            unrepaired[i] = reason
    checked = rules.check(pd.DataFrame({"geometry": unrepaired}), [_REPAIRABLE])
    result.reject(checked.problems)
    return out, checked.bad


def _read_frame(
    gdf: gpd.GeoDataFrame, path: Path, fmt: str, dataset: str, mapping: str | Path | None, today: dt.date | None
) -> ImportResult:
    """Core: features → template rows → events, with CRS handling and repairs."""
    if gdf.empty:
        raise GeoError(f"{path.name} holds no features")
    result = ImportResult(source=str(path), format=fmt, dataset=dataset, rows=len(gdf))
    if gdf.crs is not None and gdf.crs != schema.CRS:
        result.notes.append(f"reprojected from {gdf.crs.to_string()} to {schema.CRS}")
        gdf = gdf.to_crs(schema.CRS)
    geoms, broken = _repair(result, gdf.geometry.to_numpy().copy())
    attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).copy()
    lower = {str(c).lower(): c for c in attrs.columns}
    for theirs, ours in (("name", "place"), ("description", "text")):
        if ours not in attrs.columns and theirs in lower:
            attrs[ours] = attrs[lower[theirs]]
    for col in attrs.columns:
        values = attrs[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            attrs[col] = values.dt.strftime("%Y-%m-%d")
        attrs[col] = attrs[col].astype(object).where(attrs[col].notna(), "").astype(str)
    geoms = np.where(broken, None, geoms)
    return _read_table(attrs, path, fmt, dataset, mapping, today, geoms=geoms, result=result, pre_rejected=broken)


_DRIVERS: Final = {
    "GeoJSON": ("GeoJSON",),
    "GeoPackage": ("GPKG",),
    "KML": ("LIBKML", "KML"),
    "Shapefile": ("ESRI Shapefile",),
}
"""The GDAL drivers each format may be read with. Anything else GDAL would pick (a VRT document that reads
local files or fetches URLs, a /vsi path) is refused before a feature is read."""
_XML_PROLOGUE: Final = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", re.DOTALL)
_FIRST_TAG: Final = re.compile(rb"<\s*([A-Za-z_][\w:.-]*)")


def _looks_like(path: Path, fmt: str) -> bool:
    """Whether the file's first bytes are those of its format (GDAL would otherwise guess from the content)."""
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if fmt == "GeoPackage":
        return head.startswith(b"SQLite format 3\x00")
    if fmt == "Shapefile":
        return head[:4] == b"\x00\x00\x27\x0a"  # the .shp file code, 9994
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if fmt == "GeoJSON":
        return body.startswith(b"{")
    tag = _FIRST_TAG.search(_XML_PROLOGUE.sub(b"", body))  # KML: the root element is <kml>
    return tag is not None and tag.group(1).split(b":")[-1].lower() == b"kml"


def _check_driver(path: Path, fmt: str, layer: str | None) -> None:
    """Refuse a file that is not plainly of ``fmt``, or that GDAL would open with another driver."""
    if "/vsi" in str(path).lower() or not _looks_like(path, fmt):
        raise GeoError(f"{path.name} does not hold {fmt} (its content is something else); nothing was read")
    driver = pyogrio.read_info(path, layer=layer)["driver"]
    if driver not in _DRIVERS[fmt]:
        raise GeoError(f"{path.name} does not hold {fmt} (GDAL would read it as {driver}); nothing was read")


def _read(path: Path, fmt: str, layer: str | None = None) -> gpd.GeoDataFrame:
    try:
        _check_driver(path, fmt, layer)
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise GeoError(f"{path.name} is not a readable {fmt} file: {first}") from None


def read_geojson(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a GeoJSON FeatureCollection of events.

    Parameters
    ----------
    path : str or Path
        The file.
    dataset, mapping, max_bytes, today
        As for :func:`geo.importers.read_file` (the mapping renames
        properties onto template columns).

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected features (row = feature number).

    Raises
    ------
    GeoError
        Unreadable, empty, too large, or missing template columns.
    """
    p, name = _common.open_input(path, max_bytes, dataset)
    return _read_frame(_read(p, "GeoJSON"), p, "geojson", name, mapping, today)


def read_gpkg(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read the first layer of a GeoPackage (see :func:`read_geojson` for the parameters).

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected features.
    """
    p, name = _common.open_input(path, max_bytes, dataset)
    try:
        _check_driver(p, "GeoPackage", None)  # before GDAL lists anything in it
        layers = [str(row[0]) for row in pyogrio.list_layers(p)]
    except pyogrio.errors.DataSourceError:
        raise GeoError(f"{p.name} is not a readable GeoPackage") from None
    if not layers:
        raise GeoError(f"{p.name} holds no layers")
    result = _read_frame(_read(p, "GeoPackage", layers[0]), p, "gpkg", name, mapping, today)
    if len(layers) > 1:
        result.notes.append(f"read layer {layers[0]!r}; other layers not read: {', '.join(layers[1:])}")
    return result


def read_kml(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a KML or KMZ file (see :func:`read_geojson` for the parameters).

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected placemarks.
    """
    p, name = _common.open_input(path, max_bytes, dataset)
    if _common.head(p, 4) == b"PK\x03\x04":
        with tempfile.TemporaryDirectory(prefix="geo-kmz-") as tmp:
            kml = _extract(p, Path(tmp), (".kml",), "KML")
            return _read_frame(_read(kml, "KML"), p, "kml", name, mapping, today)
    return _read_frame(_read(p, "KML"), p, "kml", name, mapping, today)


def read_shapefile_zip(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a zipped Shapefile (see :func:`read_geojson` for the parameters).

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected features.
    """
    p, name = _common.open_input(path, max_bytes, dataset)
    with tempfile.TemporaryDirectory(prefix="geo-shp-") as tmp:
        shp = _extract(p, Path(tmp), (".shp",), "Shapefile (.shp)")
        return _read_frame(_read(shp, "Shapefile"), p, "shp", name, mapping, today)
