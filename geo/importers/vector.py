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
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import schema
from geo.errors import GeoError, Problem
from geo.importers import _common
from geo.importers.report import ImportResult
from geo.importers.table import _read_table

__all__ = ["MAX_RATIO", "MAX_UNPACKED", "read_geojson", "read_gpkg", "read_kml", "read_shapefile_zip"]

MAX_UNPACKED = 500 * 2**20
"""A zip that would expand to more than this is refused."""
MAX_RATIO = 100
"""A zip whose unpacked size exceeds its own size this many times is refused."""


def check_zip(path: Path, *, max_unpacked: int = MAX_UNPACKED, max_ratio: int = MAX_RATIO) -> list[str]:
    """Refuse unsafe zips before extracting anything; return the member names.

    Parameters
    ----------
    path : Path
        The zip file.
    max_unpacked : int
        Largest total unpacked size accepted, in bytes.
    max_ratio : int
        Largest unpacked / packed size ratio accepted.

    Returns
    -------
    list of str
        The names of the files in the zip.

    Raises
    ------
    GeoError
        Not a zip, a path leaving the folder (absolute or ``..``), or too
        large once unpacked.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise GeoError(f"{path.name} is not a zip file") from None
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in PurePosixPath(name).parts or ":" in name.split("/")[0]:
            raise GeoError(f"{path.name} holds an unsafe path {info.filename!r}: refused, nothing extracted")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked or unpacked > max_ratio * max(path.stat().st_size, 1):
        raise GeoError(
            f"{path.name} would expand to {unpacked / 2**20:,.0f} MB from {path.stat().st_size / 2**20:,.1f} MB: "
            "refused as a likely zip bomb, nothing extracted"
        )
    return [i.filename for i in infos if not i.is_dir()]


def _extract(path: Path, folder: Path, suffixes: tuple[str, ...], what: str) -> Path:
    """Check, extract and return the one file with one of ``suffixes`` in the zip."""
    names = check_zip(path)
    wanted = [n for n in names if n.lower().endswith(suffixes) and not n.split("/")[-1].startswith(".")]
    if not wanted:
        raise GeoError(f"{path.name} holds no {what} file")
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
    return folder / wanted[0]


def _repair(result: ImportResult, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repair invalid geometries where the dimension survives; return (geometries, rejected mask)."""
    out = geoms.copy()
    bad = np.zeros(len(geoms), dtype=bool)
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
            bad[i] = True
            result.rejected.append(
                Problem(
                    f"invalid geometry that cannot be repaired safely: {reason}", i + 1, "geometry", "fix it in GIS"
                )
            )
    return out, bad


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
    geoms = gdf.geometry.to_numpy().copy()
    geoms, broken = _repair(result, geoms)
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


def _read(path: Path, fmt: str, layer: str | None = None) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise GeoError(f"{path.name} is not a readable {fmt} file: {first}") from None


def _public(path: str | Path, max_bytes: int | None, dataset: str | None) -> tuple[Path, str]:
    p = _common.fspath(path)
    _common.check_size(p, max_bytes)
    return p, _common.dataset_name(p, dataset)


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
    dataset : str, optional
        Dataset name (default: the file's stem).
    mapping : str or Path, optional
        JSON or TOML mapping of properties onto template columns.
    max_bytes : int, optional
        Refuse larger files before reading (default 200 MB).
    today : date, optional
        Reference date for "in the future".

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected features (row = feature number).

    Raises
    ------
    GeoError
        Unreadable, empty, too large, or missing template columns.
    """
    p, name = _public(path, max_bytes, dataset)
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
    p, name = _public(path, max_bytes, dataset)
    try:
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
    p, name = _public(path, max_bytes, dataset)
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
    p, name = _public(path, max_bytes, dataset)
    with tempfile.TemporaryDirectory(prefix="geo-shp-") as tmp:
        shp = _extract(p, Path(tmp), (".shp",), "Shapefile (.shp)")
        return _read_frame(_read(shp, "Shapefile"), p, "shp", name, mapping, today)
