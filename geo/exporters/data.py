"""Data exports of filtered events with their claims and sources: GeoJSON, GeoPackage, CSV and KML.

One shared core (:func:`_event_records`, :func:`_claim_records`) turns the
events and claims into plain records; each writer only serialises them. An
event without a point keeps ``geometry: null`` (GeoJSON), no geometry
(GeoPackage), empty lon/lat (CSV) or no Placemark (KML): a location is never
invented.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import shapely

from geo import i18n, present, schema
from geo.errors import GeoError
from geo.i18n import t

__all__ = ["CAVEAT", "FORMATS", "caveat", "check_target", "to_csv", "to_geojson", "to_gpkg", "to_kml", "write_atomic"]

FORMATS: Final = ("geojson", "gpkg", "csv", "kml")
CAVEAT: Final = "Claims by parties to the war, not independently verified"
"""The caveat every export a reader reads carries (English; :func:`caveat` gives it in the current language)."""
_CLAIM_FIELDS: Final = (
    "claim_id",
    "claimant",
    "party",
    "stated_at",
    "stance",
    "source_title",
    "source_url",
    "publisher",
)
_KML_NS: Final = "http://www.opengis.net/kml/2.2"


def caveat() -> str:
    """The caveat, in the current language: claims by parties are not independently verified.

    Returns
    -------
    str
        Plain text (no final stop).
    """
    return t("Claims by parties to the war, not independently verified")


def _plain(value: object) -> Any:
    """A JSON-safe Python value: None for missing, ISO text for times, int for whole floats."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    return value


