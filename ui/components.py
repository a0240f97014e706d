"""Pieces several pages draw: the map, the filter caption, empty and synthetic notices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import shapely
import shapely.errors
import streamlit as st

from geo import i18n, present, schema
from geo.errors import ValidationError
from geo.filters import Filter
from geo.i18n import N_, t, tn
from geo.mapview import build_map
from geo.mapview.control import ControlArea
from geo.mapview.popups import add_claim_links
from ui import control, data, exporting, leaflet, state

MAP_HEIGHT = 560
_AREA_TYPES: Final = ("Polygon", "MultiPolygon")
"""Geometries a drawn shape may have to become the area filter (the draw tools make polygons and rectangles)."""
_WORLD: Final = shapely.box(-180.0, -90.0, 180.0, 90.0)


def header(title: str, flt: Filter, events: pd.DataFrame) -> None:
    """A page's title, what it shows (filter in words, count, caveat) and the synthetic-data warning.

    Parameters
    ----------
    title : str
        The page's title (translated).
    flt : Filter
        The filter the page shows.
    events : DataFrame
        The events it matches.
    """
    st.title(title)
    caption(flt, events)
    synthetic_notice(events)


def caption(flt: Filter, events: pd.DataFrame) -> None:
    """Say what is shown: the filter in words and how many events match.

    Parameters
    ----------
    flt : Filter
        The filter.
    events : DataFrame
        The events it matches.
    """
    st.caption(
        t(
            "{filter} · {events} · claims by parties, not independently verified",
            filter=flt.describe(),
            events=present.count(len(events)),
        )
    )


def table_note(shown: int, total: int, layer: str | None = None) -> None:
    """Say when a table lists only the latest events of a large selection.

    Parameters
    ----------
    shown : int
        Events whose statements the table lists.
    total : int
        Events the filter matches.
    layer : str, optional
        The layer they are of, for the noun ("strikes"); events by default.
    """
    if shown < total:
        st.caption(
            t(
                "Listing the statements of the {shown} latest of {total}. The map and charts count all of them; "
                "narrow the dates or regions to list others, or export them all from the Export page.",
                shown=present.number(shown),
                total=present.count(total, layer),
            )
        )


def nothing_matches(events: pd.DataFrame, what: str | None = None) -> bool:
    """Say so when a filter matches nothing.

    Parameters
    ----------
    events : DataFrame
        What the filter matched.
    what : str, optional
        What they are, plural and translated (default "events").

    Returns
    -------
    bool
        True when there is nothing to show.
    """
    if len(events):
        return False
    st.info(
        t(
            "No {what} match these filters. Widen the dates, regions or other filters in the sidebar.",
            what=what or t("events"),
        )
    )
    return True


def synthetic_notice(events: pd.DataFrame) -> None:
    """Warn whenever synthetic (made-up, test) events are among those shown.

    Parameters
    ----------
    events : DataFrame
        The events shown.
    """
    n = int((events["dataset"] == schema.SYNTHETIC).sum()) if len(events) else 0
    if n:
        st.warning(
            tn(
                "{n} of these events is SYNTHETIC test data, not a real claim.",
                "{n} of these events are SYNTHETIC test data, not real claims.",
                n,
            ),
            icon="⚠️",
        )


BASEMAP_LABELS = {
    "offline": N_("Offline vector (bundled boundaries)"),
    "osm": N_("OpenStreetMap tiles (needs internet)"),
    "carto": N_("CARTO light tiles (needs internet)"),
}


def map_settings() -> None:
    """Sidebar choices for the maps: the basemap, and where Leaflet's scripts come from."""
    with st.sidebar.expander(t("Map settings")):
        st.selectbox(t("Basemap"), list(BASEMAP_LABELS), format_func=lambda b: t(BASEMAP_LABELS[b]), key="m_basemap")
        st.checkbox(
            t("Load map scripts from public CDNs"),
            key="m_cdn",
            help=t("Off by default: Leaflet is served by this dashboard, so maps draw with no internet."),
        )
        st.caption(t("The offline basemap is always there as a base layer; tiles are offered on top when online."))


