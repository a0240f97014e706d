"""Server-side binning of large event sets (DESIGN.md §6).

The browser must never receive more than a few thousand features per layer.
Beyond that, :func:`grid` bins located events into square cells of a global
grid (anchored at 180°W, 90°S, so a cell is the same cell whatever the filter),
and :func:`by_region` counts events per admin-1 region for the choropleth and
for events located only to their region.

Both are vectorised over all events at once: no Python per row.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import layers, schema
from geo.errors import ValidationError

__all__ = ["CELL_STEPS", "by_region", "choose_cell_deg", "grid"]

CELL_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 45.0, 90.0)
"""Cell sizes (degrees) :func:`grid` chooses from when none is given."""


def _count_specs() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Columns counted per cell and region, with their values: every layer registered now, every status."""
    return (("layer", layers.names()), ("status", tuple(schema.STATUSES)))


def _xy(events: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitudes, latitudes and row positions of the events that have a location.

    Points give their coordinates; other geometries their representative point.
    Missing and empty geometries are left out.
    """
    if events.crs is not None and not events.crs.equals(schema.CRS):
        events = events.to_crs(schema.CRS)
    geoms = np.asarray(events.geometry.array)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(present)
    geoms = geoms[rows]
    not_point = shapely.get_type_id(geoms) != 0
    if not_point.any():
        geoms = geoms.copy()
        geoms[not_point] = shapely.point_on_surface(geoms[not_point])
    x, y = shapely.get_x(geoms), shapely.get_y(geoms)
    ok = np.isfinite(x) & np.isfinite(y)
    return x[ok], y[ok], rows[ok]


def _cell_index(x: np.ndarray, y: np.ndarray, cell_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Column and row of each point's cell in the global grid of ``cell_deg``."""
    ix = np.floor((x + 180.0) / cell_deg).astype(np.int64)
    iy = np.floor((y + 90.0) / cell_deg).astype(np.int64)
    return ix, iy


def _rows_per_column(cell_deg: float) -> int:
    """Upper bound of a cell's row index + 1, so ``ix * this + iy`` is a unique key per cell."""
    return int(np.floor(180.0 / cell_deg)) + 2


def _n_cells(x: np.ndarray, y: np.ndarray, cell_deg: float) -> int:
    ix, iy = _cell_index(x, y, cell_deg)
    return len(pd.unique(ix * _rows_per_column(cell_deg) + iy))


def choose_cell_deg(x: np.ndarray, y: np.ndarray, max_cells: int) -> float:
    """Smallest step of :data:`CELL_STEPS` that puts the points in at most ``max_cells`` non-empty cells.

    Parameters
    ----------
    x, y : numpy.ndarray
        Longitudes and latitudes.
    max_cells : int
        Most non-empty cells wanted.

    Returns
    -------
    float
        Cell size in degrees (the largest step when even that gives more cells).
    """
    if x.size <= max_cells:
        return CELL_STEPS[0]
    # The number of non-empty cells falls as the step grows: bisect over the steps.
    lo, hi = 0, len(CELL_STEPS) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _n_cells(x, y, CELL_STEPS[mid]) <= max_cells:
            hi = mid
        else:
            lo = mid + 1
    return CELL_STEPS[lo]


def _codes(values: pd.Series | None, vocab: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    """Index of each selected row's value in ``vocab`` (``len(vocab)`` for anything else).

    Factorises the whole column (hash-based; Arrow's dictionary encoding for
    string columns) and maps its few distinct values, never converting a
    million strings to Python objects.
    """
    if values is None:
        return np.full(rows.size, len(vocab), dtype=np.int64)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = np.array([vocab.index(u) if u in vocab else len(vocab) for u in uniques] + [len(vocab)], dtype=np.int64)
    return lookup[codes[rows]]  # the NA sentinel -1 picks the last entry


def _empty_grid(columns: list[str]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    for c in ("minx", "miny", "maxx", "maxy"):
        frame[c] = pd.Series(dtype="float64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=schema.CRS), crs=schema.CRS)


def grid(events: gpd.GeoDataFrame, *, cell_deg: float | None = None, max_cells: int = 2000) -> gpd.GeoDataFrame:
    """Bin located events into square cells.

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Events (folded or not) in EPSG:4326. Rows without a geometry are left
        out; a polygon counts at its representative point.
    cell_deg : float, optional
        Cell size in degrees. When not given, the smallest of
        :data:`CELL_STEPS` that gives at most ``max_cells`` non-empty cells.
    max_cells : int, default 2000
        Most non-empty cells wanted when ``cell_deg`` is chosen.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per non-empty cell, sorted by cell: the cell polygon, ``n``,
        ``n_<layer>`` for every registered layer, ``n_<status>`` for every status (0
        when the events have no ``status`` column), ``synthetic`` (events of
        the synthetic dataset), ``ix``, ``iy`` (cell column and row in the
        global grid) and ``minx, miny, maxx, maxy``. ``attrs["cell_deg"]``
        holds the cell size.

    Raises
    ------
    ValidationError
        If ``cell_deg`` or ``max_cells`` is not positive.
    """
    if cell_deg is not None and not (np.isfinite(cell_deg) and cell_deg > 0):
        raise ValidationError(f"cell_deg must be a positive number of degrees, got {cell_deg!r}", "grid")
    if not (isinstance(max_cells, (int, np.integer)) and max_cells > 0):
        raise ValidationError(f"max_cells must be a positive whole number, got {max_cells!r}", "grid")
    count_specs = _count_specs()
    count_columns = ["n", *(f"n_{v}" for _, vocab in count_specs for v in vocab), "synthetic", "ix", "iy"]
    x, y, rows = _xy(events)
    step = float(cell_deg) if cell_deg is not None else choose_cell_deg(x, y, int(max_cells))
    if rows.size == 0:
        out = _empty_grid(count_columns)
        out.attrs["cell_deg"] = step
        return out
    ix, iy = _cell_index(x, y, step)
    per_column = _rows_per_column(step)
    cell, uniques = pd.factorize(ix * per_column + iy, sort=True)
    n_cells = len(uniques)
    data: dict[str, np.ndarray] = {"n": np.bincount(cell, minlength=n_cells)}
    for column, vocab in count_specs:
        codes = _codes(events[column] if column in events.columns else None, vocab, rows)
        k = len(vocab) + 1
        table = np.bincount(cell * k + codes, minlength=n_cells * k).reshape(n_cells, k)
        for j, value in enumerate(vocab):
            data[f"n_{value}"] = table[:, j]
    if "dataset" in events.columns:
        synthetic = _codes(events["dataset"], (schema.SYNTHETIC,), rows) == 0
        data["synthetic"] = np.bincount(cell, weights=synthetic, minlength=n_cells).astype(np.int64)
    else:
        data["synthetic"] = np.zeros(n_cells, dtype=np.int64)
    cx, cy = np.divmod(np.asarray(uniques), per_column)
    data["ix"], data["iy"] = cx, cy
    minx, miny = cx * step - 180.0, cy * step - 90.0
    frame = pd.DataFrame(data)
    frame["minx"], frame["miny"], frame["maxx"], frame["maxy"] = minx, miny, minx + step, miny + step
    geometry = shapely.box(minx, miny, minx + step, miny + step)
    out = gpd.GeoDataFrame(frame, geometry=geometry, crs=schema.CRS)
    out.attrs["cell_deg"] = step
    return out


def _region_columns(count_specs: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    return [
        "n",
        *(f"n_{v}" for _, vocab in count_specs for v in vocab),
        "synthetic",
        "n_region_only",
        *(f"n_impact_{t}" for t in schema.IMPACT_TYPES),
    ]


def _multi_pairs(values: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Factorise a ``;``-joined column: each row's code, and the (code, part) pairs of the distinct values.

    Returns the row codes (-1 for missing), the pair arrays (code, index of
    the part in the sorted parts) as one 2-row array, and the sorted parts.
    Only the few distinct cell values are split in Python.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    split = [list(dict.fromkeys(schema.split_multi(u))) for u in uniques]
    parts = sorted({p for ps in split for p in ps})
    index = {p: j for j, p in enumerate(parts)}
    pairs = np.array([(i, index[p]) for i, ps in enumerate(split) for p in ps], dtype=np.int64).reshape(-1, 2)
    return np.asarray(codes, dtype=np.int64), pairs.T, parts


def by_region(events: pd.DataFrame) -> pd.DataFrame:
    """Count events per admin-1 region.

    An event whose ``admin1`` names several regions (``"RU-BRY;RU-KLU"``)
    counts once in each; events with no region are left out. Vectorised:
    only the distinct ``admin1`` and ``impact_type`` values are split.

    Parameters
    ----------
    events : DataFrame or GeoDataFrame
        Events with ``admin1`` and ``layer`` (and, when folded, ``status``;
        ``dataset``, ``geo_precision`` and ``impact_type`` when present).

    Returns
    -------
    pandas.DataFrame
        Indexed by ISO 3166-2 code (``admin1``), sorted: ``n``, ``n_<layer>``,
        ``n_<status>``, ``synthetic``, ``n_region_only`` (events located no
        more precisely than their region: ``admin2``/``admin1`` precision or
        no geometry) and ``n_impact_<type>`` for each impact type (an outage
        of power and heating counts in both).
    """
    count_specs = _count_specs()
    columns = _region_columns(count_specs)
    empty = pd.DataFrame({c: pd.Series(dtype="int64") for c in columns}, index=pd.Index([], name="admin1"))
    if len(events) == 0 or "admin1" not in events.columns:
        return empty
    codes, (pair_code, pair_region), regions = _multi_pairs(events["admin1"])
    if not regions:
        return empty
    # One (row, region) pair per region an event names.
    rows = np.flatnonzero(codes >= 0)
    per_code = np.bincount(pair_code, minlength=codes.max() + 1)
    order = np.argsort(pair_code, kind="stable")
    starts = np.concatenate([[0], np.cumsum(per_code)[:-1]])
    repeat = per_code[codes[rows]]
    row_of = np.repeat(rows, repeat)
    offset = np.arange(row_of.size) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    region_of = pair_region[order[starts[codes[row_of]] + offset]]
    n_regions = len(regions)
    all_rows = np.arange(len(events))

    def count(weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights[row_of].astype(float)
        return np.bincount(region_of, weights=w, minlength=n_regions).astype(np.int64)

    data: dict[str, np.ndarray] = {"n": count()}
    for column, vocab in count_specs:
        value = _codes(events[column] if column in events.columns else None, vocab, all_rows)
        for j, name in enumerate(vocab):
            data[f"n_{name}"] = count(value == j)
    dataset = events["dataset"] if "dataset" in events.columns else None
    data["synthetic"] = count(_codes(dataset, (schema.SYNTHETIC,), all_rows) == 0)
    data["n_region_only"] = count(_region_only(events))
    impact = events["impact_type"] if "impact_type" in events.columns else pd.Series([None] * len(events))
    impact_codes, (impact_code, impact_part), kinds = _multi_pairs(impact)
    for kind in schema.IMPACT_TYPES:
        has = np.zeros(len(events), dtype=bool)
        if kind in kinds:
            with_kind = np.zeros(max(impact_codes.max() + 2, 1), dtype=bool)
            with_kind[impact_code[impact_part == kinds.index(kind)]] = True
            has = with_kind[impact_codes]  # the -1 sentinel reads the last, always False, entry
        data[f"n_impact_{kind}"] = count(has)
    return pd.DataFrame(data, index=pd.Index(regions, name="admin1"))[columns]


def _region_only(events: pd.DataFrame) -> np.ndarray:
    """Whether each event is located no more precisely than its region."""
    coarse = np.zeros(len(events), dtype=bool)
    if "geo_precision" in events.columns:
        coarse |= _codes(events["geo_precision"], ("admin1", "admin2"), np.arange(len(events))) < 2
    if isinstance(events, gpd.GeoDataFrame) and events.geometry.name in events.columns:
        geoms = np.asarray(events.geometry.array)
        coarse |= shapely.is_missing(geoms) | shapely.is_empty(geoms)
    return coarse
