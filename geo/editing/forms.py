"""The *Add claim* form's checks: every problem at once, each naming its field; web addresses only.

:class:`ClaimForm` checks a claim as typed, :class:`EventForm` a new event
(its place a gazetteer point, a point clicked on the map, or a region without
a point: nothing is made up). :func:`check_source_url` is the one rule for a
source address: http(s) with a host; ``javascript:``, ``data:``, ``file:`` and
anything else refused in words. The store checks again with
:func:`geo.validate.validate` when it records the claim.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlparse

import pandas as pd
import shapely

from geo import layers, present, schema
from geo.errors import Problem, ValidationError
from geo.reference import country_of, find_region
from geo.validate import EARLIEST

__all__ = ["MAX_TEXT", "RECORDED_DATASET", "ClaimForm", "EventForm", "check_source_url"]

MAX_TEXT: Final = {
    "claimant": 200,
    "text": 4000,
    "source_title": 500,
    "publisher": 200,
    "source_url": 2000,
    "title": 300,
    "place": 200,
    "language": 8,
}
"""Longest text accepted per field (characters): a form is not a file import."""
RECORDED_DATASET: Final = "recorded"
"""The dataset a new event recorded by hand belongs to (the store's default too)."""
_POINT_PRECISIONS: Final = ("exact", "near")


def check_source_url(url: object, column: str = "source_url", *, required: bool = True) -> list[Problem]:
    """Problems of a source address: required, a web address (http or https) with a host, nothing else.

    Parameters
    ----------
    url : object
        What was typed.
    column : str
        The field named in the problems.
    required : bool
        Whether an empty address is a problem.

    Returns
    -------
    list of Problem
        Empty when the address is fine; otherwise one problem saying what is wrong
        (``javascript:`` and ``data:`` addresses are named as refused).
    """
    if present.missing(url) or not str(url).strip():
        return (
            [Problem("a source address is required", column=column, fix="give the https:// address of the source")]
            if required
            else []
        )
    text = str(url).strip()
    if len(text) > MAX_TEXT["source_url"]:
        return [Problem(f"the address is longer than {MAX_TEXT['source_url']:,} characters", column=column)]
    if present.safe_url(text) is not None:
        return []
    try:
        scheme = urlparse(text).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme and scheme not in ("http", "https"):
        message = f"{scheme}: addresses are refused; only web addresses (http or https) are accepted"
    elif scheme:
        message = f"not a web address (no host): {text[:80]!r}"
    else:
        message = f"not a web address: {text[:80]!r}"
    return [Problem(message, column=column, fix="give an http(s) address with a host: https://…")]


def _blank(value: object) -> bool:
    return present.missing(value) or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str | None:
    return None if _blank(value) else str(value).strip()


def _too_long(fields: Mapping[str, object], problems: list[Problem]) -> None:
    for name, limit in MAX_TEXT.items():
        value = fields.get(name)
        if name != "source_url" and isinstance(value, str) and len(value.strip()) > limit:
            problems.append(Problem(f"longer than {limit:,} characters", column=name, fix="shorten it"))


def _timestamp(value: object, column: str, problems: list[Problem], *, today: dt.date | None) -> pd.Timestamp | None:
    """A date or time as typed, checked: parsed, not before 2014, not in the future."""
    if _blank(value):
        problems.append(Problem("required value is empty", column=column, fix="give the date"))
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        problems.append(Problem(f"not a date: {str(value)[:40]!r}", column=column, fix="write dates as YYYY-MM-DD"))
        return None
    if pd.isna(stamp):
        problems.append(Problem("required value is empty", column=column, fix="give the date"))
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    if stamp < EARLIEST:
        problems.append(Problem(f"date before 2014: {stamp:%Y-%m-%d}", column=column, fix="check the year"))
    elif stamp.normalize() > pd.Timestamp(today or dt.date.today()) + pd.Timedelta(days=1):
        problems.append(Problem(f"date in the future: {stamp:%Y-%m-%d}", column=column, fix="check the date"))
    return stamp


def _choice(
    value: object, column: str, choices: Iterable[str], problems: list[Problem], *, required: bool
) -> str | None:
    text = _text(value)
    allowed = tuple(choices)
    if text is None:
        if required:
            problems.append(
                Problem("required value is empty", column=column, fix=f"choose one of: {', '.join(allowed)}")
            )
        return None
    if text not in allowed:
        problems.append(
            Problem(f"unknown value: {text[:40]!r}", column=column, fix=f"use one of: {', '.join(allowed)}")
        )
        return None
    return text


@dataclass(frozen=True)
class ClaimForm:
    """What an editor typed for one claim, before it is recorded.

    Parameters
    ----------
    stance : str
        One of :data:`geo.schema.STANCES`.
    claimant : str
        Who spoke ("Governor of Bryansk Oblast").
    party : str
        One of :data:`geo.schema.PARTIES`.
    stated_at : date, datetime or str
        When the statement was made (local time as reported).
    stated_precision : str
        One of :data:`geo.schema.STATED_PRECISIONS` (default ``day``).
    figures : mapping of str to float
        Figures stated (names of :data:`geo.schema.CLAIM_FIGURES`); empty or None values are left out.
    bounds : mapping of str to str
        Each figure's bound (:data:`geo.schema.BOUNDS`; ``exact`` when not given).
    text : str, optional
        What the claimant said, in brief.
    source_url : str
        The source's address: required, http(s) only.
    publisher : str
        Who published the source: required.
    source_title, language, other_sources : str, optional
        The source's title, its ISO 639-1 language, further addresses (``;``-separated, http(s) each).
    """

    stance: str | None = None
    claimant: str | None = None
    party: str | None = None
    stated_at: object = None
    stated_precision: str | None = "day"
    figures: Mapping[str, object] = field(default_factory=dict)
    bounds: Mapping[str, object] = field(default_factory=dict)
    text: str | None = None
    source_url: str | None = None
    publisher: str | None = None
    source_title: str | None = None
    language: str | None = None
    other_sources: str | None = None

    @classmethod
    def from_fields(cls, fields: Mapping[str, object] | ClaimForm) -> ClaimForm:
        """A form from a flat mapping of claim columns (``intercepted``, ``intercepted_bound``…), or the form itself.

        Parameters
        ----------
        fields : mapping or ClaimForm
            Column names of :data:`geo.schema.CLAIM_COLUMNS` (others are ignored).

        Returns
        -------
        ClaimForm
            The form.
        """
        if isinstance(fields, ClaimForm):
            return fields
        figures = {f: fields.get(f) for f in schema.CLAIM_FIGURES if not _blank(fields.get(f))}
        bounds = {
            f: fields.get(schema.bound_column(f)) for f in figures if not _blank(fields.get(schema.bound_column(f)))
        }
        names = (
            "stance",
            "claimant",
            "party",
            "stated_at",
            "text",
            "source_url",
            "publisher",
            "source_title",
            "language",
            "other_sources",
        )
        values: dict[str, Any] = {n: fields.get(n) for n in names}
        precision = fields.get("stated_precision")
        values["stated_precision"] = "day" if _blank(precision) else precision
        return cls(figures=figures, bounds=bounds, **values)

    def problems(self, layer: str | None = None, *, today: dt.date | None = None) -> list[Problem]:
        """Every problem of the form at once, each naming its field.

        Parameters
        ----------
        layer : str, optional
            The event's layer: a figure that does not belong to it is a problem.
        today : date, optional
            Statements after this are refused as in the future (default today).

        Returns
        -------
        list of Problem
            Empty when the form may be recorded.
        """
        return self._checked(layer, today)[1]

    def check(self, layer: str | None = None, *, today: dt.date | None = None) -> dict[str, Any]:
        """The claim's columns, ready for the store, or every problem at once.

        Parameters
        ----------
        layer : str, optional
            The event's layer.
        today : date, optional
            Reference date for "in the future".

        Returns
        -------
        dict
            Every column of :data:`geo.schema.CLAIM_COLUMNS` but ``claim_id`` and ``event_id`` (None when empty).

        Raises
        ------
        ValidationError
            Listing every problem, each naming its field.
        """
        claim, problems = self._checked(layer, today)
        if problems:
            raise ValidationError(problems, context="claim")
        return claim

    def _checked(self, layer: str | None, today: dt.date | None) -> tuple[dict[str, Any], list[Problem]]:
        problems: list[Problem] = []
        claim: dict[str, Any] = {c: None for c in schema.CLAIM_COLUMN_NAMES if c not in ("claim_id", "event_id")}
        claim["stance"] = _choice(self.stance, "stance", schema.STANCES, problems, required=True)
        claim["party"] = _choice(self.party, "party", schema.PARTIES, problems, required=True)
        claim["stated_precision"] = _choice(
            self.stated_precision or "day", "stated_precision", schema.STATED_PRECISIONS, problems, required=True
        )
        for name in ("claimant", "publisher"):
            claim[name] = _text(getattr(self, name))
            if claim[name] is None:
                what = "who made the statement" if name == "claimant" else "who published the source"
                problems.append(Problem("required value is empty", column=name, fix=f"give {what}"))
        stamp = _timestamp(self.stated_at, "stated_at", problems, today=today)
        claim["stated_at"] = None if stamp is None else stamp
        for name in ("text", "source_title", "language"):
            claim[name] = _text(getattr(self, name))
        _too_long({n: getattr(self, n) for n in MAX_TEXT if hasattr(self, n)}, problems)
        problems += check_source_url(self.source_url)
        claim["source_url"] = _text(self.source_url)
        others = schema.split_multi(self.other_sources)
        for url in others:
            problems += check_source_url(url, "other_sources")
        claim["other_sources"] = schema.join_multi(others)
        stated = self._figures(claim, layer, problems)
        if claim["stance"] == "revises" and not stated:
            problems.append(
                Problem("a revision states new figures: none given", column="figures", fix="give at least one figure")
            )
        return claim, problems

    def _figures(self, claim: dict[str, Any], layer: str | None, problems: list[Problem]) -> int:
        """Check and copy the figures and their bounds into ``claim``; return how many were stated."""
        allowed = None
        if layer is not None and layer in layers.names():
            allowed = set(layers.get(layer).figures)
        stated = 0
        for name, raw in self.figures.items():
            if _blank(raw):
                continue
            if name not in schema.CLAIM_FIGURES:
                problems.append(Problem(f"unknown figure {name!r}", column=name))
                continue
            try:
                value = float(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                problems.append(Problem(f"not a number: {str(raw)[:40]!r}", column=name, fix="write a plain number"))
                continue
            if not math.isfinite(value) or value < 0:
                problems.append(Problem(f"not a count: {raw!r}", column=name, fix="figures count things: use >= 0"))
                continue
            if allowed is not None and name not in allowed:
                problems.append(
                    Problem(
                        f"figure {name!r} does not belong to a {layer} event",
                        column=name,
                        fix=f"only {', '.join(sorted(allowed)) or 'none'}",
                    )
                )
                continue
            bound = self.bounds.get(name)
            bound = "exact" if _blank(bound) else str(bound).strip()
            if bound not in schema.BOUNDS:
                problems.append(
                    Problem(
                        f"unknown bound {bound!r}",
                        column=schema.bound_column(name),
                        fix=f"use one of: {', '.join(schema.BOUNDS)}",
                    )
                )
                continue
            claim[name], claim[schema.bound_column(name)] = value, bound
            stated += 1
        return stated


@dataclass(frozen=True)
class EventForm:
    """What an editor typed for a new event (recorded with its first claim).

    Parameters
    ----------
    layer : str
        One of :data:`geo.schema.LAYERS`.
    time_start, time_end : date or str
        When it happened (``time_end`` defaults to ``time_start``).
    time_precision : str
        One of :data:`geo.schema.TIME_PRECISIONS`.
    geo_precision : str
        ``exact`` or ``near`` with a point (``lon``/``lat``: a gazetteer place or a point clicked on the map),
        ``admin1`` with a region and no point, ``country`` with a country and no point.
    place, title : str
        The place as the claim names it, and one line describing the event (one of them is required).
    admin1 : str
        ISO 3166-2 region code or name (``UA-23``, ``Zaporizhzhia``).
    lon, lat : float, optional
        The point (WGS84), only at ``exact``/``near``.
    geo_source : str
        Where the point comes from (``GeoNames 707898``, ``clicked on the map``).
    extra : mapping
        Other event columns (``side``, ``weapon``, ``target_type``, ``impact_type``, ``venue``…).
    """

    layer: str | None = None
    time_start: object = None
    time_end: object = None
    time_precision: str | None = "day"
    geo_precision: str | None = None
    place: str | None = None
    title: str | None = None
    admin1: str | None = None
    country: str | None = None
    lon: object = None
    lat: object = None
    geo_source: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, fields: Mapping[str, object] | EventForm) -> EventForm:
        """A form from a flat mapping of event columns plus ``lon``/``lat`` (or a shapely Point ``geometry``)."""
        if isinstance(fields, EventForm):
            return fields
        own = {f for f in cls.__dataclass_fields__ if f != "extra"}
        values: dict[str, Any] = {k: fields.get(k) for k in own if k in fields}
        geometry = fields.get("geometry")
        if geometry is not None and isinstance(geometry, shapely.Point) and not geometry.is_empty:
            values.setdefault("lon", geometry.x)
            values.setdefault("lat", geometry.y)
        extra = {k: v for k, v in fields.items() if k in schema.EVENT_COLUMN_NAMES and k not in own}
        return cls(extra=extra, **values)

    def check(self, *, today: dt.date | None = None) -> tuple[dict[str, Any], list[Problem]]:
        """The event's columns (with ``geometry``: a Point or None) and every problem found.

        Parameters
        ----------
        today : date, optional
            Reference date for "in the future".

        Returns
        -------
        tuple of (dict, list of Problem)
            The event for ``store.record_claim(event=…)``, and the problems (empty when it may be recorded).
        """
        problems: list[Problem] = []
        event: dict[str, Any] = {c: None for c in schema.EVENT_COLUMN_NAMES}
        for name, value in self.extra.items():
            event[name] = _text(value)
        event["layer"] = _choice(self.layer, "layer", tuple(schema.LAYERS), problems, required=True)
        event["time_precision"] = _choice(
            self.time_precision or "day", "time_precision", schema.TIME_PRECISIONS, problems, required=True
        )
        precision = _choice(self.geo_precision, "geo_precision", schema.GEO_PRECISIONS, problems, required=True)
        event["geo_precision"] = precision
        start = _timestamp(self.time_start, "time_start", problems, today=today)
        end = start if _blank(self.time_end) else _timestamp(self.time_end, "time_end", problems, today=today)
        if start is not None and end is not None and end.normalize() < start.normalize():
            problems.append(Problem("time_end is before time_start", column="time_end", fix="swap the dates"))
        event["time_start"] = None if start is None else start.normalize()
        event["time_end"] = None if end is None else end.normalize()
        event["place"], event["title"] = _text(self.place), _text(self.title)
        if event["place"] is None and event["title"] is None:
            problems.append(Problem("give the place or a title", column="place"))
        _too_long({"place": self.place, "title": self.title}, problems)
        event["admin1"] = self._region(problems)
        event["country"] = _text(self.country) or (country_of(event["admin1"]) if event["admin1"] else None)
        event["geometry"] = self._point(precision, problems)
        event["geo_source"] = _text(self.geo_source) if event["geometry"] is not None else None
        if precision in ("admin1", "admin2") and event["admin1"] is None:
            problems.append(
                Problem(
                    "a region is needed at region precision", column="admin1", fix="choose the region the claim names"
                )
            )
        if precision == "country" and event["country"] is None:
            problems.append(Problem("a country is needed at country precision", column="country"))
        event["dataset"] = RECORDED_DATASET
        return event, problems

    def _region(self, problems: list[Problem]) -> str | None:
        parts = schema.split_multi(self.admin1)
        codes = []
        for part in parts:
            code = find_region(part)
            if code is None:
                problems.append(
                    Problem(
                        f"no region matches {part[:60]!r}",
                        column="admin1",
                        fix="use a code like UA-23 or RU-BRY, or a region's name",
                    )
                )
            else:
                codes.append(code)
        return schema.join_multi(codes)

    def _point(self, precision: str | None, problems: list[Problem]) -> shapely.Point | None:
        """The point at exact/near precision; never a point at a coarser one (nothing is made up)."""
        has = not (_blank(self.lon) and _blank(self.lat))
        if precision not in _POINT_PRECISIONS:
            if has:
                problems.append(
                    Problem(
                        f"a point is kept only at exact or near precision, not {precision}",
                        column="geometry",
                        fix="state the precision, or leave the point out",
                    )
                )
            return None
        if not has:
            problems.append(
                Problem(
                    f"precision {precision} needs a point: a gazetteer place or a point on the map",
                    column="geometry",
                    fix="find the place, click it on the map, or choose region precision",
                )
            )
            return None
        try:
            lon, lat = float(self.lon), float(self.lat)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(Problem("longitude and latitude must be numbers", column="geometry"))
            return None
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(Problem("coordinates outside longitude -180..180 / latitude -90..90", column="geometry"))
            return None
        return shapely.Point(lon, lat)
