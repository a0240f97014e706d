"""Totals that never add claims which may overlap (geo/totals.py): the rule, its writing, and where it shows.

The rule (DESIGN.md §3): two events' figures may overlap when their regions
intersect and their days overlap. A group of linked claims totals to a range,
from the best sum of claims that cannot overlap to the sum of all; groups add.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import i18n, stats, totals
from geo.claims import fold
from geo.seed import load_seed
from tests.browsing import Visitor

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"


def _events(*rows: tuple, figure: str = "intercepted") -> pd.DataFrame:
    """Events from ``(admin1, first day, last day, value[, bound[, country]])``; days are February 2026."""
    out = []
    for i, row in enumerate(rows):
        admin1, first, last, value, *rest = row
        bound = rest[0] if rest else "exact"
        country = rest[1] if len(rest) > 1 else (admin1.split("-")[0] if admin1 else None)
        out.append(
            {
                "event_id": f"e{i}",
                "title": f"event {i}",
                "admin1": admin1,
                "country": country,
                "time_start": pd.Timestamp(2026, 2, first),
                "time_end": pd.Timestamp(2026, 2, last),
                figure: value,
                f"{figure}_bound": bound,
            }
        )
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def seed():
    events, claims = load_seed()
    return fold(events, claims), claims


# -- the rule --------------------------------------------------------------------------------------------------------


def test_claims_that_cannot_overlap_add_up_to_one_number():
    # different regions on one day, and one region on different days
    events = _events(("RU-BRY", 15, 15, 229), ("RU-KRS", 15, 15, 25), ("RU-BRY", 17, 17, 40))
    total = totals.total(events, "intercepted")
    assert (total.low, total.high, total.overlapping, total.claims) == (294, 294, False, 3)
    assert totals.total_text(total) == "294"
    assert totals.overlap_text(total) == ""


def test_different_days_do_not_overlap_but_touching_spans_do():
    apart = totals.total(_events(("RU-BRY", 15, 15, 100), ("RU-BRY", 16, 16, 50)), "intercepted")
    assert not apart.overlapping and totals.total_text(apart) == "150"
    touching = totals.total(_events(("RU-BRY", 14, 15, 100), ("RU-BRY", 15, 16, 50)), "intercepted")
    assert touching.overlapping and totals.total_text(touching) == "100–150, claims may overlap"


def test_the_seed_wave_reads_as_a_range(seed):
    folded, _claims = seed
    strikes = folded[folded["layer"] == "strike"]
    total = totals.total(strikes, "intercepted")
    # MoD 102 over Bryansk/Kaluga/Tula/Moscow oblasts overlaps Bryansk 229 and Kaluga 14; the best set that cannot
    # overlap is 229 + 14 (+ Moscow city 13, Belgorod 51, Kursk 25, none of which meets another).
    assert (total.low, total.high) == (332, 434)
    assert totals.total_text(total) == "332–434, claims may overlap"
    assert totals.total_text(total, words=False) == "332–434"
    [group] = total.groups
    assert sorted(p.value for p in group.parts) == [14, 102, 229] and (group.low, group.high) == (243, 345)
    assert total.n_groups == 1


def test_the_bryansk_view_reads_as_a_range(seed):
    folded, claims = seed
    bryansk = folded[(folded["layer"] == "strike") & folded["admin1"].fillna("").str.contains("RU-BRY")]
    total = totals.total(bryansk, "intercepted")
    assert totals.total_text(total) == "229–331, claims may overlap"
    ids = [p.event_id for g in total.groups for p in g.parts]
    who = totals.figure_claimants(claims, ids, "intercepted")
    assert who["feb26-strike-bryansk-wave"] == "Governor of Bryansk Oblast (A. Bogomaz)"  # not the press summary
    note = totals.overlap_text(total, who)
    assert "Governor of Bryansk Oblast (A. Bogomaz): 229" in note and "Russian Ministry of Defence: 102" in note


def test_multi_region_claims():
    # the four-oblast claim meets both one-oblast claims; those two cannot overlap each other
    events = _events(("RU-BRY;RU-KLU", 15, 15, 100), ("RU-BRY", 15, 15, 60), ("RU-KLU", 15, 15, 50))
    total = totals.total(events, "intercepted")
    assert (total.low, total.high) == (110, 210)
    # the larger multi-region claim wins when it is more than the rest together
    bigger = totals.total(_events(("RU-BRY;RU-KLU", 15, 15, 200), ("RU-BRY", 15, 15, 60)), "intercepted")
    assert (bigger.low, bigger.high) == (200, 260)
    # a chain: the first and the last meet only through the middle one
    chain = totals.total(_events(("RU-BRY", 1, 2, 10), ("RU-BRY", 2, 3, 10), ("RU-BRY", 3, 4, 10)), "intercepted")
    assert (chain.low, chain.high, chain.groups[0].size) == (20, 30, 3)


def test_bounds_carry_through():
    at_least = totals.total(_events(("RU-BRY", 15, 15, 170, "at_least"), ("RU-KRS", 15, 15, 25)), "intercepted")
    assert totals.total_text(at_least) == "≥195"
    ranged = totals.total(_events(("RU-BRY", 15, 15, 170, "at_least"), ("RU-BRY", 15, 15, 102)), "intercepted")
    assert totals.total_text(ranged) == "≥170–≥272, claims may overlap"
    exact_low = totals.total(_events(("RU-BRY", 15, 15, 229), ("RU-BRY", 15, 15, 20, "at_least")), "intercepted")
    assert totals.total_text(exact_low) == "229–≥249, claims may overlap"
    about = totals.total(_events(("UA-23", 1, 14, 300, "about"), ("UA-14", 1, 14, 5), figure="area_km2"), "area_km2")
    assert totals.total_text(about, " km²") == "~305 km²"


def test_a_claim_known_only_to_its_country_meets_that_country_only():
    events = _events(
        (None, 1, 14, 200, "at_least", "UA"),  # "over 200 km² in the first two weeks", no region
        ("UA-23", 10, 10, 5),
        ("UA-14", 3, 3, 7),
        ("RU-BRY", 10, 10, 9),  # another country
        ("UA-23", 20, 20, 4),  # another time
    )
    total = totals.total(events, "intercepted")
    assert (total.low, total.high) == (213, 225)  # 200 or 5 + 7: 200 wins; 9 and 4 add
    nowhere = totals.total(_events((None, 1, 14, 50, "exact", None), ("RU-BRY", 20, 20, 9)), "intercepted")
    assert not nowhere.overlapping  # a claim with no place still needs overlapping days
    anywhere = totals.total(_events((None, 1, 14, 50, "exact", None), ("RU-BRY", 2, 2, 9)), "intercepted")
    assert (anywhere.low, anywhere.high) == (50, 59)


def test_unstated_figures_are_not_counted():
    events = _events(("RU-BRY", 15, 15, 229), ("RU-BRY", 15, 15, None))
    total = totals.total(events, "intercepted")
    assert (total.claims, total.low, total.high, total.overlapping) == (1, 229, 229, False)
    assert totals.total_text(totals.total(events.iloc[:0], "intercepted")) == totals.NOT_STATED
    assert totals.total_text(totals.total(events, "launched")) == totals.NOT_STATED


def _overlap(a: pd.Series, b: pd.Series) -> bool:
    """The rule written pair by pair, as a reader states it."""
    if a["time_start"] > b["time_end"] or b["time_start"] > a["time_end"]:
        return False

    def scope(row):
        if isinstance(row["admin1"], str):
            return "regions", set(row["admin1"].split(";"))
        return ("country", row["country"]) if isinstance(row["country"], str) else ("anywhere", None)

    (ka, va), (kb, vb) = scope(a), scope(b)
    if "anywhere" in (ka, kb):
        return True
    if ka == kb == "regions":
        return bool(va & vb)
    if ka == kb == "country":
        return va == vb
    country, regions = (va, vb) if ka == "country" else (vb, va)
    return any(r.split("-")[0] == country for r in regions)


@pytest.mark.parametrize("seed_", range(40))
def test_the_low_end_is_the_best_set_that_cannot_overlap(seed_):
    rng = np.random.default_rng(seed_)
    scopes = ["RU-BRY", "RU-KLU", "UA-23", "RU-BRY;RU-KLU", "RU-KLU;UA-23", None]
    rows = []
    for _ in range(int(rng.integers(1, 10))):
        first = int(rng.integers(1, 6))
        scope = scopes[int(rng.integers(len(scopes)))]
        country = None if scope is None and rng.random() < 0.3 else ("RU" if scope is None else None)
        rows.append((scope, first, first + int(rng.integers(0, 2)), float(rng.integers(1, 50)), "exact", country))
    events = _events(*rows)
    events["country"] = [r[5] if r[0] is None else r[0].split("-")[0] for r in rows]
    n = len(events)
    rows_ = [events.iloc[i] for i in range(n)]
    meets = {(i, j) for i, j in itertools.combinations(range(n), 2) if _overlap(rows_[i], rows_[j])}
    value = events["intercepted"].tolist()
    best = 0.0
    for chosen in itertools.product([False, True], repeat=n):
        picked = [i for i in range(n) if chosen[i]]
        if not any(pair in meets for pair in itertools.combinations(picked, 2)):
            best = max(best, sum(value[i] for i in picked))
    total = totals.total(events, "intercepted")
    assert total.low == best and total.high == events["intercepted"].sum()
    assert total.overlapping == bool(meets)


def test_a_big_group_gets_a_valid_low_end():
    # 30 one-day claims over Bryansk on three days (ten a day), linked by a three-day claim over two oblasts
    rows = [("RU-BRY", 1 + i % 3, 1 + i % 3, float(10 + i)) for i in range(30)]
    rows.append(("RU-BRY;RU-KLU", 1, 3, 5.0))
    rows.append(("RU-KLU", 2, 2, 7.0))
    total = totals.total(_events(*rows), "intercepted")
    assert total.groups[0].size == 32 > totals.EXACT_MAX
    assert total.low == 37 + 38 + 39 + 7  # each day's largest Bryansk claim, and Kaluga's
    assert total.high == sum(r[3] for r in rows)


def _synthetic(n: int, seed: int = 0, days: int = 1400) -> pd.DataFrame:
    """``n`` strike events over 65 regions and ``days`` days, some over two regions, some over a country only."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"RU-{i:02d}" for i in range(40)] + [f"UA-{i:02d}" for i in range(25)], dtype=object)
    admin1 = codes[rng.integers(0, len(codes), n)]
    multi = rng.random(n) < 0.02
    admin1[multi] = admin1[multi] + ";" + codes[rng.integers(0, len(codes), int(multi.sum()))]
    country = np.array([a[:2] for a in admin1], dtype=object)
    admin1[rng.random(n) < 0.001] = None
    start = np.datetime64("2022-02-24") + rng.integers(0, days, n).astype("timedelta64[D]")
    end = start + (rng.integers(1, 3, n) * (rng.random(n) < 0.1)).astype("timedelta64[D]")
    value = rng.integers(1, 200, n).astype(float)
    value[rng.random(n) < 0.2] = np.nan
    bound = np.where(rng.random(n) < 0.05, "at_least", "exact").astype(object)
    return pd.DataFrame(
        {
            "event_id": [f"s{i}" for i in range(n)],
            "title": "Synthetic strike",
            "admin1": admin1,
            "country": country,
            "time_start": start.astype("datetime64[ms]"),
            "time_end": end.astype("datetime64[ms]"),
            "intercepted": value,
            "intercepted_bound": bound,
        }
    )


