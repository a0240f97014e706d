"""The control commands, called through their handlers as ``python -m geo`` will call them."""

from __future__ import annotations

import argparse
import datetime as dt
import json

import pytest

from geo.control import synthetic
from geo.control.cli import add_commands
from geo.errors import GeoError

START = dt.date(2024, 1, 1)


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture
def imported(tmp_path, capsys):
    (zipped,) = synthetic.write_daily_files(tmp_path, START, 6, zip_name="days.zip")
    store = str(tmp_path / "store.gpkg")
    assert _run("control", "import", str(zipped), "--store", store, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["days_read"] == 6 and report["written"] == {"inserted": 6, "replaced": 0, "unchanged": 0}
    return store


def test_import_text_and_idempotent(imported, tmp_path, capsys):
    assert _run("control", "import", str(tmp_path / "days.zip"), "--store", imported) == 0
    out = capsys.readouterr().out
    assert "6 day(s) read from 6 file(s), 0 skipped" in out
    assert "DeepStateMap 2024-01-06 RU occupied:" in out and "days: 0 inserted, 0 replaced, 6 unchanged" in out


def test_change_json_has_the_documented_keys(imported, capsys):
    assert _run("control", "change", "--from", "2024-01-01", "--to", "2024-01-06", "--store", imported, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert {"assessor", "from", "to", "gained_km2", "lost_km2", "net_km2", "by_region", "settlements"} <= set(out)
    assert out["assessor"] == "DeepStateMap" and out["from"] == "2024-01-01" and out["to"] == "2024-01-06"
    assert out["gained_km2"] > 0 and out["lost_km2"] == 0 and out["net_km2"] == out["gained_km2"]
    assert list(out["by_region"]) == ["UA-23"]
    assert _run("control", "change", "--from", "2024-01-01", "--to", "2024-01-06", "--side", "ua",
                "--region", "UA-23", "--store", imported) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "area held by UA" in text and "read from the other side's series" in text and "UA-23 only" in text
    assert "net -" in text and "not ground truth" in text


def test_check_lists_claims_with_verdicts(imported, capsys):
    # The bundled-style capture: one claim located to a point in the strip covered on day 3.
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geo.store.gpkg import GeoPackageStore

    store = GeoPackageStore(imported)
    events = gpd.GeoDataFrame(
        {"event_id": ["e1"], "layer": ["capture"], "place": ["Test village"], "side": ["RU"], "admin1": ["UA-23"],
         "geo_precision": ["exact"], "time_start": ["2024-01-02"], "time_end": ["2024-01-02"],
         "time_precision": ["day"]},
        geometry=[shapely.Point(35.2 + 0.025, 47.4)], crs="EPSG:4326",
    )  # fmt: skip
    claims = pd.DataFrame(
        {"claim_id": ["c1"], "event_id": ["e1"], "claimant": ["MoD"], "party": ["RU"], "stated_at": ["2024-01-02"],
         "stance": ["asserts"], "publisher": ["test"]}
    )  # fmt: skip
    store.write(events, claims, dataset="t")
    assert _run("check", "--store", imported, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    (row,) = out["claims"]
    assert (row["claim_id"], row["assessor"], row["verdict"], row["as_of"]) == ("c1", "DeepStateMap", "reflected",
                                                                               "2024-01-05")  # fmt: skip
    assert out["aggregates"] == []
    assert _run("check", "--store", imported) == 0
    assert "2024-01-02 Test village — RU claimed by MoD: reflected. Reflected on 5 Jan 2024" in capsys.readouterr().out


def test_errors_are_one_line_geo_errors(imported, tmp_path):
    with pytest.raises(GeoError, match="is after --to"):
        _run("control", "change", "--from", "2024-01-05", "--to", "2024-01-01", "--store", imported)
    with pytest.raises(GeoError, match="no file or folder at"):
        _run("control", "import", str(tmp_path / "missing"), "--store", imported)
    with pytest.raises(GeoError, match="no store at"):
        _run("check", "--store", str(tmp_path / "other.gpkg"))
    empty = str(tmp_path / "empty.gpkg")
    from geo.store.gpkg import GeoPackageStore

    GeoPackageStore(empty)
    with pytest.raises(GeoError, match="no assessment of kind 'occupied' in the store"):
        _run("check", "--store", empty)


def test_dry_run_writes_nothing(tmp_path, capsys):
    synthetic.write_daily_files(tmp_path / "d", START, 2)
    store = tmp_path / "s.gpkg"
    assert _run("control", "import", str(tmp_path / "d"), "--store", str(store), "--dry-run") == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert not store.exists()
