"""The bundled February 2026 dataset holds every sourced fact, and only those."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from geo.claims import derive_status, fold, history
from geo.seed import DATASET, load_seed

SEED_FACTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "seed-facts.md"


@pytest.fixture(scope="module")
def seed():
    events, claims = load_seed()
    return events, claims, fold(events, claims).set_index("event_id")


def _event(seed, event_id):
    return seed[2].loc[event_id]


def test_counts_per_layer(seed):
    events, claims, _ = seed
    assert events["layer"].value_counts().to_dict() == {"capture": 18, "strike": 8, "talks": 3, "impact": 2}
    assert (events["dataset"] == DATASET).all()
    assert len(claims) == 40


def test_every_claim_has_its_source(seed):
    _, claims, _ = seed
    assert claims["publisher"].notna().all()
    assert claims["source_url"].str.startswith("https://").all()
    assert claims["claimant"].notna().all()


def test_every_source_of_the_fact_sheet_is_used(seed):
    if not SEED_FACTS.exists():
        pytest.skip("shared/reference/seed-facts.md is not beside the repository")
    urls = set(re.findall(r"https://[^\s|)]+", SEED_FACTS.read_text()))
    _, claims, _ = seed
    used = set(claims["source_url"]) | {u for cell in claims["other_sources"].dropna() for u in cell.split(";")}
    assert urls <= used, urls - used


def test_three_rounds_of_talks(seed):
    events = seed[0]
    talks = events[events["layer"] == "talks"].sort_values("time_start")
    assert talks["venue"].str.split(",").str[0].tolist() == ["Abu Dhabi", "Abu Dhabi", "Geneva"]
    assert talks["time_start"].dt.strftime("%m-%d").tolist() == ["01-23", "02-04", "02-17"]
    assert talks["time_end"].dt.strftime("%m-%d").tolist() == ["01-24", "02-05", "02-18"]
    assert sorted(seed[2].loc[talks["event_id"], "round"].tolist()) == [1, 2, 3]


def test_gerasimov_aggregate_has_no_invented_coordinates(seed):
    ev = _event(seed, "feb26-cap-gerasimov-12-settlements")
    assert ev.geometry is None or ev.geometry.is_empty
    assert ev["geo_precision"] == "country"
    assert ev["country"] == "UA"
    assert pd.isna(ev["admin1"])
    assert (ev["settlements"], ev["settlements_bound"]) == (12, "exact")
    assert (ev["area_km2"], ev["area_km2_bound"]) == (200, "at_least")
    assert ev["status"] == "claimed"


@pytest.mark.parametrize("event_id", ["feb26-cap-zaliznychne", "feb26-cap-staroukrainka"])
def test_denied_captures_are_disputed(seed, event_id):
    assert _event(seed, event_id)["status"] == "disputed"
    claims = seed[1]
    denial = claims[(claims["event_id"] == event_id) & (claims["stance"] == "denies")].iloc[0]
    assert denial["party"] == "UA"
    assert "Voloshyn" in denial["claimant"]


def test_bryansk_figures_are_one_event_with_history(seed):
    claims = seed[1]
    h = history(claims, "feb26-strike-bryansk-wave")
    gov = h[h["claimant"].str.startswith("Governor of Bryansk")]
    assert gov["intercepted"].tolist() == [120, 170, 229]
    assert gov["intercepted_bound"].tolist() == ["exact", "at_least", "exact"]
    assert gov["stance"].tolist() == ["asserts", "revises", "revises"]
    assert gov["current"].tolist() == [False, False, True]
    ev = _event(seed, "feb26-strike-bryansk-wave")
    assert (ev["intercepted"], ev["intercepted_bound"]) == (229, "exact")
    assert (ev["admin1"], ev["weapon"], ev["target_type"]) == ("RU-BRY", "drone", "energy")


@pytest.mark.parametrize(
    ("event_id", "admin1", "figures"),
    [
        ("feb26-strike-mod-four-oblasts", "RU-BRY;RU-KLU;RU-TUL;RU-MOS", {"intercepted": 102}),
        ("feb26-strike-moscow", "RU-MOW", {"intercepted": 13}),
        ("feb26-strike-belgorod", "RU-BEL", {"launched": 88, "intercepted": 51, "wounded": 1}),
        ("feb26-strike-kursk", "RU-KRS", {"intercepted": 25}),
        ("feb26-strike-kaluga", "RU-KLU", {"intercepted": 14}),
    ],
)
def test_strike_figures_per_claimant(seed, event_id, admin1, figures):
    ev = _event(seed, event_id)
    assert ev["admin1"] == admin1
    assert ev["geo_precision"] == "admin1"
    for fig, value in figures.items():
        assert ev[fig] == value
    if event_id == "feb26-strike-belgorod":
        assert ev["wounded_bound"] == "at_least"


def test_substation_is_near_vyhonichi_and_only_claimed(seed):
    ev = _event(seed, "feb26-strike-novobryanska-substation")
    assert ev["geo_precision"] == "near"
    assert ev["admin1"] == "RU-BRY"
    assert ev.geometry.y == pytest.approx(53.1, abs=0.05)
    assert ev["status"] == "claimed"
    assert "Supernova+" in ev["claimants"]


def test_affected_regions(seed):
    outage = _event(seed, "feb26-impact-bryansk-outage")
    assert outage["impact_type"] == "power;heating"
    assert outage["municipalities"] == 5
    assert (outage["duration_h"], outage["duration_h_bound"]) == (3, "about")
    belgorod = _event(seed, "feb26-impact-belgorod-damage")
    assert (belgorod["wounded"], belgorod["wounded_bound"]) == (1, "at_least")


def test_ukrainian_counter_claims_keep_both_claimants(seed):
    ev = _event(seed, "feb26-cap-ua-south-counteroffensive")
    assert ev["side"] == "UA"
    assert ev["claimants"].count(";") == 1
    assert (ev["area_km2"], ev["area_km2_bound"], ev["settlements"]) == (400, "about", 8)  # the latest (Syrskyi)
    h = history(seed[1], "feb26-cap-ua-south-counteroffensive")
    assert h["area_km2"].tolist() == [300, 400]
    assert h["current"].all()  # two claimants, each current


def test_contested_places_are_not_claimed_captures(seed):
    folded = seed[2]
    contested = folded[folded["status"] == "contested"]
    assert sorted(contested["place"]) == sorted(
        ["Hryshyne", "Novyi Donbas", "Bilytske", "Novopavlivka", "Novopidhirne", "Drobysheve", "Yarova", "Novosynove"]
    )
    assert contested["side"].isna().all()


def test_points_only_where_the_place_is_known(seed):
    events = seed[0]
    has_point = events.geometry.notna() & ~events.geometry.is_empty
    assert set(events.loc[has_point, "geo_precision"]) <= {"exact", "near"}
    assert events.loc[has_point, "geo_source"].str.startswith("GeoNames").all()
    # ambiguous in the gazetteer (Popivka: 4 in Sumy oblast, Tsvitkove: 2 in Zaporizhzhia oblast), a multi-region
    # claim whose only namesake is far from its axis (Novopidhirne), no place of that name (Novosynove)
    no_point = {"feb26-cap-popivka", "feb26-cap-tsvitkove", "feb26-fight-novopidhirne", "feb26-fight-novosynove"}
    assert set(events.loc[events["event_id"].isin(no_point), "geo_precision"]) == {"admin1"}
    assert not has_point[events["event_id"].isin(no_point)].any()


@pytest.mark.parametrize(
    ("event_id", "geonameid"),
    [
        ("feb26-cap-sydorivka", 807024),
        ("feb26-cap-chuhunivka", 710375),
        ("feb26-cap-hlushkivka", 708709),
        ("feb26-cap-staroukrainka", 689964),
        ("feb26-cap-prydorozhne", 689957),
    ],
)
def test_villages_are_points(seed, event_id, geonameid):
    ev = seed[0].set_index("event_id").loc[event_id]
    assert (ev["geo_precision"], ev["geo_source"]) == ("exact", f"GeoNames {geonameid}")
    assert ev.geometry.geom_type == "Point"


def test_precision_counts(seed):
    events = seed[0]
    settlements = events[(events["layer"] == "capture") & (events["geo_precision"] != "country")]
    assert settlements["geo_precision"].value_counts().to_dict() == {"exact": 12, "admin1": 4}


def test_seed_points_match_the_gazetteer(seed):
    from geo.gazetteer import geocode

    events = seed[0]
    pts = events[events["geo_source"].fillna("").str.startswith("GeoNames") & (events["layer"] != "talks")]
    assert len(pts) >= 12
    for _, ev in pts.iterrows():
        name = "Vygonichi" if "Vygonichi" in ev["geo_source"] else ev["place"]
        geonameid = int(re.search(r"GeoNames (\d+)", ev["geo_source"]).group(1))
        found = geocode(name, region=ev["admin1"])
        if found.ambiguous:  # the name fits several places of the region: the source must say why this one
            assert "(" in ev["geo_source"], ev["event_id"]
            found = next(c for c in found.candidates if c.geonameid == geonameid)
        else:
            assert found.found, ev["event_id"]
        assert found.geonameid == geonameid
        assert (found.lon, found.lat) == pytest.approx((ev.geometry.x, ev.geometry.y), abs=1e-4)


def test_status_counts(seed):
    status = derive_status(seed[1]).value_counts().to_dict()
    assert status == {"claimed": 21, "contested": 8, "disputed": 2}