@pytest.mark.parametrize("days", [1400, 40_000])  # dense (a few big groups) and sparse (many small ones)
def test_200k_strike_events_are_totalled_without_looking_at_pairs(days):
    events = _synthetic(200_000, days=days)
    began = time.perf_counter()
    total = totals.total(events, "intercepted")
    took = time.perf_counter() - began
    stated = events["intercepted"].dropna()
    assert total.claims == len(stated) and total.high == stated.sum()
    assert stated.max() <= total.low < total.high and total.overlapping
    assert total.bound == "at_least"
    # Not a benchmark (about a second here): a rule that compared every pair would take hours.
    assert took < 60, took


def test_the_low_end_of_big_groups_is_at_least_each_region_days_largest_claim():
    """Dense data (big groups): one-day, one-region claims of different regions or days cannot overlap."""
    events = _synthetic(5_000, seed=3, days=30)
    stated = events[events["intercepted"].notna()]
    total = totals.total(events, "intercepted")
    assert max(g.size for g in total.groups) > totals.EXACT_MAX
    one_day = stated[(stated["time_start"] == stated["time_end"]) & stated["admin1"].fillna(";").str.match(r"^[^;]+$")]
    per_region_day = one_day.groupby(["admin1", "time_start"])["intercepted"].max().sum()
    assert per_region_day <= total.low < total.high


