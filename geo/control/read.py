"""Importing assessed areas of control: daily files, folders and zips of them, ISW-style layers.

Inputs
------
* **DeepStateMap daily archives** ``deepstatemap_data_YYYYMMDD.geojson``: a
  FeatureCollection with one MultiPolygon, no properties; the date comes from
  the file name, the assessor is ``DeepStateMap``, the side ``RU``, the kind
  ``occupied``. A folder or a zip holding many of them is read in one go.
* **ISW-style layers** (GeoJSON, KML/KMZ, GeoPackage, zipped Shapefile):
  polygons with a date attribute (``date``, ``as_of``, ``day``…) and a kind
  (``kind``, ``type``, ``layer``, ``name``…: "assessed Russian advance",
  "claimed Russian control", "Ukrainian counteroffensive"), from which the
  side and the stored kind are read (:func:`geo.control.model.kind_of`).
* **Any polygon file** with ``date=`` and ``assessor=`` given.

The polygons of one file, day, side and kind are merged into one
MultiPolygon. Everything is checked before anything is written and every
problem is reported together: a file with no date anywhere, a date in the
future, coordinates in metres without a CRS, no polygon at all (an empty
FeatureCollection), a polygon that cannot be repaired. A self-intersecting
polygon is repaired with :func:`shapely.make_valid` when the result is still
an area, and the repair is reported. Files that are not polygon files (a
README in the folder) are listed as skipped with the reason, as are days that
appear twice with the same polygon.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.control import _files
from geo.control.model import HELD, SIDES, area_km2, kind_of, side_of
from geo.errors import GeoError, Problem, ValidationError
from geo.store.base import AssessmentWriteResult, Store

__all__ = ["DEEPSTATE", "ControlImport", "import_control", "read_control"]

DEEPSTATE: Final = "DeepStateMap"
"""Assessor of files named like DeepStateMap's daily archives."""
DAY_COLUMNS: Final = ("assessor", "as_of", "side", "kind", "source", "area_km2")
"""Columns of :attr:`ControlImport.days` (then ``geometry``)."""

_NAME_DATE = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_DEEPSTATE_NAME = re.compile(r"deepstate", re.IGNORECASE)
_DATE_FIELDS: Final = ("as_of", "date", "day", "datetime", "date_", "dt", "timestamp", "time", "дата")
_KIND_FIELDS: Final = ("kind", "type", "layer", "category", "class", "status", "name", "description")
_ASSESSOR_FIELDS: Final = ("assessor",)


@dataclass
class ControlImport:
    """What an import of assessments read, skipped, noted and wrote.

    Parameters
    ----------
    days : GeoDataFrame
        One row per assessor, day, side and kind: :data:`DAY_COLUMNS` then
        ``geometry`` (MultiPolygon, EPSG:4326), sorted.
    files : int
        Polygon files read.
    skipped : list of (str, str)
        (file, why) of what was not read.
    notes : list of str
        Repairs, reprojections, merged polygons, defaults taken.
    written : AssessmentWriteResult or None
        What the store did, once written.
    """

    days: gpd.GeoDataFrame
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: AssessmentWriteResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            "files": self.files,
            "days_read": len(self.days),
            "days": [
                {
                    "assessor": r.assessor,
                    "as_of": f"{r.as_of:%Y-%m-%d}",
                    "side": r.side,
                    "kind": r.kind,
                    "area_km2": round(float(r.area_km2), 1),
                    "source": r.source,
                }
                for r in self.days.itertuples()
            ],
            "days_skipped": [{"source": s, "reason": why} for s, why in self.skipped],
            "notes": list(self.notes),
            "written": None
            if self.written is None
            else {"inserted": self.written.inserted, "replaced": self.written.replaced,
                  "unchanged": self.written.unchanged},
        }  # fmt: skip

    def to_text(self) -> str:
        """The report as lines of text, one per day read (the area), skipped file and note."""
        lines = [f"{len(self.days):,} day(s) read from {self.files:,} file(s), {len(self.skipped):,} skipped"]
        for r in self.days.itertuples():
            lines.append(f"  {r.assessor} {r.as_of:%Y-%m-%d} {r.side} {r.kind}: {r.area_km2:,.1f} km²")
        lines += [f"  skipped {s}: {why}" for s, why in self.skipped]
        lines += [f"  note: {n}" for n in self.notes]
        if self.written is not None:
            lines.append(f"written: {self.written}")
        return "\n".join(lines)


