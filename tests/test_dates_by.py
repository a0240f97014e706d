"""Event date or statement date (issue 11, item 5): the filter's ``by``, in the value, the link, words and selection.

A 15–16 February filter by event hides Gerasimov's 15 February statement (its
events span 1–14 February) and shows Ukraine's answers of 20 and 23 February
(their event spans 1–23 February); by statement it is the other way round;
either (the default) shows both.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import claims, synthetic
from geo.errors import ValidationError
from geo.filters import BY, Filter, apply, filter_claims, talks_for
from geo.seed import load_seed

ROOT = Path(__file__).resolve().parents[1]
FEB_15_16 = {"date_from": "2026-02-15", "date_to": "2026-02-16"}
GERASIMOV = {  # stated on 15 Feb about captures of 1–14 Feb
    "feb26-cap-gerasimov-12-settlements",
    "feb26-cap-popivka",
    "feb26-cap-sydorivka",
    "feb26-cap-chuhunivka",
    "feb26-cap-hlushkivka",
}
COUNTEROFFENSIVE = "feb26-cap-ua-south-counteroffensive"  # 1–23 Feb, stated on 20 and 23 Feb
GENEVA = "feb26-talks-geneva-3"  # held 17–18 Feb, announced on 16 Feb


@pytest.fixture(scope="module")
def seed() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claim_rows = load_seed()
    return claims.fold(events, claim_rows), claim_rows


def ids(events: pd.DataFrame) -> set[str]:
    return set(events["event_id"])


def _naive(events: pd.DataFrame, claim_rows: pd.DataFrame, flt: Filter) -> set[str]:
    """Reference, one event and one claim at a time: which events the dates keep (no other field)."""
    first = flt.date_from or dt.date.min
    last = flt.date_to or dt.date.max
    stated: dict[str, list[tuple[dt.date, str]]] = {}
    for row in claim_rows.itertuples():
        precision = getattr(row, "stated_precision", "day")
        stated.setdefault(row.event_id, []).append((pd.Timestamp(row.stated_at).date(), precision))
    keep = set()
    for row in events.itertuples():
        happened = pd.Timestamp(row.time_start).date() <= last and pd.Timestamp(row.time_end).date() >= first
        said = any(
            day >= first and (day - dt.timedelta(days=6 if precision == "week" else 0)) <= last
            for day, precision in stated.get(row.event_id, [])
        )
        if row.layer == "talks" or flt.by == "event":
            match = happened
        elif flt.by == "statement":
            match = said
        else:
            match = happened or said
        if match:
            keep.add(row.event_id)
    return keep


# -- the value and its link ---------------------------------------------------------------------------------


def test_by_defaults_to_either_and_is_left_out_of_links():
    assert BY == ("either", "event", "statement")
    flt = Filter.create(**FEB_15_16)
    assert flt.by == "either"
    assert "by" not in flt.to_query()
    assert Filter.create(by="either") == Filter() and Filter().is_empty
    assert Filter.create(by="statement").is_empty  # without dates it restricts nothing


@pytest.mark.parametrize("by", BY)
def test_by_round_trips_through_the_link(by):
    flt = Filter.create(**FEB_15_16, by=by, regions=["RU-BRY"])
    query = flt.to_query()
    assert query.get("by") == (None if by == "either" else by)
    assert Filter.from_query(query) == flt
    assert Filter.from_url(flt.to_url("http://localhost:8501/captures")) == flt


def test_by_spellings_and_bad_values():
    assert Filter.from_url("?by=Statements&from=2026-02-15").by == "statement"
    assert Filter.from_query({"by": " EVENT "}).by == "event"
    assert Filter.from_query({"by": ""}).by == "either"
    with pytest.raises(ValidationError, match="by") as info:
        Filter.from_query({"by": "claimed", "region": "Narnia"})
    assert [p.column for p in info.value.problems] == ["by", "region"]  # every problem, in parameter order
    assert "either, event, statement" in str(info.value)
    with pytest.raises(ValidationError, match="given 2 times"):
        Filter.from_query({"by": ["event", "statement"]})


@pytest.mark.parametrize(
    ("by", "words"),
    [
        ("either", "events or statements 15–16 Feb 2026 · captures"),
        ("event", "events 15–16 Feb 2026 · captures"),
        ("statement", "statements 15–16 Feb 2026 · captures"),
    ],
)
def test_by_in_words(by, words):
    assert Filter.create(**FEB_15_16, by=by, layers=["capture"]).describe() == words


# -- the selection on the bundled data --------------------------------------------------------------------


def test_15_16_february_by_event(seed):
    folded, claim_rows = seed
    got = ids(apply(folded, Filter.create(**FEB_15_16, by="event"), claim_rows))
    assert not GERASIMOV & got  # their events happened before
    assert COUNTEROFFENSIVE in got  # its event spans the dates; its statements came later
    assert GENEVA not in got
    assert got == _naive(folded, claim_rows, Filter.create(**FEB_15_16, by="event"))


def test_15_16_february_by_statement(seed):
    folded, claim_rows = seed
    flt = Filter.create(**FEB_15_16, by="statement")
    got = apply(folded, flt, claim_rows)
    assert ids(got) >= GERASIMOV
    assert COUNTEROFFENSIVE not in ids(got)  # answered on 20 and 23 Feb
    assert "feb26-cap-staroukrainka" in ids(got)  # a capture of 1–5 Feb that "Vostok" claimed again on 16 Feb
    assert GENEVA not in ids(got)  # announced on 16 Feb, held 17–18 Feb: talks follow their own dates
    assert "feb26-strike-bryansk-wave" in ids(got)
    assert ids(got) == _naive(folded, claim_rows, flt)
    # An event admitted by a statement is shown whole: every claim about it, also those outside the dates.
    staroukrainka = filter_claims(claim_rows, got)
    staroukrainka = staroukrainka[staroukrainka["event_id"] == "feb26-cap-staroukrainka"]
    assert len(staroukrainka) == 3 and staroukrainka["stated_at"].min() < pd.Timestamp("2026-02-15")


def test_15_16_february_by_either_is_the_default(seed):
    folded, claim_rows = seed
    flt = Filter.create(**FEB_15_16)
    got = ids(apply(folded, flt, claim_rows))
    assert got >= GERASIMOV and COUNTEROFFENSIVE in got and GENEVA not in got
    by_event = ids(apply(folded, flt.replace(by="event"), claim_rows))
    by_statement = ids(apply(folded, flt.replace(by="statement"), claim_rows))
    assert got == by_event | by_statement == _naive(folded, claim_rows, flt)
    answers = filter_claims(claim_rows, apply(folded, flt, claim_rows))
    answers = answers[answers["event_id"] == COUNTEROFFENSIVE]
    assert sorted(answers["stated_at"].dt.day) == [20, 23]


@pytest.mark.parametrize("by", BY)
def test_talks_follow_their_own_dates(seed, by):
    folded, claim_rows = seed
    on_16 = Filter.create(date_from="2026-02-16", date_to="2026-02-16", by=by)
    assert GENEVA not in ids(apply(folded, on_16, claim_rows))  # announced that day
    held = Filter.create(date_from="2026-02-17", date_to="2026-02-18", by=by)
    assert GENEVA in ids(apply(folded, held, claim_rows))  # held then; reported by MENAFN on 17 Feb
    assert ids(talks_for(folded, held)) == {GENEVA}


@pytest.mark.parametrize("by", BY)
@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-02-15", "2026-02-16"), ("2026-02-20", None), (None, "2026-02-04"), ("2026-02-11", "2026-02-11")],
)
def test_selection_matches_the_reference_without_the_folded_statement_dates(seed, by, start, end):
    """The quick path (first and last statement of each event) and the claims alone agree with the reference."""
    folded, claim_rows = seed
    flt = Filter.create(date_from=start, date_to=end, by=by)
    expected = _naive(folded, claim_rows, flt)
    assert ids(apply(folded, flt, claim_rows)) == expected
    assert ids(apply(folded.drop(columns=["first_stated", "last_stated"]), flt, claim_rows)) == expected


def test_a_claim_stated_to_the_week_counts_for_the_week_before_its_date():
    events = pd.DataFrame(
        {
            "event_id": ["week", "day"],
            "layer": ["capture", "capture"],
            "time_start": pd.to_datetime(["2026-01-10", "2026-01-10"]),
            "time_end": pd.to_datetime(["2026-01-10", "2026-01-10"]),
        }
    )
    stated = pd.DataFrame(
        {
            "event_id": ["week", "day"],
            "stated_at": pd.to_datetime(["2026-02-20", "2026-02-20"]),  # "by 20 February"
            "stated_precision": ["week", "day"],
        }
    )
    folded = events.assign(first_stated=stated["stated_at"], last_stated=stated["stated_at"])

    def by_statement(frame: pd.DataFrame, start: str, end: str | None) -> set[str]:
        return ids(apply(frame, Filter.create(date_from=start, date_to=end, by="statement"), stated))

    for frame in (events, folded):
        assert by_statement(frame, "2026-02-15", "2026-02-16") == {"week"}  # stated in 14–20 Feb
        assert by_statement(frame, "2026-02-10", "2026-02-13") == set()
        assert by_statement(frame, "2026-02-20", None) == {"week", "day"}
        assert by_statement(frame, "2026-02-21", None) == set()


def test_statements_need_the_claims(seed):
    folded, claim_rows = seed
    with pytest.raises(ValidationError, match="pass claims="):
        apply(folded, Filter.create(**FEB_15_16))
    with pytest.raises(ValidationError, match="claims have no 'stated_at'"):
        apply(folded, Filter.create(**FEB_15_16, by="statement"), claim_rows.drop(columns=["stated_at"]))
    # Not needed: no dates, dates of events, or only the talks (which follow their own dates).
    assert len(apply(folded, Filter.create(by="statement"))) == len(folded)
    assert len(apply(folded, Filter.create(**FEB_15_16, by="event"))) == 21
    assert ids(apply(folded, Filter.create(date_from="2026-02-10", layers=["talks"]))) == {GENEVA}


@pytest.mark.slow
@pytest.mark.parametrize("by", ["statement", "either"])
def test_selection_matches_the_reference_on_synthetic_data(by):
    events, claim_rows = synthetic.generate(3_000, seed=11)
    folded = claims.fold(events, claim_rows)
    middle = folded["time_start"].sort_values().iloc[len(folded) // 2].date()
    for start, end in ((middle, middle + dt.timedelta(days=3)), (middle, None), (None, middle)):
        flt = Filter.create(date_from=start, date_to=end, by=by)
        expected = _naive(folded, claim_rows, flt)
        assert ids(apply(folded, flt, claim_rows)) == expected
        assert 0 < len(expected) < len(folded)


def _million(n_events: int = 1_000_000, n_claims: int = 1_700_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and claims at the dashboard's scale, shaped like its snapshot (ordered by layer and start)."""
    rng = np.random.default_rng(5)
    day = np.datetime64("2024-01-01", "ms") + rng.integers(0, 730, n_events).astype("timedelta64[D]")
    layer = rng.choice(np.array(["capture", "impact", "strike"]), n_events, p=[0.3, 0.2, 0.5])
    order = np.lexsort((day, layer))
    ids_ = pd.array([f"ev-{i}" for i in range(n_events)], dtype="str")
    events = pd.DataFrame({"event_id": ids_, "layer": layer, "time_start": day[order]})
    events["time_end"] = events["time_start"]
    owner = rng.integers(0, n_events, n_claims)
    lag = rng.integers(0, 40, n_claims).astype("timedelta64[D]")
    stated = events["time_start"].to_numpy()[owner] + lag
    claim_rows = pd.DataFrame({"event_id": pd.array(ids_[owner], dtype="str"), "stated_at": stated})
    claim_rows["stated_precision"] = "day"
    ticks = stated.view("i8")
    first = np.full(n_events, np.iinfo(np.int64).max)
    last = np.full(n_events, np.iinfo(np.int64).min)
    np.minimum.at(first, owner, ticks)
    np.maximum.at(last, owner, ticks)
    none = first == np.iinfo(np.int64).max
    first, last = first.view("datetime64[ms]"), last.view("datetime64[ms]")
    first[none] = last[none] = np.datetime64("NaT")
    return events.assign(first_stated=first, last_stated=last), claim_rows


