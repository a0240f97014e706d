"""Spreadsheets (CSV, XLSX) in the project's template, or any columns with a mapping file.

The template (``data/templates/events_template.csv``) has one row per
*claim*; rows sharing an ``event_id`` are claims about the same event (the
event's own fields come from its first row). Columns:

``event_id`` (optional: derived from the row's content when blank, so a
re-import gives the same id), ``layer``, ``place``, ``region`` (ISO 3166-2 code
or a region name in any language: the region of the event, and the hint for
geocoding ``place``), ``latitude``, ``longitude``, ``geo_precision`` (default:
``exact`` with coordinates, else from geocoding), ``time_start``, ``time_end``
(default: ``time_start``), ``time_precision`` (default ``day``), ``title``,
``side``, ``axis``, ``weapon``, ``target_type``, ``impact_type``,
``claim_id`` (optional), ``claimant``, ``party``, ``stated_at`` (default: the
event date, precision ``event_date``), ``stance`` (default ``asserts``),
``text``, the figures (``launched``, ``intercepted``, ``hits``, ``killed``,
``wounded``, ``settlements``, ``area_km2``, ``people_affected``,
``municipalities``, ``duration_h``, ``round``) each with an optional
``<figure>_bound``, ``source_title``, ``source_url``, ``publisher`` (default: the
claimant), ``language``.

A **mapping file** (JSON or TOML) renames other columns and fills constants::

    [columns]          # template column = the file's column
    place = "Settlement"
    time_start = "Date"
    [defaults]         # template column = value for every row
    layer = "strike"
    party = "UA"

**Geocoding**: a row with a ``place`` and no coordinates is located with
:func:`geo.gazetteer.geocode`, ``region`` as the hint. The report counts
``exact`` (a gazetteer point), ``admin1`` (only the region is known: no
point is invented), ``ambiguous`` (a point was chosen among several places
of that name: listed with their count, check them) and ``unknown`` (neither
place nor region found: kept at precision ``unknown``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tomllib
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.errors import GeoError, NotFoundError, Problem, ValidationError
from geo.importers import _common, _xlsx, rules
from geo.importers.formats import TEMPLATE_REQUIRED
from geo.importers.report import ImportResult
from geo.importers.rules import Rule

__all__ = ["MAX_HEADER_COLUMNS", "TEMPLATE_COLUMNS", "header_columns", "read_csv", "read_xlsx"]

_EVENT_FIELDS = ("layer", "place", "title", "side", "axis", "weapon", "target_type", "impact_type")
_CLAIM_FIELDS = ("claimant", "party", "stance", "text", "source_title", "source_url", "publisher", "language")
TEMPLATE_COLUMNS = (
    "event_id", "layer", "place", "region", "latitude", "longitude", "geo_precision", "time_start", "time_end",
    "time_precision", "title", "side", "axis", "weapon", "target_type", "impact_type", "claim_id", "claimant",
    "party", "stated_at", "stance", "text",
    *(c for f in schema.CLAIM_FIGURES for c in (f, schema.bound_column(f))),
    "source_title", "source_url", "publisher", "language",
)  # fmt: skip
"""Columns of the template, in order."""
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d %B %Y",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
)


def _load_mapping(path: str | Path | None) -> dict[str, dict[str, Any]]:
    """Read a mapping file: ``{"columns": {template: theirs}, "defaults": {template: value}}``."""
    if path is None:
        return {"columns": {}, "defaults": {}}
    p = _common.fspath(path)
    if not p.is_file():
        raise GeoError(f"no mapping file at {str(p)!r}")
    text = p.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
        raise GeoError(
            f"mapping file {p.name} is not valid {'JSON' if p.suffix == '.json' else 'TOML'}: {err}"
        ) from None
    if not isinstance(data, dict) or set(data) - {"columns", "defaults"}:
        raise GeoError(f"mapping file {p.name}: expected only the tables 'columns' and 'defaults'")
    out = {"columns": data.get("columns", {}), "defaults": data.get("defaults", {})}
    for part, table in out.items():
        if not isinstance(table, dict):
            raise GeoError(f"mapping file {p.name}: '{part}' must be a table of template column = value")
        unknown = sorted(set(table) - set(TEMPLATE_COLUMNS))
        if unknown:
            raise GeoError(
                f"mapping file {p.name}: unknown template column(s) {', '.join(unknown)} in '{part}'; "
                "see data/templates/events_template.csv"
            )
    return out


def _apply_mapping(df: pd.DataFrame, mapping: dict[str, dict[str, Any]], name: str) -> pd.DataFrame:
    """A new frame in template columns (the input is not modified)."""
    columns = {str(k): str(v) for k, v in mapping["columns"].items()}
    missing = [theirs for theirs in columns.values() if theirs not in df.columns]
    if missing:
        raise GeoError(f"{name}: the mapping names column(s) not in the file: {', '.join(missing)}")
    out = pd.DataFrame(index=df.index)
    for col in TEMPLATE_COLUMNS:
        if col in columns:
            out[col] = df[columns[col]].astype(str).str.strip()
        elif col in df.columns:
            out[col] = df[col].astype(str).str.strip()
        else:
            out[col] = ""
        if col in mapping["defaults"]:
            out[col] = out[col].where(out[col] != "", str(mapping["defaults"][col]))
    absent = [c for c in TEMPLATE_REQUIRED if (out[c] == "").all() and c not in df.columns and c not in columns]
    if absent:
        raise GeoError(
            f"{name} is not in the events template: missing column(s) {', '.join(absent)}; "
            "use data/templates/events_template.csv or a --mapping file"
        )
    return out


def _parse_dates(s: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        rest = out.isna() & s.ne("")
        if not rest.any():
            break
        out[rest] = pd.to_datetime(s[rest], format=fmt, errors="coerce")
    return out


def _find_region(name: str) -> str | None:
    from geo import reference

    return reference.find_region(name)


_RULES = (
    *(Rule(c, "required") for c in TEMPLATE_REQUIRED),
    *(Rule(c, "date", parse=_parse_dates, fix="use YYYY-MM-DD") for c in ("time_start", "time_end", "stated_at")),
    Rule("time_start", "recent"),
    Rule("region", "lookup", find=_find_region, why="unknown region: {value!r}"),
)
"""What a template row must be (beyond :func:`geo.validate.validate`'s checks of the model's values)."""
_FILE_RULES = (*_RULES, *rules.coordinates(pair=True))
_FEATURE_POINT = Rule("geometry", "point", reads=("geometry:latitude", "geometry:longitude"))
"""A feature's geometry is checked at a point on it, given to the rules under these names."""
_FEATURE_RULES = (*_RULES, *rules.coordinates(pair=True, point=False), _FEATURE_POINT)


