"""Claims set against assessed control on the pages: the Captures page's *Claims vs assessment* table, the Sources
page's counts per claimant, the Overview's key figures — on a store with a generated daily series and capture
events placed where the growing strip covers them (or never does); and the empty state with no series loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.control import synthetic
from geo.control.change import change
from geo.control.read import import_control
from geo.stats import assessment_figures, verdict_counts, verdict_table

ROOT = Path(__file__).resolve().parents[1]
START = dt.date(2024, 1, 1)
TODAY = dt.date(2024, 6, 1)
STEP = 0.02
DAYS = 10
LAT = 47.4
INSIDE_3 = (synthetic.EAST0 + 3 * STEP - STEP / 2, LAT)  # the strip of day 3 covers it, ~750 m from that day's line
FAR = (36.0, LAT)  # Zaporizhzhia oblast, never covered


def _day(k: int) -> str:
    return f"{START + dt.timedelta(k):%Y-%m-%d}"


EVENTS = [  # event_id, place, point, side, precision, day
    ("ev-in", "Covered", INSIDE_3, "RU", "exact", 1),
    ("ev-far", "Beyond", FAR, "RU", "near", 2),
    ("ev-in-ua", "Retaken", INSIDE_3, "UA", "exact", 4),
]
CLAIMS = [  # claim_id, event_id, claimant, party, day
    ("c-in", "ev-in", "Russian MoD", "RU", 1),
    ("c-far", "ev-far", "Russian MoD", "RU", 2),
    ("c-in-ua", "ev-in-ua", "Ukrainian General Staff", "UA", 4),
]


def write_store(path: Path, folder: Path, *, series: bool = True) -> None:
    """A store of three located capture claims and one claim with figures (days 1–5), with or without a series."""
    from geo.store import open_store

    store = open_store(str(path), create=True, seed=False)
    if series:
        synthetic.write_daily_files(folder, START, DAYS, step=STEP)
        import_control(store, folder, today=TODAY)
    events = gpd.GeoDataFrame(
        {
            "event_id": [e[0] for e in EVENTS] + ["ev-total"],
            "layer": "capture",
            "title": [f"Capture of {e[1]}" for e in EVENTS] + ["Captures since 2 January"],
            "place": [e[1] for e in EVENTS] + ["all directions"],
            "side": [e[3] for e in EVENTS] + ["RU"],
            "country": "UA",
            "admin1": ["UA-23"] * len(EVENTS) + [None],
            "geo_precision": [e[4] for e in EVENTS] + ["country"],
            "time_start": [_day(e[5]) for e in EVENTS] + [_day(1)],
            "time_end": [_day(e[5]) for e in EVENTS] + [_day(5)],
            "time_precision": ["day"] * len(EVENTS) + ["week"],
        },
        geometry=[shapely.Point(e[2]) for e in EVENTS] + [None],
        crs="EPSG:4326",
    )
    claims = pd.DataFrame(
        {
            "claim_id": [c[0] for c in CLAIMS] + ["c-total"],
            "event_id": [c[1] for c in CLAIMS] + ["ev-total"],
            "claimant": [c[2] for c in CLAIMS] + ["Chief of the General Staff"],
            "party": [c[3] for c in CLAIMS] + ["RU"],
            "stated_at": [_day(c[4]) for c in CLAIMS] + [_day(6)],
            "stance": "asserts",
            "publisher": "test",
            "source_url": "https://example.org/claim",
            "area_km2": [None] * len(CLAIMS) + [200.0],
            "area_km2_bound": [None] * len(CLAIMS) + ["at_least"],
            "settlements": [None] * len(CLAIMS) + [12.0],
        }
    )
    store.write(events, claims, dataset="test")


@pytest.fixture(scope="module")
def control_store(tmp_path_factory):
    """CONFLICTMAP_STORE set to a store with the series, for the whole module (one series, ten days)."""
    folder = tmp_path_factory.mktemp("control-views")
    path = folder / "conflict.gpkg"
    write_store(path, folder / "days")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONFLICTMAP_STORE", str(path))
        mp.setenv("CONFLICTMAP_CACHE_DIR", str(folder / "cache"))
        settings.reload()
        yield path
    settings.reload()


@pytest.fixture
def bare_store(tmp_path, monkeypatch):
    """The same claims, no assessment loaded."""
    path = tmp_path / "conflict.gpkg"
    write_store(path, tmp_path / "days", series=False)
    monkeypatch.setenv("CONFLICTMAP_STORE", str(path))
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(tmp_path / "cache"))
    settings.reload()
    yield path
    monkeypatch.undo()
    settings.reload()


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    if page and page.endswith(".py"):
        at.switch_page(page).run()
    elif page:
        hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == page]
        assert hashes
        at._page_hash = hashes[0]
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    """The table on the page that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with {column!r}"
    return found[0]


def _expected_total(path: Path) -> tuple[int, int]:
    """The change the engine computes for the claim's period (eve of day 1 to day 5), rounded as shown."""
    from geo.store import open_store

    c = change(open_store(str(path)), START, START + dt.timedelta(5), assessor="DeepStateMap", side="RU")
    return round(c.gained_km2), round(c.lost_km2)


