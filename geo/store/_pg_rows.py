"""Rows in and out of PostgreSQL by ``COPY`` in CSV: frames encoded for ``COPY … FROM``, ``COPY … TO`` read by Arrow.

A million rows go through ``COPY`` and pyarrow's CSV reader in seconds, where a row-by-row cursor takes minutes.
Missing values are unquoted empty fields (NULL), as the GeoPackage store turns missing and empty text into NULL.
Geometries go in as hex EWKB (SRID 4326) and come out as hex WKB. Private to :mod:`geo.store.postgis`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pcsv
import shapely
from psycopg import sql

from geo import schema
from geo.store._gpkg_rows import _encode_column

GEOMETRY = "geometry"
_CHUNK = 100_000
_ARROW_TYPES = {
    "str": pa.string(),
    "float": pa.float64(),
    "int": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("ms"),
}


def geometries(frame: pd.DataFrame) -> np.ndarray | None:
    """The frame's geometries in EPSG:4326 (None when it has no geometry column)."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return None
    geom = frame.geometry
    if geom.crs is not None and geom.crs != schema.CRS:
        geom = geom.to_crs(schema.CRS)
    return geom.to_numpy()


def hex_ewkb(geoms: np.ndarray) -> np.ndarray:
    """Hex EWKB (2D, SRID 4326) of shapely geometries; missing and empty ones are None."""
    out = np.full(len(geoms), None, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if present.any():
        g = shapely.set_srid(geoms[present], 4326)
        out[present] = shapely.to_wkb(g, hex=True, output_dimension=2, include_srid=True, byte_order=1)
    return out


def csv_chunks(
    frame: pd.DataFrame, columns: Sequence[schema.Column], geoms: np.ndarray | None, *, with_geometry: bool
) -> Iterator[bytes]:
    """CSV of ``pos`` (1-based input row), then the geometry (when asked), then ``columns``, a chunk at a time."""
    n = len(frame)
    for start in range(0, n, _CHUNK):
        index = np.arange(start, min(n, start + _CHUNK))
        data: dict[str, object] = {"pos": index + 1}
        if with_geometry:
            data[GEOMETRY] = np.full(len(index), None, dtype=object) if geoms is None else hex_ewkb(geoms[index])
        for col in columns:
            if col.name in frame.columns:
                data[col.name] = _encode_column(col, frame[col.name].iloc[index])
            else:
                data[col.name] = np.full(len(index), None, dtype=object)
        yield pd.DataFrame(data).to_csv(header=False, index=False, na_rep="", lineterminator="\n").encode("utf-8")


def copy_in(
    con: psycopg.Connection,
    target: sql.Composable,
    frame: pd.DataFrame,
    columns: Sequence[schema.Column],
    geoms: np.ndarray | None,
    *,
    with_geometry: bool,
) -> None:
    """``COPY target (pos, [geometry,] columns…) FROM STDIN`` the rows of ``frame``."""
    names = ["pos", *([GEOMETRY] if with_geometry else []), *(c.name for c in columns)]
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        target, sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    with con.cursor().copy(statement) as copy:
        for chunk in csv_chunks(frame, columns, geoms, with_geometry=with_geometry):
            copy.write(chunk)


def copy_out(
    con: psycopg.Connection,
    query: sql.Composable,
    params: Sequence[object] | None,
    columns: Sequence[schema.Column],
    *,
    with_geometry: bool,
) -> pa.Table:
    """Run ``COPY (query) TO STDOUT`` in CSV and read it with Arrow, each column typed as :mod:`geo.schema` says.

    ``query`` selects the ``columns`` in order, then (``with_geometry``) the geometry as hex WKB named
    ``geometry``.
    """
    statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(query)
    buf = io.BytesIO()
    with con.cursor().copy(statement, params) as copy:
        for data in copy:
            buf.write(data)
    types = {c.name: _ARROW_TYPES[c.dtype] for c in columns}
    names = [c.name for c in columns] + ([GEOMETRY] if with_geometry else [])
    if with_geometry:
        types[GEOMETRY] = pa.string()
    if buf.tell() == 0:
        return pa.schema([pa.field(n, types[n]) for n in names]).empty_table()
    buf.seek(0)
    table = pcsv.read_csv(
        buf,
        read_options=pcsv.ReadOptions(block_size=1 << 24),
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=True, null_values=[""]
        ),
    )
    return table.select(names)
