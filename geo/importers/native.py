"""The project's own exports (GeoJSON, GeoPackage) → events and every claim, as they were, with no mapping.

:func:`geo.exporters.to_geojson` writes a FeatureCollection marked with a
top-level ``conflictmap`` member, one feature per event with its fields and
a ``claims`` list; :func:`geo.exporters.to_gpkg` writes layers ``events`` and
``claims``. :func:`native_kind` recognises both (and GeoJSON exports made
before the marker, by their shape), and :func:`read_native` reads them back:
every event column (regions with several ``;``-joined codes, talks venues
and parties), every claim with its figures and bounds, stance, party and
source, the geometry as written. What the export folded in (``status``,
current figures, claimant lists) is *not* read: the status is derived again
from the claims, and the report notes any event whose file status differs.

The events land in the dataset they were exported from when the file holds
one dataset and no other name is given; a file of several datasets lands as
one dataset (the name given, else the file's name), and the report says so.
Rows are validated like every import (:func:`geo.importers._common.finish`):
a broken feature is rejected by its number, the rest lands.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.geometry

from geo import schema
from geo.claims import derive_status
from geo.errors import GeoError, Problem
from geo.importers import _common, vector
from geo.importers.report import ImportResult

__all__ = ["FORMAT", "MEMBER", "VERSION", "native_kind", "read_native"]

FORMAT: Final = "native"
"""The format name of this project's own exports (``--format native``; ``auto`` recognises them)."""
MEMBER: Final = "conflictmap"
"""The GeoJSON export's top-level member that marks it as this project's own (``{"export": …, "version": …}``);
the same as :data:`geo.exporters.data.NATIVE_MEMBER` (spelled twice so that neither package loads the other)."""
VERSION: Final = 1
"""Version of the export layout (GeoJSON and GeoPackage) this reader reads, a newer one refused; the same as
:data:`geo.exporters.data.NATIVE_VERSION`."""
_EVENT_MARKERS: Final = frozenset({"event_id", "layer", "geo_precision", "time_start", "time_precision"})
_CLAIM_MARKERS: Final = frozenset({"claim_id", "event_id", "claimant", "party", "stance", "stated_at", "publisher"})
_CLAIM_TEXT: Final = tuple(
    c
    for c in schema.CLAIM_COLUMN_NAMES
    if c != "event_id" and c not in schema.CLAIM_FIGURES and not c.endswith("_bound")
)
_MARKED: Final = re.compile(rf'"{MEMBER}"\s*:\s*\{{')
_SHAPED: Final = tuple(re.compile(rf'"{name}"\s*:\s*{value}') for name, value in (
    ("type", r'"FeatureCollection"'), ("event_id", '"'), ("time_precision", '"'), ("claims", r"\["),
))  # fmt: skip
"""An export made before the marker: a FeatureCollection whose features carry event fields and a claims list."""


# --- recognising ----------------------------------------------------------------------------------------------


def _gpkg_is_native(path: Path) -> bool:
    """Layers ``events`` and ``claims`` with the export's columns, read by GDAL's GeoPackage driver."""
    if not vector.looks_like(path, "GeoPackage"):
        return False
    try:
        events = pyogrio.read_info(vector.gdal_name(path, "GeoPackage"), layer="events")
        claims = pyogrio.read_info(vector.gdal_name(path, "GeoPackage"), layer="claims")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError):
        return False
    return (
        events["driver"] == claims["driver"] == "GPKG"
        and set(events["fields"]) >= _EVENT_MARKERS
        and set(claims["fields"]) >= _CLAIM_MARKERS
    )


def native_kind(path: str | Path) -> str | None:
    """Say whether a file is this project's own GeoJSON or GeoPackage export.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str or None
        ``"geojson"`` or ``"gpkg"`` for an export of this project, else None.
    """
    p = _common.fspath(path)
    data = _common.head(p)
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg" if _gpkg_is_native(p) else None
    text = data.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith("{"):
        return None
    if _MARKED.search(text[:4096]) or all(pattern.search(text) for pattern in _SHAPED):
        return "geojson"
    return None


# --- reading --------------------------------------------------------------------------------------------------


