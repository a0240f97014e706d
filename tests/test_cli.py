"""The command line: python -m geo {stats,geocode,synth,datasets,export}."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo import settings
from geo.cli import main

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.usefixtures("cache_dir")  # snapshots go to a temporary folder per test


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_builds_the_store_env_from_the_bundled_data(capsys, store_env):
    code, out, err = _run(capsys, "stats", "--json")
    assert code == 0, err
    stats = json.loads(out)
    assert stats["layers"] == {"capture": 18, "strike": 8, "impact": 2, "talks": 3}
    assert stats["status"] == {"claimed": 21, "disputed": 2, "confirmed": 0, "retracted": 0, "contested": 8}
    assert stats["datasets"] == {"feb-2026": 31}
    assert stats["span"] == {"first": "2026-01-23", "last": "2026-02-23"}
    assert store_env.exists()


def test_stats_human_output(capsys, store_env):
    code, out, _ = _run(capsys, "stats")
    assert code == 0
    assert "31 events" in out and "feb-2026" in out and "disputed" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stats", "--store", "nowhere/missing.gpkg"], "no store at 'nowhere/missing.gpkg'"),
        (["stats", "--store", "."], "is a folder"),
        (["geocode", "  "], "empty"),
        (["geocode", "Popivka", "--region", "Atlantis"], "Atlantis"),
        (["synth", "10", "--store", "no/such/folder/x.gpkg"], "does not exist"),
        (["synth", "10", "--store", "."], "is a folder"),
        (["stats", "--store", "postgresql://analyst:s3cret@db.example.org/conflict"], "cannot reach the database"),
        (["datasets", "--store", "postgres://db.example.org/conflict"], "cannot reach the database"),
        (
            ["import", str(ROOT / "tests/fixtures/import/acled_sample.csv"), "--store", "postgresql://db/conflict"],
            "cannot reach the database",
        ),
        (["export", "--format", "csv", "--out", "x.csv", "--store", "postgresql://db/c"], "cannot reach the database"),
        (["stats", "--store", "https://example.org/conflict.gpkg"], "not a store location"),
    ],
)
def test_user_errors_are_one_clear_line(capsys, argv, message):
    code, _out, err = _run(capsys, *argv)
    assert code == 1
    assert err.startswith("error: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert "s3cret" not in err


def test_a_store_url_is_never_taken_for_a_path(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in (["synth", "10", "--store", "postgresql://db/conflict"], ["stats", "--store", "postgresql://db/c"]):
        code, _out, err = _run(capsys, *argv)
        assert code == 1 and "cannot reach the database" in err
    assert list(tmp_path.iterdir()) == []


def test_store_env_takes_a_url_too(capsys, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_STORE", "postgresql://analyst:s3cret@db.example.org/conflict")
    settings.reload()  # cache_dir sets the session's settings again after the test
    code, _out, err = _run(capsys, "stats")
    assert code == 1 and err.count("\n") == 1
    assert "cannot reach the database" in err and "analyst:***@db.example.org" in err and "s3cret" not in err


def test_a_store_given_as_a_file_url(capsys, tmp_path):
    store = tmp_path / "synthetic.gpkg"
    code, _, err = _run(capsys, "synth", "200", "--store", store.as_uri())
    assert code == 0, err
    code, out, _ = _run(capsys, "stats", "--store", store.as_uri(), "--json")
    assert code == 0 and json.loads(out)["datasets"] == {"synthetic": 200}


@pytest.mark.parametrize("n", ["0", "-5", "ten", "50000000"])
def test_synth_rejects_bad_counts(capsys, n):
    with pytest.raises(SystemExit) as info:
        main(["synth", n, "--store", "x.gpkg"])
    assert info.value.code == 2
    assert "expected" in capsys.readouterr().err


def test_geocode_json_contract(capsys):
    code, out, _ = _run(capsys, "geocode", "Zheleznodorozhnoye", "--region", "Zaporizhzhia", "--json")
    assert code == 0
    answer = json.loads(out)
    assert {"query", "name", "lat", "lon", "admin1", "precision", "candidates", "found"} <= set(answer)
    assert answer["found"] is True
    assert answer["admin1"] == "UA-23"
    assert answer["precision"] == "exact"
    assert answer["lat"] == pytest.approx(47.64855, abs=1e-4)
    assert isinstance(answer["candidates"], list)


def test_geocode_region_fallback_and_not_found(capsys):
    # four villages called Popivka in Sumy Oblast: the region, no guessed point
    code, out, _ = _run(capsys, "geocode", "Popivka", "--region", "Sumy", "--json")
    answer = json.loads(out)
    assert code == 0
    assert (answer["found"], answer["precision"], answer["admin1"], answer["lat"]) == (False, "admin1", "UA-59", None)
    assert answer["ambiguous"] is True and len(answer["candidates"]) >= 4
    code, out, _ = _run(capsys, "geocode", "Xyzzyvka", "--json")
    answer = json.loads(out)
    assert code == 1
    assert (answer["found"], answer["precision"], answer["lat"], answer["admin1"]) == (False, "unknown", None, None)


def test_synth_then_stats(capsys, tmp_path, cache_dir):
    store = tmp_path / "synthetic.gpkg"
    code, _, err = _run(capsys, "synth", "2000", "--store", str(store))
    assert code == 0, err
    assert "2,000 synthetic events" in err
    assert "prepared the dashboard's snapshot" in err
    assert len(list((cache_dir / "snapshots").glob("synthetic.gpkg-*/*.arrow"))) == 2
    code, out, _ = _run(capsys, "stats", "--store", str(store), "--json")
    stats = json.loads(out)
    assert stats["datasets"] == {"synthetic": 2000}
    assert sum(stats["layers"].values()) == 2000
    code, out, _ = _run(capsys, "datasets", "--store", str(store), "--json")
    assert json.loads(out)[0]["name"] == "synthetic"


def test_python_dash_m_geo_runs_as_a_program(tmp_path):
    env = os.environ | {"CONFLICTMAP_STORE": str(tmp_path / "c.gpkg"), "CONFLICTMAP_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "stats", "--store", str(tmp_path / "missing.gpkg")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: no store at")
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "geocode", "Гуляйполе", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["admin1"] == "UA-23"


# -- export --by: what the dates match ------------------------------------------------------------------------


def _exported_events(capsys, tmp_path, *flags: str) -> set[str]:
    out = tmp_path / "claims.csv"
    code, stdout, err = _run(capsys, "export", "--format", "csv", "--out", str(out), *flags)
    assert code == 0, err
    assert stdout.startswith(f"wrote {out}")
    return set(pd.read_csv(out)["event_id"])


def test_export_by_matches_the_dates_against_events_statements_or_either(capsys, tmp_path, store_env):
    dates = ("--from", "2026-02-15", "--to", "2026-02-16", "--layer", "capture")
    gerasimov = "feb26-cap-gerasimov-12-settlements"  # 1–14 Feb, stated 15 Feb
    counteroffensive = "feb26-cap-ua-south-counteroffensive"  # 1–23 Feb, stated 20 and 23 Feb
    by_event = _exported_events(capsys, tmp_path, *dates, "--by", "event")
    by_statement = _exported_events(capsys, tmp_path, *dates, "--by", "statement")
    either = _exported_events(capsys, tmp_path, *dates)
    assert counteroffensive in by_event and gerasimov not in by_event
    assert gerasimov in by_statement and counteroffensive not in by_statement
    assert either == by_event | by_statement
    link = "http://localhost:8501/captures?from=2026-02-15&to=2026-02-16&layer=capture&by=statement"
    assert _exported_events(capsys, tmp_path, "--url", link) == by_statement
    assert _exported_events(capsys, tmp_path, "--url", link, "--by", "event") == by_event  # a flag wins


def test_export_by_takes_only_known_values(capsys, tmp_path):
    from geo.cli import BY
    from geo.filters import BY as FILTER_BY

    assert set(BY) == set(FILTER_BY)
    with pytest.raises(SystemExit) as info:
        main(["export", "--format", "csv", "--out", str(tmp_path / "x.csv"), "--by", "claims"])
    assert info.value.code == 2
    assert "--by" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
