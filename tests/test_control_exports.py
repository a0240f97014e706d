"""Claims set against assessed control in every export: the ``assessment`` / ``assessment_verdict`` fields of CSV,
GeoJSON and GeoPackage, the *Claims vs assessment* section of the HTML page (the page PNG/PDF are made from), and
the round trip that ignores them — on one generated series and the capture claims of ``test_control_views``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyogrio
import pytest

from geo.claims import fold
from geo.control.check import aggregate_claims, check_claims
from geo.exporters import export
from geo.exporters.data import ASSESSMENT_COLUMNS
from geo.exporters.html import render_page
from geo.importers.native import read_native
from geo.store import open_store
from tests.test_control_views import write_store


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Events, claims, verdicts and aggregates of the store (one ten-day series, four capture claims)."""
    folder = tmp_path_factory.mktemp("control-exports")
    write_store(folder / "store.gpkg", folder / "days")
    store = open_store(str(folder / "store.gpkg"))
    events = store.read_events()
    claims = store.read_claims()
    verdicts = check_claims(store, events, claims)
    aggregates = aggregate_claims(store, events, claims)
    return fold(events, claims), claims, verdicts, aggregates, folder


def test_csv_has_a_verdict_per_claim(exported):
    events, claims, verdicts, aggregates, folder = exported
    out = export("csv", events, claims, None, folder / "x.csv", verdicts=verdicts, aggregates=aggregates)
    with open(out, encoding="utf-8", newline="") as f:
        rows = {r["claim_id"]: r for r in csv.DictReader(f)}
    assert set(ASSESSMENT_COLUMNS) <= set(next(iter(rows.values())))
    machine = json.loads(rows["c-in"]["assessment_verdict"])
    assert machine["DeepStateMap"]["verdict"] == "reflected"
    assert machine["DeepStateMap"]["as_of"] == "2024-01-04"  # the day the strip covers the place
    assert rows["c-in"]["assessment"].startswith("Reflected on 4 Jan 2024")
    assert "DeepStateMap's map is its own assessment" in rows["c-in"]["assessment"]
    assert "not ground truth" in rows["c-in"]["assessment"]
    assert json.loads(rows["c-far"]["assessment_verdict"])["DeepStateMap"]["verdict"] == "not_reflected"
    assert json.loads(rows["c-in-ua"]["assessment_verdict"])["DeepStateMap"]["verdict"] == "contradicted"
    total = json.loads(rows["c-total"]["assessment_verdict"])["DeepStateMap"]["change"]
    assert total["gained_km2"] > 100 and total["period_from"] == "2024-01-02"
    assert rows["c-total"]["assessment"].startswith("claimed ≥200 km², 12 settlements · DeepStateMap: +")


def test_without_verdicts_the_exports_are_as_before(exported):
    events, claims, _, _, folder = exported
    out = export("csv", events, claims, None, folder / "plain.csv")
    with open(out, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert not set(ASSESSMENT_COLUMNS) & set(header)


def test_geojson_and_gpkg_carry_the_verdicts_and_import_back_without_them(exported):
    events, claims, verdicts, aggregates, folder = exported
    gj = export("geojson", events, claims, None, folder / "x.geojson", verdicts=verdicts, aggregates=aggregates)
    doc = json.loads(Path(gj).read_text(encoding="utf-8"))
    assert "not ground truth" in doc["conflictmap"]["assessment"]
    found = {c["claim_id"]: c for f in doc["features"] for c in f["properties"]["claims"]}
    assert found["c-in"]["assessment_verdict"]["DeepStateMap"]["verdict"] == "reflected"
    assert found["c-far"]["assessment"].startswith("Not reflected as of 10 Jan 2024")

    gp = export("gpkg", events, claims, None, folder / "x.gpkg", verdicts=verdicts, aggregates=aggregates)
    layer = pyogrio.read_dataframe(gp, layer="claims", read_geometry=False).set_index("claim_id")
    assert json.loads(layer.loc["c-in-ua", "assessment_verdict"])["DeepStateMap"]["verdict"] == "contradicted"

    for path in (gj, gp):  # the importer of this project's exports ignores the derived fields
        back = read_native(path)
        assert not set(ASSESSMENT_COLUMNS) & set(back.claims.columns)
        assert set(back.claims["claim_id"]) == set(claims["claim_id"])


def test_page_has_a_claims_vs_assessment_section(exported):
    events, claims, verdicts, aggregates, _ = exported
    page = render_page(events, claims, None, verdicts=verdicts, aggregates=aggregates, for_print=True)
    start = page.index('<div id="export-assessment">')
    section = page[start : page.index('<div id="export-sources">')]
    assert "Claims vs assessment" in section
    assert "DeepStateMap" in section and "not ground truth" in section
    assert 'data-claim="c-in"' in section and "reflected · 4 Jan 2024" in section
    assert "contradicted · 10 Jan 2024" in section
    assert "claimed ≥200 km², 12 settlements · DeepStateMap: +" in section
    assert "<script" not in section
    plain = render_page(events, claims, None)
    assert 'id="export-assessment"' not in plain


def test_html_export_passes_the_verdicts_on(exported):
    events, claims, verdicts, aggregates, folder = exported
    out = export("html", events, claims, None, folder / "x.html", verdicts=verdicts, aggregates=aggregates)
    assert "Claims vs assessment" in Path(out).read_text(encoding="utf-8")


def test_the_command_line_sets_every_export_against_the_stored_assessments(exported, capsys):
    from geo.cli import main

    *_, folder = exported
    store = str(folder / "store.gpkg")
    assert main(["export", "--format", "geojson", "--out", str(folder / "cli.geojson"), "--store", store]) == 0
    doc = json.loads((folder / "cli.geojson").read_text(encoding="utf-8"))
    found = {c["claim_id"]: c for f in doc["features"] for c in f["properties"]["claims"]}
    assert found["c-in"]["assessment_verdict"]["DeepStateMap"]["verdict"] == "reflected"
    out = folder / "cli.html"
    args = ["export", "--format", "html", "--out", str(out), "--store", store, "--from", "2024-01-02"]
    assert main([*args, "--to", "2024-01-08"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Control: DeepStateMap" in page  # the map's Control layer, in the layer control
    assert "gained by Russia" in page  # the hatched gained area's tooltip
    assert 'id="export-assessment"' in page  # the Claims vs assessment section
    assert main(["export", "--format", "kml", "--out", str(folder / "cli.kml"), "--store", store]) == 0
    assert "assessment" not in (folder / "cli.kml").read_text(encoding="utf-8")
    capsys.readouterr()
