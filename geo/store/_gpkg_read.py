"""Reading: the SQL ``WHERE`` of a query for GDAL's Arrow interface, Arrow tables to frames, the registry query.

Private to :mod:`geo.store.gpkg`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely

from geo import schema
from geo.store._gpkg_lock import _BUSY_TIMEOUT_S
from geo.store._gpkg_schema import CLAIMS, DATASETS, EVENTS, GEOMETRY
from geo.store.base import DATASET_COLUMNS, EventQuery


def _gdal_busy_timeout() -> None:
    """Make GDAL wait for a writer's COMMIT instead of failing with 'database is locked'."""
    if pyogrio.get_gdal_config_option("OGR_SQLITE_PRAGMA") is None:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_PRAGMA": f"busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}"})


# -- WHERE -----------------------------------------------------------------------------------------


def _quote(value: str) -> str:
    """An SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _in(column: str, values: Sequence[str]) -> str:
    """``column IN ('a', 'b', …)``."""
    return f"{column} IN ({', '.join(_quote(v) for v in values)})"


def _and(*parts: str | None) -> str | None:
    """The conjunction of the parts given (None and '' left out); None when there is none."""
    kept = [p for p in parts if p]
    return " AND ".join(f"({p})" for p in kept) if kept else None


def _chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """``values`` in slices of at most ``size``."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _id_wheres(where: str | None, event_ids: Sequence[str] | None, size: int) -> list[str | None]:
    """One ``WHERE`` per read: ``where`` alone, or with each slice of at most ``size`` of ``event_ids``."""
    if event_ids is None:
        return [where]
    return [_and(where, _in("event_id", chunk)) for chunk in _chunks(event_ids, size)]


def _event_where(query: EventQuery) -> str | None:
    """The ``WHERE`` of the events table for a query's layers, datasets and dates (not its ids)."""
    parts: list[str | None] = []
    if query.layers is not None:
        parts.append(_in("layer", query.layers))
    if query.datasets is not None:
        parts.append(_in("dataset", query.datasets))
    if query.date_to is not None:
        parts.append(f"time_start <= '{query.date_to:%Y-%m-%d}'")
    if query.date_from is not None:
        parts.append(f"time_end >= '{query.date_from:%Y-%m-%d}'")
    return _and(*parts)


# -- frames ----------------------------------------------------------------------------------------


def _in_stored_order(tables: list[pa.Table]) -> pa.Table:
    """One table from the results of several queries, rows in the order they were stored (by fid)."""
    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(tables).sort_by("fid")


def _column(arr: pa.ChunkedArray, col: schema.Column) -> np.ndarray | pd.Series:
    """One Arrow column in the dtype :func:`geo.validate.validate` gives it."""
    if col.dtype == "str":
        return pd.Series(_strings(arr), dtype=object)
    if col.dtype in ("date", "datetime"):
        if pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
            arr = arr.cast(pa.timestamp("ms", tz=arr.type.tz)).cast(pa.timestamp("ms"))
        elif pa.types.is_string(arr.type):
            return pd.to_datetime(pd.Series(arr.to_numpy(zero_copy_only=False)), format="ISO8601").astype(
                "datetime64[ms]"
            )
        return arr.cast(pa.timestamp("ms")).to_numpy(zero_copy_only=False).astype("datetime64[ms]")
    return arr.cast(pa.float64()).to_numpy(zero_copy_only=False)


def _strings(arr: pa.ChunkedArray) -> np.ndarray:
    """Object array of str/None; repeated values share one str object (less memory, faster)."""
    if len(arr) == 0:
        return np.empty(0, dtype=object)
    encoded = pc.dictionary_encode(arr.combine_chunks())
    dictionary = encoded.dictionary.to_numpy(zero_copy_only=False)
    if len(dictionary) > len(arr) // 2:  # mostly distinct (ids): no sharing to gain
        return arr.to_numpy(zero_copy_only=False)
    lookup = np.empty(len(dictionary) + 1, dtype=object)
    lookup[:-1] = dictionary
    lookup[-1] = None
    return lookup[pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)]


def _frame(table: pa.Table, columns: Sequence[schema.Column]) -> pd.DataFrame:
    """A DataFrame of ``columns`` from an Arrow table, with a RangeIndex."""
    out = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    for col in columns:
        out[col.name] = _column(table.column(col.name), col)
    return out


def _events_frame(table: pa.Table) -> gpd.GeoDataFrame:
    """The events GeoDataFrame (EPSG:4326) of an Arrow table with WKB ``geometry``."""
    out = _frame(table, schema.EVENT_COLUMNS)
    if GEOMETRY in table.column_names:
        wkb = table.column(GEOMETRY).to_numpy(zero_copy_only=False)
        geoms = shapely.from_wkb(wkb)
    else:
        geoms = np.full(table.num_rows, None, dtype=object)
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=schema.CRS).to_numpy(), crs=schema.CRS)


# -- the registry ----------------------------------------------------------------------------------

_DATASETS_SQL = f"""
    SELECT d.name, d.kind, d.description, d.source, d.created_at, d.updated_at,
           COALESCE(e.n, 0), COALESCE(c.n, 0)
    FROM {DATASETS} d
    LEFT JOIN (SELECT dataset, COUNT(*) AS n FROM {EVENTS} GROUP BY dataset) e ON e.dataset = d.name
    LEFT JOIN (SELECT e2.dataset, COUNT(*) AS n FROM {CLAIMS} c2
               JOIN {EVENTS} e2 ON e2.event_id = c2.event_id GROUP BY e2.dataset) c
           ON c.dataset = d.name
    ORDER BY d.name"""


def _datasets_frame(rows: Sequence[tuple]) -> pd.DataFrame:
    """The registry rows of :data:`_DATASETS_SQL` as :data:`geo.store.base.DATASET_COLUMNS`."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(DATASET_COLUMNS)
    out = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    for name, values in zip(DATASET_COLUMNS, cols, strict=True):
        if name in ("created_at", "updated_at"):
            out[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601").astype(
                "datetime64[ms, UTC]"
            )
        elif name in ("events", "claims"):
            out[name] = np.asarray(values, dtype=np.int64)
        else:
            out[name] = pd.Series(values, dtype=object)
    return out
