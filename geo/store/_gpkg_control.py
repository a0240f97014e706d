"""The ``assessments`` table of the GeoPackage store: assessed areas of control, one row per day and series.

A row is what one *assessor* (DeepStateMap, ISW, …) showed one *side* holding
on one day (``as_of``), of one *kind* (``occupied``, ``assessed_advance``,
``claimed_control``, ``counteroffensive``, …): a MultiPolygon in EPSG:4326
with its area in km² precomputed in an equal-area projection
(:mod:`geo.control.model`). ``assessment_id`` is
``assessor|YYYY-MM-DD|side|kind``: writing the same day of the same series
again replaces the row, never adds one.

The table is a GeoPackage feature table (QGIS and ``ogrinfo`` open it),
created by SQL inside the first write that needs it, so stores made before it
existed gain it on their first import of assessments. Every function takes an
open :mod:`sqlite3` connection; the writing ones run inside the caller's
transaction (:meth:`geo.store.gpkg.GeoPackageStore._transaction`) and commit
nothing. Private to :mod:`geo.store.gpkg`.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.errors import Problem, ValidationError
from geo.store._gpkg_blob import _ENVELOPE_DOUBLES, SRS_ID, _extent, _gpkg_blobs
from geo.store._gpkg_schema import ASSESSMENTS, GEOMETRY
from geo.store._gpkg_write import _widen_extent
from geo.store.base import ASSESSMENT_COLUMNS, AssessmentWriteResult, DateLike, _as_list, _as_timestamp

_TABLE_SQL: Final = f"""CREATE TABLE {ASSESSMENTS} (
    fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    {GEOMETRY} MULTIPOLYGON,
    assessment_id TEXT NOT NULL,
    assessor TEXT NOT NULL,
    as_of DATE NOT NULL,
    side TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT,
    area_km2 REAL NOT NULL,
    vertices INTEGER NOT NULL,
    digest TEXT NOT NULL,
    imported_at DATETIME NOT NULL
)"""
_INDEX_SQL: Final = (
    f"CREATE UNIQUE INDEX idx_{ASSESSMENTS}_id ON {ASSESSMENTS} (assessment_id)",
    f"CREATE INDEX idx_{ASSESSMENTS}_series ON {ASSESSMENTS} (assessor, side, kind, as_of)",
    f"CREATE INDEX idx_{ASSESSMENTS}_as_of ON {ASSESSMENTS} (as_of)",
)
_DESCRIPTION: Final = "Assessed areas of control: one MultiPolygon per assessor, day, side holding and kind"
_SIDES: Final = ("RU", "UA")
_MAX_LISTED: Final = 20


def _has_table(con: sqlite3.Connection) -> bool:
    """Whether the store holds the assessments table yet."""
    row = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (ASSESSMENTS,)).fetchone()
    return row is not None


def _ensure_table(con: sqlite3.Connection, now: str) -> None:
    """Create the assessments feature table (and register it with the GeoPackage) when it is missing."""
    if _has_table(con):
        return
    con.execute(_TABLE_SQL)
    for statement in _INDEX_SQL:
        con.execute(statement)
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
        "VALUES (?, 'features', ?, ?, ?, ?)",
        (ASSESSMENTS, ASSESSMENTS, _DESCRIPTION, now, SRS_ID),
    )
    con.execute(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) "
        "VALUES (?, ?, 'MULTIPOLYGON', ?, 0, 0)",
        (ASSESSMENTS, GEOMETRY, SRS_ID),
    )


# -- checking the input ----------------------------------------------------------------------------


def _check_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows to write, checked once: every problem is collected and raised together.

    Returns a frame of ``ASSESSMENT_COLUMNS`` plus ``geometry`` (MultiPolygons, EPSG:4326), ``as_of`` as
    ``YYYY-MM-DD`` text and ``area_km2`` computed where missing.
    """
    problems: list[Problem] = []
    missing = [c for c in ("assessor", "as_of", "side", "kind") if c not in frame.columns]
    if "geometry" not in frame.columns:
        missing.append("geometry")
    if missing:
        raise ValidationError([Problem("required column is missing", column=c) for c in missing], context="assessments")
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and frame.crs != schema.CRS:
        raise ValidationError(
            Problem(f"geometry is in {frame.crs.to_string()}", column="geometry", fix="reproject it to EPSG:4326"),
            context="assessments",
        )
    out = pd.DataFrame(
        {
            "assessor": frame["assessor"].astype("string").str.strip().to_numpy(dtype=object, na_value=None),
            "side": frame["side"].astype("string").str.strip().str.upper().to_numpy(dtype=object, na_value=None),
            "kind": frame["kind"].astype("string").str.strip().to_numpy(dtype=object, na_value=None),
            "source": (
                frame["source"].astype("string").to_numpy(dtype=object, na_value=None)
                if "source" in frame.columns
                else None
            ),
        }
    )
    days = pd.to_datetime(frame["as_of"], errors="coerce")
    geoms = np.asarray(frame["geometry"], dtype=object)
    for i in range(len(out)):
        row = i + 1
        if not out.at[i, "assessor"]:
            problems.append(Problem("assessor is empty", row=row, column="assessor", fix="name the assessor"))
        if out.at[i, "side"] not in _SIDES:
            problems.append(
                Problem(f"side {out.at[i, 'side']!r} is not RU or UA", row=row, column="side", fix="give RU or UA")
            )
        if not out.at[i, "kind"]:
            problems.append(Problem("kind is empty", row=row, column="kind", fix="e.g. 'occupied'"))
        if pd.isna(days.iloc[i]):
            problems.append(Problem(f"not a date: {frame['as_of'].iloc[i]!r}", row=row, column="as_of"))
        g = geoms[i]
        if g is None or shapely.is_missing(g) or g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon"):
            what = "no geometry" if g is None or shapely.is_missing(g) else f"{g.geom_type} (empty: {g.is_empty})"
            problems.append(Problem(f"not a polygon: {what}", row=row, column="geometry"))
        elif not g.is_valid:
            problems.append(
                Problem(f"invalid polygon: {shapely.is_valid_reason(g)}", row=row, column="geometry", fix="repair it")
            )
    if problems:
        raise ValidationError(problems[:_MAX_LISTED], context="assessments")
    out["as_of"] = days.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    out["assessment_id"] = out["assessor"] + "|" + out["as_of"] + "|" + out["side"] + "|" + out["kind"]
    dup = out["assessment_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise ValidationError(
            [
                Problem(f"the same day of the same series twice: {out.at[i, 'assessment_id']!r}", row=i + 1)
                for i in np.flatnonzero(dup)[:_MAX_LISTED]
            ],
            context="assessments",
        )
    multi = np.array([g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in geoms], dtype=object)
    out["geometry"] = multi
    if "area_km2" in frame.columns and frame["area_km2"].notna().all():
        out["area_km2"] = frame["area_km2"].to_numpy(dtype=float)
    else:
        from geo.control.model import area_km2

        out["area_km2"] = area_km2(multi)
    return out


