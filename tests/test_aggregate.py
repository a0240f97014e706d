"""Server-side binning: grid cells and per-region counts."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from geo import schema
from geo.aggregate import CELL_STEPS, by_region, choose_cell_deg, grid
from geo.claims import fold
from geo.errors import ValidationError
from geo.seed import load_seed
from geo.synthetic import generate


def _events(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs="EPSG:4326")


def test_grid_counts_by_cell_layer_status_and_dataset():
    ev = _events(
        [
            {"layer": "capture", "status": "claimed", "dataset": "feb-2026"},
            {"layer": "capture", "status": "disputed", "dataset": "synthetic"},
            {"layer": "strike", "status": "claimed", "dataset": "synthetic"},
            {"layer": "impact", "status": "confirmed", "dataset": "x"},
            {"layer": "strike", "status": "retracted", "dataset": "x"},
            {"layer": "capture", "status": "contested", "dataset": "x"},
        ],
        [Point(30.1, 50.1), Point(30.9, 50.9), Point(30.5, 50.5), Point(31.2, 50.2), None, Point(-0.5, -0.5)],
    )
    cells = grid(ev, cell_deg=1.0)
    assert cells.attrs["cell_deg"] == 1.0
    assert len(cells) == 3
    by_origin = cells.set_index(["minx", "miny"])
    first = by_origin.loc[(30.0, 50.0)]
    assert first["n"] == 3
    assert (first["n_capture"], first["n_strike"], first["n_impact"], first["n_talks"]) == (2, 1, 0, 0)
    assert (first["n_claimed"], first["n_disputed"], first["n_confirmed"]) == (2, 1, 0)
    assert first["synthetic"] == 2
    assert first["maxx"] == 31.0 and first["maxy"] == 51.0
    assert by_origin.loc[(31.0, 50.0)]["n_confirmed"] == 1
    assert by_origin.loc[(-1.0, -1.0)]["n_contested"] == 1
    assert cells["n"].sum() == 5  # the row without geometry is left out
    first_box = cells[["minx", "miny", "maxx", "maxy"]].iloc[0]
    assert cells.geometry.iloc[0].equals(shapely.box(*first_box))
    for column in ("n", *(f"n_{s}" for s in schema.STATUSES), "synthetic"):
        assert cells[column].dtype == np.int64


def test_grid_counts_add_up_per_row():
    events, claims = generate(3000, seed=4)
    cells = grid(fold(events, claims), cell_deg=0.5)
    located = int((~(events.geometry.isna() | events.geometry.is_empty)).sum())
    assert cells["n"].sum() == located
    assert (cells[[f"n_{layer}" for layer in schema.LAYERS]].sum(axis=1) == cells["n"]).all()
    assert (cells[[f"n_{s}" for s in schema.STATUSES]].sum(axis=1) == cells["n"]).all()
    assert (cells["synthetic"] == cells["n"]).all()


def test_grid_cells_are_stable_across_subsets():
    events, _ = generate(2000, seed=2)
    whole = grid(events, cell_deg=0.25).set_index(["ix", "iy"])
    part = grid(events.iloc[:500], cell_deg=0.25).set_index(["ix", "iy"])
    assert set(part.index) <= set(whole.index)
    assert (whole.loc[part.index, "minx"] == part["minx"]).all()


def test_grid_chooses_a_cell_size_within_max_cells():
    rng = np.random.default_rng(0)
    n = 50_000
    pts = shapely.points(rng.uniform(30, 40, n), rng.uniform(46, 52, n))
    ev = gpd.GeoDataFrame({"layer": ["strike"] * n}, geometry=pts, crs="EPSG:4326")
    cells = grid(ev, max_cells=500)
    assert 0 < len(cells) <= 500
    step = cells.attrs["cell_deg"]
    assert step in CELL_STEPS
    smaller = CELL_STEPS[CELL_STEPS.index(step) - 1]
    assert len(grid(ev, cell_deg=smaller)) > 500  # the smallest step that fits was chosen
    assert cells["n"].sum() == n


def test_choose_cell_deg_for_few_points_is_the_finest():
    assert choose_cell_deg(np.array([30.0, 31.0]), np.array([50.0, 51.0]), 100) == CELL_STEPS[0]


def test_grid_counts_a_polygon_at_a_point_inside_it():
    ring = Polygon([(30.0, 50.0), (30.4, 50.0), (30.4, 50.4), (30.0, 50.4)])
    cells = grid(_events([{"layer": "capture"}], [ring]), cell_deg=1.0)
    assert len(cells) == 1 and cells["minx"].iloc[0] == 30.0
    assert cells["n_claimed"].iloc[0] == 0  # no status column: status counts are zero


def test_grid_of_nothing_is_an_empty_frame_with_the_columns():
    cells = grid(_events([{"layer": "capture"}], [None]))
    assert cells.empty
    assert {"n", "n_capture", "n_disputed", "synthetic", "minx", "maxy"} <= set(cells.columns)
    assert cells.crs == "EPSG:4326"


def test_grid_reprojects_other_crs():
    ev = _events([{"layer": "strike"}], [Point(30.5, 50.5)]).to_crs(3857)
    cells = grid(ev, cell_deg=1.0)
    assert (cells["minx"].iloc[0], cells["miny"].iloc[0]) == (30.0, 50.0)


def test_grid_does_not_change_its_input():
    events, _ = generate(500, seed=1)
    before = events.copy()
    grid(events, cell_deg=0.5)
    pd.testing.assert_frame_equal(pd.DataFrame(events), pd.DataFrame(before))


@pytest.mark.parametrize("kwargs", [{"cell_deg": 0}, {"cell_deg": -1.0}, {"cell_deg": float("nan")}, {"max_cells": 0}])
def test_grid_rejects_bad_arguments(kwargs):
    with pytest.raises(ValidationError):
        grid(_events([{"layer": "capture"}], [Point(30, 50)]), **kwargs)


def test_grid_handles_a_million_points():
    """Correctness at scale (timing is reported by bench/, not asserted here)."""
    rng = np.random.default_rng(1)
    n = 1_000_000
    ev = gpd.GeoDataFrame(
        {
            "layer": rng.choice(["capture", "strike", "impact"], n),
            "status": rng.choice(list(schema.STATUSES), n),
            "dataset": np.full(n, "synthetic"),
        },
        geometry=shapely.points(rng.uniform(22, 45, n), rng.uniform(44, 56, n)),
        crs="EPSG:4326",
    )
    cells = grid(ev)
    assert len(cells) <= 2000
    assert cells["n"].sum() == n
    assert cells["synthetic"].sum() == n
    assert cells["n_claimed"].sum() == int((ev["status"] == "claimed").sum())


def test_by_region_counts_each_region_of_a_multi_region_event():
    events, claims = load_seed()
    counts = by_region(fold(events, claims))
    four = ("RU-BRY", "RU-KLU", "RU-TUL", "RU-MOS")
    assert all(code in counts.index for code in four)
    assert counts.loc["RU-TUL", "n_strike"] == 1
    assert counts.loc["RU-BRY", "n_strike"] == 3  # the Bryansk wave, the four-oblast claim, the substation
    assert counts.loc["RU-BRY", "n_impact"] == 1
    assert counts.loc["RU-BRY", "n_impact_power"] == 1 and counts.loc["RU-BRY", "n_impact_heating"] == 1
    assert counts.loc["RU-BRY", "n_region_only"] == 3  # the near-precision substation is not region-only
    assert counts.loc["UA-23", "n_disputed"] == 2
    assert counts.loc["UA-14", "n_contested"] >= 6
    assert counts["synthetic"].sum() == 0
    # An event is counted once per region, never per row of the input.
    total_codes = sum(len(schema.split_multi(c)) for c in events["admin1"])
    assert counts["n"].sum() == total_codes


def test_by_region_columns_and_dtypes():
    events, claims = generate(2000, seed=3)
    counts = by_region(fold(events, claims))
    assert counts.index.name == "admin1"
    assert list(counts.index) == sorted(counts.index)
    assert (counts[[f"n_{layer}" for layer in schema.LAYERS]].sum(axis=1) == counts["n"]).all()
    assert (counts[[f"n_{s}" for s in schema.STATUSES]].sum(axis=1) == counts["n"]).all()
    assert (counts["synthetic"] == counts["n"]).all()
    assert all(dtype == np.int64 for dtype in counts.dtypes)


def test_by_region_of_nothing():
    counts = by_region(pd.DataFrame({"admin1": [], "layer": []}))
    assert counts.empty and "n_strike" in counts.columns
    none_located = by_region(pd.DataFrame({"admin1": [None, ""], "layer": ["strike", "capture"]}))
    assert none_located.empty


def test_a_layer_registered_later_is_counted(shelling_spec):
    from geo import layers

    ev = _events(
        [
            {"layer": "shelling", "status": "claimed", "admin1": "UA-14", "dataset": "x"},
            {"layer": "shelling", "status": "disputed", "admin1": "UA-14", "dataset": "x"},
            {"layer": "strike", "status": "claimed", "admin1": "UA-14", "dataset": "x"},
        ],
        [Point(37.55, 48.72), Point(37.56, 48.73), Point(37.57, 48.74)],
    )
    assert "n_shelling" not in grid(ev, cell_deg=1.0).columns
    with layers.registered(shelling_spec):
        cells = grid(ev, cell_deg=1.0)
        assert (cells["n_shelling"].tolist(), cells["n_strike"].tolist()) == ([2], [1])
        regions = by_region(ev)
        assert regions.loc["UA-14", "n_shelling"] == 2 and regions.loc["UA-14", "n"] == 3
    assert "n_shelling" not in by_region(ev).columns
