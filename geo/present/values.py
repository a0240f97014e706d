"""Values as a reader reads them: escaped text, safe links, numbers, claimed figures with their bounds."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlparse

import pandas as pd

from geo.i18n import N_, t

__all__ = [
    "BOUND_SIGNS",
    "escape",
    "figure",
    "figure_history",
    "figure_label",
    "figure_text",
    "link",
    "missing",
    "number",
    "safe_url",
]

BOUND_SIGNS: Final = {"exact": "", "at_least": "≥", "at_most": "≤", "about": "~"}
_FIGURES: Final = {
    "settlements": (N_("settlements"), ""),
    "area_km2": (N_("area"), N_(" km²")),
    "launched": (N_("launched"), ""),
    "intercepted": (N_("intercepted"), ""),
    "hits": (N_("hits"), ""),
    "killed": (N_("killed"), ""),
    "wounded": (N_("wounded"), ""),
    "people_affected": (N_("people affected"), ""),
    "municipalities": (N_("municipalities"), ""),
    "duration_h": (N_("duration"), N_(" h")),
    "round": (N_("round"), ""),
}


def missing(value: object) -> bool:
    """Whether a cell holds nothing (None, NaN, NaT, pd.NA).

    Parameters
    ----------
    value : object
        A cell.

    Returns
    -------
    bool
        True for a missing value.
    """
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def escape(value: object) -> str:
    """HTML-escape a value from data (quotes too); a missing value gives ``""``.

    Parameters
    ----------
    value : object
        Any cell.

    Returns
    -------
    str
        Safe to put in HTML text or an attribute.
    """
    return "" if missing(value) else html.escape(str(value), quote=True)


def safe_url(url: object) -> str | None:
    """The address if it may become a link: http(s) with a host; otherwise None.

    Parameters
    ----------
    url : object
        An address from data.

    Returns
    -------
    str or None
        The stripped address, or None (``javascript:``, ``data:``, relative, hostless…).
    """
    if missing(url):
        return None
    text = str(url).strip()
    try:
        parsed = urlparse(text)
    except ValueError:
        return None
    if parsed.scheme.lower() in ("http", "https") and parsed.hostname:
        return text
    return None


def link(url: object, text: object = None) -> str:
    """An HTML link that opens in a new tab, or the escaped text when the address is not safe.

    Parameters
    ----------
    url : object
        The address.
    text : object, optional
        The link text (default: the address's host).

    Returns
    -------
    str
        ``<a href=… target="_blank" rel="noopener noreferrer">text</a>`` or escaped text.
    """
    safe = safe_url(url)
    label = escape(text) or (escape(urlparse(safe).hostname) if safe else "")
    if safe is None:
        return label
    return f'<a href="{escape(safe)}" target="_blank" rel="noopener noreferrer">{label or escape(t("source"))}</a>'


def number(value: float) -> str:
    """A number as a reader writes it: ``170``, ``1,200``, ``8.4``; ``""`` when missing or not finite.

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    str
        Thousands separated; at most one decimal.
    """
    if missing(value):
        return ""
    value = float(value)
    if not math.isfinite(value):
        return ""
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def figure(value: float | None, bound: object = None) -> str:
    """A claimed figure with its bound: ``≥170``, ``~3``, ``≤5``, ``229``; ``""`` when missing.

    Parameters
    ----------
    value : float or None
        The figure.
    bound : str, optional
        One of :data:`geo.schema.BOUNDS` (default exact).

    Returns
    -------
    str
        The figure as the claimant stated it.
    """
    if missing(value):
        return ""
    sign = "" if missing(bound) else BOUND_SIGNS.get(str(bound), "")
    return sign + number(float(value))  # type: ignore[arg-type]


def figure_history(values: Iterable[tuple[float | None, object]]) -> str:
    """A claimant's figures in the order stated: ``120 → ≥170 → 229`` (repeats kept once in a row).

    Parameters
    ----------
    values : iterable of (value, bound)
        Figures, oldest first.

    Returns
    -------
    str
        The history.
    """
    parts: list[str] = []
    for value, bound in values:
        text = figure(value, bound)
        if text and (not parts or parts[-1] != text):
            parts.append(text)
    return " → ".join(parts)


def figure_label(name: str) -> str:
    """A figure's name as a reader says it ("people affected").

    Parameters
    ----------
    name : str
        A figure of :data:`geo.schema.CLAIM_FIGURES`.

    Returns
    -------
    str
        Its label.
    """
    label, _unit = _FIGURES.get(name, (name.replace("_", " "), ""))
    return t(label)


def figure_text(name: str, value: float | None, bound: object = None) -> str:
    """A figure with its name and unit: ``"intercepted ≥170"``, ``"area 200 km²"``; ``""`` when missing.

    Parameters
    ----------
    name : str
        The figure.
    value : float or None
        Its value.
    bound : str, optional
        Its bound.

    Returns
    -------
    str
        The text.
    """
    written = figure(value, bound)
    if not written:
        return ""
    _label, unit = _FIGURES.get(name, ("", ""))
    return f"{figure_label(name)} {written}{t(unit) if unit else ''}"