# -- writing ---------------------------------------------------------------------------------------


def _write(con: sqlite3.Connection, rows: pd.DataFrame, now: str) -> AssessmentWriteResult:
    """Insert new days, replace changed ones, leave identical ones alone; returns the counts."""
    _ensure_table(con, now)
    blobs = _gpkg_blobs(rows["geometry"].to_numpy(dtype=object))
    digests = [hashlib.sha1(bytes(b)).hexdigest() for b in blobs]
    vertices = shapely.get_num_coordinates(rows["geometry"].to_numpy(dtype=object))
    stored: dict[str, tuple[str, str | None, int]] = {}
    ids = rows["assessment_id"].tolist()
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ",".join("?" * len(part))
        for fid, aid, digest, source in con.execute(
            f"SELECT fid, assessment_id, digest, source FROM {ASSESSMENTS} WHERE assessment_id IN ({marks})", part
        ):
            stored[aid] = (digest, source, fid)
    inserted = replaced = unchanged = 0
    new_rows = []
    for i, aid in enumerate(ids):
        values = (
            blobs[i],
            aid,
            rows.at[i, "assessor"],
            rows.at[i, "as_of"],
            rows.at[i, "side"],
            rows.at[i, "kind"],
            rows.at[i, "source"],
            float(rows.at[i, "area_km2"]),
            int(vertices[i]),
            digests[i],
            now,
        )
        old = stored.get(aid)
        if old is None:
            new_rows.append(values)
            inserted += 1
        elif old[:2] == (digests[i], rows.at[i, "source"]):
            unchanged += 1
        else:
            con.execute(
                f"UPDATE {ASSESSMENTS} SET {GEOMETRY} = ?, source = ?, area_km2 = ?, vertices = ?, digest = ?, "
                "imported_at = ? WHERE fid = ?",
                (values[0], values[6], values[7], values[8], values[9], now, old[2]),
            )
            replaced += 1
    con.executemany(
        f"INSERT INTO {ASSESSMENTS} ({GEOMETRY}, assessment_id, assessor, as_of, side, kind, source, area_km2, "
        "vertices, digest, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new_rows,
    )
    if inserted or replaced:
        _touch(con, now, _extent(shapely.bounds(rows["geometry"].to_numpy(dtype=object))))
    return AssessmentWriteResult(inserted=inserted, replaced=replaced, unchanged=unchanged)


