"""UCDP GED CSV → strike events with a fatality-range claim.

UCDP's Georeferenced Event Dataset codes *fatal events of organised
violence*; it does not code who holds territory, so it never yields a
capture. The rule:

* ``type_of_violence`` 1 (state-based) and 3 (one-sided) rows become
  **strikes** when ``source_headline`` or ``where_description`` names a remote
  weapon (drone/UAV/Shahed, missile, glide bomb/KAB, airstrike/bomb,
  shelling/artillery/rocket/MLRS); the weapon comes from those words
  (``mixed`` when several kinds are named). Other rows of these types are
  ground fighting, which no layer holds: skipped and counted.
  A headline that names a weapon but describes an accident, demining or
  unexploded ordnance, an assassination, car bomb or planted explosive, or a
  landmine, and no aerial, artillery or missile attack, is skipped by that
  reason (:func:`geo.importers._acled_text.not_an_attack`).
* ``type_of_violence`` 2 (non-state conflict) is skipped and counted.
* Rows outside the covered area (``country`` other than Ukraine, Russia
  (Soviet Union), Belarus) are skipped and counted per country.

Precision: ``where_prec`` 1 → exact, 2 (within 25 km) → near, 3 → admin2,
4 → admin1, 5 (a larger part of a country) → country, 6 → country, 7
(international waters or airspace) → unknown; only exact/near keep the
point. Every row passes its stated region (``adm_1`` by name, see
:mod:`geo.importers._acled_place`) and its country to validation, which
places the located ones; a row at region precision whose ``adm_1`` is
unknown takes the region its point lies in, else stays at country precision.
``date_prec`` 1 → day, 2–3 → week, 4–5 → month; ``date_start`` and
``date_end`` give the span.

Encoding: UTF-8, or Windows-1252 / Windows-1251 as Excel saves it, detected
by :mod:`geo.importers._encoding`; the report says which.

The claim: ``killed`` = ``best`` with bound ``about``; its text gives the
low–high range and the headline. Claimant = ``source_office`` (UCDP's
sources), party by :func:`geo.importers.acled.party_of_source`
(:data:`geo.importers._acled_text.PARTY_TABLE`), publisher
``UCDP GED (source: …)``, ``stated_at`` = ``date_end`` at precision
``event_date``. Event id ``ucdp-<id>``, so a re-import updates.
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
from geo.importers import _common, _encoding, rules
from geo.importers._acled_place import country_codes, stated_regions
from geo.importers._acled_text import not_an_attack, party_of_source
from geo.importers.report import ImportResult
from geo.importers.rules import Rule

__all__ = ["read_ucdp"]

_NEEDED = (
    "id", "type_of_violence", "where_prec", "where_description", "adm_1", "latitude", "longitude",
    "date_prec", "date_start", "date_end", "best", "high", "low", "source_office", "source_headline", "country",
)  # fmt: skip
_WHERE = {"1": "exact", "2": "near", "3": "admin2", "4": "admin1", "5": "country", "6": "country", "7": "unknown"}
_WHEN = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "month"}
_WEAPONS = (
    ("drone", re.compile(r"drone|\buav|shahed|geran|lancet", re.I)),
    ("missile", re.compile(r"missile|iskander|kalibr|kinzhal|ballistic", re.I)),
    ("glide_bomb", re.compile(r"glide bomb|guided bomb|\bkab\b", re.I)),
    ("air", re.compile(r"air ?strike|air raid|bomb(?:ing|ed|s)?\b", re.I)),
    ("artillery", re.compile(r"shell|artillery|rocket|mlrs|grad|mortar", re.I)),
)
_COLUMNS = {
    "time_start": "date_start",
    "time_end": "date_end",
    "geometry": "latitude/longitude",
    "admin1": "adm_1",
    "country": "country",
    "place": "where_description",
    "claimant": "source_office",
    "stated_at": "date_end",
    "killed": "best",
}


def _weapon(text: str) -> str | None:
    kinds = [name for name, pattern in _WEAPONS if pattern.search(text)]
    if not kinds:
        return None
    if "glide_bomb" in kinds and "air" in kinds:
        kinds.remove("air")
    return kinds[0] if len(kinds) == 1 else "mixed"


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce", format="mixed").dt.normalize()


_RULES = (
    Rule("id", "required"),
    Rule("date_start", "date", parse=_dates, optional=False, fix="use YYYY-MM-DD"),
    Rule("date_start", "recent"),
    Rule("where_prec", "one_of", choices=_WHERE, optional=False, why="not 1–7: {value!r}"),
    Rule("date_prec", "one_of", choices=_WHEN, optional=False, why="not 1–5: {value!r}"),
    *(Rule(c, "count") for c in ("best", "low", "high")),
    *rules.coordinates(fix="decimal degrees", when=("where_prec", ("exact", "near")), missing="no coordinates"),
)
"""What a UCDP row that names a strike must be to be read."""


def _place(
    s: pd.DataFrame, k: np.ndarray, prec: np.ndarray, lat: np.ndarray, lon: np.ndarray, iso: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """admin1, country and precision of the kept rows: the stated region for every row, else the point's."""
    from geo import reference

    admin1 = stated_regions(s["adm_1"].to_numpy(dtype=object)[k], iso, acled=False)
    prec = prec.copy()
    sub_admin = np.isin(prec, ["admin2", "admin1"])
    fill = sub_admin & pd.isna(admin1) & np.isfinite(lat) & np.isfinite(lon)
    if fill.any():
        found = reference.regions_of(lon[fill], lat[fill])
        pairs = zip(found, iso[fill], strict=True)
        same = np.array([c is not None and reference.country_of(c) == x for c, x in pairs], dtype=bool)
        admin1[np.flatnonzero(fill)[same]] = found[same]
    area = ~np.isin(prec, ["exact", "near"])
    admin1[area & ~sub_admin] = None
    prec[sub_admin & pd.isna(admin1)] = "country"
    country = iso.copy()
    stated = pd.notna(admin1)
    country[stated] = [reference.country_of(c) for c in admin1[stated]]
    return admin1, country, prec


