"""The ``assessments`` table of the PostGIS store: assessed areas of control, one row per day and series.

The same rows and rules as the GeoPackage's (:mod:`geo.store._gpkg_control`, whose input checks are used here):
``assessment_id`` is ``assessor|YYYY-MM-DD|side|kind``; writing a day again replaces it when its geometry or
source differs and leaves it when identical. Writing functions run inside the caller's transaction. Private to
:mod:`geo.store.postgis`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

import geopandas as gpd
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from geo import schema
from geo.store._pg_schema import table
from geo.store.base import ASSESSMENT_COLUMNS, AssessmentWriteResult, DateLike, _as_list, _as_timestamp

_T = table("assessments")


def write(con: psycopg.Connection, rows: pd.DataFrame, now: dt.datetime) -> AssessmentWriteResult:
    """Insert new days, replace changed ones, leave identical ones alone; returns the counts.

    ``rows`` is what :func:`geo.store._gpkg_control._check_frame` returned (MultiPolygons, ``as_of`` as text).
    """
    geoms = rows["geometry"].to_numpy(dtype=object)
    wkb = shapely.to_wkb(geoms, output_dimension=2, byte_order=1, flavor="iso")
    digests = [hashlib.sha1(b).hexdigest() for b in wkb]
    vertices = shapely.get_num_coordinates(geoms)
    ids = rows["assessment_id"].tolist()
    stored = {
        aid: (digest, source, fid)
        for fid, aid, digest, source in con.execute(
            sql.SQL("SELECT fid, assessment_id, digest, source FROM {} WHERE assessment_id = ANY(%s)").format(_T),
            (ids,),
        )
    }
    inserted = replaced = unchanged = 0
    new_rows, changed_rows = [], []
    for i, aid in enumerate(ids):
        source = rows.at[i, "source"]
        source = None if source is None or pd.isna(source) else str(source)  # NaN is NULL, as SQLite stores it
        values = (
            wkb[i],
            aid,
            rows.at[i, "assessor"],
            rows.at[i, "as_of"],
            rows.at[i, "side"],
            rows.at[i, "kind"],
            source,
            float(rows.at[i, "area_km2"]),
            int(vertices[i]),
            digests[i],
            now,
        )
        old = stored.get(aid)
        if old is None:
            new_rows.append(values)
            inserted += 1
        elif old[:2] == (digests[i], source):
            unchanged += 1
        else:
            changed_rows.append((wkb[i], source, values[7], values[8], digests[i], now, old[2]))
            replaced += 1
    with con.cursor() as cur:
        if changed_rows:
            cur.executemany(
                sql.SQL(
                    "UPDATE {} SET geometry = ST_GeomFromWKB(%s, 4326), source = %s, area_km2 = %s, vertices = %s, "
                    "digest = %s, imported_at = %s WHERE fid = %s"
                ).format(_T),
                changed_rows,
            )
        if new_rows:
            cur.executemany(
                sql.SQL(
                    "INSERT INTO {} (geometry, assessment_id, assessor, as_of, side, kind, source, area_km2, "
                    "vertices, digest, imported_at) VALUES (ST_GeomFromWKB(%s, 4326), %s, %s, %s, %s, %s, %s, %s, "
                    "%s, %s, %s)"
                ).format(_T),
                new_rows,
            )
    return AssessmentWriteResult(inserted=inserted, replaced=replaced, unchanged=unchanged)


def delete(con: psycopg.Connection, assessor: str, date_from: DateLike | None, date_to: DateLike | None) -> int:
    """Remove an assessor's days (within the dates, when given); return how many rows went."""
    where, params = where_clause([assessor], None, None, date_from, date_to)
    return int(con.execute(sql.SQL("DELETE FROM {} WHERE {}").format(_T, where), params).rowcount)


def where_clause(
    assessors: str | Iterable[str] | None,
    sides: str | Iterable[str] | None,
    kinds: str | Iterable[str] | None,
    date_from: DateLike | None,
    date_to: DateLike | None,
) -> tuple[sql.Composable, list[object]]:
    """A ``WHERE`` clause (``true`` for everything) and its parameters."""
    parts: list[sql.Composable] = []
    params: list[object] = []
    for column, values in (("assessor", assessors), ("side", sides), ("kind", kinds)):
        listed = _as_list(values, column)
        if listed is None:
            continue
        parts.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(column)))
        params.append(listed)
    start = _as_timestamp(date_from, "date_from")
    end = _as_timestamp(date_to, "date_to")
    if start is not None:
        parts.append(sql.SQL("as_of >= %s"))
        params.append(start.date())
    if end is not None:
        parts.append(sql.SQL("as_of <= %s"))
        params.append(end.date())
    return (sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")), params


def read(con: psycopg.Connection, where: sql.Composable, params: Sequence[object], *, geometry: bool) -> pd.DataFrame:
    """Rows matching ``where`` ordered by series and day, as a frame (a GeoDataFrame with ``geometry``)."""
    columns = list(ASSESSMENT_COLUMNS)
    select = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    if geometry:
        select = sql.SQL("{}, ST_AsBinary(geometry)").format(select)
    rows = con.execute(
        sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY assessor, side, kind, as_of").format(select, _T, where),
        list(params),
    ).fetchall()
    frame = pd.DataFrame({c: [r[i] for r in rows] for i, c in enumerate(columns)}, columns=columns)
    for c in ("assessment_id", "assessor", "side", "kind", "source"):
        frame[c] = frame[c].astype(object)
    frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[ms]")
    frame["area_km2"] = frame["area_km2"].astype(float)
    frame["vertices"] = frame["vertices"].astype("int64")
    if not geometry:
        return frame
    geoms = shapely.from_wkb([bytes(r[len(columns)]) for r in rows]) if rows else []
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=schema.CRS), crs=schema.CRS)