def _row_id(dataset: str, row: pd.Series) -> str:
    digest = hashlib.sha1("\x1f".join([dataset, *row.astype(str)]).encode()).hexdigest()[:12]
    return f"{dataset}-{digest}"


def _geocode(
    result: ImportResult, rows: np.ndarray, places: np.ndarray, hints: np.ndarray, todo: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Locate ``places`` (where ``todo``); return lon, lat, admin1, precision."""
    from geo.gazetteer import geocode

    n = len(places)
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    admin1 = np.full(n, None, dtype=object)
    prec = np.full(n, None, dtype=object)
    memo: dict[tuple[str, str | None], Any] = {}
    for i in np.flatnonzero(todo):
        key = (str(places[i]), hints[i] or None)
        if key not in memo:
            try:
                memo[key] = geocode(*key)
            except (NotFoundError, ValidationError) as err:
                memo[key] = err
        answer = memo[key]
        if isinstance(answer, Exception):
            continue  # an unknown region is rejected by the caller
        if answer.found:
            lon[i], lat[i], admin1[i], prec[i] = answer.lon, answer.lat, answer.admin1, "exact"
            result.geocoded["exact"] += 1
            same_name = [c for c in answer.candidates if c.score >= 95 and (c.admin1 == answer.admin1 or not key[1])]
            if len(same_name) > 1:
                result.geocoded["ambiguous"].append(
                    {"row": int(rows[i]), "place": key[0], "chosen": answer.name, "candidates": len(same_name)}
                )
            continue
        if getattr(answer, "ambiguous", False):  # several places fit equally: listed, no point guessed
            result.geocoded["ambiguous"].append(
                {"row": int(rows[i]), "place": key[0], "chosen": None, "candidates": len(answer.candidates)}
            )
        if answer.precision == "admin1":
            admin1[i], prec[i] = answer.admin1, "admin1"
            result.geocoded["admin1"] += 1
        else:
            prec[i] = "unknown"
            if not getattr(answer, "ambiguous", False):
                result.geocoded["unknown"].append({"row": int(rows[i]), "place": key[0]})
    return lon, lat, admin1, prec


def _read_table(
    df: pd.DataFrame,
    path: Path,
    fmt: str,
    dataset: str,
    mapping: str | Path | None,
    today: dt.date | None,
    geoms: np.ndarray | None = None,
    result: ImportResult | None = None,
    pre_rejected: np.ndarray | None = None,
) -> ImportResult:
    """Core: template rows (after the mapping) → events and claims."""
    t = _apply_mapping(df, _load_mapping(mapping), path.name)
    if result is None:
        result = ImportResult(source=str(path), format=fmt, dataset=dataset, rows=len(t))
    rows = np.arange(1, len(t) + 1)
    empty = (t == "").all(axis=1).to_numpy()
    # a row rejected already (formulas without values look blank) is not skipped too, nor checked cell by cell
    blank = empty if pre_rejected is None else empty & ~pre_rejected
    result.skip("blank row", rows[blank].tolist())
    checks, where, (lat_col, lon_col), known = _FILE_RULES, "latitude/longitude", ("latitude", "longitude"), {}
    if geoms is not None:  # features: their geometry, checked at a point on it
        checks, where, (lat_col, lon_col) = _FEATURE_RULES, _FEATURE_POINT.column, _FEATURE_POINT.reads
        has_geom = ~(pd.isna(geoms) | shapely.is_empty(geoms))
        reps = shapely.point_on_surface(geoms[has_geom])
        known = {lat_col: np.full(len(t), np.nan), lon_col: np.full(len(t), np.nan)}
        known[lat_col][has_geom], known[lon_col][has_geom] = shapely.get_y(reps), shapely.get_x(reps)
    checked = rules.check(t, checks, rows=rows, scope=~empty, values=known, today=today)
    result.reject(checked.problems)
    bad = checked.bad if pre_rejected is None else checked.bad | pre_rejected
    start, end, stated = (checked.values[c] for c in ("time_start", "time_end", "stated_at"))
    end = end.where(end.notna(), start)
    lat, lon = checked.values[lat_col], checked.values[lon_col]
    has_point = np.isfinite(lat) & np.isfinite(lon)
    found = checked.values["region"]
    use = ~blank & ~bad

    places = t["place"].to_numpy()
    todo = use & ~has_point & (places != "")
    g_lon, g_lat, g_admin1, g_prec = _geocode(result, rows, places, np.where(pd.isna(found), None, found), todo)
    lon = np.where(todo, g_lon, lon)
    lat = np.where(todo, g_lat, lat)
    given_prec = t["geo_precision"].to_numpy()
    prec = np.where(
        given_prec != "",
        given_prec,
        np.where(has_point, "exact", np.where(todo, g_prec, np.where(pd.notna(found), "admin1", "unknown"))),
    ).astype(object)
    prec = np.where(pd.isna(prec), np.where(pd.notna(found), "admin1", "unknown"), prec)
    admin1 = np.where(todo & pd.notna(g_admin1), g_admin1, found)
    point = np.isin(prec, ["exact", "near"]) & np.isfinite(lon) & np.isfinite(lat)
    geometry = np.full(len(t), None, dtype=object)
    geometry[point] = shapely.points(lon[point], lat[point])
    if geoms is not None:
        given = point & ~todo
        geometry[given] = geoms[given]

    k = np.flatnonzero(use)
    ids = t["event_id"].to_numpy().astype(object)
    for i in k:
        if not ids[i]:
            ids[i] = _row_id(dataset, t.iloc[i])
    first = k[~pd.Series(ids[k]).duplicated().to_numpy()]
    ev_start = start.to_numpy()
    events = gpd.GeoDataFrame(
        {
            "event_id": ids[first],
            **{c: np.where(t[c].to_numpy()[first] == "", None, t[c].to_numpy()[first]) for c in _EVENT_FIELDS},
            "admin1": admin1[first],
            "geo_precision": prec[first],
            "geo_source": np.where(todo[first], "gazetteer", None),
            "time_start": ev_start[first],
            "time_end": end.to_numpy()[first],
            "time_precision": np.where(
                t["time_precision"].to_numpy()[first] == "", "day", t["time_precision"].to_numpy()[first]
            ),
            "dataset": dataset,
        },
        geometry=gpd.GeoSeries(geometry[first], crs=schema.CRS),
    )
    claim_ids = t["claim_id"].to_numpy().astype(object)[k]
    seq = pd.Series(ids[k]).groupby(pd.Series(ids[k])).cumcount().to_numpy() + 1
    claim_ids = np.where(claim_ids == "", [f"{e}-c{n}" for e, n in zip(ids[k], seq, strict=True)], claim_ids)
    claims = pd.DataFrame({"claim_id": claim_ids, "event_id": ids[k]})
    for c in _CLAIM_FIELDS:
        claims[c] = np.where(t[c].to_numpy()[k] == "", None, t[c].to_numpy()[k])
    claims["stance"] = claims["stance"].where(claims["stance"].notna(), "asserts")
    claims["publisher"] = claims["publisher"].where(claims["publisher"].notna(), claims["claimant"])
    has_stated = stated.notna().to_numpy()[k]
    claims["stated_at"] = np.where(has_stated, stated.to_numpy()[k], ev_start[k])
    with_time = has_stated & (stated.dt.normalize() != stated).to_numpy()[k]
    claims["stated_precision"] = np.where(with_time, "minute", np.where(has_stated, "day", "event_date"))
    for f in schema.CLAIM_FIGURES:
        claims[f] = np.where(t[f].to_numpy()[k] == "", None, t[f].to_numpy()[k])
        bcol = schema.bound_column(f)
        claims[bcol] = np.where(t[bcol].to_numpy()[k] == "", None, t[bcol].to_numpy()[k])
    if len(first) < len(k):
        result.notes.append(
            f"{len(k) - len(first)} row(s) add claims to an event of an earlier row (same event_id); "
            "the event's place and time come from its first row"
        )
    # a claim's problems are reported at its own row
    return _common.finish(
        result,
        events,
        claims,
        rows[first],
        columns={"geometry": where, "admin1": "region"},
        today=today,
        claim_rows=rows[k],
    )


def read_csv(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read a CSV in the events template (or mapped onto it).

    Parameters
    ----------
    path : str or Path
        The CSV (UTF-8; comma, semicolon or tab separated).
    dataset, mapping, max_bytes, today
        As for :func:`geo.importers.read_file` (the mapping file is
        described in the module docstring).

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected rows, geocoding counts.

    Raises
    ------
    GeoError
        Unreadable, empty, binary, too large, or missing template columns.
    """
    p, name = _common.open_input(path, max_bytes, dataset)
    return _read_table(_common.read_text_table(p), p, "csv", name, mapping, today)


MAX_HEADER_COLUMNS = 1_000
"""Most columns :func:`header_columns` lists (a wider header is not offered for mapping)."""


def header_columns(path: str | Path) -> list[str]:
    """The column names of a CSV or XLSX as written (case kept), read within bounds.

    For the Import page's mapping step. A CSV's first line is read from its
    first 64 KB only; an XLSX's first row up to :data:`MAX_HEADER_COLUMNS`
    cells, after the zip checks.

    Parameters
    ----------
    path : str or Path
        The file (``.xlsx``/``.xlsm`` read as a workbook, anything else as CSV).

    Returns
    -------
    list of str
        The names; empty when the file is no table, its header does not end
        within the bound or has more than :data:`MAX_HEADER_COLUMNS` columns
        (the importer then says what is wrong).
    """
    p = _common.fspath(path)
    try:
        xlsx = p.suffix.lower() in (".xlsx", ".xlsm")
        names = _xlsx.first_row(p, MAX_HEADER_COLUMNS) if xlsx else _csv_header(p)
    except (GeoError, OSError, ValueError, KeyError, zipfile.BadZipFile, csv.Error):
        return []
    return names if 0 < len(names) <= MAX_HEADER_COLUMNS else []


def _csv_header(p: Path) -> list[str]:
    data = _common.head(p)
    if not data or _common.looks_binary(data):
        return []
    cut = max(data.rfind(b"\n"), data.rfind(b"\r"))
    if cut < 0 and len(data) >= _common.SNIFF_BYTES:
        return []  # the header line does not end within the bound
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        from geo.importers import _encoding

        encoding = _encoding.detect(data[: cut + 1] if cut >= 0 else data, p.name)
        text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if line.count(",") + line.count(";") + line.count("\t") >= MAX_HEADER_COLUMNS:
        return []
    try:
        delimiter = csv.Sniffer().sniff(line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    row = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    return [c.strip() for c in row]


def _formula_problems(
    path: Path, df: pd.DataFrame, mapping: str | Path | None, result: ImportResult
) -> np.ndarray | None:
    """Reject the rows whose read cells are formulas without a saved value; note those in unread columns.

    Returns the rows rejected (a mask over ``df``), or None when there are none.
    """
    header, found = _xlsx.uncached_formulas(path)
    if not found:
        return None
    read = set(TEMPLATE_COLUMNS) | {str(v) for v in _load_mapping(mapping)["columns"].values()}
    bad = np.zeros(len(df), dtype=bool)
    problems: list[Problem] = []
    unread: Counter[str] = Counter()
    for sheet_row, col, formula in found:
        column = str(df.columns[col]) if col < len(df.columns) else f"column {col + 1}"
        row = sheet_row - (header or 1)
        if row < 1:
            unread[f"{column} (the header)"] += 1
        elif column in read and row <= len(df):
            bad[row - 1] = True
            problems.append(
                Problem(
                    f"formula ={formula[:60]} has no saved value (the workbook was written by a program and "
                    "never calculated); the cell would be read as empty",
                    row=row,
                    column=column,
                    fix="open the workbook in Excel or LibreOffice, let it calculate, save it and import it again",
                )
            )
        else:
            unread[column] += 1
    result.reject(problems)
    if unread:
        result.notes.append(
            f"{sum(unread.values()):,} formula cell(s) without a saved value in columns not imported "
            f"({', '.join(unread)}): ignored"
        )
    return bad if bad.any() else None


def read_xlsx(
    path: str | Path,
    *,
    dataset: str | None = None,
    mapping: str | Path | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Read the first sheet of an XLSX workbook in the events template (or mapped onto it).

    A cell holding a formula without a saved value (a workbook written by a
    program and never calculated in a spreadsheet) is not read as empty: its
    row is rejected, naming the cell's row, column and formula; such cells in
    columns the import does not read are counted in a note.

    Parameters
    ----------
    path : str or Path
        The workbook.
    dataset, mapping, max_bytes, today
        As for :func:`geo.importers.read_file`.

    Returns
    -------
    ImportResult
        Events, claims, skipped and rejected rows, geocoding counts.

    Raises
    ------
    GeoError
        Not a workbook, a zip bomb, empty, or missing template columns;
        ``openpyxl`` not installed.
    """
    p, name = _common.open_input(path, max_bytes, dataset)
    _common.check_zip(p, kind="an XLSX workbook")
    try:
        df = pd.read_excel(p, dtype=str, keep_default_na=False, na_filter=False, engine="openpyxl")
    except ImportError:
        raise GeoError("reading XLSX needs openpyxl: pip install openpyxl") from None
    except (ValueError, KeyError, zipfile.BadZipFile) as err:
        raise GeoError(f"{p.name} is not a readable XLSX workbook: {err}") from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise GeoError(f"{p.name} has a header but no data rows")
    result = ImportResult(source=str(p), format="xlsx", dataset=name, rows=len(df))
    try:
        uncached = _formula_problems(p, df, mapping, result)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile) as err:
        raise GeoError(f"{p.name} is not a readable XLSX workbook: {err}") from None
    result = _read_table(df, p, "xlsx", name, mapping, today, result=result, pre_rejected=uncached)
    if uncached is not None:  # a formula's cell is not also "empty": its own problem says why
        cells = {(q.row, q.column) for q in result.rejected if q.message.startswith("formula =")}
        result.rejected = [
            q for q in result.rejected if (q.row, q.column) not in cells or q.message.startswith("formula =")
        ]
    return result
