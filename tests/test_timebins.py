"""The one timeline binning: events dated only to a week, a month or several days are spread over them, never piled
on their first day — in the table, the dashboard's chart and the export's SVG alike."""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd
import pytest

from geo import timebins
from geo.seed import load_seed
from geo.timebins import MAX_ROWS, SPREAD_MIN_DAYS, count_bins


@pytest.fixture(scope="module")
def seed_events() -> pd.DataFrame:
    events, _claims = load_seed()
    return events


def _events(*rows: tuple[str, str, str | None, str | None]) -> pd.DataFrame:
    """Events from (layer, time_start, time_end, time_precision)."""
    return pd.DataFrame(
        {
            "layer": [r[0] for r in rows],
            "time_start": pd.to_datetime([r[1] for r in rows]),
            "time_end": pd.to_datetime([r[2] for r in rows]),
            "time_precision": [r[3] for r in rows],
        }
    )


def _per_day(table: pd.DataFrame, layer: str) -> pd.Series:
    """Events of a layer per bin start (day rows and spread rows added up)."""
    return table[table["layer"] == layer].groupby("start")["events"].sum()


# -- the bundled data -------------------------------------------------------------------------------------------


def test_no_capture_spike_on_1_february(seed_events):
    """Seven captures dated only to "the first two weeks of February" (or the month) are not drawn on 1 Feb."""
    starts_on_1st = seed_events[(seed_events["layer"] == "capture") & (seed_events["time_start"] == "2026-02-01")]
    assert len(starts_on_1st) == 7 and set(starts_on_1st["time_precision"]) <= {"week", "month"}
    table, unit = count_bins(seed_events)
    assert unit == "day"
    captures = _per_day(table, "capture")
    assert captures["2026-02-01"] < 1  # not 7
    assert captures.sum() == pytest.approx((seed_events["layer"] == "capture").sum())  # every capture counted once
    assert captures["2026-02-15"] == pytest.approx(9, abs=0.1)  # the day-precise claims of 15 Feb stay there
    first = table[(table["layer"] == "capture") & (table["start"] == "2026-02-01")]
    assert list(first["spread"]) == [True] and int(first["periods"].iloc[0]) == 7


def test_day_precise_events_keep_their_day(seed_events):
    table, _unit = count_bins(seed_events)
    day_rows = table[~table["spread"]]
    assert (day_rows["events"] == day_rows["events"].round()).all()  # whole counts
    strikes = table[table["layer"] == "strike"]
    assert not strikes["spread"].any()  # the overnight wave of 15–16 Feb is dated to the day
    assert set(strikes["start"]) == {"2026-02-15"}  # the waves of 15–16 Feb on their first day, as before
    assert strikes["events"].sum() == (seed_events["layer"] == "strike").sum()


# -- one event dated to a period ----------------------------------------------------------------------------------


def test_a_week_precision_event_adds_one_over_its_days():
    table, unit = count_bins(_events(("capture", "2026-02-01", "2026-02-14", "week")))
    assert unit == "day"
    assert table["spread"].all() and len(table) == 14
    assert list(table["start"]) == [f"2026-02-{d:02d}" for d in range(1, 15)]
    assert table["events"].to_numpy() == pytest.approx(np.full(14, 1 / 14))
    assert table["events"].sum() == pytest.approx(1)
    assert set(table["events_text"]) == {"0.07"}
    assert set(table["spread_over"]) == {"1–14 Feb 2026"}
    assert set(table["note"]) == {"spread over 1–14 Feb 2026: 1 capture claim dated to that period, not to a day"}
    assert (table["periods"] == 1).all()


def test_a_month_precision_event_in_weekly_bins_adds_its_days_per_week():
    """Over a long span the bins are weeks: a February event's share in each week is its days there."""
    table, unit = count_bins(
        _events(
            ("strike", "2025-01-01", "2025-01-01", "day"),
            ("strike", "2026-02-01", "2026-02-28", "month"),
        )
    )
    assert unit == "week"
    spread = table[table["spread"]]
    # 1 Feb 2026 is a Sunday: the week of 26 Jan holds 1 of its 28 days, then four weeks of 7, then 2 Mar's week: 6
    assert list(spread["start"]) == ["2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"]
    assert spread["events"].to_numpy() == pytest.approx(np.array([1, 7, 7, 7, 6]) / 28)
    assert spread["events"].sum() == pytest.approx(1)
    assert table.loc[~table["spread"], "events"].tolist() == [1.0]