def _read_ucdp(path: Path, dataset: str, today: dt.date | None = None) -> ImportResult:
    """Core: read a UCDP GED CSV (see the module docstring for the rule)."""
    df, encoding = _encoding.read_table(path)
    s = _common.text_frame(df, _NEEDED, "a UCDP GED export", path.name)
    result = ImportResult(source=str(path), format="ucdp", dataset=dataset, rows=len(df), encoding=encoding)
    if encoding != "utf-8":
        result.notes.append(f"not UTF-8: read as {_encoding.NAMES[encoding]}")
    rows = np.arange(1, len(df) + 1)

    countries = s["country"].to_numpy(dtype=object)
    iso = country_codes(countries)
    outside = pd.isna(iso) & (countries != "")
    for name in pd.unique(countries[outside]):
        result.skip(f"outside the covered area: {name}", rows[outside & (countries == name)].tolist())
    tov = np.where(outside, "", s["type_of_violence"].to_numpy(dtype=object))
    text = (s["source_headline"] + " " + s["where_description"]).to_numpy(dtype=object)
    weapon = _common.per_unique(text, _weapon)
    nonstate = tov == "2"
    result.skip("UCDP non-state conflict (type_of_violence 2): no model layer", rows[nonstate].tolist())
    other = ~outside & ~np.isin(tov, ["1", "2", "3"])
    for value in pd.unique(tov[other]):
        result.skip(f"unknown type_of_violence {value!r}", rows[other & (tov == value)].tolist())
    ground = np.isin(tov, ["1", "3"]) & pd.isna(weapon)
    result.skip("UCDP fighting without a strike named (UCDP does not code territory)", rows[ground].tolist())
    named = np.isin(tov, ["1", "3"]) & pd.notna(weapon)
    why = np.full(len(s), None, dtype=object)
    why[named] = _common.per_unique(text[named], not_an_attack)
    for reason in pd.unique(why[pd.notna(why)]):
        result.skip(f"not an air, artillery or missile strike: {reason} (headline)", rows[why == reason].tolist())
    use = named & pd.isna(why)
    ids = s["id"]
    dup = use & ids.where(use).duplicated(keep="last").to_numpy() & ids.ne("").to_numpy()
    result.skip("id repeated: the file's last row with it is kept", rows[dup].tolist())
    use &= ~dup

    checked = rules.check(s, _RULES, rows=rows, scope=use, today=today)
    result.reject(checked.problems)
    bad = checked.bad
    start = checked.values["date_start"]
    end = _dates(s["date_end"])
    end = end.where(end.notna(), start)
    where, when = checked.values["where_prec"], checked.values["date_prec"]
    lat, lon = checked.values["latitude"], checked.values["longitude"]
    figures = {c: checked.values[c] for c in ("best", "low", "high")}

    k = np.flatnonzero(use & ~bad)
    n = len(k)
    event_ids = "ucdp-" + ids.to_numpy()[k].astype(object)
    admin1, country, prec = _place(s, k, where[k].astype(object), lat[k], lon[k], iso[k])
    geometry = np.full(n, None, dtype=object)
    point = np.isin(prec, ["exact", "near"])
    geometry[point] = shapely.points(lon[k][point], lat[k][point])
    place = s["where_description"].to_numpy()[k]
    events = gpd.GeoDataFrame(
        {
            "event_id": event_ids,
            "layer": "strike",
            "place": np.where(place == "", None, place),
            "admin1": admin1,
            "country": country,
            "geo_precision": prec,
            "geo_source": "UCDP GED",
            "time_start": start.to_numpy()[k],
            "time_end": end.to_numpy()[k],
            "time_precision": when[k],
            "dataset": dataset,
            "title": [f"Strike ({w}) at {p}" if p else f"Strike ({w})" for w, p in zip(weapon[k], place, strict=True)],
            "weapon": weapon[k],
        },
        geometry=gpd.GeoSeries(geometry, crs=schema.CRS),
    )
    office = s["source_office"].to_numpy()[k]
    headline = s["source_headline"].to_numpy()[k]
    best, low, high = figures["best"][k], figures["low"][k], figures["high"][k]

    def _fmt(x: float) -> str:
        return "?" if np.isnan(x) else f"{x:.0f}"

    texts = [
        f"UCDP fatality estimate {_fmt(b)} (low {_fmt(lo)} – high {_fmt(hi)})." + (f" {h}" if h else "")
        for b, lo, hi, h in zip(best, low, high, headline, strict=True)
    ]
    claims = pd.DataFrame(
        {
            "claim_id": event_ids + "-ucdp",
            "event_id": event_ids,
            "claimant": np.where(office == "", "UCDP GED", office),
            "party": [party_of_source(o) for o in office],
            "stated_at": end.to_numpy()[k],
            "stated_precision": "event_date",
            "stance": "asserts",
            "text": texts,
            "killed": best,
            "killed_bound": np.where(np.isnan(best), None, "about"),
            "source_title": "UCDP GED event " + ids.to_numpy()[k].astype(object),
            "publisher": [f"UCDP GED (source: {o or 'not given'})" for o in office],
            "language": "en",
        }
    )
    return _common.finish(result, events, claims, rows[k], columns=_COLUMNS, today=today)


def read_ucdp(
    path: str | Path, *, dataset: str | None = None, max_bytes: int | None = None, today: dt.date | None = None
) -> ImportResult:
    """Read a UCDP GED CSV into strike events with fatality-range claims.

    Parameters
    ----------
    path : str or Path
        The CSV (UCDP GED columns; extra columns are ignored; UTF-8,
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
        limit, or not a UCDP GED export (names the missing columns).
    """
    return _read_ucdp(*_common.open_input(path, max_bytes, dataset), today)
