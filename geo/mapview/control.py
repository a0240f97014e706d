"""The Control layer: assessed areas of control (who holds the ground, by an assessor's map) under the event layers.

Per assessor, the map draws the area Russia holds as of the filter's end date
(outline and light fill in a muted red-grey, unlike the capture and strike
colours) and, when the filter has a start date, the areas gained and lost
between its start and end, hatched (a canvas pattern made in the browser by
``static/control.js``: it needs no image and works offline). Each shape's
tooltip says whose assessment it is, the km², the assessed days, and that it
is not ground truth.

The geometries are plain shapely geometries in EPSG:4326 (:class:`ControlArea`);
:func:`control_area` takes them from :mod:`geo.control`'s ``Held`` and
``Change``, :func:`control_areas` reads them from a store (for exporters).
Before they reach the page they are clipped to the view (nothing off-screen),
simplified in metres at about a pixel of the zoom (:func:`tolerance_m`) and
rounded, so a real DeepStateMap polygon of thousands of vertices stays a few
tens of kilobytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import folium
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo import present
from geo.control import change as _change
from geo.control import series as _series
from geo.control.model import HELD, to_equal_area, to_lonlat
from geo.errors import GeoError
from geo.i18n import t
from geo.mapview.basemap import _polygonal
from geo.mapview.elements import static_text
from geo.mapview.features import _geojson_layer
from geo.present import escape

__all__ = [
    "CONTROL_STYLE",
    "ControlArea",
    "ControlHatch",
    "control_area",
    "control_areas",
    "control_groups",
    "control_title",
    "tolerance_m",
]

CONTROL_STYLE: Final = {
    "held": {"color": "#7d5a5a", "weight": 1.2, "opacity": 0.85, "fillColor": "#9c7b7b", "fillOpacity": 0.14},
    "gained": {"color": "#7b1f2b", "weight": 1, "opacity": 0.9, "fillColor": "#7b1f2b", "fillOpacity": 0.75},
    "lost": {"color": "#35607f", "weight": 1, "opacity": 0.9, "fillColor": "#35607f", "fillOpacity": 0.75},
}
"""Styles of the held area (muted red-grey) and the hatched gained (dark wine) and lost (slate blue) areas."""
FIT_ZOOM: Final = 10
"""Zoom whose pixel the geometries are simplified to when the map is fitted (no ``view``): the most a fit zooms."""
_M_PER_PX_Z0: Final = 156543.03 * math.cos(math.radians(48.5))
"""Metres per pixel at zoom 0 in Web Mercator, at Ukraine's latitude."""
_VERDICT_CSS: Final = (
    ".cm-pop .cm-vd { margin-top: 2px; padding-left: 6px; border-left: 3px solid #9e9e9e; color: #333;"
    " font-size: 11px; }\n"
    ".cm-pop .cm-vd.v-reflected { border-color: #6d4c41; }\n"
    ".cm-pop .cm-vd.v-at-line { border-color: #f9a825; }\n"
    ".cm-pop .cm-vd.v-contradicted { border-color: #35607f; }"
)
"""Verdict lines in popups: a line per assessor under a capture claim, its left border by verdict."""
_MIN_AREA_PX: Final = 0.5
"""Pieces smaller than this many square pixels (of the zoom) are not drawn: they would not show."""


@dataclass(frozen=True)
class ControlArea:
    """One assessor's Control layer: the area held on a day, and what changed hands between two days.

    Parameters
    ----------
    assessor : str
        Whose map (``DeepStateMap``).
    as_of : date
        The assessed day of ``held`` (the latest on or before the date asked for).
    held : shapely geometry or None
        The area ``side`` holds, EPSG:4326.
    held_km2 : float
        Its area (equal-area projection).
    side : str
        The holding side (``RU``); gains and losses are its own.
    gained, lost : shapely geometry or None
        Areas ``side`` held on ``day_to`` and not on ``day_from``, and the other way round.
    gained_km2, lost_km2 : float
        Their areas.
    date_from, date_to : date or None
        The period asked for (the filter's dates).
    day_from, day_to : date or None
        The assessed days compared (None: no change to draw).
    note : str
        Why something is missing, in plain words.
    """

    assessor: str
    as_of: dt.date | None
    held: Any = None
    held_km2: float = float("nan")
    side: str = "RU"
    gained: Any = None
    lost: Any = None
    gained_km2: float = 0.0
    lost_km2: float = 0.0
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    note: str = ""

    @property
    def has_change(self) -> bool:
        """Whether a change between two assessed days is known."""
        return self.day_from is not None and self.day_to is not None


