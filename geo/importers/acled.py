"""ACLED export CSV → strike and capture events, one claim each.

Mapping (ACLED codebook, ``event_type`` › ``sub_event_type``):

=====================================================  ==========================================
ACLED                                                  model
=====================================================  ==========================================
Explosions/Remote violence › Air/drone strike          strike; weapon ``drone`` when ``notes``
                                                       mention a drone/UAV/Shahed/Geran, else
                                                       ``glide_bomb`` when they mention a
                                                       glide/guided bomb (KAB, FAB, UMPK), else
                                                       ``air`` (a crewed aircraft, or unknown)
Explosions/Remote violence › Shelling/artillery/       strike; weapon ``missile`` when ``notes``
missile attack                                         mention a missile (missile, Iskander,
                                                       Kalibr, Kh-…, ballistic, cruise), else
                                                       ``artillery``
Explosions/Remote violence › any other sub-event       strike; weapon ``unknown`` (mines, IEDs,
                                                       grenades are not model weapons)
Strategic developments › Disrupted weapons use         strike with an interception claim:
                                                       ``intercepted`` = the numbers in ``notes``
                                                       ("shot down 25 drones" → 25, "over 20" →
                                                       at least 20, summed over drones and
                                                       missiles); weapon from ``notes``
Battles › Non-state actor overtakes territory,         capture; side from ``actor1``: Military
Battles › Government regains territory,                Forces of Russia → RU, Military Forces of
Strategic developments › Non-violent transfer of       Ukraine → UA, anything else → other
territory
anything else                                          skipped, counted per "event type ›
                                                       sub-event type"
=====================================================  ==========================================

Other fields: ``geo_precision`` 1/2/3 → exact/near/admin1 (3 keeps no point;
the region is ``admin1`` resolved by name, else the region the point lies
in); ``time_precision`` 1/2/3 → day/week/month; ``event_date`` as
``2026-02-15`` or ``15 February 2026``; event id ``acled-<event_id_cnty>`` so
a re-import updates the same rows (a repeated id in one file: the last row
wins, the earlier ones are skipped). ``fatalities`` > 0 on a strike → the
claim's ``killed`` with bound ``at_least`` (ACLED's estimates are
conservative); 0 says nothing and is not stored.

The claim: claimant = ACLED's ``source`` column (who reported it),
``text`` = ``notes`` (kept verbatim, HTML included: it is escaped on
display), publisher ``ACLED (source: …)``, ``stated_at`` = the event date
with ``stated_precision="event_date"`` (ACLED does not record when the
source spoke), stance ``asserts``. **Party rule**: the ``source`` is split at
``;``; when every part is a Russian official or state source (Russian
ministries, government, military, governors, Kremlin, TASS, RIA Novosti)
the party is ``RU``; when every part is a Ukrainian official source (General
Staff, Armed/Air Forces, ministries, government, military administrations,
Ukrinform) it is ``UA``; anything else (media, monitors, a mix of sides) is
``independent``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.errors import GeoError
from geo.importers import _common, rules
from geo.importers.report import ImportResult
from geo.importers.rules import Rule

__all__ = ["ACLED_COLUMNS", "read_acled"]

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
"""The 31 columns of ACLED's current export."""
_NEEDED = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "country",
    "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
)  # fmt: skip

_REMOTE = "Explosions/Remote violence"
_STRATEGIC = "Strategic developments"
_CAPTURES = {
    ("Battles", "Non-state actor overtakes territory"),
    ("Battles", "Government regains territory"),
    (_STRATEGIC, "Non-violent transfer of territory"),
}
_DISRUPTED = (_STRATEGIC, "Disrupted weapons use")
_GEO_PRECISION = {"1": "exact", "2": "near", "3": "admin1"}
_TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
_COUNTRIES = {"ukraine": "UA", "russia": "RU", "belarus": "BY"}
_COLUMNS = {
    "time_start": "event_date",
    "time_end": "event_date",
    "geometry": "latitude/longitude",
    "admin1": "admin1",
    "place": "location",
    "claimant": "source",
    "stated_at": "event_date",
    "text": "notes",
    "killed": "fatalities",
}

