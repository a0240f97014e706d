"""What the analyst asked to see: one :class:`Filter`, applied to folded events.

A :class:`Filter` is a frozen, hashable value (a cache key for the dashboard)
holding a date range, regions (ISO 3166-2 codes), an area drawn on the map
(WKT in EPSG:4326) and the categories to keep. Every way of making one
validates and normalises it: lists become sorted tuples without duplicates,
``"2026-02-15"`` becomes a date, ``"Запорізька область"`` becomes ``"UA-23"``,
and everything wrong is reported at once in one
:class:`~geo.errors.ValidationError`.

The same filter travels as URL query parameters and command-line flags, with
the same names (:data:`PARAMS`)::

    ?from=2026-02-15&to=2026-02-16&region=RU-BRY&layer=strike&status=disputed
    python -m geo export --from 2026-02-15 --to 2026-02-16 --region RU-BRY ...

:func:`apply` keeps the events that match, vectorised over the whole frame
(no Python per row). Matching rules, field by field:

dates
    Overlap: an event is kept when ``time_start <= to`` and ``time_end >= from``
    (both bounds inclusive, whole days).
regions
    Any of the event's ``admin1`` codes (multi-valued, ``"RU-BRY;RU-KLU"``) is
    selected. An event with no ``admin1`` (country- or front-level, such as
    an aggregate claim for "all directions") never matches a region filter.
area
    An event with a geometry matches when its geometry intersects the area
    (a point on the edge counts as inside). An event without a geometry
    (located to a region only) matches when one of its ``admin1`` regions
    intersects the area. An event with neither never matches.
layers, statuses, datasets
    Membership. Events with no claims have no status and match no status
    filter.
parties
    Any of the parties that made a claim about the event (the folded
    ``parties`` column) is selected – a side *denying* a capture counts, so
    ``party=UA`` finds Russian claims that Ukraine disputes.
weapons, target types
    Only restrict the layer that has them (strikes): selecting ``drone``
    drops strikes by other weapons but keeps captures, outages and talks,
    which have no weapon. To see drone strikes only, add ``layer=strike``.
    A strike with no weapon (target type) recorded matches ``unknown``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
import shapely.errors
from shapely.geometry.base import BaseGeometry

from geo import reference, schema, settings
from geo.errors import GeoError, Problem, ValidationError

__all__ = [
    "PARAMS",
    "PRESETS",
    "Filter",
    "apply",
    "describe_dates",
    "filter_claims",
    "member",
    "regions_by_country",
    "talks_for",
]

PRESETS: Final = reference.PRESETS
"""Named groups of region codes (re-exported from :mod:`geo.reference`)."""

PARAMS: Final[dict[str, str]] = {
    "from": "date_from",
    "to": "date_to",
    "region": "regions",
    "area": "area",
    "layer": "layers",
    "party": "parties",
    "status": "statuses",
    "weapon": "weapons",
    "target": "target_types",
    "dataset": "datasets",
}
"""URL query parameter (and command-line flag) name → :class:`Filter` field."""

_FIELD_PARAM: Final = {field: param for param, field in PARAMS.items()}
_SINGLE: Final = ("from", "to", "area")
_VOCABULARIES: Final[dict[str, tuple[str, ...]]] = {
    "layers": schema.LAYERS,
    "parties": schema.PARTIES,
    "statuses": schema.STATUSES,
    "weapons": schema.WEAPONS,
    "target_types": schema.TARGET_TYPES,
}
_WHAT: Final = {
    "layers": "layer",
    "parties": "party",
    "statuses": "status",
    "weapons": "weapon",
    "target_types": "target type",
}
_STRIKE_ONLY: Final = {"weapons": "weapon", "target_types": "target_type"}
"""Filter field → event column that only the strike layer has."""
_LAYER_WORDS: Final = {"capture": "captures", "strike": "strikes", "impact": "impacts", "talks": "talks"}
_COUNTRY_NAMES: Final = {"UA": "Ukraine", "RU": "Russia", "BY": "Belarus"}
_SPLIT: Final = re.compile(r"[-\s]+")
_WKT_PRECISION: Final = 6
"""Decimal places an area's coordinates are kept to (about 0.1 m)."""
_MAX_REGIONS_IN_WORDS: Final = 6

DateLike = dt.date | dt.datetime | pd.Timestamp | np.datetime64 | str
ArrayLike = npt.NDArray[np.object_] | pd.api.extensions.ExtensionArray


