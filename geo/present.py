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
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final
from urllib.parse import urlparse

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import layers, schema
from geo.i18n import N_, language, t, tn

__all__ = [
    "BIN_UNITS",
    "BOUND_SIGNS",
    "MONTHS",
    "bin_label",
    "bin_ordinals",
    "bin_starts",
    "choose_bin",
    "column_label",
    "count",
    "date_range",
    "day",
    "escape",
    "figure",
    "figure_history",
    "figure_label",
    "figure_text",
    "iso_date",
    "layer_label",
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
    "when",
]

BOUND_SIGNS: Final = {"exact": "", "at_least": "≥", "at_most": "≤", "about": "~"}
MONTHS: Final = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)
BIN_UNITS: Final = ("day", "week", "month", "year")
DAILY_MAX_DAYS: Final = 180
"""Longest span a timeline shows day by day; longer spans are binned by week or coarser."""

_STATUS: Final = {
    "claimed": (N_("claimed"), N_("claimed (one side asserts)")),
    "disputed": (N_("disputed"), N_("disputed (the other side denies)")),
    "confirmed": (N_("confirmed"), N_("confirmed (corroborated or conceded)")),
    "retracted": (N_("retracted"), N_("retracted")),
    "contested": (N_("contested"), N_("contested (fighting reported)")),
}
_PRECISION: Final = {
    "exact": N_("exact location"),
    "near": N_("approximate location (near)"),
    "admin2": N_("located to a district"),
    "admin1": N_("located only to the region"),
    "country": N_("located only to the country"),
    "unknown": N_("location unknown"),
}
_STANCE: Final = {
    "asserts": N_("asserts"),
    "revises": N_("revises"),
    "denies": N_("denies"),
    "retracts": N_("retracts"),
    "corroborates": N_("corroborates"),
    "reports_fighting": N_("reports fighting"),
}
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
_COLUMNS: Final = {
    "weapon": N_("weapon"),
    "target_type": N_("target"),
    "impact_type": N_("impact"),
    "side": N_("side"),
    "status": N_("status"),
    "party": N_("party"),
}
_VALUES: Final = (
    *(N_("drone"), N_("missile"), N_("glide bomb"), N_("artillery"), N_("air"), N_("mixed"), N_("unknown")),
    *(N_("energy"), N_("military"), N_("industrial"), N_("residential"), N_("transport"), N_("other")),
    *(N_("power"), N_("heating"), N_("water"), N_("evacuation"), N_("casualties"), N_("damage")),
)
"""Descriptor values (weapons, target and impact types) as messages, for the catalog."""
_COUNTRIES: Final = {"UA": N_("Ukraine"), "RU": N_("Russia"), "BY": N_("Belarus")}


# --- values ------------------------------------------------------------------------------------------------------


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


# --- dates ---------------------------------------------------------------------------------------------------------


def _as_date(value: object) -> dt.date | None:
    if missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def iso_date(value: object) -> str:
    """``2026-02-15``; ``""`` when missing.

    Parameters
    ----------
    value : object
        A date, datetime, Timestamp or date string.

    Returns
    -------
    str
        ISO date.
    """
    day_ = _as_date(value)
    return "" if day_ is None else day_.isoformat()


def day(value: object, *, month: bool = True, year: bool = True) -> str:
    """A day as a briefing writes it: ``15 Feb 2026`` (month names translated).

    Parameters
    ----------
    value : object
        The day.
    month, year : bool
        Write the month, the year.

    Returns
    -------
    str
        The day; ``""`` when missing.
    """
    d = _as_date(value)
    if d is None:
        return ""
    text = str(d.day)
    if month:
        text += f" {t(MONTHS[d.month - 1])}"
    if year:
        text += f" {d.year}"
    return text


