"""The audit trail for people (#17.4): reading it needs the admin role; lines, table, CSV and ``audit --json``."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from geo import audit, editing
from geo.auth import SYSTEM, Actor, NotAllowedError

EDITOR = Actor("ed", "editor")
ADMIN = Actor("ada", "admin")
CLAIM = {
    "stance": "denies",
    "claimant": '=HYPERLINK("http://evil","x")',
    "party": "UA",
    "stated_at": "2026-02-16",
    "source_url": "https://example.org/gs/1",
    "publisher": "General Staff of Ukraine",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store with an import (file name and digest), a claim recorded, edited, withdrawn and restored, a deletion."""
    from geo.importers import read_file
    from geo.store import open_store

    folder = tmp_path_factory.mktemp("audit")
    s = open_store(str(folder / "conflict.gpkg"), create=True, seed=True)
    path = folder / "acled-sample.csv"
    path.write_bytes((Path(__file__).parent / "fixtures" / "import" / "acled_sample.csv").read_bytes())
    result = read_file(path, dataset="acled-sample")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    editing.import_dataset(s, EDITOR, result, "acled-sample.csv", digest)
    claim = editing.add_claim(s, EDITOR, "feb26-cap-chuhunivka", CLAIM)
    claim = editing.edit_claim(
        s, EDITOR, claim.claim_id, {**CLAIM, "text": "edited"}, claim.version, event_id="feb26-cap-chuhunivka"
    )
    editing.withdraw_claim(s, EDITOR, claim.claim_id, claim.version)
    editing.restore_claim(s, ADMIN, claim.claim_id)
    editing.delete_dataset(s, ADMIN, "acled-sample")
    s.digest = digest  # for the assertions
    s.claim_id = claim.claim_id
    return s


def test_reading_the_trail_needs_the_admin_role(store):
    for who in (None, EDITOR, Actor("v", "viewer")):
        with pytest.raises(NotAllowedError, match="read audit needs the admin role"):
            audit.read(store, who)
    assert len(audit.read(store, ADMIN)) >= 7


def test_every_write_is_a_row_newest_first_with_who_and_what(store):
    frame = audit.read(store, ADMIN)
    ours = frame[frame["actor"].isin(["ed", "ada"])]
    assert ours["action"].tolist() == [
        "delete_dataset",
        "claim_restore",
        "claim_withdraw",
        "claim_edit",
        "claim_add",
        "import",
    ]
    assert ours["seq"].is_monotonic_decreasing
    assert str(frame["at"].dt.tz) == "UTC"
    imported = ours[ours["action"] == "import"].iloc[0]
    detail = json.loads(imported["detail"])
    assert (detail["file"], detail["sha256"], detail["dataset"]) == ("acled-sample.csv", store.digest, "acled-sample")


def test_filters_by_action_actor_target_and_limit(store):
    assert audit.read(store, ADMIN, actions="claim_edit")["target"].tolist() == [store.claim_id]
    assert set(audit.read(store, ADMIN, actors=["ada"])["action"]) == {"claim_restore", "delete_dataset"}
    assert set(audit.read(store, ADMIN, target=store.claim_id[-6:].upper())["target"]) == {store.claim_id}
    assert len(audit.read(store, ADMIN, limit=2)) == 2
    assert audit.read(store, ADMIN, since="2099-01-01").empty


def test_each_row_is_one_readable_line(store):
    lines = audit.format_rows(audit.read(store, ADMIN, actors=["ed", "ada"]))
    assert len(lines) == 6 and all("\n" not in line for line in lines)
    imported = lines[-1]
    assert "  ed  import  acled-sample  file acled-sample.csv, sha256 " + store.digest[:12] + "…" in imported
    assert " new events" in imported and "{" not in imported  # counts in words, not raw JSON
    assert imported[:23].endswith("UTC") and imported[4] == "-"
    assert "  ada  delete_dataset  acled-sample  " in lines[0] and "events" in lines[0] and "deletion " in lines[0]


def test_details_read_as_words():
    text = audit.details(
        '{"file": "acled.csv", "sha256": "1a2b3c4d5e6f7a8b9c", "events_inserted": 1200, '
        '"events_updated": 0, "dataset": "acled-2024"}'
    )
    assert text == "file acled.csv, sha256 1a2b3c4d5e6f…, 1,200 new events, dataset acled-2024"
    assert audit.details(None) == "" and audit.details("not json") == "detail not json"
    row = {
        "at": pd.Timestamp("2026-12-01 09:14:03", tz="UTC"),
        "actor": "ed",
        "action": "claim_add",
        "target": "rec-1",
        "detail": {"stance": "denies"},
    }
    assert audit.describe(row) == "2026-12-01 09:14:03 UTC  ed  claim_add  rec-1  stance denies"


def test_the_csv_download_neutralises_formulas(store):
    table = audit.table(audit.read(store, ADMIN, actions="claim_add"))
    text = audit.csv_bytes(table).decode("utf-8")
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == ["seq", "at", "actor", "action", "target", "details"]
    assert "claimant =HYPERLINK" in frame["details"].iloc[0]  # not at the start of the cell: stays as it is
    assert audit.csv_bytes(pd.DataFrame({"target": ["=1+1"], "n": [1]})).decode() == "target,n\n'=1+1,1\n"


def _run(argv: list[str], store_path: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="geo")
    audit.add_commands(parser.add_subparsers(dest="command"), "the store")
    return parser.parse_args([*argv, "--store", store_path])


def test_the_command_line_prints_json_and_lines_as_the_operator(store, capsys):
    args = _run(["audit", "--json", "--action", "claim_add", "--action", "import", "--actor", "ed"], store.location)
    assert args.func(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["action"] for r in rows] == ["claim_add", "import"]
    assert rows[1]["detail"]["file"] == "acled-sample.csv" and rows[1]["detail"]["sha256"] == store.digest
    assert rows[0]["at"].endswith("Z") and isinstance(rows[0]["seq"], int)
    args = _run(["audit", "--limit", "1"], store.location)
    assert args.func(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "  ada  delete_dataset  acled-sample" in out[0]
    args = _run(["audit", "--since", "2099-01-01"], store.location)
    args.func(args)
    assert capsys.readouterr().out == "no audit rows match\n"
    with pytest.raises(SystemExit):
        _run(["audit", "--limit", "0"], store.location)
    assert SYSTEM.role == "admin"


def test_an_import_from_the_command_line_is_audited_with_its_file_and_sha256(tmp_path, capsys):
    import hashlib
    import json as _json
    from pathlib import Path

    from geo import cli
    from geo.store import open_store

    source = Path(__file__).parent / "fixtures" / "import" / "acled_sample.csv"
    store_path = tmp_path / "s.gpkg"
    open_store(store_path, create=True, seed=True)
    assert cli.main(["import", str(source), "--store", str(store_path), "--dataset", "acled-test"]) == 0
    row = open_store(store_path).audit(actions="import", actors="cli").iloc[0]
    detail = _json.loads(row["detail"])
    assert row["target"] == "acled-test" and detail["file"] == "acled_sample.csv"
    assert detail["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert detail["events_inserted"] > 0
