"""Validation of events and claims, once, at the edge.

:func:`validate` walks a whole input (events and their claims), collects every
problem it finds and raises one :class:`~geo.errors.ValidationError` naming row,
column, what is wrong and how to fix it. What passes comes back *normalised*:
a new GeoDataFrame/DataFrame with every schema column present, in its dtype,
with what can be derived filled in (``country`` from ``admin1``, ``admin1``
from a point, a figure's bound defaulting to ``exact``). The caller's frames
are never modified.

Checks are vectorised, so a million synthetic events validate in seconds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import layers, placement, present, schema
from geo.errors import Problem, ValidationError

__all__ = ["EARLIEST", "MAX_ROWS_PER_PROBLEM", "validate", "validate_claims", "validate_events"]

EARLIEST = pd.Timestamp("2014-01-01")
"""No event of this war is dated before 2014; an earlier date is a typo."""
MAX_ROWS_PER_PROBLEM = 20
"""How many rows one kind of problem lists before it says '… and N more'."""
_ISO_3166_2 = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


class _Collector:
    """Collect problems, listing at most a few rows of each kind."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def rows(self, mask: np.ndarray | pd.Series, column: str, message: str, fix: str | None = None) -> None:
        """Add one problem per flagged row (capped), 1-based row numbers."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in idx[:MAX_ROWS_PER_PROBLEM]:
            self.problems.append(Problem(message, row=int(i) + 1, column=column, fix=fix))
        if len(idx) > MAX_ROWS_PER_PROBLEM:
            self.problems.append(
                Problem(f"{message} — and {len(idx) - MAX_ROWS_PER_PROBLEM} more rows", column=column, fix=fix)
            )

    def row_values(
        self, mask: np.ndarray | pd.Series, values: pd.Series, column: str, what: str, fix: str | None = None
    ) -> None:
        """Like :meth:`rows`, naming each row's offending value."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        for i in idx[:MAX_ROWS_PER_PROBLEM]:
            self.problems.append(Problem(f"{what}: {values.iloc[i]!r}", row=int(i) + 1, column=column, fix=fix))
        if len(idx) > MAX_ROWS_PER_PROBLEM:
            self.problems.append(
                Problem(f"{what} — and {len(idx) - MAX_ROWS_PER_PROBLEM} more rows", column=column, fix=fix)
            )

    def add(self, message: str, column: str | None = None, fix: str | None = None) -> None:
        self.problems.append(Problem(message, column=column, fix=fix))

    def raise_if_any(self, context: str) -> None:
        if self.problems:
            raise ValidationError(self.problems, context=context)


def _per_unique(s: pd.Series, fn: Callable[[object], object], dtype: type = object) -> np.ndarray:
    """Apply ``fn`` once per distinct value (``None`` for missing) and spread the results.

    Columns of a large input repeat few values (layers, codes, parties), so this
    is what keeps per-cell checks vectorised.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    values = np.array([fn(u) for u in uniques] + [fn(None)], dtype=dtype)
    return values[codes]


def _text(s: pd.Series) -> pd.Series:
    """Strip strings; missing and blank become None (object dtype). Numbers become text."""
    if s.isna().all():
        return pd.Series([None] * len(s), index=s.index, dtype=object)
    text = s.astype("string[pyarrow]").str.strip()
    text = text.mask(text.eq(""))
    return text.astype(object).where(text.notna(), None)


def _blank(s: pd.Series) -> pd.Series:
    """True where a cell is missing or only white space."""
    return _text(s).isna()


def _check_choices(col: schema.Column, s: pd.Series, c: _Collector) -> None:
    """Flag values outside a column's choices (each part for multi columns)."""
    if not col.choices:
        return
    allowed = set(col.choices)
    if col.multi:
        bad = _per_unique(s, lambda v: not all(p in allowed for p in schema.split_multi(v)), bool)
    else:
        bad = _per_unique(s, lambda v: v is not None and v not in allowed, bool)
    c.row_values(bad, s, col.name, "unknown value", fix=f"use one of: {', '.join(col.choices)}")


def _coerce_dates(s: pd.Series, column: str, c: _Collector, *, with_time: bool) -> pd.Series:
    """Parse dates (ISO strings, datetimes); flag what does not parse."""
    parsed = pd.to_datetime(s, errors="coerce", utc=False, format="mixed")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)  # keep the local time as reported
    bad = s.notna() & ~_blank(s) & parsed.isna()
    c.row_values(bad, s, column, "not a date", fix="write dates as YYYY-MM-DD")
    parsed = parsed.astype("datetime64[ms]")
    return parsed if with_time else parsed.dt.normalize()


