"""The ledger both stores keep: claim versions, soft deletes, the trash, users, the append-only audit trail.

Every test runs on the GeoPackage store and on a PostGIS store (tests/pg.py), through the same methods.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from geo.errors import GeoError, NotFoundError, StaleEditError, ValidationError
from geo.seed import load_seed
from geo.store import Store
from geo.store.gpkg import GeoPackageStore
from tests import pg

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "gpkg": lambda folder: GeoPackageStore(folder / "store.gpkg"),
    "postgis": lambda folder: pg.new_store(),
}

EVENT = "feb26-cap-gerasimov-12-settlements"
DENIAL = {
    "event_id": EVENT,
    "claimant": "General Staff of the Armed Forces of Ukraine",
    "party": "UA",
    "stated_at": "2026-02-20 10:00",
    "stated_precision": "hour",
    "stance": "denies",
    "text": "Denies the <b>capture</b>",
    "source_url": "https://example.org/denial",
    "publisher": "Ukrinform",
}


@pytest.fixture(params=sorted(BACKENDS))
def store(request, tmp_path) -> Store:
    """A store of each backend holding the bundled dataset, written as the seeding does."""
    made = BACKENDS[request.param](tmp_path)
    events, claims = load_seed()
    made.write(events, claims, dataset="feb-2026", kind="bundled", validated=True, actor="system")
    return made


def test_a_recorded_claim_changes_the_events_status_and_is_audited(store):
    from geo.claims import fold

    before = store.version()
    recorded = store.record_claim(DENIAL, actor="alice")
    assert recorded.event_id == EVENT and recorded.version == 1 and recorded.claim_id.startswith("rec-")
    assert store.version() != before
    claims = store.read_claims(event_ids=[EVENT])
    assert recorded.claim_id in set(claims["claim_id"])
    folded = fold(store.read_events(event_ids=[EVENT]), claims)
    assert folded["status"].iloc[0] == "disputed"
    row = store.audit(actions="claim_add").iloc[0]
    assert (row["actor"], row["target"]) == ("alice", recorded.claim_id)
    detail = json.loads(row["detail"])
    assert detail["event_id"] == EVENT and detail["source_url"] == "https://example.org/denial"
    changes = store.changes_since(0)
    assert changes.bulk and changes.event_ids == (EVENT,)  # the seeding import is a bulk change
    assert store.changes_since(changes.seq - 1) == changes._replace(bulk=False)


def test_every_problem_of_a_claim_is_reported_and_nothing_is_written(store):
    before, audit = store.version(), len(store.audit())
    bad = {**DENIAL, "party": "martians", "stance": "shrugs", "source_url": "javascript:alert(1)"}
    with pytest.raises(ValidationError) as err:
        store.record_claim(bad, actor="alice")
    columns = {str(p.column).removeprefix("claims.") for p in err.value.problems}
    assert {"party", "stance", "source_url"} <= columns
    with pytest.raises(ValidationError, match="publisher"):
        store.record_claim({**DENIAL, "publisher": None}, actor="alice")
    assert store.version() == before and len(store.audit()) == audit


def test_an_edit_keeps_the_earlier_version_and_a_stale_edit_is_refused(store):
    first = store.record_claim(DENIAL, actor="alice")
    second = store.record_claim({**DENIAL, "claim_id": first.claim_id, "text": "revised wording"}, actor="bob",
                                base_version=1)  # fmt: skip
    assert second.version == 2
    with pytest.raises(StaleEditError, match="changed by bob"):
        store.record_claim({**DENIAL, "claim_id": first.claim_id, "text": "lost"}, actor="carol", base_version=1)
    history = store.claim_history(first.claim_id)
    assert list(history["op"]) == ["add", "edit"] and list(history["actor"]) == ["alice", "bob"]
    assert history["data"].iloc[0]["text"] == "Denies the <b>capture</b>"
    assert store.read_claims(event_ids=[EVENT]).set_index("claim_id").loc[first.claim_id, "text"] == "revised wording"


def test_editing_an_imported_claim_keeps_it_as_version_0(store):
    claim = store.read_claims(event_ids=[EVENT]).iloc[0]
    assert store.claim_version(claim["claim_id"]) == 0
    fields = {**claim.to_dict(), "text": "edited"}
    assert store.record_claim(fields, actor="alice", base_version=0).version == 1
    history = store.claim_history(claim["claim_id"])
    assert list(history["op"]) == ["original", "edit"]
    assert history["data"].iloc[0]["text"] == claim["text"]


def test_withdraw_is_a_soft_delete_an_admin_can_undo(store):
    recorded = store.record_claim(DENIAL, actor="alice")
    assert store.withdraw_claim(recorded.claim_id, actor="alice", base_version=1) == 2
    assert recorded.claim_id not in set(store.read_claims(event_ids=[EVENT])["claim_id"])
    withdrawn = store.withdrawn_claims()
    assert list(withdrawn["claim_id"]) == [recorded.claim_id] and withdrawn["withdrawn_by"].iloc[0] == "alice"
    with pytest.raises(StaleEditError, match="withdrawn"):
        store.withdraw_claim(recorded.claim_id, actor="bob", base_version=2)
    assert store.restore_claim(recorded.claim_id, actor="root") == 3
    assert recorded.claim_id in set(store.read_claims(event_ids=[EVENT])["claim_id"])
    assert store.withdrawn_claims().empty
    assert [a for a in store.audit()["action"]][:3] == ["claim_restore", "claim_withdraw", "claim_add"]


def test_a_new_event_with_its_first_claim(store):
    event = {"layer": "capture", "place": "Test village", "admin1": "UA-14", "geo_precision": "admin1",
             "time_start": "2026-02-20", "time_end": "2026-02-20", "time_precision": "day",
             "title": "Test"}  # fmt: skip
    claim = {**DENIAL, "event_id": None, "stance": "asserts", "party": "RU", "claimant": "Russian MoD"}
    recorded = store.record_claim(claim, actor="alice", event=event)
    stored = store.read_events(event_ids=[recorded.event_id])
    assert stored["dataset"].iloc[0] == "recorded" and stored.geometry.iloc[0] is None
    assert store.datasets().set_index("name").loc["recorded", "kind"] == "recorded"
    assert {"event_add", "claim_add"} <= set(store.audit()["action"])


def test_deleting_a_dataset_goes_to_the_trash_and_restores_whole(store):
    events, claims = len(store.read_events()), len(store.read_claims())
    assert store.delete_dataset("feb-2026", actor="root") == events
    assert store.count() == 0
    trash = store.deleted_datasets()
    assert list(trash["dataset"]) == ["feb-2026"] and trash["events"].iloc[0] == events
    assert store.restore_dataset(trash["deletion"].iloc[0], actor="root") == events
    assert (store.count(), len(store.read_claims())) == (events, claims)
    assert store.datasets().set_index("name").loc["feb-2026", "kind"] == "bundled"
    assert store.deleted_datasets().empty
    assert list(store.audit()["action"])[:2] == ["restore_dataset", "delete_dataset"]
    with pytest.raises(NotFoundError):
        store.restore_dataset("nothing", actor="root")


def test_an_import_is_audited_with_its_file(store):
    events, claims = load_seed()
    store.write(events, claims, dataset="feb-2026", kind="bundled", validated=True, actor="eve",
                audit={"file": "seed.csv", "sha256": "ab" * 32})  # fmt: skip
    row = store.audit(actions=["import"], actors=["eve"]).iloc[0]
    assert json.loads(row["detail"])["sha256"] == "ab" * 32
    assert json.loads(row["detail"])["events_unchanged"] == len(events)


def test_users_keep_a_hash_never_shown_and_every_change_is_audited(store):
    assert store.put_user("alice", "editor", "$argon2id$x", actor="cli") == "added"
    assert store.put_user("alice", "admin", actor="cli") == "changed"
    assert store.put_user("alice", "admin", actor="cli") == "unchanged"
    assert store.user("alice")["password_hash"] == "$argon2id$x"
    listed = store.users()
    assert list(listed.columns) == ["name", "role", "has_password", "created_at", "updated_at"]
    assert bool(listed["has_password"].iloc[0]) and listed["role"].iloc[0] == "admin"
    with pytest.raises(GeoError, match="last admin"):
        store.remove_user("alice", actor="cli")
    with pytest.raises(GeoError, match="last admin"):
        store.put_user("alice", "viewer", actor="cli")
    store.put_user("bob", "admin", actor="cli")
    store.remove_user("alice", actor="cli")
    assert store.user("alice") is None
    with pytest.raises(NotFoundError):
        store.remove_user("alice", actor="cli")
    trail = store.audit(actions=["user_add", "user_change", "user_remove"], target="alice")
    assert list(trail["action"]) == ["user_remove", "user_change", "user_add"]
    assert "argon2" not in " ".join(trail["detail"])


def test_the_audit_trail_is_append_only(store):
    store.append_audit("import", actor="x", target="t")
    if isinstance(store, GeoPackageStore):
        con = sqlite3.connect(store.path, isolation_level=None)
        for statement in ("UPDATE audit SET actor = 'y'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(statement)
        con.close()
    else:
        import psycopg

        with psycopg.connect(pg.url_for(pg.name_of(store._url)), autocommit=True) as con:
            for statement in ("UPDATE conflictmap.audit SET actor = 'y'", "DELETE FROM conflictmap.audit",
                              "TRUNCATE conflictmap.audit"):  # fmt: skip
                with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                    con.execute(statement)
    assert store.audit()["actor"].iloc[0] == "x"


def test_two_editors_at_the_same_moment_both_land_in_order(store):
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def record(name: str) -> None:
        start.wait()
        try:
            store.record_claim({**DENIAL, "claimant": f"Claimant {name}"}, actor=name)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=record, args=(n,)) for n in ("ann", "ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    added = store.audit(actions="claim_add")
    assert sorted(added["actor"]) == ["ann", "ben"] and added["seq"].is_monotonic_decreasing
    claimants = set(store.read_claims(event_ids=[EVENT])["claimant"])
    assert {"Claimant ann", "Claimant ben"} <= claimants


def test_an_edit_of_an_unknown_claim_or_without_its_version_is_refused(store):
    with pytest.raises(NotFoundError):
        store.record_claim({**DENIAL, "claim_id": "nope"}, actor="a", base_version=0)
    with pytest.raises(GeoError, match="version"):
        store.record_claim({**DENIAL, "claim_id": "nope"}, actor="a")
    with pytest.raises(NotFoundError):
        store.record_claim({**DENIAL, "event_id": "no-such-event"}, actor="a")
