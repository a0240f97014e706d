"""The project's own GeoJSON and GeoPackage exports import back as they were, with no mapping (issue 12, item 14).

The bundled seed and a synthetic set (plus a few events in the shapes the synthetic generator does not make:
areas drawn clockwise with a hole, an area over two regions, region-level events over several regions, talks with
their venue and parties, a disputed capture, every kind of bound) are exported, imported into a fresh store with
``python -m geo import`` and compared column by column with what was exported.
"""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from geo import schema
from geo.claims import fold
from geo.cli import main
from geo.exporters import export
from geo.importers import read_file, sniff_format
from geo.seed import load_seed
from geo.store import open_store
from geo.synthetic import generate
from geo.validate import validate

TODAY = dt.date(2026, 11, 1)
_CLOCKWISE = [(35.0, 47.3), (35.0, 47.7), (35.6, 47.7), (35.6, 47.3), (35.0, 47.3)]  # Zaporizhzhia oblast
_HOLE = [(35.2, 47.4), (35.4, 47.4), (35.4, 47.6), (35.2, 47.6), (35.2, 47.4)]


def _edge_events() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Events of the shapes the synthetic generator does not make, validated, in dataset ``synthetic``."""
    common = {"dataset": schema.SYNTHETIC, "time_precision": "day"}
    rows = [
        {"event_id": "edge-area", "layer": "capture", "place": "Area south of Huliaipole", "admin1": "UA-23",
         "geo_precision": "exact", "time_start": "2026-02-10", "time_end": "2026-02-12", "side": "RU",
         "axis": "Zaporizhzhia axis", "title": "Claimed advance, drawn clockwise with a hole",
         "place_alt": "Гуляйполе;Gulyaypole"},
        {"event_id": "edge-two-regions", "layer": "capture", "place": "Front between two oblasts",
         "admin1": "UA-14;UA-23", "geo_precision": "exact", "time_start": "2026-02-11", "time_end": "2026-02-11",
         "side": "RU", "title": "Area over two regions"},
        {"event_id": "edge-regions", "layer": "strike", "place": "Bryansk and Kursk oblasts", "admin1": "RU-BRY;RU-KRS",
         "geo_precision": "admin1", "time_start": "2026-02-14", "time_end": "2026-02-15", "weapon": "drone",
         "target_type": "energy", "title": "Drones over two Russian regions"},
        {"event_id": "edge-outage", "layer": "impact", "place": "Kharkiv", "admin1": "UA-63", "geo_precision": "admin1",
         "time_start": "2026-02-13", "time_end": "2026-02-16", "impact_type": "power;heating",
         "time_precision": "week", "title": "Outage of power and heating"},
        {"event_id": "edge-talks", "layer": "talks", "place": "Geneva", "venue": "Geneva, Switzerland",
         "geo_precision": "exact", "time_start": "2026-02-17", "time_end": "2026-02-18", "talks_parties": "UA;RU;US",
         "talks_format": "trilateral, US-brokered", "title": "Talks in Geneva, round 3"},
    ]  # fmt: skip
    geoms = [
        Polygon(_CLOCKWISE, [_HOLE]),
        MultiPolygon([Polygon(_CLOCKWISE), Polygon([(37.6, 47.9), (37.6, 48.1), (37.9, 48.1), (37.9, 47.9)])]),
        None,
        None,
        Point(6.1432, 46.2044),
    ]
    events = gpd.GeoDataFrame(pd.DataFrame([common | r for r in rows]), geometry=geoms, crs=schema.CRS)
    src = {"source_title": "Statement", "source_url": "https://example.org/s", "publisher": "Example",
           "language": "en"}  # fmt: skip
    claims = pd.DataFrame(
        [
            src | {"claim_id": "edge-area-1", "event_id": "edge-area", "claimant": "Russian MoD", "party": "RU",
                   "stated_at": "2026-02-12T09:30", "stated_precision": "minute", "stance": "asserts",
                   "area_km2": 120.5, "area_km2_bound": "about", "settlements": 2.0, "text": "Advance; two villages",
                   "other_sources": "https://example.org/a;https://example.org/b"},
            src | {"claim_id": "edge-area-2", "event_id": "edge-area", "claimant": "General Staff of Ukraine",
                   "party": "UA", "stated_at": "2026-02-12T18:00", "stance": "denies", "language": "uk"},
            src | {"claim_id": "edge-two-1", "event_id": "edge-two-regions", "claimant": "Russian MoD", "party": "RU",
                   "stated_at": "2026-02-11", "stated_precision": "day", "stance": "asserts", "settlements": 1.0,
                   "settlements_bound": "at_least"},
            src | {"claim_id": "edge-regions-1", "event_id": "edge-regions", "claimant": "Russian MoD", "party": "RU",
                   "stated_at": "2026-02-15T07:00", "stance": "asserts", "intercepted": 170.0,
                   "intercepted_bound": "at_least"},
            src | {"claim_id": "edge-regions-2", "event_id": "edge-regions", "claimant": "Russian MoD", "party": "RU",
                   "stated_at": "2026-02-15T19:00", "stance": "revises", "intercepted": 229.0,
                   "launched": 300.0, "launched_bound": "at_most"},
            src | {"claim_id": "edge-outage-1", "event_id": "edge-outage", "claimant": "Kharkiv OVA", "party": "UA",
                   "stated_at": "2026-02-13", "stated_precision": "week", "stance": "asserts",
                   "people_affected": 50000.0, "duration_h": 36.0, "duration_h_bound": "about"},
            src | {"claim_id": "edge-talks-1", "event_id": "edge-talks", "claimant": "Swiss FDFA",
                   "party": "independent", "stated_at": "2026-02-16", "stance": "asserts", "round": 3.0},
        ]
    )  # fmt: skip
    return validate(events, claims, context="edge events", today=TODAY)


@pytest.fixture(scope="module")
def seed_set() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    return load_seed()


@pytest.fixture(scope="module")
def synthetic_set() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claims = generate(300, seed=12)
    edge_events, edge_claims = _edge_events()
    both = pd.concat([events, edge_events], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=schema.CRS), pd.concat([claims, edge_claims])


def _plain(values: pd.Series) -> list:
    """Comparable Python values: missing → None, times as Timestamps, numbers as floats."""
    out = []
    for v in values.astype(object):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out.append(None)
        elif isinstance(v, (pd.Timestamp, dt.date, np.datetime64)):
            out.append(pd.Timestamp(v))
        elif isinstance(v, (int, float, np.number)):
            out.append(float(v))
        else:
            out.append(v)
    return out


def _same_geometry(a: object, b: object) -> bool:
    """Both missing, or the same shape with the same coordinates (ring orientation and start may differ)."""
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))
    return shapely.normalize(a).equals_exact(shapely.normalize(b), tolerance=0)


def _compare(original: tuple[gpd.GeoDataFrame, pd.DataFrame], back: tuple[gpd.GeoDataFrame, pd.DataFrame]) -> None:
    """Every event and claim column equal, and the derived status the same."""
    ev0, cl0 = original
    ev1, cl1 = back
    ev0, ev1 = (e.sort_values("event_id").reset_index(drop=True) for e in (ev0, ev1))
    cl0, cl1 = (c.sort_values("claim_id").reset_index(drop=True) for c in (cl0, cl1))
    assert ev1["event_id"].tolist() == ev0["event_id"].tolist()
    assert cl1["claim_id"].tolist() == cl0["claim_id"].tolist()
    for col in schema.EVENT_COLUMN_NAMES:
        assert _plain(ev1[col]) == _plain(ev0[col]), col
    differ = [i for i, (a, b) in enumerate(zip(ev0.geometry, ev1.geometry, strict=True)) if not _same_geometry(a, b)]
    assert differ == [], ev0.loc[differ, "event_id"].tolist()
    for col in schema.CLAIM_COLUMN_NAMES:
        assert _plain(cl1[col]) == _plain(cl0[col]), col
    status0 = fold(ev0, cl0).set_index("event_id")["status"]
    status1 = fold(ev1, cl1).set_index("event_id")["status"]  # derived again from the imported claims
    assert status1.to_dict() == status0.to_dict()


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("which", ["seed_set", "synthetic_set"])
@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_export_imports_back_as_it_was(request, capsys, tmp_path, which, fmt):
    events, claims = request.getfixturevalue(which)
    folded = fold(events, claims)
    assert (folded["status"] == "disputed").any() and events["admin1"].str.contains(";", na=False).any()
    exported = export(fmt, folded, claims, None, tmp_path / f"export.{fmt}")
    assert exported.written == len(events) and exported.left_out == {}
    assert sniff_format(exported) == "native"

    store_path = tmp_path / "fresh.gpkg"
    code, out, err = _run(capsys, "import", str(exported), "--store", str(store_path), "--json")  # no mapping
    assert code == 0, err
    report = json.loads(out)
    assert report["format"] == "native" and report["rejected_rows"] == 0 and report["skipped"] == {}
    assert report["events"] == len(events) and report["claims"] == len(claims)
    dataset = events["dataset"].iloc[0]
    assert report["dataset"] == dataset  # the dataset it was exported from
    store = open_store(store_path, create=False, seed=False)
    _compare((events, claims), (store.read_events(), store.read_claims()))

    code, out, err = _run(capsys, "import", str(exported), "--store", str(store_path), "--json")
    assert code == 0, err
    written = json.loads(out)["written"]
    assert written["unchanged_events"] == len(events) and written["unchanged_claims"] == len(claims)
    assert written["inserted_events"] == written["updated_events"] == written["inserted_claims"] == 0
    assert store.count() == len(events)


def test_geojson_asked_for_by_name_is_read_as_the_export(seed_set, tmp_path):
    events, claims = seed_set
    path = export("geojson", fold(events, claims), claims, None, tmp_path / "feb.geojson")
    for fmt in ("geojson", "native"):
        result = read_file(path, format=fmt, today=TODAY)
        assert result.format == "native" and len(result.claims) == len(claims), fmt


def test_export_made_before_the_marker_is_recognised(seed_set, tmp_path):
    events, claims = seed_set
    path = export("geojson", fold(events, claims), claims, None, tmp_path / "old.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.pop("conflictmap")
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert sniff_format(path) == "native"
    assert len(read_file(path, today=TODAY).claims) == len(claims)


def test_a_broken_feature_is_rejected_by_number_and_the_rest_lands(seed_set, tmp_path):
    events, claims = seed_set
    path = export("geojson", fold(events, claims), claims, None, tmp_path / "edited.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    with_point = next(i for i, f in enumerate(doc["features"]) if f["geometry"])
    doc["features"][with_point]["geometry"]["coordinates"] = ["36.2", "49.9"]  # strings, not numbers
    doc["features"][with_point + 1]["properties"]["claims"][0]["figures"] = [{"name": "bogus", "value": 1}]
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = read_file(path, today=TODAY)
    assert result.rejected_rows == [with_point + 1, with_point + 2]
    assert [p.column for p in result.rejected] == ["geometry", "claims"]
    assert len(result.events) == len(events) - 2


def test_status_is_derived_from_the_claims_not_copied(seed_set, tmp_path):
    events, claims = seed_set
    path = export("geojson", fold(events, claims), claims, None, tmp_path / "status.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    feature = next(f for f in doc["features"] if f["properties"]["status"] == "disputed")
    feature["properties"]["status"] = "confirmed"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = read_file(path, today=TODAY)
    assert fold(result.events, result.claims).set_index("event_id").loc[feature["id"], "status"] == "disputed"
    assert any(f"{feature['id']} (confirmed → disputed)" in note for note in result.notes)


def test_an_export_of_several_datasets_lands_as_one_and_says_so(seed_set, synthetic_set, tmp_path):
    (e1, c1), (e2, c2) = seed_set, synthetic_set
    events = gpd.GeoDataFrame(pd.concat([e1, e2.iloc[:5]], ignore_index=True), geometry="geometry", crs=schema.CRS)
    claims = pd.concat([c1, c2[c2["event_id"].isin(e2["event_id"].iloc[:5])]])
    path = export("gpkg", fold(events, claims), claims, None, tmp_path / "mixed.gpkg")
    result = read_file(path, today=TODAY)
    assert result.dataset == "mixed" and set(result.events["dataset"]) == {"mixed"}
    assert any("several datasets: 'feb-2026' (31), 'synthetic' (5)" in note for note in result.notes)
    named = read_file(path, dataset="mine", today=TODAY)
    assert named.dataset == "mine" and len(named.claims) == len(claims)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"type": "FeatureCollection", "conflictmap": {"version": 99}, "features": [{}]}', "newer version"),
        ('{"type": "FeatureCollection", "conflictmap": {"version": 1}, "features": ' + "[" * 100_000, "nested too"),
        ('{"type": "FeatureCollection", "conflictmap": {"version": 1}, "features": []}', "holds no features"),
    ],
)
def test_a_broken_export_is_one_line(tmp_path, text, message):
    from geo.errors import GeoError

    path = tmp_path / "broken.geojson"
    path.write_text(text, encoding="utf-8")
    assert sniff_format(path) == "native"
    with pytest.raises(GeoError, match=message) as err:
        read_file(path, today=TODAY)
    assert "\n" not in str(err.value)