@dataclass(frozen=True)
class Filter:
    """Which events to show.

    Every field is optional; an empty tuple (or ``None``) means "no
    restriction". Constructing a filter validates and normalises it (see
    :meth:`create`), so two filters that select the same thing compare and
    hash equal.

    Parameters
    ----------
    date_from, date_to : date or None
        Keep events overlapping ``[date_from, date_to]`` (inclusive).
    regions : tuple of str
        ISO 3166-2 codes, sorted and unique.
    area : str or None
        Area drawn on the map: a (multi)polygon as WKT in EPSG:4326, in a
        canonical form (an axis-aligned rectangle as ``shapely.box`` writes
        it, coordinates rounded to 6 decimals).
    layers, parties, statuses, weapons, target_types : tuple of str
        Values from :data:`geo.schema.LAYERS`, ``PARTIES``, ``STATUSES``,
        ``WEAPONS`` and ``TARGET_TYPES``, sorted and unique.
    datasets : tuple of str
        Dataset names, sorted and unique.

    Raises
    ------
    ValidationError
        Every bad value at once, each :class:`~geo.errors.Problem` naming the
        query parameter (``column``) and the value.

    Examples
    --------
    >>> f = Filter.create(date_from="2026-02-15", date_to="2026-02-16", regions=["Bryansk"])  # doctest: +SKIP
    >>> f.to_query()  # doctest: +SKIP
    {'from': '2026-02-15', 'to': '2026-02-16', 'region': ['RU-BRY']}
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    regions: tuple[str, ...] = ()
    area: str | None = None
    layers: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    target_types: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        values: dict[str, Any] = {
            "date_from": _date(self.date_from, "from", problems),
            "date_to": _date(self.date_to, "to", problems),
            "regions": _regions(self.regions, problems),
            "area": _area(self.area, problems),
            "datasets": _datasets(self.datasets, problems),
        }
        for field, vocabulary in _VOCABULARIES.items():
            values[field] = _choices(getattr(self, field), field, vocabulary, problems)
        start, end = values["date_from"], values["date_to"]
        if start is not None and end is not None and start > end:
            problems.append(
                Problem(f"from {start:%Y-%m-%d} is after to {end:%Y-%m-%d}", column="from", fix="swap the dates")
            )
        if problems:
            raise ValidationError(_in_param_order(problems), context="filter")
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @classmethod
    def create(
        cls,
        *,
        date_from: DateLike | None = None,
        date_to: DateLike | None = None,
        regions: str | Iterable[str] = (),
        area: str | BaseGeometry | Sequence[float] | None = None,
        layers: str | Iterable[str] = (),
        parties: str | Iterable[str] = (),
        statuses: str | Iterable[str] = (),
        weapons: str | Iterable[str] = (),
        target_types: str | Iterable[str] = (),
        datasets: str | Iterable[str] = (),
    ) -> Filter:
        """Make a filter from loosely typed values, validating all of them.

        Parameters
        ----------
        date_from, date_to : date, datetime, Timestamp, str or None
            ``"YYYY-MM-DD"`` strings are accepted; a datetime keeps its day.
        regions : str or iterable of str
            ISO 3166-2 codes or region names in English, Ukrainian or Russian
            (``"Zaporizhzhia"``, ``"Запорізька область"``, ``"ua-23"``), or the
            name of a preset in :data:`PRESETS` (``"Russian border regions"``),
            which stands for all of its regions.
        area : str, shapely geometry, 4 numbers or None
            A polygon as WKT or geometry, or a rectangle as
            ``(minx, miny, maxx, maxy)`` or ``"minx,miny,maxx,maxy"``.
        layers, parties, statuses, weapons, target_types : str or iterable of str
            Values of the vocabularies in :mod:`geo.schema`; case, spaces and
            hyphens do not matter (``"Glide bomb"`` is ``glide_bomb``) and a
            layer may be named in the plural (``"strikes"``).
        datasets : str or iterable of str
            Dataset names.

        Returns
        -------
        Filter
            The normalised filter.

        Raises
        ------
        ValidationError
            Every bad value at once.
        """
        return cls(
            date_from=date_from,  # type: ignore[arg-type]  # normalised by __post_init__
            date_to=date_to,  # type: ignore[arg-type]
            regions=regions,  # type: ignore[arg-type]
            area=area,  # type: ignore[arg-type]
            layers=layers,  # type: ignore[arg-type]
            parties=parties,  # type: ignore[arg-type]
            statuses=statuses,  # type: ignore[arg-type]
            weapons=weapons,  # type: ignore[arg-type]
            target_types=target_types,  # type: ignore[arg-type]
            datasets=datasets,  # type: ignore[arg-type]
        )

    # -- state ------------------------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        """Whether the filter keeps every event."""
        return self == Filter()

    def replace(self, **changes: Any) -> Filter:
        """Return a copy with some fields changed (validated like :meth:`create`).

        Parameters
        ----------
        **changes
            Field names and new values.

        Returns
        -------
        Filter
            The new filter.
        """
        return dataclasses.replace(self, **changes)

    # -- URL query parameters ------------------------------------------------------------------------

    def to_query(self) -> dict[str, str | list[str]]:
        """Return the filter as URL query parameters (also the command-line flag names).

        Returns
        -------
        dict
            ``from``/``to`` as ``YYYY-MM-DD``; ``area`` as ``minx,miny,maxx,maxy``
            for a rectangle, else WKT; ``region``, ``layer``, ``party``,
            ``status``, ``weapon``, ``target``, ``dataset`` as lists (repeat the
            key for each value). Empty fields are left out, so the empty filter
            gives ``{}``.
        """
        out: dict[str, str | list[str]] = {}
        for param, field in PARAMS.items():
            value = getattr(self, field)
            if value is None or value == ():
                continue
            if field in ("date_from", "date_to"):
                out[param] = value.isoformat()
            elif field == "area":
                out[param] = _area_param(value)
            else:
                out[param] = list(value)
        return out

    def to_url(self, base: str = "") -> str:
        """Return a link to the dashboard showing this filter.

        Parameters
        ----------
        base : str
            Address of the dashboard page, e.g. ``"http://localhost:8501/"``.

        Returns
        -------
        str
            ``base`` followed by ``?`` and the encoded :meth:`to_query`
            (``base`` alone for the empty filter).
        """
        query = urlencode(self.to_query(), doseq=True)
        return f"{base}?{query}" if query else base

    @classmethod
    def from_query(cls, params: Mapping[str, str | Sequence[str]], *, strict: bool = False) -> Filter:
        """Make a filter from URL query parameters (the inverse of :meth:`to_query`).

        Parameters
        ----------
        params : mapping of str to str or sequence of str
            Parameter name to one value or several (a repeated key), as
            ``urllib.parse.parse_qs`` gives them. Streamlit's
            ``st.query_params`` can be passed as it is: a mapping with a
            ``get_all(key)`` method is read through it, so repeated keys are
            not lost. Multi-valued parameters also accept comma-separated values
            (``layer=strike,impact``). ``area`` is WKT or
            ``minx,miny,maxx,maxy``. Empty values are ignored.
        strict : bool, default False
            Also report parameters this filter does not know (by default they
            are ignored, since a dashboard link carries other parameters too).

        Returns
        -------
        Filter
            The filter.

        Raises
        ------
        ValidationError
            Every bad parameter and value at once.
        """
        problems: list[Problem] = []
        kwargs: dict[str, Any] = {}
        get_all = getattr(params, "get_all", None)
        for key in list(params):
            raw = get_all(key) if callable(get_all) else params[key]
            param = str(key).strip().lower()
            values = [raw] if isinstance(raw, str) else list(raw)
            if param not in PARAMS:
                if strict:
                    problems.append(
                        Problem(
                            f"unknown parameter {key!r}",
                            column=key,
                            fix=f"use {', '.join(PARAMS)}",
                        )
                    )
                continue
            if not all(isinstance(v, str) for v in values):
                problems.append(Problem(f"values must be text, got {raw!r}", column=param))
                continue
            values = [v.strip() for v in values if v.strip()]
            if param in _SINGLE:
                if len(values) > 1:
                    problems.append(Problem(f"given {len(values)} times: {values!r}", column=param, fix="give it once"))
                    continue
                if values:
                    kwargs[PARAMS[param]] = values[0]
            else:
                parts = [p.strip() for v in values for p in v.split(",") if p.strip()]
                kwargs[PARAMS[param]] = tuple(parts)
        try:
            flt = cls.create(**kwargs)
        except ValidationError as err:
            problems.extend(err.problems)
        if problems:
            raise ValidationError(_in_param_order(problems), context="filter")
        return flt

    @classmethod
    def from_url(cls, url: str, *, strict: bool = False) -> Filter:
        """Make a filter from a dashboard link (or just its query string).

        Parameters
        ----------
        url : str
            ``"http://host:8501/map?from=2026-02-15&region=RU-BRY"``, or
            ``"?from=…"``, or ``"from=…"``.
        strict : bool, default False
            Report unknown parameters (see :meth:`from_query`).

        Returns
        -------
        Filter
            The filter.

        Raises
        ------
        ValidationError
            Every bad parameter and value at once.
        """
        if not isinstance(url, str):
            raise ValidationError(Problem(f"not a link: {url!r}"), context="filter")
        text = url.strip()
        query = urlsplit(text).query if ("?" in text or "://" in text) else text
        return cls.from_query(parse_qs(query, keep_blank_values=False), strict=strict)

    # -- in words ---------------------------------------------------------------------------------------

    def describe(self) -> str:
        """Say what the filter keeps, for captions and briefings.

        Returns
        -------
        str
            Parts joined by ``" · "`` in a fixed order: dates, regions, area,
            layers, statuses, parties, weapons, target types, datasets, e.g.
            ``"15–16 Feb 2026 · Bryansk Oblast, Kursk Oblast · strikes ·
            disputed"``; ``"all events"`` for the empty filter.
        """
        parts: list[str] = []
        if self.date_from or self.date_to:
            parts.append(describe_dates(self.date_from, self.date_to))
        if self.regions:
            parts.append(_describe_regions(self.regions))
        if self.area:
            parts.append(_describe_area(self.area))
        if self.layers:
            parts.append(", ".join(_LAYER_WORDS[v] for v in _in_order(self.layers, schema.LAYERS)))
        if self.statuses:
            parts.append(" or ".join(_in_order(self.statuses, schema.STATUSES)))
        if self.parties:
            names = [("independent sources" if p == "independent" else p) for p in self.parties]
            parts.append("claims by " + " or ".join(_in_order(tuple(names), (*schema.PARTIES, "independent sources"))))
        if self.weapons:
            parts.append("weapon: " + ", ".join(_words(v) for v in _in_order(self.weapons, schema.WEAPONS)))
        if self.target_types:
            parts.append("target: " + ", ".join(_words(v) for v in _in_order(self.target_types, schema.TARGET_TYPES)))
        if self.datasets:
            parts.append(("dataset: " if len(self.datasets) == 1 else "datasets: ") + ", ".join(self.datasets))
        return " · ".join(parts) if parts else "all events"


# -- normalisation ---------------------------------------------------------------------------------


def _in_param_order(problems: list[Problem]) -> list[Problem]:
    order = {param: i for i, param in enumerate(PARAMS)}
    return sorted(problems, key=lambda p: order.get(p.column or "", len(order)))


def _as_values(value: object, param: str, problems: list[Problem]) -> list[str] | None:
    """One string or an iterable of strings → list; None (after a problem) for anything else."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        items = list(value)
        bad = [v for v in items if not isinstance(v, str)]
        if bad:
            problems.append(Problem(f"values must be text, got {bad[0]!r}", column=param))
            return None
        return items
    problems.append(Problem(f"expected text or a list of text, got {value!r}", column=param))
    return None


