"""Filter: validation, URL round trips, words, and apply() on the bundled and synthetic data."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import claims, reference, schema, synthetic
from geo.errors import ValidationError
from geo.filters import (
    PARAMS,
    PRESETS,
    Filter,
    apply,
    describe_dates,
    filter_claims,
    member,
    regions_by_country,
)
from geo.seed import load_seed

ZALIZNYCHNE_BOX = "36.0,47.5,36.4,47.8"


@pytest.fixture(scope="module")
def seed() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    events, claim_rows = load_seed()
    return claims.fold(events, claim_rows), claim_rows


@pytest.fixture(scope="module")
def folded(seed) -> gpd.GeoDataFrame:
    return seed[0]


def ids(events: pd.DataFrame) -> set[str]:
    return set(events["event_id"])


# -- construction and normalisation ---------------------------------------------------------------


def test_empty_filter_is_hashable_and_empty():
    flt = Filter()
    assert flt.is_empty
    assert flt == Filter.create()
    assert hash(flt) == hash(Filter.create())
    assert flt.to_query() == {}
    assert flt.to_url("http://host/") == "http://host/"


def test_create_normalises_lists_dates_and_names():
    flt = Filter.create(
        date_from="2026-02-15",
        date_to=dt.datetime(2026, 2, 16, 18, 30),
        regions=["Kursk", "RU-BRY", "Bryansk Oblast"],
        layers=["Strikes", "capture", "strike"],
        parties="ua",
        statuses=("Disputed",),
        weapons=["Glide bomb", "drone"],
        target_types=["Energy"],
        datasets=[" feb-2026 ", "feb-2026", ""],
    )
    assert flt.date_from == dt.date(2026, 2, 15)
    assert flt.date_to == dt.date(2026, 2, 16)
    assert flt.regions == ("RU-BRY", "RU-KRS")
    assert flt.layers == ("capture", "strike")
    assert flt.parties == ("UA",)
    assert flt.statuses == ("disputed",)
    assert flt.weapons == ("drone", "glide_bomb")
    assert flt.target_types == ("energy",)
    assert flt.datasets == ("feb-2026",)
    # A dict key: two spellings of one filter are one cache entry.
    same = Filter(
        date_from=dt.date(2026, 2, 15),
        date_to=dt.date(2026, 2, 16),
        regions=("RU-KRS", "RU-BRY"),
        layers=("strike", "capture"),
        parties=("UA",),
        statuses=("disputed",),
        weapons=("glide_bomb", "drone"),
        target_types=("energy",),
        datasets=("feb-2026",),
    )
    assert {flt: 1}[same] == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Zaporizhzhia", "UA-23"),
        ("Zaporizhia oblast", "UA-23"),
        ("Запорізька область", "UA-23"),
        ("Запорожская область", "UA-23"),
        ("ua-23", "UA-23"),
        ("Bryansk", "RU-BRY"),
        ("Брянська область", "RU-BRY"),
        ("Брянская область", "RU-BRY"),
        ("Kharkov", "UA-63"),
        ("Харків", "UA-63"),
        ("Kyiv Oblast", "UA-32"),
        ("Kyiv", "UA-30"),
    ],
)
def test_region_names_in_any_language(name, code):
    assert Filter.create(regions=[name]).regions == (code,)
    assert Filter.from_query({"region": name}).regions == (code,)


def test_region_presets_expand():
    flt = Filter.create(regions=["Russian border regions", "UA-23"])
    assert flt.regions == tuple(sorted({*PRESETS["Russian border regions"], "UA-23"}))
    assert PRESETS is reference.PRESETS


def test_every_bad_value_reported_at_once():
    with pytest.raises(ValidationError, match=r"filter: 10 problems") as info:
        Filter.from_query(
            {
                "from": "2026-02-30",
                "to": "yesterday",
                "region": ["Bogusland", "UA-23"],
                "layer": "strikez,capture",
                "party": "NATO",
                "status": "fake",
                "weapon": "laser",
                "target": "moon",
                "area": "POLYGON ((0 0, 1 1))",
                "dataset": ["ok", ""],
                "colour": "red",
            },
            strict=True,
        )
    problems = info.value.problems
    assert [p.column for p in problems] == [
        "from",
        "to",
        "region",
        "area",
        "layer",
        "party",
        "status",
        "weapon",
        "target",
        "colour",
    ]
    text = str(info.value)
    for value in ("2026-02-30", "yesterday", "Bogusland", "strikez", "NATO", "fake", "laser", "moon", "colour"):
        assert value in text
    assert "did you mean 'strike'" in text  # a suggestion for the near miss
    assert "did you mean" in next(p.message for p in problems if p.column == "region")


def test_unknown_parameters_are_ignored_unless_strict():
    assert Filter.from_query({"embed": "true", "layer": "strike"}) == Filter(layers=("strike",))
    with pytest.raises(ValidationError, match="unknown parameter 'embed'"):
        Filter.from_query({"embed": "true"}, strict=True)


def test_from_after_to_is_a_problem():
    with pytest.raises(ValidationError, match="from 2026-02-20 is after to 2026-02-10") as info:
        Filter.create(date_from="2026-02-20", date_to="2026-02-10")
    assert info.value.problems[0].column == "from"


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("0,0,200,10", "outside"),
        ("POLYGON ((10 100, 11 100, 11 101, 10 100))", "outside"),
        ("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "not a valid polygon"),
        ("POINT (36 47)", "must be a polygon"),
        ("LINESTRING (36 47, 37 48)", "must be a polygon"),
        ("36,47,35,48", "empty or inverted"),
        ("not wkt at all", "not WKT"),
        ("POLYGON EMPTY", "must be a polygon"),
    ],
)
def test_bad_areas(area, message):
    with pytest.raises(ValidationError, match=message) as info:
        Filter.create(area=area)
    assert info.value.problems[0].column == "area"


def test_area_forms_are_one_canonical_value():
    bbox = Filter.create(area=ZALIZNYCHNE_BOX)
    as_tuple = Filter.create(area=(36.0, 47.5, 36.4, 47.8))
    as_wkt = Filter.create(area="POLYGON ((36 47.5, 36 47.8, 36.4 47.8, 36.4 47.5, 36 47.5))")
    as_geom = Filter.create(area=shapely.box(36.0, 47.5, 36.4, 47.8))
    assert bbox == as_tuple == as_wkt == as_geom
    assert bbox.to_query() == {"area": "36,47.5,36.4,47.8"}
    triangle = Filter.create(area="POLYGON ((36 47, 37 47, 36.5 48, 36 47))")
    assert triangle.to_query()["area"].startswith("POLYGON")
    assert shapely.from_wkt(triangle.area).equals(shapely.Polygon([(36, 47), (37, 47), (36.5, 48)]))


def test_dataset_names_with_commas_are_refused():
    with pytest.raises(ValidationError, match="contains a comma"):
        Filter.create(datasets=["acled, 2025"])


def test_replace_validates():
    flt = Filter.create(layers=["strike"])
    assert flt.replace(regions=["Kursk"]).regions == ("RU-KRS",)
    with pytest.raises(ValidationError, match="unknown layer"):
        flt.replace(layers=["bogus"])


# -- URL round trips ------------------------------------------------------------------------------------

ROUND_TRIPS = [
    Filter(),
    Filter.create(date_from="2026-02-15"),
    Filter.create(date_to="2026-02-16"),
    Filter.create(date_from="2026-02-15", date_to="2026-02-16", by="statement"),
    Filter.create(date_to="2026-02-16", by="event"),
    Filter.create(by="statement"),
    Filter.create(date_from="2026-02-15", date_to="2026-02-15"),
    Filter.create(regions=["UA-23"]),
    Filter.create(regions=["RU-BRY", "RU-KRS", "UA-23", "BY-HO"]),
    Filter.create(regions="front-line oblasts"),
    Filter.create(area=ZALIZNYCHNE_BOX),
    Filter.create(area="-10.5,-20.25,-3.125,40.0000005"),
    Filter.create(area="POLYGON ((36 47, 37 47, 36.5 48, 36 47))"),
    Filter.create(area="MULTIPOLYGON (((30 50, 31 50, 31 51, 30 50)), ((33 50, 34 50, 34 51, 33 50)))"),
    Filter.create(area="POLYGON ((30.123456789 50.1, 31.987654321 50.2, 31.5 51.3333333, 30.123456789 50.1))"),
    Filter.create(layers=list(schema.LAYERS)),
    Filter.create(parties=["UA", "independent"]),
    Filter.create(statuses=["disputed", "contested"]),
    Filter.create(weapons=["drone", "glide_bomb"], target_types=["energy", "military"]),
    Filter.create(datasets=["feb-2026", "synthetic", "acled export 2025"]),
    Filter.create(
        date_from="2025-12-28",
        date_to="2026-01-03",
        by="event",
        regions=["Zaporizhzhia", "Bryansk"],
        area="35,47,38,49",
        layers=["strike", "impact"],
        parties=["RU"],
        statuses=["claimed", "confirmed"],
        weapons=["missile"],
        target_types=["energy"],
        datasets=["feb-2026"],
    ),
]


@pytest.mark.parametrize("flt", ROUND_TRIPS, ids=lambda f: f.to_url() or "empty")
def test_query_round_trip(flt):
    query = flt.to_query()
    assert set(query) <= set(PARAMS)
    assert all(query.values())  # empty ones are left out
    assert Filter.from_query(query) == flt
    assert Filter.from_url(flt.to_url("http://localhost:8501/map")) == flt


def test_to_query_names_and_shapes():
    query = ROUND_TRIPS[-1].to_query()
    assert query == {
        "from": "2025-12-28",
        "to": "2026-01-03",
        "by": "event",
        "region": ["RU-BRY", "UA-23"],
        "area": "35,47,38,49",
        "layer": ["impact", "strike"],
        "party": ["RU"],
        "status": ["claimed", "confirmed"],
        "weapon": ["missile"],
        "target": ["energy"],
        "dataset": ["feb-2026"],
    }


def test_from_query_accepts_comma_separated_and_repeated_values():
    a = Filter.from_query({"layer": "strike,impact", "region": "Zaporizhzhia,RU-BRY"})
    b = Filter.from_query({"layer": ["strike", "impact"], "region": ["UA-23", "Bryansk"]})
    assert a == b == Filter(layers=("impact", "strike"), regions=("RU-BRY", "UA-23"))
    with pytest.raises(ValidationError, match="given 2 times"):
        Filter.from_query({"from": ["2026-02-01", "2026-02-02"]})


class _QueryParams(dict):
    """Like Streamlit's st.query_params: [key] gives the last value, get_all(key) every value."""

    def __init__(self, pairs):
        super().__init__()
        self._all = {}
        for key, value in pairs:
            self._all.setdefault(key, []).append(value)
            self[key] = value

    def get_all(self, key):
        return list(self._all.get(key, []))


