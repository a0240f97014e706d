"""The GeoPackage store: layout, round trips, upserts, filters, transactions, errors."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo import schema, settings
from geo.errors import GeoError, NotFoundError, ValidationError
from geo.store import Store, WriteResult, open_store
from geo.store import gpkg as gpkg_module
from geo.store.gpkg import GeoPackageStore
from geo.validate import validate

ROOT = Path(__file__).resolve().parents[1]

# Points well inside their regions: Pokrovsk (UA-14), Zaporizhzhia (UA-23), Kursk (RU-KRS).
POKROVSK = shapely.Point(37.18, 48.28)
ZAPORIZHZHIA = shapely.Point(35.14, 47.84)
KURSK = shapely.Point(36.19, 51.73)


def _events() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "event_id": ["t-cap-1", "t-str-1", "t-imp-1", "t-cap-2"],
            "layer": ["capture", "strike", "impact", "capture"],
            "place": ["Pokrovsk", "Kursk", None, "Zaporizhzhia area"],
            "admin1": [None, None, "UA-23", None],
            "geo_precision": ["exact", "near", "admin1", "near"],
            "time_start": ["2026-02-01", "2026-02-03", "2026-02-05", "2026-02-10"],
            "time_end": ["2026-02-01", "2026-02-03", "2026-02-12", "2026-02-16"],
            "time_precision": ["day", "day", "week", "week"],
            "title": ["Capture of Pokrovsk", "Drone strike on Kursk", "Outage in Zaporizhzhia", "Area claim"],
            "side": ["RU", None, None, "RU"],
            "weapon": [None, "drone", None, None],
            "target_type": [None, "energy", None, None],
            "impact_type": [None, None, "power;heating", None],
        },
        geometry=[POKROVSK, KURSK, None, ZAPORIZHZHIA.buffer(0.05)],
        crs=schema.CRS,
    )


def _claims() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "event_id": ["t-cap-1", "t-cap-1", "t-str-1", "t-str-1", "t-imp-1", "t-cap-2"],
            "claimant": [
                "Russian MoD",
                "Ukrainian General Staff",
                "Russian MoD",
                "Russian MoD",
                "Governor",
                "MoD",
            ],
            "party": ["RU", "UA", "RU", "RU", "UA", "RU"],
            "stated_at": [
                "2026-02-01 12:00",
                "2026-02-01 18:30",
                "2026-02-03T08:00",
                "2026-02-03T20:15:30.250",
                "2026-02-05",
                "2026-02-16",
            ],
            "stance": ["asserts", "denies", "asserts", "revises", "asserts", "asserts"],
            "intercepted": [None, None, 41, 45, None, None],
            "intercepted_bound": [None, None, None, "at_least", None, None],
            "people_affected": [None, None, None, None, 120_000, None],
            "people_affected_bound": [None, None, None, None, "about", None],
            "area_km2": [None, None, None, None, None, 12.5],
            "publisher": ["TASS", "Ukrinform", "TASS", "TASS", "Suspilne", "RIA"],
            "source_url": [None, "https://example.org/a", None, None, None, None],
        }
    )


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes()


def _table_rows(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}
    finally:
        con.close()


def _assert_frames_equal(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal values and dtypes; missing text may be None or NaN on either side."""
    assert list(left.columns) == list(right.columns)
    for col in left.columns:
        a, b = left[col], right[col]
        if isinstance(a.dtype, gpd.array.GeometryDtype):
            assert a.geom_equals_exact(b, tolerance=0).fillna(False).add(a.isna() & b.isna()).all(), col
            continue
        assert a.dtype == b.dtype, (col, a.dtype, b.dtype)
        same = (a == b).fillna(False) | (a.isna() & b.isna())
        assert same.all(), (col, a[~same].tolist(), b[~same].tolist())


@pytest.fixture
def filled_store(tmp_store) -> GeoPackageStore:
    tmp_store.write(_events(), _claims(), dataset="test", description="hand-made", source="tests")
    return tmp_store


# -- layout ----------------------------------------------------------------------------------------


