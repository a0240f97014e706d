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
* A geometry the file gives but that cannot be read — GeoJSON coordinates
  written as text or nested wrongly, an unknown type, a line of one point,
  infinite or NaN coordinates, a KML ``<coordinates>`` GDAL reads as 0, 0 — is
  rejected by row with the reason; it is never located from its place name
  instead (see :mod:`geo.importers._vector_checks`).
* Every layer is read: the folders of a KML/KMZ, the layers of a GeoPackage
  that have a geometry column (a table without one is named in the report and
  not read). Rows are numbered across layers in order; the report says which
  rows each layer holds. A layer that repeats an earlier one feature for
  feature (the same data saved again, e.g. in another CRS) is not read twice.
  ``layer=`` reads one layer only.
* Nothing is fetched: a GeoJSON whose ``"crs"`` is a link or URL (GDAL
  would download it while opening the file) is refused before GDAL sees it,
  and only the GDAL driver of the format is accepted (no VRT, no ``/vsi``).
* Zips (KMZ, zipped Shapefile) are checked before anything is extracted: no
  absolute or ``../`` paths, at most 500 MB unpacked and a compression ratio
  of at most 100; then they are extracted to a temporary folder.
* GDAL's warnings never reach stderr: what they say about the file is in the
  report's notes.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from geo import schema
from geo._gdal import gdal_name
from geo.errors import GeoError, Problem
from geo.importers import _common, _vector_checks, rules
from geo.importers.report import ImportResult
from geo.importers.rules import Rule
from geo.importers.table import _read_table

__all__ = [
    "MAX_LAYERS",
    "MAX_LAYER_BYTES",
    "MAX_RATIO",
    "MAX_UNPACKED",
    "check_driver",
    "gdal_name",
    "looks_like",
    "read_geojson",
    "read_gpkg",
    "read_kml",
    "read_shapefile_zip",
]

MAX_UNPACKED = _common.MAX_UNPACKED
MAX_RATIO = _common.MAX_RATIO
MAX_LAYERS = 200
"""A KML or GeoPackage with more layers (folders) than this is refused: each layer is a read of its own."""
MAX_LAYER_BYTES = 2**30
"""GDAL parses a whole KML for every folder it reads: layers × file size above this is refused."""
check_zip = _common.check_zip
_READ_ERRORS: Final = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
    ValueError,
    OverflowError,
)
"""What pyogrio raises on a file it cannot read (ValueError includes UnicodeDecodeError)."""
_MAX_WARNING_NOTES: Final = 3


def _extract(path: Path, folder: Path, suffixes: tuple[str, ...], what: str) -> tuple[Path, list[str]]:
    """Check, extract and return the file with one of ``suffixes`` in the zip (a KMZ's ``doc.kml`` first).

    The other files of that kind in the zip are returned by name (they are not read).
    """
    names = check_zip(path)
    wanted = [n for n in names if n.lower().endswith(suffixes) and not n.split("/")[-1].startswith(".")]
    if not wanted:
        raise GeoError(f"{path.name} holds no {what} file")
    wanted.sort(key=lambda n: n.lower() != "doc.kml")  # a KMZ's main document, then the zip's order
    with zipfile.ZipFile(path) as z:
        z.extractall(folder)
    return folder / wanted[0], wanted[1:]


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


@dataclass
class _Layer:
    """One layer as read: text cells, geometries in EPSG:4326, and the geometries not used, with why."""

    name: str
    attrs: pd.DataFrame
    geoms: np.ndarray
    lost: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _short(message: str, path: Path) -> str:
    """A GDAL message in one line, naming the file but not where it sits (a temporary folder)."""
    text = " ".join(str(message).replace(str(path), path.name).split())
    return text if len(text) <= 200 else text[:197] + "…"


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Attribute columns as text cells ("" where missing; dates as YYYY-MM-DD)."""
    attrs = pd.DataFrame(frame).copy()
    for col in attrs.columns:
        values = attrs[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            attrs[col] = values.dt.strftime("%Y-%m-%d")
        attrs[col] = attrs[col].astype(object).where(attrs[col].notna(), "").astype(str)
    attrs.columns = [str(c) for c in attrs.columns]
    return attrs.reset_index(drop=True)


def _unparsed(path: Path, fmt: str, layer: str | None, missing: np.ndarray) -> dict[int, str]:
    """Features GDAL gave a geometry that shapely cannot read (read as None): position → why."""
    if not missing.any():
        return {}
    try:
        _meta, _fids, wkb, _fields = pyogrio.raw.read(gdal_name(path, fmt), layer=layer, columns=[])
    except _READ_ERRORS:
        return {}
    if wkb is None or len(wkb) != len(missing):
        return {}
    out = {}
    for i in np.flatnonzero(missing & ~pd.isna(wkb)):
        try:
            shapely.from_wkb(wkb[i])
        except shapely.errors.GEOSException as err:
            out[int(i)] = f"geometry cannot be read: {_short(str(err), path)}"
    return out


def _to_wgs84(layer: _Layer, crs: pyproj.CRS | None, path: Path) -> None:
    """Reproject the layer's usable geometries to EPSG:4326 in place (a note says so)."""
    if crs is None or crs == schema.CRS:
        return
    use = ~pd.isna(layer.geoms)
    try:
        moved = gpd.GeoSeries(np.where(use, layer.geoms, None), crs=crs).to_crs(schema.CRS).to_numpy()
    except (pyproj.exceptions.CRSError, pyproj.exceptions.ProjError, ValueError) as err:
        raise GeoError(f"{path.name}: cannot reproject from {crs.to_string()}: {_short(str(err), path)}") from None
    for i, why in _vector_checks.untrusted(moved).items():
        if "finite" in why:
            layer.lost.setdefault(i, f"coordinates cannot be reprojected from {crs.to_string()} to {schema.CRS}")
            moved[i] = None
    layer.geoms = moved
    layer.notes.append(f"reprojected from {crs.to_string()} to {schema.CRS}")


