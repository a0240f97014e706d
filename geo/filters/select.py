"""Selecting the events (and claims) a :class:`~geo.filters.Filter` keeps.

:func:`apply` keeps the events that match, vectorised over the whole frame
(no Python per row). Matching rules, field by field:

dates
    What the dates are matched against is the filter's ``by``
    (:data:`~geo.filters.value.BY`):

    ``event``
        The event happened in them: ``time_start <= to`` and
        ``time_end >= from`` (both bounds inclusive, whole days).
    ``statement``
        A claim about the event was stated in them (the claims' ``stated_at``;
        a claim stated only to the week, "early February", counts when the
        week up to its date overlaps them). The event is then kept whole, with
        all its claims: Gerasimov's 15 February statement about captures of
        1–14 February is in a 15–16 February view, with the answers to it.
    ``either`` (the default)
        One or the other.

    Layers whose events are a calendar — drawn as bands on the timeline
    (:attr:`geo.layers.LayerSpec.timeline`: the talks) — always follow their
    own dates: a round of talks is in the dates it was held, not those it
    was announced or reported on.
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
    Only restrict the layers that list them in their ``filters``
    (:func:`geo.layers.for_filter`; the strikes): selecting ``drone`` drops
    strikes by other weapons but keeps captures, outages and talks, which
    have no weapon. To see drone strikes only, add ``layer=strike``. A strike
    with no weapon (target type) recorded matches ``unknown``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import layers, reference, schema, settings
from geo.errors import Problem, ValidationError
from geo.filters._arrow import member
from geo.filters.value import Filter

__all__ = ["apply", "filter_claims", "talks_for"]

ArrayLike = npt.NDArray[np.object_] | pd.api.extensions.ExtensionArray

_TALKS: Final = "talks"
"""The layer :func:`talks_for` keeps."""


def apply(events: gpd.GeoDataFrame, flt: Filter, claims: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Keep the events a filter selects.

    Parameters
    ----------
    events : GeoDataFrame
        Folded events (:func:`geo.claims.fold`: with ``status`` and
        ``parties``), in EPSG:4326. A plain DataFrame works when the filter
        has no area.
    flt : Filter
        What to keep (the rules are in the module docstring).
    claims : DataFrame, optional
        Every claim about the events (``event_id``, ``stated_at`` and, when
        some are stated only to the week, ``stated_precision``), as folded
        into them. Needed when the filter has dates matched against
        statements (``by`` is ``statement`` or ``either``, the default),
        unless it keeps only layers that follow their own dates (the talks).
        Read vectorised: 1.7 million claims cost milliseconds; their
        ``event_id`` is looked up only for events whose first and last
        statement (``first_stated``, ``last_stated``) lie on both sides of the
        dates.

    Returns
    -------
    GeoDataFrame
        A new frame with the matching rows, in their original index order.
        ``events`` is not changed.

    Raises
    ------
    ValidationError
        The filter needs a column the events do not have (e.g. a status
        filter on events whose claims were not folded in), or needs the
        claims and none were given.
    """
    idx = _select(events, flt, claims)
    if len(idx) == len(events):
        return events.copy(deep=False)  # copy-on-write (pandas 3): changing it does not change `events`
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        # One run of rows (the dashboard's snapshot keeps events by layer and date, so a layer or a layer's dates
        # are one run): a slice, which copies nothing; copy-on-write still keeps `events` unchanged.
        return events.iloc[int(idx[0]) : int(idx[-1]) + 1]
    return events.iloc[idx]


