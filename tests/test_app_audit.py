"""The Audit page (#17.4): admins only; filters, readable details, a CSV download."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import editing
from geo.auth import Actor
from ui import auth

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "views" / "audit.py")


@pytest.fixture(scope="module")
def store(team_store):
    """The bundled store with an editor, an admin and one claim recorded by the editor."""
    claim = {
        "stance": "denies",
        "claimant": "<b>Kyiv</b>",
        "party": "UA",
        "stated_at": "2026-02-16",
        "source_url": "https://example.org/1",
        "publisher": "Example",
    }
    team_store.recorded = editing.add_claim(team_store, Actor("ed", "editor"), "feb26-cap-chuhunivka", claim)
    return team_store


def page(name: str | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if name:
        at.session_state[auth.SESSION_KEY] = auth.session_record(name)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("name", [None, "ed"])
def test_viewers_and_editors_see_not_allowed(store, name):
    at = page(name)
    assert [e.value for e in at.error] == ["not allowed: reading the audit trail needs the admin role"]
    assert not at.dataframe and not at.get("download_button")


def test_an_admin_sees_the_rows_newest_first_with_readable_details(store):
    at = page("ada")
    table = at.dataframe[0].value
    assert list(table.columns) == ["seq", "at", "actor", "action", "target", "details"]
    assert table["action"].tolist() == ["claim_add", "user_add", "user_add", "import"]  # newest first
    assert table["seq"].is_monotonic_decreasing and table["target"].tolist()[1:3] == ["ada", "ed"]
    mine = table[table["action"] == "claim_add"].iloc[0]
    assert (mine["actor"], mine["target"]) == ("ed", store.recorded.claim_id)
    assert (
        "claimant <b>Kyiv</b>" in mine["details"] and "stance denies" in mine["details"] and "{" not in mine["details"]
    )
    assert mine["at"].endswith(" UTC")
    assert len(at.get("download_button")) == 1
    at.multiselect(key="audit_actions").set_value(["import"]).run()
    assert set(at.dataframe[0].value["action"]) == {"import"}
    at.multiselect(key="audit_actions").set_value([]).run()
    at.text_input(key="audit_target").input("no-such-target").run()
    assert [i.value for i in at.info] == ["No audit rows match these filters."]
