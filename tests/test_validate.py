"""Validation at the edge: every problem at once, with row, column and fix."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.errors import ValidationError
from geo.validate import validate, validate_claims, validate_events

TODAY = dt.date(2026, 11, 26)


def _event(**kw) -> dict:
    base = {
        "event_id": "e1",
        "layer": "capture",
        "geo_precision": "admin1",
        "admin1": "UA-23",
        "time_start": "2026-02-10",
        "time_end": "2026-02-10",
        "time_precision": "day",
        "dataset": "test",
    }
    return base | kw


def _events(*rows: dict, points: list | None = None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=points or [None] * len(rows), crs="EPSG:4326")


def _claim(**kw) -> dict:
    base = {
        "claim_id": "c1",
        "event_id": "e1",
        "claimant": "Russian Ministry of Defence",
        "party": "RU",
        "stated_at": "2026-02-10",
        "stance": "asserts",
        "publisher": "TASS",
        "source_url": "https://tass.com/x",
    }
    return base | kw


def test_valid_input_is_normalised_and_caller_untouched():
    raw = _events(_event(admin1=" UA-43 ", time_start="2026-02-10", time_end="2026-02-12"))
    before = raw.copy()
    out = validate_events(raw, today=TODAY)
    assert out.loc[0, "admin1"] == "UA-43"
    assert out.loc[0, "country"] == "UA"  # Crimea is Ukraine, from the ISO code
    assert out.crs == "EPSG:4326"
    assert out["time_start"].dtype.kind == "M"
    assert set(out.columns) >= {"place", "weapon", "impact_type", "geo_source"}
    pd.testing.assert_frame_equal(raw, before)


def test_every_problem_is_reported_at_once():
    raw = _events(
        _event(event_id="a", layer="battle"),
        _event(event_id="b", time_start="2026-03-01", time_end="2026-02-01"),
        _event(event_id="b", admin1="Zaporizhzhia"),
        _event(event_id="d", time_start="2031-01-01", time_end="2031-01-02"),
        _event(event_id="e", time_start="2013-05-01", time_end="2013-05-01"),
        _event(event_id="f", admin1="UA-43", country="RU"),
        _event(event_id="g", time_start="yesterday"),
    )
    with pytest.raises(ValidationError) as info:
        validate_events(raw, today=TODAY)
    text = str(info.value)
    problems = {(p.row, p.column, p.message.split(":")[0]) for p in info.value.problems}
    assert (1, "layer", "unknown value") in problems
    assert "use one of: capture, strike, impact, talks" in text
    assert (2, "time_end", "time_end is before time_start") in problems
    assert (2, "event_id", "duplicate event_id") in problems
    assert (3, "admin1", "not an ISO 3166-2 code") in problems
    assert (4, "time_start", "date in the future") in problems
    assert (5, "time_start", "date before 2014") in problems
    assert (6, "country", "country disagrees with the admin1 code") in problems
    assert (7, "time_start", "not a date") in problems


def test_missing_required_columns_are_listed_together():
    with pytest.raises(ValidationError, match=r"3 problems") as info:
        validate_events(
            pd.DataFrame({"event_id": ["x"], "layer": ["strike"], "geo_precision": ["admin1"], "dataset": ["t"]})
        )
    assert {p.column for p in info.value.problems} == {"time_start", "time_end", "time_precision"}


def test_point_outside_every_region_is_rejected_with_swap_hint():
    # Zaliznychne with latitude and longitude swapped
    raw = _events(_event(geo_precision="exact"), points=[Point(47.64855, 36.16715)])
    with pytest.raises(ValidationError, match="latitude and longitude look swapped"):
        validate_events(raw, today=TODAY)
    # a point in the Black Sea with no country: an event at sea needs the country its source gives
    raw = _events(_event(geo_precision="exact", admin1=None), points=[Point(31.0, 43.0)])
    with pytest.raises(ValidationError, match="point lies at sea, farther than 10 km from every region"):
        validate_events(raw, today=TODAY)


def test_coordinates_in_metres_are_caught():
    raw = _events(_event(geo_precision="exact"), points=[Point(4025000.0, 6047000.0)])
    with pytest.raises(ValidationError, match="are they in metres"):
        validate_events(raw, today=TODAY)


def test_point_must_lie_in_the_region_given():
    raw = _events(_event(admin1="UA-59", geo_precision="exact"), points=[Point(36.16715, 47.64855)])
    with pytest.raises(ValidationError, match=r"UA-59 \(point is in UA-23\)"):
        validate_events(raw, today=TODAY)


def test_region_is_derived_from_the_point_and_projected_input_accepted():
    raw = _events(_event(admin1=None, geo_precision="exact"), points=[Point(36.16715, 47.64855)]).to_crs(3857)
    out = validate_events(raw, today=TODAY)
    assert out.loc[0, "admin1"] == "UA-23"
    assert out.loc[0, "country"] == "UA"
    assert out.crs == "EPSG:4326"
    assert out.geometry.iloc[0].x == pytest.approx(36.16715)


def test_exact_precision_needs_a_point():
    with pytest.raises(ValidationError, match="precision says exact/near but there is no geometry"):
        validate_events(_events(_event(geo_precision="exact")), today=TODAY)


def test_talks_venue_outside_the_region_set_is_fine():
    raw = _events(_event(layer="talks", admin1=None, country="CH", geo_precision="exact"), points=[Point(6.1, 46.2)])
    assert validate_events(raw, today=TODAY).loc[0, "country"] == "CH"


def test_claims_problems_collected():
    raw = pd.DataFrame(
        [
            _claim(claim_id="c1", stance="claims"),
            _claim(claim_id="c1", party="Russia"),
            _claim(claim_id="c3", intercepted="many"),
            _claim(claim_id="c4", intercepted_bound="at_least"),
            _claim(claim_id="c5", source_url="tass.com/x", settlements=-3),
        ]
    )
    with pytest.raises(ValidationError) as info:
        validate_claims(raw, today=TODAY)
    problems = {(p.row, p.column, p.message.split(":")[0]) for p in info.value.problems}
    assert (1, "stance", "unknown value") in problems
    assert (2, "claim_id", "duplicate claim_id") in problems
    assert (2, "party", "unknown value") in problems
    assert (3, "intercepted", "not a number") in problems
    assert (4, "intercepted_bound", "bound given without a figure") in problems
    assert (5, "source_url", "not a web address") in problems
    assert (5, "settlements", "negative figure") in problems


def test_figures_get_bounds_and_stated_precision_defaults():
    out = validate_claims(pd.DataFrame([_claim(intercepted="170", intercepted_bound="at_least", launched=88)]))
    row = out.iloc[0]
    assert (row["intercepted"], row["intercepted_bound"]) == (170.0, "at_least")
    assert (row["launched"], row["launched_bound"]) == (88.0, "exact")
    assert row["hits_bound"] is None
    assert row["stated_precision"] == "day"


def test_claims_checked_against_their_events():
    events = _events(_event(event_id="e1"), _event(event_id="e2"))
    claims = pd.DataFrame([_claim(intercepted=5), _claim(claim_id="c2", event_id="zz")])
    with pytest.raises(ValidationError) as info:
        validate(events, claims, today=TODAY)
    text = str(info.value)
    assert "figure 'intercepted' does not belong to this event's layer" in text
    assert "claim names an event that does not exist: 'zz'" in text
    assert "event 'e2' has no claim" in text
    assert "claims.intercepted" in text  # the table is named


def test_many_bad_rows_are_capped_but_counted():
    raw = _events(*[_event(event_id=f"e{i}", layer="nope") for i in range(50)])
    with pytest.raises(ValidationError) as info:
        validate_events(raw, today=TODAY)
    assert len(info.value.problems) == 21
    assert "and 30 more rows" in info.value.problems[-1].message
    assert "and 30 more rows" in str(info.value)


def test_point_just_off_the_coarse_coastline_takes_the_nearest_region():
    # ACLED's point for Kherson city lies just outside Natural Earth's 10m outline of the oblast
    raw = _events(_event(admin1=None, geo_precision="exact"), points=[Point(32.6169, 46.6354)])
    out = validate_events(raw, today=TODAY)
    assert out.loc[0, "admin1"] == "UA-65"


# --- a layer registered later is validated against the registry, read at call time -------------------------------


def test_registered_layer_is_validated_with_its_figures(shelling_spec):
    from geo import layers

    events = _events(_event(layer="shelling", admin1="UA-14"))
    good = pd.DataFrame([_claim(killed=2, wounded=5)])
    with pytest.raises(ValidationError, match="unknown value: 'shelling'"):
        validate(events, good, today=TODAY)
    with layers.registered(shelling_spec):
        ev, cl = validate(events, good, today=TODAY)
        assert ev["layer"].tolist() == ["shelling"] and cl["killed"].tolist() == [2.0]
        with pytest.raises(ValidationError) as err:
            validate(events, pd.DataFrame([_claim(killed=2, launched=40)]), today=TODAY)
        assert "figure 'launched' does not belong to this event's layer" in str(err.value)
        assert "killed" not in str(err.value)
        # a point abroad is refused for a layer counted on the ground (talks alone may meet abroad)
        abroad = _events(_event(layer="shelling", geo_precision="exact", admin1=None), points=[Point(8.55, 47.37)])
        with pytest.raises(ValidationError, match="outside every known region"):
            validate(abroad, good, today=TODAY)
    with pytest.raises(ValidationError, match="unknown value: 'shelling'"):
        validate(events, good, today=TODAY)


def test_source_url_follows_the_one_safe_url_rule():
    from geo import present

    urls = ["https://", "javascript:alert(1)", "ftp://example.org/x", "HTTPS://Example.org/a", "http://x.org"]
    raw = pd.DataFrame([_claim(claim_id=f"c{i}", source_url=u) for i, u in enumerate(urls)])
    with pytest.raises(ValidationError) as info:
        validate_claims(raw, today=TODAY)
    flagged = {p.row for p in info.value.problems if p.column == "source_url"}
    assert flagged == {i + 1 for i, u in enumerate(urls) if present.safe_url(u) is None} == {1, 2, 3}
