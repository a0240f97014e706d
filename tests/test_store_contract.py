"""What every store does, whatever keeps its data: round trips, upserts, filters, the registry, errors, version.

Each test runs once per backend of :data:`BACKENDS` through the ``store`` fixture; a PostGIS store is one more entry
there. What only a GeoPackage file does (its layout, byte identity, journals, crashes, GDAL) is in
``test_store_gpkg.py``, which takes its sample data from here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import schema
from geo.errors import NotFoundError, ValidationError
from geo.store import Store, WriteResult, open_store
from geo.store.base import DATASET_COLUMNS
from geo.store.gpkg import GeoPackageStore
from geo.validate import validate
from tests import pg

# Points well inside their regions: Pokrovsk (UA-14), Zaporizhzhia (UA-23), Kursk (RU-KRS).
POKROVSK = shapely.Point(37.18, 48.28)
ZAPORIZHZHIA = shapely.Point(35.14, 47.84)
KURSK = shapely.Point(36.19, 51.73)

BACKENDS: dict[str, Callable[[Path], Store]] = {
    "gpkg": lambda folder: GeoPackageStore(folder / "store.gpkg"),
    "postgis": lambda folder: pg.new_store(),  # a new database on the tests' PostgreSQL server (tests/pg.py)
}
"""How to make a new, empty store of each backend in a fresh temporary folder."""


@pytest.fixture(params=sorted(BACKENDS))
def store(request, tmp_path) -> Store:
    """An empty store of each backend (not seeded)."""
    return BACKENDS[request.param](tmp_path)


@pytest.fixture
def filled(store) -> Store:
    """The store with the sample events and claims in dataset ``test``."""
    store.write(_events(), _claims(), dataset="test", description="hand-made", source="tests")
    return store


def _events() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "event_id": ["t-cap-1", "t-str-1", "t-imp-1", "t-cap-2"],
            "layer": ["capture", "strike", "impact", "capture"],
            "place": ["Pokrovsk", "Kursk", None, "Zaporizhzhia area"],
            "admin1": [None, None, "UA-23", None],
            "geo_precision": ["exact", "near", "admin1", "near"],
            "time_start": ["2026-02-01", "2026-02-03", "2026-02-05", "2026-02-10"],
            "time_end": ["2026-02-01", "2026-02-03", "2026-02-12", "2026-02-16"],
            "time_precision": ["day", "day", "week", "week"],
            "title": ["Capture of Pokrovsk", "Drone strike on Kursk", "Outage in Zaporizhzhia", "Area claim"],
            "side": ["RU", None, None, "RU"],
            "weapon": [None, "drone", None, None],
            "target_type": [None, "energy", None, None],
            "impact_type": [None, None, "power;heating", None],
        },
        geometry=[POKROVSK, KURSK, None, ZAPORIZHZHIA.buffer(0.05)],
        crs=schema.CRS,
    )


def _claims() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
            "event_id": ["t-cap-1", "t-cap-1", "t-str-1", "t-str-1", "t-imp-1", "t-cap-2"],
            "claimant": [
                "Russian MoD",
                "Ukrainian General Staff",
                "Russian MoD",
                "Russian MoD",
                "Governor",
                "MoD",
            ],
            "party": ["RU", "UA", "RU", "RU", "UA", "RU"],
            "stated_at": [
                "2026-02-01 12:00",
                "2026-02-01 18:30",
                "2026-02-03T08:00",
                "2026-02-03T20:15:30.250",
                "2026-02-05",
                "2026-02-16",
            ],
            "stance": ["asserts", "denies", "asserts", "revises", "asserts", "asserts"],
            "intercepted": [None, None, 41, 45, None, None],
            "intercepted_bound": [None, None, None, "at_least", None, None],
            "people_affected": [None, None, None, None, 120_000, None],
            "people_affected_bound": [None, None, None, None, "about", None],
            "area_km2": [None, None, None, None, None, 12.5],
            "publisher": ["TASS", "Ukrinform", "TASS", "TASS", "Suspilne", "RIA"],
            "source_url": [None, "https://example.org/a", None, None, None, None],
        }
    )


def _renamed(prefix: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The sample events and claims under new ids (``prefix`` + id)."""
    events = _events().assign(event_id=lambda d: prefix + d.event_id)
    claims = _claims().assign(event_id=lambda d: prefix + d.event_id, claim_id=lambda d: prefix + d.claim_id)
    return events, claims