def date_range(start: object, end: object) -> str:
    """A range of days, briefly: ``15–16 Feb 2026``, ``28 Jan – 3 Feb 2026``, ``from 15 Feb 2026``.

    Parameters
    ----------
    start, end : object
        First and last day (inclusive); either may be missing (open).

    Returns
    -------
    str
        ``"15 Feb 2026"``, ``"15–16 Feb 2026"``, ``"28 Jan – 3 Feb 2026"``,
        ``"28 Dec 2025 – 3 Jan 2026"``, ``"from 15 Feb 2026"``,
        ``"until 16 Feb 2026"``; ``""`` when both are open.
    """
    first, last = _as_date(start), _as_date(end)
    if first is None or last is None:
        if last is not None:
            return t("until {day}", day=day(last))
        return t("from {day}", day=day(first)) if first is not None else ""
    if first == last:
        return day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day(last)}"
    if first.year == last.year:
        return f"{day(first, year=False)} – {day(last)}"
    return f"{day(first)} – {day(last)}"


def when(start: object, end: object, precision: object = "day") -> str:
    """When an event happened, with its precision: ``2026-02-15 – 2026-02-16 (week)``.

    Parameters
    ----------
    start, end : object
        First and last day.
    precision : str, optional
        One of :data:`geo.schema.TIME_PRECISIONS`.

    Returns
    -------
    str
        ISO days; a week or month precision is said.
    """
    first, last = iso_date(start), iso_date(end)
    text = first if not last or last == first else f"{first} – {last}"
    if precision in ("week", "month"):
        text += f" ({t(str(precision))})"
    return text


def stated(value: object, precision: object = "day") -> str:
    """When a claim was stated, as precisely as it was recorded.

    Parameters
    ----------
    value : object
        ``stated_at``.
    precision : str, optional
        One of :data:`geo.schema.STATED_PRECISIONS`.

    Returns
    -------
    str
        ``2026-02-16 09:00``, ``2026-02-16 ~12:00`` (part of day), ``by 2026-02-07``
        (week), ``2026-02-15 (event date)``, ``2026-02-15``.
    """
    if missing(value):
        return ""
    ts = pd.Timestamp(value)  # type: ignore[arg-type]
    date = ts.strftime("%Y-%m-%d")
    match precision:
        case "minute" | "hour":
            return f"{date} {ts:%H:%M}"
        case "part_of_day":
            return f"{date} ~{ts:%H:%M}"
        case "week":
            return t("by {day}", day=date)
        case "event_date":
            return t("{day} (event date)", day=date)
        case _:
            return date


# --- places --------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _region_names(reference_dir: str, lang: str) -> dict[str, str]:
    from geo import reference

    admin1 = reference.load_admin1(simplified=True)
    names: dict[str, str] = {}
    column = f"name_{lang}" if f"name_{lang}" in admin1.columns else "name_en"
    for code, name, en, kind in zip(
        admin1["iso_3166_2"], admin1[column], admin1["name_en"], admin1["type_en"], strict=True
    ):
        label = str(name) if isinstance(name, str) and name.strip() else str(en)
        if column == "name_en" and kind == "Region" and not label.endswith(("Oblast", "Region")):
            label += " Region" if code.startswith("BY-") else " Oblast"
        names[code] = label
    return names


def region_name(code: str, lang: str | None = None) -> str:
    """A region's name as a briefing writes it: ``Bryansk Oblast``, ``Kyiv`` (the city); the code if unknown.

    Parameters
    ----------
    code : str
        ISO 3166-2 code.
    lang : str, optional
        Language (default: the current one); names come from the reference
        data (English, Ukrainian, Russian), English for any other language.

    Returns
    -------
    str
        The name.
    """
    from geo import settings

    lang = lang or language()
    key = str(code).strip().upper()
    return _region_names(str(settings.get().reference_dir), lang).get(key) or key


