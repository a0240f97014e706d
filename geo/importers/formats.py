"""Which known table a header is: ACLED, UCDP GED or the project's template.

The one place that knows each format's marker columns: ``--format auto``
(:func:`geo.importers.sniff_format`) and the dashboard's Import page ask
:func:`known_format` instead of listing columns themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["ACLED_MARKERS", "TEMPLATE_REQUIRED", "UCDP_MARKERS", "known_format", "missing_markers"]

ACLED_MARKERS: Final = frozenset({"event_id_cnty", "event_date", "event_type", "time_precision", "geo_precision"})
"""Columns every ACLED export has had (2016's upper-case ones, 2019–2022's and today's since March 2023)."""
UCDP_MARKERS: Final = frozenset({"type_of_violence", "where_prec", "date_prec", "best"})
"""Columns of UCDP's Georeferenced Event Dataset (GED)."""
TEMPLATE_REQUIRED: Final = ("layer", "time_start", "claimant", "party")
"""Columns a spreadsheet in the events template cannot do without (``data/templates/events_template.csv``)."""


_MARKERS: Final = {"acled": ACLED_MARKERS, "ucdp": UCDP_MARKERS}


def _name(column: object) -> str:
    return str(column).strip().lstrip("\ufeff").strip()


def _majority(lower: set[str], markers: frozenset[str]) -> bool:
    """More than half of a format's marker columns are there: the format, short of a column or two."""
    return 2 * len(lower & markers) > len(markers)


def known_format(columns: Iterable[object]) -> str | None:
    """Say which known table a header belongs to.

    ACLED and UCDP columns are matched whatever their case (older ACLED
    files write them in capitals); the template's as written, since that is
    how :func:`geo.importers.read_csv` reads them. A header with every
    marker column of ACLED (:data:`ACLED_MARKERS`) or UCDP
    (:data:`UCDP_MARKERS`) is that format; then one with the template's
    required columns is the template; then one with most of ACLED's or
    UCDP's markers is that format lacking the others, so that its reader
    names the columns it lacks (:func:`missing_markers`) instead of the
    file being read as a template it is not.

    Parameters
    ----------
    columns : iterable
        The table's column names.

    Returns
    -------
    str or None
        ``"acled"``, ``"ucdp"``, ``"template"`` or ``None`` (any other
        columns: a spreadsheet that needs a mapping onto the template).

    Examples
    --------
    >>> known_format(["event_id_cnty", "event_date", "event_type", "time_precision", "geo_precision", "notes"])
    'acled'
    >>> known_format(["layer", "time_start", "claimant", "party", "place"])
    'template'
    >>> known_format(["event_id_cnty", "event_date", "event_type", "geo_precision", "notes"])  # no time_precision
    'acled'
    >>> known_format(["Date", "Settlement"]) is None
    True
    """
    names = {_name(c) for c in columns}
    lower = {n.lower() for n in names}
    for fmt, markers in _MARKERS.items():
        if lower >= markers:
            return fmt
    if names >= set(TEMPLATE_REQUIRED):
        return "template"
    for fmt, markers in _MARKERS.items():
        if _majority(lower, markers):
            return fmt
    return None


def missing_markers(columns: Iterable[object]) -> tuple[str, list[str]] | None:
    """The ACLED or UCDP marker columns a header that is mostly one of them lacks.

    Parameters
    ----------
    columns : iterable
        The table's column names.

    Returns
    -------
    tuple of (str, list of str) or None
        The format (``"acled"``, ``"ucdp"``) and its missing marker columns,
        sorted; ``None`` when the header is neither, or has them all.

    Examples
    --------
    >>> missing_markers(["EVENT_ID_CNTY", "EVENT_DATE", "EVENT_TYPE", "GEO_PRECISION"])
    ('acled', ['time_precision'])
    """
    fmt = known_format(columns)
    if fmt not in _MARKERS:
        return None
    missing = sorted(_MARKERS[fmt] - {_name(c).lower() for c in columns})
    return (fmt, missing) if missing else None
