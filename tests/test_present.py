"""One way to write figures, dates, places, counts and links, everywhere."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from geo import i18n, present


@pytest.mark.parametrize(
    ("value", "bound", "text"),
    [(170, "at_least", "≥170"), (400, "about", "~400"), (5, "at_most", "≤5"), (229, "exact", "229"),
     (1200, None, "1,200"), (8.4, None, "8.4"), (None, "at_least", ""), (float("nan"), None, "")],
)  # fmt: skip
def test_figure(value, bound, text):
    assert present.figure(value, bound) == text


def test_figure_history_and_text():
    assert present.figure_history([(120, "exact"), (170, "at_least"), (170, "at_least"), (229, None)]) == (
        "120 → ≥170 → 229"
    )
    assert present.figure_text("intercepted", 170, "at_least") == "intercepted ≥170"
    assert present.figure_text("area_km2", 200, "at_least") == "area ≥200 km²"
    assert present.figure_text("area_km2", None) == ""


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2026-02-15", "2026-02-15", "15 Feb 2026"),
        ("2026-02-15", "2026-02-16", "15–16 Feb 2026"),
        (dt.date(2026, 1, 28), dt.date(2026, 2, 3), "28 Jan – 3 Feb 2026"),
        (dt.date(2025, 12, 28), dt.date(2026, 1, 3), "28 Dec 2025 – 3 Jan 2026"),
        ("2026-02-15", None, "from 15 Feb 2026"),
        (None, "2026-02-16", "until 16 Feb 2026"),
        (None, None, ""),
    ],
)
def test_date_range(start, end, text):
    assert present.date_range(start, end) == text


def test_stated_and_when():
    assert present.stated("2026-02-16T09:05", "minute") == "2026-02-16 09:05"
    assert present.stated("2026-02-16T12:00", "part_of_day") == "2026-02-16 ~12:00"
    assert present.stated("2026-02-07", "week") == "by 2026-02-07"
    assert present.stated("2026-02-15", "event_date") == "2026-02-15 (event date)"
    assert present.when("2026-02-01", "2026-02-14", "week") == "2026-02-01 – 2026-02-14 (week)"


def test_region_names_one_function_any_language():
    assert present.region_name("RU-BRY") == "Bryansk Oblast"
    assert present.region_name("ua-23") == "Zaporizhzhia Oblast"
    assert present.region_name("UA-23", "uk") == "Запорізька область"
    assert present.region_name("XX-99") == "XX-99"
    assert present.region_label("UA-23;RU-BRY") == "Zaporizhzhia Oblast (UA-23); Bryansk Oblast (RU-BRY)"
    assert present.region_label(("UA-23",), with_code=False) == "Zaporizhzhia Oblast"


def test_counts_and_labels():
    assert present.count(1, "strike") == "1 strike"
    assert present.count(3, "capture") == "3 capture claims"
    assert present.count(1204) == "1,204 events"
    assert present.layer_label("impact") == "Affected regions"
    assert present.status_label("disputed", long=True) == "disputed (the other side denies)"
    assert present.precision_label("admin1") == "located only to the region"
    assert present.stance_label("reports_fighting") == "reports fighting"


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.reuters.com/x", "https://www.reuters.com/x"),
        (" http://t.me/a ", "http://t.me/a"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("https:///nohost", None),
        ("//example.org/x", None),
        ("http://[::1", None),
        (None, None),
    ],
)
def test_safe_url_is_one_rule(url, safe):
    assert present.safe_url(url) == safe


def test_link_escapes():
    assert present.link("javascript:alert(1)", "<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert present.link('https://a.org/?q="x"', None) == (
        '<a href="https://a.org/?q=&quot;x&quot;" target="_blank" rel="noopener noreferrer">a.org</a>'
    )


def test_timeline_bins():
    days = np.array([np.datetime64("2026-02-01"), np.datetime64("2026-02-20")]).astype("datetime64[D]").astype(np.int64)
    assert present.choose_bin(days, series=3) == "day"
    long = np.arange(np.datetime64("2023-01-01"), np.datetime64("2026-01-01")).astype(np.int64)
    assert present.choose_bin(long, series=3) == "week"
    assert present.choose_bin(long, series=3, max_rows=200) == "month"
    assert present.choose_bin(long, series=3, max_rows=20) == "year"
    weeks = present.bin_ordinals(long, "week")
    starts = present.bin_starts(np.unique(weeks), "week")
    assert all(d.astype(object).weekday() == 0 for d in starts)  # weeks start on Monday
    assert present.bin_label("2026-02-09", "week") == "week of 9 Feb 2026"
    assert present.bin_label("2026-02-01", "month") == "Feb 2026"
    assert present.bin_label("2026-01-01", "year") == "2026"


def test_present_speaks_the_current_language():
    i18n.register(i18n.Catalog("xx", "Dummy", messages={"Feb": "Lyutyi", "Bryansk Oblast": "unused"}))
    try:
        with i18n.using("xx"):
            assert present.day("2026-02-15") == "15 Lyutyi 2026"
        assert present.day("2026-02-15") == "15 Feb 2026"
    finally:
        i18n.unregister("xx")


def test_every_descriptor_value_is_a_message():
    """Weapons, targets and impact types are shown through t(): each must be in the catalog's source table."""
    from geo import schema

    values = {v.replace("_", " ") for v in (*schema.WEAPONS, *schema.TARGET_TYPES, *schema.IMPACT_TYPES)}
    assert values <= set(present.labels._VALUES)
    assert present.column_label("target_type") == "target"
    assert present.value_label("weapon", "glide_bomb") == "glide bomb"
