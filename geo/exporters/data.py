"""Data exports of filtered events with their claims and sources: GeoJSON, GeoPackage, CSV and KML.

One shared core (:func:`_event_records`, :func:`_claim_records`) turns the
events and claims into plain records; each writer only serialises them. A
location is never invented: an event without a geometry keeps
``geometry: null`` (GeoJSON), no geometry (GeoPackage), empty ``lon``/``lat``/
``wkt`` (CSV), and is left out of KML, which has no place for it — the
writer's :class:`~geo.exporters._result.ExportResult` counts it in
``left_out`` and its summary says so.

What each format holds:

* **GeoJSON** (RFC 7946): every event with every field, its ``status`` and a
  ``claims`` list (every claim field, figures with their bounds); polygon
  exteriors counter-clockwise. A foreign member ``conflictmap`` marks it as
  this project's export, which :mod:`geo.importers.native` reads back as it was.
* **GeoPackage**: layers ``events`` (points, areas or no geometry) and
  ``claims`` (one row per claim, every claim column); read back the same way.
* **CSV**: one row per claim with its event's fields, ``lon``/``lat`` for a
  point and ``wkt`` for any geometry (points and areas). Text cells that a
  spreadsheet would run as a formula get a leading ``'`` (OWASP); numbers
  stay numbers.
* **KML**: a Placemark per event with a point or an area; names and
  descriptions are HTML-escaped text.

Given the verdicts of :func:`geo.control.check.check_claims` (``verdicts=``)
and the aggregate claims of :func:`geo.control.check.aggregate_claims`
(``aggregates=``), GeoJSON, GeoPackage and CSV give every claim two more
fields (:data:`ASSESSMENT_COLUMNS`): ``assessment``, the sentences of every
assessor (each naming the assessor and saying it is not ground truth, joined
by " | "), and ``assessment_verdict``, the same machine-readable:
``{assessor: {"verdict", "as_of", "latest_day", "distance_m", "change":
{…}}}`` (an object in GeoJSON, JSON text in GeoPackage and CSV). The
importer of this project's exports (:mod:`geo.importers.native`) ignores
them: verdicts are derived, never read back.

Text with characters a file cannot carry (control characters, NUL, lone
surrogates) is written with U+FFFD in their place, in every format, and
counted (``replaced``); every export is well-formed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import i18n, schema
from geo.errors import GeoError
from geo.exporters import _kml
from geo.exporters._cells import clean_text, neutralise
from geo.exporters._files import check_target, write_atomic
from geo.exporters._result import LEFT_OUT, ExportResult
from geo.i18n import t

__all__ = [
    "ASSESSMENT_CAVEAT",
    "ASSESSMENT_COLUMNS",
    "CAVEAT",
    "FORMATS",
    "LEFT_OUT",
    "NATIVE_MEMBER",
    "NATIVE_VERSION",
    "ExportResult",
    "caveat",
    "check_target",
    "to_csv",
    "to_geojson",
    "to_gpkg",
    "to_kml",
    "write_atomic",
]

FORMATS: Final = ("geojson", "gpkg", "csv", "kml")
CAVEAT: Final = "Claims by parties to the war, not independently verified"
"""The caveat every export a reader reads carries (English; :func:`caveat` gives it in the current language)."""
ASSESSMENT_COLUMNS: Final = ("assessment", "assessment_verdict")
"""The fields a claim gets when verdicts are given (after its own)."""
ASSESSMENT_CAVEAT: Final = "Assessments of control are each assessor's own, published with a lag; not ground truth"
"""Said in the GeoJSON marker when verdicts are given (English, like the data)."""
NATIVE_MEMBER: Final = "conflictmap"
"""The GeoJSON export's top-level member marking it as this project's own (:data:`geo.importers.native.MEMBER`)."""
NATIVE_VERSION: Final = 1
"""Version of the export layout (:data:`geo.importers.native.VERSION`, which reads it)."""
_CLAIM_FIELDS: Final = tuple(
    c
    for c in schema.CLAIM_COLUMN_NAMES
    if c != "event_id" and c not in schema.CLAIM_FIGURES and not c.endswith("_bound")
)
"""Every claim column but its event and the figures (which go in a ``figures`` list), in schema order."""


def caveat() -> str:
    """The caveat, in the current language: claims by parties are not independently verified.

    Returns
    -------
    str
        Plain text (no final stop).
    """
    return t("Claims by parties to the war, not independently verified")


class _Texts:
    """Plain, JSON-safe values with their text cleaned of what a file cannot carry; counts the texts cleaned."""

    def __init__(self) -> None:
        self.replaced = 0

    def text(self, value: str) -> str:
        cleaned, changed = clean_text(value)
        self.replaced += changed
        return cleaned

    def plain(self, value: object) -> Any:
        """None for missing, ISO text for times, int for whole floats, cleaned text."""
        if value is None:
            return None
        if isinstance(value, (list, tuple)):
            return [self.plain(v) for v in value]
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
        if isinstance(value, str):
            return self.text(value)
        return value


# --- shared core -----------------------------------------------------------------------------------------------

Assessed = dict[str, tuple[str, dict[str, Any]]]
"""Claim id → (the sentences of every assessor, the machine-readable verdicts per assessor)."""
_CHANGE_FIELDS: Final = (
    "period_from", "period_to", "day_from", "day_to", "gained_km2", "lost_km2", "net_km2",
    "settlements_gained", "settlements_lost",
)  # fmt: skip


def _assessed(verdicts: pd.DataFrame | None, aggregates: pd.DataFrame | None, texts: _Texts) -> Assessed | None:
    """Per claim id its assessment fields (None when no verdicts were given: the export has no such fields)."""
    if verdicts is None and aggregates is None:
        return None
    sentences: dict[str, list[str]] = {}
    machine: dict[str, dict[str, dict[str, Any]]] = {}
    for row in (verdicts if verdicts is not None else pd.DataFrame()).to_dict("records"):
        key, who = str(row["claim_id"]), str(row["assessor"])
        sentences.setdefault(key, []).append(texts.plain(row.get("text")) or "")
        machine.setdefault(key, {}).setdefault(who, {}).update(
            {k: texts.plain(row.get(k)) for k in ("verdict", "as_of", "latest_day", "distance_m")}
        )
    for row in (aggregates if aggregates is not None else pd.DataFrame()).to_dict("records"):
        key, who = str(row["claim_id"]), str(row["assessor"])
        sentences.setdefault(key, []).append(texts.plain(row.get("text")) or "")
        change = {k: texts.plain(row.get(k)) for k in _CHANGE_FIELDS}
        machine.setdefault(key, {}).setdefault(who, {})["change"] = change
    return {k: (" | ".join(s for s in sentences[k] if s), machine[k]) for k in sentences}


def _assessment_fields(assessed: Assessed | None, claim_id: object, *, as_json: bool) -> dict[str, Any]:
    """``assessment`` and ``assessment_verdict`` of one claim (empty when verdicts were not given)."""
    if assessed is None:
        return {}
    found = assessed.get(str(claim_id))
    if found is None:
        return dict.fromkeys(ASSESSMENT_COLUMNS)
    text, verdict = found
    return {"assessment": text, "assessment_verdict": json.dumps(verdict, ensure_ascii=False) if as_json else verdict}


def _figures(row: dict[str, Any], texts: _Texts) -> list[dict[str, Any]]:
    out = []
    for name in schema.CLAIM_FIGURES:
        value = texts.plain(row.get(name))
        if value is not None:
            out.append({"name": name, "value": value, "bound": texts.plain(row.get(f"{name}_bound")) or "exact"})
    return out


def _claim_records(
    claims: pd.DataFrame, texts: _Texts, assessed: Assessed | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Claims grouped per event id, oldest first, each with every claim field, a ``figures`` list, and its
    assessment fields when verdicts were given."""
    by_event: dict[str, list[dict[str, Any]]] = {}
    if claims.empty:
        return by_event
    ordered = claims.sort_values(["event_id", "stated_at", "claim_id"], kind="stable")
    for row in ordered.to_dict("records"):
        rec = {k: texts.plain(row.get(k)) for k in _CLAIM_FIELDS}
        rec["figures"] = _figures(row, texts)
        rec |= _assessment_fields(assessed, row.get("claim_id"), as_json=False)
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


