"""The offline basemap: display regions, land and admin-1 lines, city and country labels; tile basemaps.

Everything here is drawn from the bundled reference data (``settings.get().reference_dir``):
boundaries simplified *together* for display (and for a zoom), the gazetteer's
major cities, and ``display.toml`` — the hand-curated part (front-line towns
worth a label, display spellings, where country names sit).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import present, schema, settings
from geo.i18n import t
from geo.mapview.elements import Labels
from geo.reference import load_admin0, load_admin1

SEA: Final = "#c9dcea"
LAND_UA: Final = "#fbfaf6"
LAND_OTHER: Final = "#eeebe3"
BORDER: Final = "#8c877c"
ADMIN1_LINE: Final = "#bdb6a9"
BASEMAP_BOX: Final = (5.0, 30.0, 80.0, 72.0)
"""Lon/lat box the offline basemap is clipped to (Ukraine, western Russia and around)."""
DISPLAY_TOLERANCE: Final = 0.03
"""Simplification (degrees) of the display regions of the whole map."""
MAX_LABELS: Final = 60
DISPLAY_FILE: Final = "display.toml"
"""The hand-curated display geography, in the reference folder."""
_LABEL_BOX: Final = (21.0, 43.3, 48.5, 57.5)
"""West, south, east, north of the cities that get a label."""


@dataclass(frozen=True)
class Display:
    """The hand-curated display geography (``display.toml``).

    Parameters
    ----------
    front_towns : tuple of (str, str)
        ``(gazetteer name, ISO 3166-2 region)`` of towns labelled although small.
    names : mapping of str to str
        Gazetteer name → the spelling the map writes.
    country_labels : tuple of (str, float, float)
        ``(ISO 3166-1 alpha-2, lat, lon)`` of each country's name.
    """

    front_towns: tuple[tuple[str, str], ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    country_labels: tuple[tuple[str, float, float], ...] = ()


@lru_cache(maxsize=4)
def load_display(reference_dir: Path) -> Display:
    """The display geography of a reference folder (empty when it has no ``display.toml``).

    Parameters
    ----------
    reference_dir : Path
        The reference folder.

    Returns
    -------
    Display
        Front-line towns, display names and country label positions.
    """
    path = Path(reference_dir) / DISPLAY_FILE
    if not path.is_file():
        return Display()
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    return Display(
        front_towns=tuple((str(d["name"]), str(d["admin1"])) for d in raw.get("front_towns", [])),
        names={str(k): str(v) for k, v in raw.get("display_names", {}).items()},
        country_labels=tuple(
            (str(d["country"]), float(d["lat"]), float(d["lon"])) for d in raw.get("country_labels", [])
        ),
    )


def attribution() -> str:
    """The basemap's attribution line (translated)."""
    return t("Boundaries: Natural Earth (public domain) · Places: GeoNames (CC BY 4.0)")


# --- display regions (cached) -------------------------------------------------------------------------------------


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
        return DISPLAY_TOLERANCE
    return {7: 0.01, 8: 0.005}.get(int(zoom), 0.002)