def check_target(path: str | os.PathLike[str]) -> Path:
    """Check that a file can be written at ``path``, before anything is written.

    Parameters
    ----------
    path : str or PathLike
        The file to write.

    Returns
    -------
    Path
        The path.

    Raises
    ------
    GeoError
        The path is a folder, its folder does not exist, or the folder is not writable.
    """
    target = Path(path)
    if target.is_dir():
        raise GeoError(f"unwritable path {str(target)!r}: it is a folder")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise GeoError(f"unwritable path {str(target)!r}: the folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise GeoError(f"unwritable path {str(target)!r}: the folder is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise GeoError(f"unwritable path {str(target)!r}: the file is read-only")
    return target


@contextlib.contextmanager
def _temp_in(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target``, moved over it on success and removed on failure."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent or ".")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Write a file atomically: ``write(tmp)`` fills a temporary file in the same folder, then it replaces ``path``.

    Parameters
    ----------
    path : str or PathLike
        The file to write.
    write : callable
        Called with the temporary path; must write the whole file there.

    Returns
    -------
    Path
        The written path.

    Raises
    ------
    GeoError
        The path cannot be written (checked before ``write`` is called).
    """
    target = check_target(path)
    with _temp_in(target) as tmp:
        tmp.unlink(missing_ok=True)  # some writers (GDAL) refuse an existing empty file
        write(tmp)
    return target


# --- shared core -----------------------------------------------------------------------------------------------


def _figures(row: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name in schema.CLAIM_FIGURES:
        value = _plain(row.get(name))
        if value is not None:
            out.append({"name": name, "value": value, "bound": _plain(row.get(f"{name}_bound")) or "exact"})
    return out


def _claim_records(claims: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Claims grouped per event id, oldest first, each with its figures and source."""
    by_event: dict[str, list[dict[str, Any]]] = {}
    if claims.empty:
        return by_event
    ordered = claims.sort_values(["event_id", "stated_at", "claim_id"], kind="stable")
    for row in ordered.to_dict("records"):
        rec = {k: _plain(row.get(k)) for k in _CLAIM_FIELDS}
        rec["figures"] = _figures(row)
        by_event.setdefault(str(row["event_id"]), []).append(rec)
    return by_event


def _point(geom: object) -> tuple[float, float] | None:
    """(lon, lat) of a point geometry; None for anything else (missing, empty, not a point)."""
    if geom is None or not isinstance(geom, shapely.Point) or geom.is_empty:
        return None
    return float(geom.x), float(geom.y)


def _event_columns(events: pd.DataFrame) -> list[str]:
    return (
        [c for c in events.columns if c != events.geometry.name]
        if isinstance(events, gpd.GeoDataFrame)
        else list(events.columns)
    )


def _event_records(events: gpd.GeoDataFrame) -> list[tuple[dict[str, Any], object]]:
    """(properties, geometry) per event: plain values, geometry untouched (maybe None)."""
    cols = _event_columns(events)
    geoms = events.geometry.to_numpy() if isinstance(events, gpd.GeoDataFrame) else [None] * len(events)
    out = []
    for row, geom in zip(events[cols].to_dict("records"), geoms, strict=True):
        props = {c: _plain(row[c]) for c in cols}
        out.append((props, None if geom is None or shapely.is_empty(geom) else geom))
    return out


def _check_frames(events: pd.DataFrame, claims: pd.DataFrame) -> None:
    for name, frame, col in (("events", events, "event_id"), ("claims", claims, "event_id")):
        if col not in frame.columns:
            raise GeoError(f"the {name} have no {col!r} column")


# --- writers ---------------------------------------------------------------------------------------------------


def to_geojson(events: gpd.GeoDataFrame, claims: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write the events as a GeoJSON FeatureCollection, each with its claims.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events (EPSG:4326). Not changed.
    claims : DataFrame
        Their claims. Not changed.
    path : str or PathLike
        The file to write.

    Returns
    -------
    Path
        The written file. Features have the event's fields, ``status`` and a
        ``claims`` list; events without a point have ``geometry: null``.

    Raises
    ------
    GeoError
        The path cannot be written (nothing is written).
    """
    check_target(path)
    _check_frames(events, claims)
    by_event = _claim_records(claims)
    features = []
    for props, geom in _event_records(events):
        props = props | {"claims": by_event.get(str(props["event_id"]), [])}
        geometry = shapely.geometry.mapping(geom) if geom is not None else None
        features.append({"type": "Feature", "id": props["event_id"], "properties": props, "geometry": geometry})
    doc = {"type": "FeatureCollection", "features": features}

    def write(tmp: Path) -> None:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")

    return write_atomic(path, write)


def _claim_rows(events: gpd.GeoDataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: claim fields, figures, then its event's fields (prefixed ``event_``) and lon/lat."""
    records = []
    events_by_id = {props["event_id"]: (props, geom) for props, geom in _event_records(events)}
    ordered = claims.sort_values(["event_id", "stated_at", "claim_id"], kind="stable") if len(claims) else claims
    for row in ordered.to_dict("records"):
        found = events_by_id.get(row["event_id"])
        if found is None:
            continue
        props, geom = found
        rec: dict[str, Any] = {f"event_{k}" if not k.startswith("event_") else k: v for k, v in props.items()}
        point = _point(geom)
        rec["lon"], rec["lat"] = point if point else (None, None)
        for k in claims.columns:
            if k != "event_id":
                rec[f"claim_{k}" if not k.startswith("claim_") else k] = _plain(row[k])
        records.append(rec)
    return pd.DataFrame.from_records(records)


def to_csv(events: gpd.GeoDataFrame, claims: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write one CSV row per claim, with its event's fields and lon/lat when the event has a point.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    path : str or PathLike
        The file to write (UTF-8).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    GeoError
        The path cannot be written (nothing is written).
    """
    check_target(path)
    _check_frames(events, claims)
    rows = _claim_rows(events, claims)
    return write_atomic(path, lambda tmp: rows.to_csv(tmp, index=False, encoding="utf-8"))


def to_gpkg(events: gpd.GeoDataFrame, claims: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a GeoPackage with layers ``events`` (points, or no geometry) and ``claims`` (attributes only).

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events (EPSG:4326). Not changed.
    claims : DataFrame
        Their claims. Not changed.
    path : str or PathLike
        The file to write.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    GeoError
        The path cannot be written (nothing is written).
    """
    check_target(path)
    _check_frames(events, claims)
    recs = _event_records(events)
    ev = gpd.GeoDataFrame(
        pd.DataFrame.from_records([p for p, _ in recs], columns=_event_columns(events)),
        geometry=gpd.GeoSeries([g for _, g in recs], crs=schema.CRS),
        crs=schema.CRS,
    )
    for col in ev.columns:
        if col != "geometry" and ev[col].map(lambda v: isinstance(v, list)).any():
            ev[col] = ev[col].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v)
    ids = set(ev["event_id"])
    cl = claims[claims["event_id"].isin(ids)].copy() if len(claims) else claims.copy()
    for col in cl.columns:
        if cl[col].dtype == object:
            cl[col] = cl[col].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, tuple)) else v)

    def write(tmp: Path) -> None:
        ev.to_file(tmp, layer="events", driver="GPKG", engine="pyogrio")
        pyogrio = __import__("pyogrio")
        pyogrio.write_dataframe(pd.DataFrame(cl), tmp, layer="claims", driver="GPKG", append=False)

    return write_atomic(path, write)