def talks_for(events: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """The rounds of talks in the filter's dates, whatever its other fields.

    Talks have no region, so a region or area filter would drop them; the
    timeline still sets the ground events against them. They are in the
    dates they were held, whatever the filter's ``by``.

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
    return apply(events, Filter(date_from=flt.date_from, date_to=flt.date_to, by="event", layers=(_TALKS,)))


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


# -- the selection ----------------------------------------------------------------------------------


class _Rows:
    """The positions of the rows still kept, narrowed rule by rule."""

    def __init__(self, events: pd.DataFrame, claims: pd.DataFrame | None) -> None:
        self.events = events
        self.claims = claims
        self.idx: npt.NDArray[np.intp] = np.arange(len(events))
        self.unsure: npt.NDArray[np.bool_] | None = None
        """Per kept row: kept only if a claim about it was stated in the dates (looked up last, on few rows)."""

    def column(self, name: str) -> ArrayLike:
        """The kept rows' values of a column."""
        return self.events[name].array[self.idx]

    def times(self, name: str) -> npt.NDArray[np.datetime64]:
        """The kept rows' values of a date column, as ``datetime64[ms]`` (NaT when missing)."""
        return self.events[name].to_numpy(dtype="datetime64[ms]")[self.idx]

    def keep(self, flags: npt.NDArray[np.bool_]) -> None:
        """Keep the rows flagged (one flag per kept row)."""
        self.idx = self.idx[flags]
        if self.unsure is not None:
            self.unsure = self.unsure[flags]


def _select(events: pd.DataFrame, flt: Filter, claims: pd.DataFrame | None) -> npt.NDArray[np.intp]:
    """Positions of the rows a filter keeps, in order.

    Each rule looks only at the rows the rules before it kept (cheap and
    selective rules first), so a narrow date range makes the rest cheap.
    """
    _require(events, _needed_columns(flt))
    needs_claims = _needs_claims(flt)
    if needs_claims:
        if claims is None:
            raise ValidationError(
                Problem(
                    f"by={flt.by} matches the dates against statements: it needs the claims",
                    column="by",
                    fix="pass claims= to geo.filters.apply, or match the dates by event",
                ),
                context="filter",
            )
        _require(claims, ("event_id", "stated_at"), what="claims")
    rows = _Rows(events, claims if needs_claims else None)
    for rule in _RULES:
        rule(rows, flt)
    return rows.idx


def _own_dates_layers() -> tuple[str, ...]:
    """Layers that follow their own dates whatever ``by`` says: a calendar, drawn as bands on the timeline (talks)."""
    return tuple(spec.name for spec in layers.all_specs() if not spec.dated_by_statements)


def _needs_claims(flt: Filter) -> bool:
    """Whether the filter matches dates against statements (and may keep a layer that does not follow its own)."""
    if flt.by == "event" or (flt.date_from is None and flt.date_to is None):
        return False
    return not (flt.layers and set(flt.layers) <= set(_own_dates_layers()))


def _needed_columns(flt: Filter) -> list[str]:
    """Event columns the filter reads, in the order the rules read them."""
    layer_only = layers.FILTER_FIELDS
    uses = [
        ("date_from", "time_end"),
        ("date_to", "time_start"),
        *((field, "layer") for field in ("layers", *layer_only)),
        ("datasets", "dataset"),
        ("statuses", "status"),
        *layer_only.items(),
        ("parties", "parties"),
        ("regions", "admin1"),
    ]
    needed = [column for field, column in uses if getattr(flt, field)]
    if _needs_claims(flt):
        needed += ["layer", "event_id"]
    return list(dict.fromkeys(needed))


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str = "events") -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        hint = " (fold the claims in first: geo.claims.fold)" if {"status", "parties"} & set(missing) else ""
        raise ValidationError(
            Problem(f"{what} have no {', '.join(repr(c) for c in missing)} column{hint}", column=missing[0]),
            context="filter",
        )


# -- dates ----------------------------------------------------------------------------------------------

_WEEK: Final = np.timedelta64(6, "D")
"""A claim stated only to the week was stated on its date or up to six days before."""
_Bound = np.datetime64 | None


def _bounds(flt: Filter) -> tuple[_Bound, _Bound]:
    """The dates as ``[lo, hi)`` in ``datetime64[ms]``: midnight of the first day, of the day after the last."""
    lo = None if flt.date_from is None else np.datetime64(flt.date_from, "ms")
    hi = None if flt.date_to is None else np.datetime64(flt.date_to + dt.timedelta(days=1), "ms")
    return lo, hi


def _from(times: npt.NDArray[np.datetime64], lo: _Bound) -> npt.NDArray[np.bool_]:
    """``times >= lo`` (any time when ``lo`` is None); NaT never."""
    return ~np.isnat(times) if lo is None else times >= lo


def _before(times: npt.NDArray[np.datetime64], hi: _Bound) -> npt.NDArray[np.bool_]:
    """``times < hi`` (any time when ``hi`` is None); NaT never."""
    return ~np.isnat(times) if hi is None else times < hi


def _by_dates(rows: _Rows, flt: Filter) -> None:
    """The dates, matched against the events' spans, their statements or either (``flt.by``)."""
    if flt.date_from is None and flt.date_to is None:
        return
    lo, hi = _bounds(flt)
    happened = np.ones(len(rows.idx), dtype=bool)
    if lo is not None:
        happened &= rows.times("time_end") >= lo  # NaT compares False
    if hi is not None:
        happened &= rows.times("time_start") < hi
    if rows.claims is None:  # by event, or only layers that follow their own dates
        rows.keep(happened)
        return
    stated, unsure = _stated_in(rows, lo, hi)
    admitted = (stated | happened) if flt.by == "either" else stated
    unsure &= ~admitted
    # Calendar layers (talks) follow their own dates: look at the layer only where that changes the outcome.
    differ = np.flatnonzero((admitted != happened) | unsure)
    if differ.size:
        own = differ[_isin(rows.events["layer"].array[rows.idx[differ]], _own_dates_layers())]
        admitted[own] = happened[own]
        unsure[own] = False
    kept = admitted | unsure
    rows.keep(kept)
    rows.unsure = unsure[kept]


