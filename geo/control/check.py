"""Claims set against assessed control: a verdict per capture claim and assessor, derived, never typed in.

Capture claims located to a settlement (layer ``capture``, ``geo_precision``
exact or near, a point) get, per assessor, one of :data:`VERDICTS`:

``reflected``
    On ``as_of``, the first assessed day on or after the claim's day, the
    point lies in the claimed side's area, further than the tolerance from
    the line.
``at_line``
    Not reflected, and on the latest assessed day the point lies within the
    tolerance (500 m) of the line: the maps cannot tell.
``contradicted``
    On the latest assessed day the point lies in an area the assessor shows
    the *other* side holding.
``not_reflected``
    On the latest assessed day the point lies in ground the assessor maps,
    outside the claimed side's area, in no area it shows the other side
    holding.
``no_assessment``
    The assessor maps nothing there, or its series ends before the claim.

An assessor that maps only Russian-held areas (DeepStateMap's daily files)
is read as mapping the whole of Ukraine: a point in Ukraine outside its
occupied area counts as Ukrainian-held when a *Ukrainian* claim is checked
(so such a claim can be reflected), but never contradicts a Russian claim —
the assessor did not say who holds it, only that Russia does not. The *line*
is the boundary of the held area, without its stretches along Ukraine's state
border and coast (within 1 km of them).

Aggregate claims with figures (settlements, km²) over a period are set beside
the assessed change over the same period (:func:`aggregate_claims`).
Wording (:func:`verdict_text`, :func:`aggregate_text`) always names whose
assessment it is and that it is not ground truth.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.claims import ASSERTING
from geo.control import change as _change
from geo.control import series as _series
from geo.control.model import HELD, to_equal_area
from geo.errors import GeoError
from geo.store.base import Store

__all__ = [
    "AGGREGATE_COLUMNS",
    "CAVEAT",
    "TOLERANCE_M",
    "VERDICTS",
    "VERDICT_COLUMNS",
    "aggregate_claims",
    "aggregate_text",
    "check_claims",
    "verdict_text",
]

VERDICTS: Final = ("reflected", "at_line", "contradicted", "not_reflected", "no_assessment")
TOLERANCE_M: Final = 500.0
"""Distance from the line within which a point is *at the line*."""
VERDICT_COLUMNS: Final = (
    "claim_id", "event_id", "place", "side", "claimant", "party", "stance", "claim_day",
    "assessor", "verdict", "as_of", "latest_day", "distance_m", "text",
)  # fmt: skip
"""Columns of :func:`check_claims`: one row per claim and assessor. ``as_of`` is the day the verdict is about
(the reflecting day, or the latest assessed day); ``distance_m`` the distance to the line on that day when it is
under about 700 m (else NaN)."""
AGGREGATE_COLUMNS: Final = (
    "claim_id", "event_id", "claimant", "party", "side", "period_from", "period_to",
    "claimed_area_km2", "area_km2_bound", "claimed_settlements", "settlements_bound",
    "assessor", "day_from", "day_to", "gained_km2", "lost_km2", "net_km2",
    "settlements_gained", "settlements_lost", "text",
)  # fmt: skip
"""Columns of :func:`aggregate_claims`: one row per claim with figures and assessor."""
CAVEAT: Final = "{assessor}'s map is its own assessment, published with a lag; it is not ground truth"
LOCATED: Final = ("exact", "near")

_CLIP_DEG: Final = (0.012, 0.008)  # half-width (lon, lat) of the box searched for the line: > 700 m at 53° N
_BOUNDS: Final = {"at_least": "≥", "at_most": "≤", "about": "~", "exact": ""}


# -- the state of points on one day ----------------------------------------------------------------


class _Day:
    """The areas of one assessor on one day: held per side (lon/lat, prepared), coverage, the line."""

    def __init__(self, held: dict[str, Any], sides: tuple[str, ...]) -> None:
        self.held = held
        for g in held.values():
            shapely.prepare(g)
        self.maps_ukraine = "RU" in sides and "UA" not in sides
        self._boundaries = {s: g.boundary for s, g in held.items()}

    def _in(self, side: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        g = self.held.get(side)
        if g is None:
            return np.zeros(len(lon), dtype=bool)
        return shapely.contains_xy(g, lon, lat)

    def in_claimed(self, side: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """In the area of ``side`` — for UA with an assessor mapping only RU: in Ukraine, outside RU's area."""
        if side == "UA" and self.maps_ukraine:
            return _in_ukraine(lon, lat) & ~self._in("RU", lon, lat)
        return self._in(side, lon, lat)

    def in_other(self, side: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """In an area the assessor shows the other side holding (explicitly)."""
        return self._in("UA" if side == "RU" else "RU", lon, lat)

    def covered(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Mapped by the assessor: in any of its areas, or in Ukraine when it maps Russian-held Ukraine."""
        out = self._in("RU", lon, lat) | self._in("UA", lon, lat)
        if self.maps_ukraine:
            out |= _in_ukraine(lon, lat)
        return out

    def line_distance_m(self, lon: float, lat: float) -> float:
        """Metres from the point to the nearest line (NaN when further than the box searched, ~700 m)."""
        dx, dy = _CLIP_DEG
        best = np.inf
        zone = _series.border_zone()
        box = shapely.box(lon - dx, lat - dy, lon + dx, lat + dy)
        for boundary in self._boundaries.values():
            clip = shapely.clip_by_rect(boundary, lon - dx, lat - dy, lon + dx, lat + dy)
            if clip.is_empty:
                continue
            if shapely.intersects(zone, box):
                clip = shapely.difference(clip, zone)
                if clip.is_empty:
                    continue
            p = to_equal_area(shapely.Point(lon, lat), densify=False)
            best = min(best, float(shapely.distance(p, to_equal_area(clip, densify=False))))
        return float("nan") if np.isinf(best) else best


def _in_ukraine(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    geom, _ = _series.ukraine()
    return shapely.contains_xy(geom, lon, lat)


# -- verdicts --------------------------------------------------------------------------------------


def _capture_claims(events: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Asserting claims of capture events located to a point, with the point and the claimed side."""
    ev = events[
        (events["layer"] == "capture")
        & events["geo_precision"].isin(LOCATED)
        & events["side"].isin(("RU", "UA"))
        & events.geometry.notna()
    ]
    ev = ev[ev.geometry.geom_type == "Point"]
    cols = ["claim_id", "event_id", "claimant", "party", "stance", "stated_at"]
    cl = claims.loc[claims["stance"].isin(ASSERTING) & claims["event_id"].isin(ev["event_id"]), cols]
    pts = pd.DataFrame(
        {
            "event_id": ev["event_id"].to_numpy(dtype=object),
            "place": ev["place"].to_numpy(dtype=object),
            "side": ev["side"].to_numpy(dtype=object),
            "lon": shapely.get_x(ev.geometry.to_numpy()),
            "lat": shapely.get_y(ev.geometry.to_numpy()),
        }
    )
    out = cl.merge(pts, on="event_id", how="inner").reset_index(drop=True)
    out["claim_day"] = pd.to_datetime(out["stated_at"]).dt.date
    return out.drop(columns="stated_at")


class _Series:
    """Every day of one assessor's series of one kind, read at once: the areas held on any day (carried forward)."""

    def __init__(self, store: Store, assessor: str, kind: str) -> None:
        frame = store.read_assessments(assessors=assessor, kinds=kind)
        self.sides = tuple(s for s in ("RU", "UA") if (frame["side"] == s).any())
        self.days = sorted(set(frame["as_of"].dt.date))
        self._by_side = {
            s: (list(part["as_of"].dt.date), list(part.geometry))
            for s in self.sides
            for part in [frame[frame["side"] == s]]
        }

    def on(self, day: dt.date) -> _Day:
        """The areas on ``day``: each side's latest assessed day on or before it."""
        held = {}
        for side, (days, geoms) in self._by_side.items():
            i = bisect.bisect_right(days, day) - 1
            if i >= 0:
                held[side] = geoms[i]
        return _Day(held, self.sides)


def _verdicts(
    store: Store, assessor: str, kind: str, rows: pd.DataFrame, tolerance_m: float
) -> tuple[np.ndarray, list[Any], np.ndarray, dt.date]:
    """(verdict, as_of, distance_m, latest day) of every row for one assessor."""
    found = _Series(store, assessor, kind)
    days = found.days
    n = len(rows)
    verdict = np.full(n, "no_assessment", dtype=object)
    as_of: list[Any] = [None] * n
    dist = np.full(n, np.nan)
    lon, lat = rows["lon"].to_numpy(float), rows["lat"].to_numpy(float)
    side = rows["side"].to_numpy(dtype=object)
    claim_day = rows["claim_day"].to_numpy(dtype=object)
    open_ = np.ones(n, dtype=bool)
    latest = days[-1]
    first_claim = min(claim_day) if n else latest
    for day in (d for d in days if d >= first_claim):
        active = np.flatnonzero(open_ & (claim_day <= day))
        if not len(active):
            continue
        state = found.on(day)
        for s in ("RU", "UA"):
            idx = active[side[active] == s]
            if not len(idx):
                continue
            for i in idx[state.in_claimed(s, lon[idx], lat[idx])]:
                d = state.line_distance_m(lon[i], lat[i])
                if not d <= tolerance_m:
                    verdict[i], as_of[i], dist[i], open_[i] = "reflected", day, d, False
        if not open_.any():
            break
    rest = np.flatnonzero(open_ & (claim_day <= latest))
    if len(rest):
        state = found.on(latest)
        for i in rest:
            x, y, s = lon[i : i + 1], lat[i : i + 1], side[i]
            as_of[i] = latest
            if not state.covered(x, y)[0]:
                continue
            dist[i] = state.line_distance_m(lon[i], lat[i])
            if dist[i] <= tolerance_m:
                verdict[i] = "at_line"
            elif state.in_other(s, x, y)[0]:
                verdict[i] = "contradicted"
            else:
                verdict[i] = "not_reflected"
    return verdict, as_of, dist, latest


def check_claims(
    store: Store,
    events: gpd.GeoDataFrame | None = None,
    claims: pd.DataFrame | None = None,
    *,
    assessors: str | list[str] | None = None,
    kind: str = HELD,
    tolerance_m: float = TOLERANCE_M,
) -> pd.DataFrame:
    """A verdict for every capture claim located to a settlement, per assessor.

    Parameters
    ----------
    store : Store
        Holds the assessments (and the events and claims when not given).
    events : GeoDataFrame, optional
        Events (e.g. the dashboard's filtered, folded events); default every
        capture in the store.
    claims : DataFrame, optional
        Their claims; default the store's claims of those events.
    assessors : str or list of str, optional
        Default every assessor with a series of ``kind``.
    kind : str
        The kind of area read (default ``occupied``).
    tolerance_m : float
        Width of the band at the line (default 500 m).

    Returns
    -------
    DataFrame
        :data:`VERDICT_COLUMNS`, one row per claim and assessor, ordered by
        claim day, place and assessor; empty when nothing is stored or no
        claim is located.
    """
    if events is None:
        events = store.read_events(layers="capture")
    if claims is None:
        claims = store.read_claims(event_ids=events["event_id"].tolist())
    names = _assessors(store, assessors, kind)
    rows = _capture_claims(events, claims)
    if rows.empty or not names:
        return pd.DataFrame(columns=list(VERDICT_COLUMNS))
    parts = []
    for name in names:
        verdict, as_of, dist, latest = _verdicts(store, name, kind, rows, tolerance_m)
        part = rows.assign(assessor=name, verdict=verdict, as_of=as_of, latest_day=latest, distance_m=dist)
        part["text"] = [verdict_text(r, tolerance_m) for r in part.to_dict("records")]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["claim_day", "place", "claim_id", "assessor"], kind="stable").reset_index(drop=True)
    return out[list(VERDICT_COLUMNS)]


def _assessors(store: Store, assessors: str | list[str] | None, kind: str) -> list[str]:
    known = sorted(set(_series.series(store).query("kind == @kind")["assessor"]))
    if assessors is None:
        return known
    wanted = [assessors] if isinstance(assessors, str) else list(assessors)
    unknown = [a for a in wanted if a not in known]
    if unknown:
        raise GeoError(f"no {kind!r} assessment by {', '.join(unknown)}; assessors: {', '.join(known) or 'none'}")
    return wanted


# -- wording ---------------------------------------------------------------------------------------


def _day(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%-d %b %Y}"


def verdict_text(row: dict[str, Any], tolerance_m: float = TOLERANCE_M) -> str:
    """One sentence for a verdict row, naming the assessor and saying it is not ground truth.

    Parameters
    ----------
    row : dict
        A row of :func:`check_claims` (``verdict``, ``assessor``, ``as_of``,
        ``latest_day``, ``claim_day``, ``side``, ``place``).
    tolerance_m : float
        The band at the line, for the wording.

    Returns
    -------
    str
        E.g. "Reflected on 12 Feb 2026 in DeepStateMap's map (…)".
    """
    who, on = row["assessor"], _day(row.get("as_of"))
    holder = {"RU": "Russia", "UA": "Ukraine"}.get(row.get("side"), "the claimed side")
    words = {
        "reflected": f"Reflected on {on}: {who}'s map shows it held by {holder}",
        "at_line": f"At the line as of {on}: within {tolerance_m:,.0f} m of the line on {who}'s map",
        "contradicted": f"Contradicted as of {on}: {who}'s map shows it held by the other side",
        "not_reflected": f"Not reflected as of {on}: {who}'s map does not show it held by {holder}",
    }.get(row["verdict"])
    if words is None:
        latest = row.get("latest_day")
        claimed = row.get("claim_day")
        if latest is not None and claimed is not None and latest < claimed:
            words = f"No assessment by {who} on or after the claim (its latest map is of {_day(latest)})"
        else:
            words = f"No assessment by {who} covering it"
    return f"{words} ({CAVEAT.format(assessor=who)})."


# -- aggregate claims ------------------------------------------------------------------------------


def _figure(value: Any, bound: Any, unit: str) -> str:
    if value is None or pd.isna(value):
        return ""
    sign = _BOUNDS.get(bound if isinstance(bound, str) else "exact", "")
    return f"{sign}{float(value):,.0f}{unit}"


def _period(a: dt.date, b: dt.date) -> str:
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%b %Y}" if a != b else f"{b:%-d %b %Y}"
    if a.year == b.year:
        return f"{a:%-d %b}–{b:%-d %b %Y}"
    return f"{a:%-d %b %Y}–{b:%-d %b %Y}"