def test_totals_over_rows_of_prepared_events_equal_totals_over_those_rows():
    """Many totals over rows of one set of events (the key figures) decode it once: same totals, no copies."""
    events = _synthetic(20_000, seed=5, days=60)
    events.loc[events.sample(frac=0.002, random_state=1).index, ["admin1", "country"]] = None  # anywhere
    events.loc[events.sample(frac=0.002, random_state=2).index, "admin1"] = None  # its country only
    events.loc[events.sample(frac=0.01, random_state=3).index, "time_end"] = pd.NaT
    prepared = totals.prepare(events)
    rng = np.random.default_rng(0)
    for share in (1.0, 0.5, 0.05, 0.0005):
        rows = rng.random(len(events)) < share
        assert totals.total(prepared, "intercepted", rows=rows) == totals.total(events[rows], "intercepted")
    assert totals.total(prepared, "intercepted") == totals.total(events, "intercepted")
    assert totals.total(prepared, "launched") == totals.Total()  # no such column: not stated


def test_a_big_group_names_its_largest_claims_equal_ones_in_order():
    # 3000 claims over Bryansk on one day: one group; the largest named first, equal ones in the events' order
    values = [float(v) for v in np.random.default_rng(1).integers(1, 50, 3000)]
    values[2500] = values[2700] = 80.0
    values[10] = 99.0
    total = totals.total(_events(*[("RU-BRY", 15, 15, v) for v in values]), "intercepted")
    named = [(p.event_id, p.value) for p in total.groups[0].parts]
    in_order = sorted(range(len(values)), key=lambda i: (-values[i], i))[: totals.PARTS_KEPT]
    assert named == [(f"e{i}", values[i]) for i in in_order]
    assert named[:3] == [("e10", 99.0), ("e2500", 80.0), ("e2700", 80.0)]


