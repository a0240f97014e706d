"""Incoming rows encoded for :mod:`sqlite3`: text, numbers, ISO dates and GeoPackage blobs.

Private to :mod:`geo.store.gpkg`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.store._gpkg_blob import _extent, _gpkg_blobs, _no_blobs
from geo.store._gpkg_schema import GEOMETRY


class _Rows:
    """Incoming rows of one table, encoded for SQLite a chunk at a time (only the rows written).

    Missing values are encoded so that :mod:`sqlite3` binds them on its fast
    paths (binding ``None`` or ``bytes`` costs several times more): text as
    ``''`` and blobs as ``bytearray()`` — both turned into NULL by ``NULLIF``
    in the statement — and numbers as NaN, which SQLite stores as NULL.
    """

    def __init__(self, frame: pd.DataFrame, columns: Sequence[schema.Column], key: str) -> None:
        self.frame = frame
        self.key = key
        self.columns = {c.name: c for c in columns}
        self.keys = frame[key].to_numpy(dtype=object)
        self.geometry: np.ndarray | None = None
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
            geom = frame.geometry
            if geom.crs is not None and geom.crs != schema.CRS:
                geom = geom.to_crs(schema.CRS)
            self.geometry = geom.to_numpy()

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def names(self) -> tuple[str, ...]:
        """Stored column names, the geometry first for events."""
        return (GEOMETRY, *self.columns) if self.key == "event_id" else tuple(self.columns)

    @property
    def declared(self) -> str:
        """The stored column names, quoted and comma-separated, for an SQL column list."""
        return ", ".join(f'"{c}"' for c in self.names)

    @property
    def extent(self) -> tuple[float, ...] | None:
        """(minx, miny, maxx, maxy) of every incoming geometry, or None."""
        if self.geometry is None:
            return None
        return _extent(shapely.bounds(self.geometry))

    def placeholder(self, name: str) -> str:
        """SQL for one bound value of a column (NULL for the encoded missing value)."""
        if name == GEOMETRY:
            return "NULLIF(?, x'')"
        return "?" if self.columns[name].dtype in ("float", "int") else "NULLIF(?, '')"

    @property
    def placeholders(self) -> str:
        """SQL for one bound row of every stored column, comma-separated (see :meth:`placeholder`)."""
        return ", ".join(self.placeholder(c) for c in self.names)

    def encode(self, name: str, index: np.ndarray) -> np.ndarray:
        """Bind-ready values of one column for the rows ``index``."""
        if name == GEOMETRY:
            return _no_blobs(len(index)) if self.geometry is None else _gpkg_blobs(self.geometry[index])
        col = self.columns[name]
        if col.name not in self.frame.columns:
            return np.full(len(index), np.nan if col.dtype in ("float", "int") else "", dtype=object)
        return _encode_column(col, self.frame[col.name].iloc[index])

    def rows(self, names: Sequence[str], index: np.ndarray, chunk: int = 100_000) -> Iterator[tuple]:
        """Rows ``index`` of the columns ``names``, as tuples, encoded a chunk at a time."""
        for i in range(0, len(index), chunk):
            part = index[i : i + chunk]
            yield from zip(*(self.encode(n, part).tolist() for n in names), strict=True)

    def all_rows(self) -> Iterator[tuple]:
        """Every row of every stored column, in input order, encoded a chunk at a time."""
        return self.rows(self.names, np.arange(len(self)))


def _text(values: pd.Series) -> np.ndarray:
    """Text as an object array, ``''`` where missing."""
    return values.to_numpy(dtype=object, na_value="")


def _floats(values: pd.Series) -> np.ndarray:
    """Numbers as float64, NaN where missing or not a number."""
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _datetimes(values: pd.Series, unit: str) -> np.ndarray:
    """ISO text: ``YYYY-MM-DD`` (unit D) or ``YYYY-MM-DDTHH:MM:SS.sss`` (ms, no zone); '' if missing."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    else:
        parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    raw = parsed.to_numpy(dtype=f"datetime64[{unit}]")
    out = np.datetime_as_string(raw, unit=unit).astype(object)
    out[np.isnat(raw)] = ""
    return out


def _encode_column(col: schema.Column, values: pd.Series) -> np.ndarray:
    """Bind-ready values of one column, by its declared type."""
    if col.dtype == "date":
        return _datetimes(values, "D")
    if col.dtype == "datetime":
        return _datetimes(values, "ms")
    if col.dtype in ("float", "int"):
        return _floats(values)
    return _text(values)
