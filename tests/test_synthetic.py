"""Synthetic data: labelled, deterministic, plausible, valid."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import reference, schema, synthetic
from geo.claims import derive_status
from geo.errors import ValidationError
from geo.store import WriteResult
from geo.synthetic import generate, write_synthetic
from geo.validate import validate


@pytest.fixture(scope="module")
def data() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    return generate(10_000, seed=7)


def test_same_n_and_seed_give_identical_frames():
    e1, c1 = generate(2_000, seed=3)
    e2, c2 = generate(2_000, seed=3)
    pd.testing.assert_frame_equal(pd.DataFrame(e1.drop(columns="geometry")), pd.DataFrame(e2.drop(columns="geometry")))
    assert e1.geometry.geom_equals_exact(e2.geometry, tolerance=0).fillna(False).add(e1.geometry.isna()).all()
    pd.testing.assert_frame_equal(c1, c2)
    e3, _ = generate(2_000, seed=4)
    assert not e3["event_id"].isin(e1["event_id"]).any()
    assert (e3["time_start"].to_numpy() != e1["time_start"].to_numpy()).any()


def test_output_passes_validation_unchanged(data):
    events, claims = data
    ev, cl = validate(events, claims, context="synthetic")
    for mine, checked in (
        (pd.DataFrame(events.drop(columns="geometry")), ev.drop(columns="geometry")),
        (claims, cl),
    ):
        assert list(mine.columns) == list(checked.columns)
        for col in mine.columns:
            assert mine[col].dtype == checked[col].dtype, col
            same = (mine[col] == checked[col]).fillna(False) | (mine[col].isna() & checked[col].isna())
            assert same.all(), col
    assert events.crs == schema.CRS


def test_everything_is_labelled_synthetic(data):
    events, claims = data
    assert (events["dataset"] == schema.SYNTHETIC).all()
    assert events["event_id"].str.startswith("syn-7-").all()
    assert events["event_id"].is_unique and claims["claim_id"].is_unique
    assert events["title"].str.startswith("Synthetic").all()
    assert (claims["publisher"] == "synthetic").all()
    assert claims["claimant"].str.fullmatch(r"Synthetic claimant \((RU|UA|independent)\)").all()
    assert (claims["claimant"] == "Synthetic claimant (" + claims["party"] + ")").all()
    assert claims["source_url"].isna().all()


def test_layer_mix_and_strike_details(data):
    events, claims = data
    share = events["layer"].value_counts(normalize=True)
    assert share["capture"] == pytest.approx(0.35, abs=0.03)
    assert share["strike"] == pytest.approx(0.45, abs=0.03)
    assert share["impact"] == pytest.approx(0.20, abs=0.03)
    assert "talks" not in share
    strikes = events[events["layer"] == "strike"]
    assert strikes["weapon"].value_counts(normalize=True)["drone"] > 0.5
    assert strikes["target_type"].notna().all() and strikes["weapon"].notna().all()
    impacts = events[events["layer"] == "impact"]
    assert impacts["impact_type"].notna().all()
    assert set(impacts["impact_type"].map(schema.split_multi).explode()) <= set(schema.IMPACT_TYPES)
    captures = events[events["layer"] == "capture"]
    assert captures["side"].isin(["RU", "UA"]).all() and captures["axis"].notna().all()
    with_both = claims.dropna(subset=["launched", "intercepted"])
    assert len(with_both) > 100
    assert (with_both["intercepted"] <= with_both["launched"]).all()
    assert (claims["launched_bound"] == "at_least").any()
    impact_claims = claims[claims["event_id"].isin(impacts["event_id"])]
    assert impact_claims["people_affected"].notna().any() and impact_claims["duration_h"].notna().any()
    assert set(claims["stance"]) <= set(schema.STANCES)


def test_claims_per_event_and_their_dates(data):
    events, claims = data
    per_event = claims.groupby("event_id").size()
    assert set(per_event) == {1, 2, 3}
    assert per_event.index.nunique() == len(events)
    dates = events.set_index("event_id")[["time_start", "time_end"]]
    joined = claims.join(dates, on="event_id")
    assert (joined["stated_at"] >= joined["time_start"]).all()
    assert (joined["stated_at"] < joined["time_end"] + pd.Timedelta(days=1)).all()
    first = claims.groupby("event_id").head(1)
    assert (first["stance"] == "asserts").all()


def test_statuses_cover_disputed_confirmed_and_retracted(data):
    events, claims = data
    status = derive_status(claims)
    captures = status[events.set_index("event_id").loc[status.index, "layer"].eq("capture").to_numpy()]
    share = captures.value_counts(normalize=True)
    assert share["disputed"] > 0.1
    assert share["confirmed"] > 0.05
    assert 0 < share["retracted"] < 0.1
    assert (claims["stance"] == "revises").sum() > 0


def test_every_point_lies_in_its_region(data):
    events, _ = data
    located = events[events.geometry.notna()]
    found = reference.regions_of(located.geometry.x, located.geometry.y)
    assert (found == located["admin1"].to_numpy()).all()
    assert events["admin1"].notna().all()
    assert (events["country"] == events["admin1"].str[:2]).all()
    regionwide = events[events["geo_precision"] == "admin1"]
    assert len(regionwide) > 0 and regionwide.geometry.isna().all() and (regionwide["layer"] == "impact").all()
    assert set(events["admin1"]) & {"RU-BRY", "RU-KRS", "RU-BEL", "RU-VOR", "RU-ROS"}
    assert set(events.loc[events["layer"] == "capture", "admin1"].str[:2]) <= {"UA", "RU"}


def test_every_anchor_lies_in_a_region():
    places = (*synthetic._DEEP_TARGETS, *synthetic._BORDER_REGIONS)
    found = reference.regions_of([p[1] for p in places], [p[2] for p in places])
    assert all(found), [p[0] for p, f in zip(places, found, strict=True) if f is None]
    front = reference.regions_of(synthetic._FRONT[:, 0], synthetic._FRONT[:, 1])
    assert all(front)


def test_date_range_is_respected():
    events, claims = generate(1_000, seed=1, start="2025-03-01", end="2025-03-31")
    assert events["time_start"].min() >= pd.Timestamp("2025-03-01")
    assert events["time_end"].max() <= pd.Timestamp("2025-03-31")
    assert claims["stated_at"].max() < pd.Timestamp("2025-04-01")
    one_day, _ = generate(50, start="2025-05-05", end="2025-05-05")
    assert (one_day["time_start"] == pd.Timestamp("2025-05-05")).all()


def test_zero_events():
    events, claims = generate(0)
    assert len(events) == 0 and len(claims) == 0
    assert list(events.columns) == [*schema.EVENT_COLUMN_NAMES, "geometry"]
    assert list(claims.columns) == list(schema.CLAIM_COLUMN_NAMES)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": -1}, "n must be a whole number"),
        ({"n": 2.5}, "n must be a whole number"),
        ({"n": 10, "seed": -3}, "seed must be"),
        ({"n": 10, "start": "2025-02-01", "end": "2025-01-01"}, "end 2025-01-01 is before start 2025-02-01"),
        ({"n": 10, "start": "soon"}, "not a date: 'soon'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        generate(**kwargs)


def test_caller_sees_no_shared_mutable_state():
    events, _ = generate(100, seed=2)
    events.loc[0, "title"] = "changed"
    again, _ = generate(100, seed=2)
    assert again.loc[0, "title"].startswith("Synthetic")


def test_write_synthetic(tmp_store):
    result = write_synthetic(tmp_store, 500, seed=1)
    assert result.inserted_events == 500 and result.inserted_claims > 500
    registry = tmp_store.datasets().set_index("name")
    assert registry.loc["synthetic", "kind"] == "synthetic" and registry.loc["synthetic", "events"] == 500
    again = write_synthetic(tmp_store, 500, seed=1)
    assert again == WriteResult(0, 0, 500, 0, 0, result.inserted_claims)
    stored = tmp_store.read_events()
    assert stored["event_id"].str.startswith("syn-1-").all()
    assert shapely.is_valid(stored.geometry.dropna().to_numpy()).all()
    assert np.isin(stored["geo_precision"], ["exact", "near", "admin1"]).all()


def test_dates_are_not_in_the_future_by_default():
    events, claims = generate(200)
    assert events["time_end"].max() <= pd.Timestamp("2026-02-28")
    assert claims["stated_at"].max() < pd.Timestamp(dt.date.today()) + pd.Timedelta(days=1)


def test_generates_its_own_layers_when_another_is_registered(shelling_spec):
    from geo import layers

    before = generate(500, seed=11)
    with layers.registered(shelling_spec):
        events, claims = generate(500, seed=11)
        validate(events, claims, context="synthetic")
    assert set(events["layer"]) <= {"capture", "strike", "impact"}
    pd.testing.assert_frame_equal(pd.DataFrame(events.drop(columns="geometry")), before[0].drop(columns="geometry"))
    pd.testing.assert_frame_equal(claims, before[1])