def test_from_query_reads_repeated_keys_through_get_all():
    params = _QueryParams([("region", "UA-23"), ("region", "RU-BRY"), ("from", "2026-02-15")])
    assert params["region"] == "RU-BRY"  # what plain mapping access would see
    assert Filter.from_query(params) == Filter.create(regions=["UA-23", "RU-BRY"], date_from="2026-02-15")


def test_from_url_on_a_full_link():
    query = urlencode(
        [
            ("from", "2026-02-15"),
            ("to", "2026-02-16"),
            ("region", "Брянская область"),
            ("region", "Zaporizhzhia"),
            ("layer", "strike,impact"),
            ("status", "claimed"),
            ("area", "POLYGON ((30 50, 40 50, 40 55, 30 50))"),
            ("embed", "true"),
        ]
    )
    flt = Filter.from_url(f"https://dashboard.example.org/timeline?{query}#top")
    assert flt == Filter.create(
        date_from="2026-02-15",
        date_to="2026-02-16",
        regions=["RU-BRY", "UA-23"],
        layers=["strike", "impact"],
        statuses=["claimed"],
        area="POLYGON ((30 50, 40 50, 40 55, 30 50))",
    )
    assert Filter.from_url("?layer=talks") == Filter.from_url("layer=talks") == Filter(layers=("talks",))
    assert Filter.from_url("https://dashboard.example.org/") == Filter()


