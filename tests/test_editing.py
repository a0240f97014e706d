"""Recording claims by hand (#17.3, #17.6): guarded writes, the form's checks, places, and escaping."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo import editing
from geo.auth import ANONYMOUS, Actor, NotAllowedError
from geo.errors import StaleEditError, ValidationError

VIEWER = Actor("vera", "viewer")
EDITOR = Actor("ed", "editor")
ADMIN = Actor("ada", "admin")
EVENT = "feb26-cap-chuhunivka"  # claimed by Russia, not answered: "claimed"
DENIAL = {
    "stance": "denies",
    "claimant": "General Staff of the Armed Forces of Ukraine",
    "party": "UA",
    "stated_at": "2026-02-16 09:30",
    "stated_precision": "minute",
    "text": "The capture of Chuhunivka is not confirmed.",
    "source_url": "https://example.org/gs/1",
    "publisher": "General Staff of Ukraine",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from geo.store import open_store

    return open_store(str(tmp_path_factory.mktemp("editing") / "conflict.gpkg"), create=True, seed=True)


class _Untouchable:
    """A store that fails the test on any use: a refused action must not even read it."""

    def __getattr__(self, name):
        raise AssertionError(f"the store was used ({name}) before the role was checked")


# -- roles, checked first ---------------------------------------------------------------------------------------


CALLS = {
    "add_claim": lambda s, a: editing.add_claim(s, a, EVENT, DENIAL),
    "edit_claim": lambda s, a: editing.edit_claim(s, a, "feb26-c1", DENIAL, 0, event_id=EVENT),
    "withdraw_claim": lambda s, a: editing.withdraw_claim(s, a, "feb26-c1", 0),
    "add_event": lambda s, a: editing.add_event(s, a, {"layer": "capture"}, DENIAL),
    "import_dataset": lambda s, a: editing.import_dataset(s, a, object(), "x.csv", "00"),
    "restore_claim": lambda s, a: editing.restore_claim(s, a, "feb26-c1"),
    "delete_dataset": lambda s, a: editing.delete_dataset(s, a, "feb-2026"),
    "restore_dataset": lambda s, a: editing.restore_dataset(s, a, "abc"),
}
ADMIN_ONLY = {"restore_claim", "delete_dataset", "restore_dataset"}


@pytest.mark.parametrize("who", [None, ANONYMOUS, VIEWER, Actor("nobody", None, "oidc")], ids=repr)
@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_viewer_or_anonymous_is_refused_before_the_store_is_touched(call, who):
    with pytest.raises(NotAllowedError, match=r"^not allowed: "):
        CALLS[call](_Untouchable(), who)


@pytest.mark.parametrize("call", sorted(ADMIN_ONLY))
def test_an_editor_may_not_do_what_needs_an_admin(call):
    with pytest.raises(NotAllowedError, match="needs the admin role; you are signed in as 'ed' \\(editor\\)"):
        CALLS[call](_Untouchable(), EDITOR)


def test_a_refused_write_leaves_the_store_as_it_was(store):
    before, claims = store.version(), len(store.read_claims(event_ids=[EVENT]))
    for who in (None, ANONYMOUS, VIEWER):
        with pytest.raises(NotAllowedError):
            editing.add_claim(store, who, EVENT, DENIAL)
    with pytest.raises(NotAllowedError):
        editing.delete_dataset(store, EDITOR, "feb-2026")
    assert store.version() == before
    assert len(store.read_claims(event_ids=[EVENT])) == claims
    assert "feb-2026" in store.datasets()["name"].tolist()


# -- the form: every problem at once -------------------------------------------------------------------------------


def test_the_form_lists_every_problem_at_once_each_naming_its_field():
    form = editing.ClaimForm.from_fields(
        {
            "stance": "revises",
            "claimant": "  ",
            "party": "NATO",
            "stated_at": "yesterday-ish",
            "stated_precision": "fortnight",
            "source_url": "javascript:alert(1)",
            "intercepted": "-4",
            "intercepted_bound": "roughly",
        }
    )
    with pytest.raises(ValidationError) as caught:
        form.check("strike")
    by_field = {p.column: p.message for p in caught.value.problems}
    assert set(by_field) == {
        "party",
        "stated_precision",
        "claimant",
        "publisher",
        "stated_at",
        "source_url",
        "intercepted",
        "figures",
    }
    assert by_field["party"] == "unknown value: 'NATO'"
    assert by_field["claimant"] == "required value is empty"
    assert by_field["stated_at"].startswith("not a date")
    assert by_field["source_url"].startswith("javascript: addresses are refused")
    assert by_field["figures"] == "a revision states new figures: none given"  # the only figure was refused
    assert len(caught.value.problems) == 8


def test_a_complete_form_gives_the_claims_columns():
    claim = editing.ClaimForm.from_fields({**DENIAL, "intercepted": 12}).problems("capture")
    assert [p.column for p in claim] == ["intercepted"]  # a strike's figure on a capture
    out = editing.ClaimForm.from_fields({**DENIAL, "settlements": "3", "settlements_bound": "at_least"}).check(
        "capture"
    )
    assert out["settlements"] == 3.0 and out["settlements_bound"] == "at_least"
    assert out["stated_at"] == pd.Timestamp("2026-02-16 09:30")
    assert out["claimant"] == DENIAL["claimant"] and out["stance"] == "denies" and out["other_sources"] is None
    assert "claim_id" not in out and "event_id" not in out


def test_a_statement_in_the_future_or_before_2014_is_refused():
    form = editing.ClaimForm.from_fields({**DENIAL, "stated_at": "2026-03-01"})
    assert [p.message for p in form.problems(today=dt.date(2026, 2, 20))] == ["date in the future: 2026-03-01"]
    form = editing.ClaimForm.from_fields({**DENIAL, "stated_at": "2004-03-01"})
    assert [p.message for p in form.problems()] == ["date before 2014: 2004-03-01"]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("javascript:alert(document.cookie)", "javascript: addresses are refused"),
        ("JaVaScRiPt:alert(1)", "javascript: addresses are refused"),
        ("data:text/html,<script>alert(1)</script>", "data: addresses are refused"),
        ("file:///etc/passwd", "file: addresses are refused"),
        ("ftp://example.org/x", "ftp: addresses are refused"),
        ("vbscript:msgbox", "vbscript: addresses are refused"),
        ("//example.org/x", "not a web address"),
        ("example.org/x", "not a web address"),
        ("https://", "not a web address (no host)"),
        ("", "a source address is required"),
    ],
)
def test_a_source_address_must_be_http_or_https(url, words):
    problems = editing.ClaimForm.from_fields({**DENIAL, "source_url": url}).problems()
    assert len(problems) == 1 and problems[0].column == "source_url"
    assert problems[0].message.startswith(words), problems[0].message


def test_other_sources_are_checked_one_by_one():
    form = editing.ClaimForm.from_fields({**DENIAL, "other_sources": "https://a.org/1; data:text/html,x"})
    assert [(p.column, p.message.split(";")[0]) for p in form.problems()] == [
        ("other_sources", "data: addresses are refused")
    ]
    assert editing.check_source_url("http://example.org/a?b=1") == []


# -- new events: places, never an invented point ------------------------------------------------------------------


def test_places_are_found_in_any_spelling_with_their_geonames_point():
    for query in ("Гуляйполе", "Gulyaypole", "Huliaipole"):
        first = editing.find_places(query)[0]
        assert (first.name, first.admin1, first.precision) == ("Hulyaypole", "UA-23", "exact")
        assert first.source == "GeoNames 707898" and first.lon == pytest.approx(36.25576)
    region = editing.find_places("Запорожская область")[0]
    assert (region.admin1, region.precision, region.lon, region.lat) == ("UA-23", "admin1", None, None)
    assert editing.find_places("Xyzzyville") == [] and editing.find_places("  ") == []


def test_a_new_event_has_a_point_only_when_one_was_found_or_given():
    base = {"layer": "capture", "time_start": "2026-02-20", "place": "Somewhere"}
    event, problems = editing.EventForm.from_fields(
        {**base, "geo_precision": "admin1", "admin1": "Zaporizhzhia"}
    ).check()
    assert problems == [] and event["geometry"] is None and (event["admin1"], event["country"]) == ("UA-23", "UA")
    _, problems = editing.EventForm.from_fields({**base, "geo_precision": "exact"}).check()
    assert [p.column for p in problems] == ["geometry"]  # exact needs a point: none is made up
    _, problems = editing.EventForm.from_fields(
        {**base, "geo_precision": "admin1", "admin1": "UA-23", "lon": 35}
    ).check()
    assert [p.message for p in problems] == ["a point is kept only at exact or near precision, not admin1"]
    near = editing.EventForm.from_fields({**base, "geo_precision": "near", "lon": 35.1, "lat": 47.8}).check()[0]
    assert (near["geometry"].x, near["geometry"].y, near["geo_precision"]) == (35.1, 47.8, "near")
    _, problems = editing.EventForm.from_fields({"geo_precision": "admin1", "admin1": "Atlantis"}).check()
    assert {p.column for p in problems} == {"layer", "time_start", "place", "admin1"}


def test_claimants_are_suggested_most_frequent_first(store):
    frame = pd.DataFrame({"claimant": ["B", "A", "B", None, " ", "C", "A", "B"]})
    assert editing.claimants(frame) == ["B", "A", "C"]
    names = editing.claimants(store)
    assert names[0] in set(store.read_claims()["claimant"]) and len(names) == len(set(names))


# -- recorded in the store -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recorded(store):
    """An editor's denial of the Chuhunivka capture, and the store's state after it."""
    return editing.add_claim(store, EDITOR, EVENT, DENIAL)


def test_an_editors_denial_makes_the_event_disputed_and_is_audited(store, recorded):
    from geo.store.snapshot import read_display

    events, claims = read_display(store)
    assert events.set_index("event_id").loc[EVENT, "status"] == "disputed"
    mine = claims[claims["claim_id"] == recorded.claim_id].iloc[0]
    assert (mine["claimant"], mine["stance"], mine["event_id"]) == (DENIAL["claimant"], "denies", EVENT)
    assert recorded.version == 1 and store.claim_version(recorded.claim_id) == 1
    row = store.audit(actions="claim_add", limit=1).iloc[0]
    assert (row["actor"], row["target"]) == ("ed", recorded.claim_id)


def test_an_edit_keeps_the_earlier_version_and_a_stale_one_is_refused(store, recorded):
    changed = {**DENIAL, "text": "Ukraine denies the capture of Chuhunivka."}
    new = editing.edit_claim(store, EDITOR, recorded.claim_id, changed, recorded.version, event_id=EVENT)
    assert new.version == recorded.version + 1
    before = store.version()
    with pytest.raises(StaleEditError, match="since you opened version 1"):
        editing.edit_claim(store, ADMIN, recorded.claim_id, {**DENIAL, "text": "late"}, recorded.version)
    assert store.version() == before
    history = store.claim_history(recorded.claim_id)
    assert [d["text"] for d in history["data"]] == [DENIAL["text"], changed["text"]]


def test_a_withdrawn_claim_is_gone_until_an_admin_restores_it(store):
    claim = editing.add_claim(store, EDITOR, "feb26-cap-sydorivka", {**DENIAL, "text": "withdraw me"})
    editing.withdraw_claim(store, EDITOR, claim.claim_id, claim.version)
    assert claim.claim_id not in set(store.read_claims(event_ids=["feb26-cap-sydorivka"])["claim_id"])
    assert claim.claim_id in set(store.withdrawn_claims()["claim_id"])
    with pytest.raises(NotAllowedError):
        editing.restore_claim(store, EDITOR, claim.claim_id)
    editing.restore_claim(store, ADMIN, claim.claim_id)
    assert claim.claim_id in set(store.read_claims(event_ids=["feb26-cap-sydorivka"])["claim_id"])


def test_a_new_event_with_its_first_claim_is_placed_from_the_gazetteer(store):
    place = editing.find_places("Гуляйполе")[0]
    event = {"layer": "capture", "time_start": "2026-02-18", "title": "Huliaipole claimed", **place.event_fields()}
    claim = {**DENIAL, "stance": "asserts", "claimant": "Russian Ministry of Defence", "party": "RU"}
    recorded = editing.add_event(store, EDITOR, event, claim)
    stored = store.read_events(event_ids=[recorded.event_id]).iloc[0]
    assert (stored["place"], stored["admin1"], stored["geo_precision"]) == ("Hulyaypole", "UA-23", "exact")
    assert stored["geo_source"] == "GeoNames 707898" and stored["dataset"] == "recorded"
    assert stored.geometry.x == pytest.approx(36.25576)
    with pytest.raises(ValidationError) as caught:
        editing.add_event(store, EDITOR, {"layer": "capture"}, {"stance": "asserts"})
    columns = {p.column for p in caught.value.problems}
    assert {"event.time_start", "event.geo_precision", "claimant", "source_url", "publisher"} <= columns


def test_the_store_validates_again_with_the_importers_rules(store):
    """A request that skips the form (a replayed one) meets the importers' rules in the store; nothing is written."""
    before = store.version()
    bypass = {**editing.ClaimForm.from_fields(DENIAL).check(), "source_url": "javascript:alert(1)", "party": "NATO"}
    with pytest.raises(ValidationError) as caught:
        store.record_claim({**bypass, "claim_id": None, "event_id": EVENT}, actor="ed")
    assert {p.column for p in caught.value.problems} == {"claims.source_url", "claims.party"}
    assert store.version() == before


