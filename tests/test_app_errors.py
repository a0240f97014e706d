"""No page shows a traceback: an error in a run is one sentence on the page and a traceback in the server's log.

Also what the map takes for a drawn area: only the draw tools' shapes, never a clicked feature (issue 11).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo.filters import Filter
from ui.components import drawn_area

ROOT = Path(__file__).resolve().parents[1]
BOOM = "boom from a test <b>not shown</b>"
PAGE_SENTENCE = "This page could not be shown because of an error"
SIDEBAR_SENTENCE = "The filters could not be applied because of an error"


def _boom(*_args, **_kwargs):
    raise RuntimeError(BOOM)


def _run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    if page:
        hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == page]
        at._page_hash = hashes[0]  # a page drawn by a function (see tests/test_app.py::_switch)
        at.run()
    return at


def _texts(at: AppTest) -> str:
    """Every text element of the run, main area and sidebar."""
    kinds = ("title", "caption", "markdown", "error", "warning", "info", "exception")
    return " ".join(str(getattr(el, "value", "")) for kind in kinds for el in getattr(at, kind))


def _assert_one_sentence(at: AppTest, sentence: str, caplog: pytest.LogCaptureFixture) -> None:
    assert not at.exception, [e.value for e in at.exception]  # no traceback element
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(sentence), errors
    assert errors[0].count(". ") == 0 and errors[0].endswith("."), errors[0]  # one sentence
    assert "boom" not in _texts(at) and "RuntimeError" not in _texts(at)
    logged = [r for r in caplog.records if r.name == "ui.errors" and r.levelno == logging.ERROR]
    assert logged, "the error was not logged"
    assert logged[-1].exc_info and BOOM in str(logged[-1].exc_info[1])  # with its traceback


def test_a_page_that_raises_shows_one_sentence_and_logs_the_traceback(store_env, monkeypatch, caplog):
    monkeypatch.setattr("geo.charts.timeline", _boom)  # the overview's timeline, drawn after the map
    at = _run()
    _assert_one_sentence(at, PAGE_SENTENCE, caplog)
    assert at.title[0].value == "Overview"  # what the page drew before the error stays
    assert at.sidebar.multiselect(key="f_regions")  # and the sidebar works
    assert "Traceback" in caplog.text and "_boom" in caplog.text


def test_a_layer_page_that_raises_shows_one_sentence(store_env, monkeypatch, caplog):
    import views.layer

    monkeypatch.setattr(views.layer, "statement_table", _boom)  # geo.claims.statement_table, as the page calls it
    at = _run("strikes")
    _assert_one_sentence(at, PAGE_SENTENCE, caplog)


def test_a_sidebar_that_raises_shows_one_sentence_and_no_page(store_env, monkeypatch, caplog):
    monkeypatch.setattr(Filter, "to_query", _boom)  # the sidebar writes the filter to the link
    at = _run()
    _assert_one_sentence(at, SIDEBAR_SENTENCE, caplog)
    assert not at.title  # the page is not run with a filter the sidebar could not make


def test_after_an_error_the_next_run_is_whole_again(store_env, monkeypatch, caplog):
    import geo.charts

    real = geo.charts.timeline
    monkeypatch.setattr("geo.charts.timeline", _boom)
    at = _run()
    assert at.error
    monkeypatch.setattr("geo.charts.timeline", real)
    at.run()
    assert not at.error and not at.exception
    assert at.title[0].value == "Overview"


def test_st_stop_passes_through(store_env, monkeypatch, caplog):
    import streamlit as st

    monkeypatch.setattr("geo.charts.timeline", lambda *a, **k: st.stop())
    at = _run()
    assert not at.error and not at.exception
    assert not [r for r in caplog.records if r.name == "ui.errors"]


def test_st_rerun_passes_through(store_env, monkeypatch, caplog):
    import streamlit as st

    import geo.charts

    real = geo.charts.timeline
    calls: list[int] = []

    def rerun_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            st.rerun()
        return real(*args, **kwargs)

    monkeypatch.setattr("geo.charts.timeline", rerun_once)
    at = _run()
    assert len(calls) == 2  # the rerun happened: it was not taken for an error
    assert not at.error and not at.exception
    assert not [r for r in caplog.records if r.name == "ui.errors"]


# --- what the map takes for a drawn area ------------------------------------------------------------------------


def _polygon(ring: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


_RECT = {"type": "Polygon", "coordinates": [[[35, 47], [36, 47], [36, 48], [35, 48], [35, 47]]]}
_FEATURE = {"type": "Feature", "properties": {}, "geometry": _RECT}
_POINT = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [33.3, 52.9]}}


def test_a_drawn_rectangle_becomes_the_area():
    assert drawn_area({"all_drawings": [_FEATURE]}) == Filter(area=shapely.box(35, 47, 36, 48)).area


def test_a_click_on_a_feature_is_never_an_area():
    """What streamlit-folium reports for a click on a point or a region outline (under its count label)."""
    clicked_point = {"last_active_drawing": _POINT, "all_drawings": []}
    clicked_region = {"last_active_drawing": _FEATURE, "all_drawings": []}
    assert drawn_area(clicked_point) is None
    assert drawn_area(clicked_region) is None
    assert drawn_area({"all_drawings": None, "bounds": {}, "zoom": 6}) is None
    assert drawn_area(None) is None


@pytest.mark.parametrize(
    "drawings",
    [
        [_POINT],
        [{"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[30, 50], [31, 51]]}}],
        [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            }
        ],
        [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[[500, 0], [501, 0], [501, 1], [500, 0]]]},
            }
        ],
        [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "nonsense"}}],
        [{"type": "Feature", "geometry": None}],
        ["not a feature"],
        [],
    ],
    ids=["point", "line", "bow-tie", "off-the-globe", "malformed", "no-geometry", "not-a-feature", "none"],
)
def test_anything_but_a_valid_polygon_is_ignored(drawings):
    assert drawn_area({"all_drawings": drawings}) is None


def test_a_shape_drawn_round_the_globe_is_cut_to_it():
    """At a low zoom Leaflet reports longitudes past 180°: the world's part of the rectangle is the area."""
    wide = {"type": "Feature", "geometry": shapely.geometry.mapping(shapely.box(104.06, -84.67, 379.69, 20.63))}
    assert drawn_area({"all_drawings": [wide]}) == Filter(area=shapely.box(104.06, -84.67, 180, 20.63)).area


def test_several_drawn_shapes_make_one_area_and_points_among_them_are_ignored():
    other = shapely.box(37, 47, 38, 48)
    second = {"type": "Feature", "geometry": shapely.geometry.mapping(other)}
    area = drawn_area({"all_drawings": [_FEATURE, _POINT, second]})
    assert area == Filter(area=shapely.union_all([shapely.box(35, 47, 36, 48), other])).area