def _stated_in(rows: _Rows, lo: _Bound, hi: _Bound) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per kept row: surely some claim about it was stated in ``[lo, hi)``; maybe (the claims must tell).

    From the folded ``first_stated`` and ``last_stated``: a row whose first or
    last statement is in the dates surely has one there; a row whose
    statements lie on both sides of them may. Without those columns every
    row may.
    """
    if not {"first_stated", "last_stated"} <= set(rows.events.columns):
        return np.zeros(len(rows.idx), dtype=bool), np.ones(len(rows.idx), dtype=bool)
    first, last = rows.times("first_stated"), rows.times("last_stated")
    surely = (_from(first, lo) & _before(first, hi)) | (_from(last, lo) & _before(last, hi))
    maybe = _from(last, lo) & _before(first, None if hi is None else hi + _WEEK)
    return surely, maybe & ~surely


def _by_statements(rows: _Rows, flt: Filter) -> None:
    """The rows still unsure: kept when a claim about them was stated in the dates (looked up in the claims)."""
    unsure, rows.unsure = rows.unsure, None
    if unsure is None or rows.claims is None or not unsure.any():
        return
    at = np.flatnonzero(unsure)
    ids = pd.Series(rows.events["event_id"].array[rows.idx[at]], copy=False)
    stated = _stated_event_ids(rows.claims, *_bounds(flt))
    if len(stated) > len(ids):  # hash the smaller side: the few unsure events, not every claim in the dates
        stated = stated.iloc[np.flatnonzero(member(stated, ids))]
    kept = np.ones(len(rows.idx), dtype=bool)
    kept[at] = member(ids, stated)
    rows.keep(kept)


def _stated_event_ids(claims: pd.DataFrame, lo: _Bound, hi: _Bound) -> pd.Series:
    """``event_id`` of the claims stated in ``[lo, hi)``, vectorised over all of them.

    A claim stated only to the week counts when the week up to its date
    overlaps the dates: ``stated_at - 6 days < hi``.
    """
    stated = claims["stated_at"].to_numpy(dtype="datetime64[ms]")
    ok = _from(stated, lo)
    if hi is not None:
        before = stated < hi
        if "stated_precision" in claims.columns:
            late = np.flatnonzero(ok & ~before & (stated < hi + _WEEK))  # few: the week after the dates
            if late.size:
                before[late] = _isin(claims["stated_precision"].array[late], ("week",))
        ok &= before
    return claims["event_id"].iloc[np.flatnonzero(ok)]


def _by_membership(rows: _Rows, flt: Filter) -> None:
    """Layers, datasets and statuses: the cell is one of the values."""
    for field, column in (("layers", "layer"), ("datasets", "dataset"), ("statuses", "status")):
        wanted = getattr(flt, field)
        if wanted:
            rows.keep(_isin(rows.column(column), wanted))


def _by_layer_fields(rows: _Rows, flt: Filter) -> None:
    """Weapons, target types: restrict only the layers that list the field (a missing value is ``unknown``)."""
    for field, column in layers.FILTER_FIELDS.items():
        wanted = getattr(flt, field)
        if wanted:
            applies = _isin(rows.column("layer"), layers.for_filter(field))
            rows.keep(~applies | _isin(rows.column(column), wanted, missing_as="unknown"))


def _by_parties_and_regions(rows: _Rows, flt: Filter) -> None:
    """Any party of the event's claims, any of its ``admin1`` regions."""
    if flt.parties:
        rows.keep(_multi_match(rows.column("parties"), flt.parties))
    if flt.regions:
        rows.keep(_multi_match(rows.column("admin1"), flt.regions))


def _by_area(rows: _Rows, flt: Filter) -> None:
    """The event's geometry, or (unlocated) one of its regions, intersects the area."""
    if flt.area is None:
        return
    if not isinstance(rows.events, gpd.GeoDataFrame):
        raise ValidationError(Problem("an area filter needs a GeoDataFrame", column="area"), context="filter")
    geoms = np.asarray(rows.events.geometry.array, dtype=object)[rows.idx]
    admin1 = rows.column("admin1") if "admin1" in rows.events.columns else None
    rows.keep(_area_match(geoms, admin1, flt.area))


_RULES: Final[tuple[Callable[[_Rows, Filter], None], ...]] = (
    _by_dates,
    _by_membership,
    _by_layer_fields,
    _by_parties_and_regions,
    _by_area,
    _by_statements,
)
"""The rules in the order they narrow the rows: cheap and selective first; the claims looked up last."""


# -- matching helpers ---------------------------------------------------------------------------------


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
        out[points] = _points_in(area, geoms[points])
    shapes = np.flatnonzero(kind > 0)
    if shapes.size:
        out[shapes] = shapely.intersects(area, geoms[shapes])
    unlocated = np.flatnonzero(kind < 0)
    if unlocated.size and admin1 is not None:
        touching = _regions_touching(wkt, str(settings.get().reference_dir))
        if touching:
            out[unlocated] = _multi_match(admin1[unlocated], touching)
    return out


def _points_in(area: shapely.Geometry, points: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Whether each point intersects the (prepared) area; a bounding-box test first."""
    x = shapely.get_x(points)
    y = shapely.get_y(points)
    minx, miny, maxx, maxy = area.bounds
    near = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    out = np.zeros(len(points), dtype=bool)
    out[near] = shapely.intersects_xy(area, x[near], y[near])
    return out
