"""The filter value and its URL codec: one :class:`Filter`, validated and normalised.

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

The layers a filter may name are the registered ones (:func:`geo.layers.names`,
read when the filter is made), so a layer registered later is a valid choice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final
from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo import layers, reference, schema
from geo.errors import GeoError, Problem, ValidationError
from geo.filters import _area, words

__all__ = ["BY", "PARAMS", "PRESETS", "DateLike", "Filter"]

PRESETS: Final = reference.PRESETS
"""Named groups of region codes (re-exported from :mod:`geo.reference`)."""

BY: Final = ("either", "event", "statement")
"""What a filter's dates are matched against (its ``by`` field), the default first: ``either`` (the event
happened in them, or a claim about it was stated in them), ``event`` (the event happened in them), ``statement``
(a claim about it was stated in them)."""

PARAMS: Final[dict[str, str]] = {
    "from": "date_from",
    "to": "date_to",
    "by": "by",
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
_SINGLE: Final = ("from", "to", "by", "area")
_FIXED_VOCABULARIES: Final[dict[str, tuple[str, ...]]] = {
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
"""Fields chosen from a vocabulary, and what one value is called in a problem."""
_SPLIT: Final = re.compile(r"[-\s]+")

DateLike = dt.date | dt.datetime | pd.Timestamp | np.datetime64 | str


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
        The dates to keep (inclusive); what they are matched against is ``by``.
    by : {"either", "event", "statement"}
        :data:`BY`: keep the events that happened in the dates (``event``:
        their span overlaps them), the events about which a claim was stated
        in them (``statement``), or either (the default). It matters only
        when the filter has dates; layers whose events are a calendar (the
        talks) always follow their own dates (see :func:`geo.filters.apply`).
    regions : tuple of str
        ISO 3166-2 codes, sorted and unique.
    area : str or None
        Area drawn on the map: a (multi)polygon as WKT in EPSG:4326, in a
        canonical form (an axis-aligned rectangle as ``shapely.box`` writes
        it, coordinates rounded to 6 decimals).
    layers : tuple of str
        Names of registered layers (:func:`geo.layers.names`), sorted and unique.
    parties, statuses, weapons, target_types : tuple of str
        Values from :data:`geo.schema.PARTIES`, ``STATUSES``, ``WEAPONS`` and
        ``TARGET_TYPES``, sorted and unique.
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
    by: str = BY[0]
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
            "by": _by(self.by, problems),
            "regions": _regions(self.regions, problems),
            "area": _area.parse(self.area, problems),
            "datasets": _datasets(self.datasets, problems),
        }
        for field in _WHAT:
            values[field] = _choices(getattr(self, field), field, problems)
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
        by: str = BY[0],
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
        by : str, default "either"
            One of :data:`BY` (case does not matter; ``"events"``,
            ``"statements"`` too).
        regions : str or iterable of str
            ISO 3166-2 codes or region names in English, Ukrainian or Russian
            (``"Zaporizhzhia"``, ``"Запорізька область"``, ``"ua-23"``), or the
            name of a preset in :data:`PRESETS` (``"Russian border regions"``),
            which stands for all of its regions.
        area : str, shapely geometry, 4 numbers or None
            A polygon as WKT or geometry, or a rectangle as
            ``(minx, miny, maxx, maxy)`` or ``"minx,miny,maxx,maxy"``.
        layers : str or iterable of str
            Registered layer names, also in the plural (``"strikes"``).
        parties, statuses, weapons, target_types : str or iterable of str
            Values of the vocabularies in :mod:`geo.schema`; case, spaces and
            hyphens do not matter (``"Glide bomb"`` is ``glide_bomb``).
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
            by=by,
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
        """Whether the filter keeps every event (``by`` alone restricts nothing)."""
        return self.replace(by=BY[0]) == Filter()

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
            ``from``/``to`` as ``YYYY-MM-DD``; ``by`` unless it is the default
            (``either``); ``area`` as ``minx,miny,maxx,maxy``
            for a rectangle, else WKT; ``region``, ``layer``, ``party``,
            ``status``, ``weapon``, ``target``, ``dataset`` as lists (repeat the
            key for each value). Empty fields are left out, so the empty filter
            gives ``{}``.
        """
        out: dict[str, str | list[str]] = {}
        for param, field in PARAMS.items():
            value = getattr(self, field)
            if value is None or value == () or (field == "by" and value == BY[0]):
                continue
            if field in ("date_from", "date_to"):
                out[param] = value.isoformat()
            elif field == "area":
                out[param] = _area.as_param(value)
            elif field == "by":
                out[param] = value
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
        for key, param, raw in _query_items(params):
            if param not in PARAMS:
                if strict:
                    problems.append(Problem(f"unknown parameter {key!r}", column=key, fix=f"use {', '.join(PARAMS)}"))
                continue
            value = _param_value(param, raw, problems)
            if value is not None:
                kwargs[PARAMS[param]] = value
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

    def describe(self, lang: str | None = None) -> str:
        """Say what the filter keeps, for captions and briefings (see :func:`geo.filters.words.describe`).

        Parameters
        ----------
        lang : str, optional
            Language (default: the current one).

        Returns
        -------
        str
            ``"events or statements 15–16 Feb 2026 · Bryansk Oblast, Kursk
            Oblast · strikes · disputed"``; ``"all events"`` for the empty filter.
        """
        return words.describe(self, lang)


