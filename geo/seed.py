"""The bundled, sourced dataset (``data/seed/*.toml``).

The facts of February 2026 are kept as TOML text files that diff well: one file
per layer with ``[[event]]`` tables and their ``[[event.claim]]`` statements,
and ``sources.toml`` with every source once. :func:`load_seed` reads them into
the two tables of the data model and validates them like any import.

A claim names its source by id (``source = "tass-gerasimov"``) and may list
further outlets reporting the same statement (``also = [...]``); events carry a
point only as ``lon``/``lat`` with a ``geo_source`` saying where it came from.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import schema, settings
from geo.errors import NotFoundError, Problem, ValidationError
from geo.validate import validate

__all__ = ["DATASET", "LAYER_FILES", "load_seed"]

DATASET = "feb-2026"
LAYER_FILES = {"capture": "captures.toml", "strike": "strikes.toml", "impact": "impacts.toml", "talks": "talks.toml"}
_EVENT_KEYS = set(schema.EVENT_COLUMN_NAMES) - {"event_id", "layer", "dataset"} | {"id", "lon", "lat", "claim"}
_CLAIM_KEYS = set(schema.CLAIM_COLUMN_NAMES) - {
    "claim_id",
    "event_id",
    "source_url",
    "publisher",
    "language",
    "source_title",
    "other_sources",
} | {"id", "source", "also"}
_SOURCE_KEYS = {"url", "publisher", "language", "title"}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise NotFoundError(f"seed file not found: {path}") from None
    except tomllib.TOMLDecodeError as err:
        raise ValidationError(Problem(str(err), fix="fix the TOML syntax"), context=str(path)) from None


def _unknown_keys(table: dict[str, Any], allowed: set[str], where: str, problems: list[Problem]) -> None:
    for key in sorted(set(table) - allowed):
        problems.append(Problem(f"unknown key {key!r} in {where}", column=key, fix="check the spelling"))


def _claim_rows(
    event_id: str, raw: list[dict[str, Any]], sources: dict[str, Any], where: str, problems: list[Problem]
) -> list[dict[str, Any]]:
    rows = []
    for claim in raw:
        _unknown_keys(claim, _CLAIM_KEYS, f"{where} claim {claim.get('id')!r}", problems)
        row = {k: v for k, v in claim.items() if k not in {"id", "source", "also"}}
        row["claim_id"] = claim.get("id")
        row["event_id"] = event_id
        src = sources.get(claim.get("source", ""))
        if src is None:
            problems.append(
                Problem(f"claim {claim.get('id')!r} names unknown source {claim.get('source')!r}", column="source")
            )
            src = {}
        row |= {
            "source_url": src.get("url"),
            "publisher": src.get("publisher"),
            "language": src.get("language"),
            "source_title": src.get("title"),
        }
        also = [sources.get(a, {}).get("url") for a in claim.get("also", [])]
        if None in also:
            problems.append(Problem(f"claim {claim.get('id')!r} lists an unknown source in 'also'", column="also"))
        row["other_sources"] = schema.join_multi([a for a in also if a])
        rows.append(row)
    return rows


def _to_naive(value: object) -> object:
    """TOML dates/datetimes to pandas-friendly values (dates stay dates)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def load_seed(
    seed_dir: str | Path | None = None, *, today: dt.date | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read and validate the bundled dataset.

    Parameters
    ----------
    seed_dir : str or Path, optional
        Folder with ``sources.toml`` and the layer files (default
        ``data/seed`` of the project).
    today : date, optional
        Reference date for the "not in the future" check.

    Returns
    -------
    tuple of (GeoDataFrame, DataFrame)
        Validated events (dataset ``feb-2026``) and claims.

    Raises
    ------
    NotFoundError
        A seed file is missing.
    ValidationError
        Anything in the files is wrong, every problem listed.
    """
    folder = Path(seed_dir) if seed_dir is not None else settings.get().seed_dir
    sources = _read_toml(folder / "sources.toml")
    problems: list[Problem] = []
    for sid, src in sources.items():
        _unknown_keys(src, _SOURCE_KEYS, f"source {sid!r}", problems)
    events: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for layer, name in LAYER_FILES.items():
        for raw in _read_toml(folder / name).get("event", []):
            where = f"{name} event {raw.get('id')!r}"
            _unknown_keys(raw, _EVENT_KEYS, where, problems)
            row = {k: _to_naive(v) for k, v in raw.items() if k not in {"id", "claim", "lon", "lat"}}
            row |= {"event_id": raw.get("id"), "layer": layer, "dataset": DATASET}
            has_point = "lon" in raw and "lat" in raw
            row["geometry"] = shapely.Point(raw["lon"], raw["lat"]) if has_point else None
            events.append(row)
            claim_raw = [{k: _to_naive(v) for k, v in c.items()} for c in raw.get("claim", [])]
            claims += _claim_rows(raw.get("id"), claim_raw, sources, where, problems)
    if problems:
        raise ValidationError(problems, context=f"seed {folder}")
    ev = gpd.GeoDataFrame(pd.DataFrame(events), geometry="geometry", crs=schema.CRS)
    return validate(ev, pd.DataFrame(claims), context=f"seed {folder}", today=today)
