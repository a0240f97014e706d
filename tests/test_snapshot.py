"""The dashboard's snapshot of a store: the same folded data as folding the store, kept until the store changes."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import claims as claims_mod
from geo.store import open_store
from geo.store import snapshot as snap
from geo.synthetic import write_synthetic

pytestmark = pytest.mark.usefixtures("cache_dir")  # snapshots go to a temporary folder per test


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal values column by column, whatever the text dtype (object or Arrow-backed str)."""
    assert list(a.columns) == list(b.columns) or set(a.columns) == set(b.columns)
    assert len(a) == len(b)
    key = "claim_id" if "claim_id" in b.columns else "event_id"  # the snapshot orders events by layer and date
    a = a.sort_values(key, kind="stable").reset_index(drop=True)
    b = b.sort_values(key, kind="stable").reset_index(drop=True)
    for col in b.columns:
        x, y = a[col], b[col]
        if col == "geometry":
            assert (x.geom_equals(y) | (x.isna() & y.isna())).all()
            continue
        both_missing = x.isna().to_numpy() & y.isna().to_numpy()
        equal = (x.astype(object).to_numpy() == y.astype(object).to_numpy()) | both_missing
        assert equal.all(), f"{col}: {x[~equal].head(3).tolist()} != {y[~equal].head(3).tolist()}"


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "stores" / "s.gpkg")  # the bundled dataset
    write_synthetic(s, 3000, seed=3)
    return s


def test_the_snapshot_holds_what_folding_the_store_gives(store):
    events, claims = snap.read_display(store)
    expected_claims = store.read_claims()
    expected = claims_mod.fold(store.read_events(), expected_claims)
    _same(events, expected)
    _same(claims, expected_claims)
    assert events.crs == expected.crs
    assert events["first_stated"].dtype == "datetime64[ms]" and events["n_claims"].dtype.kind == "i"
    files = sorted(p.name for p in snap.snapshot_dir(store.location).iterdir())
    assert len(files) == 3 and files[0].endswith(".claims.arrow") and files[1].endswith(".events.arrow")
    assert files[2].endswith(".json")  # the change-log position it holds (tests/test_snapshot_patch.py)


def test_the_snapshot_is_in_the_cache_folder_not_beside_the_store(store, cache_dir):
    snap.read_display(store)
    folder = snap.snapshot_dir(store.location)
    assert folder.parent == cache_dir / "snapshots" and folder.name.startswith("s.gpkg-")
    assert len(list(folder.glob("*.arrow"))) == 2
    assert sorted(p.name for p in Path(store.location).parent.iterdir()) == ["s.gpkg"]
    assert snap.snapshot_dir(store.location) == folder  # stable
    assert snap.snapshot_dir(store.location, cache_dir="/elsewhere") == Path("/elsewhere/snapshots", folder.name)


@pytest.mark.parametrize(
    "location",
    [
        "postgresql://analyst@db.example.org:5432/conflict?sslmode=require",
        "postgresql://analyst@db.example.org/",
        "C:\\data\\conflict.gpkg",
        "/data/конфлікт.gpkg",
        "",
    ],
)
def test_any_location_gives_a_safe_stable_folder(location, tmp_path):
    folder = snap.snapshot_dir(location, cache_dir=tmp_path)
    assert folder.parent == tmp_path / "snapshots"
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,60}", folder.name), folder.name
    assert folder == snap.snapshot_dir(location, cache_dir=tmp_path)
    assert folder != snap.snapshot_dir(location + "2", cache_dir=tmp_path)


class _ElsewhereStore:
    """A store known only by a URL and a version it is told (as a database's would be); reads come from a file."""

    def __init__(self, inner):
        self.inner = inner
        self.location = "postgresql://analyst@db.example.org/conflict"
        self.token = "1"

    def version(self) -> str:
        return self.token

    def read_events(self, **kwargs):
        return self.inner.read_events(**kwargs)

    def read_claims(self, **kwargs):
        return self.inner.read_claims(**kwargs)