def _date(value: object, param: str, problems: list[Problem]) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):  # also pd.Timestamp; before date: a datetime is a date
        if pd.isna(value):
            return None
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, str):
        text = value.strip()
        for parse in (dt.date.fromisoformat, lambda s: dt.datetime.fromisoformat(s).date()):
            try:
                return parse(text)
            except ValueError:
                pass
    problems.append(Problem(f"not a date: {value!r}", column=param, fix="give a date as YYYY-MM-DD"))
    return None


def _key(value: str) -> str:
    return _SPLIT.sub("_", value.strip().lower())


@lru_cache(maxsize=16)
def _vocabulary_index(vocabulary: tuple[str, ...], plurals: bool) -> dict[str, str]:
    index = {_key(v): v for v in vocabulary}
    if plurals:
        index |= {_key(v) + "s": v for v in vocabulary if not v.endswith("s")}
    return index


def _choices(value: object, field: str, vocabulary: tuple[str, ...], problems: list[Problem]) -> tuple[str, ...]:
    param = _FIELD_PARAM[field]
    values = _as_values(value, param, problems)
    if values is None:
        return ()
    index = _vocabulary_index(vocabulary, plurals=field == "layers")
    found: set[str] = set()
    for raw in values:
        if not raw.strip():
            continue
        hit = index.get(_key(raw))
        if hit is None:
            close = difflib.get_close_matches(_key(raw), list(index), n=1, cutoff=0.6)
            hint = f"did you mean {index[close[0]]!r}? " if close else ""
            problems.append(
                Problem(
                    f"unknown {_WHAT[field]} {raw!r}",
                    column=param,
                    fix=f"{hint}use one of: {', '.join(vocabulary)}",
                )
            )
        else:
            found.add(hit)
    return tuple(sorted(found))


