"""Shared machinery of the readers: size and content checks, and validating a batch row by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

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
MAX_UNPACKED = 500 * 2**20
"""A zip (KMZ, zipped Shapefile, XLSX) that would expand to more than this is refused."""
MAX_RATIO = 100
"""A zip whose unpacked size exceeds its own size this many times is refused."""
MAX_HEADER_BYTES = 2**20
"""A CSV whose first line (the header) is longer than this is refused before parsing."""
MAX_COLUMNS = 2_000
"""A CSV header naming more columns than this is refused before parsing."""


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


def check_zip(
    path: Path, *, kind: str = "a zip file", max_unpacked: int = MAX_UNPACKED, max_ratio: int = MAX_RATIO
) -> list[str]:
    """Refuse unsafe zips before extracting anything; return the member names.

    Parameters
    ----------
    path : Path
        The zip file (a KMZ, a zipped Shapefile, an XLSX workbook).
    kind : str
        What it should be, for the error when it is not a zip at all.
    max_unpacked : int
        Largest total unpacked size accepted, in bytes.
    max_ratio : int
        Largest unpacked / packed size ratio accepted.

    Returns
    -------
    list of str
        The names of the files in the zip.

    Raises
    ------
    GeoError
        Not a zip, a path leaving the folder (absolute or ``..``), or too
        large once unpacked.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise GeoError(f"{path.name} is not {kind}") from None
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in PurePosixPath(name).parts or ":" in name.split("/")[0]:
            raise GeoError(f"{path.name} holds an unsafe path {info.filename!r}: refused, nothing extracted")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > max_unpacked or unpacked > max_ratio * max(path.stat().st_size, 1):
        raise GeoError(
            f"{path.name} would expand to {unpacked / 2**20:,.0f} MB from {path.stat().st_size / 2**20:,.1f} MB: "
            "refused as a likely zip bomb, nothing extracted"
        )
    return [i.filename for i in infos if not i.is_dir()]


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


def _first_line(path: Path) -> str:
    """The file's first line as text (BOM dropped), read no further than :data:`MAX_HEADER_BYTES`.

    Raises
    ------
    GeoError
        When the first line is longer than the limit.
    """
    chunks: list[bytes] = []
    size = 0
    with path.open("rb") as f:
        while size <= MAX_HEADER_BYTES:
            chunk = f.read(SNIFF_BYTES)
            if not chunk:
                break
            cut = chunk.find(b"\n")
            if cut >= 0:
                chunks.append(chunk[:cut])
                size += cut
                break
            chunks.append(chunk)
            size += len(chunk)
    if size > MAX_HEADER_BYTES:
        raise GeoError(
            f"{path.name}: the header (first line) is longer than {MAX_HEADER_BYTES / 2**20:,.0f} MB; "
            "refused before parsing: is it a CSV with a header row?"
        )
    return b"".join(chunks).decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r")


