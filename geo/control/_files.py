"""Reading one polygon file into features: GeoJSON parsed directly, other formats through the vector importers' GDAL.

A *feature* here is a polygon with its attributes. GeoJSON (DeepStateMap's
daily files, ISW exports) is parsed with :mod:`json` and shapely — no GDAL
driver is involved, so nothing but JSON is ever read — after the same
content check the vector importers make (``vector.looks_like``); KML/KMZ,
GeoPackage and zipped Shapefiles are read by GDAL after the vector
importers' driver check (``vector.check_driver``: a file GDAL would read
with another driver, a VRT disguised as KML, is refused). Zips are checked
by ``_common.check_zip`` before anything is extracted. Private to :mod:`geo.control`.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely
from shapely.geometry import shape

from geo.errors import GeoError
from geo.importers import _common, vector

POLYGON_SUFFIXES: Final = (".geojson", ".json", ".kml", ".kmz", ".gpkg", ".zip")
"""What a folder or a zip of days may hold; anything else is listed as skipped."""
_LONLAT: Final = ("EPSG:4326", "OGC:CRS84", "OGC:CRS83", "EPSG:4258")


@dataclass
class RawFile:
    """What one file held: its polygon features, their attributes, and what was noted on the way.

    Parameters
    ----------
    name : str
        The file's name as the user knows it (a zip member: ``days.zip:deepstatemap_data_20240105.geojson``).
    stem : str
        The bare file name, where a date may be.
    geoms : ndarray of shapely geometries
        Polygons and MultiPolygons in EPSG:4326 (other geometry types are dropped and noted).
    attrs : list of dict
        Each feature's attributes.
    notes : list of str
        Reprojections, dropped non-polygon features.
    """

    name: str
    stem: str
    geoms: np.ndarray
    attrs: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def _crs_of(doc: dict[str, Any], name: str) -> pyproj.CRS | None:
    """The CRS a GeoJSON names in its old-style ``crs`` member (None: none named, so lon/lat)."""
    member = doc.get("crs")
    if not isinstance(member, dict):
        return None
    text = (member.get("properties") or {}).get("name")
    if not isinstance(text, str):
        return None
    try:
        return pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        raise GeoError(f"{name} names a CRS that is not known: {text!r}; save it in EPSG:4326") from None


def _features(doc: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict):
        raise GeoError(f"{name} is not GeoJSON (no object at the top)")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise GeoError(f"{name} is a FeatureCollection without a features list")
        return feats
    if kind == "Feature":
        return [doc]
    if kind in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return [{"type": "Feature", "geometry": doc, "properties": {}}]
    raise GeoError(f"{name} is not a GeoJSON FeatureCollection (type {kind!r})")


def read_geojson(path: Path, name: str, max_bytes: int | None) -> RawFile:
    """Parse a GeoJSON file of polygons (checked as the vector importers check it)."""
    _common.check_size(path, max_bytes)
    if not vector.looks_like(path, "GeoJSON"):
        raise GeoError(f"{name} does not hold GeoJSON (its content is something else); nothing was read")
    try:
        doc = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise GeoError(f"{name} is not readable GeoJSON: {err}") from None
    feats = _features(doc, name)
    crs = _crs_of(doc, name)
    geoms: list[Any] = []
    attrs: list[dict[str, Any]] = []
    other = 0
    for feat in feats:
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict):
            other += 1
            continue
        try:
            g = shape(geom)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as err:
            raise GeoError(f"{name}: a feature's geometry is not readable: {err}") from None
        if g.geom_type == "GeometryCollection":
            g = shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")])
        if g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon"):
            other += 1
            continue
        geoms.append(g)
        props = feat.get("properties")
        attrs.append(props if isinstance(props, dict) else {})
    out = RawFile(name, Path(name.split(":")[-1]).name, np.array(geoms, dtype=object), attrs)
    if other:
        out.notes.append(f"{name}: {other} feature(s) without a polygon ignored")
    if crs is not None and not any(crs == pyproj.CRS.from_user_input(c) for c in _LONLAT) and len(geoms):
        out.geoms = _reproject(out.geoms, crs)
        out.notes.append(f"{name}: reprojected from {crs.to_string()} to EPSG:4326")
    _check_lonlat(out, crs is not None)
    return out


def _reproject(geoms: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    tr = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, fn), dtype=object)


def _check_lonlat(raw: RawFile, has_crs: bool) -> None:
    """Refuse coordinates that cannot be longitudes and latitudes (a file in metres without a CRS)."""
    if not len(raw.geoms):
        return
    b = shapely.total_bounds(raw.geoms)
    if not np.isfinite(b).all():
        raise GeoError(f"{raw.name}: coordinates that are not numbers (NaN or infinite); nothing was read")
    if b[0] >= -180 and b[2] <= 180 and b[1] >= -90 and b[3] <= 90:
        return
    if has_crs:
        raise GeoError(f"{raw.name}: coordinates out of range after reprojection ({b[0]:,.0f}, {b[1]:,.0f}, …)")
    raise GeoError(
        f"{raw.name}: coordinates such as ({b[0]:,.0f}, {b[1]:,.0f}) are not longitudes/latitudes and the file "
        "names no CRS (metres, e.g. EPSG:3857?); save it with its CRS or in EPSG:4326"
    )


def _from_frame(gdf: gpd.GeoDataFrame, name: str) -> RawFile:
    """A GDAL-read frame → polygons in EPSG:4326 with their attributes."""
    notes: list[str] = []
    if gdf.crs is not None and gdf.crs != "EPSG:4326":
        notes.append(f"{name}: reprojected from {gdf.crs.to_string()} to EPSG:4326")
        gdf = gdf.to_crs("EPSG:4326")
    geoms = gdf.geometry.to_numpy()
    poly = np.array(
        [g is not None and not g.is_empty and g.geom_type in ("Polygon", "MultiPolygon") for g in geoms], dtype=bool
    )
    if (~poly).any():
        notes.append(f"{name}: {int((~poly).sum())} feature(s) without a polygon ignored")
    attrs = gdf.drop(columns=gdf.geometry.name).iloc[np.flatnonzero(poly)]
    records = [{k: (None if _isna(v) else v) for k, v in r.items()} for r in attrs.to_dict("records")]
    out = RawFile(name, Path(name.split(":")[-1]).name, np.asarray(geoms[poly], dtype=object), records, notes)
    _check_lonlat(out, gdf.crs is not None)
    return out


def _isna(value: object) -> bool:
    try:
        return bool(value is None or (isinstance(value, float) and np.isnan(value)))
    except TypeError:
        return False


def _read_gdal(path: Path, fmt: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """One layer through GDAL, after the vector importers' check that GDAL reads it with ``fmt``'s own driver."""
    name = path.name
    try:
        vector.check_driver(path, fmt, layer)
        return gpd.read_file(vector.gdal_name(path, fmt), layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise GeoError(f"{name} is not a readable {fmt} file: {first}") from None


def _extract_one(path: Path, folder: Path, suffix: str, what: str) -> Path:
    """The first ``suffix`` file of a checked zip, extracted into ``folder``."""
    names = [n for n in _common.check_zip(path) if n.lower().endswith(suffix) and not n.split("/")[-1].startswith(".")]
    if not names:
        raise GeoError(f"{path.name} holds no {what} file")
    names.sort(key=lambda n: n.lower() != "doc.kml")  # a KMZ's main document first
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
    return folder / names[0]


def read_kml(path: Path, name: str, max_bytes: int | None) -> RawFile:
    """A KML or KMZ file of polygons."""
    _common.check_size(path, max_bytes)
    if _common.head(path, 4) == b"PK\x03\x04":
        with tempfile.TemporaryDirectory(prefix="geo-control-kmz-") as tmp:
            kml = _extract_one(path, Path(tmp), ".kml", "KML")
            return _from_frame(_read_gdal(kml, "KML"), name)
    return _from_frame(_read_gdal(path, "KML"), name)


def read_gpkg(path: Path, name: str, max_bytes: int | None) -> list[RawFile]:
    """Every polygon layer of a GeoPackage (an ISW export may hold one layer per kind)."""
    _common.check_size(path, max_bytes)
    try:
        vector.check_driver(path, "GeoPackage", None)
        layers = [(str(r[0]), str(r[1])) for r in pyogrio.list_layers(vector.gdal_name(path, "GeoPackage"))]
    except pyogrio.errors.DataSourceError:
        raise GeoError(f"{name} is not a readable GeoPackage") from None
    polygonal = [lyr for lyr, kind in layers if "polygon" in kind.lower() or kind in ("Unknown", "None")]
    if not polygonal:
        raise GeoError(f"{name} holds no polygon layer")
    out = []
    for layer in polygonal:
        raw = _from_frame(_read_gdal(path, "GeoPackage", layer), f"{name}:{layer}")
        raw.stem = Path(name).name
        for a in raw.attrs:
            a.setdefault("layer", layer)
        out.append(raw)
    return out


def zip_members(path: Path) -> list[str]:
    """The member names of a zip, checked (no unsafe path, no zip bomb) before anything is extracted."""
    return _common.check_zip(path)


def read_shapefile_zip(path: Path, name: str, folder: Path) -> RawFile:
    """A zipped Shapefile, extracted (after the checks) into ``folder``."""
    shp = _extract_one(path, folder, ".shp", "Shapefile (.shp)")
    return _from_frame(_read_gdal(shp, "Shapefile"), name)


def extract_all(path: Path, folder: Path) -> list[tuple[str, Path]]:
    """Extract a checked zip of daily files into ``folder``; (member name, extracted path) of each file."""
    names = zip_members(path)
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
    return [(n, folder / n) for n in sorted(names)]
