"""Filter seams: layers from the registry (a throw-away layer is a valid, selectable, describable choice), the
layer-only fields (weapon, target type) from each layer's ``filters``, and the words through present and i18n."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import pytest

from geo import claims, i18n, layers, present
from geo.errors import ValidationError
from geo.filters import Filter, apply, describe, describe_dates, regions_by_country
from geo.filters import words as filter_words
from geo.seed import load_seed


@pytest.fixture(scope="module")
def folded() -> gpd.GeoDataFrame:
    events, claim_rows = load_seed()
    return claims.fold(events, claim_rows)


def _as_layer(folded: gpd.GeoDataFrame, name: str, weapon: str) -> gpd.GeoDataFrame:
    """Two of the seed's strikes, re-labelled as events of another layer with a given weapon."""
    rows = folded[folded["layer"] == "strike"].head(2).copy()
    rows["event_id"] = [f"test-{name}-{i}" for i in range(len(rows))]
    rows["layer"] = name
    rows["weapon"] = weapon
    return rows


@pytest.fixture
def with_shelling(folded, shelling) -> gpd.GeoDataFrame:
    return pd.concat([folded, _as_layer(folded, "shelling", "artillery")], ignore_index=True)


def ids(events: pd.DataFrame) -> set[str]:
    return set(events["event_id"])


# -- the vocabulary of layers is the live registry ------------------------------------------------------------


def test_a_registered_layer_is_a_valid_choice(shelling):
    assert Filter(layers=("shelling",)).layers == ("shelling",)
    assert Filter.create(layers=["Shellings", "strike"]).layers == ("shelling", "strike")  # plural, any case


def test_an_unregistered_layer_is_refused_with_the_live_choices(shelling_spec):
    with layers.registered(shelling_spec):
        Filter(layers=("shelling",))
    with pytest.raises(ValidationError, match="unknown layer 'shelling'") as info:
        Filter(layers=("shelling",))
    assert info.value.problems[0].column == "layer"
    assert "shelling" not in (info.value.problems[0].fix or "")
    assert "capture, strike, impact, talks" in (info.value.problems[0].fix or "")


def test_a_registered_layer_round_trips_through_the_url(shelling):
    flt = Filter.from_url("http://localhost:8501/?layer=shelling&layer=strike&from=2026-02-15")
    assert flt.layers == ("shelling", "strike")
    assert flt.to_query()["layer"] == ["shelling", "strike"]
    assert Filter.from_query(flt.to_query()) == flt
    assert Filter.from_url(flt.to_url("http://localhost:8501/")) == flt


def test_apply_selects_a_registered_layer(with_shelling):
    got = apply(with_shelling, Filter(layers=("shelling",)))
    assert ids(got) == {"test-shelling-0", "test-shelling-1"}
    both = apply(with_shelling, Filter(layers=("shelling", "capture")))
    assert set(both["layer"]) == {"shelling", "capture"}


def test_a_registered_layer_in_words(shelling):
    assert Filter(layers=("shelling",)).describe() == "shelling"
    in_registry_order = "captures, strikes, shelling"
    assert Filter(layers=("shelling", "strike", "capture")).describe() == in_registry_order


# -- layer-only fields follow each layer's `filters` ----------------------------------------------------------


def test_weapon_filter_does_not_drop_layers_without_weapons(with_shelling):
    got = apply(with_shelling, Filter(weapons=("missile",)))  # every seed strike is by drone; shelling says artillery
    assert "strike" not in set(got["layer"])
    assert {"test-shelling-0", "test-shelling-1"} <= ids(got)
    assert set(got["layer"]) == {"capture", "impact", "talks", "shelling"}
    assert layers.for_filter("weapons") == ("strike",)


