"""GeoJSON features of the event layers: points, grid cells, region outlines and choropleths.

Styles come from each layer's spec (:mod:`geo.layers`): a point's fill from
``spec.point`` (``colour_by``/``colours``/``colour``; a contested event is
orange whatever its layer), its outline from its status, its size from
``radius``/``radius_by``, with ``extra`` on top; cells and choropleths are
shaded with ``spec.ramp``; region outlines take ``region_colour_by`` or
``region_colour``. Every text in a property is escaped HTML.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import i18n, layers, present, schema
from geo.i18n import t, tn
from geo.layers import LayerSpec
from geo.mapview.basemap import _label_point, _region_geometry, _round_coords
from geo.mapview.elements import on_each_feature
from geo.mapview.plan import _breaks, _Choropleth, _class_of, _Plan, _ramp, _sorted_events
from geo.mapview.popups import (
    _choropleth_head,
    _choropleth_popup,
    _point_popup,
    _region_popup,
    _region_tip,
    _tip,
)
from geo.present import escape, missing

CONTESTED: Final = "#ef6c00"
"""Colour of a contested event (fighting reported, nobody claims it), in every layer."""
_POINT_TO_LAYER = folium.CircleMarker(location=(0.0, 0.0), radius=6, fill=True)
_PLURAL_SAMPLES: Final = (1, 2, 5, 0)
"""Counts that between them take every plural form of the supported languages (one, few, many, other)."""


def _feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _geojson_layer(
    name: str,
    features: list[dict[str, Any]],
    *,
    show: bool = True,
    points: bool = False,
    messages: Mapping[str, Any] | None = None,
) -> folium.FeatureGroup:
    """A named layer (for the layer control) holding one canvas-rendered GeoJSON of the features."""
    group = folium.FeatureGroup(name=name, show=show)
    folium.GeoJson(
        _feature_collection(features),
        name=name,
        control=False,
        marker=_POINT_TO_LAYER if points else None,
        on_each_feature=on_each_feature(messages),
    ).add_to(group)
    return group


# --- point styles -------------------------------------------------------------------------------------------------


def _status_style(colour: str, status: object, radius: float) -> dict[str, Any]:
    """Circle style: fill colour from the layer's ``colour_by`` value, outline and fill from the status."""
    base: dict[str, Any] = {"radius": round(radius, 1), "opacity": 1, "fill": True}
    match status:
        case "disputed":
            hollow = {"fillColor": "#ffffff", "fillOpacity": 0.8}
            return base | {"color": colour, "weight": 2.5, "dashArray": "3 3"} | hollow
        case "confirmed":
            return base | {"color": "#111111", "weight": 3, "fillColor": colour, "fillOpacity": 0.95}
        case "retracted":
            return base | {"color": "#9e9e9e", "weight": 1, "opacity": 0.6, "fillColor": "#bdbdbd", "fillOpacity": 0.35}
        case "contested":
            return base | {"color": CONTESTED, "weight": 3, "fillColor": "#ffffff", "fillOpacity": 0.7}
        case _:
            return base | {"color": "#ffffff", "weight": 1.2, "fillColor": colour, "fillOpacity": 0.9}


def _value_colour(spec: LayerSpec, value: object) -> str:
    """The fill of a ``colour_by`` value: its colour, else the layer's colour (missing or unlisted values)."""
    if missing(value):
        return spec.point.colour
    return spec.point.colours.get(str(value), spec.point.colour)


def _point_colour(spec: LayerSpec, row: Mapping[str, Any]) -> str:
    if row.get("status") == "contested":
        return CONTESTED
    if spec.point.colour_by is None:
        return spec.point.colour
    return _value_colour(spec, row.get(spec.point.colour_by))


def _point_radius(spec: LayerSpec, row: Mapping[str, Any]) -> float:
    """The layer's radius, grown with the largest of its ``radius_by`` figures (drones claimed), 5–22 px."""
    counts = [float(row[f]) for f in spec.point.radius_by if not missing(row.get(f))]
    if not counts:
        return spec.point.radius
    return float(np.clip(4.0 + 1.3 * math.sqrt(max(counts)), 5.0, 22.0))


def _point_style(spec: LayerSpec, row: Mapping[str, Any]) -> dict[str, Any]:
    status = row.get("status")
    return _status_style(_point_colour(spec, row), status, _point_radius(spec, row)) | dict(spec.point.extra)