def _datasets(value: object, problems: list[Problem]) -> tuple[str, ...]:
    values = _as_values(value, "dataset", problems)
    names = {v.strip() for v in values or () if v.strip()}
    for name in sorted(n for n in names if "," in n):
        problems.append(
            Problem(
                f"dataset name {name!r} contains a comma",
                column="dataset",
                fix="a comma separates values in links and flags: give one name per 'dataset'",
            )
        )
    return tuple(sorted(n for n in names if "," not in n))


@lru_cache(maxsize=1)
def _preset_index() -> dict[str, tuple[str, ...]]:
    return {_key(name): codes for name, codes in reference.PRESETS.items()}


def _regions(value: object, problems: list[Problem]) -> tuple[str, ...]:
    values = _as_values(value, "region", problems)
    found: set[str] = set()
    for raw in values or ():
        if not raw.strip():
            continue
        preset = _preset_index().get(_key(raw))
        if preset is not None:
            found.update(preset)
            continue
        try:
            found.add(reference.lookup_region(raw))
        except GeoError as err:
            problems.append(Problem(str(err), column="region", fix="give an ISO 3166-2 code or a region name"))
    return tuple(sorted(found))


def _parse_bbox(text: str) -> tuple[float, ...] | None:
    parts = text.split(",")
    if len(parts) != 4:
        return None
    try:
        return tuple(float(p) for p in parts)
    except ValueError:
        return None


