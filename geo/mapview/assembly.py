"""Putting the map together: :func:`build_map`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import i18n, present, settings
from geo import layers as registry
from geo.assets import ASSET_MODES, use_assets
from geo.errors import ValidationError
from geo.i18n import t
from geo.layers import LayerSpec
from geo.mapview.basemap import SEA, _add_offline_basemap, _add_tile_basemap, _display_regions, _tolerance_for
from geo.mapview.control import ControlArea, ControlHatch, control_groups
from geo.mapview.elements import Declutter, KeepOrder, LayerControl, Legend, Style
from geo.mapview.features import (
    _choropleth_features,
    _geojson_layer,
    _grid_features,
    _grid_messages,
    _point_features,
    _region_features,
)
from geo.mapview.legend import (
    _aggregated_title,
    _control_sections,
    _header_notes,
    _legend_html,
    _legend_sections,
    _region_title,
)
from geo.mapview.plan import _check_layers, _Plan, _plan, _popup_event_ids, _prepare
from geo.mapview.popups import _claims_by_event

BASEMAPS: Final = ("offline", "osm", "carto")
DEFAULT_BOUNDS: Final = ((44.0, 22.0), (56.5, 41.5))
"""South-west and north-east corners (lat, lon) of Ukraine and western Russia."""
DEFAULT_ZOOM: Final = 8
"""Zoom a ``view`` opens at when none is given."""
_DRAW_OPTIONS: Final = {
    "polyline": False,
    "circle": False,
    "marker": False,
    "circlemarker": False,
    "rectangle": {"showArea": False},
    "polygon": {"allowIntersection": False, "showArea": False},
}


# --- arguments ----------------------------------------------------------------------------------------------------


def _check_view(view: Sequence[float] | None) -> tuple[float, float, float, float] | None:
    if view is None:
        return None
    try:
        west, south, east, north = (float(v) for v in view)
    except (TypeError, ValueError):
        raise ValidationError(f"view must be (west, south, east, north) in degrees, got {view!r}", "view") from None
    if not (all(map(math.isfinite, (west, south, east, north))) and west < east and south < north):
        raise ValidationError(
            f"view must be (west, south, east, north) with west < east, south < north, got {view!r}", "view"
        )
    return west, south, east, north


def _check_args(basemap: str, assets_mode: str, max_features: int) -> None:
    problems = []
    if basemap not in BASEMAPS:
        problems.append(f"basemap must be one of {', '.join(BASEMAPS)}, got {basemap!r}")
    if assets_mode not in ASSET_MODES:
        problems.append(f"assets must be one of {', '.join(ASSET_MODES)}, got {assets_mode!r}")
    if not isinstance(max_features, (int, np.integer)) or max_features < 1:
        problems.append(f"max_features must be a positive whole number, got {max_features!r}")
    if problems:
        raise ValidationError(problems, "build_map")


# --- the view -----------------------------------------------------------------------------------------------------


def _fits_view(spec: LayerSpec) -> bool:
    """Whether a layer's points pull the fitted view.

    Talks venues (Geneva, Abu Dhabi) do not, unless nothing else is drawn: a
    layer shown as bands on the timeline (rounds of talks) places meetings, not
    events of the war: the spec's ``fit_view`` decides.
    """
    return spec.fit_view


def _bounds_of(plan: _Plan) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Bounds of what is drawn (talks venues only when nothing else is), padded to at least ~1.5°."""
    boxes = []
    others = []
    for layer, frame in plan.points.items():
        box = gpd.GeoSeries(frame.geometry).total_bounds
        (boxes if _fits_view(registry.get(layer)) else others).append(box)
    boxes += [cells.total_bounds for cells in plan.grids.values()]
    regions = _display_regions(settings.get().reference_dir)
    codes = set(plan.region_events.get("region", []))
    for choropleth in plan.choropleths.values():
        codes |= set(choropleth.regions.get("region", []))
    codes &= set(regions.index)
    if codes:
        boxes.append(regions.loc[sorted(codes)].total_bounds)
    boxes = boxes or others
    boxes = [b for b in boxes if np.all(np.isfinite(b))]
    if not boxes:
        return None
    arr = np.array(boxes)
    west, south, east, north = arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()
    pad_x, pad_y = max(0.0, (1.5 - (east - west)) / 2), max(0.0, (1.0 - (north - south)) / 2)
    return (float(south - pad_y), float(west - pad_x)), (float(north + pad_y), float(east + pad_x))


