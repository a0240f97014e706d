"""The dashboard's snapshot of a store: the same folded data as folding the store, kept until the store changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import claims as claims_mod
from geo.store import open_store
from geo.store import snapshot as snap
from geo.synthetic import write_synthetic


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
    s = open_store(tmp_path / "s.gpkg")  # the bundled dataset
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
    assert len(files) == 2 and files[0].endswith(".claims.arrow") and files[1].endswith(".events.arrow")


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
    assert len(new) == 2 and not (new & old)
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
