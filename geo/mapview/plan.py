"""What each layer of the map draws, decided once for the map and its legend: numpy and pandas only.

:func:`_plan` sorts the events of the selected layers into points (events
located at a place), grid cells (beyond ``max_features`` points in a layer),
region outlines (events located only to a region), choropleths (layers
``drawn_as="choropleth"``, by region) and events not drawn (nothing more
precise than a country). Layer facts come from the registry
(:mod:`geo.layers`) when it runs. Count classes and colour ramps for cells
and choropleths are here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import aggregate, layers, schema
from geo._text import sort_ranks
from geo.errors import ValidationError
from geo.mapview.basemap import DISPLAY_TOLERANCE

POINT_PRECISIONS: Final = ("exact", "near")
REGION_PRECISIONS: Final = ("admin1", "admin2")
MAX_CELLS: Final = 1200
"""Most grid cells a layer sends: enough to see where events cluster, while the page stays small (zoom in for more)."""
MAX_EVENTS_PER_REGION: Final = 8
_BASE_COLUMNS: Final = (
    "event_id",
    "layer",
    "title",
    "place",
    "admin1",
    "geo_precision",
    "time_start",
    "time_end",
    "time_precision",
    "dataset",
    "status",
    "impact_type",
)
"""Event columns the map reads whatever the layers (``impact_type``: the choropleth's mix)."""
_NICE: Final = (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10000, 20000, 50000)


@dataclass
class _Choropleth:
    """A choropleth layer: the latest events of each region (for its popup) and the counts per region."""

    regions: pd.DataFrame  # latest events of each region, one row per (event, region), newest first
    counts: pd.DataFrame  # aggregate.by_region of the layer's events


@dataclass
class _Plan:
    """What each layer draws, decided once for the map and for :func:`legend_entries`."""

    points: dict[str, pd.DataFrame]  # layer -> events drawn at their own geometry
    grids: dict[str, gpd.GeoDataFrame]  # layer -> grid cells (when above max_features)
    region_events: pd.DataFrame  # events of point layers located only to a region, one row per (event, region)
    choropleths: dict[str, _Choropleth]  # choropleth layer -> its regions (only layers with some)
    not_drawn: int  # events with nothing more precise than a country
    synthetic: bool
    total: int
    in_view: int | None = None  # located events inside the view (None: the whole map is drawn)
    located: int = 0  # events drawn at a point or in a cell, anywhere
    tolerance: float = DISPLAY_TOLERANCE  # simplification of region outlines, for the zoom
    layers: tuple[str, ...] = field(default_factory=tuple)  # the layers asked for


# --- the layers asked for -----------------------------------------------------------------------------------------


def _check_layers(selected: Sequence[str] | str | None) -> tuple[str, ...]:
    """The layers to draw, without repeats; None means every registered layer.

    Raises
    ------
    ValidationError
        A layer that is not registered (the message lists the registered ones).
    """
    if selected is None:
        return layers.names()
    if isinstance(selected, str):
        selected = (selected,)
    unknown = [name for name in selected if layers.get(name, None) is None]
    if unknown:
        raise ValidationError(f"unknown map layer(s) {unknown}; choose from {', '.join(layers.names())}", "layers")
    return tuple(dict.fromkeys(selected))


def _choropleth_layers(selected: Sequence[str]) -> tuple[str, ...]:
    """Selected layers drawn as a choropleth of regions."""
    return tuple(s.name for s in layers.stacked(selected) if s.drawn_as == "choropleth")


# --- the frame the map reads --------------------------------------------------------------------------------------


def _event_columns() -> tuple[str, ...]:
    """Columns the map reads: the base ones, and what the registered layers colour and size their points by."""
    extra: list[str] = []
    for spec in layers.all_specs():
        if spec.point.colour_by:
            extra.append(spec.point.colour_by)
        extra += spec.point.radius_by
    return tuple(dict.fromkeys([*_BASE_COLUMNS, *extra]))


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _prepare(events: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """A read-only view with every column the map reads (missing ones empty), in EPSG:4326 (no copy)."""
    columns = _event_columns()
    if events is None or len(events) == 0:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=schema.CRS), crs=schema.CRS)
    if not isinstance(events, gpd.GeoDataFrame):
        raise ValidationError(f"events must be a GeoDataFrame, got {type(events).__name__}", "build_map")
    if events.crs is not None and not events.crs.equals(schema.CRS):
        events = events.to_crs(schema.CRS)
    missing = {c: _column(events, c) for c in columns if c not in events.columns}
    frame = events.assign(**missing) if missing else events
    return frame[[*columns, events.geometry.name]]