def _read_layer(path: Path, fmt: str, layer: str | None) -> _Layer | None:
    """Read one layer (None when it has no geometry column); GDAL's warnings become notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pyogrio.read_dataframe(gdal_name(path, fmt), layer=layer, on_invalid="ignore")
        except _READ_ERRORS as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise GeoError(f"{path.name} is not a readable {fmt} file: {_short(first, path)}") from None
        if not isinstance(frame, gpd.GeoDataFrame):
            return None
        geoms = frame.geometry.to_numpy().copy()
        out = _Layer(layer if layer is not None else path.stem, _text(frame.drop(columns=frame.geometry.name)), geoms)
        out.lost.update(_unparsed(path, fmt, layer, pd.isna(geoms)))
        for i, why in _vector_checks.untrusted(geoms).items():
            out.lost.setdefault(i, why)
        out.geoms[list(out.lost)] = None
        _to_wgs84(out, frame.crs, path)
    said = dict.fromkeys(_short(str(w.message), path) for w in caught if not issubclass(w.category, ResourceWarning))
    if out.lost:  # what GDAL said about the geometries it could not read, each row's rejection says better
        said = {m: None for m in said if not re.search(r"coord|geometr", m, re.IGNORECASE)}
    out.notes.extend(f"GDAL warned: {m}" for m in list(said)[:_MAX_WARNING_NOTES])
    return out


def _key(attrs: pd.DataFrame, geoms: np.ndarray) -> list[tuple[object, ...]]:
    """Each feature as a comparable key: its non-empty attributes and its coordinates to 1e-6°."""
    keys = []
    for row, g in zip(attrs.itertuples(index=False), geoms, strict=True):
        cells = tuple(sorted((c, v) for c, v in zip(attrs.columns, row, strict=True) if v != ""))
        shape = None if g is None else (g.geom_type, (np.round(shapely.get_coordinates(g), 6) + 0.0).tobytes())
        keys.append((cells, shape))
    return keys


def _combine(layers: list[_Layer], not_read: list[str]) -> tuple[_Layer, list[str]]:
    """One frame of every layer's features, rows numbered across layers; and the notes that say what was read.

    A layer whose every feature repeats one of an earlier layer is not read (it would add each claim twice).
    """
    kept: list[_Layer] = []
    seen: set[tuple[object, ...]] = set()
    summary: list[str] = []
    for layer in layers:
        keys = _key(layer.attrs, layer.geoms)
        if kept and keys and set(keys) <= seen:
            summary.append(
                f"layer {layer.name!r} repeats the features of an earlier layer one for one: not read "
                "(it would add every claim twice)"
            )
            not_read.append(layer.name)
            continue
        seen.update(keys)
        kept.append(layer)
    frame = pd.concat([k.attrs for k in kept], ignore_index=True).fillna("")
    whole = _Layer(kept[0].name, frame, np.concatenate([k.geoms for k in kept]))
    offset = 0
    parts = []
    for k in kept:  # the first layer is always kept
        whole.lost.update({offset + i: why for i, why in k.lost.items()})
        whole.notes.extend(f"{n} (layer {k.name!r})" if len(kept) > 1 else n for n in k.notes)
        n = len(k.attrs)
        rows = f"row {offset + 1}" if n == 1 else f"rows {offset + 1}–{offset + n}" if n else "no rows"
        parts.append(f"{k.name!r} ({n:,} feature{'' if n == 1 else 's'}, {rows})")
        offset += n
    if len(kept) > 1:
        summary.append(f"read {len(kept)} layers: " + ", ".join(parts))
        if not_read:
            summary.append("layers not read: " + ", ".join(not_read))
    elif not_read:
        summary.append(f"read layer {kept[0].name!r}; other layers not read: {', '.join(not_read)}")
    return whole, summary


def _read_frame(
    whole: _Layer,
    path: Path,
    fmt: str,
    dataset: str,
    mapping: str | Path | None,
    today: dt.date | None,
    summary: list[str] | None = None,
) -> ImportResult:
    """Core: features → template rows → events, with the unusable geometries rejected and repairs noted."""
    if not len(whole.geoms):
        raise GeoError(f"{path.name} holds no features")
    result = ImportResult(source=str(path), format=fmt, dataset=dataset, rows=len(whole.geoms))
    result.notes.extend(whole.notes)
    lost = np.zeros(len(whole.geoms), dtype=bool)
    lost[list(whole.lost)] = True
    fix = {"geojson": _vector_checks.GEOJSON_FIX}.get(fmt, "fix the geometry in GIS: longitude, latitude in degrees")
    result.reject(Problem(why, i + 1, "geometry", fix) for i, why in sorted(whole.lost.items()))
    geoms, broken = _repair(result, np.where(lost, None, whole.geoms))
    attrs = whole.attrs if len(whole.attrs.columns) else pd.DataFrame(index=range(len(geoms)))
    lower = {str(c).lower(): c for c in attrs.columns}
    for theirs, ours in (("name", "place"), ("description", "text")):
        if ours not in attrs.columns and theirs in lower:
            attrs[ours] = attrs[lower[theirs]]
    broken = broken | lost
    geoms = np.where(broken, None, geoms)
    result = _read_table(attrs, path, fmt, dataset, mapping, today, geoms=geoms, result=result, pre_rejected=broken)
    result.notes.extend(summary or [])
    return result


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


def looks_like(path: Path, fmt: str) -> bool:
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


def check_driver(path: Path, fmt: str, layer: str | None) -> None:
    """Refuse a file that is not plainly of ``fmt``, or that GDAL would open with another driver."""
    if "/vsi" in str(path).lower() or not looks_like(path, fmt):
        raise GeoError(f"{path.name} does not hold {fmt} (its content is something else); nothing was read")
    driver = pyogrio.read_info(gdal_name(path, fmt), layer=layer)["driver"]
    if driver not in _DRIVERS[fmt]:
        raise GeoError(f"{path.name} does not hold {fmt} (GDAL would read it as {driver}); nothing was read")


def _layer_names(path: Path, fmt: str) -> list[tuple[str, bool]]:
    """The file's layers in order, each with whether it has a geometry column; bounded in number and work."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_driver(path, fmt, None)  # before GDAL lists anything in it
            listed = pyogrio.list_layers(gdal_name(path, fmt))
    except _READ_ERRORS as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise GeoError(f"{path.name} is not a readable {fmt} file: {_short(first, path)}") from None
    layers = [(str(name), kind is not None) for name, kind in listed]
    if not layers:
        raise GeoError(f"{path.name} holds no layers")
    n, size = len(layers), path.stat().st_size
    if fmt == "KML" and n > 1 and (n > MAX_LAYERS or n * size > MAX_LAYER_BYTES):
        raise GeoError(
            f"{path.name} holds {n:,} folders; GDAL reads each folder on its own pass over the whole file, so at "
            f"most {MAX_LAYERS} folders and {MAX_LAYER_BYTES / 2**20:,.0f} MB read in all are accepted: merge its "
            "folders, or export it as GeoJSON"
        )
    if n > MAX_LAYERS:
        raise GeoError(
            f"{path.name} holds {n:,} layers; at most {MAX_LAYERS} are read: copy the layers of events into a new "
            "GeoPackage"
        )
    return layers