# -- finding the files -----------------------------------------------------------------------------


def _expand(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files named or inside named folders (recursively, sorted); the rest as skipped."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for given in paths:
        p = Path(os.fspath(given)).expanduser()
        if p.is_dir():
            inside = sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith("."))
            for q in inside:
                if q.suffix.lower() in _files.POLYGON_SUFFIXES:
                    files.append(q)
                else:
                    skipped.append((str(q), f"not a polygon file ({q.suffix or 'no extension'})"))
            if not inside:
                raise GeoError(f"folder {str(p)!r} holds no files")
        elif not p.exists():
            raise GeoError(f"no file or folder at {str(p)!r}")
        else:
            files.append(p)
    return files, skipped


def _raw_files(
    files: list[Path], max_bytes: int | None, tmp: Path, skipped: list[tuple[str, str]], problems: list[Problem]
) -> list[_files.RawFile]:
    """Read every file (a zip of days member by member); problems collected, not raised."""
    out: list[_files.RawFile] = []
    for n, path in enumerate(files):
        try:
            out.extend(_read_one(path, path.name, max_bytes, tmp / str(n), skipped))
        except GeoError as err:
            problems.append(Problem(str(err)))
    return out


def _read_one(
    path: Path, name: str, max_bytes: int | None, tmp: Path, skipped: list[tuple[str, str]]
) -> list[_files.RawFile]:
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return [_files.read_geojson(path, name, max_bytes)]
    if suffix in (".kml", ".kmz"):
        return [_files.read_kml(path, name, max_bytes)]
    if suffix == ".gpkg":
        return _files.read_gpkg(path, name, max_bytes)
    if suffix != ".zip":
        raise GeoError(f"{name} is not a polygon file (GeoJSON, KML/KMZ, GeoPackage, zip); nothing was read")
    from geo.importers import _common

    _common.check_size(path, max_bytes)
    members = _files.zip_members(path)
    tmp.mkdir(parents=True, exist_ok=True)
    if any(m.lower().endswith(".shp") for m in members):
        return [_files.read_shapefile_zip(path, name, tmp)]
    out: list[_files.RawFile] = []
    for member, extracted in _files.extract_all(path, tmp):
        base = member.rsplit("/", 1)[-1]
        if base.startswith(".") or member.startswith("__MACOSX/"):
            continue
        if not base.lower().endswith((".geojson", ".json", ".kml", ".gpkg")):
            skipped.append((f"{name}:{member}", f"not a polygon file ({Path(base).suffix or 'no extension'})"))
            continue
        out.extend(_read_one(extracted, f"{name}:{member}", max_bytes, tmp / "nested", skipped))
    return out


# -- features → days -------------------------------------------------------------------------------


def _field(attrs: dict[str, Any], names: Iterable[str]) -> object:
    lower = {str(k).strip().lower(): v for k, v in attrs.items()}
    for n in names:
        v = lower.get(n)
        if v is not None and str(v).strip():
            return v
    return None


def _as_day(value: object) -> dt.date | None:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).date()
    text = str(value).strip()
    m = _NAME_DATE.search(text)
    if m and len(text) <= 10:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts.date()


def _day_from_name(stem: str) -> dt.date | None:
    m = _NAME_DATE.search(stem)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _repair(g: Any, name: str, notes: list[str], problems: list[Problem]) -> Any:
    """A valid polygon: ``g`` itself, its make_valid repair when that is still an area, or None (a problem)."""
    if g.is_valid:
        return g
    reason = shapely.is_valid_reason(g)
    fixed = shapely.make_valid(g)
    parts = [p for p in shapely.get_parts(fixed) if p.geom_type in ("Polygon", "MultiPolygon")]
    fixed = shapely.union_all(parts) if parts else None
    if fixed is None or fixed.is_empty or fixed.geom_type not in ("Polygon", "MultiPolygon"):
        problems.append(Problem(f"{name}: invalid polygon that cannot be repaired safely ({reason}); fix it in GIS"))
        return None
    notes.append(f"{name}: invalid polygon ({reason}) repaired with make_valid")
    return fixed