# -- writing it --------------------------------------------------------------------------------------------------


def test_writing_a_total_in_another_language():
    i18n.register(
        i18n.Catalog(
            "xx",
            "Dummy",
            messages={
                "{range}, claims may overlap": "{range} ZZoverlap",
                "These claims may count the same things (same regions, same days): {groups}. The range runs from the "
                "largest sum of claims that cannot overlap to the sum of all.": "ZZgroups {groups}",
            },
        )
    )
    try:
        total = totals.total(_events(("RU-BRY", 15, 15, 229), ("RU-BRY", 15, 15, 102)), "intercepted")
        with i18n.using("xx"):
            assert totals.total_text(total) == "229–331 ZZoverlap"
            assert totals.overlap_text(total) == "ZZgroups event 0: 229 · event 1: 102"
    finally:
        i18n.unregister("xx")


def test_a_group_names_its_largest_claims_and_counts_the_rest():
    rows = [("RU-BRY", 15, 15, float(v)) for v in range(1, 10)]
    total = totals.total(_events(*rows), "intercepted")
    note = totals.overlap_text(total)
    assert "event 8: 9 · event 7: 8" in note and "3 more" in note and "event 0: 1" not in note


# -- where it shows ---------------------------------------------------------------------------------------------


def test_key_figures_of_the_bundled_data(seed):
    folded, _claims = seed
    figs = stats.key_figures(folded)
    assert figs["intercepted"] == "332–434, claims may overlap"
    assert figs["totals"]["strike"]["intercepted"] == figs["intercepted"]
    assert (figs["intercepted_total"].low, figs["intercepted_total"].high) == (332, 434)
    assert figs["launched"] == "88"  # one claim: one number
    assert figs["area"] == {"RU": "≥200", "UA": "~400"}  # one aggregate claim per side
    assert figs["area_totals"]["RU"].bound == "at_least"
    bryansk = folded[folded["admin1"].fillna("").str.contains("RU-BRY")]
    assert stats.key_figures(bryansk)["intercepted"] == "229–331, claims may overlap"
    kursk = folded[folded["admin1"].fillna("") == "RU-KRS"]
    assert stats.key_figures(kursk)["intercepted"] == "25"


