"""The snapshot brought up to date from the store's change log: a recorded claim folds one event, not the store."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.store import open_store
from geo.store import snapshot as snap
from tests import pg

EVENT = "feb26-cap-gerasimov-12-settlements"
DENIAL = {
    "event_id": EVENT,
    "claimant": "General Staff of the Armed Forces of Ukraine",
    "party": "UA",
    "stated_at": "2026-02-20 10:00",
    "stance": "denies",
    "source_url": "https://example.org/denial",
    "publisher": "Ukrinform",
}
NEW_EVENT = {"layer": "capture", "place": "Test village", "admin1": "UA-14", "geo_precision": "admin1",
             "time_start": "2026-02-10", "time_end": "2026-02-10", "time_precision": "day",
             "title": "Test"}  # fmt: skip


@pytest.fixture(params=["gpkg", "postgis"])
def store(request, store_env):
    """The bundled store (a file or a database), its snapshot built, this process's memory of it forgotten."""
    made = open_store(store_env) if request.param == "gpkg" else pg.new_store(seed=True)
    snap._LAST.clear()
    snap.read_display(made)
    yield made
    snap._LAST.clear()


def _no_rebuild(monkeypatch) -> None:
    def refuse(store):
        raise AssertionError("the whole store was folded again")

    monkeypatch.setattr(snap, "_fold", refuse)


def _same(patched, store) -> None:
    """The patched frames hold what a full fold of the store gives, in the same order."""
    events, claims = snap._fold(store)
    got_events, got_claims = patched
    assert list(got_events["event_id"]) == list(events["event_id"])
    for col in ("status", "n_claims", "last_stated", "title"):
        assert [None if pd.isna(v) else v for v in got_events[col]] == [None if pd.isna(v) else v for v in events[col]]
    key = ["claim_id"]
    a = got_claims.sort_values(key).reset_index(drop=True)
    b = claims.sort_values(key).reset_index(drop=True)
    assert list(a["claim_id"]) == list(b["claim_id"]) and list(a["text"].fillna("")) == list(b["text"].fillna(""))


def test_a_recorded_claim_is_folded_into_the_snapshot_without_a_rebuild(store, monkeypatch):
    recorded = store.record_claim(DENIAL, actor="alice")
    _no_rebuild(monkeypatch)
    events, claims = snap.read_display(store)
    row = events.set_index("event_id").loc[EVENT]
    assert row["status"] == "disputed"
    assert recorded.claim_id in set(claims["claim_id"])
    monkeypatch.undo()
    _same((events, claims), store)


def test_a_new_event_lands_in_order_and_a_withdrawal_leaves(store, monkeypatch):
    recorded = store.record_claim({**DENIAL, "event_id": None, "stance": "asserts", "party": "RU"}, actor="a",
                                  event=NEW_EVENT)  # fmt: skip
    first = store.record_claim(DENIAL, actor="b")
    store.withdraw_claim(first.claim_id, actor="b", base_version=1)
    _no_rebuild(monkeypatch)
    patched = snap.read_display(store)
    assert recorded.event_id in set(patched[0]["event_id"])
    assert first.claim_id not in set(patched[1]["claim_id"])
    monkeypatch.undo()
    _same(patched, store)


def test_another_process_patches_the_snapshot_file(store, monkeypatch):
    store.record_claim(DENIAL, actor="alice")
    snap._LAST.clear()  # a process that never read this store: it starts from the newest snapshot file
    _no_rebuild(monkeypatch)
    events, _ = snap.read_display(store)
    assert events.set_index("event_id").loc[EVENT, "status"] == "disputed"


def test_an_import_or_deletion_rebuilds(store, monkeypatch):
    store.delete_dataset("feb-2026", actor="root")
    calls = []
    real = snap._fold
    monkeypatch.setattr(snap, "_fold", lambda s: calls.append(1) or real(s))
    events, claims = snap.read_display(store)
    assert calls and events.empty and claims.empty


def test_a_change_the_log_does_not_know_rebuilds(store_env):
    import sqlite3

    store = open_store(store_env)  # a file: another program can change it behind the store's back
    snap._LAST.clear()
    snap.read_display(store)

    con = sqlite3.connect(store.path, isolation_level=None)
    con.execute("DELETE FROM claims WHERE event_id = ?", (EVENT,))
    con.execute("DELETE FROM events WHERE event_id = ?", (EVENT,))  # another program (QGIS, sqlite3) at work
    con.close()
    events, _ = snap.read_display(store)
    assert EVENT not in set(events["event_id"])


def test_a_snapshot_written_by_other_code_is_rebuilt_not_patched(store, monkeypatch):
    import json

    folder = snap.snapshot_dir(store.location)
    (meta,) = folder.glob(f"v{snap.FORMAT}-*.json")
    data = json.loads(meta.read_text(encoding="utf-8"))
    meta.write_text(json.dumps({**data, "code": "another version"}), encoding="utf-8")  # its fold may differ
    store.record_claim(DENIAL, actor="alice")
    snap._LAST.clear()
    calls = []
    real = snap._fold
    monkeypatch.setattr(snap, "_fold", lambda s: calls.append(1) or real(s))
    events, _ = snap.read_display(store)
    assert calls and events.set_index("event_id").loc[EVENT, "status"] == "disputed"
