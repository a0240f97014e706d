"""ACLED export CSV → strike and capture events, one claim each.

Every generation of ACLED's export is read, by its own rules: today's (31
columns since March 2023, with ``disorder_type``), 2019–2022's (with
``data_id``, ``iso``, ``event_id_no_cnty``, ``iso3``) and 2016's (upper-case
``GWNO``, ``EVENT_ID_CNTY``, ``ALLY_ACTOR_1``…, no ``sub_event_type``, the
old event types). Headers in any case, with or without a byte-order mark,
quoted or not, CRLF or LF; UTF-8, or Windows-1252/1251 as Excel saves it
(:mod:`geo.importers._encoding`; the report says which). Dates in every shape
ACLED files carry, checked against ``year`` (:mod:`geo.importers._acled_dates`).

Mapping (``event_type`` › ``sub_event_type``; 2016's types on the right):

=====================================================  ==========================================
ACLED                                                  model
=====================================================  ==========================================
Explosions/Remote violence › Air/drone strike,         strike; weapon ``drone`` when ``notes``
Shelling/artillery/missile attack                      mention a drone/UAV/Shahed/Geran, else
(2016: Remote violence, when the notes name an         ``glide_bomb`` (KAB, FAB, UMPK), else
aerial, artillery or missile attack)                   ``air``; shelling: ``missile`` when they
                                                       name one, else ``artillery``. Skipped when
                                                       the notes describe an accident, demining or
                                                       unexploded ordnance, an assassination, car
                                                       bomb or planted explosive, or a landmine
                                                       and no attack
Explosions/Remote violence › Remote explosive/         skipped by their type, unless the notes
landmine/IED, Grenade, Suicide bomb, Chemical weapon   describe an aerial, artillery or missile
                                                       attack (a drone dropping a grenade):
                                                       then a strike, weapon from the notes
Strategic developments › Disrupted weapons use         an interception claim, only when the notes
                                                       describe one (shot down, intercepted, air
                                                       defence; drones/missiles destroyed):
                                                       ``intercepted`` = the figures in the notes,
                                                       in digits or words, summed; defusals,
                                                       demining, seized weapons and caches are
                                                       skipped by reason
Battles › Non-state actor overtakes territory,         capture; side from ``actor1``: Military
Battles › Government regains territory,                Forces of Russia → RU, Military Forces of
Strategic developments › Non-violent transfer of       Ukraine → UA, anything else → other
territory (2016: Battle-Non-state actor overtakes
territory, Battle-Government regains territory,
Non-violent transfer of territory)
anything else                                          skipped, counted per "event type ›
                                                       sub-event type"
=====================================================  ==========================================

Rows outside the covered area (``country`` other than Ukraine, Russia,
Belarus) are skipped and counted per country. Place: ``geo_precision`` 1/2
keep the point (exact/near) and pass the stated region (``admin1`` by name,
see :mod:`geo.importers._acled_place`) and country to validation, which
places the point; 3 keeps no point: the stated region, else the region the
point lies in, else the country. ``time_precision`` 1/2/3 → day/week/month;
event id ``acled-<event_id_cnty>`` so a re-import updates the same rows (a
repeated id in one file: the last row wins, the earlier ones are skipped).
``fatalities`` > 0 on a strike → the claim's ``killed`` with bound
``at_least`` (ACLED's estimates are conservative); 0 says nothing.

The claim: claimant = ACLED's ``source`` column (who reported it),
``text`` = ``notes`` (kept verbatim, HTML included: it is escaped on
display), publisher ``ACLED (source: …)``, ``stated_at`` = the event date
with ``stated_precision="event_date"`` (ACLED does not record when the
source spoke), stance ``asserts``, party by
:data:`geo.importers._acled_text.PARTY_TABLE` (:func:`party_of_source`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.errors import GeoError
from geo.importers import _acled_text, _common, _encoding, rules
from geo.importers._acled_dates import EventDates, parse_event_dates
from geo.importers._acled_place import country_codes, stated_regions
from geo.importers._acled_text import intercepted_in, party_of_source
from geo.importers.report import ImportResult
from geo.importers.rules import Rule

__all__ = [
    "ACLED_COLUMNS",
    "ACLED_COLUMNS_2016",
    "ACLED_COLUMNS_2019",
    "intercepted_in",
    "party_of_source",
    "read_acled",
]

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
"""The 31 columns of ACLED's current export (since March 2023)."""
ACLED_COLUMNS_2019 = (
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year", "time_precision", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "timestamp", "iso3",
)  # fmt: skip
"""The 31 columns of ACLED's export of 2019 to March 2023."""
ACLED_COLUMNS_2016 = (
    "GWNO", "EVENT_ID_CNTY", "EVENT_ID_NO_CNTY", "EVENT_DATE", "YEAR", "TIME_PRECISION", "EVENT_TYPE", "ACTOR1",
    "ALLY_ACTOR_1", "INTER1", "ACTOR2", "ALLY_ACTOR_2", "INTER2", "INTERACTION", "COUNTRY", "ADMIN1", "ADMIN2",
    "ADMIN3", "LOCATION", "LATITUDE", "LONGITUDE", "GEO_PRECISION", "SOURCE", "NOTES", "FATALITIES",
)  # fmt: skip
"""The 25 columns of ACLED's 2016 files (version 7), before sub-event types."""
_NEEDED_2016 = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "actor1", "country",
    "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
)  # fmt: skip
_NEEDED = (*_NEEDED_2016[:4], "sub_event_type", *_NEEDED_2016[4:])