def test_weapon_filter_applies_to_every_layer_listing_it(folded, shelling):
    barrage = dataclasses.replace(shelling, name="barrage", word="barrages", stack=16, filters=("weapons",))
    with layers.registered(barrage):  # like shelling, but a weapon filter applies to it
        assert layers.for_filter("weapons") == ("strike", "barrage")
        events = pd.concat(
            [folded, _as_layer(folded, "shelling", "artillery"), _as_layer(folded, "barrage", "artillery")],
            ignore_index=True,
        )
        missiles = ids(apply(events, Filter(weapons=("missile",))))
        assert not missiles & {"test-barrage-0", "test-barrage-1"}  # barrage lists weapons: its artillery is dropped
        assert {"test-shelling-0", "test-shelling-1"} <= missiles
        artillery = apply(events, Filter(weapons=("artillery",), layers=("barrage", "strike")))
        assert ids(artillery) == {"test-barrage-0", "test-barrage-1"}


def test_target_filter_keeps_layers_that_do_not_list_it(with_shelling):
    got = apply(with_shelling, Filter(target_types=("residential",)))
    assert {"test-shelling-0", "test-shelling-1"} <= ids(got)
    assert "strike" not in set(got["layer"])  # no bundled strike hit a residential target


# -- words through present and i18n -------------------------------------------------------------------------


@pytest.fixture
def test_language():
    catalog = i18n.Catalog(
        code="xx",
        name="Test",
        messages={
            "all events": "ALL",
            "Feb": "FEB",
            "claims by {parties}": "BY {parties}",
            "{first} or {second}": "{first} | {second}",
            "independent sources": "INDEPENDENT",
            "drawn area": "AREA",
            "Ukraine": "UKR",
            "captures": "CAPS",
            "events or statements {dates}": "DATES {dates}",
        },
        plurals={"dataset: {names}": {"one": "DS {names}", "other": "DSS {names}"}},
    )
    i18n.register(catalog)
    yield catalog.code
    i18n.unregister(catalog.code)


def test_describe_in_another_language(test_language):
    assert Filter().describe(lang=test_language) == "ALL"
    flt = Filter.create(
        date_from="2026-02-15",
        date_to="2026-02-16",
        layers=["capture"],
        parties=["UA", "independent"],
        area="POLYGON ((36 47, 37 47, 36.5 48, 36 47))",
        datasets=["a", "b"],
    )
    assert flt.describe(lang=test_language) == "DATES 15–16 FEB 2026 · AREA · CAPS · BY UA | INDEPENDENT · DSS a, b"
    assert describe(flt, test_language) == flt.describe(lang=test_language)
    english = (
        "events or statements 15–16 Feb 2026 · drawn area · captures · claims by UA or independent sources · "
        "datasets: a, b"
    )
    assert flt.describe() == english
    with i18n.using(test_language):
        assert Filter().describe() == "ALL"  # the current language when none is given


def test_region_names_come_from_present():
    flt = Filter.create(regions=["RU-BRY", "UA-23"])
    assert flt.describe() == ", ".join(sorted(present.region_name(c) for c in flt.regions))
    assert flt.describe(lang="uk") == "Брянська область, Запорізька область"


def test_regions_by_country_in_another_language(test_language):
    groups = regions_by_country(lang="uk")
    with i18n.using("uk"):
        assert list(groups) == [present.country_name(c) for c in ("UA", "RU", "BY")]
    assert ("RU-BRY", "Брянська область") in list(groups.values())[1]
    assert next(iter(regions_by_country(lang=test_language))) == "UKR"
    assert regions_by_country()["Russia"] == [(c, present.region_name(c)) for c, _ in regions_by_country()["Russia"]]


def test_describe_dates_is_present_date_range(test_language):
    assert describe_dates is filter_words.describe_dates
    assert describe_dates(None, None) == ""
    assert describe_dates(pd.Timestamp("2026-02-15").date(), None) == present.date_range("2026-02-15", None)
    assert describe_dates(pd.Timestamp("2026-02-15").date(), None, lang=test_language) == "from 15 FEB 2026"