def _touch(con: sqlite3.Connection, now: str, extent: tuple[float, ...] | None = None) -> None:
    """Set ``gpkg_contents``' last change of the assessments table, and widen its extent to ``extent``."""
    con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (now, ASSESSMENTS))
    _widen_extent(con, extent, ASSESSMENTS)


def _delete(
    con: sqlite3.Connection, assessor: str, date_from: DateLike | None, date_to: DateLike | None, now: str
) -> int:
    """Remove an assessor's days (within the dates, when given); return how many rows went."""
    if not _has_table(con):
        return 0
    where, params = _where([assessor], None, None, date_from, date_to)
    n = con.execute(f"DELETE FROM {ASSESSMENTS} WHERE {where}", params).rowcount
    if n:
        _touch(con, now)
    return int(n)


# -- reading ---------------------------------------------------------------------------------------


def _where(
    assessors: str | Iterable[str] | None,
    sides: str | Iterable[str] | None,
    kinds: str | Iterable[str] | None,
    date_from: DateLike | None,
    date_to: DateLike | None,
) -> tuple[str, list[object]]:
    """A ``WHERE`` clause (``1`` for everything) and its parameters."""
    parts: list[str] = []
    params: list[object] = []
    for column, values in (("assessor", assessors), ("side", sides), ("kind", kinds)):
        listed = _as_list(values, column)
        if listed is None:
            continue
        if not listed:
            parts.append("0")
            continue
        parts.append(f"{column} IN ({','.join('?' * len(listed))})")
        params.extend(listed)
    start = _as_timestamp(date_from, "date_from")
    end = _as_timestamp(date_to, "date_to")
    if start is not None:
        parts.append("as_of >= ?")
        params.append(f"{start:%Y-%m-%d}")
    if end is not None:
        parts.append("as_of <= ?")
        params.append(f"{end:%Y-%m-%d}")
    return (" AND ".join(parts) or "1"), params


def _decode(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Shapely geometries of GeoPackage binary blobs (``None`` for a missing one)."""
    out = np.full(len(blobs), None, dtype=object)
    idx = [i for i, b in enumerate(blobs) if b]
    if not idx:
        return out
    wkb = []
    for i in idx:
        b = blobs[i]
        env = (b[3] >> 1) & 0b111
        wkb.append(bytes(b[8 + 8 * _ENVELOPE_DOUBLES.get(env, 0) :]))
    out[idx] = shapely.from_wkb(wkb)
    return out


def _read(
    con: sqlite3.Connection,
    where: str,
    params: Sequence[object],
    *,
    geometry: bool,
) -> pd.DataFrame:
    """Rows matching ``where`` ordered by series and day, as a frame (a GeoDataFrame with ``geometry``)."""
    columns = list(ASSESSMENT_COLUMNS)
    select = ", ".join(columns) + (f", {GEOMETRY}" if geometry else "")
    rows = (
        con.execute(
            f"SELECT {select} FROM {ASSESSMENTS} WHERE {where} ORDER BY assessor, side, kind, as_of", list(params)
        ).fetchall()
        if _has_table(con)
        else []
    )
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    frame = pd.DataFrame(data, columns=columns)
    for c in ("assessment_id", "assessor", "side", "kind", "source"):
        frame[c] = frame[c].astype(object)
    frame["as_of"] = pd.to_datetime(frame["as_of"], format="%Y-%m-%d").astype("datetime64[ms]")
    frame["area_km2"] = frame["area_km2"].astype(float)
    frame["vertices"] = frame["vertices"].astype("int64")
    if not geometry:
        return frame
    geoms = _decode([r[len(columns)] for r in rows])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=schema.CRS), crs=schema.CRS)