def test_the_snapshot_is_keyed_on_the_store_version_whatever_the_store(store, monkeypatch):
    other = _ElsewhereStore(store)
    first, _ = snap.read_display(other)
    folder = snap.snapshot_dir(other.location)
    assert folder.name.startswith("conflict-") and len(list(folder.glob("*.arrow"))) == 2
    folds = []
    monkeypatch.setattr(snap, "fold", lambda *a: folds.append(1) or claims_mod.fold(*a))
    again, _ = snap.read_display(other)
    _same(again, first)
    assert folds == []  # the same version: read from the snapshot
    other.token = "2"
    snap.read_display(other)
    assert folds == [1] and len(list(folder.glob("*.arrow"))) == 2  # a new version: folded again, old files gone


def test_a_store_that_changes_while_it_is_read_gets_no_snapshot(store, monkeypatch):
    other = _ElsewhereStore(store)
    original = snap._fold

    def fold_then_write(s):
        out = original(s)
        other.token = "written meanwhile"
        return out

    monkeypatch.setattr(snap, "_fold", fold_then_write)
    events, _ = snap.read_display(other)
    assert len(events) == 3031
    assert not list(snap.snapshot_dir(other.location).glob("*.arrow"))


def test_events_come_by_layer_then_date_so_a_layer_is_one_slice(store):
    from geo.filters import Filter, apply

    events, _ = snap.read_display(store)
    keys = list(zip(events["layer"], events["time_start"], strict=True))
    assert keys == sorted(keys)
    strikes = apply(events, Filter(layers=("strike",)))
    assert isinstance(strikes.index, pd.RangeIndex)  # a slice of the snapshot, not a copy of its rows
    assert (strikes["layer"] == "strike").all() and len(strikes) == int((events["layer"] == "strike").sum())


def test_a_current_snapshot_is_read_without_folding_again(store, monkeypatch):
    first, _ = snap.read_display(store)

    def refuse(*args, **kwargs):
        raise AssertionError("folded again although the store did not change")

    monkeypatch.setattr(snap, "fold", refuse)
    again, _ = snap.read_display(store)
    _same(again, first)


def test_a_write_to_the_store_makes_a_new_snapshot_and_drops_the_old(store):
    before, _ = snap.read_display(store)
    old = set(snap.snapshot_dir(store.location).iterdir())
    store.delete_dataset("synthetic")
    after, _ = snap.read_display(store)
    new = set(snap.snapshot_dir(store.location).iterdir())
    assert len(new) == 3 and not (new & old)
    assert len(after) != len(before)
    _same(after, claims_mod.fold(store.read_events(), store.read_claims()))


def test_a_damaged_snapshot_is_rebuilt(store):
    good, _ = snap.read_display(store)
    for path in snap.snapshot_dir(store.location).glob("*.events.arrow"):
        path.unlink()  # a new file: rewriting the mapped one in place would pull the floor from under `good`
        path.write_bytes(b"not arrow at all")
    again, _ = snap.read_display(store)
    _same(again, good)


def test_a_folder_that_cannot_be_written_means_no_snapshot(store, monkeypatch):
    def read_only(table, path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(snap, "_write_atomic", read_only)
    events, claims = snap.read_display(store)
    assert len(events) == 3031 and len(claims) == len(store.read_claims())
    assert not list(snap.snapshot_dir(store.location).glob("*.arrow"))


def test_the_snapshot_is_memory_mapped_not_copied(store):
    snap.read_display(store)
    events, claims = snap.read_display(store)
    assert str(events["event_id"].dtype) == "str" and str(claims["text"].dtype) == "str"  # Arrow-backed text
    assert np.isnan(events["launched"].to_numpy()).any()  # numbers carry NaN, not a validity mask to fill


def _rss_file_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no RssFile in /proc/self/status")


def test_released_pages_leave_the_process_and_the_frames_valid(tmp_path):
    s = open_store(tmp_path / "big.gpkg")
    write_synthetic(s, 60_000, seed=9)
    snap.read_display(s)
    events, claims = snap.read_display(s)
    before = _rss_file_mb()
    text = claims["text"].str.len().sum() + events["title"].str.len().sum()  # touch the text of every row
    touched = _rss_file_mb()
    snap.release_pages()
    released = _rss_file_mb()
    assert touched - before > 5 and released < touched - 5, (before, touched, released)
    assert claims["text"].str.len().sum() + events["title"].str.len().sum() == text  # still there, read again
