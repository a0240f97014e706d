"""The GeoPackage store: what only a file does — layout, GDAL, byte identity, journals, crashes, its version token.

What every store does is in ``test_store_contract.py`` (run for this backend too); the sample data comes from there.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import timeit
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from geo import schema, settings
from geo.errors import GeoError, NotFoundError, ValidationError
from geo.store import Store, open_store
from geo.store import gpkg as gpkg_module
from geo.store.gpkg import GeoPackageStore
from tests.test_store_contract import INVALID, KURSK, POKROVSK, _claims, _events, _renamed

ROOT = Path(__file__).resolve().parents[1]


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes()


def _table_rows(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}
    finally:
        con.close()


def _geopackage_metadata(path: Path) -> tuple[tuple[float, ...], dict[str, int], set[str]]:
    """What a GeoPackage reader trusts: the events' extent, the feature count of each table, and the trigger names."""
    con = sqlite3.connect(path)
    try:
        extent = con.execute(
            "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'events'"
        ).fetchone()
        counts = dict(con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents"))
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        con.close()
    return extent, counts, triggers


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
    assert tmp_store.is_empty() and tmp_store.count() == 0  # and the columns of datasets(): test_store_contract


def test_gdal_reads_the_geometry_blobs(filled_store):
    gdal = pyogrio.read_dataframe(filled_store.path, layer="events")
    ours = filled_store.read_events()
    assert gdal["event_id"].tolist() == ours["event_id"].tolist()
    assert gdal.geometry.geom_equals_exact(ours.geometry, tolerance=0).fillna(False).sum() == 3
    info = pyogrio.read_info(filled_store.path, layer="events", force_feature_count=True, force_total_bounds=True)
    assert info["features"] == 4
    assert info["total_bounds"] == pytest.approx(ours.total_bounds)
    extent, counts, _ = _geopackage_metadata(filled_store.path)
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


def test_many_event_ids_are_read_in_chunks(filled_store, monkeypatch):
    monkeypatch.setattr(gpkg_module, "_IDS_PER_QUERY", 2)
    events = filled_store.read_events(event_ids=["t-cap-1", "t-str-1", "t-imp-1", "t-cap-2"])
    assert events["event_id"].tolist() == ["t-cap-1", "t-str-1", "t-imp-1", "t-cap-2"]
    assert len(filled_store.read_claims(event_ids=["t-cap-1", "t-str-1", "t-imp-1"])) == 5


# -- a write that changes nothing, or fails, leaves the file byte for byte ------------------------


def test_rewriting_identical_data_leaves_the_file_byte_for_byte(filled_store):
    before = _file_bytes(filled_store.path)
    assert not filled_store.write(_events(), _claims(), dataset="test").changed
    assert _file_bytes(filled_store.path) == before


def _other_dataset_in_the_column(store: Store) -> None:
    events, claims = _renamed("x-")
    store.write(events.assign(dataset=["test", "other", "test", "test"]), claims, dataset="test")


def _event_ids_of_another_dataset(store: Store) -> None:
    store.write(_events(), _claims(), dataset="another")


def _claim_ids_of_another_dataset(store: Store) -> None:
    events = _events().assign(event_id=lambda d: "n-" + d.event_id)
    store.write(events, _claims().assign(event_id=lambda d: "n-" + d.event_id), dataset="another")


def _invalid(change, store: Store) -> None:
    events, claims = _renamed("bad-")
    store.write(change(events), claims, dataset="test")


REFUSED = {
    "other-dataset-in-the-column": _other_dataset_in_the_column,
    "event-ids-of-another-dataset": _event_ids_of_another_dataset,
    "claim-ids-of-another-dataset": _claim_ids_of_another_dataset,
    **{f"invalid-{i}": functools.partial(_invalid, change) for i, (change, _) in enumerate(INVALID)},
}


@pytest.mark.parametrize("refused", list(REFUSED.values()), ids=list(REFUSED))
def test_a_refused_write_leaves_the_file_byte_for_byte(filled_store, refused):
    before, before_rows = _file_bytes(filled_store.path), _table_rows(filled_store.path)
    with pytest.raises(ValidationError):
        refused(filled_store)
    assert _file_bytes(filled_store.path) == before
    assert _table_rows(filled_store.path) == before_rows
    assert not Path(f"{filled_store.path}-journal").exists()


def test_deleting_a_dataset_keeps_the_geopackage_metadata(filled_store):
    other, other_claims = _renamed("o-")
    filled_store.write(other.iloc[[1]], other_claims[other_claims.event_id == "o-t-str-1"], dataset="other")
    assert filled_store.delete_dataset("test") == 4
    extent, counts, triggers = _geopackage_metadata(filled_store.path)
    assert extent == pytest.approx((KURSK.x, KURSK.y, KURSK.x, KURSK.y))
    assert counts == {"events": 1, "claims": 2, "datasets": 1, "meta": 3}
    assert {"trigger_insert_feature_count_events", "trigger_delete_feature_count_claims"} <= triggers


# -- version: the file's identity and SQLite's change counter ---------------------------------------


def test_version_changes_within_one_tick_of_the_file_clock(filled_store):
    path = filled_store.path
    before = os.stat(path)
    version = filled_store.version()
    events = _events()
    events.loc[1, "title"] = "Drone strike on Kursk, revised"
    assert filled_store.write(events, _claims(), dataset="test").changed
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as if the write came in the same clock tick
    after = os.stat(path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert filled_store.version() != version


def test_version_sees_a_write_by_another_connection_or_program(filled_store):
    version = filled_store.version()
    con = sqlite3.connect(filled_store.path)
    con.execute("UPDATE events SET title = 'edited in QGIS' WHERE event_id = 't-cap-1'")
    con.commit()
    con.close()
    assert filled_store.version() != version
    assert GeoPackageStore(filled_store.path).version() == filled_store.version()


def test_version_of_a_replaced_or_removed_file(filled_store, tmp_path):
    version = filled_store.version()
    copy = tmp_path / "copy.gpkg"
    shutil.copyfile(filled_store.path, copy)
    os.replace(copy, filled_store.path)  # the same bytes, another file
    assert filled_store.version() != version
    filled_store.path.unlink()
    with pytest.raises(NotFoundError, match="has gone"):
        filled_store.version()


def _descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="no /proc/self/fd")
def test_version_is_cheap_and_keeps_one_descriptor_per_file(filled_store, tmp_path):
    filled_store.version()
    n = _descriptors()
    calls = 2000
    seconds = timeit.timeit(filled_store.version, number=calls) / calls
    assert seconds < 200e-6, f"version() took {seconds * 1e6:.0f} µs"  # a few µs here; well under a millisecond
    assert _descriptors() == n  # nothing opened and closed per call (that would drop SQLite's locks)
    for i in range(5):  # a file replaced again and again: the old file's descriptor is let go
        copy = tmp_path / f"copy{i}.gpkg"
        shutil.copyfile(filled_store.path, copy)
        os.replace(copy, filled_store.path)
        filled_store.version()
    assert _descriptors() == n


def test_location_is_the_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = GeoPackageStore("sub/../store.gpkg")
    assert store.location == str(tmp_path / "store.gpkg") and store.path == tmp_path / "store.gpkg"
    assert GeoPackageStore(tmp_path / "store.gpkg").location == store.location


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
from tests.test_store_contract import _claims, _events

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
    empty = tmp_path / "empty.gpkg"
    empty.touch()
    with pytest.raises(NotFoundError, match=r"no store at .*empty.gpkg' \(the file is empty\)"):
        GeoPackageStore(empty, create=False)
    store = GeoPackageStore(tmp_path / "a" / "b" / "store.gpkg")
    assert store.is_empty()
    assert GeoPackageStore(empty).is_empty()
    assert not list(tmp_path.glob(".*tmp*"))


def test_open_store(tmp_path, monkeypatch):
    with pytest.raises(GeoError, match="cannot reach the database"):
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


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://analyst:s3cret@db.example.org:5432/conflict",
        "postgres://analyst:s3cret@db.example.org/conflict?sslmode=require",
        "postgresql+psycopg://analyst:s3cret@localhost/conflict",
    ],
)
def test_an_unreachable_postgis_url_is_one_line_and_its_password_is_not_shown(url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GeoError) as info:
        open_store(url)
    message = str(info.value)
    assert "cannot reach the database" in message and "\n" not in message
    assert "s3cret" not in message and "analyst:***@" in message
    assert list(tmp_path.iterdir()) == []  # nothing made of the URL as if it were a path


def test_other_urls_are_refused_and_file_urls_are_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GeoError, match="not a store location"):
        open_store("https://example.org/conflict.gpkg")
    assert list(tmp_path.iterdir()) == []
    store = open_store((tmp_path / "by url.gpkg").as_uri(), seed=False)
    assert store.location == str(tmp_path / "by url.gpkg") and store.is_empty()


def test_open_store_can_refuse_to_make_folders(tmp_path):
    with pytest.raises(NotFoundError, match=r"folder '.*/no' does not exist; create it first"):
        open_store(tmp_path / "no" / "store.gpkg", seed=False, parents=False)
    assert list(tmp_path.iterdir()) == []
    assert open_store(tmp_path / "store.gpkg", seed=False, parents=False).is_empty()