def _read_layers(path: Path, fmt: str, layer: str | None) -> tuple[_Layer, list[str]]:
    """Every layer with geometry (or the one asked for), combined; and the notes on what was read."""
    layers = _layer_names(path, fmt)
    with_geometry = [name for name, has in layers if has]
    names = [name for name, _ in layers]
    if layer is not None and layer not in names:
        raise GeoError(f"{path.name} has no layer {layer!r}; its layers are: {', '.join(names)}")
    todo = [layer] if layer is not None else with_geometry
    if not todo or (layer is not None and layer not in with_geometry):
        which = f"layer {layer!r} has" if layer is not None else "its layers have" if len(names) > 1 else "it has"
        others = f"the layers with geometry are: {', '.join(with_geometry)}" if with_geometry else ""
        raise GeoError(
            f"{path.name}: {which} no geometry column; "
            + (others or "save the table as CSV to import it as a spreadsheet (place names, or latitude/longitude)")
        )
    read, not_read = [], []
    for name in todo:
        got = _read_layer(path, fmt, name)
        if got is None:
            not_read.append(f"{name} (no geometry)")
        else:
            read.append(got)
    if layer is None:
        not_read.extend(f"{name} (no geometry column)" for name, has in layers if not has)
    if not read:
        raise GeoError(f"{path.name}: no layer has a geometry column ({', '.join(names)})")
    return _combine(read, not_read)