@pytest.mark.slow
def test_statements_of_1_7_million_claims_are_matched_fast():
    events, claim_rows = _million()
    for flt in (
        Filter.create(date_from="2025-03-01", date_to="2025-03-02"),
        Filter.create(date_from="2025-03-01", date_to="2025-03-31", by="statement"),
        Filter.create(date_from="2024-06-01"),
    ):
        started = time.perf_counter()
        got = apply(events, flt, claim_rows)
        took = time.perf_counter() - started
        assert 0 < len(got) < len(events)
        assert took < 1.5, f"{flt.describe()}: {took:.2f} s"
    sample = events.iloc[::2000]
    flt = Filter.create(date_from="2025-03-01", date_to="2025-03-02")
    sampled_claims = claim_rows[claim_rows["event_id"].isin(set(sample["event_id"]))]
    assert ids(apply(events, flt, claim_rows)) & ids(sample) == _naive(sample, sampled_claims, flt)


# -- exports and the dashboard ----------------------------------------------------------------------------


def test_an_export_says_what_its_dates_match(seed, tmp_path):
    from geo.exporters import export

    folded, claim_rows = seed
    flt = Filter.create(**FEB_15_16, by="statement")
    events = apply(folded, flt, claim_rows)
    out = export("html", events, filter_claims(claim_rows, events), flt, tmp_path / "x.html")
    assert "statements 15–16 Feb 2026" in out.read_text(encoding="utf-8")