_DRONE = re.compile(r"drone|\buav|shahed|geran|lancet|бпла|дрон", re.IGNORECASE)
_GLIDE = re.compile(r"glide bomb|guided (?:aerial )?bomb|\bkab\b|\bfab\b|\bumpk\b", re.IGNORECASE)
_MISSILE = re.compile(r"missile|iskander|kalibr|\bkh-\d|ballistic|cruise|kinzhal|s-300|ракет", re.IGNORECASE)
_NUMBER = r"(?P<q>at least |over |more than |up to |about |around |some |approximately )?(?P<n>\d[\d,]*)"
_THINGS = r"(?P<what>(?:[\w-]+ ){0,3}?(?:drones?|uavs?|missiles?|rockets?|shaheds?|gerans?))"
_INTERCEPT = [
    re.compile(rf"(?:shot down|downed|intercepted|destroyed|neutrali[sz]ed|suppressed)\s+{_NUMBER}\s+{_THINGS}", re.I),
    re.compile(
        rf"{_NUMBER}\s+{_THINGS}\s+(?:were |was |had been )?(?:shot down|downed|intercepted|destroyed|neutrali[sz]ed)",
        re.I,
    ),
]
_BOUNDS = {"at least": "at_least", "over": "at_least", "more than": "at_least", "up to": "at_most"}
_RU_SOURCE = re.compile(
    r"(of russia|russian (?:ministry|government|military|armed forces|president)|kremlin|\btass\b|ria novosti"
    r"|governor of (?:belgorod|bryansk|kursk|voronezh|rostov|krasnodar|oryol|tula|kaluga|moscow|lipetsk|smolensk)"
    r"|mayor of moscow)",
    re.IGNORECASE,
)
_UA_SOURCE = re.compile(
    r"(of ukraine|ukrainian (?:ministry|government|military|armed forces|air force|general staff|president)"
    r"|general staff|military administration|ukrinform|state emergency service)",
    re.IGNORECASE,
)


def party_of_source(source: str) -> str:
    """Party of an ACLED ``source`` cell (see the module's party rule).

    Parameters
    ----------
    source : str
        ACLED's ``source`` column, sources separated by ``;``.

    Returns
    -------
    str
        ``"RU"``, ``"UA"`` or ``"independent"``.
    """
    parts = [p.strip() for p in str(source or "").split(";") if p.strip()]
    if not parts:
        return "independent"
    ru = [bool(_RU_SOURCE.search(p)) and not _UA_SOURCE.search(p) for p in parts]
    ua = [bool(_UA_SOURCE.search(p)) and not _RU_SOURCE.search(p) for p in parts]
    if all(ru):
        return "RU"
    if all(ua):
        return "UA"
    return "independent"


def intercepted_in(notes: str) -> tuple[float | None, str | None]:
    """Number of drones/missiles ``notes`` say were downed, with its bound.

    Parameters
    ----------
    notes : str
        ACLED's ``notes``.

    Returns
    -------
    tuple of (float or None, str or None)
        The total and its bound (``exact``, ``at_least``, ``at_most``,
        ``about``), or ``(None, None)`` when no figure is stated.

    Examples
    --------
    >>> intercepted_in("Russian air defence shot down 25 drones over Kursk.")
    (25.0, 'exact')
    >>> intercepted_in("Over 30 Ukrainian UAVs were destroyed; 2 missiles intercepted.")
    (32.0, 'at_least')
    """
    total = 0.0
    bounds: set[str] = set()
    seen: set[tuple[int, int]] = set()
    for pattern in _INTERCEPT:
        for m in pattern.finditer(notes or ""):
            span = m.span("n")
            if span in seen:
                continue
            seen.add(span)
            total += float(m.group("n").replace(",", ""))
            q = (m.group("q") or "").strip().lower()
            bounds.add(_BOUNDS.get(q, "about" if q else "exact"))
    if not seen:
        return None, None
    if len(bounds) == 1:
        return total, bounds.pop()
    if bounds <= {"exact", "at_least"}:
        return total, "at_least"
    return total, "about"


def _parse_dates(s: pd.Series) -> pd.Series:
    iso = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    rest = iso.isna() & s.ne("")
    if rest.any():
        iso[rest] = pd.to_datetime(s[rest].str.strip(), format="%d %B %Y", errors="coerce")
    return iso


_RULES = (
    Rule("event_id_cnty", "required", fix="every ACLED row has an id"),
    Rule("event_date", "date", parse=_parse_dates, optional=False, fix="use 2026-02-15"),
    Rule("event_date", "recent"),
    Rule("geo_precision", "one_of", choices=_GEO_PRECISION, optional=False, why="not 1, 2 or 3: {value!r}"),
    Rule("time_precision", "one_of", choices=_TIME_PRECISION, optional=False, why="not 1, 2 or 3: {value!r}"),
    *rules.coordinates(when=("geo_precision", ("exact", "near")), missing="no coordinates for geo_precision 1 or 2"),
    Rule("fatalities", "count", fix="write a whole number"),
)
"""What an ACLED row must be to be read (the rows kept as strikes, interceptions or captures)."""