@lru_cache(maxsize=8)
def _display_coverage(
    reference_dir: Path, tolerance: float = DISPLAY_TOLERANCE
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


def _display_regions(reference_dir: Path, tolerance: float = DISPLAY_TOLERANCE) -> gpd.GeoDataFrame:
    """Admin-1 polygons simplified for display, with English names, indexed by ISO 3166-2 code."""
    return _display_coverage(reference_dir, tolerance)[0]


def _region_geometry(code: str, tolerance: float = DISPLAY_TOLERANCE) -> dict[str, Any] | None:
    """GeoJSON geometry of a region at a simplification, or None for a code the boundaries lack."""
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


# --- the basemap's land, lines and labels (cached) ----------------------------------------------------------------


def _land_style(code: str) -> dict[str, Any]:
    return {
        "color": BORDER,
        "weight": 1.1,
        "opacity": 1,
        "fillColor": LAND_UA if code == "UA" else LAND_OTHER,
        "fillOpacity": 1,
    }


def _line_style() -> dict[str, Any]:
    return {"color": ADMIN1_LINE, "weight": 0.6, "opacity": 1}


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
    line_feature = {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(shapely.line_merge(lines)),
        "properties": {"style": _line_style()},
    }
    return (
        json.dumps({"type": "FeatureCollection", "features": land_features}),
        json.dumps({"type": "FeatureCollection", "features": [line_feature]}),
    )


def _read_gazetteer(reference_dir: Path) -> pd.DataFrame | None:
    """Places of the gazetteer inside the label box, in Ukraine, Russia and Belarus (None without one)."""
    path = reference_dir / "gazetteer.csv.gz"
    if not path.is_file():
        return None
    gaz = pd.read_csv(path, usecols=["name", "lat", "lon", "country", "admin1", "population", "kind"])
    west, south, east, north = _LABEL_BOX
    gaz = gaz[(gaz["kind"] == "place") & gaz["lon"].between(west, east) & gaz["lat"].between(south, north)]
    return gaz[gaz["country"].isin(["UA", "RU", "BY"])]


def _label_candidates(gaz: pd.DataFrame, front_towns: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """Cities of a million first, then the front-line towns, then cities of 250,000, each with its rank."""
    big = gaz[gaz["population"] >= 250_000]
    big = big.assign(rank=np.where(big["population"] >= 1_000_000, 1, 2))
    wanted = pd.DataFrame(list(front_towns), columns=["name", "admin1"])
    front = gaz.merge(wanted, on=["name", "admin1"]).sort_values("population", ascending=False)
    front = front.drop_duplicates(["name", "admin1"]).assign(rank=3)
    # Front towns before the smaller cities, so a city district (GeoNames lists some as places) never takes its
    # city's label.
    return pd.concat([big[big["rank"] == 1].sort_values("population", ascending=False), front, big[big["rank"] == 2]])


@lru_cache(maxsize=4)
def _city_labels(reference_dir: Path) -> tuple[tuple[float, float, str, str], ...]:
    """Major cities to label: ``(lat, lon, escaped name, css class)``, at most :data:`MAX_LABELS`."""
    gaz = _read_gazetteer(reference_dir)
    if gaz is None:
        return ()
    display = load_display(reference_dir)
    names = display.names
    chosen: list[tuple[float, float, str, str]] = []
    for row in _label_candidates(gaz, display.front_towns).itertuples():
        if len(chosen) >= MAX_LABELS:
            break
        if any(abs(row.lat - lat) < 0.25 and abs(row.lon - lon) < 0.35 for lat, lon, _, _ in chosen):
            continue
        name = names.get(row.name, row.name)
        chosen.append((round(row.lat, 4), round(row.lon, 4), present.escape(name), f"cm-city r{row.rank}"))
    return tuple(chosen)


def _labels(reference_dir: Path) -> list[tuple[float, float, str, str, tuple[int, int]]]:
    """City labels (a dot and the name) and country names (in capitals, in the current language)."""
    labels: list[tuple[float, float, str, str, tuple[int, int]]] = [
        (lat, lon, f"<i></i>{name}", cls, (4, 7)) for lat, lon, name, cls in _city_labels(reference_dir)
    ]
    for code, lat, lon in load_display(reference_dir).country_labels:
        name = present.country_name(code).upper()
        labels.append((lat, lon, f"<span>{present.escape(name)}</span>", "cm-country", (0, 0)))
    return labels


# --- adding them to a map -----------------------------------------------------------------------------------------


def _add_offline_basemap(m: folium.Map) -> None:
    """The offline basemap as a base layer: land, admin-1 lines, labels (in their own panes)."""
    reference_dir = settings.get().reference_dir
    folium.map.CustomPane("cmBase", z_index=250, pointer_events=False).add_to(m)
    folium.map.CustomPane("cmLabels", z_index=450, pointer_events=False).add_to(m)
    land, lines = _basemap_json(reference_dir)
    group = folium.FeatureGroup(name=t("Offline basemap"), overlay=False, control=True, show=True)
    folium.GeoJson(land, control=False, interactive=False, pane="cmBase", attribution=attribution()).add_to(group)
    line_style = _line_style()
    folium.GeoJson(lines, control=False, interactive=False, pane="cmBase", style_function=lambda _f: line_style).add_to(
        group
    )
    Labels(_labels(reference_dir), pane="cmLabels").add_to(group)
    group.add_to(m)


def _add_tile_basemap(m: folium.Map, basemap: str) -> None:
    """An online tile layer (``"osm"``, ``"carto"``) as another base layer; nothing for ``"offline"``."""
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name=t("OpenStreetMap (online)"), overlay=False, show=True).add_to(m)
    elif basemap == "carto":
        folium.TileLayer(
            "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
            attr=t(
                "&copy; {osm} contributors &copy; {carto}",
                osm='<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
                carto='<a href="https://carto.com/attributions">CARTO</a>',
            ),
            name=t("CARTO light (online)"),
            subdomains="abcd",
            max_zoom=20,
            overlay=False,
            show=True,
        ).add_to(m)