def _area(value: object, problems: list[Problem]) -> str | None:
    """Validate an area and return its canonical WKT."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    geom: BaseGeometry | None = None
    shown = value if isinstance(value, str) else repr(value)
    if isinstance(value, BaseGeometry):
        geom = value
    elif isinstance(value, str) and (bbox := _parse_bbox(value)) is not None:
        geom = _bbox_geometry(bbox, shown, problems)
        if geom is None:
            return None
    elif isinstance(value, str):
        try:
            geom = shapely.from_wkt(value.strip())
        except shapely.errors.GEOSException as err:
            problems.append(
                Problem(
                    f"not WKT or minx,miny,maxx,maxy: {_clip(shown)} ({err})",
                    column="area",
                    fix="draw the area again, or give 'POLYGON ((lon lat, …))' or 'minx,miny,maxx,maxy'",
                )
            )
            return None
    elif isinstance(value, Sequence) and len(value) == 4 and all(isinstance(v, (int, float)) for v in value):
        geom = _bbox_geometry(tuple(float(v) for v in value), shown, problems)
        if geom is None:
            return None
    else:
        problems.append(Problem(f"expected WKT, a geometry or 4 numbers, got {_clip(shown)}", column="area"))
        return None
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        kind = "an empty geometry" if geom is None or geom.is_empty else f"a {geom.geom_type}"
        problems.append(Problem(f"area must be a polygon, got {kind}: {_clip(shown)}", column="area"))
        return None
    minx, miny, maxx, maxy = geom.bounds
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        problems.append(
            Problem(
                f"area {_clip(shown)} reaches outside [-180, 180] x [-90, 90]",
                column="area",
                fix="give longitude, latitude in degrees (EPSG:4326), longitude first",
            )
        )
        return None
    if not geom.is_valid:
        problems.append(
            Problem(
                f"area is not a valid polygon ({shapely.is_valid_reason(geom)}): {_clip(shown)}",
                column="area",
                fix="draw it again without crossing its own edges",
            )
        )
        return None
    wkt = _canonical_wkt(geom)
    if shapely.from_wkt(wkt).is_empty:
        problems.append(Problem(f"area {_clip(shown)} is too small (under 1e-6 degrees)", column="area"))
        return None
    return wkt


def _bbox_geometry(bbox: tuple[float, ...], shown: str, problems: list[Problem]) -> BaseGeometry | None:
    minx, miny, maxx, maxy = bbox
    if not all(np.isfinite(bbox)) or minx >= maxx or miny >= maxy:
        problems.append(
            Problem(
                f"rectangle {shown!r} is empty or inverted",
                column="area",
                fix="give minx,miny,maxx,maxy with minx < maxx and miny < maxy",
            )
        )
        return None
    return shapely.box(minx, miny, maxx, maxy)


def _clip(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _is_rectangle(geom: BaseGeometry) -> bool:
    if geom.geom_type != "Polygon" or len(geom.interiors):
        return False
    box = shapely.box(*geom.bounds)
    return bool(box.area > 0 and abs(box.area - geom.area) <= 1e-9 * box.area and box.equals(geom))


def _canonical_wkt(geom: BaseGeometry) -> str:
    """One text per area: rounded coordinates, rectangles as ``shapely.box``, rings normalised."""
    rounded = shapely.set_precision(geom, 10.0**-_WKT_PRECISION)
    rounded = shapely.box(*rounded.bounds) if _is_rectangle(rounded) else shapely.normalize(rounded)
    return shapely.to_wkt(rounded, rounding_precision=_WKT_PRECISION, trim=True)


def _number(value: float) -> str:
    text = f"{value:.{_WKT_PRECISION}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _area_param(wkt: str) -> str:
    geom = shapely.from_wkt(wkt)
    if _is_rectangle(geom):
        return ",".join(_number(v) for v in geom.bounds)
    return wkt


# -- in words ----------------------------------------------------------------------------------------


def _in_order(values: tuple[str, ...], order: tuple[str, ...]) -> list[str]:
    rank = {v: i for i, v in enumerate(order)}
    return sorted(values, key=lambda v: (rank.get(v, len(order)), v))


def _words(value: str) -> str:
    return value.replace("_", " ")


def _day(day: dt.date, month: bool = True, year: bool = True) -> str:
    text = str(day.day)
    if month:
        text += f" {day:%b}"
    if year:
        text += f" {day.year}"
    return text


def describe_dates(start: dt.date | None, end: dt.date | None) -> str:
    """Say a date range briefly, as captions write it.

    Parameters
    ----------
    start, end : date or None
        First and last day (inclusive); either may be open.

    Returns
    -------
    str
        ``"15 Feb 2026"``, ``"15–16 Feb 2026"``, ``"28 Jan – 3 Feb 2026"``,
        ``"28 Dec 2025 – 3 Jan 2026"``, ``"from 15 Feb 2026"``,
        ``"until 16 Feb 2026"``; ``""`` when both are open.
    """
    if start is None or end is None:
        return f"until {_day(end)}" if end is not None else f"from {_day(start)}" if start is not None else ""
    if start == end:
        return _day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{_day(end)}"
    if start.year == end.year:
        return f"{_day(start, year=False)} – {_day(end)}"
    return f"{_day(start)} – {_day(end)}"


def _describe_regions(codes: tuple[str, ...]) -> str:
    for name, preset in reference.PRESETS.items():
        if tuple(sorted(preset)) == codes:
            return name
    names = sorted(_region_label(c) for c in codes)
    if len(names) > _MAX_REGIONS_IN_WORDS:
        shown = _MAX_REGIONS_IN_WORDS - 1
        return f"{', '.join(names[:shown])} and {len(names) - shown} more regions"
    return ", ".join(names)


def _describe_area(wkt: str) -> str:
    geom = shapely.from_wkt(wkt)
    if _is_rectangle(geom):
        minx, miny, maxx, maxy = geom.bounds

        def lon(v: float) -> str:
            return f"{abs(v):g}°{'E' if v >= 0 else 'W'}"

        def lat(v: float) -> str:
            return f"{abs(v):g}°{'N' if v >= 0 else 'S'}"

        return f"area {lon(minx)}–{lon(maxx)}, {lat(miny)}–{lat(maxy)}"
    return "drawn area"


@lru_cache(maxsize=4)
def _region_labels(reference_dir: str) -> dict[str, str]:
    admin1 = reference.load_admin1(simplified=True)
    labels = {}
    for code, name, kind in zip(admin1["iso_3166_2"], admin1["name_en"], admin1["type_en"], strict=True):
        label = str(name)
        if kind == "Region" and not label.endswith(("Oblast", "Region")):
            label += " Region" if code.startswith("BY-") else " Oblast"
        labels[code] = label
    return labels


def _region_label(code: str) -> str:
    """English name of a region as a briefing writes it: "Bryansk Oblast", "Kyiv" (the city)."""
    label = _region_labels(str(settings.get().reference_dir)).get(code)
    return label if label is not None else reference.region_name(code)


def regions_by_country() -> dict[str, list[tuple[str, str]]]:
    """Regions grouped by country, for a grouped multiselect.

    Returns
    -------
    dict of str to list of (str, str)
        ``{"Ukraine": [("UA-71", "Cherkasy Oblast"), …], "Russia": […],
        "Belarus": […]}``: (ISO 3166-2 code, English name) sorted by name.
        A new dict each call.
    """
    labels = _region_labels(str(settings.get().reference_dir))
    out: dict[str, list[tuple[str, str]]] = {}
    for prefix, country in _COUNTRY_NAMES.items():
        rows = [(code, name) for code, name in labels.items() if code.startswith(prefix + "-")]
        out[country] = sorted(rows, key=lambda row: (row[1].casefold(), row[0]))
    return out


# -- applying --------------------------------------------------------------------------------------


def _require(events: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in events.columns]
    if missing:
        hint = " (fold the claims in first: geo.claims.fold)" if {"status", "parties"} & set(missing) else ""
        raise ValidationError(
            Problem(f"events have no {', '.join(repr(c) for c in missing)} column{hint}", column=missing[0]),
            context="filter",
        )


def _multi_match(values: ArrayLike, wanted: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Whether any ``;``-separated part of each cell is wanted; one Python step per distinct cell, not per row."""
    wanted = set(wanted)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hits = np.fromiter((bool(wanted.intersection(schema.split_multi(u))) for u in uniques), bool, len(uniques))
    return np.append(hits, False)[codes]  # code -1 (missing) → the appended False


