"""Importers: ACLED and UCDP exports, spreadsheets and vector files → validated events and claims.

:func:`read_file` checks the file's size, works out its format *from its
content* (the extension only breaks ties) and hands it to the reader of that
format. This project's own GeoJSON and GeoPackage exports are recognised
as such (format ``native``, :mod:`geo.importers.native`) and read back as
they were, every claim included, with no mapping. Every reader returns an
:class:`~geo.importers.report.ImportResult`:
validated events and claims ready for ``store.write(..., validated=True)``,
plus the rows skipped (per reason) and rejected (row, column, why).

A file that cannot be read at all (missing, empty, binary, too large, not
the format asked for) raises one :class:`~geo.errors.GeoError` naming the
problem. Rows are rejected by the column rules of
:mod:`geo.importers.rules`; :func:`known_format` says which known table a
header is.
"""

from __future__ import annotations

import datetime as dt
import os

from geo.errors import GeoError
from geo.importers import _common
from geo.importers.acled import read_acled
from geo.importers.formats import known_format
from geo.importers.native import native_kind, read_native
from geo.importers.report import ImportResult
from geo.importers.table import read_csv, read_xlsx
from geo.importers.ucdp import read_ucdp
from geo.importers.vector import read_geojson, read_gpkg, read_kml, read_shapefile_zip

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "ImportResult",
    "known_format",
    "read_acled",
    "read_csv",
    "read_file",
    "read_geojson",
    "read_gpkg",
    "read_kml",
    "read_native",
    "read_shapefile_zip",
    "read_ucdp",
    "read_xlsx",
    "sniff_format",
]

FORMATS = ("auto", "acled", "ucdp", "csv", "xlsx", "geojson", "gpkg", "kml", "shp", "native")
"""Formats :func:`read_file` accepts (``auto``: sniffed from the content; ``native``: this project's own
GeoJSON or GeoPackage export)."""
MAX_BYTES = _common.MAX_BYTES
_READERS = {
    "acled": read_acled,
    "ucdp": read_ucdp,
    "csv": read_csv,
    "xlsx": read_xlsx,
    "geojson": read_geojson,
    "gpkg": read_gpkg,
    "kml": read_kml,
    "shp": read_shapefile_zip,
    "native": read_native,
}
_WITH_MAPPING = ("csv", "xlsx", "geojson", "gpkg", "kml", "shp")


def sniff_format(path: str | os.PathLike[str]) -> str:
    """Work out a file's format from its first bytes (extension as a tie-breaker).

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    str
        One of :data:`FORMATS` other than ``auto``: ``native`` for this
        project's own GeoJSON or GeoPackage export.

    Raises
    ------
    GeoError
        When the content matches no known format (binary data under a text
        extension says so).
    """
    p = _common.fspath(path)
    data = _common.head(p)
    ext = p.suffix.lower()
    if data.startswith(b"SQLite format 3\x00"):
        return "native" if native_kind(p) else "gpkg"
    if data.startswith(b"PK\x03\x04"):
        if b"[Content_Types].xml" in data or b"xl/" in data[:4096]:
            return "xlsx"
        if ext == ".kmz" or b".kml" in data[:4096]:
            return "kml"
        return "shp"
    if _common.looks_binary(data):
        if ext in (".json", ".geojson", ".kml"):
            what = "KML" if ext == ".kml" else "GeoJSON"
            raise GeoError(
                f"{p.name} is not a {what} text file (it holds binary data or control characters); "
                f"export it again as {what}"
            )
        if ext in (".csv", ".txt", ".tsv"):
            raise GeoError(f"{p.name} is not a CSV/text file (it holds binary data); export it as UTF-8 CSV")
        raise GeoError(f"{p.name}: unrecognised binary file; expected CSV, XLSX, GeoJSON, GeoPackage, KML/KMZ or zip")
    if _common.not_utf8(data):
        try:  # ACLED and UCDP readers detect Windows-1252/1251 themselves (their headers are ASCII)
            known = known_format(_common.csv_header(p))
        except (GeoError, UnicodeDecodeError):
            known = None
        if known in ("acled", "ucdp"):
            return known
        raise GeoError(f"{p.name} is not UTF-8 text; save it as UTF-8 CSV")
    text = data.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text:
        raise GeoError(f"{p.name} is empty (no header, no rows)")
    if text.startswith(("{", "[")):
        return "native" if native_kind(p) else "geojson"
    if text.startswith("<"):
        if "<kml" in text[:2048] or ext == ".kml":
            return "kml"
        raise GeoError(f"{p.name} is HTML/XML, not a data file; expected CSV, XLSX, GeoJSON, KML")
    known = known_format(_common.csv_header(p))
    return known if known in ("acled", "ucdp") else "csv"


def read_file(
    path: str | os.PathLike[str],
    *,
    format: str = "auto",
    dataset: str | None = None,
    mapping: str | os.PathLike[str] | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a file of events into validated events and claims, with a report.

    Parameters
    ----------
    path : str or PathLike
        The file.
    format : str
        One of :data:`FORMATS`; ``auto`` sniffs the content. This project's
        own export given as ``geojson`` or ``gpkg`` without a mapping is read
        as ``native`` too (a mapping reads it as any other vector file).
    dataset : str, optional
        Dataset name the events carry (default: the file's stem).
    mapping : str or PathLike, optional
        Column mapping file (JSON or TOML) for spreadsheets with their own
        columns (see :mod:`geo.importers.table`).
    max_bytes : int, optional
        Refuse files larger than this before reading (default
        :data:`MAX_BYTES`, 200 MB).
    today : date, optional
        Reference date for "in the future" (default: today).

    Returns
    -------
    ImportResult
        What was kept, skipped and rejected.

    Raises
    ------
    GeoError
        When nothing can be read: missing, empty, binary, too large, an
        unknown format, an unsafe zip, or not the format asked for.
    """
    if format not in FORMATS:
        raise GeoError(f"unknown format {format!r}; use one of: {', '.join(FORMATS)}")
    p, name = _common.open_input(path, max_bytes, dataset)
    fmt = sniff_format(p) if format == "auto" else format
    if fmt in ("geojson", "gpkg") and mapping is None and native_kind(p):
        fmt = "native"
    if fmt == "native":  # the dataset the events were exported from, unless one is given
        return read_native(p, dataset=dataset, max_bytes=max_bytes, today=today)
    options = {"mapping": mapping} if fmt in _WITH_MAPPING else {}
    return _READERS[fmt](p, dataset=name, max_bytes=max_bytes, today=today, **options)
