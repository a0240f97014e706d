"""The map extent of a briefing: what the filter selected, with a margin, never the subject at the edge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import layers, reference, schema

if TYPE_CHECKING:
    from geo.filters import Filter

Box = tuple[float, float, float, float]

MIN_EXTENT: Final = 0.5
"""Least width and height (degrees) of what a frame shows around its subject (a single point, a small area)."""
THEATRE: Final[Box] = (22.0, 41.0, 60.0, 62.0)
"""Ukraine, Belarus and European Russia to the Urals (west, south, east, north): where region outlines are cut
when a frame would otherwise span a federal-scale region (Arkhangelsk's Arctic islands, Siberian krais)."""
DEFAULT: Final[Box] = (22.0, 44.0, 41.5, 56.5)
"""The frame when nothing is located: the dashboard's default view (``geo.mapview.DEFAULT_BOUNDS``)."""
MAX_SPAN: Final = (40.0, 22.0)
"""Width and height (degrees) beyond which region outlines are cut to :data:`THEATRE`."""
_MAX_LAT: Final = 85.0
_NO_BOXES: Final = np.empty((0, 4))


def frame(events: pd.DataFrame, flt: Filter | None = None, *, margin: float = 0.08) -> Box:
    """The map extent of a briefing: the filter's regions, else its drawn area, else the located events.

    Parameters
    ----------
    events : DataFrame
        The events shown (a GeoDataFrame: ``geometry``, ``admin1``, ``layer``).
    flt : Filter, optional
        The filter: its ``regions`` (their whole admin-1 outlines), else its
        ``area``, decide the frame when it has them.
    margin : float
        Added on every side, as a share of the larger side (default 8 %).

    Returns
    -------
    tuple of float
        ``(minx, miny, maxx, maxy)`` in degrees (EPSG:4326). Events located
        only to their region count with that region's outline; events known
        only to their country do not count (their country is not their
        place). Layers that do not pull the map's view (talks venues,
        ``LayerSpec.fit_view``) count only when nothing else is located.
        A subject smaller than :data:`MIN_EXTENT` is shown with its
        surroundings; region outlines crossing the antimeridian are read
        east of it; when the subject would span more than :data:`MAX_SPAN`,
        region outlines are cut to :data:`THEATRE` (points always count).
        With nothing to frame, the dashboard's default view (Ukraine and its
        neighbours).
    """
    polygons, points = _subject(events, flt)
    box = _extent(polygons, points)
    return _padded(DEFAULT if box is None else box, margin)


def _subject(events: pd.DataFrame, flt: Filter | None) -> tuple[list[shapely.Geometry], npt.NDArray[np.float64]]:
    """What the frame must hold: (region outlines and areas, the bounds of the located event geometries).

    Located events count by their bounds (an array, however many events),
    region-level ones by the distinct outlines of their regions.
    """
    if flt is not None and flt.regions:
        outlines = _outlines(flt.regions)
        if outlines:
            return outlines, _NO_BOXES
    if flt is not None and flt.area:
        return [shapely.from_wkt(flt.area)], _NO_BOXES
    if events is None or len(events) == 0:
        return [], _NO_BOXES
    fits = _fits_view(events)
    polygons, points = _located(events, fits)
    if not polygons and not len(points):
        polygons, points = _located(events, ~fits)
    return polygons, points


def _fits_view(events: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Which events pull the view (their layer's ``fit_view``; an unknown layer does)."""
    if "layer" not in events.columns:
        return np.ones(len(events), dtype=bool)
    names = set(layers.names())
    codes, uniques = pd.factorize(events["layer"], use_na_sentinel=False)
    fits = [(layers.get(str(v)).fit_view if v in names else True) for v in uniques.to_numpy(dtype=object).tolist()]
    return np.asarray(fits, dtype=bool)[codes] if len(codes) else np.ones(0, dtype=bool)


def _located(
    events: pd.DataFrame, rows: npt.NDArray[np.bool_]
) -> tuple[list[shapely.Geometry], npt.NDArray[np.float64]]:
    """Of the given rows: the outlines of shapes and of the regions of events located only to a region; point bounds.

    Points (and multipoints) come as an array of boxes, shapes (lines,
    polygons) as geometries; each region's outline once.
    """
    geoms = (
        np.asarray(events.geometry, dtype=object)[rows]
        if "geometry" in events.columns
        else np.full(int(rows.sum()), None, dtype=object)
    )
    has = ~shapely.is_missing(geoms)
    has[has] = ~shapely.is_empty(geoms[has])
    shapes = geoms[has]
    point = np.isin(shapely.get_type_id(shapes), (0, 4))
    codes: set[str] = set()
    if "admin1" in events.columns:
        cells = pd.unique(events["admin1"].to_numpy(dtype=object)[rows][~has])
        for cell in cells.tolist():
            codes.update(schema.split_multi(cell))
    return [*shapes[~point].tolist(), *_outlines(sorted(codes))], _boxes(shapes[point])


def _boxes(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
    """Bounds of geometries (``n × 4``), each read east of the antimeridian when it crosses it."""
    boxes = shapely.bounds(geoms).reshape(-1, 4)
    wide = np.flatnonzero(boxes[:, 2] - boxes[:, 0] > 180)
    for i in wide.tolist():  # few: shapes spanning the antimeridian (Chukotka)
        boxes[i] = _east_of_antimeridian(geoms[i])
    return boxes


def _outlines(codes: list[str] | tuple[str, ...]) -> list[shapely.Geometry]:
    """The full-detail admin-1 outlines of the given codes that the reference data has."""
    if not codes:
        return []
    admin1 = reference.load_admin1()
    chosen = admin1[admin1["iso_3166_2"].isin(list(codes))]
    return [g for g in chosen.geometry.tolist() if g is not None and not g.is_empty]


def _east_of_antimeridian(geom: shapely.Geometry) -> Box:
    """Bounds of a geometry, read east of the antimeridian when it crosses it (Chukotka: 159°E–190°E)."""
    minx, miny, maxx, maxy = shapely.bounds(geom).tolist()
    if maxx - minx <= 180:
        return minx, miny, maxx, maxy
    xy = shapely.get_coordinates(geom)
    x = np.where(xy[:, 0] < 0, xy[:, 0] + 360.0, xy[:, 0])
    return float(x.min()), miny, float(x.max()), maxy


def _union(boxes: npt.NDArray[np.float64]) -> Box | None:
    boxes = boxes[np.isfinite(boxes).all(axis=1)]
    if not len(boxes):
        return None
    return float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max())


def _extent(polygons: list[shapely.Geometry], points: npt.NDArray[np.float64]) -> Box | None:
    """The box holding the subject, region outlines cut to the theatre when it would be federal-scale."""
    shapes = np.asarray(polygons, dtype=object)
    box = _union(np.vstack([_boxes(shapes), points]))
    if box is None or (box[2] - box[0] <= MAX_SPAN[0] and box[3] - box[1] <= MAX_SPAN[1]):
        return box
    inside = shapely.clip_by_rect(shapes, *THEATRE) if len(shapes) else shapes
    cut = np.where(shapely.is_empty(inside), shapes, inside) if len(shapes) else shapes  # wholly outside: its own
    return _union(np.vstack([_boxes(cut), points]))


def _padded(box: Box, margin: float) -> Box:
    """``box`` grown to :data:`MIN_EXTENT` each way, then by ``margin`` of its larger side on every side."""
    minx, miny, maxx, maxy = box
    grow_x, grow_y = max(0.0, MIN_EXTENT - (maxx - minx)) / 2, max(0.0, MIN_EXTENT - (maxy - miny)) / 2
    minx, maxx, miny, maxy = minx - grow_x, maxx + grow_x, miny - grow_y, maxy + grow_y
    pad = max(0.0, margin) * max(maxx - minx, maxy - miny)
    return (minx - pad, max(miny - pad, -_MAX_LAT), maxx + pad, min(maxy + pad, _MAX_LAT))