def _number(value: object) -> float | None:
    """A figure's value as a float; None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _claim_row(raw: object, event_id: object) -> tuple[dict[str, Any] | None, str | None]:
    """One claim of a GeoJSON feature as a claims row, or why it cannot be read."""
    if not isinstance(raw, dict):
        return None, f"a claim is not an object: {str(raw)[:60]!r}"
    row: dict[str, Any] = {c: raw.get(c) for c in _CLAIM_TEXT}
    row["event_id"] = event_id
    figures = raw.get("figures") or []
    if not isinstance(figures, list):
        return None, f"claim {raw.get('claim_id')!r}: figures is not a list"
    for fig in figures:
        name = fig.get("name") if isinstance(fig, dict) else None
        if name not in schema.CLAIM_FIGURES:
            return None, f"claim {raw.get('claim_id')!r}: unknown figure {str(name)[:40]!r}"
        value = _number(fig.get("value"))
        if value is None:
            return None, f"claim {raw.get('claim_id')!r}: figure {name!r} is not a number: {fig.get('value')!r}"
        row[name] = value
        row[schema.bound_column(name)] = fig.get("bound")
    return row, None


def _numbers_only(coords: object) -> bool:
    """Whether GeoJSON coordinates (nested lists) hold only numbers (``"36.2"`` is text, not a coordinate)."""
    if isinstance(coords, list):
        return all(_numbers_only(c) for c in coords)
    return isinstance(coords, (int, float)) and not isinstance(coords, bool)


def _geometry(raw: object) -> tuple[shapely.Geometry | None, str | None]:
    """A GeoJSON geometry as shapely, or why it cannot be read (None geometry is fine: no location)."""
    if raw is None:
        return None, None
    parts = raw.get("geometries", [raw]) if isinstance(raw, dict) else [raw]
    if not all(isinstance(g, dict) and _numbers_only(g.get("coordinates", [])) for g in parts):
        return None, "unreadable geometry: coordinates must be numbers"
    try:
        geom = shapely.geometry.shape(raw)
        coords = shapely.get_coordinates(geom)
    except (shapely.errors.GEOSException, ValueError, TypeError, AttributeError, KeyError, IndexError) as err:
        return None, f"unreadable geometry: {str(err).splitlines()[0][:80] if str(err) else type(err).__name__}"
    if not np.isfinite(coords).all():
        return None, "geometry has coordinates that are not finite numbers"
    return (None if geom.is_empty else geom), None


def _features(path: Path) -> list[Any]:
    """The features of a GeoJSON export, after checking it is one."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise GeoError(f"{path.name} is not UTF-8 text; this project writes its GeoJSON in UTF-8") from None
    except json.JSONDecodeError as err:
        raise GeoError(f"{path.name} is not readable JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    except RecursionError:
        raise GeoError(f"{path.name} is not readable JSON: nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise GeoError(f"{path.name} is not a GeoJSON FeatureCollection")
    marker = doc.get(MEMBER)
    version = marker.get("version") if isinstance(marker, dict) else None
    if isinstance(version, int) and version > VERSION:
        raise GeoError(f"{path.name} was written by a newer version of this project (export version {version}); update")
    if not doc["features"]:
        raise GeoError(f"{path.name} holds no features")
    return doc["features"]


def _from_geojson(path: Path, result: ImportResult) -> tuple[gpd.GeoDataFrame, pd.DataFrame, np.ndarray, list]:
    """Events, claims, each event's feature number and each event's status in the file."""
    features = _features(path)
    result.rows = len(features)
    result.encoding = "utf-8"
    events, claims, geoms, rows, statuses, problems = [], [], [], [], [], []
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            problems.append(Problem("not a GeoJSON feature with properties", i, "properties", "export it again"))
            continue
        geom, why = _geometry(feature.get("geometry"))
        if why:
            problems.append(Problem(why, i, "geometry", "give [lon, lat] numbers, or no geometry"))
            continue
        raw_claims = props.get("claims")
        if not isinstance(raw_claims, list):
            problems.append(Problem("no claims list", i, "claims", "every event is somebody's statement"))
            continue
        read = [_claim_row(c, props.get("event_id")) for c in raw_claims]
        bad = [why for _, why in read if why]
        if bad:
            problems.extend(Problem(why, i, "claims") for why in bad)
            continue
        events.append({c: props.get(c) for c in schema.EVENT_COLUMN_NAMES})
        claims.extend(row for row, _ in read if row is not None)
        geoms.append(geom)
        rows.append(i)
        statuses.append(props.get("status"))
    result.reject(problems)
    ev = gpd.GeoDataFrame(
        pd.DataFrame(events, columns=list(schema.EVENT_COLUMN_NAMES)),
        geometry=gpd.GeoSeries(geoms, crs=schema.CRS),
        crs=schema.CRS,
    )
    cl = pd.DataFrame(claims, columns=[*schema.CLAIM_COLUMN_NAMES])
    return ev, cl, np.asarray(rows, dtype=int), statuses


def _plain_frame(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The schema's columns of a frame read by GDAL: missing ones empty, text as objects, times naive."""
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        values = frame[col] if col in frame.columns else pd.Series([None] * len(frame), index=frame.index)
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            values = values.astype(object).where(values.notna(), None)
        out[col] = values
    return out


def _from_gpkg(path: Path, result: ImportResult) -> tuple[gpd.GeoDataFrame, pd.DataFrame, np.ndarray, list]:
    """Events, claims, each event's row number and each event's status in the file."""
    if not _gpkg_is_native(path):
        raise GeoError(f"{path.name} is not a GeoPackage export of this project (layers events and claims)")
    try:
        name = vector.gdal_name(path, "GeoPackage")  # GDAL's GeoPackage driver and no other
        raw = pyogrio.read_dataframe(name, layer="events")
        raw_claims = pyogrio.read_dataframe(name, layer="claims", read_geometry=False)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise GeoError(f"{path.name} is not a readable GeoPackage: {first}") from None
    result.rows = len(raw)
    if not len(raw):
        raise GeoError(f"{path.name} holds no events")
    if raw.crs is not None and raw.crs != schema.CRS:
        result.notes.append(f"reprojected from {raw.crs.to_string()} to {schema.CRS}")
        raw = raw.to_crs(schema.CRS)
    geoms = np.asarray(raw.geometry.to_numpy(), dtype=object)
    present = ~pd.isna(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    ev = gpd.GeoDataFrame(
        _plain_frame(pd.DataFrame(raw.drop(columns=raw.geometry.name)), schema.EVENT_COLUMN_NAMES).reset_index(
            drop=True
        ),
        geometry=gpd.GeoSeries(np.where(present, geoms, None), crs=schema.CRS),
        crs=schema.CRS,
    )
    cl = _plain_frame(pd.DataFrame(raw_claims), schema.CLAIM_COLUMN_NAMES).reset_index(drop=True)
    statuses = raw["status"].astype(object).tolist() if "status" in raw.columns else [None] * len(raw)
    return ev, cl, np.arange(1, len(raw) + 1), statuses


def _name_dataset(events: pd.DataFrame, path: Path, dataset: str | None, result: ImportResult) -> str:
    """The dataset the events land in: the one given, else the file's single dataset, else the file's name."""
    found = pd.Series(events["dataset"], dtype=object).dropna().astype(str).str.strip()
    counts = found[found != ""].value_counts()
    if dataset is not None:
        name = _common.dataset_name(path, dataset)
        others = [d for d in counts.index if d != name]
        if others:
            result.notes.append(f"events exported from dataset(s) {', '.join(map(repr, others))} land in {name!r}")
        return name
    if len(counts) == 1:
        return str(counts.index[0])
    name = _common.dataset_name(path, None)
    if len(counts) > 1:
        listed = ", ".join(f"{d!r} ({n:,})" for d, n in counts.items())
        result.notes.append(
            f"the file holds events of several datasets: {listed}; they land in one dataset {name!r} "
            "(import with --dataset NAME to choose it)"
        )
    return name


def _compare_status(result: ImportResult, events: pd.DataFrame, statuses: list) -> None:
    """Note the events whose status in the file differs from the one their claims give now."""
    if not len(result.events):
        return
    given = dict(zip(events["event_id"].astype(str), statuses, strict=True))
    derived = derive_status(result.claims)
    differ = [
        (event_id, given.get(str(event_id)), status)
        for event_id, status in derived.items()
        if isinstance(given.get(str(event_id)), str) and given[str(event_id)] != status
    ]
    if differ:
        shown = ", ".join(f"{e} ({was} → {now})" for e, was, now in differ[:5])
        more = f" and {len(differ) - 5:,} more" if len(differ) > 5 else ""
        result.notes.append(
            f"{len(differ):,} event(s) have another status in the file than their claims give: {shown}{more}; "
            "the status is always derived from the claims"
        )


def read_native(
    path: str | Path,
    *,
    dataset: str | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read this project's own GeoJSON or GeoPackage export back: events and every claim, as they were.

    Parameters
    ----------
    path : str or Path
        The export.
    dataset : str, optional
        Dataset the events land in (default: the one they were exported
        from when the file holds a single dataset, else the file's name).
    max_bytes : int, optional
        Refuse larger files before reading (default 200 MB).
    today : date, optional
        Reference date for "in the future".

    Returns
    -------
    ImportResult
        Events and claims validated like any import (``format`` is
        ``"native"``); broken features rejected by number.

    Raises
    ------
    GeoError
        Missing, too large, not an export of this project, or unreadable.
    """
    p = _common.fspath(path)
    _common.check_size(p, max_bytes)
    kind = native_kind(p)
    if kind is None:
        raise GeoError(
            f"{p.name} is not a GeoJSON or GeoPackage export of this project; "
            "import it as geojson or gpkg (with a mapping if its columns differ)"
        )
    result = ImportResult(source=str(p), format=FORMAT, dataset="")
    events, claims, rows, statuses = (_from_geojson if kind == "geojson" else _from_gpkg)(p, result)
    result.dataset = _name_dataset(events, p, dataset, result)
    events["dataset"] = result.dataset
    what = "GeoJSON" if kind == "geojson" else "GeoPackage"
    result.notes.insert(0, f"read as this project's own {what} export: events with every claim, no mapping needed")
    _common.finish(result, events, claims, rows, today=today)
    _compare_status(result, events, statuses)
    return result