def test_new_store_is_a_geopackage_with_the_schema(tmp_store):
    assert isinstance(tmp_store, Store)
    con = sqlite3.connect(tmp_store.path)
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        assert contents == {
            "events": "features",
            "claims": "attributes",
            "datasets": "attributes",
            "meta": "attributes",
        }
        assert con.execute("SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns").fetchall() == [
            ("geometry", "GEOMETRY", 4326)
        ]
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
        types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(events)")}
        claim_types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(claims)")}
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        con.close()
    assert types["time_start"] == "DATE" and types["event_id"] == "TEXT" and types["geometry"] == "GEOMETRY"
    assert [c for c in types if c not in ("fid", "geometry")] == list(schema.EVENT_COLUMN_NAMES)
    assert [c for c in claim_types if c != "fid"] == list(schema.CLAIM_COLUMN_NAMES)
    assert claim_types["stated_at"] == "DATETIME" and claim_types["launched"] == "REAL"
    layers = dict(pyogrio.list_layers(tmp_store.path))
    assert layers == {"events": "Unknown", "claims": None, "datasets": None, "meta": None}
    assert tmp_store.is_empty() and tmp_store.count() == 0
    assert list(tmp_store.datasets().columns) == [
        "name",
        "kind",
        "description",
        "source",
        "created_at",
        "updated_at",
        "events",
        "claims",
    ]


def test_empty_store_reads_typed_empty_frames(tmp_store):
    events = tmp_store.read_events()
    claims = tmp_store.read_claims()
    assert len(events) == 0 and events.crs == schema.CRS
    assert list(events.columns) == [*schema.EVENT_COLUMN_NAMES, "geometry"]
    assert events["time_start"].dtype == "datetime64[ms]" and events["event_id"].dtype == object
    assert list(claims.columns) == list(schema.CLAIM_COLUMN_NAMES)
    assert claims["stated_at"].dtype == "datetime64[ms]" and claims["launched"].dtype == float


# -- round trip ------------------------------------------------------------------------------------


def test_round_trip_matches_validate(filled_store):
    expected_events, expected_claims = validate(_events().assign(dataset="test"), _claims())
    events = filled_store.read_events()
    claims = filled_store.read_claims()
    _assert_frames_equal(events, expected_events)
    _assert_frames_equal(claims, expected_claims)
    assert events.crs == schema.CRS
    assert events.geometry.isna().sum() == 1
    assert set(events.geom_type.dropna()) == {"Point", "Polygon"}
    assert claims.loc[claims.claim_id == "c4", "stated_at"].iloc[0] == pd.Timestamp("2026-02-03 20:15:30.250")