def _caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if " events · " in c.value)


def test_a_link_by_statement_opens_that_view(store_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["from"] = "2026-02-15"
    at.query_params["to"] = "2026-02-16"
    at.query_params["by"] = "statement"
    at.query_params["layer"] = "capture"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.radio(key="f_by").value == "statement"
    caption = _caption(at)
    assert caption.startswith("statements 15–16 Feb 2026 · captures")
    by_statement = int(caption.split(" · ")[2].split()[0])
    assert not at.sidebar.warning  # a valid link: nothing to report
    at.sidebar.radio(key="f_by").set_value("event").run()
    assert not at.exception
    assert at.query_params["by"] in ("event", ["event"])
    assert _caption(at).startswith("events 15–16 Feb 2026")
    assert int(_caption(at).split(" · ")[2].split()[0]) != by_statement
    at.sidebar.radio(key="f_by").set_value("either").run()
    assert "by" not in at.query_params  # the default is left out of the link
    assert _caption(at).startswith("events or statements 15–16 Feb 2026")


def test_the_sources_page_lists_events_admitted_by_a_statement_whole(store_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in {"from": "2026-02-15", "to": "2026-02-16", "by": "statement"}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("views/sources.py").run()
    assert not at.exception, [e.value for e in at.exception]
    claimants = " ".join(at.dataframe[0].value["claimant"])
    assert "Gerasimov" in claimants  # his 15 Feb statement about 1–14 Feb
    assert "Syrskyi" not in claimants and "Zelenskyy" not in claimants  # their statements of 20 and 23 Feb
    assert "Voloshyn" in claimants  # Ukraine's answer of 5 Feb about Staroukrainka, claimed again on 16 Feb