def _check_date_range(s: pd.Series, column: str, c: _Collector, today: pd.Timestamp) -> None:
    early = s.notna() & (s < EARLIEST)
    c.row_values(early, s.dt.strftime("%Y-%m-%d"), column, "date before 2014", fix="check the year")
    late = s.notna() & (s > today + pd.Timedelta(days=1))
    c.row_values(late, s.dt.strftime("%Y-%m-%d"), column, "date in the future", fix="check the date")


def _frame_with_columns(df: pd.DataFrame, columns: Iterable[schema.Column]) -> pd.DataFrame:
    """A copy of ``df`` (positional index) with every schema column present."""
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in columns:
        out[col.name] = df[col.name].to_numpy() if col.name in df.columns else None
    return out


def _required(columns: Iterable[schema.Column], df: pd.DataFrame, c: _Collector, derived: set[str]) -> None:
    for col in columns:
        if not col.required or col.name in derived:
            continue
        if col.name not in df.columns:
            c.add("required column is missing", column=col.name, fix="add the column")
            continue
        c.rows(_blank(df[col.name]), col.name, "required value is empty")


def _geometry(events: pd.DataFrame) -> gpd.GeoSeries:
    """The events' geometry in EPSG:4326 (reprojected if needed), or all-null."""
    if isinstance(events, gpd.GeoDataFrame) and events.geometry.name in events.columns:
        geom = events.geometry
        if geom.crs is not None and geom.crs != schema.CRS:
            geom = geom.to_crs(schema.CRS)
        return gpd.GeoSeries(geom.to_numpy(), crs=schema.CRS)
    return gpd.GeoSeries([None] * len(events), crs=schema.CRS)


def _check_geometry(out: pd.DataFrame, geom: gpd.GeoSeries, c: _Collector) -> dict[str, int]:
    """Coordinates finite and in range, precision consistent, each located event placed in its region(s).

    Placing follows :func:`geo.placement.place` (the stated region wins within
    the tolerance, coastal points snap, events at sea keep their country and
    no region). Fills ``admin1`` (and ``country`` at sea) in ``out``; returns
    how many located events were placed each way.
    """
    has = ~(geom.isna() | geom.is_empty).to_numpy()
    needs = out["geo_precision"].isin(["exact", "near"]).to_numpy() & ~has
    c.rows(needs, "geometry", "precision says exact/near but there is no geometry", "give lon/lat or lower it")
    if not has.any():
        return {}
    values = geom.to_numpy()
    bounds = np.full((len(geom), 4), np.nan)
    bounds[has] = shapely.bounds(values[has])
    nonfinite = has & ~np.isfinite(bounds).all(axis=1)
    c.rows(
        nonfinite,
        "geometry",
        "coordinates are not finite numbers (inf, -inf or NaN)",
        "give WGS84 longitude and latitude in decimal degrees",
    )
    with np.errstate(invalid="ignore"):
        out_of_range = (
            has
            & ~nonfinite
            & ((bounds[:, 0] < -180) | (bounds[:, 2] > 180) | (bounds[:, 1] < -90) | (bounds[:, 3] > 90))
        )
    c.rows(
        out_of_range,
        "geometry",
        "coordinates outside longitude -180..180 / latitude -90..90",
        "coordinates must be WGS84 degrees (EPSG:4326); are they in metres?",
    )
    ok = has & ~out_of_range & ~nonfinite
    if not ok.any():
        return {}
    given = out["admin1"].to_numpy()
    given_country = out["country"].to_numpy()
    placed = placement.place(
        np.where(ok, values, None), stated=np.where(ok, given, None), country=np.where(ok, given_country, None)
    )
    ground = [spec.name for spec in layers.all_specs() if spec.timeline == "counts"]  # talks meet abroad
    located = ok & out["layer"].isin(ground).to_numpy()
    how = placed.how
    nowhere = located & (how == "outside")
    c.rows(
        nowhere & placed.swapped,
        "geometry",
        "point lies outside every known region",
        "latitude and longitude look swapped",
    )
    c.rows(
        nowhere & ~placed.swapped,
        "geometry",
        "point lies outside every known region (Ukraine, Russia, Belarus)",
        "check the coordinates",
    )
    sea = ok & (how == "sea")
    c.rows(
        located & sea & pd.isna(placed.country),
        "country",
        f"point lies at sea, farther than {placement.TOLERANCE_KM:g} km from every region, and no country is given",
        "give the country (or region) the source states: an event at sea keeps its country and no region",
    )
    bad_region = ok & pd.notna(given) & placed.disagrees
    c.row_values(
        bad_region,
        pd.Series([f"{given[i]} (point is in {placed.found[i]})" for i in range(len(out))]),
        "admin1",
        "point lies outside the region given",
        "correct admin1 or the coordinates",
    )
    fill = ok & np.isin(how, ["inside", "stated", "snapped"]) & pd.notna(placed.admin1)
    fill &= located | pd.isna(given)
    out.loc[fill, "admin1"] = placed.admin1[fill]
    out.loc[sea & located, "admin1"] = None
    at_sea = sea & located & pd.isna(given_country)
    out.loc[at_sea, "country"] = placed.country[at_sea]
    return placed.counts(located & ~nowhere & ~bad_region)