def _read_acled(path: Path, dataset: str, today: dt.date | None = None) -> ImportResult:
    """Core: read an ACLED export (see the module docstring for the mapping)."""
    df = _common.read_text_table(path)
    header = {str(c).strip().lower() for c in df.columns}
    if "sub_event_type" not in header and {"event_id_cnty", "event_type"} <= header:
        raise GeoError(
            f"{path.name} is an ACLED export from before 2019 (no sub_event_type column); export the events "
            "again from ACLED, whose current files code every event's sub-event type"
        )
    s = _common.text_frame(df, _NEEDED, "an ACLED export", path.name)
    result = ImportResult(source=str(path), format="acled", dataset=dataset, rows=len(df))
    rows = np.arange(1, len(df) + 1)

    kind = pd.Series(np.full(len(df), None, dtype=object))
    etype, sub = s["event_type"], s["sub_event_type"]
    kind[(etype == _REMOTE).to_numpy()] = "strike"
    kind[((etype == _DISRUPTED[0]) & (sub == _DISRUPTED[1])).to_numpy()] = "intercept"
    pairs = list(zip(etype, sub, strict=True))
    kind[np.array([p in _CAPTURES for p in pairs], dtype=bool)] = "capture"
    unused = kind.isna().to_numpy()
    reasons = (etype + " › " + sub).where(etype.ne("") | sub.ne(""), "no event type").to_numpy()
    for reason in pd.unique(reasons[unused]):
        result.skip(f"not a strike, interception or capture: {reason}", rows[unused & (reasons == reason)].tolist())

    ids = s["event_id_cnty"]
    dup = ids.duplicated(keep="last").to_numpy() & ids.ne("").to_numpy() & ~unused
    result.skip("event_id_cnty repeated: the file's last row with it is kept", rows[dup].tolist())
    use = ~unused & ~dup

    checked = rules.check(s, _RULES, rows=rows, scope=use, today=today)
    result.reject(checked.problems)
    bad = checked.bad
    dates = checked.values["event_date"]
    geo_prec = checked.values["geo_precision"]
    time_prec = checked.values["time_precision"]
    lat, lon, fat = (checked.values[c] for c in ("latitude", "longitude", "fatalities"))

    keep = use & ~bad
    k = np.flatnonzero(keep)
    n = len(k)
    kind_k = kind.to_numpy()[k]
    notes = s["notes"].to_numpy()[k]
    sub_k = sub.to_numpy()[k]
    event_ids = "acled-" + ids.to_numpy()[k].astype(object)
    gprec = geo_prec[k]

    weapon = np.full(n, None, dtype=object)
    has_drone = _common.per_unique(notes, lambda t: bool(_DRONE.search(t))).astype(bool)
    has_missile = _common.per_unique(notes, lambda t: bool(_MISSILE.search(t))).astype(bool)
    strike = kind_k == "strike"
    weapon[strike] = "unknown"
    air = strike & (sub_k == "Air/drone strike")
    has_glide = _common.per_unique(notes, lambda t: bool(_GLIDE.search(t))).astype(bool)
    weapon[air] = np.where(has_drone[air], "drone", np.where(has_glide[air], "glide_bomb", "air"))

    shelling = strike & (sub_k == "Shelling/artillery/missile attack")
    weapon[shelling] = np.where(has_missile[shelling], "missile", "artillery")
    icpt = kind_k == "intercept"
    weapon[icpt] = np.where(
        has_drone[icpt] & has_missile[icpt],
        "mixed",
        np.where(has_drone[icpt], "drone", np.where(has_missile[icpt], "missile", "unknown")),
    )

    actor1 = s["actor1"].to_numpy()[k]
    side = np.full(n, None, dtype=object)
    capture = kind_k == "capture"
    side[capture] = np.where(
        np.char.find(actor1[capture].astype(str), "Military Forces of Russia") >= 0,
        "RU",
        np.where(np.char.find(actor1[capture].astype(str), "Military Forces of Ukraine") >= 0, "UA", "other"),
    )

    admin1_names = s["admin1"].to_numpy()[k]
    admin1 = np.full(n, None, dtype=object)
    geo_prec_k = gprec.copy()
    region_only = gprec == "admin1"
    if region_only.any():
        from geo import reference

        codes = _common.per_unique(admin1_names[region_only], lambda t: reference.find_region(t) if t else None)
        lat_k, lon_k = lat[k][region_only], lon[k][region_only]
        located = np.isfinite(lat_k) & np.isfinite(lon_k)
        if (pd.isna(codes) & located).any():
            from_point = np.full(len(codes), None, dtype=object)
            from_point[located] = reference.regions_of(lon_k[located], lat_k[located])
            codes = np.where(pd.isna(codes), from_point, codes)
        admin1[region_only] = codes
        country = _common.per_unique(s["country"].to_numpy()[k][region_only], lambda t: t.lower())
        no_region = pd.isna(codes)
        prec = np.where(no_region, "country", "admin1")
        geo_prec_k[region_only] = prec
        unknown_country = no_region & ~np.isin(country, list(_COUNTRIES))
        geo_prec_k[np.flatnonzero(region_only)[unknown_country]] = "unknown"
    country_k = np.full(n, None, dtype=object)
    country_names = np.char.lower(s["country"].to_numpy()[k].astype(str))
    country_only = geo_prec_k == "country"
    country_k[country_only] = [_COUNTRIES[c] for c in country_names[country_only]]

    geometry = np.full(n, None, dtype=object)
    with_point = np.isin(geo_prec_k, ["exact", "near"])
    geometry[with_point] = shapely.points(lon[k][with_point], lat[k][with_point])

    place = s["location"].to_numpy()[k]
    date_k = dates.to_numpy()[k]
    title = np.where(
        capture,
        np.char.add(np.char.add(place.astype(str), " taken by "), actor1.astype(str)),
        np.where(
            icpt,
            np.char.add("Interception over ", place.astype(str)),
            np.char.add(np.char.add(sub_k.astype(str), " in "), place.astype(str)),
        ),
    )
    events = gpd.GeoDataFrame(
        {
            "event_id": event_ids,
            "layer": np.where(capture, "capture", "strike"),
            "place": place,
            "admin1": admin1,
            "country": country_k,
            "geo_precision": geo_prec_k,
            "geo_source": "ACLED",
            "time_start": date_k,
            "time_end": date_k,
            "time_precision": time_prec[k],
            "dataset": dataset,
            "title": title,
            "side": side,
            "weapon": weapon,
        },
        geometry=gpd.GeoSeries(geometry, crs=schema.CRS),
    )

    source = s["source"].to_numpy()[k]
    party = _common.per_unique(source, party_of_source)
    claims = pd.DataFrame(
        {
            "claim_id": event_ids + "-acled",
            "event_id": event_ids,
            "claimant": np.where(source == "", "ACLED (source not given)", source),
            "party": party,
            "stated_at": date_k,
            "stated_precision": "event_date",
            "stance": "asserts",
            "text": np.where(notes == "", None, notes),
            "source_title": "ACLED event " + ids.to_numpy()[k].astype(object),
            "publisher": np.char.add(np.char.add("ACLED (source: ", source.astype(str)), ")"),
            "language": "en",
        }
    )
    killed = np.where(strike & (fat[k] > 0), fat[k], np.nan)
    claims["killed"] = killed
    claims["killed_bound"] = np.where(np.isnan(killed), None, "at_least")
    icpt_figs = [intercepted_in(t) if i else (None, None) for t, i in zip(notes, icpt, strict=True)]
    claims["intercepted"] = np.array([f for f, _ in icpt_figs], dtype=float)
    claims["intercepted_bound"] = np.array([b for _, b in icpt_figs], dtype=object)
    if icpt.any():
        no_figure = int(np.isnan(claims["intercepted"].to_numpy()[icpt]).sum())
        if no_figure:
            result.notes.append(f"{no_figure} interception(s) state no number in notes: kept without a figure")
    return _common.finish(result, events, claims, rows[k], columns=_COLUMNS, today=today)


def read_acled(
    path: str | Path, *, dataset: str | None = None, max_bytes: int | None = None, today: dt.date | None = None
) -> ImportResult:
    """Read an ACLED export CSV into strike and capture events.

    Parameters
    ----------
    path : str or Path
        The CSV (ACLED's export columns, today's or those of 2019–2022;
        extra columns are ignored, the header's case does not matter).
    dataset, max_bytes, today
        As for :func:`geo.importers.read_file`.

    Returns
    -------
    ImportResult
        Validated events and claims plus what was skipped and rejected.

    Raises
    ------
    GeoError
        When nothing can be read: no file, empty, binary, over the size
        limit, or not an ACLED export (names the missing columns).
    """
    return _read_acled(*_common.open_input(path, max_bytes, dataset), today)
