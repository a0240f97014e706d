"""Shared machinery of the readers: size and content checks, and validating a batch row by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.errors import GeoError, Problem, ValidationError
from geo.importers.report import ImportResult
from geo.validate import validate

MAX_BYTES = 200 * 2**20
"""Files larger than this are refused before reading (override with ``max_bytes``)."""
SNIFF_BYTES = 64 * 1024


def check_size(path: Path, max_bytes: int | None) -> int:
    """Return the file's size; raise when it is missing, a folder, empty or over the limit."""
    limit = MAX_BYTES if max_bytes is None else max_bytes
    if not path.exists():
        raise GeoError(f"no file at {str(path)!r}")
    if path.is_dir():
        raise GeoError(f"{str(path)!r} is a folder; give a file")
    size = path.stat().st_size
    if size == 0:
        raise GeoError(f"{path.name} is empty (0 bytes)")
    if size > limit:
        raise GeoError(
            f"{path.name} is {size / 2**20:,.0f} MB, over the {limit / 2**20:,.0f} MB import limit; "
            "split the file or raise the limit (max_bytes / --max-mb)"
        )
    return size


def head(path: Path, n: int = SNIFF_BYTES) -> bytes:
    """The first ``n`` bytes of a file."""
    with path.open("rb") as f:
        return f.read(n)


