"""What the analyst asked to see: one :class:`Filter`, applied to folded events.

Three concerns, three modules:

- :mod:`geo.filters.value` — the :class:`Filter` value (frozen, hashable,
  validated) and its URL codec (:data:`PARAMS`, ``to_query``/``from_query``,
  ``to_url``/``from_url``), the same names as the command-line flags; what
  its dates are matched against (:data:`BY`: the events' own dates, the
  dates their claims were stated, or either);
- :mod:`geo.filters.select` — :func:`apply` (which events a filter keeps,
  given the claims when its dates are matched against statements; the rules
  field by field are in its docstring), :func:`talks_for` and
  :func:`filter_claims`;
- :mod:`geo.filters.words` — a filter in words (:meth:`Filter.describe`,
  :func:`describe_dates`) and the regions it offers
  (:func:`regions_by_country`), written through :mod:`geo.present` and
  :mod:`geo.i18n`.

Which layers a weapon or target-type filter applies to, and which layers a
filter may name, come from the layer registry (:mod:`geo.layers`) when the
filter is made or applied.
"""

from __future__ import annotations

from geo.filters._arrow import member
from geo.filters.select import apply, filter_claims, talks_for
from geo.filters.value import BY, PARAMS, PRESETS, Filter
from geo.filters.words import describe, describe_dates, regions_by_country

__all__ = [
    "BY",
    "PARAMS",
    "PRESETS",
    "Filter",
    "apply",
    "describe",
    "describe_dates",
    "filter_claims",
    "member",
    "regions_by_country",
    "talks_for",
]