# -- in words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({}, "all events"),
        (
            {
                "date_from": "2026-02-15",
                "date_to": "2026-02-16",
                "regions": ["RU-KRS", "RU-BRY"],
                "layers": ["strike"],
                "statuses": ["disputed"],
            },
            "events or statements 15–16 Feb 2026 · Bryansk Oblast, Kursk Oblast · strikes · disputed",
        ),
        ({"date_from": "2026-02-01", "date_to": "2026-03-15"}, "events or statements 1 Feb – 15 Mar 2026"),
        ({"date_from": "2025-12-28", "date_to": "2026-01-03", "by": "event"}, "events 28 Dec 2025 – 3 Jan 2026"),
        ({"date_from": "2026-02-15", "date_to": "2026-02-15", "by": "statement"}, "statements 15 Feb 2026"),
        ({"date_from": "2026-02-15"}, "events or statements from 15 Feb 2026"),
        ({"date_to": "2026-02-16", "by": "event"}, "events until 16 Feb 2026"),
        ({"by": "statement"}, "all events"),  # no dates: nothing to match
        ({"regions": ["UA-30", "UA-32"]}, "Kyiv, Kyiv Oblast"),
        ({"regions": "Russian border regions"}, "Russian border regions"),
        ({"area": ZALIZNYCHNE_BOX}, "area 36°E–36.4°E, 47.5°N–47.8°N"),
        ({"area": "POLYGON ((36 47, 37 47, 36.5 48, 36 47))"}, "drawn area"),
        ({"layers": ["talks", "capture"]}, "captures, talks"),
        ({"parties": ["independent", "UA"]}, "claims by UA or independent sources"),
        ({"weapons": ["glide_bomb"], "target_types": ["energy"]}, "weapon: glide bomb · target: energy"),
        ({"datasets": ["feb-2026"]}, "dataset: feb-2026"),
    ],
)
def test_describe(kwargs, text):
    assert Filter.create(**kwargs).describe() == text