def control_area(assessor: str, held: Any = None, change: Any = None, note: str = "") -> ControlArea | None:
    """A :class:`ControlArea` from :mod:`geo.control`'s objects.

    Parameters
    ----------
    assessor : str
        Whose map.
    held : geo.control.series.Held, optional
        The area held on the end date (``as_of``, ``area_km2``, ``geometry``, ``side``).
    change : geo.control.change.Change, optional
        Gained and lost areas (``gained``, ``lost``, ``gained_km2``, ``lost_km2``, ``date_from``, ``date_to``,
        ``day_from``, ``day_to``, ``side``).
    note : str
        Why something is missing.

    Returns
    -------
    ControlArea or None
        None when there is neither a held area nor a change.
    """
    if held is None and change is None:
        return None
    values: dict[str, Any] = {"assessor": assessor, "as_of": None, "note": note}
    if held is not None:
        values |= {"as_of": held.as_of, "held": held.geometry, "held_km2": float(held.area_km2), "side": held.side}
    if change is not None:
        values |= {
            "side": change.side,
            "gained": change.gained,
            "lost": change.lost,
            "gained_km2": float(change.gained_km2),
            "lost_km2": float(change.lost_km2),
            "date_from": change.date_from,
            "date_to": change.date_to,
            "day_from": change.day_from,
            "day_to": change.day_to,
        }
    return ControlArea(**values)


def control_areas(
    store: Any, date_from: dt.date | None, date_to: dt.date | None, *, assessors: Sequence[str] | None = None
) -> list[ControlArea]:
    """The Control layer of a period, read from a store: one :class:`ControlArea` per assessor.

    As the dashboard draws it: the area held as of ``date_to`` (the latest assessed day on or before it; the
    series' last day when open), and with a ``date_from`` the change between the two.

    Parameters
    ----------
    store : Store
        The store holding the assessments.
    date_from, date_to : date or None
        The period (a filter's dates).
    assessors : sequence of str, optional
        Only these assessors (default: every one with a series of held area).

    Returns
    -------
    list of ControlArea
        Empty when the store holds no assessment.
    """
    found = _series.series(store)
    if found.empty:
        return []
    held_rows = found[found["kind"] == HELD]
    names = sorted(set(held_rows["assessor"]))
    if assessors is not None:
        names = [n for n in names if n in set(assessors)]
    out = []
    for name in names:
        last = max(pd.Timestamp(d).date() for d in held_rows.loc[held_rows["assessor"] == name, "last"])
        end = min(date_to, last) if date_to is not None else last
        held = change = None
        note = ""
        try:
            held = _series.held(store, end, assessor=name)
        except GeoError as err:
            note = str(err)
        if date_from is not None and held is not None:
            try:
                change = _change.change(store, date_from, end, assessor=name, settlements=False)
            except GeoError as err:
                note = str(err)
        area = control_area(name, held, change, note)
        if area is not None:
            out.append(area)
    return out


# --- geometry for the page ----------------------------------------------------------------------------------------


def tolerance_m(zoom: int | None) -> float:
    """Simplification (metres) fitting a zoom level: about one pixel there (:data:`FIT_ZOOM` when None).

    Parameters
    ----------
    zoom : int or None
        The zoom the map opens at; None for a fitted map.

    Returns
    -------
    float
        Metres, between 10 and 5,000.
    """
    z = FIT_ZOOM if zoom is None else int(zoom)
    return float(min(5000.0, max(10.0, _M_PER_PX_Z0 / 2**z)))


def _digits(tol_m: float) -> int:
    """Decimals of a degree that keep the rounding under a third of the tolerance (4 digits ≈ 11 m)."""
    return 5 if tol_m < 35 else 4 if tol_m < 350 else 3


def _for_page(geom: Any, tol_m: float, box: tuple[float, float, float, float] | None) -> dict[str, Any] | None:
    """A geometry clipped to the box, simplified in metres, rounded; GeoJSON, or None when nothing is left."""
    if geom is None or shapely.is_missing(geom) or shapely.is_empty(geom):
        return None
    if box is not None:
        geom = shapely.clip_by_rect(geom, *box)
        if shapely.is_empty(geom):
            return None
    metric = to_equal_area(geom, densify=False)
    metric = shapely.simplify(metric, tol_m, preserve_topology=True)
    parts = [p for p in shapely.get_parts(metric) if shapely.area(p) >= _MIN_AREA_PX * tol_m**2]
    if not parts:
        return None
    lonlat = to_lonlat(shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0])
    digits = _digits(tol_m)
    rounded = _polygonal(shapely.set_precision(lonlat, 10.0**-digits))
    kept = [p for p in shapely.get_parts(rounded) if shapely.get_type_id(p) in (3, 6) and not shapely.is_empty(p)]
    if not kept:  # rounding may leave lines or points of a sliver: nothing to fill
        return None
    return shapely.geometry.mapping(kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept))