def _derive_country(out: pd.DataFrame, c: _Collector) -> None:
    """Country from the (first) ISO 3166-2 code; a contradicting country is an error."""
    first = pd.Series(_per_unique(out["admin1"], lambda v: (schema.split_multi(v) or [""])[0][:2] or None))
    given = out["country"]
    conflict = (first.notna() & given.notna() & (first != given)).to_numpy()
    c.row_values(
        conflict,
        given,
        "country",
        "country disagrees with the admin1 code",
        "country comes from the ISO 3166-2 code (Crimea UA-43 is UA)",
    )
    out["country"] = pd.Series(np.where(given.notna(), given, first), dtype=object)


def validate_events(events: pd.DataFrame, *, context: str = "events", today: dt.date | None = None) -> gpd.GeoDataFrame:
    """Validate and normalise events.

    Parameters
    ----------
    events : DataFrame or GeoDataFrame
        One row per event, columns as :data:`geo.schema.EVENT_COLUMNS`; a
        GeoDataFrame in any CRS (reprojected to EPSG:4326) or a DataFrame
        without geometry (every event then at region precision or coarser).
    context : str
        Name of the input, used in front of the error message.
    today : date, optional
        Dates after this are rejected as in the future (default: today).

    Returns
    -------
    GeoDataFrame
        A new frame, EPSG:4326, every schema column present, ``country`` and
        ``admin1`` derived where missing.

    Raises
    ------
    ValidationError
        Listing every problem found.
    """
    c = _Collector()
    _required(schema.EVENT_COLUMNS, events, c, derived=set())
    c.raise_if_any(context)
    out = _frame_with_columns(events, schema.EVENT_COLUMNS)
    for col in schema.EVENT_COLUMNS:
        if col.dtype == "str":
            out[col.name] = _text(out[col.name])
            _check_choices(col, out[col.name], c)
    dup = out["event_id"].duplicated(keep=False).to_numpy()
    c.row_values(dup, out["event_id"], "event_id", "duplicate event_id", "every event needs its own id")

    today_ts = pd.Timestamp(today or dt.date.today())
    for name in ("time_start", "time_end"):
        out[name] = _coerce_dates(out[name], name, c, with_time=False)
        _check_date_range(out[name], name, c, today_ts)
    order = (out["time_end"] < out["time_start"]).to_numpy()
    c.row_values(
        order,
        out["time_start"].dt.strftime("%Y-%m-%d") + " > " + out["time_end"].dt.strftime("%Y-%m-%d"),
        "time_end",
        "time_end is before time_start",
        "swap the dates",
    )

    bad_code = _per_unique(out["admin1"], lambda v: any(not _ISO_3166_2.match(p) for p in schema.split_multi(v)), bool)
    c.row_values(bad_code, out["admin1"], "admin1", "not an ISO 3166-2 code", "use codes like UA-23 or RU-BRY")
    geom = _geometry(events)
    placed: dict[str, int] = {}
    if not c.problems:
        placed = _check_geometry(out, geom, c)  # may fill admin1 from the point
    _derive_country(out, c)
    c.raise_if_any(context)
    result = gpd.GeoDataFrame(out, geometry=geom.to_numpy(), crs=schema.CRS)
    result.attrs["placed"] = placed
    return result