def _assert_frames_equal(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal values and dtypes; missing text may be None or NaN on either side."""
    assert list(left.columns) == list(right.columns)
    for col in left.columns:
        a, b = left[col], right[col]
        if isinstance(a.dtype, gpd.array.GeometryDtype):
            assert a.geom_equals_exact(b, tolerance=0).fillna(False).add(a.isna() & b.isna()).all(), col
            continue
        assert a.dtype == b.dtype, (col, a.dtype, b.dtype)
        same = (a == b).fillna(False) | (a.isna() & b.isna())
        assert same.all(), (col, a[~same].tolist(), b[~same].tolist())


def _contents(store: Store) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Everything a store holds, as its reads return it."""
    return store.read_events(), store.read_claims(), store.datasets()


def _assert_unchanged(store: Store, before: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], version: str) -> None:
    """The store holds what it held (``before``, from :func:`_contents`) and still has the same version."""
    events, claims, registry = _contents(store)
    _assert_frames_equal(events, before[0])
    _assert_frames_equal(claims, before[1])
    pd.testing.assert_frame_equal(registry, before[2])
    assert store.version() == version


# -- a new store -----------------------------------------------------------------------------------


def test_a_new_store_implements_the_protocol_and_is_empty(store):
    assert isinstance(store, Store)
    assert store.is_empty() and store.count() == 0
    columns = ("name", "kind", "description", "source", "created_at", "updated_at", "events", "claims")
    assert tuple(store.datasets().columns) == DATASET_COLUMNS == columns


def test_empty_store_reads_typed_empty_frames(store):
    events = store.read_events()
    claims = store.read_claims()
    assert len(events) == 0 and events.crs == schema.CRS
    assert list(events.columns) == [*schema.EVENT_COLUMN_NAMES, "geometry"]
    assert events["time_start"].dtype == "datetime64[ms]" and events["event_id"].dtype == object
    assert list(claims.columns) == list(schema.CLAIM_COLUMN_NAMES)
    assert claims["stated_at"].dtype == "datetime64[ms]" and claims["launched"].dtype == float


def test_location_is_a_stable_string_that_opens_the_same_store(filled):
    location = filled.location
    assert isinstance(location, str) and location
    again = open_store(location, create=False)
    assert again.location == location
    assert again.version() == filled.version()
    assert again.count() == filled.count() == 4


# -- version ---------------------------------------------------------------------------------------


def test_version_changes_with_every_changing_write_and_only_then(store):
    seen = [store.version()]
    assert isinstance(seen[0], str) and store.version() == seen[0]
    store.write(_events(), _claims(), dataset="test")
    seen.append(store.version())
    for _ in range(2):  # reads, and a re-write of the same rows, change nothing
        _contents(store)
        assert store.count() == 4 and not store.is_empty()
        assert len(store.read_events(layers="strike")) == 1 and len(store.read_claims(event_ids="t-cap-1")) == 2
        assert not store.write(_events(), _claims(), dataset="test").changed
        assert store.version() == seen[-1]
    for i in range(5):  # quick successive updates of the same size: a new version each time
        events = _events()
        events.loc[1, "title"] = f"Drone strike on Kursk, revision {i}"
        assert store.write(events, _claims(), dataset="test").changed
        seen.append(store.version())
    store.write(*_renamed("n-"), dataset="other")
    seen.append(store.version())
    store.delete_dataset("other")
    seen.append(store.version())
    assert len(set(seen)) == len(seen), seen