def test_gdal_reads_the_geometry_blobs(filled_store):
    gdal = pyogrio.read_dataframe(filled_store.path, layer="events")
    ours = filled_store.read_events()
    assert gdal["event_id"].tolist() == ours["event_id"].tolist()
    assert gdal.geometry.geom_equals_exact(ours.geometry, tolerance=0).fillna(False).sum() == 3
    info = pyogrio.read_info(filled_store.path, layer="events", force_feature_count=True, force_total_bounds=True)
    assert info["features"] == 4
    assert info["total_bounds"] == pytest.approx(ours.total_bounds)
    con = sqlite3.connect(filled_store.path)
    try:
        extent = con.execute(
            "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'events'"
        ).fetchone()
        counts = dict(con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents"))
    finally:
        con.close()
    assert extent == pytest.approx(tuple(ours.total_bounds))
    assert counts["events"] == 4 and counts["claims"] == 6


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo (gdal-bin) is not installed")
def test_ogrinfo_opens_the_store(filled_store):
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(filled_store.path), "events"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Feature Count: 4" in out
    assert "Geometry Column = geometry" in out


def test_caller_frames_are_not_modified(tmp_store):
    events, claims = _events(), _claims()
    before_e, before_c = events.copy(), claims.copy()
    tmp_store.write(events, claims, dataset="test")
    pd.testing.assert_frame_equal(events, before_e)
    pd.testing.assert_frame_equal(claims, before_c)
    assert "dataset" not in events.columns


# -- upsert ----------------------------------------------------------------------------------------


def test_rewriting_identical_data_changes_nothing(filled_store):
    before = _file_bytes(filled_store.path)
    result = filled_store.write(_events(), _claims(), dataset="test")
    assert result == WriteResult(0, 0, 4, 0, 0, 6)
    assert not result.changed
    assert _file_bytes(filled_store.path) == before


def test_upsert_updates_changed_rows_and_inserts_new_ones(filled_store):
    events, claims = _events(), _claims()
    events.loc[1, "title"] = "Drone strike on Kursk, revised"
    events.loc[0, "geometry"] = shapely.Point(37.19, 48.29)
    claims.loc[2, "intercepted"] = 42
    new_event = _events().iloc[[1]].assign(event_id="t-str-2", time_start="2026-02-04", time_end="2026-02-04")
    new_claim = _claims().iloc[[2]].assign(claim_id="c7", event_id="t-str-2", stated_at="2026-02-04 10:00")
    events = pd.concat([events, new_event], ignore_index=True)
    claims = pd.concat([claims, new_claim], ignore_index=True)
    result = filled_store.write(events, claims, dataset="test")
    assert result == WriteResult(1, 2, 2, 1, 1, 5)
    stored = filled_store.read_events().set_index("event_id")
    assert stored.loc["t-str-1", "title"] == "Drone strike on Kursk, revised"
    assert stored.loc["t-cap-1", "geometry"].equals(shapely.Point(37.19, 48.29))
    assert filled_store.read_claims(event_ids="t-str-1").set_index("claim_id").loc["c3", "intercepted"] == 42
    assert filled_store.count() == 5
    assert filled_store.write(events, claims, dataset="test") == WriteResult(0, 0, 5, 0, 0, 7)


def test_a_value_set_to_missing_is_an_update(filled_store):
    events = _events()
    events.loc[0, "place"] = None
    events.loc[1, "geometry"] = None
    events.loc[1, "geo_precision"] = "admin1"
    result = filled_store.write(events, _claims(), dataset="test")
    assert (result.updated_events, result.unchanged_events) == (2, 2)
    stored = filled_store.read_events().set_index("event_id")
    assert stored.loc["t-cap-1", "place"] is None
    assert stored.loc["t-str-1", "geometry"] is None


def test_dataset_column_is_filled_and_checked(tmp_store):
    events = _events().assign(dataset=["test", None, "", "test"])
    tmp_store.write(events, _claims(), dataset="test")
    assert set(tmp_store.read_events()["dataset"]) == {"test"}
    before = _file_bytes(tmp_store.path)
    other = _events().assign(event_id=lambda d: "x-" + d.event_id, dataset=["test", "other", "test", "test"])
    claims = _claims().assign(event_id=lambda d: "x-" + d.event_id, claim_id=lambda d: "x-" + d.claim_id)
    with pytest.raises(ValidationError, match=r"row 2.*belongs to dataset 'other', not 'test'"):
        tmp_store.write(other, claims, dataset="test")
    assert _file_bytes(tmp_store.path) == before


def test_ids_are_unique_across_datasets(filled_store):
    before = _file_bytes(filled_store.path)
    with pytest.raises(ValidationError, match="event_id 't-cap-1' already belongs to dataset 'test'"):
        filled_store.write(_events(), _claims(), dataset="another")
    events = _events().assign(event_id=lambda d: "n-" + d.event_id)
    claims = _claims().assign(event_id=lambda d: "n-" + d.event_id)
    with pytest.raises(ValidationError, match="claim_id 'c1' already belongs to dataset 'test'"):
        filled_store.write(events, claims, dataset="another")
    assert _file_bytes(filled_store.path) == before


def test_dataset_kind_is_fixed_at_creation(filled_store):
    with pytest.raises(ValidationError, match="stored as 'import', not 'bundled'"):
        filled_store.write(_events(), _claims(), dataset="test", kind="bundled")
    with pytest.raises(ValidationError, match="unknown dataset kind"):
        filled_store.write(_events(), _claims(), dataset="test", kind="nonsense")
    with pytest.raises(ValidationError, match="non-empty string"):
        filled_store.write(_events(), _claims(), dataset="  ")


def test_registry_keeps_description_and_tracks_changes(filled_store):
    first = filled_store.datasets().iloc[0]
    assert (first["name"], first["kind"], first["description"], first["source"]) == (
        "test",
        "import",
        "hand-made",
        "tests",
    )
    assert (first["events"], first["claims"]) == (4, 6)
    events = _events()
    events.loc[0, "title"] = "changed"
    filled_store.write(events, _claims(), dataset="test")
    again = filled_store.datasets().iloc[0]
    assert again["description"] == "hand-made" and again["created_at"] == first["created_at"]
    assert again["updated_at"] >= first["updated_at"]


def test_validated_frames_skip_validation_but_ids_are_checked(tmp_store):
    events, claims = validate(_events().assign(dataset="v"), _claims())
    assert tmp_store.write(events, claims, dataset="v", validated=True).inserted_events == 4
    dup = pd.concat([claims, claims.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValidationError, match="duplicate claim_id"):
        tmp_store.write(events, dup, dataset="v", validated=True)
    orphan = claims.assign(event_id="nowhere")
    with pytest.raises(ValidationError, match="not in this write"):
        tmp_store.write(events, orphan, dataset="v", validated=True)


# -- validation reaches the caller, store unchanged ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.assign(layer=["capture", "battle", "impact", "capture"]), "unknown value: 'battle'"),
        (
            lambda e: e.assign(time_start=["2026-02-05", "2026-02-03", "2026-02-05", "2026-02-10"]),
            "time_end is before time_start",
        ),
        (
            lambda e: e.set_geometry([shapely.Point(-30.0, 40.0), KURSK, None, ZAPORIZHZHIA]),
            "point lies outside every known region",
        ),
    ],
)
def test_invalid_input_is_refused_whole(filled_store, change, message):
    before = _table_rows(filled_store.path)
    events = change(_events().assign(event_id=lambda d: "bad-" + d.event_id))
    claims = _claims().assign(event_id=lambda d: "bad-" + d.event_id, claim_id=lambda d: "bad-" + d.claim_id)
    with pytest.raises(ValidationError, match=message) as info:
        filled_store.write(events, claims, dataset="test")
    assert "events" in str(info.value)
    assert _table_rows(filled_store.path) == before