def _new_map(view: tuple[float, float, float, float] | None, zoom: int | None, fit: bool) -> folium.Map:
    """An empty map opened at the view (and zoom), or at the widest view until it is fitted."""
    if view is not None:
        location, zoom_start = ((view[1] + view[3]) / 2, (view[0] + view[2]) / 2), int(zoom or DEFAULT_ZOOM)
    else:  # fitted later; until then the widest view, so the view a page hears of first never reads as a zoom-in
        location, zoom_start = (49.0, 33.0), (3 if fit else 6)
    return folium.Map(
        location=location,
        zoom_start=zoom_start,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        min_zoom=3,
        max_zoom=13,
        world_copy_jump=False,
    )


# --- the layers ---------------------------------------------------------------------------------------------------


def _event_layers(plan: _Plan, claims: pd.DataFrame, verdicts: pd.DataFrame | None = None) -> list[folium.FeatureGroup]:
    """One named layer per map layer, bottom to top: choropleths, region outlines, grid cells, points.

    Layers of each kind are stacked by their ``stack`` (strikes under
    captures: they are widespread, captures follow the front line; talks
    venues on top). ``verdicts`` (optional) add a line per assessor under each capture claim.
    """
    claims_of: Mapping[str, list[dict[str, Any]]] = _claims_by_event(claims, _popup_event_ids(plan), verdicts)
    stack = registry.stacked(plan.layers)
    ordered: list[folium.FeatureGroup] = []
    for spec in stack:
        if spec.name in plan.choropleths:
            features = _choropleth_features(spec.name, plan.choropleths[spec.name], plan.tolerance, claims_of)
            ordered.append(_geojson_layer(present.layer_label(spec.name), features))
    if not plan.region_events.empty:
        ordered.append(_geojson_layer(_region_title(), _region_features(plan, claims_of)))
    for spec in stack:
        if spec.name in plan.grids:
            cells = plan.grids[spec.name]
            messages = _grid_messages(spec.name, cells.attrs.get("cell_deg", 0))
            features = _grid_features(spec.name, cells)
            ordered.append(_geojson_layer(_aggregated_title(spec.name), features, messages=messages))
    for spec in stack:
        if spec.name in plan.points:
            features = _point_features(spec, plan.points[spec.name], claims_of)
            ordered.append(_geojson_layer(present.layer_label(spec.name), features, points=True))
    return ordered


def _add_draw_tools(m: folium.Map) -> None:
    """Rectangle and polygon drawing tools (for an area filter), nothing else."""
    folium.plugins.Draw(
        export=False, position="topleft", show_geometry_on_click=False, draw_options=dict(_DRAW_OPTIONS)
    ).add_to(m)


def _add_area_outline(m: folium.Map, wkt: str) -> None:
    """The area filter as a dashed, non-interactive outline."""
    try:
        geometry = shapely.from_wkt(wkt)
    except shapely.errors.GEOSException as err:
        raise ValidationError(f"area is not valid WKT: {err}") from None
    folium.GeoJson(
        shapely.geometry.mapping(geometry),
        name=t("Area filter"),
        control=False,
        interactive=False,
        style_function=lambda _: {"color": "#1f5fbf", "weight": 2, "dashArray": "6 4", "fill": False},
    ).add_to(m)


def _assemble(
    plan: _Plan,
    claims: pd.DataFrame,
    *,
    basemap: str,
    draw: bool,
    area: str | None,
    view: tuple[float, float, float, float] | None,
    zoom: int | None,
    fit: bool,
    control: Sequence[ControlArea] = (),
    verdicts: pd.DataFrame | None = None,
) -> folium.Map:
    """The map of a plan: basemaps, Control layers, event layers, legend, layer control, tools, the view."""
    m = _new_map(view, zoom, fit)
    Style(SEA).add_to(m)
    _add_offline_basemap(m)
    _add_tile_basemap(m, basemap)
    under = control_groups(control, zoom=zoom or DEFAULT_ZOOM, view=view) if control else []
    ordered = _event_layers(plan, claims, verdicts)
    for group in [*under, *ordered]:
        group.add_to(m)
    if under or (verdicts is not None and not verdicts.empty):
        ControlHatch(under).add_to(m)
    if ordered or under:
        KeepOrder([*under, *ordered]).add_to(m)  # the Control layers stay under the events when switched back on
    sections = _legend_sections(plan) + _control_sections(control)
    Legend(_legend_html(sections, _header_notes(plan), plan.synthetic)).add_to(m)
    LayerControl(position="topright").add_to(m)  # folded on a narrow map
    Declutter().add_to(m)  # no two labels overlap, at any zoom
    if draw:
        _add_draw_tools(m)
    if area:
        _add_area_outline(m, area)
    bounds = _bounds_of(plan) if view is None else None
    m.data_bounds = None if bounds is None else (bounds[0][1], bounds[0][0], bounds[1][1], bounds[1][0])  # type: ignore[attr-defined]
    if fit and view is None:
        bounds = bounds or DEFAULT_BOUNDS
        m.fit_bounds([list(bounds[0]), list(bounds[1])], max_zoom=10)
    m.aggregated = tuple(plan.grids)  # type: ignore[attr-defined]  # layers drawn as cells: zooming in adds detail
    return m


