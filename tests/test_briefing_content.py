"""The content of a briefing (geo/briefing/content.py) on the bundled seed: frame, key claims, totals, sources."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo import briefing, claims, filters, reference, totals
from geo.control.check import VERDICT_COLUMNS, verdict_text
from geo.seed import load_seed

BRYANSK_WAVE = "feb26-strike-bryansk-wave"
GOVERNOR = "Governor of Bryansk Oblast (A. Bogomaz)"


@pytest.fixture(scope="module")
def seed():
    events, claims_ = load_seed()
    return claims.fold(events, claims_), claims_


@pytest.fixture(scope="module")
def bryansk(seed):
    """The view "15–16 Feb 2026 · Bryansk Oblast": its filter, events and their claims."""
    folded, all_claims = seed
    flt = filters.Filter.create(date_from="2026-02-15", date_to="2026-02-16", regions=["RU-BRY"])
    view = filters.apply(folded, flt, all_claims)
    return flt, view, all_claims[all_claims["event_id"].isin(view["event_id"])]


def _outline(code: str) -> shapely.Geometry:
    admin1 = reference.load_admin1()
    return admin1.loc[admin1["iso_3166_2"] == code].geometry.iloc[0]


# -- the frame ------------------------------------------------------------------------------------------------------


def test_the_frame_holds_the_selected_region_with_a_margin_and_not_moscow(bryansk):
    flt, view, _claims = bryansk
    minx, miny, maxx, maxy = briefing.frame(view, flt)
    box = shapely.box(minx, miny, maxx, maxy)
    outline = _outline("RU-BRY")
    assert box.contains(outline)
    # a margin on every side: 8 % of the larger side
    ox0, oy0, ox1, oy1 = outline.bounds
    pad = 0.08 * max(ox1 - ox0, oy1 - oy0)
    for inner, outer in zip((ox0, oy0), (minx, miny), strict=True):
        assert inner - outer == pytest.approx(pad, abs=1e-6)
    for inner, outer in zip((ox1, oy1), (maxx, maxy), strict=True):
        assert outer - inner == pytest.approx(pad, abs=1e-6)
    # the four-oblast claim reaches Moscow Oblast, but the filter chose Bryansk: Moscow is not in the frame
    assert not box.contains(shapely.Point(37.6173, 55.7558))
    assert not box.intersects(_outline("RU-MOW"))
    assert not box.contains(_outline("RU-MOS"))


def test_without_regions_the_frame_holds_the_located_events_and_region_level_ones(bryansk):
    _flt, view, _claims = bryansk
    box = shapely.box(*briefing.frame(view, None))
    # every region of the region-level events is whole inside (the MoD's four oblasts among them) …
    for code in ("RU-BRY", "RU-KLU", "RU-TUL", "RU-MOS"):
        assert box.contains(_outline(code)), code
    # … and the substation's point, not at the edge
    point = view.loc[view["event_id"] == "feb26-strike-novobryanska-substation"].geometry.iloc[0]
    assert box.buffer(-0.2).contains(point)


def test_a_single_point_gets_its_surroundings_and_an_area_frames_itself(seed):
    folded, _claims = seed
    one = folded[folded["event_id"] == "feb26-strike-novobryanska-substation"]
    minx, miny, maxx, maxy = briefing.frame(one, None)
    assert maxx - minx >= 0.5 and maxy - miny >= 0.5
    assert shapely.box(minx, miny, maxx, maxy).buffer(-0.2).contains(one.geometry.iloc[0])
    area = filters.Filter.create(area="POLYGON((36 47.5, 36.4 47.5, 36.4 47.8, 36 47.8, 36 47.5))")
    minx, miny, maxx, maxy = briefing.frame(folded, area)
    assert (minx, miny) < (36, 47.5) and (maxx, maxy) > (36.4, 47.8) and maxx - minx < 1.5


def test_federal_scale_regions_are_cut_to_the_theatre(seed):
    folded, _claims = seed
    # Bryansk and Arkhangelsk Oblast (whose Arctic islands reach 80°N): the frame stops at the theatre's north
    assert _outline("RU-ARK").bounds[3] > 79
    minx, miny, maxx, maxy = briefing.frame(folded, filters.Filter.create(regions=["RU-BRY", "RU-ARK"]))
    assert maxy < 65 and miny < 51.5 and shapely.box(minx, miny, maxx, maxy).contains(_outline("RU-BRY"))
    # Chukotka alone is framed whole, east of the antimeridian
    minx, _miny, maxx, _maxy = briefing.frame(folded, filters.Filter.create(regions=["RU-CHU"]))
    assert 150 < minx < maxx < 200


# -- key claims -----------------------------------------------------------------------------------------------------


def test_the_governors_line_reads_its_history(bryansk):
    _flt, view, view_claims = bryansk
    lines = briefing.key_claims(view, view_claims)
    first = lines[0]
    assert first.event_id == BRYANSK_WAVE and first.claimant == GOVERNOR
    assert first.text == f"{GOVERNOR}: intercepted 120 → ≥170 → 229, 15–16 Feb 2026"
    [fig] = first.figures
    assert (fig.latest, fig.history, fig.value, fig.bound) == ("229", "120 → ≥170 → 229", 229.0, "exact")
    assert first.latest == "intercepted 229" and first.statements == 3
    assert (first.status, first.status_text, first.party, first.stance) == ("claimed", "claimed", "RU", "revises")
    assert first.event_dates == "15–16 Feb 2026" and first.title.startswith("Drone attack on Bryansk Oblast")
    # the press summary is its own line, not folded into the governor's history
    summary = [line for line in lines if line.event_id == BRYANSK_WAVE and line.claimant != GOVERNOR]
    assert [line.history for line in summary] == ["intercepted ≥220"] and summary[0].party == "independent"
    # the latest figure is what the map shows (geo.claims.fold)
    folded = claims.fold(view, view_claims).set_index("event_id")
    assert folded.at[BRYANSK_WAVE, "intercepted"] == fig.value


def test_each_claim_beside_the_other_sides_answer(seed):
    folded, all_claims = seed
    lines = briefing.key_claims(folded, all_claims)
    # disputed events first: the Ukrainian denials of the Russian capture claims
    assert lines[0].status == "disputed"
    zal = [line for line in lines if line.event_id == "feb26-cap-zaliznychne"]
    assert [line.claimant for line in zal] == ["Russian Ministry of Defence"]
    [answer] = zal[0].answers
    assert answer.party == "UA" and answer.stance == "denies" and answer.stance_text == "denies"
    assert answer.text == "Spokesman of Ukraine's Southern Defence Forces (V. Voloshyn) (UA): denies, 11 Feb 2026"
    assert answer.sources and answer.sources[0] not in zal[0].sources
    assert zal[0].status_text == "disputed"
    # fighting reported only: each claimant its own line, with its stance
    fight = next(line for line in lines if line.event_id == "feb26-fight-hryshyne")
    assert fight.status == "contested" and fight.text.endswith(": reports fighting, 15 Feb 2026")
    # the order: status, then the largest figure
    ranks = [("disputed", "contested", "claimed", "confirmed", "retracted").index(x.status) for x in lines]
    assert ranks == sorted(ranks)
    wave = next(i for i, x in enumerate(lines) if x.event_id == BRYANSK_WAVE)
    kursk = next(i for i, x in enumerate(lines) if x.event_id == "feb26-strike-kursk")
    assert wave < kursk
    assert len(briefing.key_claims(folded, all_claims, limit=4)) == 4
    # the slide's "and N more": every line the view has, whatever the limit
    four = briefing.briefing(folded, all_claims, limit=4)
    assert four.lines == lines[:4] and four.lines_total == len(lines) > 4


def test_verdicts_per_assessor(seed):
    folded, all_claims = seed
    row = {
        "claim_id": "feb26-cap-zaliznychne-mod", "event_id": "feb26-cap-zaliznychne", "place": "Zaliznychne",
        "side": "RU", "claimant": "Russian Ministry of Defence", "party": "RU", "stance": "asserts",
        "claim_day": pd.Timestamp("2026-02-10"), "assessor": "DeepStateMap", "verdict": "not_reflected",
        "as_of": pd.Timestamp("2026-02-14"), "latest_day": pd.Timestamp("2026-02-14"), "distance_m": float("nan"),
    }  # fmt: skip
    row["text"] = verdict_text(row)
    verdicts = pd.DataFrame([row], columns=list(VERDICT_COLUMNS))
    lines = briefing.key_claims(folded, all_claims, verdicts=verdicts)
    zal = next(line for line in lines if line.event_id == "feb26-cap-zaliznychne")
    [verdict] = zal.verdicts
    assert (verdict.assessor, verdict.verdict, verdict.label, verdict.as_of) == (
        "DeepStateMap", "not_reflected", "not reflected", "14 Feb 2026")  # fmt: skip
    assert "DeepStateMap" in verdict.text and verdict.text == row["text"]
    assert not next(line for line in lines if line.event_id == BRYANSK_WAVE).verdicts
    out = briefing.briefing(folded, all_claims, verdicts=verdicts)
    assert "not ground truth" in out.assessment_caveat and "DeepStateMap" in out.assessment_caveat


# -- sources, totals, words -----------------------------------------------------------------------------------------


def test_sources_are_numbered_in_the_order_the_lines_cite_them(bryansk, seed):
    _flt, view, view_claims = bryansk
    listed = briefing.sources(view_claims)
    assert [(s.number, s.name) for s in listed] == [(1, "The Kyiv Independent"), (2, "UNIAN"), (3, "MENAFN")]
    assert listed[0].url.startswith("https://kyivindependent.com/ukrainian-drone-attack")
    assert (
        listed[2].text
        == "[3] MENAFN — https://menafn.com/1110746900/Ukraine-Carries-Out-Massive-Drone-Assault-on-Russia"
    )
    first = briefing.key_claims(view, view_claims)[0]
    assert first.sources == (1, 2, 3) and first.refs == "[1] [2] [3]"
    # every number a line or an answer cites is listed, and names the line's own publishers
    folded, all_claims = seed
    everything = briefing.sources(all_claims)
    by_number = {s.number: s for s in everything}
    assert [s.number for s in everything] == list(range(1, len(everything) + 1))
    assert len({s.url for s in everything}) == len(everything)
    publishers = all_claims.set_index("claim_id")["publisher"]
    for line in briefing.key_claims(folded, all_claims):
        cited = {by_number[n].name for n in line.sources}
        own = set(publishers[all_claims.loc[(all_claims["event_id"] == line.event_id)
                                            & (all_claims["claimant"] == line.claimant), "claim_id"]])  # fmt: skip
        assert own <= cited, line.text
        for answer in line.answers:
            assert all(n in by_number for n in answer.sources)
    # an outlet known only by its address takes its host: the Gerasimov statement's "also" Lenta.ru link
    assert any(s.name == "lenta.ru" and s.url.startswith("https://lenta.ru/news/2026/02/15/") for s in everything)
    assert "TASS" in {s.name for s in everything}


def test_honest_totals_never_add_overlapping_claims(bryansk, seed):
    _flt, view, view_claims = bryansk
    lines = briefing.honest_totals(view, view_claims)
    pairs = {line.label: line.value for line in lines}
    assert pairs["Strikes"] == "3"
    expected = totals.total_text(totals.total(claims.fold(view, view_claims), "intercepted"))
    assert pairs["intercepted"] == expected == "229–331, claims may overlap"
    assert pairs["intercepted"] != "331" and not any(line.value == "331" for line in lines)
    intercepted = next(line for line in lines if line.figure == "intercepted")
    assert intercepted.overlapping and f"{GOVERNOR}: 229" in intercepted.note
    assert "Russian Ministry of Defence: 102" in intercepted.note
    assert pairs["Affected regions"] == "1"
    # the whole seed: the same figures as the overview's key figures
    folded, all_claims = seed
    whole = {line.label: line.value for line in briefing.honest_totals(folded, all_claims)}
    assert whole["intercepted"] == "332–434, claims may overlap" and whole["launched"] == "88"
    assert whole["RU claims, km²"] == "≥200" and whole["UA claims, km²"] == "~400"
    assert whole["contested"] == "8"
    # unfolded events are folded first
    raw, raw_claims = load_seed()
    assert {x.label: x.value for x in briefing.honest_totals(raw, raw_claims)} == whole


def test_filter_words_and_the_whole_briefing(bryansk):
    flt, view, view_claims = bryansk
    assert briefing.filter_words(flt) == "events or statements 15–16 Feb 2026 · Bryansk Oblast"
    assert briefing.filter_words(None) == "All events"
    out = briefing.briefing(view, view_claims, flt, limit=3)
    assert out.frame == briefing.frame(view, flt) and out.filter_words == briefing.filter_words(flt)
    assert len(out.lines) == 3 and out.lines[0].text.startswith(GOVERNOR + ": intercepted 120 → ≥170 → 229")
    assert [s.number for s in out.sources] == [1, 2, 3] and out.caveat.startswith("Claims by parties")
    assert out.assessment_caveat == "" and out.made.tzinfo is not None


# -- a big view: the fast path says what the slow path says ------------------------------------------------------


def _reference_walk(c: pd.DataFrame) -> pd.DataFrame:
    """The briefing order as it was first written (Python sets and per-row lookups): the reference."""
    import numpy as np

    from geo._text import sort_ranks
    from geo.schema import CLAIM_FIGURES
    from geo.sources import STATUS_ORDER

    c = c.reset_index(drop=True)
    status = claims.derive_status(c)
    ev, ev_ids = pd.factorize(c["event_id"])
    stance, party = c["stance"].to_numpy(dtype=object), c["party"].to_numpy(dtype=object)
    stated = c["stated_at"].to_numpy(dtype="datetime64[ms]").astype(np.int64)
    reading = np.empty(len(c), dtype=np.int64)
    reading[claims.statement_order(c)] = np.arange(len(c))
    ev_status = np.array([list(STATUS_ORDER).index(status[e]) for e in ev_ids])
    values = c[list(CLAIM_FIGURES)].to_numpy(dtype=float)
    largest = np.where(np.isin(stance, claims.ASSERTING), np.nanmax(np.where(np.isnan(values), -np.inf, values), 1),
                       -np.inf)  # fmt: skip
    ev_largest = np.full(len(ev_ids), -np.inf)
    np.maximum.at(ev_largest, ev, largest)
    ev_first = np.full(len(ev_ids), np.iinfo(np.int64).max)
    np.minimum.at(ev_first, ev, stated)
    ev_order = np.lexsort((sort_ranks(pd.Series(ev_ids)), ev_first, -np.bincount(ev), -ev_largest, ev_status))
    ev_rank = np.empty(len(ev_ids), dtype=np.int64)
    ev_rank[ev_order] = np.arange(len(ev_ids))
    side = np.isin(stance, ("asserts", "revises")) & np.isin(party, ("RU", "UA"))
    by_time = np.lexsort((sort_ranks(c["claim_id"]), stated))
    first_side = pd.Series(party[by_time][side[by_time]]).groupby(ev[by_time][side[by_time]]).first()
    claiming = np.full(len(ev_ids), None, dtype=object)
    claiming[first_side.index.to_numpy()] = first_side.to_numpy()
    who, _names = pd.factorize(pd.MultiIndex.from_arrays([ev, c["claimant"].to_numpy(dtype=object)]))
    claims_it = np.bincount(who, weights=np.isin(stance, ("asserts", "revises"))) > 0
    cp = claiming[ev]
    other_side = np.bincount(who, weights=np.isin(party, ("RU", "UA")) & pd.notna(cp) & (party != cp)) > 0
    is_line = claims_it & ~other_side
    any_line = np.bincount(ev, weights=is_line[who], minlength=len(ev_ids)) > 0
    role = np.where(is_line[who] | ~any_line[ev], 0, 1)
    first_said = np.full(len(claims_it), np.iinfo(np.int64).max)
    np.minimum.at(first_said, who, reading)
    order = np.lexsort((reading, first_said[who], role, ev_rank[ev]))
    return c.assign(_role=role).iloc[order].reset_index(drop=True)


@pytest.fixture(scope="module")
def big():
    """150 synthetic events (with their text Arrow-backed, as a store's snapshot has it) and their claims."""
    from geo import synthetic

    events, claim_rows = synthetic.generate(150, seed=7)
    text = ["event_id", "claim_id", "claimant", "party", "stance", "source_url", "publisher"]
    claim_rows = claim_rows.astype({c: "str" for c in text if c in claim_rows.columns})
    return claims.fold(events, claim_rows), claim_rows


def test_a_big_view_reads_as_the_slow_path_would(big):
    from geo.briefing._model import ordered
    from geo.briefing.content import _walk

    folded, all_claims = big
    sample = all_claims.iloc[::3]  # every third claim: events with one, two, three claimants
    fast, status = _walk(sample)
    pd.testing.assert_frame_equal(fast, _reference_walk(sample))
    assert status.to_dict() == claims.derive_status(sample).to_dict()
    # the statuses of folded events are read, not derived again: the same order
    read, derived = ordered(all_claims, None, None, None, folded), ordered(all_claims, None, None, None)
    pd.testing.assert_frame_equal(read[0], derived[0])
    assert read[1].to_dict() == derived[1].to_dict() and read[2:] == derived[2:] == (len(folded), len(all_claims))

    out = briefing.briefing(folded, all_claims, limit=12, claims_limit=50)
    every_line = briefing.key_claims(folded, all_claims)
    every_row, none_more = briefing.claim_rows(folded, all_claims, limit=10**9)
    every_source = briefing.sources(all_claims)
    assert out.lines == every_line[:12] and out.lines_total == len(every_line) >= len(folded)
    assert out.claims == every_row[:50] and out.claims_more == len(all_claims) - 50 and none_more == 0
    # only what the lines and the table cite is listed, numbered as the whole view numbers it
    assert [(s.number, s.url) for s in out.sources] == [(s.number, s.url) for s in every_source[: len(out.sources)]]
    cited = {n for x in [*out.lines, *out.claims] for n in x.sources} | {
        n for x in out.lines for a in x.answers for n in a.sources
    }
    assert cited <= {s.number for s in out.sources}
    # a limit of lines reads the same lines as no limit
    assert briefing.key_claims(folded, all_claims, limit=30) == every_line[:30]


def test_a_big_views_frame_holds_its_points_and_region_level_events(big):
    from geo.briefing._frame import THEATRE

    folded, _claims = big
    minx, miny, maxx, maxy = briefing.frame(folded, None)
    located = folded[folded.geometry.notna() & ~folded.geometry.is_empty]
    x0, y0, x1, y1 = located.total_bounds
    assert minx < x0 and miny < y0 and maxx > x1 and maxy > y1
    box = shapely.box(minx, miny, maxx, maxy)
    codes = {c for cell in folded.loc[folded.geometry.isna(), "admin1"] for c in str(cell).split(";")}
    assert codes  # outages located only to their region
    for code in sorted(codes):
        assert box.contains(_outline(code).intersection(shapely.box(*THEATRE))), code
