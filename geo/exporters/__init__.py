"""Exports of the filtered map and data: GeoJSON, GeoPackage, CSV, KML, standalone HTML; briefings (PNG, PDF, PPTX).

Every writer takes folded, filtered events (:func:`geo.claims.fold` then
:func:`geo.filters.apply`, given the claims) and their claims, checks the target path before
writing anything, and writes atomically (a temporary file in the same folder,
then :func:`os.replace`), so a failure never leaves a half-written file; a
target that is not a regular file or a new path (a FIFO, a device, a symbolic
link) is refused. :func:`export` picks the writer by format name; the command
line and the dashboard both go through it (several views in one briefing file: :mod:`geo.briefing.deck`). It returns an
:class:`ExportResult`: the path written, with how many events and claims the
file holds and what its format had to leave out (``left_out``, ``summary()``).

Claims set against assessed control (:mod:`geo.control.check`) go in when
the caller passes them (``verdicts=``, ``aggregates=``): the data formats
give each claim an ``assessment`` and an ``assessment_verdict`` field, the
page (HTML, and the PNG/PDF made from it) a *Claims vs assessment* section.
The exporters compute nothing of it themselves: the dashboard passes the
verdicts of its filter (``ui.control``), the command line those of the store.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import i18n
from geo.errors import GeoError
from geo.exporters.data import FORMATS as DATA_FORMATS
from geo.exporters.data import LEFT_OUT, ExportResult, to_csv, to_geojson, to_gpkg, to_kml
from geo.exporters.html import DEFAULT_TITLE, to_html
from geo.filters import Filter

__all__ = [
    "BRIEFING_FORMATS",
    "DATA_FORMATS",
    "DEFAULT_TITLE",
    "FORMATS",
    "LEFT_OUT",
    "MIME_TYPES",
    "ExportResult",
    "assessed_for",
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
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv",
    "kml": "application/vnd.google-earth.kml+xml",
    "gif": "image/gif",  # time-lapses (geo.exporters.timelapse)
    "mp4": "video/mp4",
}
FORMATS = tuple(MIME_TYPES)
"""Every export format, snapshots first."""


def assessed_for(store: Any, events: gpd.GeoDataFrame, claims: pd.DataFrame, flt: Filter | None) -> dict[str, Any]:
    """What an export needs to set the claims against assessed control, read from a store.

    Parameters
    ----------
    store : Store
        Holds the assessments (``python -m geo control import``).
    events, claims : DataFrame
        The filtered events and their claims being exported.
    flt : Filter or None
        The filter (its dates frame the Control layer).

    Returns
    -------
    dict
        ``verdicts``, ``aggregates`` and ``control`` for :func:`export`; empty
        when the store holds no assessment (the export is then as before).
    """
    from geo.control import series
    from geo.control.check import aggregate_claims, check_claims
    from geo.mapview import control_areas

    if series.series(store).empty:
        return {}
    date_from = flt.date_from if flt is not None else None
    date_to = flt.date_to if flt is not None else None
    return {
        "verdicts": check_claims(store, events, claims),
        "aggregates": aggregate_claims(store, events, claims),
        "control": control_areas(store, date_from, date_to),
    }


BRIEFING_FORMATS = ("png", "pdf", "pptx")
"""The briefing formats (:mod:`geo.briefing`): a slide, a PDF document, a PowerPoint deck."""


def _briefing(
    fmt: str,
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter | None,
    path: str | os.PathLike[str],
    title: str | None,
    size: str | tuple[int, int] | None,
    talks: pd.DataFrame | None,
    assessed: dict[str, Any],
) -> Path:
    """One view as a briefing file (:func:`geo.briefing.deck.briefing_of`)."""
    from geo.briefing.deck import briefing_of

    title = "" if title is None or title == DEFAULT_TITLE else title
    return briefing_of(fmt, events, claims, flt, path, talks=talks, assessed=assessed, title=title, size=size)


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
    verdicts: pd.DataFrame | None = None,
    aggregates: pd.DataFrame | None = None,
    control: Sequence[Any] | None = None,
    step: str | None = None,
    assessments: object = None,
    assessor: str | None = None,
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
        PNG size: ``slide`` (1920×1080, default), ``720p`` (1280×720), another preset, ``"WxH"`` or a tuple.
    talks : DataFrame, optional
        Rounds of talks for the snapshot's timeline; pass them when a region
        or area filter has removed them from ``events`` (talks have no region).
    lang : str, optional
        Language of what a reader sees in it: snapshots, pages, KML
        descriptions (default: the current one). Data fields are never translated.
    verdicts : DataFrame, optional
        Verdicts of the capture claims (:func:`geo.control.check.check_claims`
        of the same events): a field of every claim in GeoJSON, GeoPackage
        and CSV (:data:`geo.exporters.data.ASSESSMENT_COLUMNS`), a *Claims vs
        assessment* section on pages (HTML), a verdict per key claim in
        briefings (PNG, PDF, PPTX). KML leaves them out.
    aggregates : DataFrame, optional
        Claims with figures beside the assessed change
        (:func:`geo.control.check.aggregate_claims`), in the same places.
    control : sequence of geo.mapview.ControlArea, optional
        The Control layer (held, gained and lost areas per assessor,
        :func:`geo.mapview.control_areas`) of the map in HTML and the briefings.
    step : {"day", "week"}, optional
        Time-lapses (gif, mp4): one frame per day (default) or per week.
    assessments : Store or DataFrame, optional
        Time-lapses: where the assessed areas come from (default the configured store).
    assessor : str, optional
        Time-lapses: whose assessment (default the first by name).

    Returns
    -------
    ExportResult
        The file written (a :class:`~pathlib.Path`), with ``events``,
        ``claims``, ``written``, ``claims_written`` and ``left_out`` (events
        the format could not hold, per reason: KML has no place for events
        known only to a region or country); ``summary()`` says it in one
        line. The page and briefing formats (png, pdf, pptx, html) count what they were
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
    if size is not None and fmt not in ("png", "gif", "mp4"):
        raise GeoError(f"--size applies to png, gif and mp4 only, not to {fmt}")
    if step is not None and fmt not in ("gif", "mp4"):
        raise GeoError(f"--step applies to gif and mp4 only, not to {fmt}")
    assessed = {"verdicts": verdicts, "aggregates": aggregates}
    mapped = {**assessed, "control": control}
    with i18n.using(lang):
        if fmt in ("gif", "mp4"):
            from geo.exporters.timelapse import DEFAULT_SIZE, to_gif, to_mp4  # imageio only when needed

            timelapse = to_gif if fmt == "gif" else to_mp4
            return timelapse(
                assessments, events, claims, flt, path, step=step or "day", size=size or DEFAULT_SIZE,
                assessor=assessor, title=title,
            )  # fmt: skip
        if fmt in BRIEFING_FORMATS:  # the briefing layouts: Chromium (and python-pptx) only when needed
            out = _briefing(fmt, events, claims, flt, path, title, size, talks, {**mapped, "aggregates": aggregates})
            return ExportResult.made(out, fmt, events=len(events), claims=len(claims))
        if fmt == "html":
            out = to_html(events, claims, flt, path, title=title, talks=talks, **mapped)
        elif fmt == "kml":
            return to_kml(events, claims, path)
        else:
            writer = {"geojson": to_geojson, "gpkg": to_gpkg, "csv": to_csv}[fmt]
            return writer(events, claims, path, **assessed)
    return ExportResult.made(out, fmt, events=len(events), claims=len(claims))
