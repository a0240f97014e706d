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
* ``type_of_violence`` 2 (non-state conflict) is skipped and counted.

Precision: ``where_prec`` 1 → exact, 2 (within 25 km) → near, 3 → admin2,
4 → admin1, 5 (a larger part of a country) → country, 6 → country, 7
(international waters or airspace) → unknown; only exact/near keep the
point, otherwise the region comes from ``adm_1`` by name, else from the
point. ``date_prec`` 1 → day, 2–3 → week, 4–5 → month; ``date_start`` and
``date_end`` give the span.

The claim: ``killed`` = ``best`` with bound ``about``; its text gives the
low–high range and the headline. Claimant = ``source_office`` (UCDP's
sources), party by :func:`geo.importers.acled.party_of_source`, publisher
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
from geo.importers import _common, rules
from geo.importers.acled import party_of_source
from geo.importers.report import ImportResult
from geo.importers.rules import Rule

__all__ = ["read_ucdp"]

_NEEDED = (
    "id", "type_of_violence", "where_prec", "where_description", "adm_1", "latitude", "longitude",
    "date_prec", "date_start", "date_end", "best", "high", "low", "source_office", "source_headline", "country",
)  # fmt: skip
_WHERE = {"1": "exact", "2": "near", "3": "admin2", "4": "admin1", "5": "country", "6": "country", "7": "unknown"}
_WHEN = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "month"}
_COUNTRIES = {"ukraine": "UA", "russia": "RU", "russia (soviet union)": "RU", "belarus": "BY"}
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


def _read_ucdp(path: Path, dataset: str, today: dt.date | None = None) -> ImportResult:
    """Core: read a UCDP GED CSV (see the module docstring for the rule)."""
    df = _common.read_text_table(path)
    s = _common.text_frame(df, _NEEDED, "a UCDP GED export", path.name)
    result = ImportResult(source=str(path), format="ucdp", dataset=dataset, rows=len(df))
    rows = np.arange(1, len(df) + 1)

    tov = s["type_of_violence"].to_numpy()
    weapon = _common.per_unique((s["source_headline"] + " " + s["where_description"]).to_numpy(), _weapon)
    nonstate = tov == "2"
    result.skip("UCDP non-state conflict (type_of_violence 2): no model layer", rows[nonstate].tolist())
    other = ~np.isin(tov, ["1", "2", "3"])
    for value in pd.unique(tov[other]):
        result.skip(f"unknown type_of_violence {value!r}", rows[other & (tov == value)].tolist())
    ground = np.isin(tov, ["1", "3"]) & pd.isna(weapon)
    result.skip("UCDP fighting without a strike named (UCDP does not code territory)", rows[ground].tolist())
    use = np.isin(tov, ["1", "3"]) & pd.notna(weapon)
    ids = s["id"]
    dup = use & ids.duplicated(keep="last").to_numpy() & ids.ne("").to_numpy()
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
    has_point = np.isfinite(lat) & np.isfinite(lon)

    k = np.flatnonzero(use & ~bad)
    n = len(k)
    prec = where[k].astype(object)
    event_ids = "ucdp-" + ids.to_numpy()[k].astype(object)
    from geo import reference

    admin1 = np.full(n, None, dtype=object)
    area = ~np.isin(prec, ["exact", "near"])
    if area.any():
        names = pd.Series(s["adm_1"].to_numpy()[k][area])
        by_name = names.map(
            lambda t: reference.find_region(re.sub(r"\s+(oblast|krai|province)$", "", t, flags=re.I)) if t else None
        )
        located = has_point[k][area]
        from_point = np.full(int(area.sum()), None, dtype=object)
        if located.any():
            from_point[located] = reference.regions_of(lon[k][area][located], lat[k][area][located])
        codes = np.where(by_name.isna().to_numpy(), from_point, by_name.to_numpy())
        sub_admin = np.isin(prec[area], ["admin2", "admin1"])
        codes = np.where(sub_admin, codes, None)
        admin1[area] = codes
        fallback = sub_admin & pd.isna(codes)
        prec_area = prec[area]
        prec_area[fallback] = "country"
        prec[area] = prec_area
    country = np.full(n, None, dtype=object)
    cnames = np.char.lower(s["country"].to_numpy()[k].astype(str))
    is_country = prec == "country"
    country[is_country] = [_COUNTRIES.get(c) for c in cnames[is_country]]
    prec[is_country & pd.isna(country)] = "unknown"
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
        The CSV (UCDP GED columns; extra columns are ignored).
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