def test_long_day_precise_event_is_spread_short_one_is_not():
    short = count_bins(_events(("strike", "2026-02-15", "2026-02-16", "day")))[0]
    assert list(short["start"]) == ["2026-02-15"] and not short["spread"].any() and short["events"].tolist() == [1.0]
    last = pd.Timestamp("2026-02-10") + pd.Timedelta(days=SPREAD_MIN_DAYS - 1)
    long = count_bins(_events(("capture", "2026-02-10", str(last.date()), "day")))[0]
    assert long["spread"].all() and len(long) == SPREAD_MIN_DAYS
    assert long["events"].sum() == pytest.approx(1)


@pytest.mark.parametrize(
    ("end", "precision"),
    [("2026-02-05", "week"), (None, "week"), ("2026-01-01", "month"), ("2026-02-05", None)],
)
def test_nothing_to_spread_over_counts_on_its_day(end, precision):
    """A week-precision event given one day (ACLED's), no end, an end before the start: counted on its day."""
    table = count_bins(_events(("capture", "2026-02-05", end, precision)))[0]
    assert table[["start", "events", "spread"]].to_dict("records") == [
        {"start": "2026-02-05", "events": 1.0, "spread": False}
    ]


def test_without_end_or_precision_columns_every_event_is_counted_on_its_first_day():
    events = pd.DataFrame({"layer": ["strike", "strike", "capture"], "time_start": ["2026-02-15"] * 2 + ["2026-02-16"]})
    table, unit = count_bins(events)
    assert unit == "day" and not table["spread"].any()
    assert table[["start", "layer", "events"]].to_dict("records") == [
        {"start": "2026-02-15", "layer": "strike", "events": 2.0},
        {"start": "2026-02-16", "layer": "capture", "events": 1.0},
    ]


def test_overlapping_periods_say_which_days_they_cover():
    table = count_bins(
        _events(
            ("capture", "2026-02-01", "2026-02-14", "week"),
            ("capture", "2026-02-10", "2026-02-20", "week"),
            ("capture", "2026-02-12", "2026-02-12", "day"),
        )
    )[0]
    spread = table[table["spread"]].set_index("start")
    assert spread.loc["2026-02-03", "note"] == (
        "spread over 1–14 Feb 2026: 1 capture claim dated to that period, not to a day"
    )
    assert spread.loc["2026-02-12", "periods"] == 2
    assert spread.loc["2026-02-12", "spread_over"] == "1–20 Feb 2026"
    assert spread.loc["2026-02-12", "note"].startswith("spread over their periods, within 1–20 Feb 2026: 2 capture")
    assert spread.loc["2026-02-18", "spread_over"] == "10–20 Feb 2026"
    assert spread.loc["2026-02-12", "events"] == pytest.approx(1 / 14 + 1 / 11)
    assert table["events"].sum() == pytest.approx(3)
    # the same period twice is one period: "spread over", not "within"
    twice = count_bins(_events(*[("capture", "2026-02-01", "2026-02-14", "week")] * 2))[0]
    assert set(twice["note"]) == {"spread over 1–14 Feb 2026: 2 capture claims dated to that period, not to a day"}


def test_stacking_puts_a_layers_spread_share_on_its_day_count():
    table = count_bins(
        _events(
            ("capture", "2026-02-12", "2026-02-12", "day"),
            ("capture", "2026-02-10", "2026-02-16", "week"),
            ("strike", "2026-02-12", "2026-02-12", "day"),
            ("strike", "2026-02-11", "2026-02-13", "week"),
        )
    )[0]
    day = table[table["start"] == "2026-02-12"]
    assert list(zip(day["layer"], day["spread"], strict=True)) == [
        ("capture", False), ("capture", True), ("strike", False), ("strike", True)
    ]  # fmt: skip
    assert day["y0"].iloc[0] == 0
    assert day["y0"].iloc[1:].to_numpy() == pytest.approx(day["y1"].iloc[:-1].to_numpy())
    assert (day["y1"] - day["y0"]).to_numpy() == pytest.approx(day["events"].to_numpy())
    assert day["y1"].iloc[-1] == pytest.approx(1 + 1 / 7 + 1 + 1 / 3)


