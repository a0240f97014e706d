"""The store's layout in a GeoPackage: table names, column types, creating the file, checking an existing one.

GDAL (through pyogrio) creates the file and its GeoPackage metadata once,
without a spatial index; :mod:`sqlite3` adds the indexes and the ``meta``
rows. Private to :mod:`geo.store.gpkg`.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Final, NamedTuple

import pyarrow as pa
import pyogrio
from pyogrio.errors import DataSourceError

from geo import schema
from geo.errors import GeoError
from geo.store.base import SCHEMA_VERSION

EVENTS: Final = "events"
CLAIMS: Final = "claims"
DATASETS: Final = "datasets"
META: Final = "meta"
ASSESSMENTS: Final = "assessments"
"""Assessed areas of control (:mod:`geo.store._gpkg_control`), created by the first write of assessments."""
GEOMETRY: Final = "geometry"

_GPKG_APPLICATION_ID = 0x47504B47  # 'GPKG', SQLite's PRAGMA application_id of a GeoPackage
_ARROW_TYPES = {
    "str": pa.string(),
    "float": pa.float64(),
    "int": pa.int64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("ms"),
}
_SQL_TYPES = {"str": "TEXT", "float": "REAL", "int": "INTEGER", "date": "DATE", "datetime": "DATETIME"}
_DATASET_TABLE = (
    schema.Column("name", "str", True),
    schema.Column("kind", "str", True),
    schema.Column("description", "str"),
    schema.Column("source", "str"),
    schema.Column("created_at", "datetime", True),
    schema.Column("updated_at", "datetime", True),
)
_META_TABLE = (schema.Column("key", "str", True), schema.Column("value", "str"))
_INDEXES = (
    f"CREATE UNIQUE INDEX idx_events_event_id ON {EVENTS} (event_id)",
    f"CREATE INDEX idx_events_dataset ON {EVENTS} (dataset)",
    f"CREATE INDEX idx_events_time_start ON {EVENTS} (time_start)",
    f"CREATE UNIQUE INDEX idx_claims_claim_id ON {CLAIMS} (claim_id)",
    f"CREATE INDEX idx_claims_event_id ON {CLAIMS} (event_id)",
    f"CREATE UNIQUE INDEX idx_datasets_name ON {DATASETS} (name)",
    f"CREATE UNIQUE INDEX idx_meta_key ON {META} (key)",
)


def _utc_now() -> str:
    """The current UTC time as stored: ``YYYY-MM-DDTHH:MM:SS.sssZ``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _arrow_schema(columns: Iterable[schema.Column], *, geometry: bool = False) -> pa.Schema:
    """The Arrow schema of a table of ``columns`` (and a WKB ``geometry`` column last)."""
    fields = [pa.field(c.name, _ARROW_TYPES[c.dtype]) for c in columns]
    if geometry:
        fields.append(pa.field(GEOMETRY, pa.binary()))
    return pa.schema(fields)


def _empty_table(columns: Sequence[schema.Column], *, geometry: bool = False) -> pa.Table:
    """An Arrow table of ``columns`` with no rows."""
    return _arrow_schema(columns, geometry=geometry).empty_table()


# -- creating --------------------------------------------------------------------------------------


