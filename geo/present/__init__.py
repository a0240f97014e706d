"""How things are written for a reader: one place for every display format.

Figures with their bounds ("≥170", "~400", "120 → ≥170 → 229"), numbers,
dates and date ranges, when a claim was stated, region names (one function,
in any language the reference data has), layer nouns and counts, statuses,
stances and precisions, safe links, and the binning of timelines. The
dashboard, the map, the charts and every exporter write through these, so a
figure or a date reads the same everywhere, and a language is one catalog
file (:mod:`geo.i18n`).

Nothing here returns HTML except :func:`escape` and :func:`link`; everything
else is plain text (escape it before it goes into HTML).

The package: :mod:`~geo.present.values` (escaping, links, numbers, figures),
:mod:`~geo.present.dates`, :mod:`~geo.present.labels` (regions, layers,
counts, statuses…) and :mod:`~geo.present.bins` (timeline bins). Import from
``geo.present``.
"""

from __future__ import annotations

from geo.present.bins import BIN_UNITS, DAILY_MAX_DAYS, bin_label, bin_ordinals, bin_starts, choose_bin
from geo.present.dates import MONTHS, date_range, day, iso_date, stated, when
from geo.present.labels import (
    column_label,
    count,
    country_name,
    in_order,
    layer_label,
    layer_word,
    precision_label,
    region_label,
    region_name,
    stance_label,
    status_label,
    value_label,
)
from geo.present.values import (
    BOUND_SIGNS,
    escape,
    figure,
    figure_history,
    figure_label,
    figure_text,
    link,
    missing,
    number,
    safe_url,
)

__all__ = [
    "BIN_UNITS",
    "BOUND_SIGNS",
    "DAILY_MAX_DAYS",
    "MONTHS",
    "bin_label",
    "bin_ordinals",
    "bin_starts",
    "choose_bin",
    "column_label",
    "count",
    "country_name",
    "date_range",
    "day",
    "escape",
    "figure",
    "figure_history",
    "figure_label",
    "figure_text",
    "in_order",
    "iso_date",
    "layer_label",
    "layer_word",
    "link",
    "missing",
    "number",
    "precision_label",
    "region_label",
    "region_name",
    "safe_url",
    "stance_label",
    "stated",
    "status_label",
    "value_label",
    "when",
]