def _isin(values: ArrayLike, wanted: Iterable[str], missing_as: str | None = None) -> npt.NDArray[np.bool_]:
    """Membership through the distinct values (fast on large object columns)."""
    wanted = set(wanted)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hits = np.fromiter((u in wanted for u in uniques), bool, len(uniques))
    return np.append(hits, missing_as is not None and missing_as in wanted)[codes]


@lru_cache(maxsize=32)
def _regions_touching(wkt: str, reference_dir: str) -> frozenset[str]:
    area = shapely.from_wkt(wkt)
    admin1 = reference.load_admin1()
    return frozenset(admin1.loc[admin1.intersects(area), "iso_3166_2"])


def _area_match(geoms: npt.NDArray[np.object_], admin1: ArrayLike | None, wkt: str) -> npt.NDArray[np.bool_]:
    """Area rule on some rows: their geometries (None when unlocated) and ``admin1`` cells."""
    area = shapely.from_wkt(wkt)
    shapely.prepare(area)
    kind = shapely.get_type_id(geoms)  # -1 missing, 0 point
    out = np.zeros(len(geoms), dtype=bool)
    points = np.flatnonzero(kind == 0)
    if points.size:
        x = shapely.get_x(geoms[points])
        y = shapely.get_y(geoms[points])
        minx, miny, maxx, maxy = area.bounds
        near = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        out[points[near]] = shapely.intersects_xy(area, x[near], y[near])
    shapes = np.flatnonzero(kind > 0)
    if shapes.size:
        out[shapes] = shapely.intersects(area, geoms[shapes])
    unlocated = np.flatnonzero(kind < 0)
    if unlocated.size and admin1 is not None:
        touching = _regions_touching(wkt, str(settings.get().reference_dir))
        if touching:
            out[unlocated] = _multi_match(admin1[unlocated], touching)
    return out