def test_describe_many_regions_is_short():
    text = Filter.create(regions=["UA-05", "UA-07", "UA-18", "UA-21", "UA-26", "UA-35", "UA-46"]).describe()
    assert text.endswith("and 2 more regions")
    assert text.count(",") == 4


def test_describe_dates_open_both_ends():
    assert describe_dates(None, None) == ""


def test_regions_by_country():
    groups = regions_by_country()
    assert list(groups) == ["Ukraine", "Russia", "Belarus"]
    assert len(groups["Ukraine"]) == 27
    names = [name for _, name in groups["Russia"]]
    assert names == sorted(names, key=str.casefold)
    assert ("RU-BRY", "Bryansk Oblast") in groups["Russia"]
    assert ("UA-43", "Autonomous Republic of Crimea") in groups["Ukraine"]  # Crimea is filed under Ukraine
    groups["Ukraine"].clear()
    assert len(regions_by_country()["Ukraine"]) == 27  # a fresh copy each call


# -- apply on the bundled dataset -----------------------------------------------------------------------


def test_bryansk_on_15_16_february(seed):
    folded, claim_rows = seed
    flt = Filter.create(date_from="2026-02-15", date_to="2026-02-16", regions=["RU-BRY"])
    assert ids(apply(folded, flt, claim_rows)) == {
        "feb26-strike-bryansk-wave",
        "feb26-strike-novobryanska-substation",
        "feb26-strike-mod-four-oblasts",  # RU-BRY;RU-KLU;RU-TUL;RU-MOS
        "feb26-impact-bryansk-outage",
    }