def test_every_problem_is_reported_at_once(tmp_store):
    events = _events().assign(layer=["capture", "battle", "impact", "capture"])
    events.loc[2, "time_end"] = "2026-01-01"
    with pytest.raises(ValidationError) as info:
        tmp_store.write(events, _claims(), dataset="test")
    assert len(info.value.problems) >= 2
    assert tmp_store.is_empty()


# -- filters ---------------------------------------------------------------------------------------


def test_read_events_filters(filled_store):
    def ids(**kw):
        return sorted(filled_store.read_events(**kw)["event_id"])

    assert ids(layers=["capture"]) == ["t-cap-1", "t-cap-2"]
    assert ids(layers="strike") == ["t-str-1"]
    assert ids(layers=[]) == []
    assert ids(datasets="test") == ids()
    assert ids(datasets=["nope"]) == []
    # overlap: the week-long outage (02-05..02-12) overlaps 02-10..02-11; the 02-10..02-16 capture too
    assert ids(date_from="2026-02-10", date_to="2026-02-11") == ["t-cap-2", "t-imp-1"]
    assert ids(date_from="2026-02-12") == ["t-cap-2", "t-imp-1"]
    assert ids(date_to="2026-02-01") == ["t-cap-1"]
    assert ids(date_from=pd.Timestamp("2026-02-03"), date_to=pd.Timestamp("2026-02-03 23:59")) == ["t-str-1"]
    assert ids(event_ids=["t-imp-1", "t-cap-1", "zzz"]) == ["t-cap-1", "t-imp-1"]
    assert ids(event_ids=["it's"]) == []
    assert ids(layers=["capture", "impact"], date_from="2026-02-05") == ["t-cap-2", "t-imp-1"]


def test_many_event_ids_are_read_in_chunks(filled_store, monkeypatch):
    monkeypatch.setattr(gpkg_module, "_IDS_PER_QUERY", 2)
    events = filled_store.read_events(event_ids=["t-cap-1", "t-str-1", "t-imp-1", "t-cap-2"])
    assert events["event_id"].tolist() == ["t-cap-1", "t-str-1", "t-imp-1", "t-cap-2"]
    assert len(filled_store.read_claims(event_ids=["t-cap-1", "t-str-1", "t-imp-1"])) == 5