def _explode_regions(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (event, admin-1 code) of a multi-valued ``admin1``."""
    if frame.empty:
        return frame.assign(region=pd.Series(dtype=object))
    parts = frame["admin1"].astype("string").str.split(";")
    out = frame.assign(region=parts).explode("region")
    out["region"] = out["region"].astype("string").str.strip()
    out = out[out["region"].notna() & (out["region"] != "")]
    out["region"] = out["region"].astype(object)
    return out.drop_duplicates(subset=["event_id", "region"])


def _latest_per_region(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """The ``k`` latest events of each region (newest first), one row per (event, region), indexed by position.

    Only the distinct ``admin1`` values are split, and only the kept rows are
    copied: a choropleth of 200,000 outage events lists 8 per region.
    """
    if frame.empty:
        return frame.assign(region=pd.Series(dtype=object))
    ends = frame["time_end"].to_numpy(dtype="datetime64[ms]").astype(np.int64)
    order = np.lexsort((sort_ranks(frame["event_id"]), -ends))  # newest first, then by id (as _sorted_events)
    codes, uniques = pd.factorize(frame["admin1"].to_numpy(dtype=object)[order])
    parts = [list(dict.fromkeys(p.strip() for p in str(u).split(";") if p.strip())) for u in uniques]
    lens = np.array([len(p) for p in parts] + [0], dtype=np.int64)
    per_row = lens[codes]  # codes of missing values are -1: the 0 at the end
    row_of = np.repeat(np.arange(len(order)), per_row)
    offset = np.arange(len(row_of)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    flat = np.array([r for p in parts for r in p] or [""], dtype=object)
    region = flat[(np.cumsum(lens) - lens)[codes[row_of]] + offset]
    pairs = pd.DataFrame({"row": order[row_of], "region": region})
    top = pairs.groupby("region", sort=False).head(k)
    rows = top["row"].to_numpy()
    return frame.iloc[rows].assign(region=top["region"].to_numpy()).set_axis(pd.Index(rows), axis=0)


def _sorted_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Newest first, then by id."""
    key = "time_end" if "time_end" in frame.columns else "event_id"
    return frame.sort_values([key, "event_id"], ascending=[False, True], kind="stable")


# --- deciding what to draw ----------------------------------------------------------------------------------------


def _flags(series: pd.Series, values: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Membership of a text column, through pandas (Arrow-backed text is never turned into Python strings)."""
    return series.isin(values).to_numpy(dtype=bool, na_value=False)


def _in_view(geoms: npt.NDArray[np.object_], view: tuple[float, float, float, float]) -> npt.NDArray[np.bool_]:
    """Whether each geometry's bounding box meets the view box (west, south, east, north)."""
    bounds = shapely.bounds(geoms)
    west, south, east, north = view
    return (bounds[:, 2] >= west) & (bounds[:, 0] <= east) & (bounds[:, 3] >= south) & (bounds[:, 1] <= north)


@dataclass
class _Masks:
    """Which events go where, one flag per event."""

    in_layers: npt.NDArray[np.bool_]  # of a selected layer
    at_point: npt.NDArray[np.bool_]  # drawn at its own geometry (or in a cell)
    at_region: npt.NDArray[np.bool_]  # drawn as its region (an outline, or a choropleth's count)
    choropleth: npt.NDArray[np.bool_]  # of a layer drawn as a choropleth
    shown: npt.NDArray[np.bool_]  # at_point and inside the view


def _masks(events: gpd.GeoDataFrame, selected: Sequence[str], view: tuple[float, float, float, float] | None) -> _Masks:
    geoms = events.geometry.to_numpy()
    in_layers = _flags(events["layer"], selected)
    has_geom = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    choropleth = _flags(events["layer"], _choropleth_layers(selected))
    admin1 = events["admin1"]
    has_region = (admin1.notna() & admin1.astype("string").str.strip().fillna("").ne("")).to_numpy(dtype=bool)
    at_point = in_layers & has_geom & _flags(events["geo_precision"], POINT_PRECISIONS) & ~choropleth
    at_region = in_layers & ~at_point & has_region & ~_flags(events["geo_precision"], ("country", "unknown"))
    shown = at_point.copy()
    if view is not None:
        rows = np.flatnonzero(at_point)
        shown[rows] = _in_view(geoms[rows], view)
    return _Masks(in_layers, at_point, at_region, choropleth, shown)


def _points_and_grids(
    events: gpd.GeoDataFrame, masks: _Masks, selected: Sequence[str], max_features: int
) -> tuple[dict[str, pd.DataFrame], dict[str, gpd.GeoDataFrame]]:
    """Each layer's shown events: the rows themselves, or grid cells when there are more than ``max_features``."""
    points: dict[str, pd.DataFrame] = {}
    grids: dict[str, gpd.GeoDataFrame] = {}
    for name in selected:
        rows = np.flatnonzero(masks.shown & _flags(events["layer"], (name,)))
        if len(rows) == 0:
            continue
        if len(rows) > max_features:
            cells = events[["layer", "status", "dataset", events.geometry.name]].iloc[rows]
            grids[name] = aggregate.grid(cells, max_cells=min(MAX_CELLS, max_features))
        else:
            points[name] = events.iloc[rows]
    return points, grids


def _choropleth(plain: pd.DataFrame, rows: npt.NDArray[np.intp]) -> _Choropleth:
    """A choropleth of the given rows: counted in full, only the latest few of each region copied whole."""
    counted = ["event_id", "admin1", "layer", "status", "dataset", "geo_precision", "impact_type", "time_end"]
    frame = pd.DataFrame(plain[counted].iloc[rows])  # 100,000s of outages: only what is counted
    latest = _latest_per_region(frame, MAX_EVENTS_PER_REGION)
    regions = plain.iloc[rows[latest.index.to_numpy(dtype=np.intp)]].assign(region=latest["region"].to_numpy())
    return _Choropleth(regions=regions, counts=aggregate.by_region(frame))


def _plan(
    events: gpd.GeoDataFrame,
    selected: Sequence[str],
    max_features: int,
    view: tuple[float, float, float, float] | None = None,
) -> _Plan:
    """Decide what each layer draws, touching only the columns needed and the rows drawn.

    At a million events the map reads a handful of columns and copies only
    the few thousand rows it draws (or the columns the grid counts).
    """
    masks = _masks(events, selected, view)
    points, grids = _points_and_grids(events, masks, selected, max_features)
    plain = events.drop(columns=events.geometry.name)
    region_frame = pd.DataFrame(plain.iloc[np.flatnonzero(masks.at_region & ~masks.choropleth)])
    choropleths: dict[str, _Choropleth] = {}
    for name in _choropleth_layers(selected):
        rows = np.flatnonzero(masks.at_region & _flags(events["layer"], (name,)))
        if len(rows):
            choropleths[name] = _choropleth(plain, rows)
    return _Plan(
        points=points,
        grids=grids,
        region_events=_explode_regions(region_frame),
        choropleths=choropleths,
        not_drawn=int((masks.in_layers & ~masks.at_point & ~masks.at_region).sum()),
        synthetic=bool(_flags(events["dataset"], (schema.SYNTHETIC,))[masks.in_layers].any()),
        total=int(masks.in_layers.sum()),
        in_view=int(masks.shown.sum()) if view is not None else None,
        located=int(masks.at_point.sum()),
        layers=tuple(selected),
    )


def _popup_event_ids(plan: _Plan) -> set[str]:
    """Events whose claims a popup shows: every drawn point, and the first few of each region."""
    ids: set[str] = set()
    for frame in plan.points.values():
        ids |= set(frame["event_id"])
    for frame in (plan.region_events, *(c.regions for c in plan.choropleths.values())):
        if not frame.empty:
            ids |= set(_sorted_events(frame).groupby("region").head(MAX_EVENTS_PER_REGION)["event_id"])
    return ids


# --- count classes and colours ------------------------------------------------------------------------------------


def _breaks(values: np.ndarray, k: int = 5) -> list[int]:
    """Lower bounds of up to ``k`` count classes (nice numbers, first is 1)."""
    values = values[values > 0]
    if values.size == 0:
        return [1]
    nice = np.array(_NICE)
    qs = np.quantile(values, np.linspace(0, 1, k + 1)[1:-1])
    lows = {1}
    for q in qs:
        candidates = nice[nice <= q]
        if candidates.size:
            lows.add(int(candidates[-1]))
    return sorted(lows)[:k]


def _class_of(value: float, lows: Sequence[int]) -> int:
    return int(np.searchsorted(np.asarray(lows), value, side="right") - 1)


def _class_bounds(lows: Sequence[int], top: int) -> list[tuple[int, int]]:
    """``(low, high)`` of each class; the last class ends at ``top``."""
    return [(low, lows[i + 1] - 1 if i + 1 < len(lows) else top) for i, low in enumerate(lows)]


def _class_labels(lows: Sequence[int], top: int) -> list[str]:
    """``"1"``, ``"2–4"``, ``"5–12"``: each class as a range of counts."""
    return [f"{low:,}" if high <= low else f"{low:,}–{high:,}" for low, high in _class_bounds(lows, top)]


def _ramp(layer: str, n_classes: int) -> list[str]:
    """``n_classes`` colours of a layer's ramp, the darkest always last."""
    ramp = layers.get(layer).ramp
    if n_classes >= len(ramp):
        return list(ramp)
    picks = np.linspace(len(ramp) - n_classes, len(ramp) - 1, n_classes).round().astype(int)
    return [ramp[i] for i in picks]