def test_captures_page_sets_each_claim_against_the_series(control_store):
    at = _app("captures")
    table = _frame(at, "verdict:DeepStateMap").set_index("claim_id")
    assert set(table.index) == {"c-in", "c-far", "c-in-ua"}  # located claims only: the total has no point
    assert table.loc["c-in", "verdict:DeepStateMap"] == "reflected"
    assert table.loc["c-in", "as_of:DeepStateMap"] == START + dt.timedelta(3)  # the day the strip covers it
    assert table.loc["c-far", "verdict:DeepStateMap"] == "not reflected"
    assert table.loc["c-far", "as_of:DeepStateMap"] == START + dt.timedelta(DAYS - 1)  # the latest assessed day
    assert table.loc["c-in-ua", "verdict:DeepStateMap"] == "contradicted"
    assert table.loc["c-in", "place"] == "Covered" and table.loc["c-in", "claimant"] == "Russian MoD"
    captions = " ".join(c.value for c in at.caption)
    assert "DeepStateMap" in captions and "not ground truth" in captions
    gained, lost = _expected_total(control_store)
    assert gained > 100  # five strips of ~33 km²
    lists = " ".join(m.value for m in at.markdown)
    assert f"claimed ≥200 km², 12 settlements · DeepStateMap: \\+{gained} / −{lost} km²" in lists
    assert "1 of 3 located capture claims reflected" in lists


def test_sources_page_counts_verdicts_per_claimant(control_store):
    at = _app("views/sources.py")
    counts = _frame(at, "not_reflected").set_index("claimant")
    assert counts.loc["Russian MoD", "reflected"] == 1
    assert counts.loc["Russian MoD", "not_reflected"] == 1
    assert counts.loc["Russian MoD", "claims"] == 2
    assert counts.loc["Ukrainian General Staff", "contradicted"] == 1
    assert counts.loc["Ukrainian General Staff", "reflected"] == 0
    assert set(counts["assessor"]) == {"DeepStateMap"}
    assert any("not ground truth" in c.value for c in at.caption)


def test_overview_key_figures_say_what_the_assessor_reflects(control_store):
    at = _app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Captures reflected · DeepStateMap"] == "1 / 3"
    gained, _ = _expected_total(control_store)
    caption = next(c.value for c in at.caption if "DeepStateMap: " in c.value)
    assert f"\\+{gained} / −" in caption and "not ground truth" in caption


def test_captures_page_without_assessments_says_how_to_load_them(bare_store):
    at = _app("captures")
    assert any("python -m geo control import" in i.value for i in at.info)
    assert not any("verdict:DeepStateMap" in d.value.columns for d in at.dataframe)
    overview = _app()
    assert not any("Captures reflected" in m.label for m in overview.metric)  # nothing to say: no metric


def test_tables_from_verdicts():
    verdicts = pd.DataFrame(
        {
            "claim_id": ["a", "a", "b"],
            "event_id": ["e1", "e1", "e2"],
            "place": ["X", "X", "Y"],
            "side": "RU",
            "claimant": ["MoD", "MoD", "MoD"],
            "party": "RU",
            "stance": "asserts",
            "claim_day": [dt.date(2024, 1, 2), dt.date(2024, 1, 2), dt.date(2024, 1, 5)],
            "assessor": ["DeepStateMap", "ISW", "DeepStateMap"],
            "verdict": ["reflected", "at_line", "no_assessment"],
            "as_of": [dt.date(2024, 1, 3), dt.date(2024, 1, 9), None],
            "latest_day": dt.date(2024, 1, 9),
            "distance_m": [900.0, 120.0, float("nan")],
            "text": ["t1", "t2", "t3"],
        }
    )
    wide = verdict_table(verdicts)
    assert list(wide["claim_id"]) == ["b", "a"]  # latest claims first
    assert wide.set_index("claim_id").loc["a", "verdict:ISW"] == "at the line"
    assert pd.isna(wide.set_index("claim_id").loc["b", "verdict:ISW"])  # ISW said nothing about b
    counts = verdict_counts(verdicts, by=()).set_index("assessor")
    assert counts.loc["DeepStateMap", ["reflected", "no_assessment", "claims"]].tolist() == [1, 1, 2]
    figs = assessment_figures(verdicts)
    assert figs["assessors"] == ["DeepStateMap", "ISW"]
    assert figs["lines"]["ISW"] == "0 of 1 located capture claim reflected; 1 at the line"
    assert "DeepStateMap, ISW" in figs["caveat"] and "not ground truth" in figs["caveat"]


@pytest.mark.parametrize(("fmt", "magic"), [("gif", b"GIF89a"), ("csv", b"")])
def test_export_page_makes_a_time_lapse_and_sets_data_against_the_series(control_store, fmt, magic):
    at = _app("views/export.py")
    at.selectbox(key="export_page_format").set_value(fmt).run()
    at.button(key="export_page_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = at.get("download_button")
    assert len(buttons) == 1
    data = at.session_state  # the button's bytes are not in the proto: render them as the page did
    from ui import exporting

    ready = data["export_page_ready"]
    content, _ = exporting._render(exporting.data.cache_key(exporting.Filter.create()), *ready)
    if magic:
        assert content.startswith(magic)
    else:
        assert "not ground truth" in content.decode("utf-8")  # the assessment column of every claim