@dataclass(frozen=True)
class _Given:
    assessor: str | None
    side: str | None
    date: dt.date | None
    kind: str | None
    today: dt.date


def _days_of(raw: _files.RawFile, given: _Given, notes: list[str], problems: list[Problem]) -> list[dict[str, Any]]:
    """The (assessor, day, side, kind) polygons of one file, merged; problems collected."""
    if not len(raw.geoms):
        problems.append(Problem(f"{raw.name} holds no polygon (an empty FeatureCollection?); nothing to import"))
        return []
    name_day = _day_from_name(raw.stem)
    deepstate = bool(_DEEPSTATE_NAME.search(raw.stem))
    groups: dict[tuple[str, dt.date, str, str], list[Any]] = {}
    undated = 0
    for g, attrs in zip(raw.geoms, raw.attrs, strict=True):
        day = given.date
        if day is None:
            found = _field(attrs, _DATE_FIELDS)
            day = _as_day(found) if found is not None else name_day
            if found is not None and day is None:
                problems.append(Problem(f"{raw.name}: not a date: {found!r}", fix="give YYYY-MM-DD or --date"))
                continue
        if day is None:
            undated += 1
            continue
        if day > given.today:
            problems.append(
                Problem(f"{raw.name}: date {day:%Y-%m-%d} is in the future", fix="check the date or --date")
            )
            continue
        kind_text = _field(attrs, _KIND_FIELDS)
        kind = given.kind or kind_of(kind_text) or HELD
        side = given.side or side_of(kind_text) or "RU"
        assessor = given.assessor or _field(attrs, _ASSESSOR_FIELDS) or (DEEPSTATE if deepstate else None)
        if assessor is None:
            problems.append(
                Problem(f"{raw.name}: no assessor", fix="give the assessor (--assessor DeepStateMap, ISW, …)")
            )
            return []
        fixed = _repair(g, raw.name, notes, problems)
        if fixed is not None:
            groups.setdefault((str(assessor).strip(), day, side, kind), []).append(fixed)
    if undated:
        problems.append(
            Problem(
                f"{raw.name}: no date anywhere ({undated} polygon(s) without a date attribute, "
                "no date in the file name)",
                fix="give --date YYYY-MM-DD, or name the file like deepstatemap_data_YYYYMMDD.geojson",
            )
        )
        return []
    out = []
    for (assessor, day, side, kind), geoms in groups.items():
        merged = geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)
        if len(geoms) > 1:
            notes.append(f"{raw.name}: {len(geoms)} polygons of {assessor} {day:%Y-%m-%d} {side} {kind} merged")
        if merged.geom_type == "Polygon":
            merged = shapely.MultiPolygon([merged])
        out.append({"assessor": assessor, "as_of": day, "side": side, "kind": kind, "source": raw.name,
                    "geometry": merged})  # fmt: skip
    return out