# -- escaping ------------------------------------------------------------------------------------------------------


def test_a_recorded_claimant_and_source_come_out_escaped_in_popups_and_tables(store):
    from geo.claims import statement_table
    from geo.mapview import popups
    from geo.store.snapshot import read_display

    hostile = {
        **DENIAL,
        "claimant": "<script>alert(1)</script>",
        "publisher": '"><img src=x onerror=alert(2)>',
        "text": "<b>bold</b>",
        "source_url": 'https://example.org/?q=<x>&a="b"',
    }
    editing.add_claim(store, EDITOR, "feb26-cap-hlushkivka", hostile)
    events, claims = read_display(store)
    row = events[events["event_id"] == "feb26-cap-hlushkivka"].iloc[0].to_dict()
    claims_of = popups._claims_by_event(claims, [row["event_id"]])
    with popups.add_claim_links():
        html = popups._point_popup(row, claims_of)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<b>bold" not in html
    assert 'href="/add_claim?event=feb26-cap-hlushkivka" target="_blank" rel="noopener">Add a claim</a>' in html
    table = statement_table(events[events["event_id"] == row["event_id"]], claims)
    assert "<script>alert(1)</script>" in set(table["claimant"])  # text in a table cell: Streamlit shows it as text


def test_the_add_a_claim_link_is_url_encoded_and_escaped_and_only_on_the_dashboard():
    from geo.mapview import popups

    row = {"event_id": 'a b"<c>&d?e', "title": "T"}
    assert "Add a claim" not in popups._point_popup(row, {})  # exports (standalone HTML) have no such page
    with popups.add_claim_links("/add_claim"):
        html = popups._point_popup(row, {})
    assert 'href="/add_claim?event=a%20b%22%3Cc%3E%26d%3Fe" target="_blank"' in html
    assert popups.add_claim_href("x/y") == "/add_claim?event=x%2Fy"