# --- words --------------------------------------------------------------------------------------------------------


def control_title(assessor: str) -> str:
    """The Control layer of an assessor, as the layer control and the legend name it."""
    return t("Control: {assessor} (assessment)", assessor=assessor)


def _side_word(side: str) -> str:
    return {"RU": t("Russia"), "UA": t("Ukraine")}.get(side, side)


def _km2(value: float) -> str:
    return present.number(round(float(value)))


def _assessed(area: ControlArea) -> dict[str, str]:
    """The period and the assessed days, as a tooltip and the legend write them."""
    return {
        "period": present.date_range(area.date_from, area.date_to),
        "first": present.day(area.day_from, year=False),
        "last": present.day(area.day_to, year=False),
    }


def held_text(area: ControlArea) -> str:
    """``DeepStateMap: held by Russia as of 18 Feb 2026, 12,345 km² — an assessment, not ground truth``."""
    return t(
        "{assessor}: held by {side} as of {day}, {area} km² — an assessment, not ground truth",
        assessor=area.assessor,
        side=_side_word(area.side),
        day=present.day(area.as_of),
        area=_km2(area.held_km2),
    )


def gained_text(area: ControlArea) -> str:
    """``DeepStateMap: +140 km² gained by Russia, 1–18 Feb 2026 (assessed days 1 Feb and 18 Feb) — …``."""
    return t(
        "{assessor}: +{area} km² gained by {side}, {period} (assessed days {first} and {last}) — an assessment, "
        "not ground truth",
        assessor=area.assessor,
        area=_km2(area.gained_km2),
        side=_side_word(area.side),
        **_assessed(area),
    )


def lost_text(area: ControlArea) -> str:
    """``DeepStateMap: −17 km² lost by Russia, 1–18 Feb 2026 (assessed days 1 Feb and 18 Feb) — …``."""
    return t(
        "{assessor}: −{area} km² lost by {side}, {period} (assessed days {first} and {last}) — an assessment, "
        "not ground truth",
        assessor=area.assessor,
        area=_km2(area.lost_km2),
        side=_side_word(area.side),
        **_assessed(area),
    )


# --- the layer ----------------------------------------------------------------------------------------------------


def _features(area: ControlArea, tol_m: float, box: tuple[float, float, float, float] | None) -> list[dict]:
    """The held area first, then the gained and lost areas (hatched) on top of it."""
    shapes: list[tuple[Any, str, str]] = [(area.held, "held", held_text(area) if area.held is not None else "")]
    if area.has_change:
        shapes += [(area.gained, "gained", gained_text(area)), (area.lost, "lost", lost_text(area))]
    features = []
    for geom, what, tip in shapes:
        geometry = _for_page(geom, tol_m, box)
        if geometry is None:
            continue
        properties: dict[str, Any] = {"style": dict(CONTROL_STYLE[what]), "tip": escape(tip), "control": what}
        if what != "held":
            properties["hatch"] = CONTROL_STYLE[what]["fillColor"]
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def control_groups(
    areas: Sequence[ControlArea],
    *,
    zoom: int | None = None,
    view: tuple[float, float, float, float] | None = None,
) -> list[folium.FeatureGroup]:
    """One switchable layer per assessor: the held area, and the hatched gained and lost areas.

    Parameters
    ----------
    areas : sequence of ControlArea
        The Control layer's areas, one per assessor.
    zoom : int, optional
        The zoom the map opens at (None: fitted), for the simplification.
    view : (west, south, east, north), optional
        Only what lies in this box is sent.

    Returns
    -------
    list of folium.FeatureGroup
        Layers to add under the event layers; an assessor with nothing to draw in the view has none.
    """
    tol = tolerance_m(zoom if view is not None else None)
    groups = []
    for area in areas:
        features = _features(area, tol, view)
        if features:
            # the layer control writes a layer's name as HTML: the assessor's name comes from data
            groups.append(_geojson_layer(escape(control_title(area.assessor)), features))
    return groups


class ControlHatch(MacroElement):
    """Hatch the gained and lost areas of the Control layers in the browser (``static/control.js``).

    It also brings the styles of the verdict lines in popups (:data:`_VERDICT_CSS`): it is added to a map
    with assessments (Control layers or verdicts) only.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.js }}([{% for layer in this.layers %}{{ layer.get_name() }}, {% endfor %}]);
        {% endmacro %}
        """
    )

    def __init__(self, layers: Sequence[folium.FeatureGroup]) -> None:
        super().__init__()
        self._name = "CmControlHatch"
        self.layers = list(layers)
        self.js = static_text("control.js")
        self.css = _VERDICT_CSS
