"""Folium map assembly: offline basemap, event layers, legend and escaped popups (DESIGN.md §6).

:func:`build_map` turns folded, filtered events (:func:`geo.claims.fold`) and
their claims into one ``folium.Map``:

* an **offline basemap** drawn from the bundled boundaries (sea-coloured
  background, land, admin-1 lines, labels of major cities) that needs no tile
  server; OpenStreetMap and CARTO tiles are offered only when asked for;
* one canvas-rendered ``GeoJson`` layer per map layer: captures coloured by
  side and styled by status, strikes coloured by target type and sized by the
  claimed count, an admin-1 choropleth of affected regions, talks venues, and
  events located only to a region drawn as that region's outline (never as a
  point at its centre, which would invent a location);
* beyond ``max_features`` points in a layer, that layer is drawn as grid
  cells (:func:`geo.aggregate.grid`, at most :data:`MAX_CELLS`, counts in
  the properties and the tooltip written in the browser), so the browser
  never gets more than a few thousand features per layer; given a ``view``
  (the part of the map on screen) the map holds only what lies in it, the
  events themselves once few enough, with region outlines simplified for the
  zoom;
* a legend on the map listing only what is drawn, with the caveats ("claims
  by parties, not verified", synthetic data);
* popups with each event's claim history and links to the sources.

Every string that comes from data is ``html.escape``-d before it reaches a
popup, tooltip, label, legend or GeoJSON property; only http(s) source URLs
become links. Assets go through :func:`geo.assets.use_assets`, so by default
the page loads nothing from the network.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo import aggregate, schema, settings
from geo._text import sort_ranks
from geo.assets import ASSET_MODES, use_assets
from geo.errors import ValidationError
from geo.reference import load_admin0, load_admin1

__all__ = [
    "BASEMAPS",
    "DEFAULT_BOUNDS",
    "MAP_LAYER_NAMES",
    "build_map",
    "legend_entries",
]

MAP_LAYER_NAMES: Final = {
    "capture": "Claimed captures",
    "strike": "Strikes",
    "impact": "Affected regions",
    "talks": "Talks",
    "region": "Claims at region precision",
}
"""Name of each map layer as the layer control and the legend show it."""
BASEMAPS: Final = ("offline", "osm", "carto")
DEFAULT_BOUNDS: Final = ((44.0, 22.0), (56.5, 41.5))
"""South-west and north-east corners (lat, lon) of Ukraine and western Russia."""

# --- colours and styles ----------------------------------------------------------------------------------------

SEA = "#c9dcea"
LAND_UA = "#fbfaf6"
LAND_OTHER = "#eeebe3"
BORDER = "#8c877c"
ADMIN1_LINE = "#bdb6a9"
SIDE_COLOURS: Final = {"RU": "#c62828", "UA": "#1565c0"}
SIDE_LABELS: Final = {"RU": "Russia claims", "UA": "Ukraine claims"}
NO_SIDE = "#757575"
CONTESTED = "#ef6c00"
TARGET_COLOURS: Final = {
    "energy": "#f2b701",
    "military": "#2e7d32",
    "industrial": "#8d6e63",
    "residential": "#d81b60",
    "transport": "#00acc1",
    "other": "#616161",
    "unknown": "#9e9e9e",
}
TALKS_COLOUR = "#263238"
STRIKE_REGION = "#455a64"
RAMPS: Final = {
    "capture": ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"),
    "strike": ("#edf8fb", "#b2e2e2", "#66c2a4", "#2ca25f", "#006d2c"),
    "impact": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
    "talks": ("#f0f0f0", "#bdbdbd", "#969696", "#636363", "#252525"),
}
STATUS_LABELS: Final = {
    "claimed": "claimed (one side asserts)",
    "disputed": "disputed (the other side denies)",
    "confirmed": "confirmed (corroborated or conceded)",
    "retracted": "retracted",
    "contested": "contested (fighting reported)",
}
PRECISION_LABELS: Final = {
    "exact": "exact location",
    "near": "approximate location (near)",
    "admin2": "located to a district",
    "admin1": "located only to the region",
    "country": "located only to the country",
    "unknown": "location unknown",
}
STANCE_LABELS: Final = {
    "asserts": "asserts",
    "revises": "revises",
    "denies": "denies",
    "retracts": "retracts",
    "corroborates": "corroborates",
    "reports_fighting": "reports fighting",
}
BOUND_SIGNS: Final = {"exact": "", "at_least": "≥", "at_most": "≤", "about": "~"}
FIGURE_LABELS: Final = {
    "settlements": ("settlements", ""),
    "area_km2": ("area", " km²"),
    "launched": ("launched", ""),
    "intercepted": ("intercepted", ""),
    "hits": ("hits", ""),
    "killed": ("killed", ""),
    "wounded": ("wounded", ""),
    "people_affected": ("people affected", ""),
    "municipalities": ("municipalities", ""),
    "duration_h": ("duration", " h"),
    "round": ("round", ""),
}
_STACK: Final = ("strike", "capture", "talks", "impact")
POINT_PRECISIONS: Final = ("exact", "near")
REGION_PRECISIONS: Final = ("admin1", "admin2")
MAX_CELLS: Final = 1200
"""Most grid cells a layer sends: enough to see where events cluster, while the page stays small (zoom in for more)."""
MAX_CLAIMS_PER_EVENT = 12
MAX_EVENTS_PER_REGION = 8
MAX_LABELS = 60
BASEMAP_BOX: Final = (5.0, 30.0, 80.0, 72.0)
"""Lon/lat box the offline basemap is clipped to (Ukraine, western Russia and around)."""
_DISPLAY_TOLERANCE = 0.03
ATTRIBUTION = "Boundaries: Natural Earth (public domain) · Places: GeoNames (CC BY 4.0)"

_EVENT_COLUMNS = (
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
    "side",
    "target_type",
    "weapon",
    "impact_type",
    "venue",
    "status",
    "launched",
    "intercepted",
    "hits",
)


# --- small helpers ---------------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _e(value: object) -> str:
    """HTML-escape a value from data (quotes too); missing values give ``""``."""
    return "" if _missing(value) else html.escape(str(value), quote=True)


def _num(value: float) -> str:
    """``170``, ``1,200``, ``8.4``."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def _figure(value: float, bound: object) -> str:
    """A figure with its bound: ``≥170``, ``~3``, ``≤5``, ``229``."""
    sign = BOUND_SIGNS.get(str(bound), "") if not _missing(bound) else ""
    return f"{sign}{_num(value)}"


def _safe_url(url: object) -> str | None:
    """The URL if it is http(s) with a host, else None (never a javascript: or data: link)."""
    if _missing(url):
        return None
    text = str(url).strip()
    parsed = urlparse(text)
    if parsed.scheme.lower() in ("http", "https") and parsed.netloc:
        return text
    return None


def _link(url: object, text: object) -> str:
    """``<a href=… target=_blank rel=noopener noreferrer>text</a>``, or the escaped text when the URL is unsafe."""
    safe = _safe_url(url)
    label = _e(text) or (_e(urlparse(safe).netloc) if safe else "")
    if safe is None:
        return label
    return f'<a href="{_e(safe)}" target="_blank" rel="noopener noreferrer">{label or "source"}</a>'


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _date(value: object) -> str:
    if _missing(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _stated(value: object, precision: object) -> str:
    """When a claim was stated, as precisely as it was recorded."""
    if _missing(value):
        return ""
    ts = pd.Timestamp(value)
    day = ts.strftime("%Y-%m-%d")
    match precision:
        case "minute" | "hour":
            return f"{day} {ts:%H:%M}"
        case "part_of_day":
            return f"{day} ~{ts:%H:%M}"
        case "week":
            return f"by {day}"
        case "event_date":
            return f"{day} (event date)"
        case _:
            return day


def _when(start: object, end: object, precision: object) -> str:
    first, last = _date(start), _date(end)
    text = first if not last or last == first else f"{first} – {last}"
    if precision in ("week", "month"):
        text += f" ({precision})"
    return text


# --- reference geography for display (cached) ------------------------------------------------------------------


def _round_coords(geoms: np.ndarray, ndigits: int) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, ndigits))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """A valid (multi)polygon from a geometry that rounding may have made invalid."""
    if shapely.is_valid(geom):
        return geom
    fixed = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(fixed) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _tolerance_for(zoom: int | None) -> float:
    """Simplification fitting a zoom level: about a pixel, from 0.03° (whole map) down to 0.002° (a city)."""
    if zoom is None or zoom <= 6:
        return _DISPLAY_TOLERANCE
    return {7: 0.01, 8: 0.005}.get(int(zoom), 0.002)


