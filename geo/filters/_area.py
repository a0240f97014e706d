"""The area a filter keeps: parsing the ``area`` parameter, its canonical WKT and its URL form.

An area is a (multi)polygon in EPSG:4326, given as WKT, a shapely geometry,
or a rectangle ``minx,miny,maxx,maxy`` (text or four numbers). Whatever the
form, one area has one text (:func:`canonical`): coordinates rounded to
:data:`PRECISION` decimals, a rectangle as ``shapely.box`` writes it, other
rings normalised — so two spellings of one area make equal filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import shapely
import shapely.errors
from shapely.geometry.base import BaseGeometry

from geo.errors import Problem

__all__ = ["PRECISION", "as_param", "canonical", "is_rectangle", "parse"]

PRECISION: Final = 6
"""Decimal places an area's coordinates are kept to (about 0.1 m)."""
_PARAM: Final = "area"
_REDRAW: Final = "draw the area again, or give 'POLYGON ((lon lat, …))' or 'minx,miny,maxx,maxy'"


def parse(value: object, problems: list[Problem]) -> str | None:
    """Validate an area and return its canonical WKT.

    Parameters
    ----------
    value : str, shapely geometry, 4 numbers or None
        WKT, ``"minx,miny,maxx,maxy"``, a geometry or ``(minx, miny, maxx, maxy)``.
    problems : list of Problem
        Where a problem with the value is added (column ``area``).

    Returns
    -------
    str or None
        The canonical WKT; None for no area or a bad one (then a problem was added).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    shown = value if isinstance(value, str) else repr(value)
    geom = _geometry(value, shown, problems)
    return None if geom is None else _checked_wkt(geom, shown, problems)


def _geometry(value: object, shown: str, problems: list[Problem]) -> BaseGeometry | None:
    """The geometry a value stands for; None after a problem."""
    if isinstance(value, BaseGeometry):
        return value
    if isinstance(value, str):
        return _geometry_from_text(value, shown, problems)
    if isinstance(value, Sequence) and len(value) == 4 and all(isinstance(v, (int, float)) for v in value):
        return _bbox_geometry(tuple(float(v) for v in value), shown, problems)
    problems.append(Problem(f"expected WKT, a geometry or 4 numbers, got {_clip(shown)}", column=_PARAM))
    return None


def _geometry_from_text(text: str, shown: str, problems: list[Problem]) -> BaseGeometry | None:
    """A rectangle ``minx,miny,maxx,maxy`` or WKT; None after a problem."""
    bbox = _parse_bbox(text)
    if bbox is not None:
        return _bbox_geometry(bbox, shown, problems)
    try:
        geom = shapely.from_wkt(text.strip())
    except shapely.errors.GEOSException as err:
        problems.append(Problem(f"not WKT or minx,miny,maxx,maxy: {_clip(shown)} ({err})", column=_PARAM, fix=_REDRAW))
        return None
    return geom if geom is not None else shapely.GeometryCollection()


def _parse_bbox(text: str) -> tuple[float, ...] | None:
    parts = text.split(",")
    if len(parts) != 4:
        return None
    try:
        return tuple(float(p) for p in parts)
    except ValueError:
        return None


def _bbox_geometry(bbox: tuple[float, ...], shown: str, problems: list[Problem]) -> BaseGeometry | None:
    minx, miny, maxx, maxy = bbox
    if not all(np.isfinite(bbox)) or minx >= maxx or miny >= maxy:
        problems.append(
            Problem(
                f"rectangle {shown!r} is empty or inverted",
                column=_PARAM,
                fix="give minx,miny,maxx,maxy with minx < maxx and miny < maxy",
            )
        )
        return None
    return shapely.box(minx, miny, maxx, maxy)


def _checked_wkt(geom: BaseGeometry, shown: str, problems: list[Problem]) -> str | None:
    """The canonical WKT of a geometry that is a valid polygon on the globe; None after a problem."""
    problem = _shape_problem(geom, shown) or _bounds_problem(geom, shown) or _validity_problem(geom, shown)
    if problem is not None:
        problems.append(problem)
        return None
    wkt = canonical(geom)
    if shapely.from_wkt(wkt).is_empty:
        problems.append(Problem(f"area {_clip(shown)} is too small (under 1e-6 degrees)", column=_PARAM))
        return None
    return wkt


def _shape_problem(geom: BaseGeometry, shown: str) -> Problem | None:
    if not geom.is_empty and geom.geom_type in ("Polygon", "MultiPolygon"):
        return None
    kind = "an empty geometry" if geom.is_empty else f"a {geom.geom_type}"
    return Problem(f"area must be a polygon, got {kind}: {_clip(shown)}", column=_PARAM)


def _bounds_problem(geom: BaseGeometry, shown: str) -> Problem | None:
    minx, miny, maxx, maxy = geom.bounds
    if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
        return None
    return Problem(
        f"area {_clip(shown)} reaches outside [-180, 180] x [-90, 90]",
        column=_PARAM,
        fix="give longitude, latitude in degrees (EPSG:4326), longitude first",
    )


def _validity_problem(geom: BaseGeometry, shown: str) -> Problem | None:
    if geom.is_valid:
        return None
    return Problem(
        f"area is not a valid polygon ({shapely.is_valid_reason(geom)}): {_clip(shown)}",
        column=_PARAM,
        fix="draw it again without crossing its own edges",
    )


def _clip(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def is_rectangle(geom: BaseGeometry) -> bool:
    """Whether a geometry is an axis-aligned rectangle (written ``minx,miny,maxx,maxy`` in links).

    Parameters
    ----------
    geom : shapely geometry
        The area.

    Returns
    -------
    bool
        True for a polygon without holes equal to its bounding box.
    """
    if geom.geom_type != "Polygon" or len(geom.interiors):
        return False
    box = shapely.box(*geom.bounds)
    return bool(box.area > 0 and abs(box.area - geom.area) <= 1e-9 * box.area and box.equals(geom))


def canonical(geom: BaseGeometry) -> str:
    """One text per area: rounded coordinates, rectangles as ``shapely.box``, rings normalised.

    Parameters
    ----------
    geom : shapely geometry
        A valid (multi)polygon.

    Returns
    -------
    str
        WKT with at most :data:`PRECISION` decimals.
    """
    rounded = shapely.set_precision(geom, 10.0**-PRECISION)
    rounded = shapely.box(*rounded.bounds) if is_rectangle(rounded) else shapely.normalize(rounded)
    return shapely.to_wkt(rounded, rounding_precision=PRECISION, trim=True)


def _number(value: float) -> str:
    text = f"{value:.{PRECISION}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def as_param(wkt: str) -> str:
    """An area as a link writes it: ``minx,miny,maxx,maxy`` for a rectangle, else the WKT.

    Parameters
    ----------
    wkt : str
        Canonical WKT (:func:`parse`).

    Returns
    -------
    str
        The ``area`` parameter's value.
    """
    geom = shapely.from_wkt(wkt)
    if is_rectangle(geom):
        return ",".join(_number(v) for v in geom.bounds)
    return wkt