def _create(path: Path) -> None:
    """Create an empty store at ``path`` atomically (built beside it, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp.gpkg")
    common = {"driver": "GPKG", "layer_options": {"FID": "fid"}}
    try:
        pyogrio.write_arrow(
            _empty_table(schema.EVENT_COLUMNS, geometry=True),
            tmp,
            layer=EVENTS,
            driver="GPKG",
            geometry_name=GEOMETRY,
            geometry_type="Unknown",
            crs=schema.CRS,
            layer_options={
                "FID": "fid",
                "GEOMETRY_NAME": GEOMETRY,
                "SPATIAL_INDEX": "NO",
                "DESCRIPTION": "Events: something on the ground (capture, strike, impact, talks)",
            },
        )
        for layer, columns, description in (
            (
                CLAIMS,
                schema.CLAIM_COLUMNS,
                "Claims: statements about an event, with their figures and sources",
            ),
            (DATASETS, _DATASET_TABLE, "Datasets stored here: bundled, synthetic and imports"),
            (META, _META_TABLE, "Store metadata (schema_version)"),
        ):
            pyogrio.write_arrow(
                _empty_table(columns),
                tmp,
                layer=layer,
                geometry_type=None,
                **{**common, "layer_options": {**common["layer_options"], "DESCRIPTION": description}},
            )
        with closing(sqlite3.connect(tmp, isolation_level=None)) as con:
            con.execute("BEGIN")
            for statement in _INDEXES:
                con.execute(statement)
            from geo import __version__

            con.executemany(
                f"INSERT INTO {META} (key, value) VALUES (?, ?)",
                [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("created_by", f"geo {__version__}"),
                    ("created_at", _utc_now()),
                ],
            )
            con.execute("COMMIT")
        os.replace(tmp, path)
    except (OSError, DataSourceError, sqlite3.Error) as err:
        raise GeoError(f"could not create the store {str(path)!r}: {err}") from err
    finally:
        tmp.unlink(missing_ok=True)


# -- checking --------------------------------------------------------------------------------------


class _Layout(NamedTuple):
    """What an existing file holds, as far as telling a store of this library goes."""

    application_id: int
    missing_tables: list[str]
    version: str | None


def _read_layout(con: sqlite3.Connection) -> _Layout:
    """Read the application id, the store tables missing, and ``meta.schema_version`` (None if absent).

    Raises :class:`sqlite3.DatabaseError` when the file is not SQLite.
    """
    app = con.execute("PRAGMA application_id").fetchone()[0]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in (EVENTS, CLAIMS, DATASETS, META) if t not in tables]
    version = None
    if META in tables:
        row = con.execute(f"SELECT value FROM {META} WHERE key = 'schema_version'").fetchone()
        version = row[0] if row else None
    return _Layout(app, missing, version)


def _check_layout(layout: _Layout, location: str) -> None:
    """Refuse a file that is not a store of this library (or of a newer version) with a :class:`GeoError`."""
    what = f"{location!r} is not a conflict-map store"
    if layout.application_id != _GPKG_APPLICATION_ID:
        raise GeoError(f"{what}: it is not a GeoPackage")
    if layout.missing_tables:
        raise GeoError(
            f"{what}: tables {', '.join(layout.missing_tables)} are missing (open another file or a new path)"
        )
    try:
        version_number = int(layout.version)  # None and non-numbers are refused below
    except (TypeError, ValueError):
        raise GeoError(f"{what}: its meta table has no schema_version") from None
    if version_number > SCHEMA_VERSION:
        raise GeoError(
            f"{location!r} was written by a newer version (schema {version_number}, this one reads "
            f"{SCHEMA_VERSION}); upgrade the software"
        )


def _not_a_store(location: str, err: sqlite3.DatabaseError) -> GeoError:
    """The error for a file SQLite cannot read as a database."""
    return GeoError(f"{location!r} is not a conflict-map store: it is not a GeoPackage (SQLite says: {err})")


def _missing_columns(con: sqlite3.Connection) -> list[tuple[str, schema.Column]]:
    """The (table, column) pairs the schema has and the file's events/claims tables lack."""
    return [
        (table, col)
        for table, columns in ((EVENTS, schema.EVENT_COLUMNS), (CLAIMS, schema.CLAIM_COLUMNS))
        for have in [{r[1] for r in con.execute(f"PRAGMA table_info({table})")}]
        for col in columns
        if col.name not in have
    ]


def _add_columns(con: sqlite3.Connection, missing: Sequence[tuple[str, schema.Column]]) -> None:
    """Add the columns :func:`_missing_columns` found (all optional, so NULL in old rows)."""
    for table, col in missing:
        con.execute(f'ALTER TABLE {table} ADD COLUMN "{col.name}" {_SQL_TYPES[col.dtype]}')