def region_label(codes: object, *, with_code: bool = True, lang: str | None = None) -> str:
    """Names of the regions of a (multi-valued) ``admin1`` cell: ``Zaporizhzhia Oblast (UA-23); …``.

    Parameters
    ----------
    codes : object
        One code, a ``;``-joined cell or a sequence of codes.
    with_code : bool
        Add each code in brackets.
    lang : str, optional
        Language.

    Returns
    -------
    str
        Plain text (escape it for HTML); ``""`` for a missing cell.
    """
    parts = list(codes) if isinstance(codes, (list, tuple)) else schema.split_multi(codes)
    names = [region_name(c, lang) for c in parts]
    if with_code:
        return "; ".join(f"{n} ({c})" if n != c else c for n, c in zip(names, parts, strict=True))
    return ", ".join(names)


def country_name(code: str) -> str:
    """A country's name from its ISO 3166-1 alpha-2 code (``UA`` → Ukraine).

    Parameters
    ----------
    code : str
        The code.

    Returns
    -------
    str
        The name, translated; the code when unknown.
    """
    name = _COUNTRIES.get(str(code).upper())
    return t(name) if name else str(code)


# --- layers, statuses ------------------------------------------------------------------------------------------


def layer_label(name: str) -> str:
    """A layer's name ("Claimed captures"), translated; the name itself for an unknown layer.

    Parameters
    ----------
    name : str
        Layer name.

    Returns
    -------
    str
        Its label.
    """
    spec = layers.get(name, None)
    return t(spec.label) if spec else str(name)


def layer_word(name: str) -> str:
    """A layer as a filter in words names it ("captures").

    Parameters
    ----------
    name : str
        Layer name.

    Returns
    -------
    str
        Its word.
    """
    spec = layers.get(name, None)
    return t(spec.word) if spec else str(name)


def count(n: float, layer: str | None = None, *, noun: tuple[str, str] | None = None) -> str:
    """A count with its noun: ``3 capture claims``, ``1 strike``, ``1,204 events``.

    Parameters
    ----------
    n : float
        The count.
    layer : str, optional
        Layer whose nouns to use (default "event"/"events").
    noun : (str, str), optional
        Singular and plural noun instead.

    Returns
    -------
    str
        The count and noun, in the plural form the language takes.
    """
    spec = layers.get(layer, None) if layer else None
    singular, plural = noun or ((spec.noun, spec.nouns) if spec else ("event", "events"))
    return tn("{n} " + singular, "{n} " + plural, n)


def status_label(status: object, *, long: bool = False) -> str:
    """A status as the legend writes it: ``disputed`` or ``disputed (the other side denies)``.

    Parameters
    ----------
    status : object
        One of :data:`geo.schema.STATUSES`.
    long : bool
        Add what it means.

    Returns
    -------
    str
        The label; ``""`` when missing.
    """
    if missing(status):
        return ""
    pair = _STATUS.get(str(status))
    return t(pair[1] if long else pair[0]) if pair else str(status)


def precision_label(precision: object) -> str:
    """How precisely an event is located ("located only to the region").

    Parameters
    ----------
    precision : object
        One of :data:`geo.schema.GEO_PRECISIONS`.

    Returns
    -------
    str
        The label; ``""`` when missing.
    """
    if missing(precision):
        return ""
    label = _PRECISION.get(str(precision))
    return t(label) if label else str(precision)


def stance_label(stance: object) -> str:
    """A claim's stance ("reports fighting").

    Parameters
    ----------
    stance : object
        One of :data:`geo.schema.STANCES`.

    Returns
    -------
    str
        The label; ``""`` when missing.
    """
    if missing(stance):
        return ""
    label = _STANCE.get(str(stance))
    return t(label) if label else str(stance).replace("_", " ")


def column_label(column: str) -> str:
    """An event column as a reader names it: ``target`` for ``target_type`` (translated).

    Parameters
    ----------
    column : str
        The column.

    Returns
    -------
    str
        Its label.
    """
    label = _COLUMNS.get(column)
    return t(label) if label else column.removesuffix("_type").replace("_", " ")