_REMOTE = {"explosions/remote violence", "remote violence"}
_DISRUPTED = ("strategic developments", "disrupted weapons use")
_CAPTURES = {
    ("battles", "non-state actor overtakes territory"),
    ("battles", "government regains territory"),
    ("strategic developments", "non-violent transfer of territory"),
}
_CAPTURES_2016 = {
    "battle-non-state actor overtakes territory",
    "battle-government regains territory",
    "non-violent transfer of territory",
}
_GEO_PRECISION = {"1": "exact", "2": "near", "3": "admin1"}
_TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
_COLUMNS = {
    "time_start": "event_date",
    "time_end": "event_date",
    "geometry": "latitude/longitude",
    "admin1": "admin1",
    "country": "country",
    "place": "location",
    "claimant": "source",
    "stated_at": "event_date",
    "text": "notes",
    "killed": "fatalities",
}
_TIMESTAMP_FIX = (
    "ACLED's timestamp column is when the row was uploaded or last changed, not the event's date; "
    "give event_date (2026-02-15)"
)


_NO_POINT = "no coordinates for geo_precision 1 or 2"


def _kind(etype: str, sub: str) -> str | None:
    """``capture``, ``remote`` (an explosion), ``disrupted`` or None, from the event type and sub-event type."""
    e, s = etype.strip().lower(), sub.strip().lower()
    if (e, s) in _CAPTURES or (not s and e in _CAPTURES_2016):
        return "capture"
    if e in _REMOTE:
        return "remote"
    if (e, s) == _DISRUPTED:
        return "disrupted"
    return None


def _rules(dates: EventDates) -> tuple[Rule, ...]:
    """What an ACLED row must be to be read (the rows kept as strikes, interceptions or captures)."""
    return (
        Rule("event_id_cnty", "required", fix="every ACLED row has an id"),
        Rule("event_date", "required", fix=_TIMESTAMP_FIX),
        Rule(
            "event_date",
            "test",
            ok=lambda _s: ~dates.unix,
            why="a Unix time, not a date: {value!r}",
            fix=_TIMESTAMP_FIX,
        ),
        Rule(
            "event_date",
            "test",
            ok=lambda _s: ~dates.ambiguous,
            why="reads as two dates, day or month first: {value!r} (the file has rows of both orders)",
            fix="write it as 2026-02-15",
        ),
        Rule("event_date", "date", parse=lambda _s: dates.values, fix="use 2026-02-15"),
        Rule(
            "event_date",
            "test",
            ok=lambda _s: ~dates.year_mismatch,
            why="not in the year the year column gives: {value!r}",
            fix="check event_date and year",
        ),
        Rule("event_date", "recent"),
        Rule("country", "required", fix="ACLED names the country of every event"),
        Rule("geo_precision", "one_of", choices=_GEO_PRECISION, optional=False, why="not 1, 2 or 3: {value!r}"),
        Rule("time_precision", "one_of", choices=_TIME_PRECISION, optional=False, why="not 1, 2 or 3: {value!r}"),
        *rules.coordinates(
            when=("geo_precision", ("exact", "near")), missing="no coordinates for geo_precision 1 or 2"
        ),
        Rule("fatalities", "count", fix="write a whole number"),
    )