def _dedupe(rows: list[dict[str, Any]], skipped: list[tuple[str, str]], problems: list[Problem]) -> list[dict]:
    """One row per series and day: an identical repeat is skipped, a differing one is a problem."""
    seen: dict[tuple[str, dt.date, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["assessor"], row["as_of"], row["side"], row["kind"])
        first = seen.get(key)
        if first is None:
            seen[key] = row
        elif shapely.equals_exact(first["geometry"], row["geometry"], 0.0):
            skipped.append((row["source"], f"the same day as {first['source']} ({key[1]:%Y-%m-%d})"))
        else:
            problems.append(
                Problem(
                    f"{first['source']} and {row['source']} give different areas for {key[0]} {key[1]:%Y-%m-%d} "
                    f"{key[2]} {key[3]}",
                    fix="import one of them",
                )
            )
    return list(seen.values())


def read_control(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    assessor: str | None = None,
    side: str | None = None,
    date: str | dt.date | None = None,
    kind: str | None = None,
    today: dt.date | None = None,
    max_bytes: int | None = None,
) -> ControlImport:
    """Read files, folders and zips of assessed areas of control into days; write nothing.

    Parameters
    ----------
    paths : path or sequence of paths
        Files (GeoJSON, KML/KMZ, GeoPackage, zipped Shapefile, zip of daily
        files) and folders of them.
    assessor : str, optional
        Who made the map; default ``DeepStateMap`` for its daily files, an
        ``assessor`` attribute, else an error.
    side : {"RU", "UA"}, optional
        Side holding the areas; default from the kind text, else ``RU``.
    date : str or date, optional
        The day of every polygon read (overrides dates in files and names).
    kind : str, optional
        The stored kind of every polygon (default from a kind attribute, else
        ``occupied``).
    today : date, optional
        Reference for "in the future" (default today).
    max_bytes : int, optional
        Size limit per file (default that of the importers).

    Returns
    -------
    ControlImport
        The days read, files skipped and notes.

    Raises
    ------
    ValidationError
        Every problem of every file, together (no date, a date in the future,
        metres without a CRS, no polygon, an unrepairable polygon, two
        different areas for one day).
    GeoError
        A path that does not exist, a bad ``side`` or ``date``.
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not items:
        raise GeoError("no file given")
    if side is not None and side.strip().upper() not in SIDES:
        raise GeoError(f"side must be RU or UA, got {side!r}")
    day = None if date is None else _as_day(date)
    if date is not None and day is None:
        raise GeoError(f"not a date: {date!r}; give YYYY-MM-DD")
    given = _Given(
        assessor.strip() if assessor and assessor.strip() else None,
        side.strip().upper() if side else None,
        day,
        kind.strip() if kind and kind.strip() else None,
        today or dt.date.today(),
    )
    files, skipped = _expand(items)
    problems: list[Problem] = []
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="geo-control-") as tmp:
        raws = _raw_files(files, max_bytes, Path(tmp), skipped, problems)
        for raw in raws:
            notes.extend(raw.notes)
            rows.extend(_days_of(raw, given, notes, problems))
    if given.date is not None and len(raws) > 1:
        notes.append(f"--date {given.date:%Y-%m-%d} applied to every one of {len(raws)} files")
    rows = _dedupe(rows, skipped, problems)
    if problems:
        raise ValidationError(problems, context="control import")
    if not rows:
        raise GeoError("no polygon file among the paths given; nothing to import")
    return ControlImport(_frame(rows), files=len(raws), skipped=skipped, notes=notes)


def _frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    geoms = np.array([r["geometry"] for r in rows], dtype=object)
    frame = pd.DataFrame(
        {
            "assessor": [r["assessor"] for r in rows],
            "as_of": pd.to_datetime([r["as_of"] for r in rows]).astype("datetime64[ms]"),
            "side": [r["side"] for r in rows],
            "kind": [r["kind"] for r in rows],
            "source": [r["source"] for r in rows],
            "area_km2": area_km2(geoms),
        }
    )
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=schema.CRS), crs=schema.CRS)
    return gdf.sort_values(["assessor", "side", "kind", "as_of"], kind="stable").reset_index(drop=True)


def import_control(
    store: Store, paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], **options: Any
) -> ControlImport:
    """Read (as :func:`read_control`) and write every day to the store in one transaction.

    Parameters
    ----------
    store : Store
        Where the days go (:meth:`~geo.store.base.Store.write_assessments`).
    paths : path or sequence of paths
        As for :func:`read_control`.
    **options
        ``assessor``, ``side``, ``date``, ``kind``, ``today``, ``max_bytes``.

    Returns
    -------
    ControlImport
        The report, with :attr:`ControlImport.written` filled.

    Raises
    ------
    ValidationError, GeoError
        As :func:`read_control`; nothing is written.
    """
    result = read_control(paths, **options)
    result.written = store.write_assessments(result.days)
    return result