def value_label(column: str, value: object) -> str:
    """A descriptor value as a reader says it: ``glide bomb`` for ``glide_bomb`` (translated).

    Parameters
    ----------
    column : str
        The event column (``weapon``, ``target_type``…), for context.
    value : object
        Its value.

    Returns
    -------
    str
        The label; ``""`` when missing.
    """
    if missing(value):
        return ""
    return t(str(value).replace("_", " "))


# --- timeline binning ----------------------------------------------------------------------------------------------


def bin_ordinals(days: npt.NDArray[np.int64], unit: str) -> npt.NDArray[np.int64]:
    """Bin number of each day (days since 1970-01-01) for a unit; weeks start on Monday.

    Parameters
    ----------
    days : ndarray of int64
        Days since the epoch.
    unit : {"day", "week", "month", "year"}
        The bin.

    Returns
    -------
    ndarray of int64
        Bin numbers (consecutive bins differ by 1).
    """
    days = np.asarray(days, dtype=np.int64)
    if unit == "day":
        return days
    if unit == "week":
        return (days + 3) // 7  # 1970-01-05 (day 4) is a Monday: week 1 starts there
    as_day = days.astype("datetime64[D]")
    return as_day.astype(f"datetime64[{'M' if unit == 'month' else 'Y'}]").astype(np.int64)


def bin_starts(ordinals: npt.NDArray[np.int64], unit: str) -> npt.NDArray[np.datetime64]:
    """First day of each bin number (inverse of :func:`bin_ordinals`).

    Parameters
    ----------
    ordinals : ndarray of int64
        Bin numbers.
    unit : {"day", "week", "month", "year"}
        The bin.

    Returns
    -------
    ndarray of datetime64[D]
        First days.
    """
    ordinals = np.asarray(ordinals, dtype=np.int64)
    if unit == "day":
        return ordinals.astype("datetime64[D]")
    if unit == "week":
        return (ordinals * 7 - 3).astype("datetime64[D]")
    return ordinals.astype(f"datetime64[{'M' if unit == 'month' else 'Y'}]").astype("datetime64[D]")


def choose_bin(days: npt.NDArray[np.int64], series: int = 1, max_rows: int = 5000) -> str:
    """The finest bin that keeps a timeline readable: day up to :data:`DAILY_MAX_DAYS`, then week, month, year.

    Parameters
    ----------
    days : ndarray of int64
        Days since the epoch of what is counted (not empty).
    series : int
        Series stacked per bin (layers); bins × series stays within ``max_rows``.
    max_rows : int
        Most rows the chart may have.

    Returns
    -------
    str
        One of :data:`BIN_UNITS`.
    """
    days = np.asarray(days, dtype=np.int64)
    if days.size == 0:
        return "day"
    span = int(days.max() - days.min())
    for unit in BIN_UNITS:
        if unit == "day" and span > DAILY_MAX_DAYS:
            continue
        ordinal = bin_ordinals(days, unit)
        if (int(ordinal.max() - ordinal.min()) + 1) * max(series, 1) <= max_rows:
            return unit
    return "year"


def bin_label(start: object, unit: str) -> str:
    """A bin as a reader names it: ``15 Feb 2026``, ``week of 9 Feb 2026``, ``Feb 2026``, ``2026``.

    Parameters
    ----------
    start : object
        First day of the bin.
    unit : {"day", "week", "month", "year"}
        The bin.

    Returns
    -------
    str
        Its label.
    """
    d = _as_date(start)
    if d is None:
        return ""
    if unit == "week":
        return t("week of {day}", day=day(d))
    if unit == "month":
        return f"{t(MONTHS[d.month - 1])} {d.year}"
    if unit == "year":
        return str(d.year)
    return day(d)


def in_order(values: Sequence[str], order: Sequence[str]) -> list[str]:
    """Values sorted by their place in ``order`` (others after, alphabetically).

    Parameters
    ----------
    values : sequence of str
        The values.
    order : sequence of str
        The order.

    Returns
    -------
    list of str
        Sorted values.
    """
    rank = {v: i for i, v in enumerate(order)}
    return sorted(values, key=lambda v: (rank.get(v, len(order)), v))