def test_bins_stay_within_the_row_budget():
    rng = np.random.default_rng(1)
    n = 2000
    first = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 2000, n), unit="D")
    events = pd.DataFrame(
        {
            "layer": rng.choice(["capture", "strike", "impact"], n),
            "time_start": first,
            "time_end": first + pd.to_timedelta(rng.integers(0, 40, n), unit="D"),
            "time_precision": rng.choice(["day", "week", "month"], n),
        }
    )
    table, unit = count_bins(events, max_rows=600)
    assert len(table) <= 600 and unit in ("month", "year")
    assert table["events"].sum() == pytest.approx(n)


def test_a_million_events_bin_in_well_under_a_second():
    rng = np.random.default_rng(7)
    n = 1_000_000
    start = np.datetime64("2024-01-01") + rng.integers(0, 700, n).astype("timedelta64[D]")
    kind = rng.choice(3, n, p=[0.85, 0.10, 0.05])
    length = np.choose(kind, [np.zeros(n, dtype=np.int64), np.full(n, 6), rng.integers(27, 31, n)])
    events = pd.DataFrame(
        {
            "layer": pd.Categorical(rng.choice(["capture", "strike", "impact", "talks"], n)),
            "time_start": start.astype("datetime64[ns]"),
            "time_end": (start + length.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "time_precision": pd.Categorical(np.array(["day", "week", "month"])[kind]),
        }
    )
    count_bins(events.iloc[:1000])  # warm up
    started = time.process_time()  # CPU time: other work on a shared machine does not count against it
    table, unit = count_bins(events)
    took = time.process_time() - started
    assert unit == "week"
    assert table["events"].sum() == pytest.approx((events["layer"] != "talks").sum())
    assert took < 1.0, f"{took:.2f} s"


def test_constants():
    assert timebins.SPREAD_PRECISIONS == ("week", "month")
    assert MAX_ROWS == 5000


# -- the export's SVG draws the same -------------------------------------------------------------------------------


_SVG_RECT = re.compile(
    r'<rect class="(tl-bar|tl-spread)" data-layer="(\w+)" data-start="([\d-]+)" data-events="([\d.e-]+)"[^>]*>'
    r"<title>([^<]*)</title>"
)


def test_export_svg_spreads_like_the_table(seed_events):
    from geo.exporters.html import _timeline_svg

    svg = _timeline_svg(seed_events)
    rects = _SVG_RECT.findall(svg)
    captures: dict[str, float] = {}
    for _kind, layer, start, n, _title in rects:
        if layer == "capture":
            captures[start] = captures.get(start, 0.0) + float(n)
    assert captures["2026-02-01"] < 1  # no 7-capture bar on 1 Feb
    assert sum(captures.values()) == pytest.approx((seed_events["layer"] == "capture").sum(), abs=1e-4)
    table = count_bins(seed_events)[0]
    assert len(rects) == len(table)
    spread = [r for r in rects if r[0] == "tl-spread"]
    assert spread and all(r[1] == "capture" for r in spread)
    assert all("spread over" in r[4] for r in spread)
    assert 'fill-opacity="0.5"' in svg and "paler: spread over a week, a month or several days" in svg


def test_export_svg_of_a_week_precision_event():
    from geo.exporters.html import _timeline_svg

    svg = _timeline_svg(_events(("capture", "2026-02-01", "2026-02-14", "week")))
    rects = _SVG_RECT.findall(svg)
    assert [r[0] for r in rects] == ["tl-spread"] * 14
    assert sum(float(r[3]) for r in rects) == pytest.approx(1, abs=1e-4)
    assert (
        rects[0][4]
        == "1 Feb 2026: 0.07 — spread over 1–14 Feb 2026: 1 capture claim dated to that period, not to a day"
    )
    assert ">0.071<" in svg  # the axis' top: the tallest bar, 1/14