def looks_binary(data: bytes) -> bool:
    """True when bytes hold NUL bytes or mostly control characters: not text in any 8-bit encoding."""
    if b"\x00" in data:
        return True
    controls = sum(1 for b in data[:4096] if b < 32 and b not in (9, 10, 13))
    return controls > max(8, len(data[:4096]) // 20)


def not_utf8(data: bytes) -> bool:
    """True when text bytes are not UTF-8 (e.g. Windows-1251); a character cut at the sample's end is fine."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start < len(data) - 4
    return False


def read_text_table(path: Path) -> pd.DataFrame:
    """Read a CSV as text cells (no type guessing, blanks stay ``""``).

    Raises
    ------
    GeoError
        Binary content, not UTF-8, empty, or a header without data rows.
    """
    data = head(path)
    if looks_binary(data):
        raise GeoError(f"{path.name} is not a CSV/text file (it holds binary data); export it as UTF-8 CSV")
    if not_utf8(data):
        raise GeoError(f"{path.name} is not UTF-8 text; save it as UTF-8 CSV")
    if not data.strip():
        raise GeoError(f"{path.name} is empty (no header, no rows)")
    sample = data.decode("utf-8", errors="ignore")
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, sep=delimiter, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise GeoError(f"{path.name} is not UTF-8 text; save it as UTF-8 CSV") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as err:
        raise GeoError(f"{path.name} is not a readable CSV: {str(err).strip().splitlines()[0]}") from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise GeoError(f"{path.name} has a header but no data rows")
    return df


def csv_header(path: Path) -> list[str]:
    """The first line of a text file split as CSV, lower-cased (empty when unreadable)."""
    data = head(path, 16 * 1024)
    if looks_binary(data):
        return []
    line = data.decode("utf-8", errors="ignore").lstrip("\ufeff").split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(line, delimiters=",;\t")
        row = next(csv.reader(io.StringIO(line), dialect))
    except (csv.Error, StopIteration):
        row = next(csv.reader(io.StringIO(line)), [])
    return [c.strip().lower() for c in row]


def require_columns(df: pd.DataFrame, columns: tuple[str, ...], what: str, name: str) -> None:
    """Raise one error naming every missing column."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise GeoError(f"{name} is not {what}: missing column(s) {', '.join(missing)}")


def _problem_position(p: Problem, ev_pos: np.ndarray, claim_event_pos: np.ndarray) -> tuple[int | None, str | None]:
    """Map a validate() problem (row within the batch) to an event position and a bare column."""
    column = p.column
    if p.row is None or column is None:
        return None, column
    table, _, bare = column.partition(".")
    if table == "events":
        return int(ev_pos[p.row - 1]), bare
    if table == "claims":
        return int(claim_event_pos[p.row - 1]), bare
    return None, column


def _validate_subset(
    events: pd.DataFrame,
    claims: pd.DataFrame,
    claim_event: np.ndarray,
    pos: np.ndarray,
    context: str,
    today: dt.date | None,
    found: dict[int, list[Problem]],
) -> None:
    """Find the bad events among ``events.iloc[pos]``, splitting the batch when validate stops listing rows."""
    while len(pos):
        in_batch = np.isin(claim_event, pos)
        cl_idx = np.flatnonzero(in_batch)
        try:
            validate(events.iloc[pos], claims.iloc[cl_idx], context=context, today=today)
            return
        except ValidationError as err:
            problems = err.problems
        bad: dict[int, list[Problem]] = {}
        unlocated: list[Problem] = []
        for p in problems:
            at, column = _problem_position(p, pos, claim_event[cl_idx])
            if at is None:
                unlocated.append(p)
            else:
                bad.setdefault(at, []).append(Problem(p.message, None, column, p.fix))
        if unlocated and len(pos) == 1:
            bad.setdefault(int(pos[0]), []).extend(Problem(p.message, None, p.column, p.fix) for p in unlocated)
        elif unlocated:
            half = len(pos) // 2
            for part in (pos[:half], pos[half:]):
                _validate_subset(events, claims, claim_event, part, context, today, found)
            return
        if not bad:  # cannot happen: a failed validation names something
            raise GeoError(f"{context}: " + "; ".join(str(p) for p in problems[:5]))
        found.update(bad)
        pos = pos[~np.isin(pos, list(bad))]


def finish(
    result: ImportResult,
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    src_rows: np.ndarray,
    *,
    columns: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Validate the batch; reject the events named in problems (with their claims) and keep the rest.

    Parameters
    ----------
    result : ImportResult
        Filled in place with the validated frames and the rejections.
    events : GeoDataFrame
        Candidate events, positional index.
    claims : DataFrame
        Their claims (``event_id`` names an event).
    src_rows : ndarray of int
        The file's row number of each event.
    columns : mapping, optional
        Model column → the file's column, to name the user's column in problems.
    today : date, optional
        Reference date for "in the future".

    Returns
    -------
    ImportResult
        ``result``.
    """
    columns = dict(columns or {})
    result.rejected.sort(key=lambda p: p.row or 0)
    events = events.reset_index(drop=True)
    claims = claims.reset_index(drop=True)
    id_pos = pd.Index(events["event_id"].to_numpy(dtype=object))
    claim_event = id_pos.get_indexer(claims["event_id"].to_numpy(dtype=object))
    found: dict[int, list[Problem]] = {}
    context = Path(result.source).name
    if not len(events):
        return result
    try:  # the common case: everything passes, validate once
        result.events, result.claims = validate(events, claims, context=context, today=today)
        return result
    except ValidationError:
        _validate_subset(events, claims, claim_event, np.arange(len(events)), context, today, found)
    keep = np.ones(len(events), dtype=bool)
    keep[list(found)] = False
    for at in sorted(found, key=lambda i: src_rows[i]):
        row = int(src_rows[at])
        for p in found[at]:
            result.rejected.append(Problem(p.message, row, columns.get(p.column or "", p.column), p.fix))
    result.rejected_rows = sorted(set(result.rejected_rows) | {int(src_rows[i]) for i in found})
    result.rejected.sort(key=lambda p: p.row or 0)
    if keep.any():
        ev, cl = validate(
            events[keep], claims[np.isin(claim_event, np.flatnonzero(keep))], context=context, today=today
        )
        result.events, result.claims = ev, cl
    return result


def check_points(
    result: ImportResult, rows: np.ndarray, lon: np.ndarray, lat: np.ndarray, mask: np.ndarray, column: str
) -> np.ndarray:
    """Reject points (where ``mask``) in metres or outside every known region; return the rejected mask.

    The same checks as :func:`geo.validate.validate`, done up front over the
    whole file so thousands of bad rows cost one pass and each is named.
    """
    from geo import reference

    bad = np.zeros(len(rows), dtype=bool)
    check = mask & np.isfinite(lon) & np.isfinite(lat)
    out_of_range = check & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    for i in np.flatnonzero(out_of_range):
        result.rejected.append(
            Problem(
                f"coordinates outside longitude -180..180 / latitude -90..90: {lat[i]:.10g}, {lon[i]:.10g}",
                int(rows[i]),
                column,
                "coordinates must be WGS84 degrees (EPSG:4326); these look like metres (EPSG:3857)",
            )
        )
    bad |= out_of_range
    inside = np.flatnonzero(check & ~out_of_range)
    if not len(inside):
        return bad
    found = reference.regions_of(lon[inside], lat[inside])
    nowhere = inside[pd.isna(found)]
    if len(nowhere):
        swapped = pd.notna(reference.regions_of(lat[nowhere], lon[nowhere]))
        for i, swap in zip(nowhere, swapped, strict=True):
            if swap:
                fix = f"latitude and longitude look swapped: latitude {lon[i]:.10g}, longitude {lat[i]:.10g}?"
            else:
                fix = "check the coordinates"
            result.rejected.append(
                Problem(
                    f"point lies outside every known region (Ukraine, Russia, Belarus): {lat[i]:.10g}, {lon[i]:.10g}",
                    int(rows[i]),
                    column,
                    fix,
                )
            )
        bad[nowhere] = True
    return bad


def check_dates(
    result: ImportResult,
    rows: np.ndarray,
    dates: pd.Series,
    mask: np.ndarray,
    column: str,
    today: dt.date | None,
) -> np.ndarray:
    """Reject dates (where ``mask``) before 2014 or in the future; return the rejected mask."""
    from geo.validate import EARLIEST

    limit = pd.Timestamp(today or dt.date.today()) + pd.Timedelta(days=1)
    values = dates.to_numpy(dtype="datetime64[ns]")
    early = mask & (values < EARLIEST.to_datetime64())
    late = mask & (values > limit.to_datetime64())
    for i in np.flatnonzero(early | late):
        day = pd.Timestamp(values[i]).strftime("%Y-%m-%d")
        if early[i]:
            result.rejected.append(Problem(f"date before 2014: {day}", int(rows[i]), column, "check the year"))
        else:
            result.rejected.append(Problem(f"date in the future: {day}", int(rows[i]), column, "check the date"))
    return early | late


def dataset_name(path: Path, dataset: str | None) -> str:
    """The dataset name: the one given, else the file's stem."""
    name = dataset if dataset is not None else path.stem
    if not isinstance(name, str) or not name.strip():
        raise GeoError("dataset name must not be empty")
    return name.strip()


def fspath(path: str | os.PathLike[str]) -> Path:
    """A Path from a str or PathLike."""
    return Path(os.fspath(path)).expanduser()


def empty_geometry(n: int) -> gpd.GeoSeries:
    """``n`` missing geometries in EPSG:4326."""
    return gpd.GeoSeries([None] * n, crs=schema.CRS)
