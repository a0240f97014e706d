"""Totals as a reader reads them: one figure, or a range where claims may overlap, and which claims those are.

The rule itself (which claims may overlap, the range's ends) is :mod:`geo.totals`; this is how its
:class:`~geo.totals.Total` is written, on the dashboard and in every export.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from geo.i18n import t, tn
from geo.present.values import figure

if TYPE_CHECKING:
    from geo.totals import Part, Total

__all__ = ["NOT_STATED", "overlap_text", "total_text"]

NOT_STATED: Final = "—"
"""What a total reads when no event states the figure."""


def total_text(value: Total, unit: str = "", *, words: bool = True) -> str:
    """A total as a reader reads it: ``434``, ``≥170``, ``332–434, claims may overlap``.

    Parameters
    ----------
    value : Total
        The total.
    unit : str
        Written after the figure(s), e.g. ``" km²"`` (already translated).
    words : bool
        Add ", claims may overlap" to a range (default); without it the
        range alone (``332–434``) for a place that says so elsewhere.

    Returns
    -------
    str
        Plain text; :data:`NOT_STATED` when no claim states the figure.
    """
    if not value.claims:
        return NOT_STATED
    high = figure(value.high, value.bound)
    if not value.is_range:
        return high + unit
    written = f"{figure(value.low, value.low_bound)}–{high}{unit}"
    return t("{range}, claims may overlap", range=written) if words else written


def _part_text(part: Part, labels: Mapping[str, str] | None) -> str:
    label = (labels or {}).get(part.event_id) or part.label
    return f"{label}: {figure(part.value, part.bound)}"


def overlap_text(value: Total, labels: Mapping[str, str] | None = None) -> str:
    """Which claims may overlap, in words: ``""`` when none may.

    Parameters
    ----------
    value : Total
        The total.
    labels : mapping, optional
        ``event_id`` → how to name its claim (e.g. the claimant, from
        :func:`figure_claimants`); by default the event's title.

    Returns
    -------
    str
        Plain text (escape it before it goes into HTML or Markdown), e.g.
        "These claims may count the same things (same regions, same days):
        Governor of Bryansk Oblast: 229 · Russian Ministry of Defence: 102. …".
    """
    if not value.is_range or not value.groups:
        return ""
    written = []
    for group in value.groups:
        text = " · ".join(_part_text(p, labels) for p in group.parts)
        if group.size > len(group.parts):
            text += " · " + tn("{n} more", "{n} more", group.size - len(group.parts))
        written.append(text)
    out = t(
        "These claims may count the same things (same regions, same days): {groups}. The range runs from the "
        "largest sum of claims that cannot overlap to the sum of all.",
        groups="; ".join(written),
    )
    more = value.n_groups - len(value.groups)
    if more > 0:
        out += " " + tn("{n} more group of claims may overlap.", "{n} more groups of claims may overlap.", more)
    return out