def _geometries(events: pd.DataFrame) -> np.ndarray:
    """The events' geometries, None where missing or empty, polygon exteriors counter-clockwise (RFC 7946)."""
    if not isinstance(events, gpd.GeoDataFrame):
        return np.full(len(events), None, dtype=object)
    geoms = np.asarray(events.geometry.to_numpy(), dtype=object)
    present = ~pd.isna(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    out = np.full(len(geoms), None, dtype=object)
    out[present] = shapely.orient_polygons(geoms[present], exterior_cw=False)
    return out


def _event_records(events: gpd.GeoDataFrame, texts: _Texts) -> list[tuple[dict[str, Any], shapely.Geometry | None]]:
    """(properties, geometry) per event: plain values, geometry oriented (None when missing or empty)."""
    cols = _event_columns(events)
    return [
        ({c: texts.plain(row[c]) for c in cols}, geom)
        for row, geom in zip(events[cols].to_dict("records"), _geometries(events), strict=True)
    ]


def _check_frames(events: pd.DataFrame, claims: pd.DataFrame) -> None:
    for name, frame, col in (("events", events, "event_id"), ("claims", claims, "event_id")):
        if col not in frame.columns:
            raise GeoError(f"the {name} have no {col!r} column")


def _claims_of(events: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """The claims about the given events (an export holds no others)."""
    if not len(claims):
        return claims
    return claims[claims["event_id"].astype(str).isin(set(events["event_id"].astype(str)))]


# --- writers ---------------------------------------------------------------------------------------------------


def to_geojson(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    verdicts: pd.DataFrame | None = None,
    aggregates: pd.DataFrame | None = None,
) -> ExportResult:
    """Write the events as a GeoJSON FeatureCollection (RFC 7946), each with its claims.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events (EPSG:4326). Not changed.
    claims : DataFrame
        Their claims. Not changed.
    path : str or PathLike
        The file to write.
    verdicts : DataFrame, optional
        Verdicts of the claims (:func:`geo.control.check.check_claims`): each
        claim gets the fields of :data:`ASSESSMENT_COLUMNS`.
    aggregates : DataFrame, optional
        Claims with figures beside the assessed change
        (:func:`geo.control.check.aggregate_claims`), in the same fields.

    Returns
    -------
    ExportResult
        The written file. Features have the event's fields, ``status`` and a
        ``claims`` list (every claim field; figures as ``{name, value,
        bound}``); events without a geometry have ``geometry: null``; polygon
        exteriors run counter-clockwise. Nothing is left out: it imports back
        as it was (:mod:`geo.importers.native`).

    Raises
    ------
    GeoError
        The path cannot be written (nothing is written).
    """
    check_target(path)
    _check_frames(events, claims)
    texts = _Texts()
    claims = _claims_of(events, claims)
    assessed = _assessed(verdicts, aggregates, texts)
    by_event = _claim_records(claims, texts, assessed)
    features = []
    for props, geom in _event_records(events, texts):
        props = props | {"claims": by_event.get(str(props["event_id"]), [])}
        geometry = shapely.geometry.mapping(geom) if geom is not None else None
        features.append({"type": "Feature", "id": props["event_id"], "properties": props, "geometry": geometry})
    marker = {"export": "events with claims", "version": NATIVE_VERSION, "caveat": CAVEAT}
    if assessed is not None:
        marker["assessment"] = ASSESSMENT_CAVEAT
    doc = {"type": "FeatureCollection", NATIVE_MEMBER: marker, "features": features}

    def write(tmp: Path) -> None:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")

    write_atomic(path, write)
    n_claims = sum(len(f["properties"]["claims"]) for f in features)
    return ExportResult.made(
        path, "geojson", events=len(events), claims=len(claims), written=len(features), claims_written=n_claims,
        replaced=texts.replaced,
    )  # fmt: skip


def _claim_rows(
    events: gpd.GeoDataFrame, claims: pd.DataFrame, texts: _Texts, assessed: Assessed | None = None
) -> tuple[pd.DataFrame, set[str]]:
    """One row per claim: its event's fields (prefixed ``event_``), lon/lat, wkt, the claim's fields, then its
    assessment fields when verdicts were given."""
    records = []
    events_by_id = {str(props["event_id"]): (props, geom) for props, geom in _event_records(events, texts)}
    event_cols = [f"event_{c}" if not c.startswith("event_") else c for c in _event_columns(events)]
    claim_cols = [f"claim_{k}" if not k.startswith("claim_") else k for k in claims.columns if k != "event_id"]
    ordered = claims.sort_values(["event_id", "stated_at", "claim_id"], kind="stable") if len(claims) else claims
    extra = list(ASSESSMENT_COLUMNS) if assessed is not None else []
    seen: set[str] = set()
    for row in ordered.to_dict("records"):
        found = events_by_id.get(str(row["event_id"]))
        if found is None:
            continue
        props, geom = found
        seen.add(str(row["event_id"]))
        rec: dict[str, Any] = {f"event_{k}" if not k.startswith("event_") else k: v for k, v in props.items()}
        point = _point(geom)
        rec["lon"], rec["lat"] = point if point else (None, None)
        rec["wkt"] = shapely.to_wkt(geom, rounding_precision=-1) if geom is not None else None
        for k in claims.columns:
            if k != "event_id":
                rec[f"claim_{k}" if not k.startswith("claim_") else k] = texts.plain(row[k])
        rec |= _assessment_fields(assessed, row.get("claim_id"), as_json=True)
        records.append({k: neutralise(v) if isinstance(v, str) else v for k, v in rec.items()})
    return pd.DataFrame.from_records(records, columns=[*event_cols, "lon", "lat", "wkt", *claim_cols, *extra]), seen


def to_csv(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    verdicts: pd.DataFrame | None = None,
    aggregates: pd.DataFrame | None = None,
) -> ExportResult:
    """Write one CSV row per claim, with its event's fields and its geometry as lon/lat (points) and WKT.

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events. Not changed.
    claims : DataFrame
        Their claims. Not changed.
    path : str or PathLike
        The file to write (UTF-8).
    verdicts : DataFrame, optional
        Verdicts of the claims (:func:`geo.control.check.check_claims`): each
        claim gets the fields of :data:`ASSESSMENT_COLUMNS`.
    aggregates : DataFrame, optional
        Claims with figures beside the assessed change
        (:func:`geo.control.check.aggregate_claims`), in the same fields.

    Returns
    -------
    ExportResult
        The written file. ``lon``/``lat`` are filled for points, ``wkt``
        for every geometry (points and areas); both stay empty for events
        known only to a region or country. A text cell starting with ``=``,
        ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
        so spreadsheets show it as text (numbers stay numbers). An event
        without a claim has no row (``left_out["no_claims"]``).

    Raises
    ------
    GeoError
        The path cannot be written (nothing is written).
    """
    check_target(path)
    _check_frames(events, claims)
    texts = _Texts()
    claims = _claims_of(events, claims)
    rows, seen = _claim_rows(events, claims, texts, _assessed(verdicts, aggregates, texts))
    # CRLF rows (RFC 4180): a cell holding a carriage return or a line break is quoted, so it stays one cell
    write_atomic(path, lambda tmp: rows.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\r\n"))
    return ExportResult.made(
        path, "csv", events=len(events), claims=len(claims), written=len(seen), claims_written=len(rows),
        left_out={"no_claims": len(events) - len(seen)}, replaced=texts.replaced,
    )  # fmt: skip


def _gpkg_frame(frame: pd.DataFrame, texts: _Texts) -> pd.DataFrame:
    """A copy whose text columns are plain cleaned Python text (lists as JSON); numbers and times as they are."""
    out = frame.copy()
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    for col in out.columns:
        values = out[col]
        if col == geometry or not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        plain = [texts.plain(v) for v in values.astype(object)]
        out[col] = pd.Series(
            [json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for v in plain], index=out.index,
            dtype=object,
        )  # fmt: skip
    return out


def to_gpkg(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    verdicts: pd.DataFrame | None = None,
    aggregates: pd.DataFrame | None = None,
) -> ExportResult:
    """Write a GeoPackage with layers ``events`` (points, areas or no geometry) and ``claims`` (attributes only).

    Parameters
    ----------
    events : GeoDataFrame
        Folded, filtered events (EPSG:4326). Not changed.
    claims : DataFrame
        Their claims. Not changed.
    path : str or PathLike
        The file to write.
    verdicts : DataFrame, optional
        Verdicts of the claims (:func:`geo.control.check.check_claims`): each
        claim gets the fields of :data:`ASSESSMENT_COLUMNS`.
    aggregates : DataFrame, optional
        Claims with figures beside the assessed change
        (:func:`geo.control.check.aggregate_claims`), in the same fields.

    Returns
    -------
    ExportResult
        The written file. Nothing is left out: it imports back as it was
        (:mod:`geo.importers.native`).

    Raises
    ------
    GeoError
        The path cannot be written, or GDAL could not write it (nothing is written).
    """
    import pyogrio

    check_target(path)
    _check_frames(events, claims)
    texts = _Texts()
    claims = _claims_of(events, claims)
    attrs = _gpkg_frame(pd.DataFrame(events[_event_columns(events)]), texts)
    ev = gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(_geometries(events), index=attrs.index), crs=schema.CRS)
    cl = _gpkg_frame(pd.DataFrame(claims), texts)
    assessed = _assessed(verdicts, aggregates, texts)
    if assessed is not None:
        fields = [_assessment_fields(assessed, c, as_json=True) for c in claims["claim_id"]]
        for col in ASSESSMENT_COLUMNS:
            cl[col] = pd.Series([f[col] for f in fields], index=cl.index, dtype=object)

    def write(tmp: Path) -> None:
        try:
            pyogrio.write_dataframe(ev, tmp, layer="events", driver="GPKG")
            pyogrio.write_dataframe(cl, tmp, layer="claims", driver="GPKG", append=False)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise GeoError(f"could not write the GeoPackage {str(path)!r}: {first}; nothing was written") from None

    write_atomic(path, write)
    return ExportResult.made(
        path, "gpkg", events=len(events), claims=len(claims), written=len(ev), claims_written=len(cl),
        replaced=texts.replaced,
    )  # fmt: skip


def to_kml(
    events: gpd.GeoDataFrame, claims: pd.DataFrame, path: str | os.PathLike[str], *, lang: str | None = None
) -> ExportResult:
    """Write a KML document (opens in Google Earth): one Placemark per event with a point or an area.

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
    ExportResult
        The written file. Names and descriptions are HTML-escaped text
        (markup in the data shows as text in viewers that render HTML), then
        XML-escaped. Events known only to a region or country have no point
        or area to place and are left out: ``left_out["no_geometry"]``
        counts them, and the document's own description says so.

    Raises
    ------
    GeoError
        The path cannot be written (nothing is written).
    """
    check_target(path)
    _check_frames(events, claims)
    texts = _Texts()
    claims = _claims_of(events, claims)
    by_event = _claim_records(claims, texts)
    records = _event_records(events, texts)
    placed = [(props, geom) for props, geom in records if geom is not None]
    with i18n.using(lang):
        said = caveat()
        descriptions = {
            str(p["event_id"]): _kml.description(p, by_event.get(str(p["event_id"]), []), said) for p, _ in placed
        }
        tree = _kml.document(placed, descriptions, left_out=len(records) - len(placed), caveat=said)

    def write(tmp: Path) -> None:
        tree.write(tmp, encoding="utf-8", xml_declaration=True)

    write_atomic(path, write)
    return ExportResult.made(
        path, "kml", events=len(events), claims=len(claims), written=len(placed),
        claims_written=sum(len(by_event.get(str(p["event_id"]), [])) for p, _ in placed),
        left_out={"no_geometry": len(records) - len(placed)}, replaced=texts.replaced,
    )  # fmt: skip