def _read_single(path: Path, fmt: str) -> _Layer:
    """A one-layer file (GeoJSON, a Shapefile), checked for its driver first."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_driver(path, fmt, None)
    except _READ_ERRORS as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise GeoError(f"{path.name} is not a readable {fmt} file: {_short(first, path)}") from None
    got = _read_layer(path, fmt, None)
    if got is None:
        raise GeoError(f"{path.name} has no geometry column; save it as CSV to import it as a spreadsheet")
    return got


def read_geojson(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a GeoJSON FeatureCollection of events.

    A feature whose geometry the file gives but GDAL cannot read (coordinates
    as text, nested wrongly, an unknown type) is rejected with the reason.

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
    link = _vector_checks.crs_link(p) if looks_like(p, "GeoJSON") else None
    if link is not None:  # GDAL fetches a linked CRS while it opens the file: refuse before it does
        raise GeoError(
            f"{p.name} gives its CRS as a link ({link}): refused, nothing was read or fetched; give coordinates in "
            'WGS84 without "crs" (RFC 7946), or name the CRS ("crs": {"type": "name", "properties": '
            '{"name": "EPSG:4326"}})'
        )
    got = _read_single(p, "GeoJSON")
    lost, notes = _vector_checks.geojson_lost(p, pd.isna(got.geoms))
    for i, why in lost.items():  # the file's own words for what is wrong beat GDAL's
        if why is not None:
            got.lost[i] = why
        else:
            got.lost.setdefault(i, "GDAL could not read this geometry")
    got.notes.extend(notes)
    return _read_frame(got, p, "geojson", name, mapping, today)


def read_gpkg(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
    layer: str | None = None,
) -> ImportResult:
    """Read every layer with geometry of a GeoPackage, or the one asked for (see :func:`read_geojson`).

    Parameters
    ----------
    path, dataset, mapping, max_bytes, today
        As for :func:`read_geojson`.
    layer : str, optional
        Read only this layer (default: every layer that has a geometry
        column; tables without one are named in the notes).

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected features (rows numbered across layers).

    Raises
    ------
    GeoError
        Unreadable, no layer with geometry, an unknown or geometry-less ``layer``.
    """
    p, name = _common.open_input(path, max_bytes, dataset)
    whole, summary = _read_layers(p, "GeoPackage", layer)
    return _read_frame(whole, p, "gpkg", name, mapping, today, summary)


def read_kml(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
    layer: str | None = None,
) -> ImportResult:
    """Read every folder (layer) of a KML or KMZ file, or the one asked for (see :func:`read_geojson`).

    Parameters
    ----------
    path, dataset, mapping, max_bytes, today
        As for :func:`read_geojson`.
    layer : str, optional
        Read only this folder, by the name GDAL gives it (a second folder of
        the same name is ``"Name (#2)"``).

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected placemarks (rows numbered across folders).
    """
    p, name = _common.open_input(path, max_bytes, dataset)
    if _common.head(p, 4) == b"PK\x03\x04":
        with tempfile.TemporaryDirectory(prefix="geo-kmz-") as tmp:
            kml, others = _extract(p, Path(tmp), (".kml",), "KML")
            try:
                whole, summary = _read_layers(kml, "KML", layer)
            except GeoError as err:  # name the file the user gave, then the one inside it
                raise GeoError(f"{p.name}: {err}") from None
            if others:
                summary.append(f"read {kml.name} of the KMZ; other KML files in it not read: {', '.join(others)}")
            return _read_frame(whole, p, "kml", name, mapping, today, summary)
    whole, summary = _read_layers(p, "KML", layer)
    return _read_frame(whole, p, "kml", name, mapping, today, summary)


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
        shp, others = _extract(p, Path(tmp), (".shp",), "Shapefile (.shp)")
        summary = [f"read {shp.name}; other Shapefiles in the zip not read: {', '.join(others)}"] if others else []
        try:
            got = _read_single(shp, "Shapefile")
        except GeoError as err:
            raise GeoError(f"{p.name}: {err}") from None
        return _read_frame(got, p, "shp", name, mapping, today, summary)
