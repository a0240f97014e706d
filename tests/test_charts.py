"""Charts: spec structure, small data whatever the event count, empty inputs, selections."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import altair as alt
import geopandas as gpd
import pandas as pd
import pytest

from geo import charts, claims, i18n, layers, schema, synthetic
from geo.charts import (
    EMPTY_TEXT,
    MAX_ROWS,
    SELECTION,
    SIDE_COLOURS,
    STATUS_COLOURS,
    breakdown,
    figures_over_time,
    selection_dates,
    timeline,
)
from geo.errors import ValidationError
from geo.filters import Filter, apply
from geo.seed import load_seed


@pytest.fixture(scope="module")
def seed() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claim_rows = load_seed()
    return claims.fold(events, claim_rows), claim_rows


@pytest.fixture(scope="module")
def big() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claim_rows = synthetic.generate(100_000, seed=3)
    return claims.fold(events, claim_rows), claim_rows


def rows(spec: dict) -> list[dict]:
    """Every data row a spec carries, over all its datasets."""
    return [row for data in spec.get("datasets", {}).values() for row in data]


def datasets_with(spec: dict, column: str) -> list[dict]:
    return [row for data in spec.get("datasets", {}).values() for row in data if column in row]


def params(spec: dict) -> dict[str, dict]:
    return {p["name"]: p for p in spec.get("params", [])}


def says_empty(spec: dict) -> bool:
    return any(row.get("text") == EMPTY_TEXT for row in rows(spec))


# -- colours --------------------------------------------------------------------------------------------


def test_colours_cover_the_vocabularies():
    assert set(STATUS_COLOURS) == set(schema.STATUSES)
    assert set(SIDE_COLOURS) == set(schema.PARTIES)
    assert SIDE_COLOURS["RU"] == "#c0392b" and SIDE_COLOURS["UA"] == "#1f5fbf"
    for colours in (STATUS_COLOURS, SIDE_COLOURS):
        assert len(set(colours.values())) == len(colours)
        assert all(c.startswith("#") and len(c) == 7 for c in colours.values())


# -- timeline -------------------------------------------------------------------------------------------


def test_timeline_bars_and_talks_bands(seed):
    folded, _ = seed
    chart = timeline(folded)
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()
    bands = datasets_with(spec, "label")
    assert [b["label"] for b in bands] == ["Abu Dhabi, round 1", "Abu Dhabi, round 2", "Geneva, round 3"]
    geneva = bands[-1]
    assert (geneva["start"], geneva["end"]) == ("2026-02-17", "2026-02-19")  # to the end of 18 Feb
    assert "17–18 Feb 2026" in geneva["dates"]
    bars = datasets_with(spec, "y0")
    assert {b["layer"] for b in bars} == {"capture", "strike", "impact"}  # talks are bands, not bars
    assert sum(b["events"] for b in bars) == pytest.approx((folded["layer"] != "talks").sum())
    on_15th = sorted((b for b in bars if b["start"] == "2026-02-15"), key=lambda b: b["y0"])
    # stacked in layer order, a layer's share of events spread over a period (the month's) on its day count
    assert [(b["layer"], b["spread"]) for b in on_15th] == [
        ("capture", False), ("capture", True), ("strike", False), ("impact", False)
    ]  # fmt: skip
    assert all(a["y1"] == pytest.approx(b["y0"]) for a, b in itertools.pairwise(on_15th))
    marks = json.dumps(spec["layer"])
    assert '"type": "rect"' in marks and '"type": "text"' in marks
    assert "events per day" in marks


def test_timeline_selection_param(seed):
    folded, _ = seed
    spec = timeline(folded).to_dict()
    span = params(spec)[SELECTION]
    assert SELECTION == "span"
    assert span["select"]["type"] == "interval"
    assert span["select"]["encodings"] == ["x"]
    assert SELECTION not in params(timeline(folded, selectable=False).to_dict())


def test_timeline_with_talks_given_separately(seed):
    folded, _ = seed
    bryansk = apply(folded, Filter.create(regions=["RU-BRY"]))
    assert "talks" not in set(bryansk["layer"])  # talks have no region
    talks = apply(folded, Filter.create(layers=["talks"], date_from="2026-02-10"))
    spec = timeline(bryansk, talks).to_dict()
    assert [b["label"] for b in datasets_with(spec, "label")] == ["Geneva, round 3"]
    assert sum(b["events"] for b in datasets_with(spec, "y0")) == len(bryansk)


def test_timeline_label_without_round_or_venue():
    talks = pd.DataFrame(
        {
            "layer": ["talks", "talks"],
            "time_start": pd.to_datetime(["2026-03-01", "2026-03-05"]),
            "time_end": pd.to_datetime(["2026-03-01", "2026-03-06"]),
            "venue": ["Istanbul, Türkiye", None],
            "place": [None, "Riyadh"],
            "title": ["Talks in Istanbul", "Talks in Riyadh"],
        }
    )
    spec = timeline(talks.iloc[:0], talks).to_dict()
    assert [b["label"] for b in datasets_with(spec, "label")] == ["Istanbul", "Riyadh"]
    assert SELECTION in params(spec)  # still selectable without bars
    assert says_empty(spec)


@pytest.mark.slow
def test_timeline_weekly_and_small_for_many_events(big):
    folded, _ = big
    spec = timeline(folded).to_dict()
    data = rows(spec)
    assert len(data) <= MAX_ROWS
    bars = datasets_with(spec, "y0")
    assert sum(b["events"] for b in bars) == pytest.approx(len(folded))
    assert all(b["when"].startswith("week of") for b in bars)
    starts = {dt.date.fromisoformat(b["start"]) for b in bars}
    assert {d.weekday() for d in starts} == {0}  # weeks start on Monday
    assert all(
        dt.date.fromisoformat(b["end"]) - dt.date.fromisoformat(b["start"]) == dt.timedelta(days=7) for b in bars
    )
    assert "events per week" in json.dumps(spec["layer"])


def test_timeline_switches_to_weeks_past_180_days():
    def frame(days: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "layer": ["strike", "strike"],
                "time_start": pd.to_datetime(["2025-01-01", "2025-01-01"]) + pd.to_timedelta([0, days], unit="D"),
            }
        )

    assert "events per day" in json.dumps(timeline(frame(180)).to_dict()["layer"])
    assert "events per week" in json.dumps(timeline(frame(181)).to_dict()["layer"])
    decades = timeline(frame(365 * 40)).to_dict()
    assert "events per month" in json.dumps(decades["layer"])
    assert len(rows(decades)) <= MAX_ROWS


def test_timeline_empty():
    empty = timeline(pd.DataFrame())
    assert isinstance(empty, alt.LayerChart)
    spec = empty.to_dict()
    assert says_empty(spec)
    assert SELECTION in params(spec)  # st.altair_chart(selection_mode="span") needs it even then
    assert says_empty(timeline(pd.DataFrame(), selectable=False).to_dict())


# -- events dated only to a period ---------------------------------------------------------------------------


def _marks_with(spec: dict, field: str) -> list[dict]:
    """The layers of a spec whose tooltip shows ``field``."""
    return [m for m in spec["layer"] if field in {t.get("field") for t in m.get("encoding", {}).get("tooltip", [])}]


def test_timeline_spreads_period_claims_over_their_days(seed):
    """Seven captures dated only to early February are not one 7-event bar on 1 Feb."""
    folded, _ = seed
    spec = timeline(folded).to_dict()
    bars = datasets_with(spec, "y0")
    on_1st = [b for b in bars if b["start"] == "2026-02-01" and b["layer"] == "capture"]
    assert sum(b["events"] for b in on_1st) < 1
    assert all(b["spread"] for b in on_1st)
    captures = sum(b["events"] for b in bars if b["layer"] == "capture")
    assert captures == pytest.approx((folded["layer"] == "capture").sum())
    assert max(b["y1"] for b in bars if b["start"] < "2026-02-10") < 1  # no spike before the 10th


def test_timeline_tooltip_says_the_event_is_spread():
    week = pd.DataFrame(
        {
            "layer": ["capture"],
            "time_start": pd.to_datetime(["2026-02-01"]),
            "time_end": pd.to_datetime(["2026-02-14"]),
            "time_precision": ["week"],
        }
    )
    spec = timeline(week).to_dict()
    [spread] = _marks_with(spec, "note")
    assert spread["mark"]["fillOpacity"] < 1  # paler than the bars of events dated to a day
    tips = {t["field"]: t["title"] for t in spread["encoding"]["tooltip"]}
    assert tips["events_text"] == "events" and tips["note"] == "dated to a period"
    data = datasets_with(spec, "note")
    assert len(data) == 14 and sum(r["events"] for r in data) == pytest.approx(1)
    assert {r["note"] for r in data} == {
        "spread over 1–14 Feb 2026: 1 capture claim dated to that period, not to a day"
    }
    assert {r["events_text"] for r in data} == {"0.07"}
    assert spec["title"]["orient"] == "bottom" and spec["title"]["text"].startswith("Paler: events dated only to")
    assert SELECTION in params(spec)  # only spread bars: they carry the selection
    assert "opacity" in spread["encoding"]
    assert spread["encoding"]["y"]["axis"]["format"] == ",.2~f"  # a tallest bar of 1/14 still gets ticks
    plain = timeline(week, selectable=False).to_dict()
    assert SELECTION not in params(plain) and "opacity" not in _marks_with(plain, "note")[0]["encoding"]


def test_timeline_day_precise_events_have_no_footnote(seed):
    folded, _ = seed
    strikes = folded[folded["layer"] == "strike"]
    spec = timeline(strikes).to_dict()
    assert "title" not in spec and not _marks_with(spec, "note")
    assert {b["events"] for b in datasets_with(spec, "y0")} <= {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0}


# -- selection ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"selection": {"span": {"start": [1771113600000, 1771286400000]}}}, ("2026-02-15", "2026-02-16")),
        ({"selection": {"span": {"start": [1771113600000.0, 1771200000000.5]}}}, ("2026-02-15", "2026-02-16")),
        ({"selection": {"span": {"start": [1771286400000, 1771113600000]}}}, ("2026-02-15", "2026-02-16")),
        (
            {"selection": {"span": {"start": ["2026-02-15T00:00:00.000Z", "2026-02-16T13:30:00.000Z"]}}},
            ("2026-02-15", "2026-02-16"),
        ),
        ({"selection": {"span": {"start": ["2026-02-15", "2026-02-20"]}}}, ("2026-02-15", "2026-02-19")),
        (
            {"selection": {"span": {"start": ["2026-02-15T01:00:00+02:00", "2026-02-16T10:00"]}}},
            ("2026-02-14", "2026-02-16"),
        ),
        (
            {"selection": {"span": {"yearmonthdate_start": [1771113600000, 1771157000000]}}},
            ("2026-02-15", "2026-02-15"),
        ),
        ({"span": {"start": [1771113600000, 1771286400001]}}, ("2026-02-15", "2026-02-17")),
        ({"selection": {"span": {}}}, None),
        ({"selection": {}}, None),
        ({}, None),
        (None, None),
        ({"selection": {"span": {"start": [None, 1771286400000]}}}, None),
        ({"selection": {"span": {"start": ["soon", "later"]}}}, None),
        ({"selection": {"span": {"start": [1771113600000]}}}, None),
        ({"selection": {"span": {"start": [True, False]}}}, None),
    ],
)
def test_selection_dates(state, expected):
    got = selection_dates(state)
    if expected is None:
        assert got is None
    else:
        assert got == tuple(dt.date.fromisoformat(d) for d in expected)


def test_selection_dates_on_streamlit_state_object():
    pytest.importorskip("streamlit")
    from streamlit.elements.vega_charts import VegaLiteStateSerde

    serde = VegaLiteStateSerde([SELECTION])
    assert selection_dates(serde.deserialize(None)) is None
    state = serde.deserialize(json.dumps({"selection": {"span": {"start": [1771113600000, 1771286400000]}}}))
    assert selection_dates(state) == (dt.date(2026, 2, 15), dt.date(2026, 2, 16))


# -- figures over time ----------------------------------------------------------------------------------


def test_figures_over_time_shows_revisions_and_bounds(seed):
    folded, claim_rows = seed
    chart = figures_over_time(folded, claim_rows, "intercepted")
    assert isinstance(chart, alt.Chart)
    spec = chart.to_dict()
    bryansk = [
        r for r in rows(spec) if r["series"] == "feb26-strike-bryansk-wave|Governor of Bryansk Oblast (A. Bogomaz)"
    ]
    assert [r["value"] for r in sorted(bryansk, key=lambda r: r["stated"])] == [120, 170, 229]
    assert [r["label"] for r in sorted(bryansk, key=lambda r: r["stated"])] == ["120", "≥170", "229"]
    assert all(r["stated"].endswith("Z") for r in bryansk)  # UTC wall clock, as stated
    assert {r["publisher"] for r in bryansk} == {"The Kyiv Independent", "UNIAN", "MENAFN"}
    tooltip = {t["field"] for t in spec["encoding"]["tooltip"]}
    assert {"claimant", "when", "label", "publisher"} <= tooltip
    assert spec["mark"]["interpolate"] == "step-after" and spec["mark"]["point"] is True
    assert spec["encoding"]["color"]["field"] == "claimant"


def test_figures_over_time_about_bound(seed):
    folded, claim_rows = seed
    spec = figures_over_time(folded, claim_rows, "area_km2").to_dict()
    labels = {r["claimant"]: r["label"] for r in rows(spec)}
    assert labels["Chief of the Russian General Staff (V. Gerasimov)"] == "≥200"
    assert labels["President of Ukraine (V. Zelenskyy)"] == "~300"
    assert spec["title"] == "area (km²) as stated"


def test_figures_over_time_only_for_the_given_events(seed):
    folded, claim_rows = seed
    moscow = folded[folded["event_id"] == "feb26-strike-moscow"]
    data = rows(figures_over_time(moscow, claim_rows, "intercepted").to_dict())
    assert [(r["claimant"], r["label"]) for r in data] == [("Mayor of Moscow (S. Sobyanin)", "13")]


def test_figures_over_time_empty_and_unknown(seed):
    folded, claim_rows = seed
    assert says_empty(figures_over_time(folded.iloc[:0], claim_rows, "intercepted").to_dict())
    captures = folded[folded["layer"] == "capture"]
    assert says_empty(figures_over_time(captures, claim_rows, "intercepted").to_dict())
    assert says_empty(figures_over_time(folded, claim_rows.iloc[:0], "launched").to_dict())
    with pytest.raises(ValidationError, match="unknown figure 'speed'"):
        figures_over_time(folded, claim_rows, "speed")


# -- breakdown ------------------------------------------------------------------------------------------


def test_breakdown_counts_each_part_of_multi_valued_columns(seed):
    folded, _ = seed
    spec = breakdown(folded, "impact_type").to_dict()
    counts = {r["category"]: r["events"] for r in rows(spec)}
    assert counts == {"power": 1, "heating": 1, "damage": 1, "casualties": 1}
    assert spec["encoding"]["color"]["field"] == "status"
    assert spec["encoding"]["color"]["scale"]["range"][: len(STATUS_COLOURS)] == list(STATUS_COLOURS.values())
    assert "events with no impact type" in spec["title"]["subtitle"]


def test_breakdown_by_side_coloured_by_status(seed):
    folded, _ = seed
    data = rows(breakdown(folded, "side").to_dict())
    got = {(r["category"], r["status"]): r["events"] for r in data}
    assert got[("RU", "disputed")] == 2
    assert sum(v for (side, _), v in got.items() if side == "RU") == (folded["side"] == "RU").sum()


def test_breakdown_labels_and_order():
    events = pd.DataFrame(
        {
            "weapon": ["glide_bomb", "drone", "drone", None],
            "status": ["claimed", "claimed", None, "claimed"],
        }
    )
    spec = breakdown(events, "weapon").to_dict()
    assert spec["encoding"]["y"]["sort"] == ["drone", "glide bomb"]
    assert {(r["category"], r["status"]) for r in rows(spec)} == {
        ("glide bomb", "claimed"),
        ("drone", "claimed"),
        ("drone", charts.NO_STATUS),
    }


def test_breakdown_folds_long_tails():
    events = pd.DataFrame({"axis": [f"axis {i}" for i in range(100)] + ["axis 0"] * 5, "status": "claimed"})
    data = rows(breakdown(events, "axis").to_dict())
    assert len(data) == 30
    assert {"category": "71 others", "events": 71}.items() <= next(r for r in data if "others" in r["category"]).items()


def test_breakdown_empty_and_unknown_column(seed):
    folded, _ = seed
    assert says_empty(breakdown(folded.iloc[:0], "weapon").to_dict())
    assert says_empty(breakdown(folded[folded["layer"] == "capture"], "weapon").to_dict())
    with pytest.raises(ValidationError, match="no column 'colour'"):
        breakdown(folded, "colour")


# -- scale ----------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "make",
    [
        lambda f, c: timeline(f),
        lambda f, c: figures_over_time(f, c, "intercepted"),
        lambda f, c: figures_over_time(f, c, "area_km2"),
        lambda f, c: figures_over_time(f, c, "launched"),
        lambda f, c: breakdown(f, "weapon"),
        lambda f, c: breakdown(f, "target_type"),
        lambda f, c: breakdown(f, "impact_type"),
        lambda f, c: breakdown(f, "side"),
    ],
    ids=["timeline", "intercepted", "area", "launched", "weapon", "target", "impact", "side"],
)
def test_charts_stay_small_for_100k_events(big, make):
    folded, claim_rows = big
    spec = make(folded, claim_rows).to_dict()  # Altair itself refuses more than 5,000 rows
    assert 0 < len(rows(spec)) <= MAX_ROWS
    assert not says_empty(spec)


@pytest.mark.slow
def test_figures_over_time_says_when_it_shows_a_part(big):
    folded, claim_rows = big
    spec = figures_over_time(folded, claim_rows, "intercepted").to_dict()
    assert "events with the most statements" in spec["title"]["subtitle"]
    assert len({r["series"].split("|")[0] for r in rows(spec)}) < (folded["layer"] == "strike").sum()


# -- in a real browser ----------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SELECTION_APP = """
import json
import streamlit as st
from geo import charts, claims
from geo.seed import load_seed