def test_party_ua_includes_denials(folded):
    got = ids(apply(folded, Filter.create(parties=["UA"])))
    assert got == {
        "feb26-cap-ua-south-counteroffensive",
        "feb26-cap-zaliznychne",  # Russian claim, Ukrainian denial
        "feb26-cap-staroukrainka",  # likewise
        "feb26-strike-western-russia-energy",
        "feb26-talks-geneva-3",
    }
    assert {"feb26-cap-zaliznychne", "feb26-cap-staroukrainka"} <= ids(folded[folded["side"] == "RU"])


def test_status_disputed(folded):
    assert ids(apply(folded, Filter.create(statuses=["disputed"]))) == {
        "feb26-cap-zaliznychne",
        "feb26-cap-staroukrainka",
    }


def test_area_around_zaliznychne(folded):
    got = apply(folded, Filter.create(area=ZALIZNYCHNE_BOX))
    assert ids(got) == {
        "feb26-cap-zaliznychne",  # its point is in the box
        "feb26-cap-staroukrainka",  # its GeoNames point is in the box too
        "feb26-cap-tsvitkove",  # region precision (two villages of the name in UA-23): the box touches UA-23
    }
    assert "feb26-cap-prydorozhne" not in ids(got)  # its point lies outside the box
    assert "feb26-cap-gerasimov-12-settlements" not in ids(got)  # country-level: no place to test
    unlocated = got[got.geometry.isna()]
    assert set(unlocated["admin1"]) == {"UA-23"}


def test_area_far_away_matches_nothing_on_land(folded):
    assert apply(folded, Filter.create(area="-30,-30,-20,-20")).empty
    abu_dhabi = apply(folded, Filter.create(area="54,24,55,25"))
    assert ids(abu_dhabi) == {"feb26-talks-abu-dhabi-1", "feb26-talks-abu-dhabi-2"}


def test_weapon_filter_keeps_layers_without_weapons(folded):
    got = apply(folded, Filter.create(weapons=["missile"]))
    assert "strike" not in set(got["layer"])  # every bundled strike is by drone
    assert set(got["layer"]) == {"capture", "impact", "talks"}
    drones = apply(folded, Filter.create(weapons=["drone"], layers=["strike"]))
    assert ids(drones) == ids(folded[folded["layer"] == "strike"])


def test_region_filter_drops_country_level_events(folded):
    got = apply(folded, Filter.create(regions=PRESETS["front-line oblasts"], layers=["capture"]))
    assert "feb26-cap-gerasimov-12-settlements" not in ids(got)
    assert "feb26-cap-ua-south-counteroffensive" not in ids(got)
    assert "feb26-fight-novopidhirne" in ids(got)  # UA-14;UA-12


def test_dates_overlap(folded):
    got = ids(apply(folded, Filter.create(date_from="2026-02-14", date_to="2026-02-14", by="event")))
    assert "feb26-cap-gerasimov-12-settlements" in got  # 1–14 Feb overlaps 14 Feb
    assert "feb26-strike-bryansk-wave" not in got  # starts on 15 Feb
    assert ids(apply(folded, Filter.create(date_from="2026-02-18", layers=["talks"]))) == {"feb26-talks-geneva-3"}


def test_apply_keeps_order_and_does_not_mutate(folded):
    before = folded.copy()
    shuffled = folded.sample(frac=1.0, random_state=3)
    got = apply(shuffled, Filter.create(layers=["strike", "impact"]))
    assert list(got.index) == [i for i in shuffled.index if shuffled.loc[i, "layer"] in ("strike", "impact")]
    assert isinstance(got, gpd.GeoDataFrame) and got.crs == folded.crs
    got.loc[got.index[0], "place"] = "changed"
    everything = apply(folded, Filter())
    everything.loc[everything.index[0], "place"] = "changed"
    pd.testing.assert_frame_equal(pd.DataFrame(folded), pd.DataFrame(before))


def test_apply_needs_folded_events(seed):
    events, _ = load_seed()
    with pytest.raises(ValidationError, match="fold"):
        apply(events, Filter.create(statuses=["claimed"]))
    assert len(apply(events, Filter.create(layers=["talks"]))) == 3  # no status needed


