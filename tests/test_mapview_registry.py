"""The map reads its layers from the registry and its words from the catalog: new ones need no map code."""

from __future__ import annotations

import dataclasses
import functools
import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import i18n, layers, present
from geo.claims import fold
from geo.errors import ValidationError
from geo.layers import LayerError, LayerSpec, PointStyle
from geo.mapview import build_map, legend_entries
from geo.mapview.features import CONTESTED
from geo.seed import load_seed

REGION_LAYER = "Claims at region precision"
SHELLED = (  # (place, lon, lat, status, hits)
    ("Nikopol", 34.37, 47.57, "claimed", 100.0),
    ("Marhanets", 34.62, 47.64, "disputed", None),
    ("Kherson", 32.62, 46.64, "claimed", 4.0),
    ("Beryslav", 33.42, 46.84, "contested", None),
    ("Zaporizhzhia", 35.14, 47.84, "confirmed", 9.0),
)


def _layers(m: folium.Map) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for group in m._children.values():
        if isinstance(group, folium.FeatureGroup):
            for child in group._children.values():
                if isinstance(child, folium.GeoJson):
                    out.setdefault(group.layer_name, []).extend(child.data["features"])
    return out


def _shelling() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Five shelled towns at their points and one shelling of a region, with one claim each."""
    rows = [
        {"event_id": f"shell-{i}", "place": place, "admin1": "UA-12", "geo_precision": "exact", "status": status,
         "hits": hits, "geometry": shapely.Point(lon, lat)}
        for i, (place, lon, lat, status, hits) in enumerate(SHELLED)
    ]  # fmt: skip
    rows.append(
        {"event_id": "shell-region", "place": None, "admin1": "UA-65", "geo_precision": "admin1", "status": "claimed"}
    )
    events = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")
    day = pd.Timestamp("2026-02-15")
    events = events.assign(
        layer="shelling",
        title="Shelling of " + events["place"].fillna("Kherson Oblast"),
        time_start=day,
        time_end=day,
        time_precision="day",
        dataset="test",
    )
    claims = pd.DataFrame(
        {
            "claim_id": [f"{e}-claim" for e in events["event_id"]],
            "event_id": events["event_id"],
            "claimant": "Regional administration",
            "party": "UA",
            "stated_at": day,
            "stated_precision": "day",
            "stance": "asserts",
            "text": "Shelled overnight.",
            "killed": 3.0,
            "killed_bound": "at_least",
            "source_url": "https://example.org/report",
            "publisher": "Example Daily",
        }
    )
    return events, claims


@functools.cache
def _seed() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claims = load_seed()
    return fold(events, claims), claims


@pytest.fixture
def shelling_spec(shelling_spec: LayerSpec) -> LayerSpec:
    """The throw-away layer with circles grown by the hits claimed and its region badges on the left."""
    point = dataclasses.replace(
        shelling_spec.point, radius=7.0, radius_by=("hits",), legend_note="Circle size grows with the hits claimed."
    )
    return dataclasses.replace(shelling_spec, point=point, badge_dir="left")


# --- a layer registered in a test is drawn, legended and has popups ----------------------------------------------


def test_a_registered_layer_is_drawn_at_its_points_with_popups(shelling):
    events, claims = _shelling()
    m = build_map(events, claims)  # layers=None: every registered layer
    drawn = _layers(m)
    points = drawn["Shelling"]
    assert len(points) == len(SHELLED)
    by_place = {re.search(r'cm-t">Shelling of (\w+)', f["properties"]["popup"]).group(1): f for f in points}
    assert by_place["Nikopol"]["properties"]["style"]["fillColor"] == "#795548"
    assert by_place["Nikopol"]["properties"]["style"]["radius"] == 17.0  # 4 + 1.3 × √100: grown by the hits
    assert by_place["Marhanets"]["properties"]["style"]["radius"] == 7.0  # no hits stated: the layer's radius
    assert by_place["Marhanets"]["properties"]["style"]["dashArray"]  # disputed: dashed outline
    assert by_place["Beryslav"]["properties"]["style"]["color"] == CONTESTED  # contested is orange in every layer
    popup = by_place["Nikopol"]["properties"]["popup"]
    assert "Regional administration" in popup and "killed ≥3" in popup and "Shelled overnight." in popup
    assert '<a href="https://example.org/report" target="_blank" rel="noopener noreferrer">Example Daily</a>' in popup
    assert "Dnipropetrovsk Oblast (UA-12)" in popup
    assert by_place["Nikopol"]["properties"]["tip"] == "<b>Shelling of Nikopol</b> — claimed"


def test_a_registered_layer_located_only_to_a_region_is_an_outline_with_its_noun(shelling):
    events, claims = _shelling()
    outlines = _layers(build_map(events, claims))[REGION_LAYER]
    assert len(outlines) == 1
    props = outlines[0]["properties"]
    assert props["badge"] == "1 shelling" and props["badge_dir"] == "left"
    assert props["style"]["color"] == shelling.region_colour  # no region_colour_by: the layer's outline colour
    assert "Kherson Oblast (UA-65): 1 shelling" in props["popup"]


def test_a_registered_layer_has_its_legend_section(shelling):
    events, _ = _shelling()
    entries = legend_entries(events)
    assert ("Shelling", "shelling reported") in entries
    assert ("Shelling", "contested: fighting reported, not claimed") in entries
    assert ("Shelling", "Circle size grows with the hits claimed.") in entries
    assert ("Status (outline)", "disputed (the other side denies)") in entries
    assert (REGION_LAYER, "1 event located only to a region: outline + count") in entries


def test_a_registered_layer_beyond_max_features_is_drawn_as_cells(shelling):
    events, claims = _shelling()
    m = build_map(events, claims, layers=("shelling",), max_features=2)
    assert m.aggregated == ("shelling",)
    cells = _layers(m)["Shelling (aggregated)"]
    assert sum(c["properties"]["cell"][0] for c in cells) == len(SHELLED)
    assert all(set(c["properties"]) == {"style", "cell"} for c in cells)  # the words are sent once, not per cell
    assert {c["properties"]["style"]["color"] for c in cells} == {shelling.ramp[-1]}
    page = m.get_root().render()
    assert '"{n} shellings"' in page and '"{n} shelling"' in page  # the tooltip's noun, from the spec
    entries = legend_entries(events, layers=("shelling",), max_features=2)
    assert any(section == "Shelling (aggregated)" and entry.endswith("per cell") for section, entry in entries)
    assert any(re.fullmatch(r"aggregated: 5 events in \d+ cells? \([\d.]+°\)", entry) for _, entry in entries)


def test_layers_are_stacked_by_their_registered_order(shelling):
    seed, seed_claims = _seed()
    events, claims = _shelling()
    m = build_map(pd.concat([seed, events], ignore_index=True), pd.concat([seed_claims, claims], ignore_index=True))
    names = [g.layer_name for g in m._children.values() if isinstance(g, folium.FeatureGroup)]
    points = [n for n in names if n in ("Strikes", "Shelling", "Claimed captures", "Talks")]
    assert points == ["Strikes", "Shelling", "Claimed captures", "Talks"]  # stack 10, 15, 20, 30
    assert names.index("Affected regions") < names.index(REGION_LAYER) < names.index("Strikes")


def test_unknown_layers_are_refused_with_the_registered_ones(shelling_spec):
    events, claims = _seed()
    with pytest.raises(ValidationError, match="shelling") as err:
        build_map(events, claims, layers=("shelling",))
    assert "capture" in str(err.value) and "talks" in str(err.value)
    with layers.registered(shelling_spec), pytest.raises(ValidationError, match="shelling"):
        legend_entries(events, layers=("shellings",))


def test_a_layer_without_a_legend_label_is_refused_when_registered(shelling_spec):
    unlabelled = dataclasses.replace(shelling_spec, point=PointStyle(colour="#795548"))
    with pytest.raises(LayerError, match="legend_label"):
        layers.register(unlabelled)
    assert layers.get("shelling", None) is None


def test_layers_none_means_every_registered_layer():
    events, claims = _seed()
    assert legend_entries(events) == legend_entries(events, layers=layers.names())
    everything = set(_layers(build_map(events, claims)))
    assert everything == set(_layers(build_map(events, claims, layers=layers.names())))
    assert {present.layer_label(n) for n in ("capture", "strike", "impact", "talks")} <= everything


# --- words ---------------------------------------------------------------------------------------------------------

TEST_CATALOG = i18n.Catalog(
    code="uk",
    name="Українська (test)",
    plural="east_slavic",
    messages={
        "Claims by parties, not verified.": "Заяви сторін, не перевірені.",
        "Legend": "Легенда",
        "Claimed captures": "Заявлені захоплення",
        "Strikes": "Удари",
        "{layer} (aggregated)": "{layer} (зведено)",
        "{count} in this {size}° cell": "{count} у клітинці {size}°",
        "No events match the current filters.": "Жодна подія не відповідає фільтрам.",
        "located only to the region — drawn as its outline, not a point": "лише до області — контур, не точка",
        "Source:": "Джерело:",
        "disputed": "оскаржено",
    },
    plurals={
        "{n} strike": {"one": "{n} удар", "few": "{n} удари", "many": "{n} ударів"},
        "{n} capture claim": {"one": "{n} заява", "few": "{n} заяви", "many": "{n} заяв"},
        "{n} synthetic": {"one": "{n} синтетичний", "few": "{n} синтетичні", "many": "{n} синтетичних"},
    },
)


@pytest.fixture
def ukrainian():
    i18n.register(TEST_CATALOG)
    yield TEST_CATALOG
    i18n.unregister(TEST_CATALOG.code)


def _text(m: folium.Map) -> str:
    page = m.get_root().render()
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), page).replace('\\"', '"')


def test_build_map_speaks_the_language_asked_for(ukrainian):
    events, claims = _seed()
    m = build_map(events, claims, lang="uk")
    text = _text(m)
    assert "Заяви сторін, не перевірені." in text and "Легенда" in text
    assert "Claims by parties, not verified." not in text
    drawn = _layers(m)
    assert "Заявлені захоплення" in drawn and "Удари" in drawn
    popup = next(
        f["properties"]["popup"] for f in drawn["Заявлені захоплення"] if "Zaliznychne" in f["properties"]["popup"]
    )
    assert "Джерело:" in popup and '<span class="cm-st s-disputed">оскаржено</span>' in popup
    badges = {f["properties"]["badge"] for f in drawn[REGION_LAYER]}
    assert "2 удари" in badges  # the strike noun in the form a count of 2 takes
    assert i18n.language() == "en"  # only for the map
    assert "Claims by parties, not verified." in _text(build_map(events, claims))


def test_legend_entries_speak_the_language_asked_for(ukrainian):
    events, _ = _seed()
    entries = legend_entries(events.iloc[:0], lang="uk")
    assert entries == [("", "Заяви сторін, не перевірені."), ("", "Жодна подія не відповідає фільтрам.")]
    assert legend_entries(events.iloc[:0])[0] == ("", "Claims by parties, not verified.")


def test_cell_tooltip_words_are_sent_in_the_language_once_per_layer(ukrainian):
    events, claims = _seed()
    m = build_map(events, claims, layers=("capture",), max_features=2, lang="uk")
    assert "Заявлені захоплення (зведено)" in _layers(m)
    page = m.get_root().render()
    found = re.search(r'\}\)\((\{"lang": "uk".*?\})\)\)\(feature, layer\)', page)
    messages = json.loads(found.group(1))
    assert messages["count"] == {"one": "{n} заява", "few": "{n} заяви", "many": "{n} заяв"}
    assert re.fullmatch(r"<b>\{count\}</b> у клітинці [\d.]+°", messages["cell"])
    assert messages["statuses"][1] == "оскаржено"
    assert messages["synthetic"]["many"] == "{n} синтетичних"