def _select(events: pd.DataFrame, flt: Filter) -> npt.NDArray[np.intp]:
    """Positions of the rows a filter keeps, in order.

    Each rule looks only at the rows the rules before it kept (cheap and
    selective rules first), so a narrow date range makes the rest cheap.
    """
    idx = np.arange(len(events))

    def column(name: str) -> ArrayLike:
        return events[name].array[idx]

    def keep(flags: npt.NDArray[np.bool_]) -> None:
        nonlocal idx
        idx = idx[flags]

    needed = [
        *(["time_end"] if flt.date_from else []),
        *(["time_start"] if flt.date_to else []),
        *(["layer"] if flt.layers or flt.weapons or flt.target_types else []),
        *(["dataset"] if flt.datasets else []),
        *(["status"] if flt.statuses else []),
        *[col for field, col in _STRIKE_ONLY.items() if getattr(flt, field)],
        *(["parties"] if flt.parties else []),
        *(["admin1"] if flt.regions else []),
    ]
    _require(events, needed)
    if flt.date_from is not None:
        ends = events["time_end"].to_numpy(dtype="datetime64[ms]")
        keep(ends >= np.datetime64(flt.date_from, "ms"))  # NaT compares False
    if flt.date_to is not None:
        starts = events["time_start"].to_numpy(dtype="datetime64[ms]")[idx]
        keep(starts < np.datetime64(flt.date_to + dt.timedelta(days=1), "ms"))
    if flt.layers:
        keep(_isin(column("layer"), flt.layers))
    if flt.datasets:
        keep(_isin(column("dataset"), flt.datasets))
    if flt.statuses:
        keep(_isin(column("status"), flt.statuses))
    for field, name in _STRIKE_ONLY.items():
        wanted = getattr(flt, field)
        if wanted:
            is_strike = _isin(column("layer"), ("strike",))
            keep(~is_strike | _isin(column(name), wanted, missing_as="unknown"))
    if flt.parties:
        keep(_multi_match(column("parties"), flt.parties))
    if flt.regions:
        keep(_multi_match(column("admin1"), flt.regions))
    if flt.area is not None:
        if not isinstance(events, gpd.GeoDataFrame):
            raise ValidationError(Problem("an area filter needs a GeoDataFrame", column="area"), context="filter")
        geoms = np.asarray(events.geometry.array, dtype=object)[idx]
        keep(_area_match(geoms, column("admin1") if "admin1" in events.columns else None, flt.area))
    return idx


