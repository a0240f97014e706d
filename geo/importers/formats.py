"""Which known table a header is: ACLED, UCDP GED or the project's template.

The one place that knows each format's marker columns: ``--format auto``
(:func:`geo.importers.sniff_format`) and the dashboard's Import page ask
:func:`known_format` instead of listing columns themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["ACLED_MARKERS", "TEMPLATE_REQUIRED", "UCDP_MARKERS", "known_format"]

ACLED_MARKERS: Final = frozenset({"event_id_cnty", "event_date", "event_type", "time_precision", "geo_precision"})
"""Columns every ACLED export has had (2016's upper-case ones, 2019–2022's and today's since March 2023)."""
UCDP_MARKERS: Final = frozenset({"type_of_violence", "where_prec", "date_prec", "best"})
"""Columns of UCDP's Georeferenced Event Dataset (GED)."""
TEMPLATE_REQUIRED: Final = ("layer", "time_start", "claimant", "party")
"""Columns a spreadsheet in the events template cannot do without (``data/templates/events_template.csv``)."""


def _name(column: object) -> str:
    return str(column).strip().lstrip("\ufeff").strip()


def known_format(columns: Iterable[object]) -> str | None:
    """Say which known table a header belongs to.

    ACLED and UCDP columns are matched whatever their case (older ACLED
    files write them in capitals); the template's as written, since that is
    how :func:`geo.importers.read_csv` reads them.

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
    >>> known_format(["Date", "Settlement"]) is None
    True
    """
    names = {_name(c) for c in columns}
    lower = {n.lower() for n in names}
    if lower >= ACLED_MARKERS:
        return "acled"
    if lower >= UCDP_MARKERS:
        return "ucdp"
    if names >= set(TEMPLATE_REQUIRED):
        return "template"
    return None