# -- URL parameters --------------------------------------------------------------------------------


def _query_items(params: Mapping[str, str | Sequence[str]]) -> Iterator[tuple[str, str, object]]:
    """(key as given, parameter name, raw value or values) of each key; repeated keys through ``get_all``."""
    get_all = getattr(params, "get_all", None)
    for key in list(params):
        raw = get_all(key) if callable(get_all) else params[key]
        yield key, str(key).strip().lower(), raw


def _param_value(param: str, raw: object, problems: list[Problem]) -> str | tuple[str, ...] | None:
    """The value of one known parameter for :meth:`Filter.create`; None when absent or after a problem."""
    values = [raw] if isinstance(raw, str) else list(raw)  # type: ignore[call-overload]
    if not all(isinstance(v, str) for v in values):
        problems.append(Problem(f"values must be text, got {raw!r}", column=param))
        return None
    values = [v.strip() for v in values if v.strip()]
    if param not in _SINGLE:
        return tuple(p.strip() for v in values for p in v.split(",") if p.strip())
    if len(values) > 1:
        problems.append(Problem(f"given {len(values)} times: {values!r}", column=param, fix="give it once"))
        return None
    return values[0] if values else None


def _in_param_order(problems: list[Problem]) -> list[Problem]:
    order = {param: i for i, param in enumerate(PARAMS)}
    return sorted(problems, key=lambda p: order.get(p.column or "", len(order)))


# -- normalisation ---------------------------------------------------------------------------------


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
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    day = _parse_day(value) if isinstance(value, str) else None
    if day is None:
        problems.append(Problem(f"not a date: {value!r}", column=param, fix="give a date as YYYY-MM-DD"))
    return day


def _parse_day(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` or an ISO datetime's day; None when it is neither."""
    text = text.strip()
    for parse in (dt.date.fromisoformat, lambda s: dt.datetime.fromisoformat(s).date()):
        try:
            return parse(text)
        except ValueError:
            pass
    return None


def _by(value: object, problems: list[Problem]) -> str:
    """One of :data:`BY` (``"Events"`` is ``event``); the default for None or blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return BY[0]
    key = _key(value) if isinstance(value, str) else ""
    key = key[:-1] if key.endswith("s") and key[:-1] in BY else key
    if key in BY:
        return key
    problems.append(Problem(f"unknown value {value!r}", column="by", fix=f"use one of: {', '.join(BY)}"))
    return BY[0]


def _key(value: str) -> str:
    return _SPLIT.sub("_", value.strip().lower())


def _vocabulary(field: str) -> tuple[str, ...]:
    """The values a field may take; for ``layers`` the registry's layers now."""
    return layers.names() if field == "layers" else _FIXED_VOCABULARIES[field]


@lru_cache(maxsize=16)
def _vocabulary_index(vocabulary: tuple[str, ...], plurals: bool) -> dict[str, str]:
    index = {_key(v): v for v in vocabulary}
    if plurals:
        index |= {_key(v) + "s": v for v in vocabulary if not v.endswith("s")}
    return index


def _choices(value: object, field: str, problems: list[Problem]) -> tuple[str, ...]:
    param = _FIELD_PARAM[field]
    values = _as_values(value, param, problems)
    vocabulary = _vocabulary(field)
    index = _vocabulary_index(vocabulary, plurals=field == "layers")
    found: set[str] = set()
    for raw in values or ():
        if not raw.strip():
            continue
        hit = index.get(_key(raw))
        if hit is None:
            problems.append(_unknown_choice(raw, field, vocabulary, index))
        else:
            found.add(hit)
    return tuple(sorted(found))


def _unknown_choice(raw: str, field: str, vocabulary: tuple[str, ...], index: Mapping[str, str]) -> Problem:
    close = difflib.get_close_matches(_key(raw), list(index), n=1, cutoff=0.6)
    hint = f"did you mean {index[close[0]]!r}? " if close else ""
    return Problem(
        f"unknown {_WHAT[field]} {raw!r}",
        column=_FIELD_PARAM[field],
        fix=f"{hint}use one of: {', '.join(vocabulary)}",
    )


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