def apply(events: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """Keep the events a filter selects.

    Parameters
    ----------
    events : GeoDataFrame
        Folded events (:func:`geo.claims.fold`: with ``status`` and
        ``parties``), in EPSG:4326. A plain DataFrame works when the filter
        has no area.
    flt : Filter
        What to keep (the rules are in the module docstring).

    Returns
    -------
    GeoDataFrame
        A new frame with the matching rows, in their original index order.
        ``events`` is not changed.

    Raises
    ------
    ValidationError
        The filter needs a column the events do not have (e.g. a status
        filter on events whose claims were not folded in).
    """
    idx = _select(events, flt)
    if len(idx) == len(events):
        return events.copy(deep=False)  # copy-on-write (pandas 3): changing it does not change `events`
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        # One run of rows (the dashboard's snapshot keeps events by layer and date, so a layer or a layer's dates
        # are one run): a slice, which copies nothing; copy-on-write still keeps `events` unchanged.
        return events.iloc[int(idx[0]) : int(idx[-1]) + 1]
    return events.iloc[idx]


def member(values: pd.Series, pool: pd.Series | pd.Index) -> npt.NDArray[np.bool_]:
    """Whether each value occurs in a pool of values, fast for millions of strings.

    ``Series.isin`` hashes Python strings one by one (seconds for a million
    claims against half a million event ids); this goes through Arrow.

    Parameters
    ----------
    values : Series
        Values to test (e.g. claims' ``event_id``), object or string dtype.
    pool : Series or Index
        Values to look for (e.g. events' ``event_id``).

    Returns
    -------
    numpy.ndarray of bool
        One flag per value; missing values are never members.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    try:
        haystack = pc.drop_null(pc.unique(pa.array(pd.Series(pool, copy=False), from_pandas=True)))
        needles = pa.array(pd.Series(values, copy=False), from_pandas=True)
        if needles.type != haystack.type:
            haystack = haystack.cast(needles.type)
        found = pc.is_in(needles, value_set=haystack)
    except (pa.ArrowException, TypeError, ValueError):  # mixed types: the slow, general way
        return values.isin(pd.Index(pool)).to_numpy(dtype=bool, na_value=False)
    return found.to_numpy(zero_copy_only=False).astype(bool, copy=False) & ~values.isna().to_numpy()


def talks_for(events: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """The rounds of talks in the filter's dates, whatever its other fields.

    Talks have no region, so a region or area filter would drop them; the
    timeline still sets the ground events against them.

    Parameters
    ----------
    events : GeoDataFrame
        Folded events (all of them, not the filtered ones).
    flt : Filter
        The filter whose dates count.

    Returns
    -------
    GeoDataFrame
        The talks events overlapping the filter's dates.
    """
    return apply(events, Filter(date_from=flt.date_from, date_to=flt.date_to, layers=("talks",)))


def filter_claims(claims: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Keep the claims about the given events.

    Parameters
    ----------
    claims : DataFrame
        Claims with an ``event_id`` column.
    events : DataFrame
        Events (typically :func:`apply`'s result) with an ``event_id`` column.

    Returns
    -------
    DataFrame
        A new frame with the claims whose ``event_id`` is among the events',
        in their original order.
    """
    return claims.iloc[np.flatnonzero(member(claims["event_id"], events["event_id"]))]
