"""Folium map assembly: offline basemap, event layers, legend and escaped popups (DESIGN.md §6).

:func:`build_map` turns folded, filtered events (:func:`geo.claims.fold`) and
their claims into one ``folium.Map``:

* an **offline basemap** drawn from the bundled boundaries (sea-coloured
  background, land, admin-1 lines, labels of major cities) that needs no tile
  server; OpenStreetMap and CARTO tiles are offered only when asked for
  (:mod:`~geo.mapview.basemap`);
* one canvas-rendered ``GeoJson`` layer per registered layer
  (:mod:`geo.layers`), styled from its spec: points coloured by its
  ``colour_by`` value and outlined by status, a choropleth of regions for a
  layer drawn as one, and events located only to a region drawn as that
  region's outline (never as a point at its centre, which would invent a
  location) (:mod:`~geo.mapview.plan`, :mod:`~geo.mapview.features`);
* beyond ``max_features`` points in a layer, that layer is drawn as grid
  cells (:func:`geo.aggregate.grid`, at most
  :data:`~geo.mapview.plan.MAX_CELLS`, counts in the properties and the
  tooltip written in the browser from words translated once per layer), so
  the browser never gets more than a few thousand features per layer; given
  a ``view`` (the part of the map on screen) the map holds only what lies in
  it, the events themselves once few enough, with region outlines simplified
  for the zoom;
* given assessments of control (``control``, :mod:`~geo.mapview.control`), a
  *Control* layer per assessor under the events: the area held as of the
  period's end, the gained and lost areas hatched, simplified for the zoom,
  and each capture claim's verdicts in its popup (``verdicts``);
* a legend on the map listing only what is drawn, with the caveats ("claims
  by parties, not verified", synthetic data) (:mod:`~geo.mapview.legend`);
* popups with each event's claim history and links to the sources, and a
  region outline's tooltip naming the places it stands for
  (:mod:`~geo.mapview.popups`);
* labels that never overlap: after each zoom the browser places the count
  badges first (one region's stacked together), then city and country names
  by rank, hiding any that would meet one already placed; the layer control
  starts folded on a narrow (phone) map (:mod:`~geo.mapview.elements`).

Every string that comes from data is escaped (:func:`geo.present.escape`)
before it reaches a popup, tooltip, label, legend or GeoJSON property; only
http(s) source URLs become links. Words go through :mod:`geo.i18n`
(``lang``). The page's CSS and scripts are files in ``static/``
(:mod:`~geo.mapview.elements`). Assets go through
:func:`geo.assets.use_assets`, so by default the page loads nothing from the
network.
"""

from __future__ import annotations

from geo.mapview.assembly import BASEMAPS, DEFAULT_BOUNDS, build_map
from geo.mapview.control import ControlArea, control_areas
from geo.mapview.legend import MARK_CSS, legend_entries, legend_items

__all__ = [
    "BASEMAPS",
    "DEFAULT_BOUNDS",
    "MARK_CSS",
    "ControlArea",
    "build_map",
    "control_areas",
    "legend_entries",
    "legend_items",
]
