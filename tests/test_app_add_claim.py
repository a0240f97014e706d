"""The Add claim page (#17.3): refused to viewers; an editor records, sees every problem at once, and a stale edit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import editing
from geo.auth import Actor
from ui import auth

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "views" / "add_claim.py")
EVENT = "feb26-cap-chuhunivka"


@pytest.fixture(scope="module")
def store(team_store):
    """The bundled store with an editor and an admin, the dashboard pointed at it for this module."""
    return team_store


def page(name: str | None = None, **params: str) -> AppTest:
    """The page as ``name`` (signed in through ui.auth's session), or anonymous; run once."""
    at = AppTest.from_file(PAGE, default_timeout=90)
    if name:
        at.session_state[auth.SESSION_KEY] = auth.session_record(name)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at: AppTest) -> AppTest:
    [button] = [b for b in at.button if b.label == "Record the claim"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _fill(at: AppTest, **values: object) -> AppTest:
    for key in ("stance", "claimant", "party", "date", "stated_precision"):
        if key in values:
            widget = at.date_input(key="ac_date") if key == "date" else at.selectbox(key=f"ac_{key}")
            widget.set_value(values[key])
    for key in ("source_url", "publisher", "text"):
        if key in values:
            (at.text_area if key == "text" else at.text_input)(key=f"ac_{key}").input(values[key])
    return at


def test_a_viewer_sees_not_allowed_and_no_form(store):
    at = page(None, event=EVENT)
    assert [e.value for e in at.error] == ["not allowed: recording claims needs the editor role"]
    assert not at.text_input and not at.selectbox and not at.get("form")
    assert store.audit(actions="claim_add").empty


def test_an_editor_records_a_denial_and_the_event_is_now_disputed(store):
    at = page("ed", event=EVENT)
    assert at.selectbox(key="ac_event").value == EVENT
    assert "· Claimed ·" in at.markdown[0].value or "· claimed ·" in at.markdown[0].value
    _submit(at)  # empty: every problem at once
    [error] = at.error
    for field in ("Stance", "Claimant", "Party", "Stated", "Source address", "Publisher"):
        assert f"- **{field}**" in error.value, field
    assert store.audit(actions="claim_add").empty
    _fill(
        at,
        stance="denies",
        claimant="Ukrainian authorities (Kyiv)",
        party="UA",
        date=dt.date(2026, 2, 16),
        source_url="javascript:alert(1)",
        publisher="General Staff",
    )
    _submit(at)
    assert [e.value for e in at.error] == [
        "Nothing was recorded; fix these and submit again:\n- **Source address**: javascript: addresses are refused; "
        "only web addresses \\(http or https\\) are accepted \\(give an http\\(s\\) address with a host: https://…\\)"
    ]
    _fill(at, source_url="https://example.org/gs/16")
    _submit(at)
    assert not at.error
    assert at.success[0].value == "Recorded: Ukrainian authorities \\(Kyiv\\) — denies — the event is now disputed."
    assert at.selectbox(key="ac_stance").value is None  # an empty form for the next claim
    row = store.audit(actions="claim_add", limit=1).iloc[0]
    assert row["actor"] == "ed"


def test_an_edit_based_on_a_stale_version_is_refused(store):
    claim = editing.add_claim(
        store,
        Actor("ada", "admin"),
        "feb26-cap-sydorivka",
        {
            "stance": "denies",
            "claimant": "Sumy regional administration",
            "party": "UA",
            "stated_at": "2026-02-10",
            "source_url": "https://example.org/sumy/1",
            "publisher": "Sumy ODA",
        },
    )
    at = page("ed", event="feb26-cap-sydorivka")
    at.button(key=f"ac_edit_{claim.claim_id}").click().run()
    assert at.text_input(key="ac_source_url").value == "https://example.org/sumy/1"  # the form filled
    assert at.selectbox(key="ac_claimant").value == "Sumy regional administration"
    editing.edit_claim(
        store,
        Actor("ada", "admin"),
        claim.claim_id,
        {
            "stance": "denies",
            "claimant": "Sumy regional administration",
            "party": "UA",
            "stated_at": "2026-02-10",
            "source_url": "https://example.org/sumy/2",
            "publisher": "Sumy ODA",
        },
        claim.version,
    )
    at.text_area(key="ac_text").input("my change")
    _submit(at)
    [error] = at.error
    assert "was changed by ada" in error.value and "since you opened version 1" in error.value
    assert store.claim_history(claim.claim_id)["data"].iloc[-1]["source_url"] == "https://example.org/sumy/2"


def test_an_admin_restores_a_withdrawn_claim_from_the_page(store):
    claim = editing.add_claim(
        store,
        Actor("ed", "editor"),
        "feb26-cap-popivka",
        {
            "stance": "denies",
            "claimant": "Ukrainian border guard",
            "party": "UA",
            "stated_at": "2026-02-10",
            "source_url": "https://example.org/dpsu/1",
            "publisher": "DPSU",
        },
    )
    at = page("ed", event="feb26-cap-popivka")
    at.button(key=f"ac_withdraw_{claim.claim_id}").click().run()
    assert at.success[0].value.startswith("Withdrawn: Ukrainian border guard")
    assert not [b for b in at.button if b.key == f"ac_restore_{claim.claim_id}"]  # editors cannot restore
    at = page("ada", event="feb26-cap-popivka")
    at.button(key=f"ac_restore_{claim.claim_id}").click().run()
    assert at.success[0].value.startswith("Restored: Ukrainian border guard")
    assert claim.claim_id in set(store.read_claims(event_ids=["feb26-cap-popivka"])["claim_id"])