def _point_features(
    spec: LayerSpec, frame: gpd.GeoDataFrame, claims_of: Mapping[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """One feature per event at its geometry (a circle for a point, the shape otherwise), with popup and tooltip."""
    geoms = frame.geometry.to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    xs, ys = shapely.get_x(geoms), shapely.get_y(geoms)
    features = []
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    for i, row in enumerate(records):
        style = _point_style(spec, row)
        if is_point[i]:
            geometry: dict[str, Any] = {"type": "Point", "coordinates": [round(xs[i], 5), round(ys[i], 5)]}
        else:
            geometry = shapely.geometry.mapping(_round_coords(np.array([geoms[i]]), 5)[0])
            style = {k: v for k, v in style.items() if k != "radius"}
        properties = {"style": style, "tip": _tip(row), "popup": _point_popup(row, claims_of)}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


# --- grid cells ---------------------------------------------------------------------------------------------------


def _plural_forms(write: Callable[[int], str]) -> dict[str, str]:
    """A counted text in each plural form of the current language, with ``{n}`` for the count (for the browser).

    ``write(k)`` gives the text for the count ``k``; one sample count per form is written.
    """
    catalog = i18n.catalog()
    forms: dict[str, str] = {}
    for k in _PLURAL_SAMPLES:
        form = catalog.form(k)
        if form not in forms:
            forms[form] = escape(write(k).replace(str(k), "{n}", 1))
    return forms


def _grid_messages(layer: str, step: float) -> dict[str, Any]:
    """The words of a layer's cell tooltips, translated once for the layer (the browser puts them together)."""
    cell = escape(t("{count} in this {size}° cell", count="{count}", size=f"{step:g}"))
    return {
        "lang": i18n.catalog().code,
        "count": _plural_forms(lambda k: present.count(k, layer)),
        "cell": cell.replace("{count}", "<b>{count}</b>", 1),
        "statuses": [escape(present.status_label(s)) for s in schema.STATUSES],
        "synthetic": _plural_forms(lambda k: tn("{n} synthetic", "{n} synthetic", k)),
    }


def _grid_features(layer: str, cells: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Square cells shaded by their number of events; the tooltip's status mix is written in the browser."""
    counts = cells["n"].to_numpy()
    lows = _breaks(counts)
    colours = _ramp(layer, len(lows))
    edge = colours[-1]
    classes = np.clip(np.searchsorted(np.asarray(lows), counts, side="right") - 1, 0, len(colours) - 1)
    styles = [{"color": edge, "weight": 0.6, "opacity": 0.7, "fillColor": c, "fillOpacity": 0.7} for c in colours]
    # Counts, not text: the tooltip is written in the browser (on_each_feature.js), which keeps a cell ~200 bytes.
    numbers = np.column_stack(
        [counts, *(cells[f"n_{s}"].to_numpy() for s in schema.STATUSES), cells["synthetic"].to_numpy()]
    ).astype(np.int64)
    boxes = np.round(cells[["minx", "miny", "maxx", "maxy"]].to_numpy(dtype=float), 6)
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]},
            "properties": {"style": styles[c], "cell": nums},
        }
        for (x0, y0, x1, y1), nums, c in zip(boxes.tolist(), numbers.tolist(), classes.tolist(), strict=True)
    ]


# --- region outlines ----------------------------------------------------------------------------------------------


def _region_count(layer: str, group: pd.DataFrame) -> str:
    """``"3 capture claims · 1 contested"``, ``"2 strikes"``: what a region outline holds."""
    contested = int((group["status"] == "contested").sum())
    parts = []
    if len(group) - contested:
        parts.append(present.count(len(group) - contested, layer))
    if contested:
        parts.append(tn("{n} contested", "{n} contested", contested))
    return " · ".join(parts)


def _region_colour(spec: LayerSpec, group: pd.DataFrame) -> str:
    """The outline colour: the shared ``colour_by`` value's (``region_colour_by``), else ``region_colour``."""
    if not spec.region_colour_by or spec.point.colour_by is None:
        return spec.region_colour
    claimed = group[group["status"] != "contested"]
    if claimed.empty:
        return CONTESTED
    values = set(claimed[spec.point.colour_by].dropna())
    return _value_colour(spec, values.pop()) if len(values) == 1 else spec.point.colour


def _region_style(colour: str) -> dict[str, Any]:
    """A region holding events located only to it: a wide translucent outline, a faint fill, never dashed."""
    return {"color": colour, "weight": 3.5, "opacity": 0.45, "fillColor": colour, "fillOpacity": 0.07}


def _region_features(plan: _Plan, claims_of: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Outlines of regions holding events located only to them, one per (region, layer), with a count badge.

    The tooltip names the places the outline stands for; the badges of one region share a ``badge_key`` (its code).
    """
    frame = _sorted_events(plan.region_events)
    features = []
    for (code, layer), group in frame.groupby(["region", "layer"], sort=True):
        geometry = _region_geometry(code, plan.tolerance)
        if geometry is None:
            continue
        spec = layers.get(layer)
        count = _region_count(layer, group)
        properties = {
            "style": _region_style(_region_colour(spec, group)),
            "badge": escape(count),
            "badge_dir": spec.badge_dir,
            "badge_at": _label_point(code),
            "badge_key": escape(code),  # badges of one region are stacked together in the browser
            "tip": _region_tip(code, count, group),
            "popup": _region_popup(code, count, group, claims_of),
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


# --- choropleths --------------------------------------------------------------------------------------------------


def _choropleth_features(
    layer: str, choropleth: _Choropleth, tolerance: float, claims_of: Mapping[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """A choropleth: one feature per region, shaded by its number of the layer's events."""
    counts = choropleth.counts
    lows = _breaks(counts["n"].to_numpy())
    colours = _ramp(layer, len(lows))
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in choropleth.regions.to_dict("records"):  # a few hundred rows: one conversion, no group-by
        groups.setdefault(record["region"], []).append(record)
    features = []
    for code, row in zip(counts.index, counts.to_dict("records"), strict=True):
        geometry = _region_geometry(code, tolerance)
        if geometry is None or code not in groups:
            continue
        head = _choropleth_head(code, layer, row)
        style = {
            "color": colours[-1],
            "weight": 1,
            "opacity": 0.8,
            "fillColor": colours[_class_of(row["n"], lows)],
            "fillOpacity": 0.5,
        }
        popup = _choropleth_popup(head, groups[code], int(row["n"]), claims_of)
        properties = {"style": style, "tip": head, "popup": popup}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features