def aggregate_text(row: dict[str, Any]) -> str:
    """The claimed figures beside the assessed change, e.g.
    "claimed ≥200 km², 12 settlements · DeepStateMap: +140 / −17 km², 9 settlements gained (1–14 Feb 2026)".

    Parameters
    ----------
    row : dict
        A row of :func:`aggregate_claims`.

    Returns
    -------
    str
        One line, ending with the caveat.
    """
    claimed = ", ".join(
        t
        for t in (
            _figure(row.get("claimed_area_km2"), row.get("area_km2_bound"), " km²"),
            _figure(row.get("claimed_settlements"), row.get("settlements_bound"), " settlements"),
        )
        if t
    )
    who = row["assessor"]
    period = _period(row["period_from"], row["period_to"])
    if row.get("gained_km2") is None or pd.isna(row.get("gained_km2")):
        assessed = f"{who}: no assessment for the period"
    else:
        assessed = (
            f"{who}: +{row['gained_km2']:,.0f} / −{row['lost_km2']:,.0f} km², "
            f"{int(row['settlements_gained'])} settlements gained, {int(row['settlements_lost'])} lost"
        )
    return f"claimed {claimed} · {assessed} ({period}; {CAVEAT.format(assessor=who)})"


def aggregate_claims(
    store: Store,
    events: pd.DataFrame | None = None,
    claims: pd.DataFrame | None = None,
    *,
    assessors: str | list[str] | None = None,
    kind: str = HELD,
) -> pd.DataFrame:
    """Claims with figures (km², settlements) over a period, beside each assessor's change over that period.

    The period is the event's ``time_start``–``time_end``; the assessed change
    compares the map of the eve of the first day with the map of the last day
    (each the latest assessed day on or before), from the claimed side's
    point of view (:func:`geo.control.change.change`).

    Parameters
    ----------
    store : Store
        Holds the assessments (and the events and claims when not given).
    events, claims : DataFrame, optional
        Default every capture in the store and its claims.
    assessors : str or list of str, optional
        Default every assessor with a series of ``kind``.
    kind : str
        The kind of area compared.

    Returns
    -------
    DataFrame
        :data:`AGGREGATE_COLUMNS`, one row per claim and assessor; the
        assessed columns are NaN when the assessor's series does not cover
        the period.
    """
    if events is None:
        events = store.read_events(layers="capture")
    if claims is None:
        claims = store.read_claims(event_ids=events["event_id"].tolist())
    names = _assessors(store, assessors, kind)
    ev = events[(events["layer"] == "capture") & events["side"].isin(("RU", "UA"))]
    has = claims["area_km2"].notna() | claims["settlements"].notna()
    cl = claims[has & claims["stance"].isin(ASSERTING) & claims["event_id"].isin(ev["event_id"])]
    if cl.empty or not names:
        return pd.DataFrame(columns=list(AGGREGATE_COLUMNS))
    meta = ev.set_index("event_id")[["side", "time_start", "time_end"]]
    out = []
    for claim in cl.to_dict("records"):
        side, start, end = meta.loc[claim["event_id"]]
        start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
        for name in names:
            row = {
                "claim_id": claim["claim_id"], "event_id": claim["event_id"], "claimant": claim["claimant"],
                "party": claim["party"], "side": side, "period_from": start, "period_to": end,
                "claimed_area_km2": claim["area_km2"], "area_km2_bound": claim.get("area_km2_bound"),
                "claimed_settlements": claim["settlements"], "settlements_bound": claim.get("settlements_bound"),
                "assessor": name, "day_from": None, "day_to": None, "gained_km2": np.nan, "lost_km2": np.nan,
                "net_km2": np.nan, "settlements_gained": np.nan, "settlements_lost": np.nan,
            }  # fmt: skip
            try:
                c = _change.change(store, start - dt.timedelta(days=1), end, assessor=name, side=side, kind=kind)
            except GeoError:
                c = None
            if c is not None:
                row.update(
                    day_from=c.day_from, day_to=c.day_to, gained_km2=c.gained_km2, lost_km2=c.lost_km2,
                    net_km2=c.net_km2,
                    settlements_gained=sum(s["change"] == "gained" for s in c.settlements),
                    settlements_lost=sum(s["change"] == "lost" for s in c.settlements),
                )  # fmt: skip
            row["text"] = aggregate_text(row)
            out.append(row)
    return pd.DataFrame(out, columns=list(AGGREGATE_COLUMNS))