def test_a_refused_write_leaves_the_version(filled):
    version = filled.version()
    events, claims = _renamed("bad-")
    with pytest.raises(ValidationError):
        filled.write(events.assign(layer="battle"), claims, dataset="test")
    with pytest.raises(ValidationError):
        filled.write(_events(), _claims(), dataset="another")
    with pytest.raises(NotFoundError):
        filled.delete_dataset("nope")
    assert filled.version() == version


# -- round trip ------------------------------------------------------------------------------------


def test_round_trip_matches_validate(filled):
    expected_events, expected_claims = validate(_events().assign(dataset="test"), _claims())
    events = filled.read_events()
    claims = filled.read_claims()
    _assert_frames_equal(events, expected_events)
    _assert_frames_equal(claims, expected_claims)
    assert events.crs == schema.CRS
    assert events.geometry.isna().sum() == 1
    assert set(events.geom_type.dropna()) == {"Point", "Polygon"}
    assert claims.loc[claims.claim_id == "c4", "stated_at"].iloc[0] == pd.Timestamp("2026-02-03 20:15:30.250")


def test_caller_frames_are_not_modified(store):
    events, claims = _events(), _claims()
    before_e, before_c = events.copy(), claims.copy()
    store.write(events, claims, dataset="test")
    pd.testing.assert_frame_equal(events, before_e)
    pd.testing.assert_frame_equal(claims, before_c)
    assert "dataset" not in events.columns


# -- upsert ----------------------------------------------------------------------------------------


def test_rewriting_identical_data_changes_nothing(filled):
    before, version = _contents(filled), filled.version()
    result = filled.write(_events(), _claims(), dataset="test")
    assert result == WriteResult(0, 0, 4, 0, 0, 6)
    assert not result.changed
    _assert_unchanged(filled, before, version)


def test_upsert_updates_changed_rows_and_inserts_new_ones(filled):
    events, claims = _events(), _claims()
    events.loc[1, "title"] = "Drone strike on Kursk, revised"
    events.loc[0, "geometry"] = shapely.Point(37.19, 48.29)
    claims.loc[2, "intercepted"] = 42
    new_event = _events().iloc[[1]].assign(event_id="t-str-2", time_start="2026-02-04", time_end="2026-02-04")
    new_claim = _claims().iloc[[2]].assign(claim_id="c7", event_id="t-str-2", stated_at="2026-02-04 10:00")
    events = pd.concat([events, new_event], ignore_index=True)
    claims = pd.concat([claims, new_claim], ignore_index=True)
    result = filled.write(events, claims, dataset="test")
    assert result == WriteResult(1, 2, 2, 1, 1, 5)
    stored = filled.read_events().set_index("event_id")
    assert stored.loc["t-str-1", "title"] == "Drone strike on Kursk, revised"
    assert stored.loc["t-cap-1", "geometry"].equals(shapely.Point(37.19, 48.29))
    assert filled.read_claims(event_ids="t-str-1").set_index("claim_id").loc["c3", "intercepted"] == 42
    assert filled.count() == 5
    assert filled.write(events, claims, dataset="test") == WriteResult(0, 0, 5, 0, 0, 7)


def test_a_value_set_to_missing_is_an_update(filled):
    events = _events()
    events.loc[0, "place"] = None
    events.loc[1, "geometry"] = None
    events.loc[1, "geo_precision"] = "admin1"
    result = filled.write(events, _claims(), dataset="test")
    assert (result.updated_events, result.unchanged_events) == (2, 2)
    stored = filled.read_events().set_index("event_id")
    assert stored.loc["t-cap-1", "place"] is None
    assert stored.loc["t-str-1", "geometry"] is None


def test_dataset_column_is_filled_and_checked(store):
    events = _events().assign(dataset=["test", None, "", "test"])
    store.write(events, _claims(), dataset="test")
    assert set(store.read_events()["dataset"]) == {"test"}
    before, version = _contents(store), store.version()
    other, claims = _renamed("x-")
    other = other.assign(dataset=["test", "other", "test", "test"])
    with pytest.raises(ValidationError, match=r"row 2.*belongs to dataset 'other', not 'test'"):
        store.write(other, claims, dataset="test")
    _assert_unchanged(store, before, version)