def _delimiter(line: str) -> str:
    """The delimiter of a header line: comma, semicolon or tab (sniffed on its first 64 KB)."""
    try:
        return csv.Sniffer().sniff(line[:SNIFF_BYTES], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _positions(at: list[int]) -> str:
    """``2 and 3``, ``2, 5 and 9``, ``4, 5, 6 and 1,897 more``."""
    if len(at) <= 4:
        return ", ".join(map(str, at[:-1])) + f" and {at[-1]}"
    return ", ".join(map(str, at[:3])) + f" and {len(at) - 3:,} more"


def _header_cells(path: Path) -> tuple[list[str], str]:
    """The header's cells (stripped) and its delimiter; refuses too many columns and repeated names, in O(n).

    Raises
    ------
    GeoError
        Longer than :data:`MAX_HEADER_BYTES`, more than :data:`MAX_COLUMNS`
        columns, or a column name given twice (whatever its case).
    """
    line = _first_line(path)
    delimiter = _delimiter(line)
    cells = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    if len(cells) > MAX_COLUMNS:
        raise GeoError(
            f"{path.name}: the header names {len(cells):,} columns, over the {MAX_COLUMNS:,} accepted; "
            "refused before parsing: is it a CSV with a header row?"
        )
    cells = [c.strip() for c in cells]
    seen: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    for i, name in enumerate(cells, start=1):
        if not name:
            continue  # unnamed columns (trailing commas) are not repeats
        key = name.casefold()
        if key in seen:
            repeated.setdefault(key, [seen[key]]).append(i)
        else:
            seen[key] = i
    if repeated:
        listed = [f"{cells[at[0] - 1]!r} (columns {_positions(at)})" for at in list(repeated.values())[:5]]
        more = f" and {len(repeated) - 5:,} more" if len(repeated) > 5 else ""
        raise GeoError(f"{path.name}: column names repeat: {'; '.join(listed)}{more}; give each column its own name")
    return cells, delimiter


def read_text_table(path: Path) -> pd.DataFrame:
    """Read a CSV as text cells (no type guessing, blanks stay ``""``).

    The header is checked first, in time proportional to its length: no
    longer than :data:`MAX_HEADER_BYTES`, at most :data:`MAX_COLUMNS`
    columns, no name twice.

    Raises
    ------
    GeoError
        Binary content, not UTF-8, empty, a header too long, too wide or
        with a name twice, or a header without data rows.
    """
    data = head(path)
    if looks_binary(data):
        raise GeoError(f"{path.name} is not a CSV/text file (it holds binary data); export it as UTF-8 CSV")
    if not_utf8(data):
        raise GeoError(f"{path.name} is not UTF-8 text; save it as UTF-8 CSV")
    if not data.strip():
        raise GeoError(f"{path.name} is empty (no header, no rows)")
    _, delimiter = _header_cells(path)  # no repeated names left: pandas renames nothing
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
    """The first line of a text file split as CSV, lower-cased (empty when binary).

    Raises
    ------
    GeoError
        When the first line is longer than :data:`MAX_HEADER_BYTES`, names
        more than :data:`MAX_COLUMNS` columns or a column twice.
    """
    if looks_binary(head(path, 16 * 1024)):
        return []
    cells, _ = _header_cells(path)
    return [c.lower() for c in cells]


def require_columns(df: pd.DataFrame, columns: tuple[str, ...], what: str, name: str) -> None:
    """Raise one error naming every missing column."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise GeoError(f"{name} is not {what}: missing column(s) {', '.join(missing)}")


def text_frame(df: pd.DataFrame, columns: tuple[str, ...], what: str, name: str) -> pd.DataFrame:
    """The ``columns`` of an export as stripped text, its header matched whatever its case.

    Raises
    ------
    GeoError
        Naming every missing column (``name`` is not ``what``).
    """
    lower = [str(c).strip().lower() for c in df.columns]
    if len(set(lower)) == len(lower):
        df = df.set_axis(lower, axis=1)
    require_columns(df, columns, what, name)
    return pd.DataFrame({c: df[c].astype(str).str.strip() for c in columns})


def per_unique(values: object, fn: Callable[[str], object]) -> np.ndarray:
    """``fn`` of each cell, called once per distinct cell (a missing cell counts as ``""``)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return np.array([fn(u) for u in uniques] + [fn("")], dtype=object)[codes]


def _problem_position(
    p: Problem, ev_pos: np.ndarray, claim_event_pos: np.ndarray, claim_rows: np.ndarray | None
) -> tuple[int | None, str | None, int | None]:
    """Map a validate() problem (row within the batch) to an event position, a bare column and a claim's file row."""
    column = p.column
    if p.row is None or column is None:
        return None, column, None
    table, _, bare = column.partition(".")
    if table == "events":
        return int(ev_pos[p.row - 1]), bare, None
    if table == "claims":
        row = None if claim_rows is None else int(claim_rows[p.row - 1])
        return int(claim_event_pos[p.row - 1]), bare, row
    return None, column, None


def _validate_subset(
    events: pd.DataFrame,
    claims: pd.DataFrame,
    claim_event: np.ndarray,
    claim_rows: np.ndarray | None,
    pos: np.ndarray,
    context: str,
    today: dt.date | None,
    found: dict[int, list[Problem]],
) -> None:
    """Find the bad events among ``events.iloc[pos]``, splitting the batch when validate stops listing rows.

    A problem's row is left None (its event's row), or is the file row of the claim it is about.
    """
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
        batch_rows = None if claim_rows is None else claim_rows[cl_idx]
        for p in problems:
            at, column, row = _problem_position(p, pos, claim_event[cl_idx], batch_rows)
            if at is None:
                unlocated.append(p)
            else:
                bad.setdefault(at, []).append(Problem(p.message, row, column, p.fix))
        if unlocated and len(pos) == 1:
            bad.setdefault(int(pos[0]), []).extend(Problem(p.message, None, p.column, p.fix) for p in unlocated)
        elif unlocated:
            half = len(pos) // 2
            for part in (pos[:half], pos[half:]):
                _validate_subset(events, claims, claim_event, claim_rows, part, context, today, found)
            return
        if not bad:  # cannot happen: a failed validation names something
            raise GeoError(f"{context}: " + "; ".join(str(p) for p in problems[:5]))
        found.update(bad)
        pos = pos[~np.isin(pos, list(bad))]


def _repeated_ids(ids: np.ndarray, repeated: np.ndarray, src_rows: np.ndarray, column: str) -> list[Problem]:
    """One problem per event whose id another event of the same file has, naming the other rows."""
    rows_of: dict[object, list[int]] = {}
    for i in np.flatnonzero(repeated):
        rows_of.setdefault(ids[i], []).append(int(src_rows[i]))
    problems = []
    for i in np.flatnonzero(repeated):
        others = [r for r in rows_of[ids[i]] if r != int(src_rows[i])]
        also = f" (also row {', '.join(map(str, others))})" if others else ""
        problems.append(
            Problem(
                f"event_id {ids[i]!r} is given to another event too{also}",
                int(src_rows[i]),
                column,
                "every event needs its own id",
            )
        )
    return problems


def finish(
    result: ImportResult,
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    src_rows: np.ndarray,
    *,
    columns: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    claim_rows: np.ndarray | None = None,
) -> ImportResult:
    """Validate the batch; reject the events named in problems (with their claims) and keep the rest.

    Every rejection names the file's row: the event's (``src_rows``), or the
    claim's own (``claim_rows``) for a problem of one claim. Events of the
    batch sharing an id are rejected by row, each naming the others; the rest
    of the file goes on. ``result.placed`` counts how the located events that
    were kept got their region (:func:`geo.placement.place`), and
    ``result.event_rows``/``result.claim_rows`` keep the file row of each kept
    event and claim, for naming rows in what a store says later.

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
    claim_rows : ndarray of int, optional
        The file's row number of each claim (default: its event's row).

    Returns
    -------
    ImportResult
        ``result``.
    """
    columns = dict(columns or {})
    events = events.reset_index(drop=True)
    claims = claims.reset_index(drop=True)
    src_rows = np.asarray(src_rows)
    claim_rows = None if claim_rows is None else np.asarray(claim_rows)
    if not len(events):
        return result
    ids = events["event_id"].to_numpy(dtype=object)
    repeated = pd.Series(ids).duplicated(keep=False).to_numpy() & pd.notna(ids)
    if repeated.any():  # a within-file collision: those rows go, the rest of the file stays
        result.reject(_repeated_ids(ids, repeated, src_rows, columns.get("event_id", "event_id")))
        gone = ~claims["event_id"].isin(set(ids[repeated])).to_numpy()
        events, src_rows = events[~repeated].reset_index(drop=True), src_rows[~repeated]
        claims = claims[gone].reset_index(drop=True)
        claim_rows = None if claim_rows is None else claim_rows[gone]
        if not len(events):
            return result
    id_pos = pd.Index(events["event_id"].to_numpy(dtype=object))
    claim_event = id_pos.get_indexer(claims["event_id"].to_numpy(dtype=object))
    found: dict[int, list[Problem]] = {}
    context = Path(result.source).name
    keep = np.ones(len(events), dtype=bool)
    try:  # the common case: everything passes, validate once
        ev, cl = validate(events, claims, context=context, today=today)
    except ValidationError:
        _validate_subset(events, claims, claim_event, claim_rows, np.arange(len(events)), context, today, found)
        keep[list(found)] = False
        result.reject(
            Problem(
                p.message,
                p.row if p.row is not None else int(src_rows[at]),
                columns.get(p.column or "", p.column),
                p.fix,
            )
            for at in sorted(found, key=lambda i: src_rows[i])
            for p in found[at]
        )
        if not keep.any():
            return result
        ev, cl = validate(
            events[keep], claims[np.isin(claim_event, np.flatnonzero(keep))], context=context, today=today
        )
    kept_claims = np.isin(claim_event, np.flatnonzero(keep))
    result.events, result.claims = ev, cl
    result.placed = dict(ev.attrs.get("placed", {}))
    result.event_rows = src_rows[keep].astype(int).tolist()
    rows_of_claims = src_rows[claim_event[kept_claims]] if claim_rows is None else claim_rows[kept_claims]
    result.claim_rows = np.asarray(rows_of_claims).astype(int).tolist()
    return result


def dataset_name(path: Path, dataset: str | None) -> str:
    """The dataset name: the one given, else the file's stem."""
    name = dataset if dataset is not None else path.stem
    if not isinstance(name, str) or not name.strip():
        raise GeoError("dataset name must not be empty")
    return name.strip()


def fspath(path: str | os.PathLike[str]) -> Path:
    """A Path from a str or PathLike."""
    return Path(os.fspath(path)).expanduser()


def open_input(path: str | os.PathLike[str], max_bytes: int | None, dataset: str | None) -> tuple[Path, str]:
    """What every reader does first: the file's Path (checked for size) and the dataset name.

    Raises
    ------
    GeoError
        Missing, a folder, empty or over the limit; an empty dataset name.
    """
    p = fspath(path)
    check_size(p, max_bytes)
    return p, dataset_name(p, dataset)


def empty_geometry(n: int) -> gpd.GeoSeries:
    """``n`` missing geometries in EPSG:4326."""
    return gpd.GeoSeries([None] * n, crs=schema.CRS)