events, claim_rows = load_seed()
state = st.altair_chart(
    charts.timeline(claims.fold(events, claim_rows)), on_select="rerun", selection_mode=charts.SELECTION, key="tl"
)
st.code(json.dumps(state, default=str))
st.code(repr(charts.selection_dates(state)))
"""


@pytest.mark.browser
@pytest.mark.slow
def test_timeline_selection_round_trip_in_chromium(tmp_path, browser, streamlit_server):
    """Brush the timeline in headless Chromium (far from UTC) and read the dates back in Python."""
    app = tmp_path / "selection_app.py"
    app.write_text(SELECTION_APP, encoding="utf-8")
    url = streamlit_server(app)
    context = browser.new_context(viewport={"width": 1200, "height": 900}, timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        page.goto(url)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.locator("canvas, svg").first.wait_for(timeout=60_000)
        codes = page.locator('[data-testid="stCode"]')
        codes.nth(1).wait_for(timeout=60_000)
        assert "None" in codes.nth(1).inner_text()  # nothing selected yet
        box = chart.bounding_box()
        y = box["y"] + box["height"] * 0.5
        page.mouse.move(box["x"] + box["width"] * 0.3, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.9, y, steps=10)
        page.mouse.up()
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"stCode\"]')[1]?.innerText.includes('datetime')",
            timeout=30_000,
        )
        raw = json.loads(codes.nth(0).inner_text())
        shown = codes.nth(1).inner_text()
    finally:
        context.close()
        streamlit_server.stop(url)
    start, end = raw["selection"][SELECTION]["start"]  # epoch milliseconds, as documented above
    got = selection_dates(raw)
    assert got is not None and repr(got) in shown
    assert got == selection_dates({"selection": {SELECTION: {"start": [start, end]}}})
    first, last = got
    # inside the drawn span: 23 Jan (talks) to 23 Feb (the south counter-offensive, dated to February, spread to it)
    assert dt.date(2026, 1, 23) < first < last <= dt.date(2026, 2, 23)
    assert (last - first).days >= 10


def _tooltip(page) -> str:
    """The text of the chart tooltip showing now ("" when none is)."""
    return page.evaluate(
        "() => { const e = document.getElementById('vg-tooltip-element');"
        " return e && e.classList.contains('visible') ? e.innerText : ''; }"
    )


@pytest.mark.browser
def test_timeline_tooltip_in_chromium_says_period_claims_are_spread(browser, bundled_server):
    """Hover the Timeline page's bars as a reader does: early February's captures are spread, not 7 on 1 Feb."""
    from tests.browsing import Visitor

    reader = Visitor(browser, bundled_server, {"width": 1440, "height": 1000})  # network cut off, errors kept
    errors = reader.errors
    try:
        page = reader.page
        page.goto(bundled_server + "/timeline?from=2026-02-01&to=2026-02-09")
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.locator("canvas, svg").first.wait_for(timeout=60_000)
        reader.settle()
        box = chart.bounding_box()
        seen: set[str] = set()
        for fy in (0.5, 0.6, 0.7, 0.4, 0.8):
            for i in range(4, 60):
                page.mouse.move(box["x"] + box["width"] * i / 64, box["y"] + box["height"] * fy)
                text = _tooltip(page)
                if text:
                    seen.add(" ".join(text.split()))
            if any("spread over" in text for text in seen):
                break
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        reader.close()
    spread = [text for text in seen if "spread over" in text]
    assert spread, seen
    assert any("1 Feb 2026" in text and "0.6" in text for text in spread), spread
    assert all("capture claims dated to a period" in text or "capture claim dated" in text for text in spread)
    assert not any(re.search(r"events 7\b", text) for text in seen), seen  # no 7-capture bar
    assert errors == []


# -- a layer registered later; another language ---------------------------------------------------------


def test_timeline_shows_a_layer_registered_later(seed, shelling_spec):
    folded, _ = seed
    shelled = pd.DataFrame({"layer": ["shelling"] * 3, "time_start": pd.to_datetime(["2026-02-15"] * 3)})
    both = pd.concat([folded[["layer", "time_start"]], shelled], ignore_index=True)
    with layers.registered(shelling_spec):
        spec = timeline(both).to_dict()
        bars = datasets_with(spec, "y0")
        assert sum(b["events"] for b in bars if b["layer"] == "shelling") == 3
        scale = next(m for m in spec["layer"] if "y2" in m.get("encoding", {}))["encoding"]["color"]["scale"]
        assert scale["domain"][-1] == "shelling" and scale["range"][-1] == "#795548"
        on_15th = sorted((b for b in bars if b["start"] == "2026-02-15"), key=lambda b: b["y0"])
        assert on_15th[-1]["layer"] == "shelling"  # stacked in registry order
    assert "shelling" not in {b["layer"] for b in datasets_with(timeline(both).to_dict(), "y0")}


def test_layer_colours_come_from_the_registry(seed):
    folded, _ = seed
    spec = timeline(folded).to_dict()
    bar = next(m for m in spec["layer"] if "y2" in m.get("encoding", {}))
    scale = bar["encoding"]["color"]["scale"]
    counted = [s for s in layers.all_specs() if s.timeline == "counts"]
    assert scale["domain"] == [s.name for s in counted] and scale["range"] == [s.colour for s in counted]
    bands = datasets_with(spec, "colour")
    assert {b["colour"] for b in bands} == {layers.get("talks").colour}
    assert "Claimed captures" in bar["encoding"]["color"]["legend"]["labelExpr"]


def test_charts_speak_the_language_asked_for(seed):
    folded, claim_rows = seed
    messages = {
        "no events match": "ZZnothing",
        "events per day": "ZZper day",
        "Claimed captures": "ZZcaptures",
        "{place}, round {n}": "{place} ZZround {n}",
        "{figure} as stated": "ZZ{figure}",
        "intercepted": "ZZintercepted",
        "events by {column}": "ZZby {column}",
        "disputed": "ZZdisputed",
        "drone": "ZZdrone",
    }
    i18n.register(i18n.Catalog("xx", "Dummy", messages=messages))
    try:
        text = json.dumps(timeline(folded, lang="xx").to_dict(), ensure_ascii=False)
        assert "ZZper day" in text and "ZZcaptures" in text and "Abu Dhabi ZZround 1" in text
        assert says_empty_in(timeline(pd.DataFrame(), lang="xx").to_dict(), "ZZnothing")
        assert figures_over_time(folded, claim_rows, "intercepted", lang="xx").to_dict()["title"] == "ZZZZintercepted"
        spec = breakdown(folded, "weapon", lang="xx").to_dict()
        assert spec["title"]["text"] == "ZZby weapon"  # with a subtitle: events with no weapon
        assert "ZZdrone" in {r["category"] for r in rows(spec)}
        assert "ZZdisputed" in json.dumps(spec, ensure_ascii=False)
        assert {r["status"] for r in rows(spec)} <= {*schema.STATUSES, charts.NO_STATUS}  # data keys stay
    finally:
        i18n.unregister("xx")
    assert says_empty(timeline(pd.DataFrame()).to_dict())


def says_empty_in(spec: dict, text: str) -> bool:
    return any(row.get("text") == text for row in rows(spec))


def test_breakdowns_come_from_the_registry(shelling_spec):
    from dataclasses import replace

    assert charts.breakdowns() == ("side", "weapon", "target_type", "impact_type")
    with layers.registered(replace(shelling_spec, breakdowns=("weapon", "axis"))):
        assert charts.breakdowns() == ("side", "weapon", "target_type", "impact_type", "axis")
    with pytest.raises(ValidationError, match="use one of: side, weapon, target_type, impact_type"):
        breakdown(pd.DataFrame({"status": ["claimed"]}), "colour")