def test_ids_are_unique_across_datasets(filled):
    before, version = _contents(filled), filled.version()
    with pytest.raises(ValidationError, match="event_id 't-cap-1' already belongs to dataset 'test'"):
        filled.write(_events(), _claims(), dataset="another")
    events = _events().assign(event_id=lambda d: "n-" + d.event_id)
    claims = _claims().assign(event_id=lambda d: "n-" + d.event_id)
    with pytest.raises(ValidationError, match="claim_id 'c1' already belongs to dataset 'test'"):
        filled.write(events, claims, dataset="another")
    _assert_unchanged(filled, before, version)


def test_dataset_kind_is_fixed_at_creation(filled):
    with pytest.raises(ValidationError, match="stored as 'import', not 'bundled'"):
        filled.write(_events(), _claims(), dataset="test", kind="bundled")
    with pytest.raises(ValidationError, match="unknown dataset kind"):
        filled.write(_events(), _claims(), dataset="test", kind="nonsense")
    with pytest.raises(ValidationError, match="non-empty string"):
        filled.write(_events(), _claims(), dataset="  ")


def test_registry_keeps_description_and_tracks_changes(filled):
    first = filled.datasets().iloc[0]
    assert (first["name"], first["kind"], first["description"], first["source"]) == (
        "test",
        "import",
        "hand-made",
        "tests",
    )
    assert (first["events"], first["claims"]) == (4, 6)
    events = _events()
    events.loc[0, "title"] = "changed"
    filled.write(events, _claims(), dataset="test")
    again = filled.datasets().iloc[0]
    assert again["description"] == "hand-made" and again["created_at"] == first["created_at"]
    assert again["updated_at"] >= first["updated_at"]