@lru_cache(maxsize=8)
def _display_coverage(
    reference_dir: Path, tolerance: float = _DISPLAY_TOLERANCE
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Admin-1 regions and neighbouring countries simplified *together*, so shared borders stay aligned.

    Returns the regions (``code``, ``name``, ``country``; indexed by code) and
    the neighbours (``iso_a2``), clipped to :data:`BASEMAP_BOX`, coordinates
    rounded to 0.001°.
    """
    admin1 = load_admin1(simplified=True)
    admin0 = load_admin0(simplified=True)
    neighbours = admin0[~admin0["iso_a2"].isin(set(admin1["country"]))]
    geoms = np.concatenate([admin1.geometry.to_numpy(), neighbours.geometry.to_numpy()])
    geoms = shapely.intersection(geoms, shapely.box(*BASEMAP_BOX))
    simple = _round_coords(shapely.coverage_simplify(geoms, tolerance), 3 if tolerance >= 0.005 else 4)
    simple = np.array([_polygonal(g) for g in simple], dtype=object)
    regions = gpd.GeoDataFrame(
        {
            "code": admin1["iso_3166_2"].to_numpy(),
            "name": admin1["name_en"].to_numpy(),
            "country": admin1["country"].to_numpy(),
        },
        geometry=simple[: len(admin1)],
        crs=schema.CRS,
    ).set_index("code", drop=False)
    others = gpd.GeoDataFrame(
        {"iso_a2": neighbours["iso_a2"].to_numpy()}, geometry=simple[len(admin1) :], crs=schema.CRS
    )
    return regions, others


def _display_regions(reference_dir: Path, tolerance: float = _DISPLAY_TOLERANCE) -> gpd.GeoDataFrame:
    """Admin-1 polygons simplified for display, with English names, indexed by ISO 3166-2 code."""
    return _display_coverage(reference_dir, tolerance)[0]


@lru_cache(maxsize=4)
def _basemap_json(reference_dir: Path) -> tuple[str, str]:
    """GeoJSON text of the offline basemap: land and admin-1 boundary lines, clipped to :data:`BASEMAP_BOX`."""
    regions, neighbours = _display_coverage(reference_dir)
    countries = regions.dissolve(by="country")
    land = [
        *zip(countries.index, countries.geometry, strict=True),
        *zip(neighbours["iso_a2"], neighbours.geometry, strict=True),
    ]
    land_features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": {"style": _land_style(code)}}
        for code, geom in land
        if not shapely.is_empty(geom)
    ]
    lines = shapely.union_all(shapely.boundary(regions.geometry.to_numpy()))
    line_style = {"color": ADMIN1_LINE, "weight": 0.6, "opacity": 1}
    line_feature = {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(shapely.line_merge(lines)),
        "properties": {"style": line_style},
    }
    return (
        json.dumps({"type": "FeatureCollection", "features": land_features}),
        json.dumps({"type": "FeatureCollection", "features": [line_feature]}),
    )


def _land_style(code: str) -> dict[str, Any]:
    return {
        "color": BORDER,
        "weight": 1.1,
        "opacity": 1,
        "fillColor": LAND_UA if code == "UA" else LAND_OTHER,
        "fillOpacity": 1,
    }


# Towns near the front worth a label although below the population floor; (name in the gazetteer, region).
_FRONT_TOWNS: Final = (
    ("Kramatorsk", "UA-14"),
    ("Slovyansk", "UA-14"),
    ("Kostyantynivka", "UA-14"),
    ("Pokrovsk", "UA-14"),
    ("Mariupol", "UA-14"),
    ("Bakhmut", "UA-14"),
    ("Melitopol", "UA-23"),
    ("Berdyansk", "UA-23"),
    ("Hulyaypole", "UA-23"),
    ("Enerhodar", "UA-23"),
    ("Kherson", "UA-65"),
    ("Nova Kakhovka", "UA-65"),
    ("Kupyansk", "UA-63"),
    ("Izyum", "UA-63"),
    ("Siverskodonetsk", "UA-09"),
    ("Nikopol", "UA-12"),
)
_DISPLAY_NAMES: Final = {
    "Zaporizhzhya": "Zaporizhzhia",
    "Mykolayiv": "Mykolaiv",
    "Kryvyy Rih": "Kryvyi Rih",
    "Vinnytsya": "Vinnytsia",
    "Homyel'": "Homel",
    "Orël": "Oryol",
    "Ryazan’": "Ryazan",
    "Makiyivka": "Makiivka",
    "Kupyansk": "Kupiansk",
    "Izyum": "Izium",
    "Slovyansk": "Sloviansk",
    "Kostyantynivka": "Kostiantynivka",
    "Berdyansk": "Berdiansk",
    "Hulyaypole": "Huliaipole",
    "Siverskodonetsk": "Sievierodonetsk",
    "Mahilyow": "Mogilev",
}
_COUNTRY_LABELS: Final = (("UKRAINE", 49.3, 31.2), ("RUSSIA", 54.6, 44.5), ("BELARUS", 53.4, 28.0))


@lru_cache(maxsize=4)
def _city_labels(reference_dir: Path) -> tuple[tuple[float, float, str, str], ...]:
    """Major cities to label: ``(lat, lon, escaped name, css class)``, at most :data:`MAX_LABELS`."""
    path = reference_dir / "gazetteer.csv"
    if not path.is_file():
        path = reference_dir / "gazetteer.csv.gz"
    if not path.is_file():
        return ()
    gaz = pd.read_csv(path, usecols=["name", "lat", "lon", "country", "admin1", "population", "kind"])
    west, south, east, north = 21.0, 43.3, 48.5, 57.5
    gaz = gaz[(gaz["kind"] == "place") & gaz["lon"].between(west, east) & gaz["lat"].between(south, north)]
    gaz = gaz[gaz["country"].isin(["UA", "RU", "BY"])]
    big = gaz[gaz["population"] >= 250_000]
    big = big.assign(rank=np.where(big["population"] >= 1_000_000, 1, 2))
    wanted = pd.DataFrame(_FRONT_TOWNS, columns=["name", "admin1"])
    front = gaz.merge(wanted, on=["name", "admin1"]).sort_values("population", ascending=False)
    front = front.drop_duplicates(["name", "admin1"]).assign(rank=3)
    # Front towns first so a city district (GeoNames lists some as places) never takes its city's label.
    ordered = pd.concat(
        [big[big["rank"] == 1].sort_values("population", ascending=False), front, big[big["rank"] == 2]]
    )
    chosen: list[tuple[float, float, str, str]] = []
    for row in ordered.itertuples():
        if len(chosen) >= MAX_LABELS:
            break
        if any(abs(row.lat - lat) < 0.25 and abs(row.lon - lon) < 0.35 for lat, lon, _, _ in chosen):
            continue
        name = _DISPLAY_NAMES.get(row.name, row.name)
        chosen.append((round(row.lat, 4), round(row.lon, 4), _e(name), f"cm-city r{row.rank}"))
    return tuple(chosen)


def _region_names() -> dict[str, str]:
    regions = _display_regions(settings.get().reference_dir)
    return dict(zip(regions["code"], regions["name"], strict=True))


def _region_label(codes: object, names: Mapping[str, str]) -> str:
    """Escaped ``"Zaporizhzhia (UA-23)"`` for each code of a multi-valued cell."""
    parts = schema.split_multi(codes)
    return "; ".join(f"{_e(names.get(c, c))} ({_e(c)})" for c in parts)


# --- map elements ----------------------------------------------------------------------------------------------


class _Style(MacroElement):
    """The page's CSS: map background (sea), legend, labels, popups."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        #{{ this._parent.get_name() }} { background: {{ this.sea }}; }
        #{{ this._parent.get_name() }}.leaflet-container {
            font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        .cm-legend { background: rgba(255,255,255,.95); padding: 8px 10px; border-radius: 6px; color: #222;
            box-shadow: 0 1px 5px rgba(0,0,0,.35); max-width: 270px; max-height: 55vh; overflow: auto;
            font-size: 11.5px; line-height: 1.3; }
        .cm-legend summary { font-size: 13px; cursor: pointer; }
        .cm-legend summary .cm-caveat, .cm-legend summary .cm-row { font-size: 11.5px; }
        .cm-legend details:not([open]) summary .cm-caveat { display: inline; margin-left: 6px; }
        .cm-legend .cm-sec { margin: 6px 0 1px; font-weight: 600; color: #333; }
        .cm-legend .cm-row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
        .cm-legend .cm-note { color: #555; font-size: 10.5px; margin-top: 2px; }
        .cm-legend .cm-caveat { margin-top: 4px; font-style: italic; color: #444; }
        .cm-sw { display: inline-block; width: 12px; height: 12px; border-radius: 50%; box-sizing: border-box;
            flex: none; }
        .cm-sq { display: inline-block; width: 14px; height: 11px; border-radius: 2px; box-sizing: border-box;
            flex: none; }
        .cm-synth { display: inline-block; background: #6a1b9a; color: #fff; font-weight: 700; font-size: 10px;
            letter-spacing: .05em; padding: 1px 5px; border-radius: 3px; }
        .cm-city { white-space: nowrap; font-size: 11px; line-height: 14px; color: #3a3a3a;
            text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; pointer-events: none; }
        .cm-city i { display: inline-block; width: 5px; height: 5px; border-radius: 50%; background: #4a4a4a;
            margin: 0 3px 1px 1px; vertical-align: middle; box-shadow: 0 0 0 1px #fff; }
        .cm-city.r1 { font-size: 12px; font-weight: 600; color: #222; }
        .cm-city.r3 { font-size: 10.5px; color: #555; }
        .cm-z-lo .cm-city.r2, .cm-z-lo .cm-city.r3, .cm-z-mid .cm-city.r3 { display: none; }
        .cm-country { white-space: nowrap; pointer-events: none; }
        .cm-country span { position: absolute; transform: translate(-50%, -50%); font-size: 13px; font-weight: 600;
            letter-spacing: .35em; color: #a39d90; text-shadow: 0 0 3px #fff; }
        .cm-z-hi .cm-country, .cm-z-vlo .cm-badge { display: none; }
        .cm-badge { white-space: nowrap; pointer-events: none; }
        .cm-badge span { position: absolute; transform: translate(-50%, -50%); background: rgba(255,255,255,.88);
            border: 1px solid #888; border-radius: 10px; padding: 0 6px; font-size: 11px; font-weight: 600;
            color: #333; }
        .cm-badge.top span { transform: translate(-50%, -125%); }
        .cm-badge.bottom span { transform: translate(-50%, 25%); }
        .cm-badge.right span { transform: translate(8px, -50%); }
        .cm-pop { max-height: 330px; overflow-y: auto; font-size: 12px; line-height: 1.4; }
        .cm-pop .cm-t { font-weight: 700; font-size: 13px; margin-bottom: 2px; }
        .cm-pop .cm-m { color: #555; }
        .cm-pop .cm-ev { border-top: 1px solid #ddd; margin-top: 6px; padding-top: 4px; }
        .cm-pop ul { margin: 4px 0 0; padding-left: 16px; }
        .cm-pop li { margin-bottom: 4px; }
        .cm-pop li.cm-old { color: #777; }
        .cm-pop .cm-q { color: #333; font-style: italic; }
        .cm-st { display: inline-block; padding: 0 5px; border-radius: 3px; font-size: 11px; font-weight: 600;
            background: #eee; color: #333; }
        .cm-st.s-disputed { background: #fff3e0; color: #e65100; }
        .cm-st.s-confirmed { background: #e8f5e9; color: #1b5e20; }
        .cm-st.s-retracted { background: #f5f5f5; color: #757575; text-decoration: line-through; }
        .cm-st.s-contested { background: #fff3e0; color: #bf360c; }
        .cm-pa { font-size: 10px; font-weight: 700; padding: 0 3px; border-radius: 2px; color: #fff;
            background: #757575; }
        .cm-pa.p-RU { background: #c62828; } .cm-pa.p-UA { background: #1565c0; }
        .cm-pa.p-independent { background: #2e7d32; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function(map) {
            function zoomClasses() {
                var z = map.getZoom(), c = map.getContainer();
                c.classList.toggle("cm-z-vlo", z < 5);
                c.classList.toggle("cm-z-lo", z < 6);
                c.classList.toggle("cm-z-mid", z < 7);
                c.classList.toggle("cm-z-hi", z >= 8);
            }
            map.on("zoomend", zoomClasses);
            zoomClasses();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "CmStyle"
        self.sea = SEA


class _Labels(MacroElement):
    """Text labels (escaped HTML) as non-interactive DivIcon markers in a label pane."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(group) {
            {{ this.labels|tojson }}.forEach(function(d) {
                L.marker([d[0], d[1]], {
                    icon: L.divIcon({className: d[3], html: d[2], iconSize: null, iconAnchor: d[4]}),
                    pane: {{ this.pane|tojson }}, interactive: false, keyboard: false
                }).addTo(group);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: Sequence[tuple[float, float, str, str, tuple[int, int]]], pane: str) -> None:
        super().__init__()
        self._name = "CmLabels"
        self.labels = [list(label) for label in labels]
        self.pane = pane


class _Legend(MacroElement):
    """The legend: a Leaflet control in the bottom-left corner holding pre-escaped HTML.

    On a map less than 640 px high it starts folded to its summary (the
    caveats), so it does not cover the map or the drawing tools.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map) {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "cm-legend");
                div.innerHTML = {{ this.html|tojson }};
                var details = div.querySelector("details");
                if (details && map.getSize().y < {{ this.fold_below }}) { details.open = false; }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "CmLegend"
        self.html = legend_html
        self.fold_below = 640


class _KeepOrder(MacroElement):
    """Keep event layers stacked (regions under cells under points) when the layer control re-adds one."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map, layers) {
            map.on("overlayadd", function() {
                layers.forEach(function(layer) { if (map.hasLayer(layer)) { layer.bringToFront(); } });
            });
        })({{ this._parent.get_name() }}, [{% for layer in this.layers %}{{ layer.get_name() }}, {% endfor %}]);
        {% endmacro %}
        """
    )

    def __init__(self, layers: Sequence[folium.FeatureGroup]) -> None:
        super().__init__()
        self._name = "CmKeepOrder"
        self.layers = list(layers)


_ON_EACH_FEATURE = folium.JsCode(
    """
    function(feature, layer) {
        var p = feature.properties || {};
        if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 380, minWidth: 220}); }
        if (p.badge && p.badge_at) {
            // A count label anchored inside the region (a permanent tooltip would sit at a centre Leaflet
            // computes before the view is set). It shows and hides with its layer.
            var badge = L.marker(L.latLng(p.badge_at[0], p.badge_at[1]), {
                icon: L.divIcon({className: "cm-badge " + (p.badge_dir || "center"),
                                 html: "<span>" + p.badge + "</span>", iconSize: null}),
                interactive: false, keyboard: false
            });
            layer.on("add", function() { badge.addTo(layer._map); });
            layer.on("remove", function() { badge.remove(); });
        }
        if (p.cell) {
            // A grid cell: [events, one count per status, synthetic]; the words are put together here.
            var c = p.cell, unit = String(p.unit).split("|"), mix = [], fmt = function(v) {
                return v.toLocaleString("en");
            };
            for (var i = 0; i < STATUSES.length; i++) { if (c[i + 1]) { mix.push(STATUSES[i] + " " + fmt(c[i + 1])); } }
            p.tip = "<b>" + fmt(c[0]) + " " + unit[0] + "</b> in this " + unit[1] + "° cell<br>" + mix.join(" · ")
                + (c[STATUSES.length + 1] ? "<br>" + fmt(c[STATUSES.length + 1]) + " synthetic" : "");
        }
        if (p.tip) {
            layer.bindTooltip(p.tip, {sticky: true});
        }
    }
    """.replace("STATUSES", json.dumps(list(schema.STATUSES)))
)
_POINT_TO_LAYER = folium.CircleMarker(location=(0.0, 0.0), radius=6, fill=True)


# --- legend model ----------------------------------------------------------------------------------------------


@dataclass
class _Item:
    kind: str  # "dot", "square", "region", "text"
    label: str
    style: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Section:
    title: str
    items: list[_Item] = field(default_factory=list)


def _swatch(item: _Item) -> str:
    s = item.style
    if item.kind == "text":
        return ""
    fill = s.get("fillColor", "transparent")
    opacity = s.get("fillOpacity", 1.0)
    border = f"{s.get('weight', 1)}px {'dashed' if s.get('dashArray') else 'solid'} {s.get('color', fill)}"
    cls = "cm-sw" if item.kind == "dot" else "cm-sq"
    background = _rgba(fill, opacity) if fill != "transparent" else "transparent"
    outer = f"opacity:{s['opacity']};" if "opacity" in s and s["opacity"] < 1 else ""
    return f'<span class="{cls}" style="background:{_e(background)};border:{_e(border)};{outer}"></span>'


def _rgba(colour: str, alpha: float) -> str:
    c = colour.lstrip("#")
    if len(c) != 6:
        return colour
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha:.2f})"


def _legend_html(sections: Sequence[_Section], header_notes: Sequence[str], synthetic: bool) -> str:
    """The legend; its summary line (always visible, even folded) carries the caveats."""
    summary = ['<summary><b>Legend</b><div class="cm-caveat">Claims by parties, not verified.</div>']
    if synthetic:
        summary.append('<div class="cm-row"><span class="cm-synth">SYNTHETIC data</span> not real events</div>')
    summary.append("</summary>")
    parts = ["<details open>", *summary]
    for note in header_notes:
        parts.append(f'<div class="cm-note">{_e(note)}</div>')
    for section in sections:
        parts.append(f'<div class="cm-sec">{_e(section.title)}</div>')
        for item in section.items:
            if item.kind == "text":
                parts.append(f'<div class="cm-note">{_e(item.label)}</div>')
            else:
                parts.append(f'<div class="cm-row">{_swatch(item)}<span>{_e(item.label)}</span></div>')
    parts.append("</details>")
    return "".join(parts)


# --- styles ----------------------------------------------------------------------------------------------------


def _status_style(colour: str, status: object, radius: float) -> dict[str, Any]:
    """Circle style: fill colour from the side/target, outline and fill from the status."""
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


def _capture_colour(side: object, status: object) -> str:
    if status == "contested":
        return CONTESTED
    return SIDE_COLOURS.get(str(side), NO_SIDE) if not _missing(side) else NO_SIDE


def _target_colour(target: object) -> str:
    return TARGET_COLOURS.get(str(target), TARGET_COLOURS["unknown"]) if not _missing(target) else "#9e9e9e"


def _strike_radius(launched: object, intercepted: object, hits: object) -> float:
    counts = [float(v) for v in (launched, intercepted, hits) if not _missing(v)]
    if not counts:
        return 6.0
    return float(np.clip(4.0 + 1.3 * math.sqrt(max(counts)), 5.0, 22.0))


def _point_style(layer: str, row: Mapping[str, Any]) -> dict[str, Any]:
    status = row.get("status")
    if layer == "capture":
        return _status_style(_capture_colour(row.get("side"), status), status, 8)
    if layer == "strike":
        radius = _strike_radius(row.get("launched"), row.get("intercepted"), row.get("hits"))
        return _status_style(_target_colour(row.get("target_type")), status, radius)
    if layer == "talks":
        return _status_style(TALKS_COLOUR, status, 8) | {"color": "#ffffff", "weight": 2.5}
    return _status_style(NO_SIDE, status, 6)


def _breaks(values: np.ndarray, k: int = 5) -> list[int]:
    """Lower bounds of up to ``k`` count classes (nice numbers, first is 1)."""
    values = values[values > 0]
    if values.size == 0:
        return [1]
    nice = np.array([1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10000, 20000, 50000])
    qs = np.quantile(values, np.linspace(0, 1, k + 1)[1:-1])
    lows = {1}
    for q in qs:
        candidates = nice[nice <= q]
        if candidates.size:
            lows.add(int(candidates[-1]))
    return sorted(lows)[:k]


def _class_of(value: float, lows: Sequence[int]) -> int:
    return int(np.searchsorted(np.asarray(lows), value, side="right") - 1)


def _class_labels(lows: Sequence[int], top: int) -> list[str]:
    labels = []
    for i, low in enumerate(lows):
        high = lows[i + 1] - 1 if i + 1 < len(lows) else top
        labels.append(f"{low:,}" if high <= low else f"{low:,}–{high:,}")
    return labels


def _ramp(layer: str, n_classes: int) -> list[str]:
    ramp = RAMPS.get(layer, RAMPS["talks"])
    if n_classes >= len(ramp):
        return list(ramp)
    picks = np.linspace(len(ramp) - n_classes, len(ramp) - 1, n_classes).round().astype(int)
    return [ramp[i] for i in picks]


# --- popups ----------------------------------------------------------------------------------------------------


def _claims_by_event(claims: pd.DataFrame, event_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Claims of the given events as records, oldest first, each marked ``current`` (its claimant's latest)."""
    ids = set(event_ids)
    if claims is None or claims.empty or not ids or "event_id" not in claims.columns:
        return {}
    sub = claims[claims["event_id"].isin(ids)]
    order = [c for c in ("event_id", "stated_at", "claim_id") if c in sub.columns]
    sub = sub.sort_values(order, kind="stable")
    out: dict[str, list[dict[str, Any]]] = {}
    for record in sub.to_dict("records"):
        out.setdefault(record["event_id"], []).append(record)
    for records in out.values():
        seen: set[object] = set()
        for record in reversed(records):
            record["_current"] = record.get("claimant") not in seen
            seen.add(record.get("claimant"))
    return out


def _claim_figures(claim: Mapping[str, Any]) -> str:
    parts = []
    for fig in schema.CLAIM_FIGURES:
        value = claim.get(fig)
        if _missing(value):
            continue
        label, unit = FIGURE_LABELS.get(fig, (fig, ""))
        parts.append(f"{_e(label)} {_e(_figure(value, claim.get(schema.bound_column(fig))))}{_e(unit)}")
    return ", ".join(parts)


def _claim_html(claim: Mapping[str, Any]) -> str:
    party = claim.get("party")
    party_html = f' <span class="cm-pa p-{_e(party)}">{_e(party)}</span>' if not _missing(party) else ""
    stance = STANCE_LABELS.get(str(claim.get("stance")), str(claim.get("stance") or ""))
    figures = _claim_figures(claim)
    lines = [
        f"<b>{_e(_stated(claim.get('stated_at'), claim.get('stated_precision')))}</b> {_e(claim.get('claimant'))}"
        f"{party_html} <i>{_e(stance)}</i>{': ' + figures if figures else ''}"
    ]
    if not claim.get("_current", True):
        lines[0] += " <span class='cm-m'>(superseded)</span>"
    if not _missing(claim.get("text")):
        lines.append(f'<div class="cm-q">“{_e(claim.get("text"))}”</div>')
    source = _link(claim.get("source_url"), claim.get("publisher") or claim.get("source_title"))
    others = [u for u in schema.split_multi(claim.get("other_sources")) if _safe_url(u)][:3]
    also = " · also " + " ".join(_link(u, f"[{i}]") for i, u in enumerate(others, start=2)) if others else ""
    if source or also:
        lines.append(f'<div class="cm-m">Source: {source or "—"}{also}</div>')
    cls = "" if claim.get("_current", True) else ' class="cm-old"'
    return f"<li{cls}>{''.join(lines)}</li>"


def _status_badge(status: object) -> str:
    if _missing(status):
        return ""
    return f'<span class="cm-st s-{_e(status)}">{_e(status)}</span>'


def _title(row: Mapping[str, Any]) -> object:
    """The event's title, else its place, else its id."""
    return next((row.get(k) for k in ("title", "place", "event_id") if not _missing(row.get(k))), "")


def _event_html(row: Mapping[str, Any], claims: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    """One event: title, place, region, precision, dates, status and its claims."""
    title = _title(row)
    meta = [m for m in (_e(row.get("place")), _region_label(row.get("admin1"), names)) if m]
    raw_precision = row.get("geo_precision")
    precision = PRECISION_LABELS.get(str(raw_precision), "" if _missing(raw_precision) else str(raw_precision))
    when = _when(row.get("time_start"), row.get("time_end"), row.get("time_precision"))
    synthetic = ' <span class="cm-synth">SYNTHETIC</span>' if row.get("dataset") == schema.SYNTHETIC else ""
    parts = [
        f'<div class="cm-t">{_e(title)}</div>',
        f'<div class="cm-m">{" · ".join(meta)}</div>' if meta else "",
        f'<div class="cm-m">{_e(precision)} · {_e(when)} · {_status_badge(row.get("status"))}{synthetic}</div>',
    ]
    if claims:
        shown = claims[-MAX_CLAIMS_PER_EVENT:]
        more = len(claims) - len(shown)
        items = "".join(_claim_html(c) for c in shown)
        note = f'<div class="cm-m">{more} earlier claims not shown</div>' if more else ""
        parts.append(f"<ul>{items}</ul>{note}")
    else:
        parts.append('<div class="cm-m">No claims recorded.</div>')
    return "".join(parts)


def _tip(row: Mapping[str, Any]) -> str:
    """Tooltip: title and status (and SYNTHETIC), escaped."""
    title = _title(row)
    synthetic = " · SYNTHETIC" if row.get("dataset") == schema.SYNTHETIC else ""
    status = f" — {_e(row.get('status'))}" if not _missing(row.get("status")) else ""
    return f"<b>{_e(title)}</b>{status}{_e(synthetic)}"


# --- planning what to draw -------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What each layer draws, decided once for the map and for :func:`legend_entries`."""

    points: dict[str, pd.DataFrame]  # layer -> events drawn at their own geometry
    grids: dict[str, gpd.GeoDataFrame]  # layer -> grid cells (when above max_features)
    region_events: pd.DataFrame  # non-impact events located only to a region, one row per (event, region)
    impact_regions: pd.DataFrame  # latest impact events of each region (its popup list), one row per (event, region)
    impact_counts: pd.DataFrame  # aggregate.by_region of the impact events
    not_drawn: int  # events with nothing more precise than a country
    synthetic: bool
    total: int
    in_view: int | None = None  # located events inside the view (None: the whole map is drawn)
    located: int = 0  # events drawn at a point or in a cell, anywhere
    tolerance: float = _DISPLAY_TOLERANCE  # simplification of region outlines, for the zoom


def _prepare(events: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """A read-only view with every column the map reads (missing ones empty), in EPSG:4326 (no copy)."""
    if events is None or len(events) == 0:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in _EVENT_COLUMNS})
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=schema.CRS), crs=schema.CRS)
    if not isinstance(events, gpd.GeoDataFrame):
        raise ValidationError(f"events must be a GeoDataFrame, got {type(events).__name__}", "build_map")
    if events.crs is not None and not events.crs.equals(schema.CRS):
        events = events.to_crs(schema.CRS)
    missing = {c: _column(events, c) for c in _EVENT_COLUMNS if c not in events.columns}
    frame = events.assign(**missing) if missing else events
    return frame[[*_EVENT_COLUMNS, events.geometry.name]]


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


def _flags(series: pd.Series, values: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Membership of a text column, through pandas (Arrow-backed text is never turned into Python strings)."""
    return series.isin(values).to_numpy(dtype=bool, na_value=False)


def _in_view(geoms: npt.NDArray[np.object_], view: tuple[float, float, float, float]) -> npt.NDArray[np.bool_]:
    """Whether each geometry's bounding box meets the view box (west, south, east, north)."""
    bounds = shapely.bounds(geoms)
    west, south, east, north = view
    return (bounds[:, 2] >= west) & (bounds[:, 0] <= east) & (bounds[:, 3] >= south) & (bounds[:, 1] <= north)


def _plan(
    events: gpd.GeoDataFrame,
    layers: Sequence[str],
    max_features: int,
    view: tuple[float, float, float, float] | None = None,
) -> _Plan:
    """Decide what each layer draws, touching only the columns needed and the rows drawn.

    At a million events the map reads a handful of columns and copies only
    the few thousand rows it draws (or the columns the grid counts).
    """
    geom_name = events.geometry.name
    geoms = events.geometry.to_numpy()
    in_layers = _flags(events["layer"], layers)
    has_geom = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    is_impact = _flags(events["layer"], ("impact",))
    admin1 = events["admin1"]
    has_region = (admin1.notna() & admin1.astype("string").str.strip().fillna("").ne("")).to_numpy(dtype=bool)
    at_point = in_layers & has_geom & _flags(events["geo_precision"], POINT_PRECISIONS) & ~is_impact
    at_region = in_layers & ~at_point & has_region & ~_flags(events["geo_precision"], ("country", "unknown"))
    shown = at_point.copy()
    if view is not None:
        rows = np.flatnonzero(at_point)
        shown[rows] = _in_view(geoms[rows], view)
    point_layers: dict[str, pd.DataFrame] = {}
    grids: dict[str, gpd.GeoDataFrame] = {}
    for name in layers:
        rows = np.flatnonzero(shown & _flags(events["layer"], (name,)))
        if len(rows) == 0:
            continue
        if len(rows) > max_features:
            cells = events[["layer", "status", "dataset", geom_name]].iloc[rows]
            grids[name] = aggregate.grid(cells, max_cells=min(MAX_CELLS, max_features))
        else:
            point_layers[name] = events.iloc[rows]
    plain = events.drop(columns=geom_name)
    region_frame = pd.DataFrame(plain.iloc[np.flatnonzero(at_region & ~is_impact)])
    impact_rows = np.flatnonzero(at_region & is_impact)
    counted = ["event_id", "admin1", "layer", "status", "dataset", "geo_precision", "impact_type", "time_end"]
    impact_frame = pd.DataFrame(plain[counted].iloc[impact_rows])  # 100,000s of outages: only what is counted
    latest = _latest_per_region(impact_frame, MAX_EVENTS_PER_REGION)
    impact_regions = plain.iloc[impact_rows[latest.index.to_numpy(dtype=np.intp)]].assign(
        region=latest["region"].to_numpy()
    )
    synthetic = bool(_flags(events["dataset"], (schema.SYNTHETIC,))[in_layers].any())
    return _Plan(
        points=point_layers,
        grids=grids,
        region_events=_explode_regions(region_frame),
        impact_regions=impact_regions,
        impact_counts=aggregate.by_region(impact_frame),
        not_drawn=int((in_layers & ~at_point & ~at_region).sum()),
        synthetic=synthetic,
        total=int(in_layers.sum()),
        in_view=int(shown.sum()) if view is not None else None,
        located=int(at_point.sum()),
    )


# --- layers ----------------------------------------------------------------------------------------------------


def _feature_collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _geojson_layer(
    name: str, features: list[dict[str, Any]], *, show: bool = True, points: bool = False
) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, show=show)
    folium.GeoJson(
        _feature_collection(features),
        name=name,
        control=False,
        marker=_POINT_TO_LAYER if points else None,
        on_each_feature=_ON_EACH_FEATURE,
    ).add_to(group)
    return group


def _point_features(
    layer: str, frame: gpd.GeoDataFrame, claims_of: Mapping[str, list[dict[str, Any]]], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    geoms = frame.geometry.to_numpy()
    is_point = shapely.get_type_id(geoms) == 0
    xs, ys = shapely.get_x(geoms), shapely.get_y(geoms)
    features = []
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    for i, row in enumerate(records):
        if is_point[i]:
            geometry: dict[str, Any] = {"type": "Point", "coordinates": [round(xs[i], 5), round(ys[i], 5)]}
        else:
            geometry = shapely.geometry.mapping(_round_coords(np.array([geoms[i]]), 5)[0])
        style = _point_style(layer, row)
        if not is_point[i]:
            style = {k: v for k, v in style.items() if k != "radius"}
        properties = {
            "style": style,
            "tip": _tip(row),
            "popup": f'<div class="cm-pop">{_event_html(row, claims_of.get(row["event_id"], []), names)}</div>',
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def _grid_features(layer: str, cells: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Square cells shaded by their number of events, with the status mix in the tooltip."""
    counts = cells["n"].to_numpy()
    lows = _breaks(counts)
    colours = _ramp(layer, len(lows))
    edge = colours[-1]
    step = cells.attrs.get("cell_deg", 0)
    noun = {"capture": "capture claims", "strike": "strikes", "impact": "impact events", "talks": "talks"}[layer]
    classes = np.clip(np.searchsorted(np.asarray(lows), counts, side="right") - 1, 0, len(colours) - 1)
    styles = [{"color": edge, "weight": 0.6, "opacity": 0.7, "fillColor": c, "fillOpacity": 0.7} for c in colours]
    # Counts, not text: the tooltip is written in the browser (_ON_EACH_FEATURE), which keeps a cell ~200 bytes.
    numbers = np.column_stack(
        [counts, *(cells[f"n_{s}"].to_numpy() for s in schema.STATUSES), cells["synthetic"].to_numpy()]
    ).astype(np.int64)
    boxes = np.round(cells[["minx", "miny", "maxx", "maxy"]].to_numpy(dtype=float), 6)
    unit = f"{noun}|{step:g}"
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]},
            "properties": {"style": styles[c], "cell": nums, "unit": unit},
        }
        for (x0, y0, x1, y1), nums, c in zip(boxes.tolist(), numbers.tolist(), classes.tolist(), strict=True)
    ]


def _region_geometry(code: str, tolerance: float = _DISPLAY_TOLERANCE) -> dict[str, Any] | None:
    regions = _display_regions(settings.get().reference_dir, tolerance)
    if code not in regions.index:
        return None
    return shapely.geometry.mapping(regions.geometry.loc[code])


def _label_point(code: str) -> list[float] | None:
    """[lat, lon] inside a region where its count badge is anchored (a label, not a location)."""
    regions = _display_regions(settings.get().reference_dir)
    if code not in regions.index:
        return None
    point = regions.geometry.loc[code].representative_point()
    return [round(point.y, 4), round(point.x, 4)]


def _events_list_html(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]],
    claims_of: Mapping[str, list[dict[str, Any]]],
    names: Mapping[str, str],
    total: int | None = None,
) -> str:
    """The first events of a region's popup, and how many more there are (``total`` when more than ``frame``).

    ``frame`` is a frame or its rows as records, newest first.
    """
    records = frame.head(MAX_EVENTS_PER_REGION).to_dict("records") if isinstance(frame, pd.DataFrame) else frame
    shown = records[:MAX_EVENTS_PER_REGION]
    blocks = [
        f'<div class="cm-ev">{_event_html(row, claims_of.get(row["event_id"], []), names)}</div>' for row in shown
    ]
    more = (len(frame) if total is None else total) - len(shown)
    if more > 0:
        blocks.append(f'<div class="cm-m cm-ev">… and {more:,} more (filter to see them)</div>')
    return "".join(blocks)


def _sorted_events(frame: pd.DataFrame) -> pd.DataFrame:
    key = "time_end" if "time_end" in frame.columns else "event_id"
    return frame.sort_values([key, "event_id"], ascending=[False, True], kind="stable")


def _region_count(layer: str, group: pd.DataFrame) -> str:
    """``"3 capture claims · 1 contested"``, ``"2 strikes"``: what a region outline holds."""
    if layer == "capture":
        contested = int((group["status"] == "contested").sum())
        parts = []
        if len(group) - contested:
            parts.append(_plural(len(group) - contested, "capture claim"))
        if contested:
            parts.append(f"{contested:,} contested")
        return " · ".join(parts)
    nouns = {"strike": "strike", "talks": "talks round"}
    return _plural(len(group), nouns.get(layer, "event"))


def _region_colour(layer: str, group: pd.DataFrame) -> str:
    if layer != "capture":
        return STRIKE_REGION
    claimed = group[group["status"] != "contested"]
    if claimed.empty:
        return CONTESTED
    sides = set(claimed["side"].dropna())
    return SIDE_COLOURS.get(sides.pop(), NO_SIDE) if len(sides) == 1 else NO_SIDE


def _region_style(colour: str) -> dict[str, Any]:
    """A region holding events located only to it: a wide translucent outline, a faint fill, never dashed."""
    return {"color": colour, "weight": 3.5, "opacity": 0.45, "fillColor": colour, "fillOpacity": 0.07}


def _region_features(
    plan: _Plan, claims_of: Mapping[str, list[dict[str, Any]]], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Outlines of regions holding events located only to them, one per (region, layer), with a count badge."""
    frame = _sorted_events(plan.region_events)
    features = []
    directions = {"capture": "top", "strike": "bottom", "talks": "right"}
    for (code, layer), group in frame.groupby(["region", "layer"], sort=True):
        geometry = _region_geometry(code, plan.tolerance)
        if geometry is None:
            continue
        count = _region_count(layer, group)
        region = f"{_e(names.get(code, code))} ({_e(code)})"
        header = (
            f'<div class="cm-t">{region}: {_e(count)}</div><div class="cm-m">located only to the region — drawn as '
            "its outline, not a point</div>"
        )
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "style": _region_style(_region_colour(layer, group)),
                    "badge": _e(count),
                    "badge_dir": directions.get(layer, "center"),
                    "badge_at": _label_point(code),
                    "popup": f'<div class="cm-pop">{header}{_events_list_html(group, claims_of, names)}</div>',
                },
            }
        )
    return features


def _impact_features(
    plan: _Plan, claims_of: Mapping[str, list[dict[str, Any]]], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The choropleth: one feature per affected region, shaded by its number of impact events."""
    counts = plan.impact_counts
    lows = _breaks(counts["n"].to_numpy())
    colours = _ramp("impact", len(lows))
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in plan.impact_regions.to_dict("records"):  # a few hundred rows: one conversion, no group-by
        groups.setdefault(record["region"], []).append(record)
    features = []
    for code, row in zip(counts.index, counts.to_dict("records"), strict=True):
        geometry = _region_geometry(code, plan.tolerance)
        if geometry is None or code not in groups:
            continue
        kinds = sorted(((row[f"n_impact_{k}"], k) for k in schema.IMPACT_TYPES if row[f"n_impact_{k}"]), reverse=True)
        mix = ", ".join(f"{k} {n:,}" for n, k in kinds)
        statuses = " · ".join(f"{s} {row[f'n_{s}']:,}" for s in schema.STATUSES if row[f"n_{s}"])
        region = f"{_e(names.get(code, code))} ({_e(code)})"
        head = f"<b>{region}</b>: {_e(_plural(int(row['n']), 'impact event'))}"
        head += "".join(f"<br>{_e(text)}" for text in (mix, statuses) if text)
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "style": {
                        "color": "#54278f",
                        "weight": 1,
                        "opacity": 0.8,
                        "fillColor": colours[_class_of(row["n"], lows)],
                        "fillOpacity": 0.5,
                    },
                    "tip": head,
                    "popup": f'<div class="cm-pop"><div class="cm-t">{head}</div>'
                    f"{_events_list_html(groups[code], claims_of, names, total=int(row['n']))}</div>",
                },
            }
        )
    return features


def _add_area_outline(m: folium.Map, wkt: str) -> None:
    """The area filter as a dashed, non-interactive outline."""
    try:
        geometry = shapely.from_wkt(wkt)
    except shapely.errors.GEOSException as err:
        raise ValidationError(f"area is not valid WKT: {err}") from None
    folium.GeoJson(
        shapely.geometry.mapping(geometry),
        name="Area filter",
        control=False,
        interactive=False,
        style_function=lambda _: {"color": "#1f5fbf", "weight": 2, "dashArray": "6 4", "fill": False},
    ).add_to(m)


# --- basemap ---------------------------------------------------------------------------------------------------


def _add_offline_basemap(m: folium.Map) -> None:
    folium.map.CustomPane("cmBase", z_index=250, pointer_events=False).add_to(m)
    folium.map.CustomPane("cmLabels", z_index=450, pointer_events=False).add_to(m)
    land, lines = _basemap_json(settings.get().reference_dir)
    group = folium.FeatureGroup(name="Offline basemap", overlay=False, control=True, show=True)
    folium.GeoJson(land, control=False, interactive=False, pane="cmBase", attribution=ATTRIBUTION).add_to(group)
    line_style = {"color": ADMIN1_LINE, "weight": 0.6, "opacity": 1}
    folium.GeoJson(lines, control=False, interactive=False, pane="cmBase", style_function=lambda _f: line_style).add_to(
        group
    )
    labels: list[tuple[float, float, str, str, tuple[int, int]]] = [
        (lat, lon, f"<i></i>{name}", cls, (4, 7)) for lat, lon, name, cls in _city_labels(settings.get().reference_dir)
    ]
    labels += [(lat, lon, f"<span>{_e(name)}</span>", "cm-country", (0, 0)) for name, lat, lon in _COUNTRY_LABELS]
    _Labels(labels, pane="cmLabels").add_to(group)
    group.add_to(m)


def _add_tile_basemap(m: folium.Map, basemap: str) -> None:
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=False, show=True).add_to(m)
    elif basemap == "carto":
        folium.TileLayer(
            "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
            attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
            '&copy; <a href="https://carto.com/attributions">CARTO</a>',
            name="CARTO light (online)",
            subdomains="abcd",
            max_zoom=20,
            overlay=False,
            show=True,
        ).add_to(m)


# --- legend ----------------------------------------------------------------------------------------------------


def _capture_sections(frame: pd.DataFrame) -> list[_Item]:
    items = []
    statuses = set(frame["status"].dropna())
    sides = set(frame.loc[frame["status"] != "contested", "side"].dropna())
    for side in ("RU", "UA"):
        if side in sides:
            items.append(_Item("dot", SIDE_LABELS[side], _status_style(SIDE_COLOURS[side], "claimed", 6)))
    no_side = frame["side"].isna() | ~frame["side"].isin(list(SIDE_COLOURS))
    if (no_side & (frame["status"] != "contested")).any():
        items.append(_Item("dot", "side not stated", _status_style(NO_SIDE, "claimed", 6)))
    if "contested" in statuses:
        items.append(
            _Item("dot", "contested: fighting reported, not claimed", _status_style(CONTESTED, "contested", 6))
        )
    return items


def _status_items(statuses: Iterable[object]) -> list[_Item]:
    present = set(statuses)
    return [
        _Item("dot", STATUS_LABELS[s], _status_style("#616161", s, 6))
        for s in schema.STATUSES
        if s in present and s != "contested"
    ]


def _legend_sections(plan: _Plan, impact: tuple[list[int], list[str], int] | None) -> list[_Section]:
    sections: list[_Section] = []
    drawn_statuses: set[object] = set()
    if "capture" in plan.points:
        frame = plan.points["capture"]
        sections.append(_Section(MAP_LAYER_NAMES["capture"], _capture_sections(frame)))
        drawn_statuses |= set(frame["status"].dropna())
    if "strike" in plan.points:
        frame = plan.points["strike"]
        targets = set(frame["target_type"].fillna("unknown"))
        items = [
            _Item("dot", f"target: {t}", _status_style(TARGET_COLOURS[t], "claimed", 6))
            for t in schema.TARGET_TYPES
            if t in targets
        ]
        items.append(_Item("text", "Circle size grows with the drones/missiles claimed."))
        sections.append(_Section(MAP_LAYER_NAMES["strike"], items))
        drawn_statuses |= set(frame["status"].dropna())
    if "talks" in plan.points:
        sections.append(
            _Section(MAP_LAYER_NAMES["talks"], [_Item("dot", "venue of a round", _point_style("talks", {}))])
        )
    if drawn_statuses - {"contested"}:
        sections.append(_Section("Status (outline)", _status_items(drawn_statuses)))
    for layer, cells in plan.grids.items():
        lows = _breaks(cells["n"].to_numpy())
        labels = _class_labels(lows, int(cells["n"].max()))
        colours = _ramp(layer, len(lows))
        items = [
            _Item("square", f"{label} per cell", {"fillColor": c, "color": colours[-1]})
            for label, c in zip(labels, colours, strict=True)
        ]
        items.append(
            _Item(
                "text",
                f"aggregated: {int(cells['n'].sum()):,} events in {len(cells):,} cells "
                f"({cells.attrs.get('cell_deg', 0):g}°)",
            )
        )
        sections.append(_Section(f"{MAP_LAYER_NAMES[layer]} (aggregated)", items))
    if impact is not None:
        lows, colours, top = impact
        items = [
            _Item(
                "square",
                f"{label} impact event{'' if label == '1' else 's'}",
                {"fillColor": c, "fillOpacity": 0.5, "color": "#54278f"},
            )
            for label, c in zip(_class_labels(lows, top), colours, strict=True)
        ]
        items.append(
            _Item("text", "Power, heating, water… per region; an event naming several regions counts in each.")
        )
        sections.append(_Section(MAP_LAYER_NAMES["impact"], items))
    if not plan.region_events.empty:
        n_events = plan.region_events["event_id"].nunique()
        style = _region_style("#555555") | {"weight": 2.5}
        sections.append(
            _Section(
                MAP_LAYER_NAMES["region"],
                [
                    _Item("region", f"{_plural(n_events, 'event')} located only to a region: outline + count", style),
                    _Item("text", "Never drawn as a point: the place is not known more precisely."),
                ],
            )
        )
    return sections


def _header_notes(plan: _Plan) -> list[str]:
    notes = []
    if plan.total == 0:
        notes.append("No events match the current filters.")
    if plan.in_view is not None:
        notes.append(f"This view: {plan.in_view:,} of {plan.located:,} located events (zoom out to see all).")
    if plan.not_drawn:
        notes.append(
            f"{_plural(plan.not_drawn, 'event has', 'events have')} no location more precise than a country "
            "(not drawn; counted in totals)."
        )
    return notes


def legend_entries(
    events: gpd.GeoDataFrame,
    *,
    layers: Sequence[str] = ("capture", "strike", "impact", "talks"),
    max_features: int = 3000,
) -> list[tuple[str, str]]:
    """The map legend as plain text, for pages and exports.

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Folded, filtered events, as given to :func:`build_map`.
    layers, max_features
        As for :func:`build_map`.

    Returns
    -------
    list of (str, str)
        ``(section, entry)`` pairs, unescaped text (escape it before putting
        it in HTML). The first entries are the caveats and notes (section
        ``""``).
    """
    layers = _check_layers(layers)
    plan = _plan(_prepare(events), layers, max_features)
    impact = _impact_legend(plan)
    entries = [("", "Claims by parties, not verified.")]
    if plan.synthetic:
        entries.append(("", "SYNTHETIC data: not real events."))
    entries += [("", note) for note in _header_notes(plan)]
    for section in _legend_sections(plan, impact):
        entries += [(section.title, item.label) for item in section.items]
    return entries


def _impact_legend(plan: _Plan) -> tuple[list[int], list[str], int] | None:
    if plan.impact_regions.empty:
        return None
    counts = plan.impact_counts["n"].to_numpy()
    lows = _breaks(counts)
    return lows, _ramp("impact", len(lows)), int(counts.max())


# --- assembly --------------------------------------------------------------------------------------------------


def _check_layers(layers: Sequence[str]) -> tuple[str, ...]:
    if isinstance(layers, str):
        layers = (layers,)
    unknown = [layer for layer in layers if layer not in schema.LAYERS]
    if unknown:
        raise ValidationError(f"unknown map layer(s) {unknown}; choose from {', '.join(schema.LAYERS)}", "layers")
    return tuple(dict.fromkeys(layers))


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


def _bounds_of(plan: _Plan) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Bounds of what is drawn (talks venues only when nothing else is), padded to at least ~1.5°."""
    boxes = []
    talks_boxes = []
    for layer, frame in plan.points.items():
        box = gpd.GeoSeries(frame.geometry).total_bounds
        (talks_boxes if layer == "talks" else boxes).append(box)
    boxes += [cells.total_bounds for cells in plan.grids.values()]
    regions = _display_regions(settings.get().reference_dir)
    codes = set(plan.region_events.get("region", [])) | set(plan.impact_regions.get("region", []))
    codes &= set(regions.index)
    if codes:
        boxes.append(regions.loc[sorted(codes)].total_bounds)
    boxes = boxes or talks_boxes
    boxes = [b for b in boxes if np.all(np.isfinite(b))]
    if not boxes:
        return None
    arr = np.array(boxes)
    west, south, east, north = arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()
    pad_x, pad_y = max(0.0, (1.5 - (east - west)) / 2), max(0.0, (1.0 - (north - south)) / 2)
    return (float(south - pad_y), float(west - pad_x)), (float(north + pad_y), float(east + pad_x))


def _popup_event_ids(plan: _Plan) -> set[str]:
    """Events whose claims a popup shows: every drawn point, and the first few of each region."""
    ids: set[str] = set()
    for frame in plan.points.values():
        ids |= set(frame["event_id"])
    for frame in (plan.region_events, plan.impact_regions):
        if not frame.empty:
            ids |= set(_sorted_events(frame).groupby("region").head(MAX_EVENTS_PER_REGION)["event_id"])
    return ids


def _event_layers(plan: _Plan, claims: pd.DataFrame, names: Mapping[str, str]) -> list[folium.FeatureGroup]:
    """One named layer per map layer, bottom to top: choropleth, region outlines, grid cells, points.

    Strikes sit under captures (they are widespread, captures follow the
    front line) and talks venues on top.
    """
    claims_of = _claims_by_event(claims, _popup_event_ids(plan))
    ordered: list[folium.FeatureGroup] = []
    if not plan.impact_regions.empty:
        ordered.append(_geojson_layer(MAP_LAYER_NAMES["impact"], _impact_features(plan, claims_of, names)))
    if not plan.region_events.empty:
        ordered.append(_geojson_layer(MAP_LAYER_NAMES["region"], _region_features(plan, claims_of, names)))
    for layer in _STACK:
        if layer in plan.grids:
            name = f"{MAP_LAYER_NAMES[layer]} (aggregated)"
            ordered.append(_geojson_layer(name, _grid_features(layer, plan.grids[layer])))
    for layer in _STACK:
        if layer in plan.points:
            features = _point_features(layer, plan.points[layer], claims_of, names)
            ordered.append(_geojson_layer(MAP_LAYER_NAMES[layer], features, points=True))
    return ordered


def build_map(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    *,
    layers: Sequence[str] = ("capture", "strike", "impact", "talks"),
    basemap: str = "offline",
    assets: str = "local",
    static_url: str = "/app/static/vendor",
    max_features: int = 3000,
    draw: bool = False,
    fit: bool = True,
    area: str | None = None,
    view: tuple[float, float, float, float] | None = None,
    zoom: int | None = None,
) -> folium.Map:
    """Assemble the folium map of folded, filtered events.

    Parameters
    ----------
    events : geopandas.GeoDataFrame
        Folded events (:func:`geo.claims.fold`), already filtered. Not changed.
    claims : pandas.DataFrame
        The claims of those events, for the popups. Not changed.
    layers : sequence of str
        Map layers to draw, from ``capture``, ``strike``, ``impact``,
        ``talks``.
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
        If a layer, basemap, asset mode, ``max_features`` or ``view`` is invalid.
    GeoError
        If local assets are asked for and the map would still need the
        network (see :func:`geo.assets.use_assets`).
    """
    assets_mode = assets
    layers = _check_layers(layers)
    _check_args(basemap, assets_mode, max_features)
    view = _check_view(view)
    prepared = _prepare(events)
    plan = _plan(prepared, layers, int(max_features), view)
    if view is not None:
        plan.tolerance = _tolerance_for(zoom or 8)
    names = _region_names()

    if view is not None:
        opening = ((view[1] + view[3]) / 2, (view[0] + view[2]) / 2), int(zoom or 8)
    else:  # fitted below; until then the widest view, so the view a page hears of first never reads as a zoom-in
        opening = (49.0, 33.0), (3 if fit else 6)
    m = folium.Map(
        location=opening[0],
        zoom_start=opening[1],
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        min_zoom=3,
        max_zoom=13,
        world_copy_jump=False,
    )
    _Style().add_to(m)
    _add_offline_basemap(m)
    _add_tile_basemap(m, basemap)

    ordered = _event_layers(plan, claims, names)
    for group in ordered:
        group.add_to(m)
    if ordered:
        _KeepOrder(ordered).add_to(m)

    _Legend(_legend_html(_legend_sections(plan, _impact_legend(plan)), _header_notes(plan), plan.synthetic)).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    if draw:
        folium.plugins.Draw(
            export=False,
            position="topleft",
            show_geometry_on_click=False,
            draw_options={
                "polyline": False,
                "circle": False,
                "marker": False,
                "circlemarker": False,
                "rectangle": {"showArea": False},
                "polygon": {"allowIntersection": False, "showArea": False},
            },
        ).add_to(m)
    if area:
        _add_area_outline(m, area)
    bounds = _bounds_of(plan) if view is None else None
    m.data_bounds = None if bounds is None else (bounds[0][1], bounds[0][0], bounds[1][1], bounds[1][0])  # type: ignore[attr-defined]
    if fit and view is None:
        bounds = bounds or DEFAULT_BOUNDS
        m.fit_bounds([list(bounds[0]), list(bounds[1])], max_zoom=10)
    m.aggregated = tuple(plan.grids)  # type: ignore[attr-defined]  # layers drawn as cells: zooming in adds detail
    return use_assets(m, assets_mode, static_url)