def test_the_export_says_the_range(seed, tmp_path):
    from geo.exporters import export
    from geo.exporters.html import _figures_text

    folded, claims = seed
    text = _figures_text(folded)
    assert "intercepted 332–434, claims may overlap" in text and "434)" not in text
    assert "area claimed RU ≥200 km², UA ~400 km²" in text
    bryansk = folded[folded["admin1"].fillna("").str.contains("RU-BRY")]
    page = export("html", bryansk, claims[claims["event_id"].isin(bryansk["event_id"])], None, tmp_path / "b.html")
    written = page.read_text(encoding="utf-8")
    assert "intercepted 229–331, claims may overlap" in written and "intercepted 331" not in written


def test_the_overview_shows_the_range(store_env):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metric = next(m for m in at.metric if m.label == "Drones intercepted")
    assert metric.value == "332–434" and metric.delta == "claims may overlap"
    assert "Russian Ministry of Defence: 102" in metric.help and "Governor of Bryansk Oblast" in metric.help
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["region"] = "RU-BRY"
    at.run()
    metric = next(m for m in at.metric if m.label == "Drones intercepted")
    assert metric.value == "229–331" and metric.delta == "claims may overlap"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["region"] = "RU-KRS"
    at.run()
    metric = next(m for m in at.metric if m.label == "Drones intercepted")
    assert metric.value == "25" and not metric.delta


# -- in a browser: on a phone and on a desktop ---------------------------------------------------------------------


class _Visit(Visitor):
    """The Overview in a window of a given size, with the network cut off and every error recorded."""

    def __init__(self, browser, server: str, width: int, height: int):
        super().__init__(browser, server, {"width": width, "height": height})
        self.width = width

    def open(self, path: str, wait_for: str) -> _Visit:
        self.page.goto(self.server + path)
        self.page.get_by_text(wait_for).first.wait_for(timeout=60_000)
        self.settle()  # the map drawn and reported, the rerun over: the figures stand where they stay
        return self

    def metric(self, label: str):
        return self.page.locator('[data-testid="stMetric"]').filter(has_text=label).first

    def rows(self) -> list[int]:
        """How many key figures stand in each row."""
        boxes = [m.bounding_box() for m in self.page.locator('[data-testid="stMetric"]').all()]
        assert len(boxes) == 6, boxes
        assert all(b and b["x"] >= 0 and b["x"] + b["width"] <= self.width for b in boxes), boxes
        tops = sorted(round(b["y"]) for b in boxes)
        rows: list[int] = []
        for i, top in enumerate(tops):
            if i and top - tops[i - 1] < 10:
                rows[-1] += 1
            else:
                rows.append(1)
        return rows

    def check(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        assert self.page.locator('[data-testid="stException"]').count() == 0
        assert "Traceback" not in self.page.locator("body").inner_text()
        assert self.errors == [] and self.blocked == []


@pytest.fixture(scope="module")
def overview(bundled_server) -> str:
    return bundled_server  # the bundled data, read only


@pytest.mark.browser
def test_key_figures_two_per_row_on_a_phone(browser, overview):
    visit = _Visit(browser, overview, 390, 844)
    try:
        visit.open("/", "claims may overlap")
        assert visit.rows() == [2, 2, 2]
        assert "332–434" in visit.metric("Drones intercepted").inner_text()
        visit.check("phone-key-figures")
    finally:
        visit.close()


@pytest.mark.browser
def test_a_reader_sees_the_range_and_which_claims_may_overlap(browser, overview):
    visit = _Visit(browser, overview, 1440, 1000)
    try:
        visit.open("/?region=RU-BRY", "claims may overlap")
        assert visit.rows() == [6]
        metric = visit.metric("Drones intercepted")
        assert "229–331" in metric.inner_text() and "claims may overlap" in metric.inner_text()
        metric.locator('[data-testid="stTooltipIcon"]').first.hover()
        tip = visit.page.locator('[data-testid="stTooltipContent"]').filter(has_text="may count the same")
        tip.first.wait_for(timeout=30_000)
        text = tip.first.inner_text()
        assert "Governor of Bryansk Oblast (A. Bogomaz): 229" in text and "Russian Ministry of Defence: 102" in text
        visit.check("desktop-key-figures-bryansk")
        visit.open("/?region=RU-KRS", "Drones intercepted")
        assert visit.metric("Drones intercepted").inner_text().split("\n")[-1].strip() == "25"
        assert visit.page.get_by_text("claims may overlap").count() == 0
        visit.check("desktop-key-figures-kursk")
    finally:
        visit.close()