def test_validated_frames_skip_validation_but_ids_are_checked(store):
    events, claims = validate(_events().assign(dataset="v"), _claims())
    assert store.write(events, claims, dataset="v", validated=True).inserted_events == 4
    dup = pd.concat([claims, claims.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValidationError, match="duplicate claim_id"):
        store.write(events, dup, dataset="v", validated=True)
    orphan = claims.assign(event_id="nowhere")
    with pytest.raises(ValidationError, match="not in this write"):
        store.write(events, orphan, dataset="v", validated=True)


# -- validation reaches the caller, store unchanged ------------------------------------------------

INVALID = [
    (lambda e: e.assign(layer=["capture", "battle", "impact", "capture"]), "unknown value: 'battle'"),
    (
        lambda e: e.assign(time_start=["2026-02-05", "2026-02-03", "2026-02-05", "2026-02-10"]),
        "time_end is before time_start",
    ),
    (
        lambda e: e.set_geometry([shapely.Point(44.2, 15.35), KURSK, None, ZAPORIZHZHIA]),  # Sanaa, Yemen
        "point lies outside every known region",
    ),
]
"""Changes that make the sample events invalid, and what the error says (also used by the GeoPackage tests)."""


@pytest.mark.parametrize(("change", "message"), INVALID)
def test_invalid_input_is_refused_whole(filled, change, message):
    before, version = _contents(filled), filled.version()
    events, claims = _renamed("bad-")
    with pytest.raises(ValidationError, match=message) as info:
        filled.write(change(events), claims, dataset="test")
    assert "events" in str(info.value)
    _assert_unchanged(filled, before, version)


def test_every_problem_is_reported_at_once(store):
    events = _events().assign(layer=["capture", "battle", "impact", "capture"])
    events.loc[2, "time_end"] = "2026-01-01"
    with pytest.raises(ValidationError) as info:
        store.write(events, _claims(), dataset="test")
    assert len(info.value.problems) >= 2
    assert store.is_empty()


def test_dataset_names_with_commas_are_refused(store):
    from geo.seed import load_seed

    events, claims = load_seed()
    with pytest.raises(ValidationError, match="must not contain a comma"):
        store.write(events.assign(dataset="a,b"), claims, dataset="a,b")
    assert store.is_empty()


# -- filters ---------------------------------------------------------------------------------------


def test_read_events_filters(filled):
    def ids(**kw):
        return sorted(filled.read_events(**kw)["event_id"])

    assert ids(layers=["capture"]) == ["t-cap-1", "t-cap-2"]
    assert ids(layers="strike") == ["t-str-1"]
    assert ids(layers=[]) == []
    assert ids(datasets="test") == ids()
    assert ids(datasets=["nope"]) == []
    # overlap: the week-long outage (02-05..02-12) overlaps 02-10..02-11; the 02-10..02-16 capture too
    assert ids(date_from="2026-02-10", date_to="2026-02-11") == ["t-cap-2", "t-imp-1"]
    assert ids(date_from="2026-02-12") == ["t-cap-2", "t-imp-1"]
    assert ids(date_to="2026-02-01") == ["t-cap-1"]
    assert ids(date_from=pd.Timestamp("2026-02-03"), date_to=pd.Timestamp("2026-02-03 23:59")) == ["t-str-1"]
    assert ids(event_ids=["t-imp-1", "t-cap-1", "zzz"]) == ["t-cap-1", "t-imp-1"]
    assert ids(event_ids=["it's"]) == []
    assert ids(layers=["capture", "impact"], date_from="2026-02-05") == ["t-cap-2", "t-imp-1"]


def test_read_claims_filters(filled):
    assert len(filled.read_claims()) == 6
    assert sorted(filled.read_claims(event_ids="t-cap-1")["claim_id"]) == ["c1", "c2"]
    assert len(filled.read_claims(datasets=["test"])) == 6
    assert len(filled.read_claims(datasets="other")) == 0
    assert len(filled.read_claims(event_ids=[])) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layers": ["capture", "battles"]}, "unknown layer 'battles'"),
        (
            {"date_from": "2026-03-01", "date_to": "2026-02-01"},
            "date_from 2026-03-01 is after date_to 2026-02-01",
        ),
        ({"date_from": "yesterday-ish"}, "not a date"),
        ({"datasets": [1, 2]}, "must be strings"),
    ],
)
def test_bad_filters_are_refused(filled, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        filled.read_events(**kwargs)


# -- delete ----------------------------------------------------------------------------------------


def test_delete_dataset(filled):
    other, other_claims = _renamed("o-")
    filled.write(other.iloc[[1]], other_claims[other_claims.event_id == "o-t-str-1"], dataset="other")
    assert filled.delete_dataset("test") == 4
    assert filled.read_events()["event_id"].tolist() == ["o-t-str-1"]
    assert sorted(filled.read_claims()["claim_id"]) == ["o-c3", "o-c4"]
    assert filled.datasets()["name"].tolist() == ["other"]
    with pytest.raises(NotFoundError, match=r"no dataset 'test'.*datasets: other"):
        filled.delete_dataset("test")
    assert filled.delete_dataset("other") == 1
    assert filled.is_empty()


# -- scale -----------------------------------------------------------------------------------------


def test_twenty_thousand_synthetic_events(store):
    from geo.synthetic import generate

    events, claims = generate(20_000, seed=5)
    result = store.write(events, claims, dataset="synthetic", kind="synthetic", validated=True)
    assert (result.inserted_events, result.inserted_claims) == (len(events), len(claims))
    back = store.read_events()
    _assert_frames_equal(back, events)
    _assert_frames_equal(store.read_claims(), claims)
    assert store.write(events, claims, dataset="synthetic", kind="synthetic", validated=True) == WriteResult(
        0, 0, len(events), 0, 0, len(claims)
    )
    strikes = store.read_events(layers="strike", date_from="2025-06-01", date_to="2025-06-30")
    mask = (events.layer == "strike") & (events.time_start <= "2025-06-30") & (events.time_end >= "2025-06-01")
    assert sorted(strikes["event_id"]) == sorted(events.loc[mask, "event_id"])
    assert np.isin(store.read_claims(event_ids=strikes["event_id"])["event_id"], strikes["event_id"]).all()