def validate_claims(
    claims: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    context: str = "claims",
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Validate and normalise claims.

    Parameters
    ----------
    claims : DataFrame
        One row per claim, columns as :data:`geo.schema.CLAIM_COLUMNS`.
    events : DataFrame, optional
        The events the claims belong to (``event_id``, ``layer``). When given,
        every claim must name one of them and state only figures of its
        layer, and every event must have at least one claim.
    context : str
        Name of the input, used in front of the error message.
    today : date, optional
        Statements after this are rejected as in the future.

    Returns
    -------
    DataFrame
        A new frame with every schema column, figures as floats and each
        stated figure's bound filled (``exact`` unless given).

    Raises
    ------
    ValidationError
        Listing every problem found.
    """
    c = _Collector()
    _required(schema.CLAIM_COLUMNS, claims, c, derived={"stated_precision"})
    c.raise_if_any(context)
    out = _frame_with_columns(claims, schema.CLAIM_COLUMNS)
    for col in schema.CLAIM_COLUMNS:
        if col.dtype == "str":
            out[col.name] = _text(out[col.name])
    out["stated_precision"] = out["stated_precision"].where(out["stated_precision"].notna(), "day")
    for col in schema.CLAIM_COLUMNS:
        if col.dtype == "str":
            _check_choices(col, out[col.name], c)
    dup = out["claim_id"].duplicated(keep=False).to_numpy()
    c.row_values(dup, out["claim_id"], "claim_id", "duplicate claim_id", "every claim needs its own id")
    out["stated_at"] = _coerce_dates(out["stated_at"], "stated_at", c, with_time=True)
    _check_date_range(out["stated_at"], "stated_at", c, pd.Timestamp(today or dt.date.today()))

    url = out["source_url"]
    bad_url = _per_unique(url, lambda v: v is not None and present.safe_url(v) is None, bool)  # the one rule
    c.row_values(bad_url, url, "source_url", "not a web address", "give an http(s) address with a host: https://…")

    _normalise_figures(out, c)
    if events is not None:
        _check_claims_against_events(out, events, c)
    c.raise_if_any(context)
    return out


def _normalise_figures(out: pd.DataFrame, c: _Collector) -> None:
    """Figures numeric and >= 0; bound 'exact' by default, never without a figure."""
    for fig in schema.CLAIM_FIGURES:
        bcol = schema.bound_column(fig)
        raw = out[fig]
        num = pd.to_numeric(raw, errors="coerce")
        c.row_values((raw.notna() & num.isna()).to_numpy(), raw, fig, "not a number", "write a plain number")
        c.row_values((num < 0).to_numpy(), raw, fig, "negative figure", "figures count things: use >= 0")
        out[fig] = num.astype(float)
        orphan = (out[bcol].notna() & num.isna()).to_numpy()
        c.rows(orphan, bcol, "bound given without a figure", f"give {fig} or drop the bound")
        out[bcol] = out[bcol].where(num.isna() | out[bcol].notna(), "exact")
        out.loc[num.isna(), bcol] = None


def _check_claims_against_events(out: pd.DataFrame, events: pd.DataFrame, c: _Collector) -> None:
    """Claims name existing events and state only figures of their event's layer (per the registry, now)."""
    ids = pd.Index(events["event_id"].to_numpy(dtype=object))
    keep = ~ids.duplicated()
    ids = ids[keep]
    specs = layers.all_specs()
    names = pd.Index([spec.name for spec in specs])
    layer_codes = names.get_indexer(events["layer"].to_numpy(dtype=object)[keep])  # -1: unknown
    claim_ids = out["event_id"].to_numpy(dtype=object)
    pos = ids.get_indexer(claim_ids)
    c.row_values(pos < 0, out["event_id"], "event_id", "claim names an event that does not exist")
    layer_idx = np.where(pos < 0, -1, layer_codes[pos])
    for fig in schema.CLAIM_FIGURES:
        allowed = [i for i, spec in enumerate(specs) if fig in spec.figures]
        ok = np.isin(layer_idx, allowed) | (layer_idx < 0)
        wrong = out[fig].notna().to_numpy() & ~ok
        where = ", ".join(specs[i].name for i in allowed) or "no layer"
        c.rows(wrong, fig, f"figure {fig!r} does not belong to this event's layer", f"only for {where}")
    orphans = ids[~ids.isin(claim_ids)]
    for event_id in orphans[:MAX_ROWS_PER_PROBLEM]:
        c.add(f"event {event_id!r} has no claim", column="event_id", fix="every event is somebody's statement")
    if len(orphans) > MAX_ROWS_PER_PROBLEM:
        c.add(f"… and {len(orphans) - MAX_ROWS_PER_PROBLEM} more events without a claim", column="event_id")


def validate(
    events: pd.DataFrame, claims: pd.DataFrame, *, context: str = "input", today: dt.date | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Validate events and their claims together.

    Parameters
    ----------
    events : DataFrame or GeoDataFrame
        The events (see :func:`validate_events`).
    claims : DataFrame
        Their claims (see :func:`validate_claims`).
    context : str
        Name of the input, put in front of the message.
    today : date, optional
        Reference date for "in the future".

    Returns
    -------
    tuple of (GeoDataFrame, DataFrame)
        Normalised events and claims.

    Raises
    ------
    ValidationError
        Every problem of both tables in one error.
    """
    problems: list[Problem] = []
    ev = cl = None
    try:
        ev = validate_events(events, context=f"{context} events", today=today)
    except ValidationError as err:
        problems += [Problem(p.message, p.row, f"events.{p.column}" if p.column else None, p.fix) for p in err.problems]
    try:
        cl = validate_claims(claims, events if ev is None else ev, context=f"{context} claims", today=today)
    except ValidationError as err:
        problems += [Problem(p.message, p.row, f"claims.{p.column}" if p.column else None, p.fix) for p in err.problems]
    if problems or ev is None or cl is None:
        raise ValidationError(problems, context=context)
    return ev, cl