def build_map(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    *,
    layers: Sequence[str] | None = None,
    basemap: str = "offline",
    assets: str = "local",
    static_url: str = "/app/static/vendor",
    max_features: int = 3000,
    draw: bool = False,
    fit: bool = True,
    area: str | None = None,
    view: tuple[float, float, float, float] | None = None,
    zoom: int | None = None,
    lang: str | None = None,
    control: Sequence[ControlArea] | None = None,
    verdicts: pd.DataFrame | None = None,
) -> folium.Map:
    """Assemble the folium map of folded, filtered events.

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Folded events (:func:`geo.claims.fold`), already filtered. Not changed.
    claims : pandas.DataFrame
        The claims of those events, for the popups. Not changed.
    layers : sequence of str, optional
        Map layers to draw, from the registered layers (:func:`geo.layers.names`);
        default all of them.
    basemap : {"offline", "osm", "carto"}
        The offline basemap (bundled boundaries and city labels) is always
        there; ``"osm"``/``"carto"`` add that tile layer as another base
        layer, shown first (it needs the internet).
    assets : {"local", "cdn"}
        Load Leaflet from ``static_url`` (:func:`geo.assets.ensure_static`)
        or from public CDNs.
    static_url : str
        Where the vendor folder is served.
    max_features : int
        Most point features a layer sends to the browser; above it the layer
        is drawn as grid cells.
    draw : bool
        Add rectangle and polygon drawing tools (for an area filter).
    fit : bool
        Fit the view to what is drawn (Ukraine and western Russia when
        nothing is).
    area : str, optional
        WKT of the area filter (drawn on the map by the user): outlined, dashed, so a reader sees
        what the map is limited to.
    view : (west, south, east, north), optional
        Draw only what lies in this box (the part of the map on screen,
        with a margin), opened at its centre and ``zoom`` instead of fitted:
        a reader who zooms in gets the individual events of the view once
        they are few enough, or finer cells. Region outlines are drawn in
        full, at a simplification fitting the zoom.
    zoom : int, optional
        The zoom level to open ``view`` at (default 8).
    lang : str, optional
        Language of the map's text (default the current one, :func:`geo.i18n.using`).
    control : sequence of ControlArea, optional
        The Control layer (:mod:`geo.mapview.control`): per assessor, the area held as of the period's end and
        the areas gained and lost in it (:func:`~geo.mapview.control.control_areas` reads them from a store).
        Drawn under the event layers, one switchable layer per assessor, in the legend; clipped to ``view``
        and simplified for the zoom. None or empty: the map is as without it.
    verdicts : pandas.DataFrame, optional
        Verdicts of the capture claims against the assessments (:func:`geo.control.check.check_claims`:
        ``claim_id``, ``assessor``, ``text``, …): each claim's popup gets a line per assessor.

    Returns
    -------
    folium.Map
        The map; ``m.get_root().render()`` gives the page. Its attribute
        ``aggregated`` names the layers drawn as grid cells (a closer
        ``view`` would show more detail), ``data_bounds`` is the box
        (west, south, east, north) of what is drawn (None with a ``view``).

    Raises
    ------
    ValidationError
        If a layer (not registered), basemap, asset mode, ``max_features`` or ``view`` is invalid.
    GeoError
        If local assets are asked for and the map would still need the
        network (see :func:`geo.assets.use_assets`).
    """
    with i18n.using(lang):
        selected = _check_layers(layers)
        _check_args(basemap, assets, max_features)
        box = _check_view(view)
        plan = _plan(_prepare(events), selected, int(max_features), box)
        if box is not None:
            plan.tolerance = _tolerance_for(zoom or DEFAULT_ZOOM)
        m = _assemble(
            plan,
            claims,
            basemap=basemap,
            draw=draw,
            area=area,
            view=box,
            zoom=zoom,
            fit=fit,
            control=tuple(control or ()),
            verdicts=verdicts,
        )
        return use_assets(m, assets, static_url)
