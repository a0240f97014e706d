"""Statement tables (issue 11, item 9) and the phone CSS (item 10): what the tables write and in which order.

A statement known only to the day (``stated_precision`` day, week or the
event's date) is written as its day — never "2026-02-16 00:00" — and listed
after the timed statements of that day; the *Figures* column is wide enough
for "launched 88; intercepted 51; wounded ≥1". Checked on the library's tables,
and on the pages that show them (AppTest).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import layers
from geo.claims import day_only, statement_table
from geo.seed import load_seed
from geo.sources import claims_table, column_labels

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seed():
    from geo.claims import fold

    events, claims = load_seed()
    return fold(events, claims), claims


def _layer(seed, layer: str):
    events, claims = seed
    mine = events[events["layer"] == layer]
    return mine, claims[claims["event_id"].isin(mine["event_id"])]


def test_the_bryansk_governors_figures_read_with_their_times(seed):
    events, claims = _layer(seed, "strike")
    every = statement_table(events, claims, current_only=False)
    gov = every[every["claimant"].str.startswith("Governor of Bryansk")]
    assert gov["stated"].tolist() == ["2026-02-15 ~12:00", "2026-02-15 ~18:00", "2026-02-16"]
    assert gov["figures"].tolist() == ["intercepted 120", "intercepted ≥170", "intercepted 229"]
    assert not every["stated"].str.contains("00:00").any()
    assert "2026-02-15 (event date)" in every["stated"].tolist()  # the press summary dated by the event


def test_statements_of_a_day_list_the_timed_ones_first(seed):
    events, claims = _layer(seed, "strike")
    every = statement_table(events, claims, current_only=False)
    feb15 = every[every["stated_at"].dt.normalize() == pd.Timestamp("2026-02-15")]
    timed = feb15["stated"].str.contains(":")
    assert timed.tolist() == sorted(timed.tolist(), reverse=True)  # True (timed) first, then the day-only ones
    assert feb15["stated"].tolist()[:2] == ["2026-02-15 ~12:00", "2026-02-15 ~18:00"]
    assert not every["stated_at"].is_monotonic_increasing  # not by the midnight a day-only statement is stored at
    assert every["stated_at"].dt.normalize().is_monotonic_increasing  # but day by day


def test_every_layer_table_writes_days_for_day_only_statements(seed):
    for layer in ("capture", "strike", "impact"):
        events, claims = _layer(seed, layer)
        table = statement_table(events, claims, current_only=False)
        assert len(table) == len(claims)
        assert table["stated"].str.match(r"^(by )?\d{4}-\d{2}-\d{2}").all(), layer
        assert not table["stated"].str.endswith("00:00").any(), layer


def test_the_sources_table_writes_days_and_keeps_disputed_first(seed):
    events, claims = seed
    table = claims_table(events, claims)
    assert table["status"].iloc[0] == "disputed"
    assert not table["stated"].str.contains("00:00").any()
    assert "2026-02-15 ~12:00" in table["stated"].tolist()
    assert "by 2026-02-05" in table["stated"].tolist()  # the week-precision claim on Staroukrainka
    flags = pd.Series(day_only(claims), index=claims["claim_id"].to_numpy())
    for _, rows in table.groupby("event_id", sort=False):
        days = rows["stated_at"].dt.normalize()
        assert days.is_monotonic_increasing
        for _, same_day in rows.groupby(days, sort=False):
            marks = flags.loc[same_day["claim_id"]].tolist()
            assert marks == sorted(marks)
    bryansk = table[table["event_id"] == "feb26-strike-bryansk-wave"]
    assert bryansk["stated"].tolist()[:3] == ["2026-02-15 ~12:00", "2026-02-15 ~18:00", "2026-02-15 (event date)"]
    assert column_labels()["stated"] == column_labels()["stated_at"] == "Stated"


def test_an_empty_selection_gives_empty_tables(seed):
    events, claims = seed
    none = claims.iloc[:0]
    assert list(statement_table(events, none).columns)[:6] == ["event_id", "title", "layer", "admin1", "stated_at",
                                                              "stated"]  # fmt: skip
    assert claims_table(events, none).empty


def test_layer_pages_show_the_written_time_not_the_timestamp():
    from views.layer import statement_columns

    for spec in layers.all_specs():
        if spec.page is None:
            continue
        shown = statement_columns(spec.page.table_columns)
        assert "stated_at" not in shown and "stated" in shown, spec.name
        assert shown.index("stated") == list(spec.page.table_columns).index("stated_at")


# --- the pages (AppTest) ------------------------------------------------------------------------------------------


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    if page:
        hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == page]
        at._page_hash = hashes[0]
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _config(frame) -> dict:
    return json.loads(frame.proto.columns)


def test_strikes_page_table_shows_days_wide_figures_and_reading_order(store_env):
    at = _app("strikes")
    frame = at.dataframe[0]
    order = list(frame.proto.column_order)
    assert order[0] == "stated" and "stated_at" not in order and "figures" in order
    config = _config(frame)
    table = frame.value
    longest = int(table["figures"].str.len().max())
    assert longest >= len("launched 88; intercepted 51; wounded ≥1")
    assert 8 * longest <= config["figures"]["width"] <= 400  # the longest figure whole (about 7 px a character)
    assert config["title"]["width"] == config["claimant"]["width"] == "medium"
    assert config["stated"]["label"] == "Stated"
    gov = table[table["claimant"].str.startswith("Governor of Bryansk")]
    assert gov["stated"].tolist() == ["2026-02-16"]
    belgorod = table[table["claimant"] == "Governor of Belgorod Oblast"]
    assert belgorod["figures"].tolist() == ["launched 88; intercepted 51; wounded ≥1"]
    at.toggle(key="strikes_history").set_value(True).run()
    table = at.dataframe[0].value
    gov = table[table["claimant"].str.startswith("Governor of Bryansk")]
    assert gov["stated"].tolist() == ["2026-02-15 ~12:00", "2026-02-15 ~18:00", "2026-02-16"]
    feb15 = table[table["stated_at"].dt.normalize() == pd.Timestamp("2026-02-15")]["stated"].tolist()
    assert feb15[:2] == ["2026-02-15 ~12:00", "2026-02-15 ~18:00"] and all(":" not in s for s in feb15[2:])


@pytest.mark.parametrize("page", ["captures", "regions"])
def test_other_layer_pages_write_days(store_env, page):
    at = _app(page)
    frame = at.dataframe[-1]  # the statements (the regions page has its periods-and-regions table first)
    assert "stated" in frame.proto.column_order and "stated_at" not in frame.proto.column_order
    assert not frame.value["stated"].str.contains("00:00").any()
    assert 200 <= _config(frame)["figures"]["width"] <= 400


def test_sources_page_writes_days(store_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("views/sources.py").run()
    assert not at.exception
    frame = at.dataframe[0]
    assert list(frame.proto.column_order)[:2] == ["status", "stated"]
    table = frame.value
    assert table["status"].iloc[0] == "disputed"
    assert "by 2026-02-05" in table["stated"].tolist()
    assert not table["stated"].str.contains("00:00").any()


def test_the_phone_css_is_one_style_that_takes_no_space():
    def script() -> None:
        import streamlit as st

        from ui import style

        style.apply()
        st.title("Page")

    at = AppTest.from_function(script, default_timeout=30)
    at.run()
    assert not at.exception
    html = [h.proto.body for h in at.get("html")]
    assert len(html) == 1 and html[0].count("<style>") == 1
    assert "@media (max-width: 640px)" in html[0] and "stMainBlockContainer" in html[0]
    assert at.title[0].value == "Page"