def _frame(path: Path, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series | None, str]:
    """The needed columns as text, the ``year`` cells, and which generation of ACLED's export the file is."""
    header = {str(c).strip().lstrip("\ufeff").lower() for c in df.columns}
    if "event_date" not in header and "timestamp" in header:
        raise GeoError(
            f"{path.name} has no event_date column: ACLED's timestamp is when a row was uploaded or last "
            "changed, not when the event happened, so it cannot date the events; export event_date too"
        )
    old = "sub_event_type" not in header and "event_type" in header
    df = df.set_axis([str(c).strip().lstrip("\ufeff") for c in df.columns], axis=1)
    s = _common.text_frame(df, _NEEDED_2016 if old else _NEEDED, "an ACLED export", path.name)
    if old:
        s["sub_event_type"] = ""
    lower = {c.lower(): c for c in df.columns}
    years = df[lower["year"]].astype(str).str.strip() if "year" in lower else None
    generation = "2016" if old else "2019–2022" if {"data_id", "event_id_no_cnty"} & header else "2023 and later"
    return s, years, generation


def _skip_unused(result: ImportResult, rows: np.ndarray, mask: np.ndarray, reasons: np.ndarray) -> None:
    for reason in pd.unique(reasons[mask]):
        result.skip(str(reason), rows[mask & (reasons == reason)].tolist())