def test_filter_claims(seed):
    folded_events, claim_rows = seed
    disputed = apply(folded_events, Filter.create(statuses=["disputed"]))
    got = filter_claims(claim_rows, disputed)
    assert set(got["event_id"]) == ids(disputed)
    assert list(got.index) == sorted(got.index)
    assert len(got) == claim_rows["event_id"].isin(ids(disputed)).sum()
    assert filter_claims(claim_rows, disputed.iloc[:0]).empty


def test_member_handles_missing_and_string_dtypes():
    values = pd.Series(["a", None, "b", "c"], dtype=object)
    assert member(values, pd.Series(["a", "c", None])).tolist() == [True, False, False, True]
    assert member(values.astype("str"), pd.Index(["b"])).tolist() == [False, False, True, False]
    assert member(pd.Series([], dtype=object), pd.Series(["a"])).tolist() == []


# -- apply at scale, against a naive reference ------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_folded() -> gpd.GeoDataFrame:
    events, claim_rows = synthetic.generate(100_000, seed=7)
    return claims.fold(events, claim_rows)


def _naive(events: pd.DataFrame, flt: Filter) -> set:
    """Reference implementation, one row at a time (slow, obvious)."""
    admin1 = reference.load_admin1().set_index("iso_3166_2").geometry
    area = shapely.from_wkt(flt.area) if flt.area else None
    keep = set()
    for idx, row in events.iterrows():
        if flt.date_from and row["time_end"].date() < flt.date_from:
            continue
        if flt.date_to and row["time_start"].date() > flt.date_to:
            continue
        if flt.layers and row["layer"] not in flt.layers:
            continue
        if flt.statuses and row["status"] not in flt.statuses:
            continue
        if flt.datasets and row["dataset"] not in flt.datasets:
            continue
        if row["layer"] == "strike":
            weapon = row["weapon"] if isinstance(row["weapon"], str) else "unknown"
            target = row["target_type"] if isinstance(row["target_type"], str) else "unknown"
            if (flt.weapons and weapon not in flt.weapons) or (flt.target_types and target not in flt.target_types):
                continue
        if flt.parties and not set(schema.split_multi(row["parties"])) & set(flt.parties):
            continue
        regions = schema.split_multi(row["admin1"])
        if flt.regions and not set(regions) & set(flt.regions):
            continue
        if area is not None:
            geom = row.geometry
            if geom is not None and not geom.is_empty:
                if not area.intersects(geom):
                    continue
            elif not any(admin1[code].intersects(area) for code in regions):
                continue
        keep.add(idx)
    return keep


SCALE_FILTERS = [
    Filter.create(date_from="2025-06-01", date_to="2025-06-30", by="event"),  # by statement: tests/test_dates_by.py
    Filter.create(regions="front-line oblasts", statuses=["disputed", "confirmed"]),
    Filter.create(parties=["independent"], layers=["capture", "impact"]),
    Filter.create(weapons=["drone", "missile"], target_types=["energy"]),
    Filter.create(area="35,47,38,49", date_from="2025-09-01", by="event"),
    Filter.create(area="POLYGON ((30 50, 37 49, 36 52.5, 30 50))", layers=["impact", "strike"]),
    Filter.create(
        regions=["UA-23", "UA-14", "RU-BRY", "RU-BEL"],
        parties=["UA"],
        statuses=["claimed", "disputed"],
        datasets=["synthetic"],
        date_to="2025-12-31",
        by="event",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("flt", SCALE_FILTERS, ids=lambda f: f.describe())
def test_apply_matches_naive_reference_on_a_sample(synthetic_folded, flt):
    rng = np.random.default_rng(0)
    sample = synthetic_folded.iloc[np.sort(rng.choice(len(synthetic_folded), 1500, replace=False))]
    expected = _naive(sample, flt)
    assert set(apply(sample, flt).index) == expected
    full = apply(synthetic_folded, flt)
    assert set(full.index) & set(sample.index) == expected
    assert full.index.is_monotonic_increasing
    assert 0 < len(full) < len(synthetic_folded)
