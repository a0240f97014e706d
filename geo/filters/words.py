"""A filter in words, for captions and briefings, and the region names a filter offers.

Every word goes through :mod:`geo.present` (dates, region, country and layer
names, statuses, descriptor values) and :mod:`geo.i18n` (the rest), so a
filter reads the same as the rest of the interface in any language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Final

import shapely

from geo import layers, present, reference, schema, settings
from geo.filters import _area
from geo.i18n import t, tn, using

if TYPE_CHECKING:
    from geo.filters.value import Filter

__all__ = ["COUNTRIES", "describe", "describe_area", "describe_dates", "describe_regions", "regions_by_country"]

COUNTRIES: Final = ("UA", "RU", "BY")
"""Countries whose regions a filter offers, in the order they are offered (ISO 3166-1 alpha-2)."""
_MAX_REGIONS_IN_WORDS: Final = 6
_SEPARATOR: Final = " · "


def describe(flt: Filter, lang: str | None = None) -> str:
    """Say what a filter keeps, for captions and briefings.

    Parameters
    ----------
    flt : Filter
        The filter.
    lang : str, optional
        Language (default: the current one).

    Returns
    -------
    str
        Parts joined by ``" · "`` in a fixed order: dates (with what they
        are matched against: ``events``, ``statements`` or ``events or
        statements``), regions, area, layers, statuses, parties, weapons,
        target types, datasets, e.g. ``"events or statements 15–16 Feb 2026
        · Bryansk Oblast, Kursk Oblast · strikes · disputed"``; ``"all
        events"`` for the empty filter.
    """
    with using(lang):
        parts = [text for part in _PARTS if (text := part(flt))]
        return _SEPARATOR.join(parts) if parts else t("all events")


def describe_dates(start: dt.date | None, end: dt.date | None, lang: str | None = None) -> str:
    """Say a date range briefly, as captions write it (:func:`geo.present.date_range`).

    Parameters
    ----------
    start, end : date or None
        First and last day (inclusive); either may be open.
    lang : str, optional
        Language (default: the current one).

    Returns
    -------
    str
        The range as :func:`geo.present.date_range` writes it (``"15–16 Feb 2026"``).
    """
    with using(lang):
        return present.date_range(start, end)


def describe_regions(codes: Sequence[str], lang: str | None = None) -> str:
    """Say a set of regions briefly: a preset's name, or their names (the first few and a count).

    Parameters
    ----------
    codes : sequence of str
        ISO 3166-2 codes, sorted (as a :class:`Filter` holds them).
    lang : str, optional
        Language (default: the current one).

    Returns
    -------
    str
        ``"Russian border regions"``, ``"Bryansk Oblast, Kursk Oblast"``,
        ``"Cherkasy Oblast, …, Kirovohrad Oblast and 2 more regions"``.
    """
    codes = tuple(codes)
    with using(lang):
        for name, preset in reference.PRESETS.items():
            if tuple(sorted(preset)) == codes:
                return t(name)
        names = sorted(present.region_name(c) for c in codes)
        if len(names) <= _MAX_REGIONS_IN_WORDS:
            return ", ".join(names)
        shown = _MAX_REGIONS_IN_WORDS - 1
        more = len(names) - shown
        return tn("{names} and {n} more region", "{names} and {n} more regions", more, names=", ".join(names[:shown]))


def describe_area(wkt: str, lang: str | None = None) -> str:
    """Say an area drawn on the map: a rectangle by its bounds, any other shape as "drawn area".

    Parameters
    ----------
    wkt : str
        The area (a :class:`Filter`'s ``area``).
    lang : str, optional
        Language (default: the current one).

    Returns
    -------
    str
        ``"area 36°E–36.4°E, 47.5°N–47.8°N"`` or ``"drawn area"``.
    """
    geom = shapely.from_wkt(wkt)
    with using(lang):
        if not _area.is_rectangle(geom):
            return t("drawn area")
        minx, miny, maxx, maxy = geom.bounds
        lons = f"{_longitude(minx)}–{_longitude(maxx)}"
        lats = f"{_latitude(miny)}–{_latitude(maxy)}"
        return t("area {longitudes}, {latitudes}", longitudes=lons, latitudes=lats)


def _longitude(value: float) -> str:
    degrees = f"{abs(value):g}"
    return t("{degrees}°E", degrees=degrees) if value >= 0 else t("{degrees}°W", degrees=degrees)


def _latitude(value: float) -> str:
    degrees = f"{abs(value):g}"
    return t("{degrees}°N", degrees=degrees) if value >= 0 else t("{degrees}°S", degrees=degrees)


def regions_by_country(lang: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """Regions grouped by country, for a grouped multiselect.

    Parameters
    ----------
    lang : str, optional
        Language of the country and region names (default: the current one).

    Returns
    -------
    dict of str to list of (str, str)
        ``{"Ukraine": [("UA-71", "Cherkasy Oblast"), …], "Russia": […],
        "Belarus": […]}``: country name → (ISO 3166-2 code, region name)
        sorted by name (:func:`geo.present.region_name`). A new dict each call.
    """
    codes = _region_codes(str(settings.get().reference_dir))
    out: dict[str, list[tuple[str, str]]] = {}
    with using(lang):
        for country in COUNTRIES:
            rows = [(code, present.region_name(code)) for code in codes if code.startswith(country + "-")]
            out[present.country_name(country)] = sorted(rows, key=lambda row: (row[1].casefold(), row[0]))
    return out


@lru_cache(maxsize=4)
def _region_codes(reference_dir: str) -> tuple[str, ...]:
    """ISO 3166-2 codes of the bundled regions (cached per reference folder)."""
    return tuple(str(code) for code in reference.load_admin1(simplified=True)["iso_3166_2"])


# -- the parts of a description, in order ----------------------------------------------------------------


def _either(values: Sequence[str]) -> str:
    """``"a or b or c"``."""
    text = values[0]
    for value in values[1:]:
        text = t("{first} or {second}", first=text, second=value)
    return text


def _dates_part(flt: Filter) -> str:
    """The dates and what they are matched against: ``"events or statements 15–16 Feb 2026"``."""
    if not (flt.date_from or flt.date_to):
        return ""
    dates = present.date_range(flt.date_from, flt.date_to)
    if flt.by == "event":
        return t("events {dates}", dates=dates)
    if flt.by == "statement":
        return t("statements {dates}", dates=dates)
    return t("events or statements {dates}", dates=dates)


def _regions_part(flt: Filter) -> str:
    return describe_regions(flt.regions) if flt.regions else ""


def _area_part(flt: Filter) -> str:
    return describe_area(flt.area) if flt.area else ""


def _layers_part(flt: Filter) -> str:
    return ", ".join(present.layer_word(v) for v in present.in_order(flt.layers, layers.names()))


def _statuses_part(flt: Filter) -> str:
    if not flt.statuses:
        return ""
    return _either([present.status_label(s) for s in present.in_order(flt.statuses, schema.STATUSES)])


def _party_order() -> tuple[str, ...]:
    """Parties as a description lists them: the sides and others first, independent sources last."""
    return (*(p for p in schema.PARTIES if p != "independent"), "independent")


def _parties_part(flt: Filter) -> str:
    if not flt.parties:
        return ""
    ordered = present.in_order(flt.parties, _party_order())
    names = [t("independent sources") if p == "independent" else p for p in ordered]
    return t("claims by {parties}", parties=_either(names))


def _weapons_part(flt: Filter) -> str:
    if not flt.weapons:
        return ""
    names = ", ".join(present.value_label("weapon", v) for v in present.in_order(flt.weapons, schema.WEAPONS))
    return t("weapon: {weapons}", weapons=names)


def _targets_part(flt: Filter) -> str:
    if not flt.target_types:
        return ""
    order = schema.TARGET_TYPES
    names = ", ".join(present.value_label("target_type", v) for v in present.in_order(flt.target_types, order))
    return t("target: {targets}", targets=names)


def _datasets_part(flt: Filter) -> str:
    if not flt.datasets:
        return ""
    names = ", ".join(flt.datasets)
    return tn("dataset: {names}", "datasets: {names}", len(flt.datasets), names=names)


_PARTS: Final[tuple[Callable[[Filter], str], ...]] = (
    _dates_part,
    _regions_part,
    _area_part,
    _layers_part,
    _statuses_part,
    _parties_part,
    _weapons_part,
    _targets_part,
    _datasets_part,
)