def _description(props: dict[str, Any], claims: list[dict[str, Any]]) -> str:
    """Plain-text description of an event and its claims, in the current language (ElementTree escapes it)."""
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
    lines.append(caveat() + ".")
    return "\n".join(lines)


def to_kml(
    events: gpd.GeoDataFrame, claims: pd.DataFrame, path: str | os.PathLike[str], *, lang: str | None = None
) -> Path:
    """Write a KML document (opens in Google Earth): one Placemark per event with a point.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events (EPSG:4326). Not changed.
    claims : DataFrame
        Their claims. Not changed.
    path : str or PathLike
        The file to write.
    lang : str, optional
        Language of the descriptions (default: the current one).

    Returns
    -------
    Path
        The written file. Names and descriptions are XML-escaped by
        :mod:`xml.etree.ElementTree`; events without a point are left out.

    Raises
    ------
    GeoError
        The path cannot be written (nothing is written).
    """
    check_target(path)
    _check_frames(events, claims)
    by_event = _claim_records(claims)
    ET.register_namespace("", _KML_NS)
    root = ET.Element(f"{{{_KML_NS}}}kml")
    doc = ET.SubElement(root, f"{{{_KML_NS}}}Document")
    with i18n.using(lang):
        ET.SubElement(doc, f"{{{_KML_NS}}}name").text = t("Conflict events (claims, not verified)")
        descriptions = {
            str(props["event_id"]): _description(props, by_event.get(str(props["event_id"]), []))
            for props, geom in _event_records(events)
            if _point(geom) is not None
        }
    for props, geom in _event_records(events):
        point = _point(geom)
        if point is None:
            continue
        pm = ET.SubElement(doc, f"{{{_KML_NS}}}Placemark", id=str(props["event_id"]))
        ET.SubElement(pm, f"{{{_KML_NS}}}name").text = str(props.get("title") or props["event_id"])
        ET.SubElement(pm, f"{{{_KML_NS}}}description").text = descriptions[str(props["event_id"])]
        if props.get("time_start"):
            ts = ET.SubElement(pm, f"{{{_KML_NS}}}TimeStamp")
            ET.SubElement(ts, f"{{{_KML_NS}}}when").text = str(props["time_start"])
        pt = ET.SubElement(pm, f"{{{_KML_NS}}}Point")
        ET.SubElement(pt, f"{{{_KML_NS}}}coordinates").text = f"{point[0]:.6f},{point[1]:.6f}"
    tree = ET.ElementTree(root)

    def write(tmp: Path) -> None:
        tree.write(tmp, encoding="utf-8", xml_declaration=True)

    return write_atomic(path, write)