@st.cache_resource(show_spinner=False, max_entries=16)
def _map(
    _events: gpd.GeoDataFrame,
    _claims: pd.DataFrame,
    key: tuple,
    layers: tuple[str, ...],
    basemap: str,
    assets: str,
    view: tuple | None = None,
    lang: str = i18n.DEFAULT,
) -> leaflet.Rendered:
    flt = key[-1]
    box, zoom = (view[0], view[1]) if view else (None, None)
    areas, verdicts = _control(flt, layers)
    with add_claim_links():  # every event's popup links to the Add claim form (the page checks the role)
        m = build_map(
            _events,
            _claims,
            layers=layers,
            draw=True,
            basemap=basemap,
            assets=assets,
            area=flt.area,
            view=box,
            zoom=zoom,
            lang=lang,
            control=areas,
            verdicts=verdicts,
        )
        return leaflet.render(m, keep=False)  # rendered once; the folium objects are not kept


def _control(flt: Filter, layers: Sequence[str]) -> tuple[list[ControlArea], pd.DataFrame | None]:
    """The Control layer and the claims' verdicts for a map showing captures (nothing without assessments)."""
    if "capture" not in layers:
        return [], None
    areas = list(control.control_layer(flt))
    if not areas:
        return [], None
    return areas, control.verdicts(flt)


def _cached_map(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter,
    layers: Sequence[str] | None,
    basemap: str,
    assets: str,
    view: tuple | None,
    lang: str,
) -> leaflet.Rendered:
    """The rendered map from the cache (built with a spinner in the page's language when it is not there)."""
    shown = tuple(schema.LAYERS if layers is None else layers)
    with st.spinner(t("Drawing the map…")):  # shows only when it takes a moment (a cache miss)
        return _map(events, claims, data.cache_key(flt), shown, basemap, assets, view, lang)