def test_read_claims_filters(filled_store):
    assert len(filled_store.read_claims()) == 6
    assert sorted(filled_store.read_claims(event_ids="t-cap-1")["claim_id"]) == ["c1", "c2"]
    assert len(filled_store.read_claims(datasets=["test"])) == 6
    assert len(filled_store.read_claims(datasets="other")) == 0
    assert len(filled_store.read_claims(event_ids=[])) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layers": ["capture", "battles"]}, "unknown layer 'battles'"),
        (
            {"date_from": "2026-03-01", "date_to": "2026-02-01"},
            "date_from 2026-03-01 is after date_to 2026-02-01",
        ),
        ({"date_from": "yesterday-ish"}, "not a date"),
        ({"datasets": [1, 2]}, "must be strings"),
    ],
)
def test_bad_filters_are_refused(filled_store, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        filled_store.read_events(**kwargs)


# -- delete ----------------------------------------------------------------------------------------


def test_delete_dataset(filled_store):
    other = _events().assign(event_id=lambda d: "o-" + d.event_id).iloc[[1]]
    other_claims = _claims().assign(event_id=lambda d: "o-" + d.event_id, claim_id=lambda d: "o-" + d.claim_id)
    filled_store.write(other, other_claims[other_claims.event_id == "o-t-str-1"], dataset="other")
    assert filled_store.delete_dataset("test") == 4
    assert filled_store.read_events()["event_id"].tolist() == ["o-t-str-1"]
    assert sorted(filled_store.read_claims()["claim_id"]) == ["o-c3", "o-c4"]
    assert filled_store.datasets()["name"].tolist() == ["other"]
    con = sqlite3.connect(filled_store.path)
    try:
        extent = con.execute(
            "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'events'"
        ).fetchone()
        counts = dict(con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents"))
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        con.close()
    assert extent == pytest.approx((KURSK.x, KURSK.y, KURSK.x, KURSK.y))
    assert counts == {"events": 1, "claims": 2, "datasets": 1, "meta": 3}
    assert {"trigger_insert_feature_count_events", "trigger_delete_feature_count_claims"} <= triggers
    with pytest.raises(NotFoundError, match=r"no dataset 'test'.*datasets: other"):
        filled_store.delete_dataset("test")
    assert filled_store.delete_dataset("other") == 1
    assert filled_store.is_empty()


# -- transactions ----------------------------------------------------------------------------------


class _BoomError(RuntimeError):
    pass


@pytest.mark.parametrize("start_empty", [True, False])
def test_a_failure_half_way_leaves_the_file_as_it_was(tmp_store, monkeypatch, start_empty):
    if not start_empty:
        tmp_store.write(_events(), _claims(), dataset="test")
    before = _file_bytes(tmp_store.path)
    before_rows = _table_rows(tmp_store.path)
    written = {}

    def failing_claims(con, data, plan):
        written["events"] = con.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        raise _BoomError("disk on fire")

    monkeypatch.setattr(gpkg_module, "_upsert_claims", failing_claims)
    events = _events().assign(event_id=lambda d: "n-" + d.event_id)
    events.loc[0, "title"] = "new"
    claims = _claims().assign(event_id=lambda d: "n-" + d.event_id, claim_id=lambda d: "n-" + d.claim_id)
    with pytest.raises(_BoomError):
        tmp_store.write(events, claims, dataset="test")
    assert written["events"] == (4 if start_empty else 8)  # the events were in, inside the transaction
    assert _file_bytes(tmp_store.path) == before
    assert _table_rows(tmp_store.path) == before_rows
    assert not Path(str(tmp_store.path) + "-journal").exists()
    monkeypatch.undo()
    assert tmp_store.write(events, claims, dataset="test").inserted_events == 4


_PAUSED_WRITER = """
import sys, time
from pathlib import Path
import pandas as pd
sys.path.insert(0, {root!r})
from geo.store import gpkg
from tests.test_store import _claims, _events

original = gpkg._upsert_claims

def paused(con, rows, plan):
    Path({ready!r}).touch()
    deadline = time.time() + 60
    while not Path({go!r}).exists() and time.time() < deadline:
        time.sleep(0.02)
    return original(con, rows, plan)

gpkg._upsert_claims = paused
events = _events().assign(event_id=lambda d: "n-" + d.event_id)
claims = _claims().assign(event_id=lambda d: "n-" + d.event_id, claim_id=lambda d: "n-" + d.claim_id)
print(gpkg.GeoPackageStore({path!r}, create=False).write(events, claims, dataset="test"))
"""


def test_a_reader_in_another_process_never_sees_half_a_write(filled_store, tmp_path):
    ready, go = tmp_path / "ready", tmp_path / "go"
    script = _PAUSED_WRITER.format(root=str(ROOT), ready=str(ready), go=str(go), path=str(filled_store.path))
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(3000):
            if ready.exists() or writer.poll() is not None:
                break
            time.sleep(0.01)
        assert ready.exists(), writer.communicate()[1]
        # the events are written inside the writer's transaction, the claims not yet: readers see neither
        assert filled_store.count() == 4
        assert len(filled_store.read_events()) == 4
        assert len(filled_store.read_claims()) == 6
        assert filled_store.datasets()["events"].tolist() == [4]
    finally:
        go.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert "events: 4 inserted" in out
    assert len(filled_store.read_events()) == 8 and len(filled_store.read_claims()) == 12


def test_a_reader_in_the_same_process_waits_for_the_write(filled_store, monkeypatch):
    events_written = threading.Event()
    go_on = threading.Event()
    original = gpkg_module._upsert_claims

    def slow_claims(con, rows, plan):
        events_written.set()
        go_on.wait(30)
        return original(con, rows, plan)

    monkeypatch.setattr(gpkg_module, "_upsert_claims", slow_claims)
    events = _events().assign(event_id=lambda d: "n-" + d.event_id)
    claims = _claims().assign(event_id=lambda d: "n-" + d.event_id, claim_id=lambda d: "n-" + d.claim_id)
    writer = threading.Thread(target=filled_store.write, args=(events, claims), kwargs={"dataset": "test"})
    read: list[int] = []
    reader = threading.Thread(target=lambda: read.append(len(filled_store.read_events())))
    writer.start()
    try:
        assert events_written.wait(30)
        assert filled_store.count() == 4  # sqlite3 readers share the writer's SQLite: they see the last commit
        reader.start()  # a GDAL reader (another copy of SQLite) waits until the write is over
        reader.join(0.5)
        assert reader.is_alive() and not read
    finally:
        go_on.set()
        writer.join(60)
        reader.join(60)
    assert read == [8]
    assert len(filled_store.read_claims()) == 12


_CRASHING_WRITER = """
import os, sys
sys.path.insert(0, {root!r})
from geo.store import gpkg
from geo.synthetic import generate

gpkg._WRITE_CACHE_KIB = 64  # a small page cache: SQLite writes pages into the file before COMMIT

def crash(con, rows, plan):
    os._exit(3)  # the process dies half-way: events written into the file, claims not, no COMMIT

gpkg._upsert_claims = crash
events, claims = generate(3000, seed=9)
gpkg.GeoPackageStore({path!r}, create=False).write(events, claims, dataset="synthetic", kind="synthetic")
"""


def test_a_crash_half_way_leaves_the_previous_data(filled_store):
    before = _table_rows(filled_store.path)
    script = _CRASHING_WRITER.format(root=str(ROOT), path=str(filled_store.path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert Path(f"{filled_store.path}-journal").exists()  # a hot journal: the file itself was modified
    assert len(filled_store.read_events()) == 4  # GDAL reads only after SQLite rolled the journal back
    assert _table_rows(filled_store.path) == before
    assert GeoPackageStore(filled_store.path, create=False).count() == 4
    assert not Path(f"{filled_store.path}-journal").exists()


# -- opening ---------------------------------------------------------------------------------------


def test_opening_errors(tmp_path):
    with pytest.raises(NotFoundError, match="no store at"):
        GeoPackageStore(tmp_path / "missing.gpkg", create=False)
    assert not (tmp_path / "missing.gpkg").exists()
    with pytest.raises(GeoError, match="is a folder"):
        GeoPackageStore(tmp_path)
    text = tmp_path / "notes.gpkg"
    text.write_text("not a database, just text " * 100)
    with pytest.raises(GeoError, match="not a GeoPackage"):
        GeoPackageStore(text)
    other = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[POKROVSK], crs=schema.CRS).to_file(other, layer="roads")
    with pytest.raises(GeoError, match="tables events, claims, datasets, meta are missing"):
        GeoPackageStore(other)


def test_a_newer_schema_is_refused(tmp_store):
    con = sqlite3.connect(tmp_store.path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(GeoError, match="newer version"):
        GeoPackageStore(tmp_store.path)


def test_columns_added_to_the_schema_are_added_to_old_files(filled_store):
    con = sqlite3.connect(filled_store.path)
    con.execute("ALTER TABLE events DROP COLUMN talks_format")
    con.execute("ALTER TABLE claims DROP COLUMN language")
    con.commit()
    con.close()
    reopened = GeoPackageStore(filled_store.path, create=False)
    assert reopened.read_events()["talks_format"].isna().all()
    assert len(reopened.read_claims()) == 6


def test_creating_makes_parent_folders_and_an_empty_file_counts_as_missing(tmp_path):
    store = GeoPackageStore(tmp_path / "a" / "b" / "store.gpkg")
    assert store.is_empty()
    empty = tmp_path / "empty.gpkg"
    empty.touch()
    assert GeoPackageStore(empty).is_empty()
    assert not list(tmp_path.glob(".*tmp*"))


def test_open_store(tmp_path, monkeypatch):
    with pytest.raises(GeoError, match="PostGIS support is not available yet"):
        open_store("postgresql://user@localhost/conflict")
    with pytest.raises(NotFoundError):
        open_store(tmp_path / "none.gpkg", create=False)
    empty = open_store(tmp_path / "empty.gpkg", seed=False)
    assert isinstance(empty, GeoPackageStore) and empty.is_empty()
    monkeypatch.setenv("CONFLICTMAP_STORE", str(tmp_path / "default.gpkg"))
    settings.reload()
    try:
        store = open_store(seed=False)
    finally:
        monkeypatch.delenv("CONFLICTMAP_STORE")
        settings.reload()
    assert store.location == str(tmp_path / "default.gpkg")


def test_open_store_seeds_a_new_store_once(tmp_path):
    pytest.importorskip("geo.seed")
    store = open_store(tmp_path / "seeded.gpkg")
    registry = store.datasets()
    assert registry["name"].tolist() == ["feb-2026"] and registry["kind"].tolist() == ["bundled"]
    n = store.count()
    assert n > 0
    before = _file_bytes(store.path)
    assert open_store(tmp_path / "seeded.gpkg").count() == n
    assert _file_bytes(store.path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeded.gpkg"]


def test_an_existing_empty_store_is_not_seeded(tmp_path):
    open_store(tmp_path / "empty.gpkg", seed=False)
    assert open_store(tmp_path / "empty.gpkg").is_empty()


def test_a_failing_seed_leaves_no_store(tmp_path, monkeypatch):
    seed = pytest.importorskip("geo.seed")

    def broken(*args, **kwargs):
        raise ValidationError("seed file is broken")

    monkeypatch.setattr(seed, "load_seed", broken)
    with pytest.raises(ValidationError, match="seed file is broken"):
        open_store(tmp_path / "store.gpkg")
    assert list(tmp_path.iterdir()) == []


# -- scale -----------------------------------------------------------------------------------------


def test_twenty_thousand_synthetic_events(tmp_store):
    from geo.synthetic import generate

    events, claims = generate(20_000, seed=5)
    result = tmp_store.write(events, claims, dataset="synthetic", kind="synthetic", validated=True)
    assert (result.inserted_events, result.inserted_claims) == (len(events), len(claims))
    back = tmp_store.read_events()
    _assert_frames_equal(back, events)
    _assert_frames_equal(tmp_store.read_claims(), claims)
    assert tmp_store.write(events, claims, dataset="synthetic", kind="synthetic", validated=True) == WriteResult(
        0, 0, len(events), 0, 0, len(claims)
    )
    strikes = tmp_store.read_events(layers="strike", date_from="2025-06-01", date_to="2025-06-30")
    mask = (events.layer == "strike") & (events.time_start <= "2025-06-30") & (events.time_end >= "2025-06-01")
    assert sorted(strikes["event_id"]) == sorted(events.loc[mask, "event_id"])
    assert np.isin(tmp_store.read_claims(event_ids=strikes["event_id"])["event_id"], strikes["event_id"]).all()


def test_dataset_names_with_commas_are_refused(tmp_store):
    from geo.errors import ValidationError
    from geo.seed import load_seed

    events, claims = load_seed()
    with pytest.raises(ValidationError, match="must not contain a comma"):
        tmp_store.write(events.assign(dataset="a,b"), claims, dataset="a,b")
    assert tmp_store.is_empty()