def _classify(s: pd.DataFrame, covered: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: kind (``capture``, ``strike``, ``intercept`` or None), weapon, and why a row is skipped."""
    n = len(s)
    etype, sub, notes = (s[c].to_numpy(dtype=object) for c in ("event_type", "sub_event_type", "notes"))
    pairs = etype + "\x1f" + sub
    kind = _common.per_unique(pairs, lambda p: _kind(*p.partition("\x1f")[::2]))
    out = np.full(n, None, dtype=object)
    weapon = np.full(n, None, dtype=object)
    label = np.where(sub != "", etype + " › " + sub, etype)
    label = np.where(label == "", "no event type", label)
    reason = np.array([f"not a strike, interception or capture: {t}" for t in label], dtype=object)

    out[covered & (kind == "capture")] = "capture"
    for i in np.flatnonzero(covered & (kind == "remote")):
        w, why = _acled_text.strike(sub[i] or None, notes[i])
        if why is None:
            out[i], weapon[i] = "strike", w
        elif why in _acled_text.NOTE_REASONS:
            reason[i] = f"not an air, artillery or missile strike: {why} (notes)"
        else:
            reason[i] = f"not an air, artillery or missile strike: {label[i]}"
    for i in np.flatnonzero(covered & (kind == "disrupted")):
        why = _acled_text.disruption(notes[i])
        if why is None:
            out[i] = "intercept"
            drone, missile = _acled_text.has_drone(notes[i]), _acled_text.has_missile(notes[i])
            weapon[i] = "mixed" if drone and missile else "drone" if drone else "missile" if missile else "unknown"
        else:
            reason[i] = f"Disrupted weapons use, not an interception: {why}"
    return out, weapon, reason


def _place(
    s: pd.DataFrame, k: np.ndarray, gprec: np.ndarray, lat: np.ndarray, lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """admin1, country and precision of the kept rows (see the module docstring)."""
    from geo import reference

    country = country_codes(s["country"].to_numpy(dtype=object)[k])
    admin1 = stated_regions(s["admin1"].to_numpy(dtype=object)[k], country, acled=True)
    prec = gprec.astype(object).copy()
    region_only = prec == "admin1"
    lat_k, lon_k = lat[k], lon[k]
    fill = region_only & pd.isna(admin1) & np.isfinite(lat_k) & np.isfinite(lon_k)
    if fill.any():
        found = reference.regions_of(lon_k[fill], lat_k[fill])
        same = np.array(
            [c is not None and reference.country_of(c) == x for c, x in zip(found, country[fill], strict=True)]
        )
        admin1[np.flatnonzero(fill)[same]] = found[same]
    prec[region_only & pd.isna(admin1)] = "country"
    claimed = pd.notna(admin1)
    country[claimed] = [reference.country_of(c) for c in admin1[claimed]]
    return admin1, country, prec


def _read_acled(path: Path, dataset: str, today: dt.date | None = None) -> ImportResult:
    """Core: read an ACLED export (see the module docstring for the mapping)."""
    df, encoding = _encoding.read_table(path)
    s, years, generation = _frame(path, df)
    result = ImportResult(source=str(path), format="acled", dataset=dataset, rows=len(df), encoding=encoding)
    if generation == "2016":
        result.notes.append("ACLED export of 2016 (no sub_event_type): read by the 2016 event types")
    if encoding != "utf-8":
        result.notes.append(f"not UTF-8: read as {_encoding.NAMES[encoding]}")
    rows = np.arange(1, len(df) + 1)

    countries = s["country"].to_numpy(dtype=object)
    covered = pd.notna(country_codes(countries))
    outside = ~covered & (countries != "")
    _skip_unused(result, rows, outside, np.array([f"outside the covered area: {c}" for c in countries], dtype=object))
    kind, weapon_all, reasons = _classify(s, covered | (countries == ""))
    unused = pd.isna(kind) & ~outside
    _skip_unused(result, rows, unused, reasons)

    ids = s["event_id_cnty"]
    used = pd.notna(kind)
    dup = used & ids.where(used).duplicated(keep="last").to_numpy() & ids.ne("").to_numpy()
    result.skip("event_id_cnty repeated: the file's last row with it is kept", rows[dup].tolist())
    use = used & ~dup

    dates = parse_event_dates(s["event_date"], years)
    result.notes.extend(dates.notes)
    checked = rules.check(s, _rules(dates), rows=rows, scope=use, today=today)
    result.reject(checked.problems)
    keep = use & ~checked.bad
    k = np.flatnonzero(keep)
    n = len(k)
    lat, lon, fat = (checked.values[c] for c in ("latitude", "longitude", "fatalities"))
    kind_k = kind[k]
    notes = s["notes"].to_numpy(dtype=object)[k]
    sub_k = s["sub_event_type"].to_numpy(dtype=object)[k]
    event_ids = "acled-" + ids.to_numpy(dtype=object)[k]
    admin1, country, prec = _place(s, k, checked.values["geo_precision"][k], lat, lon)

    actor1 = s["actor1"].to_numpy(dtype=object)[k].astype(str)
    capture = kind_k == "capture"
    side = np.full(n, None, dtype=object)
    side[capture] = np.where(
        np.char.find(actor1[capture], "Military Forces of Russia") >= 0,
        "RU",
        np.where(np.char.find(actor1[capture], "Military Forces of Ukraine") >= 0, "UA", "other"),
    )
    geometry = np.full(n, None, dtype=object)
    with_point = np.isin(prec, ["exact", "near"])
    geometry[with_point] = shapely.points(lon[k][with_point], lat[k][with_point])

    place = s["location"].to_numpy(dtype=object)[k].astype(str)
    what = np.where(sub_k != "", sub_k, s["event_type"].to_numpy(dtype=object)[k]).astype(str)
    icpt = kind_k == "intercept"
    title = np.where(
        capture,
        np.char.add(np.char.add(place, " taken by "), actor1),
        np.where(icpt, np.char.add("Interception over ", place), np.char.add(np.char.add(what, " in "), place)),
    )
    date_k = checked.values["event_date"].to_numpy()[k]
    events = gpd.GeoDataFrame(
        {
            "event_id": event_ids,
            "layer": np.where(capture, "capture", "strike"),
            "place": place,
            "admin1": admin1,
            "country": country,
            "geo_precision": prec,
            "geo_source": "ACLED",
            "time_start": date_k,
            "time_end": date_k,
            "time_precision": checked.values["time_precision"][k],
            "dataset": dataset,
            "title": title,
            "side": side,
            "weapon": weapon_all[k],
        },
        geometry=gpd.GeoSeries(geometry, crs=schema.CRS),
    )
    source = s["source"].to_numpy(dtype=object)[k].astype(str)
    claims = pd.DataFrame(
        {
            "claim_id": event_ids + "-acled",
            "event_id": event_ids,
            "claimant": np.where(source == "", "ACLED (source not given)", source),
            "party": _common.per_unique(source, party_of_source),
            "stated_at": date_k,
            "stated_precision": "event_date",
            "stance": "asserts",
            "text": np.where(notes == "", None, notes),
            "source_title": "ACLED event " + ids.to_numpy(dtype=object)[k],
            "publisher": np.char.add(np.char.add("ACLED (source: ", source), ")"),
            "language": "en",
        }
    )
    strike = kind_k == "strike"
    killed = np.where(strike & (fat[k] > 0), fat[k], np.nan)
    claims["killed"] = killed
    claims["killed_bound"] = np.where(np.isnan(killed), None, "at_least")
    figures = [intercepted_in(t) if i else (None, None) for t, i in zip(notes, icpt, strict=True)]
    claims["intercepted"] = np.array([f for f, _ in figures], dtype=float)
    claims["intercepted_bound"] = np.array([b for _, b in figures], dtype=object)
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
        The CSV (ACLED's export columns of today, of 2019–2022 or of 2016;
        extra columns are ignored, the header's case does not matter; UTF-8,
        Windows-1252 or Windows-1251).
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
        limit, not an ACLED export (names the missing columns), no
        ``event_date`` column, or in no encoding that gives plausible text.
    """
    return _read_acled(*_common.open_input(path, max_bytes, dataset), today)