def _bounds(out: dict | None) -> tuple[tuple[float, float, float, float], int] | None:
    """The view st_folium reported: (west, south, east, north) and the zoom level."""
    try:
        sw, ne = out["bounds"]["_southWest"], out["bounds"]["_northEast"]  # type: ignore[index]
        box = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
        zoom = int(out["zoom"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    return (box, zoom) if box[0] < box[2] and box[1] < box[3] else None


def drawn_area(out: Mapping[str, Any] | None) -> str | None:
    """The area the reader drew with the map's draw tools, as the area filter's WKT; None when there is none.

    Only the draw plugin's own layer counts: streamlit-folium's
    ``all_drawings`` holds the shapes in Leaflet.draw's feature group and
    nothing else. (Its ``last_active_drawing`` is also set by a click on any
    feature — a point, a region outline under its count label — so a click
    would become an area.) Polygons and rectangles are taken, together when
    there are several, and cut to the globe's [-180, 180] x [-90, 90];
    anything else (a point, a line, a shape the filter refuses) is ignored.

    Parameters
    ----------
    out : mapping or None
        What the map component reported.

    Returns
    -------
    str or None
        The canonical WKT of the drawn (multi)polygon.
    """
    drawings = (out or {}).get("all_drawings")
    if not isinstance(drawings, list):
        return None
    shapes = [shape for feature in drawings if (shape := _polygon(feature)) is not None]
    if not shapes:
        return None
    try:  # a shape drawn at a low zoom may reach round the globe: the world's part of it
        return Filter(area=shapely.intersection(shapely.union_all(shapes), _WORLD)).area
    except ValidationError:
        return None


def _polygon(feature: object) -> shapely.Geometry | None:
    """The (multi)polygon of a drawn GeoJSON feature; None for any other geometry or a malformed one."""
    geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
    if not isinstance(geometry, Mapping) or geometry.get("type") not in _AREA_TYPES:
        return None
    try:
        shape = shapely.geometry.shape(geometry)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError, shapely.errors.GEOSException):
        return None
    return None if shape.is_empty or not shape.is_valid else shape


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _area(box: tuple[float, ...]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _widened(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The view with half its size again on every side: panning a little needs no new map."""
    west, south, east, north = box
    dx, dy = (east - west) / 2, (north - south) / 2
    return (max(-180.0, west - dx), max(-85.0, south - dy), min(180.0, east + dx), min(85.0, north + dy))


def _covers(view: tuple[float, ...], data: tuple[float, ...] | None) -> bool:
    """Whether a view is about the size of the whole map's data box (not a zoom into it).

    By area: a fitted view may crop the box a little (the frame settles its
    size after Leaflet fitted it), while one zoom level in is a quarter of it.
    """
    return data is None or _area(view) >= 0.3 * _area(data)


def _follow_view(out: dict | None, key: str, m: leaflet.Rendered, view: tuple | None) -> None:
    """Zooming in on aggregated cells asks for the events of the view; zooming back out returns to the whole map.

    The detail map is built for the view widened on every side and opens at
    the reader's zoom, so panning within it or rerunning for another reason
    sends the same map (no redraw); a zoom change or a pan out of it builds
    the next one. Whether the reader is zoomed in is decided by comparing the
    view with the box of the whole map's data (kept when leaving it), never
    by an order of events.
    """
    seen = _bounds(out)
    if seen is None:
        return
    box, zoom = seen
    home_key, view_key = f"{key}_home", f"{key}_view"
    if view is None:
        st.session_state[home_key] = m.data_bounds
        if not m.aggregated or _covers(box, st.session_state[home_key]):
            return
    elif _covers(box, st.session_state.get(home_key)):
        del st.session_state[view_key]
        st.rerun()
    elif zoom == view[1] and _inside(box, view[0]) and _area(view[0]) <= 8 * _area(box):
        return  # still inside the map built for it (a report made mid-zoom can give a stale, wider box: rebuilt)
    st.session_state[view_key] = (_widened(box), zoom)
    st.rerun()


def warm_map(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter,
    *,
    layers: Sequence[str] | None = None,
    lang: str | None = None,
) -> None:
    """Build the map :func:`event_map` would show for a filter with the default settings, into its cache.

    Parameters
    ----------
    events : GeoDataFrame
        The filtered events.
    claims : DataFrame
        Claims (the map picks those of the events).
    flt : Filter
        The filter.
    layers : sequence of str, optional
        Layers drawn (default: every registered layer).
    lang : str, optional
        Language (default: that of a session whose link names none).
    """
    shown = tuple(schema.LAYERS if layers is None else layers)
    _map(events, claims, data.cache_key(flt), shown, "offline", "local", None, lang or state.default_language())


def event_map(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter,
    *,
    layers: Sequence[str] | None = None,
    key: str,
) -> None:
    """Draw the filtered events on the map; an area drawn on it becomes the area filter.

    The folium map is built and rendered once per (filter, layers, basemap,
    view, language) and the same script is sent each run, so a rerun that changes
    nothing does not redraw the map. Where a layer is aggregated into cells, zooming in
    replaces the cells with the events of the view (or finer cells).

    Parameters
    ----------
    events : GeoDataFrame
        The filtered events.
    claims : DataFrame
        Claims (the map picks those of the events).
    flt : Filter
        The filter.
    layers : sequence of str, optional
        Layers drawn (default: every registered layer).
    key : str
        Widget key of the map.
    """
    basemap = st.session_state.get("m_basemap") or "offline"
    assets = "cdn" if st.session_state.get("m_cdn") else "local"
    view = st.session_state.get(f"{key}_view")
    m = _cached_map(events, claims, flt, layers, basemap, assets, view, i18n.language())
    # Each drawing taken gives the map a new instance: the browser keeps what an instance last reported, and
    # the map an area was drawn on would report it again when it comes back (the area cleared).
    taken = st.session_state.get(f"{key}_drawings_taken", 0)
    instance = f"{key}#{taken}" if taken else key
    out = leaflet.show(m, key=instance, height=MAP_HEIGHT, returned_objects=["all_drawings", "bounds", "zoom"])
    with st.popover(t("Export this map")):
        exporting.controls(flt, key=f"{key}_export")
    area = drawn_area(out)
    if area is not None and area != flt.area:
        st.session_state[f"{key}_drawings_taken"] = taken + 1
        state.request(area=area)
        return
    _follow_view(out, key, m, view)
