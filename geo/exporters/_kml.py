"""KML documents of events: a Placemark per event with a point or an area, descriptions as escaped HTML.

Viewers (Google Earth among them) render a Placemark's name and description
as HTML, so text from the data is HTML-escaped first (``<img onerror=…>``
shows as text) and the result is then XML-escaped by ElementTree; the only
markup is this module's own ``<br>``. Text reaching here has already been
cleaned of what XML 1.0 forbids (:func:`geo.exporters._cells.clean_text`).
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd
import shapely

from geo import present
from geo.i18n import t, tn

__all__ = ["KML_NS", "description", "document"]

KML_NS: Final = "http://www.opengis.net/kml/2.2"
_K: Final = f"{{{KML_NS}}}"


def _html(lines: Sequence[str]) -> str:
    """Plain-text lines as one HTML fragment: each line escaped, joined by ``<br>``."""
    return "<br>\n".join(html.escape(line, quote=False) for line in lines)


def description(props: dict[str, Any], claims: list[dict[str, Any]], caveat: str) -> str:
    """An event and its claims as an HTML fragment, in the current language (the data's text escaped).

    Parameters
    ----------
    props : dict
        The event's fields (plain values).
    claims : list of dict
        Its claims, oldest first, each with ``figures``.
    caveat : str
        The caveat line, in the current language.

    Returns
    -------
    str
        HTML: escaped lines joined by ``<br>``.
    """
    head = [
        present.layer_label(str(props.get("layer"))),
        present.status_label(props.get("status")),
        present.when(props.get("time_start"), props.get("time_end"), props.get("time_precision") or "day"),
    ]
    lines = [" · ".join(h for h in head if h)]
    if props.get("place"):
        lines.append(t("Place: {place}", place=props["place"]))
    for c in claims:
        figs = ", ".join(present.figure_text(f["name"], f["value"], f["bound"]) for f in c["figures"])
        stated = pd.Timestamp(c["stated_at"]) if c["stated_at"] else None
        when = present.stated(stated, "day" if stated is None or stated == stated.normalize() else "minute")
        line = f"{when} {c['claimant']} ({c['party']}) {present.stance_label(c['stance'])}"
        line += f": {figs}" if figs else ""
        line += f" — {c['publisher'] or ''} {present.safe_url(c['source_url']) or ''}".rstrip()
        lines.append(line)
    lines.append(caveat + ".")
    return _html(lines)


def _coordinates(parent: ET.Element, coords: Any) -> None:
    ET.SubElement(parent, f"{_K}coordinates").text = " ".join(f"{x:.6f},{y:.6f}" for x, y, *_ in coords)


def _geometry(parent: ET.Element, geom: shapely.Geometry) -> None:
    """Append ``geom`` as KML: Point, LineString, Polygon (with holes), or a MultiGeometry of them."""
    kind = geom.geom_type
    if kind == "Point":
        _coordinates(ET.SubElement(parent, f"{_K}Point"), geom.coords)
    elif kind in ("LineString", "LinearRing"):
        _coordinates(ET.SubElement(parent, f"{_K}LineString"), geom.coords)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, f"{_K}Polygon")
        outer = ET.SubElement(ET.SubElement(poly, f"{_K}outerBoundaryIs"), f"{_K}LinearRing")
        _coordinates(outer, geom.exterior.coords)
        for ring in geom.interiors:
            _coordinates(ET.SubElement(ET.SubElement(poly, f"{_K}innerBoundaryIs"), f"{_K}LinearRing"), ring.coords)
    else:  # Multi* and GeometryCollection
        multi = ET.SubElement(parent, f"{_K}MultiGeometry")
        for part in shapely.get_parts(geom):
            if not part.is_empty:
                _geometry(multi, part)


def _day(value: object) -> str | None:
    """``YYYY-MM-DD`` of an ISO date or datetime text (what KML's ``when``, ``begin`` and ``end`` take)."""
    return str(value)[:10] if value else None


def document(
    records: Sequence[tuple[dict[str, Any], shapely.Geometry | None]],
    descriptions: dict[str, str],
    *,
    left_out: int,
    caveat: str,
) -> ET.ElementTree:
    """A KML document with one Placemark per event that has a geometry.

    Parameters
    ----------
    records : sequence of (dict, geometry or None)
        The events (plain values, cleaned text) and their geometries (polygon
        exteriors counter-clockwise).
    descriptions : dict of str to str
        HTML description per event id, for the events with a geometry.
    left_out : int
        Events left out for having no geometry; the document's description says so.
    caveat : str
        The caveat, in the current language.

    Returns
    -------
    ElementTree
        The document; names and descriptions HTML-escaped, then XML-escaped on writing.
    """
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{_K}kml")
    doc = ET.SubElement(root, f"{_K}Document")
    ET.SubElement(doc, f"{_K}name").text = html.escape(t("Conflict events (claims, not verified)"), quote=False)
    about = [caveat + "."]
    if left_out:
        about.append(
            tn(
                "{n} event known only to a region or country is not in this file: KML has no place for it "
                "(the GeoJSON, GeoPackage and CSV exports hold it).",
                "{n} events known only to a region or country are not in this file: KML has no place for them "
                "(the GeoJSON, GeoPackage and CSV exports hold them).",
                left_out,
            )
        )
    ET.SubElement(doc, f"{_K}description").text = _html(about)
    for props, geom in records:
        if geom is None:
            continue
        event_id = str(props["event_id"])
        pm = ET.SubElement(doc, f"{_K}Placemark", id=event_id)
        ET.SubElement(pm, f"{_K}name").text = html.escape(str(props.get("title") or event_id), quote=False)
        ET.SubElement(pm, f"{_K}description").text = descriptions[event_id]
        start, end = _day(props.get("time_start")), _day(props.get("time_end"))
        if start and end and end != start:
            span = ET.SubElement(pm, f"{_K}TimeSpan")
            ET.SubElement(span, f"{_K}begin").text = start
            ET.SubElement(span, f"{_K}end").text = end
        elif start:
            ET.SubElement(ET.SubElement(pm, f"{_K}TimeStamp"), f"{_K}when").text = start
        _geometry(pm, geom)
    return ET.ElementTree(root)
