"""Exports of the filtered map and data: GeoJSON, GeoPackage, CSV, KML, standalone HTML, PNG and PDF.

Every writer takes folded, filtered events (:func:`geo.claims.fold` then
:func:`geo.filters.apply`, given the claims) and their claims, checks the target path before
writing anything, and writes atomically (a temporary file in the same folder,
then :func:`os.replace`), so a failure never leaves a half-written file; a
target that is not a regular file or a new path (a FIFO, a device, a symbolic
link) is refused. :func:`export` picks the writer by format name; the command
line and the dashboard both go through it. It returns an
:class:`ExportResult`: the path written, with how many events and claims the
file holds and what its format had to leave out (``left_out``, ``summary()``).
"""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd

from geo import i18n
from geo.errors import GeoError
from geo.exporters.data import FORMATS as DATA_FORMATS
from geo.exporters.data import LEFT_OUT, ExportResult, to_csv, to_geojson, to_gpkg, to_kml
from geo.exporters.html import DEFAULT_TITLE, to_html
from geo.filters import Filter

__all__ = [
    "DATA_FORMATS",
    "DEFAULT_TITLE",
    "FORMATS",
    "LEFT_OUT",
    "MIME_TYPES",
    "ExportResult",
    "export",
    "to_csv",
    "to_geojson",
    "to_gpkg",
    "to_html",
    "to_kml",
]

MIME_TYPES = {
    "png": "image/png",
    "pdf": "application/pdf",
    "html": "text/html",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv",
    "kml": "application/vnd.google-earth.kml+xml",
}
FORMATS = tuple(MIME_TYPES)
"""Every export format, snapshots first."""


def export(
    fmt: str,
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    size: str | tuple[int, int] | None = None,
    talks: pd.DataFrame | None = None,
    lang: str | None = None,
) -> ExportResult:
    """Write one export of the filtered events.

    Parameters
    ----------
    fmt : str
        One of :data:`FORMATS`.
    events : GeoDataFrame
        Folded, filtered events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    flt : Filter or None
        The filter, written out in words on snapshots and pages, its dates
        saying what they match (``"events or statements 15–16 Feb 2026"``).
    path : str or PathLike
        Where to write.
    title : str, optional
        Title of snapshots and pages (default: :func:`geo.exporters.html.default_title`).
    size : str or tuple of int, optional
        PNG size: a preset (``slide``, ``a4``, ``square``), ``"WxH"`` or a tuple.
    talks : DataFrame, optional
        Rounds of talks for the snapshot's timeline; pass them when a region
        or area filter has removed them from ``events`` (talks have no region).
    lang : str, optional
        Language of what a reader sees in it: snapshots, pages, KML
        descriptions (default: the current one). Data fields are never translated.

    Returns
    -------
    ExportResult
        The file written (a :class:`~pathlib.Path`), with ``events``,
        ``claims``, ``written``, ``claims_written`` and ``left_out`` (events
        the format could not hold, per reason: KML has no place for events
        known only to a region or country); ``summary()`` says it in one
        line. The snapshot formats (png, pdf, html) count what they were
        given (``written`` is None).

    Raises
    ------
    GeoError
        Unknown format, a size for a format that has none, an unwritable path
        (a folder, a FIFO, a device, a symbolic link, a missing folder), or a
        failed write (a full disk): one line, nothing written.
    ValidationError
        A bad size.
    """
    fmt = fmt.lower()
    if fmt not in MIME_TYPES:
        raise GeoError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if size is not None and fmt != "png":
        raise GeoError(f"--size applies to png only, not to {fmt}")
    with i18n.using(lang):
        if fmt in ("png", "pdf"):
            from geo.exporters.snapshot import to_pdf, to_png  # Chromium only when needed

            if fmt == "png":
                out = to_png(events, claims, flt, path, size=size or "slide", title=title, talks=talks)
            else:
                out = to_pdf(events, claims, flt, path, title=title, talks=talks)
        elif fmt == "html":
            out = to_html(events, claims, flt, path, title=title, talks=talks)
        else:
            writer = {"geojson": to_geojson, "gpkg": to_gpkg, "csv": to_csv, "kml": to_kml}[fmt]
            return writer(events, claims, path)
    return ExportResult.made(out, fmt, events=len(events), claims=len(claims))
