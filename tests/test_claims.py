"""Status derivation, current figures and history (geo.claims)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.claims import ASSERTING, derive_status, fold, history, latest_by_claimant
from geo.validate import validate_claims


def _claims(*rows: tuple) -> pd.DataFrame:
    """Rows of (event_id, claimant, party, stated_at, stance, extra-dict)."""
    records = []
    for i, (event_id, claimant, party, stated_at, stance, *extra) in enumerate(rows):
        rec = {
            "claim_id": f"c{i}",
            "event_id": event_id,
            "claimant": claimant,
            "party": party,
            "stated_at": stated_at,
            "stance": stance,
            "publisher": "test",
        }
        rec |= extra[0] if extra else {}
        records.append(rec)
    columns = ["claim_id", "event_id", "claimant", "party", "stated_at", "stance", "publisher"]
    return validate_claims(pd.DataFrame(records) if records else pd.DataFrame(columns=columns))


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("e", "MoD", "RU", "2026-02-10", "asserts")], "claimed"),
        ([("e", "MoD", "RU", "2026-02-10", "asserts"), ("e", "Voloshyn", "UA", "2026-02-11", "denies")], "disputed"),
        (
            [("e", "MoD", "RU", "2026-02-10", "asserts"), ("e", "ISW", "independent", "2026-02-12", "corroborates")],
            "confirmed",
        ),
        # the other side concedes
        ([("e", "MoD", "RU", "2026-02-10", "asserts"), ("e", "GS", "UA", "2026-02-12", "asserts")], "confirmed"),
        # a denial later withdrawn by conceding: each claimant's latest statement counts
        (
            [
                ("e", "MoD", "RU", "2026-02-10", "asserts"),
                ("e", "GS", "UA", "2026-02-11", "denies"),
                ("e", "GS", "UA", "2026-02-14", "asserts"),
            ],
            "confirmed",
        ),
        ([("e", "MoD", "RU", "2026-02-10", "asserts"), ("e", "MoD", "RU", "2026-02-12", "retracts")], "retracted"),
        ([("e", "Gerasimov", "RU", "2026-02-15", "reports_fighting")], "contested"),
        # same-side "denial" (a correction by an ally) is not a dispute
        ([("e", "MoD", "RU", "2026-02-10", "asserts"), ("e", "Vostok", "RU", "2026-02-11", "asserts")], "claimed"),
        # an independent source that asserts on its own does not confirm
        (
            [("e", "MoD", "RU", "2026-02-10", "asserts"), ("e", "Paper", "independent", "2026-02-10", "asserts")],
            "claimed",
        ),
        # an independent report that comes first does not make the party's own claim a concession
        (
            [
                ("e", "Paper", "independent", "2026-02-15T00:00", "asserts"),
                ("e", "Gov", "RU", "2026-02-15T12:00", "asserts"),
            ],
            "claimed",
        ),
        # an independent fact-check denial disputes
        (
            [("e", "MoD", "RU", "2026-02-10", "asserts"), ("e", "Check", "independent", "2026-02-12", "denies")],
            "disputed",
        ),
    ],
)
def test_status_rules(rows, expected):
    assert derive_status(_claims(*rows)).to_dict() == {"e": expected}


def test_status_of_many_events_at_once():
    claims = _claims(
        ("a", "MoD", "RU", "2026-02-10", "asserts"),
        ("b", "MoD", "RU", "2026-02-10", "asserts"),
        ("b", "Voloshyn", "UA", "2026-02-11", "denies"),
        ("c", "Gerasimov", "RU", "2026-02-15", "reports_fighting"),
    )
    assert derive_status(claims).to_dict() == {"a": "claimed", "b": "disputed", "c": "contested"}


def test_empty_claims_give_empty_status():
    assert derive_status(_claims()).empty


@pytest.fixture
def bryansk():
    gov = "Governor of Bryansk Oblast"
    return _claims(
        ("s", gov, "RU", "2026-02-15T12:00", "asserts", {"intercepted": 120}),
        ("s", gov, "RU", "2026-02-15T18:00", "revises", {"intercepted": 170, "intercepted_bound": "at_least"}),
        ("s", gov, "RU", "2026-02-16", "revises", {"intercepted": 229, "text": "restored in about 3 hours"}),
        ("s", "MoD", "RU", "2026-02-15T13:00", "asserts", {"intercepted": 102}),
    )


def test_latest_per_claimant_is_the_revision(bryansk):
    latest = latest_by_claimant(bryansk).set_index("claimant")["intercepted"]
    assert latest.to_dict() == {"MoD": 102.0, "Governor of Bryansk Oblast": 229.0}


def test_history_keeps_every_statement_in_order(bryansk):
    h = history(bryansk, "s")
    assert h["intercepted"].tolist() == [120.0, 102.0, 170.0, 229.0]
    assert h["intercepted_bound"].tolist() == ["exact", "exact", "at_least", "exact"]
    assert h["current"].tolist() == [False, True, False, True]
    assert h.loc[0, "superseded_by"] == "c1"


def test_fold_takes_latest_current_figure_and_status(bryansk):
    import geopandas as gpd

    events = gpd.GeoDataFrame({"event_id": ["s", "x"]}, geometry=[None, None], crs="EPSG:4326")
    folded = fold(events, bryansk).set_index("event_id")
    assert folded.loc["s", "intercepted"] == 229
    assert folded.loc["s", "intercepted_bound"] == "exact"
    assert folded.loc["s", "status"] == "claimed"
    assert folded.loc["s", "n_claims"] == 4
    assert folded.loc["s", "claimants"] == "Governor of Bryansk Oblast;MoD"
    assert folded.loc["x", "n_claims"] == 0
    assert pd.isna(folded.loc["x", "status"])
    assert "intercepted" not in events.columns  # caller's frame untouched


def test_revision_without_a_figure_keeps_the_earlier_one():
    claims = _claims(
        ("o", "Gov", "RU", "2026-02-15T18:00", "asserts", {"municipalities": 5}),
        ("o", "Gov", "RU", "2026-02-16", "revises", {"duration_h": 3, "duration_h_bound": "about"}),
    )
    import geopandas as gpd

    folded = fold(gpd.GeoDataFrame({"event_id": ["o"]}, geometry=[None]), claims).iloc[0]
    assert folded["municipalities"] == 5
    assert folded["duration_h"] == 3
    assert folded["duration_h_bound"] == "about"


def test_retracted_claimant_contributes_no_figure():
    claims = _claims(
        ("r", "MoD", "RU", "2026-02-10", "asserts", {"settlements": 3}),
        ("r", "MoD", "RU", "2026-02-12", "retracts"),
    )
    import geopandas as gpd

    folded = fold(gpd.GeoDataFrame({"event_id": ["r"]}, geometry=[None]), claims).iloc[0]
    assert folded["status"] == "retracted"
    assert pd.isna(folded["settlements"])


def test_fold_of_nothing_has_every_column():
    import geopandas as gpd

    empty = gpd.GeoDataFrame({"event_id": pd.Series([], dtype=object)}, geometry=[], crs="EPSG:4326")
    folded = fold(empty, _claims())
    assert {"status", "n_claims", "parties", "intercepted", "intercepted_bound", "first_stated"} <= set(folded.columns)
    assert folded.empty


def _status_by_hand(rows: list[dict]) -> str:
    """The module docstring's rules for one event, written the slow, obvious way (the test's oracle)."""
    rows = sorted(rows, key=lambda r: (r["stated_at"], r["claim_id"]))
    current = {r["claimant"]: r for r in rows}  # each claimant's latest statement
    firsts = [r["party"] for r in rows if r["stance"] in ("asserts", "revises") and r["party"] in ("RU", "UA")]
    side = firsts[0] if firsts else None
    asserts = retracts = fighting = confirms = denies = False
    for r in current.values():
        other = side is not None and r["party"] in ("RU", "UA") and r["party"] != side
        asserting = r["stance"] in ("asserts", "revises")
        asserts |= asserting
        retracts |= r["stance"] == "retracts"
        fighting |= r["stance"] == "reports_fighting"
        confirms |= (r["stance"] == "corroborates" and (r["party"] == "independent" or other)) or (asserting and other)
        denies |= r["stance"] == "denies" and (side is None or r["party"] != side)
    if retracts and not asserts and not confirms:
        return "retracted"
    if confirms:
        return "confirmed"
    if denies:
        return "disputed"
    return "contested" if fighting and not asserts else "claimed"


def test_fold_agrees_with_the_rules_written_out_per_event():
    import numpy as np

    rng = np.random.default_rng(11)
    claimants = [("MoD", "RU"), ("Vostok", "RU"), ("GS", "UA"), ("Air Force", "UA"), ("ISW", "independent")]
    stances = ["asserts", "revises", "denies", "corroborates", "retracts", "reports_fighting"]
    rows = []
    for e in range(400):
        for _ in range(rng.integers(1, 6)):
            who, party = claimants[rng.integers(len(claimants))]
            rows.append((f"e{e:03d}", who, party, f"2026-02-{rng.integers(1, 6):02d}", stances[rng.integers(6)],
                         {"launched": float(rng.integers(1, 99)) if rng.random() < 0.5 else None}))  # fmt: skip
    claims = _claims(*rows)
    events = pd.DataFrame({"event_id": [f"e{e:03d}" for e in range(401)]})  # e400 has no claims
    folded = fold(events, claims).set_index("event_id")
    records = claims.to_dict("records")
    for event_id, group in claims.groupby("event_id"):
        mine = [r for r in records if r["event_id"] == event_id]
        assert folded.loc[event_id, "status"] == _status_by_hand(mine), event_id
        assert folded.loc[event_id, "n_claims"] == len(group)
        ordered = sorted(mine, key=lambda r: (r["stated_at"], r["claim_id"]))
        assert folded.loc[event_id, "claimants"] == ";".join(dict.fromkeys(r["claimant"] for r in ordered))
        assert folded.loc[event_id, "parties"] == ";".join(sorted({r["party"] for r in mine}))
        standing = {c for c, r in {r["claimant"]: r for r in ordered}.items() if r["stance"] in ASSERTING}
        stated = [r["launched"] for r in ordered
                  if r["claimant"] in standing and r["stance"] in ASSERTING and pd.notna(r["launched"])]  # fmt: skip
        expected = stated[-1] if stated else np.nan
        assert folded.loc[event_id, "launched"] == expected or (
            np.isnan(expected) and pd.isna(folded.loc[event_id, "launched"])
        )
    assert folded.loc["e400", "n_claims"] == 0 and folded.loc["e400", "status"] is None


def test_statement_table_writes_figures_as_present_does(bryansk):
    from geo import i18n
    from geo.claims import statement_table

    events = pd.DataFrame({"event_id": ["s"], "title": ["Bryansk"], "layer": ["strike"], "admin1": ["RU-BRY"]})
    every = statement_table(events, bryansk, current_only=False)
    gov = every[every["claimant"] == "Governor of Bryansk Oblast"]
    assert gov["figures"].tolist() == ["intercepted 120", "intercepted ≥170", "intercepted 229"]
    area = bryansk.iloc[:1].assign(intercepted=None, area_km2=200.0, area_km2_bound="at_least", settlements=12.0)
    area = area.assign(settlements_bound="exact")
    assert statement_table(events, area)["figures"].tolist() == ["settlements 12; area ≥200 km²"]
    i18n.register(i18n.Catalog("xx", "Dummy", messages={"intercepted": "ZZintercepted"}))
    try:
        assert statement_table(events, bryansk, lang="xx")["figures"].tolist()[-1] == "ZZintercepted 229"
    finally:
        i18n.unregister("xx")


# --- statements in reading order, written as precisely as recorded (issue 11, item 9) ---------------------------


@pytest.fixture
def one_day():
    """Statements of 15 Feb: two timed, one known only to the day; one the evening before, one a week later."""
    return _claims(
        ("e", "A", "RU", "2026-02-15", "asserts", {"stated_precision": "day", "launched": 300.0}),
        ("e", "B", "RU", "2026-02-15T12:00", "asserts", {"stated_precision": "part_of_day", "intercepted": 120.0}),
        ("e", "B", "RU", "2026-02-15T18:00", "revises", {"stated_precision": "minute", "intercepted": 170.0}),
        ("e", "C", "UA", "2026-02-14T23:00", "denies", {"stated_precision": "hour"}),
        ("e", "D", "independent", "2026-02-22", "corroborates", {"stated_precision": "week"}),
    )


def test_day_only_statements_follow_the_timed_ones_of_their_day(one_day):
    from geo.claims import day_only, statement_order

    assert day_only(one_day).tolist() == [True, False, False, False, True]
    assert one_day.iloc[statement_order(one_day)]["claim_id"].tolist() == ["c3", "c1", "c2", "c0", "c4"]
    # without a recorded precision, a statement at midnight is one known only to the day
    bare = one_day.drop(columns="stated_precision")
    assert day_only(bare).tolist() == [True, False, False, False, True]


def test_statement_table_writes_the_day_only_and_lists_it_after_the_timed(one_day):
    from geo.claims import STATEMENT_COLUMNS, statement_table

    events = pd.DataFrame({"event_id": ["e"], "title": ["Strike"], "layer": ["strike"], "admin1": ["RU-BRY"]})
    every = statement_table(events, one_day, current_only=False)
    assert tuple(every.columns) == STATEMENT_COLUMNS
    assert every["stated"].tolist() == [
        "2026-02-14 23:00",
        "2026-02-15 ~12:00",
        "2026-02-15 18:00",
        "2026-02-15",
        "by 2026-02-22",
    ]
    assert every["claimant"].tolist() == ["C", "B", "B", "A", "D"]
    assert every["current"].tolist() == [True, False, True, True, True]
    assert every["revisions"].tolist() == [0, 0, 1, 0, 0]
    assert str(every["stated_at"].dtype).startswith("datetime64")  # kept for sorting
    latest = statement_table(events, one_day)
    assert latest["stated"].tolist() == ["2026-02-14 23:00", "2026-02-15 18:00", "2026-02-15", "by 2026-02-22"]
    assert not latest["stated"].str.contains("00:00").any()


def test_stated_text_is_translated(one_day):
    from geo import i18n
    from geo.claims import stated_text

    i18n.register(i18n.Catalog("xx", "Dummy", messages={"by {day}": "ZZby {day}"}))
    try:
        assert stated_text(one_day, lang="xx").tolist()[-1] == "ZZby 2026-02-22"
    finally:
        i18n.unregister("xx")
