"""Fuzzing the importers (issue 13, "How it is judged"): hostile but plausible files through ``python -m geo import``.

Generated with ``hypothesis``: CSV in the events template and in ACLED's shape, GeoJSON and KML (with folders),
their cells and coordinates replaced by random text, control characters, huge / infinite / NaN numbers, bad
dates, markup, formulas, wrong JSON types, local paths and URLs. Each file is imported in-process with
``geo.cli.main(["import", FILE, "--store", S, "--json"])`` into a copy of a store that already holds a dataset,
and the invariant is checked:

* the command exits 0 or 1; exit 1 prints exactly one line on stderr (``error: …``), never a traceback;
* the store is unchanged (byte for byte) when nothing was imported, else it holds exactly what the report says
  (the new dataset's events and claims, the old dataset untouched);
* nothing outside the example's folder is written (its file list is compared before and after, and a folder
  outside it holds a canary file whose content must never appear in any output or in the store);
* nothing is fetched: every URL in the data points to a local listener that must see no connection, GDAL's
  HTTP goes through it as a proxy, and Python sockets may not connect at all.

Deterministic in CI (profile ``geo-fuzz-ci``: fixed examples, ``derandomize=True``, no example database).
Explore more with the environment variable ``GEO_FUZZ_EXAMPLES`` (examples per test, random seed each run)::

    GEO_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_fuzz_importers.py
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import socket
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pyogrio
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from geo import cli
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "data" / "templates" / "events_template.csv"
ACLED = ROOT / "tests" / "fixtures" / "import" / "acled_sample.csv"
EXAMPLES = int(os.environ.get("GEO_FUZZ_EXAMPLES", "0"))
settings.register_profile(
    "geo-fuzz-ci",
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings(
    settings.get_profile("geo-fuzz-ci"), **({"max_examples": EXAMPLES, "derandomize": False} if EXAMPLES else {})
)
"""Settings of every test here (a profile of this file only: hypothesis' global profile is left alone)."""

CANARY = "GEO-FUZZ-CANARY-7f3a9c"
"""Content of a file outside the example's folder; it must never be read into anything."""
PORT, CANARY_PATH = "{PORT}", "{CANARY_PATH}"
"""Placeholders in generated text, replaced when the file is written."""

# --- values -----------------------------------------------------------------------------------

_CONTROL = "".join(map(chr, [*range(0, 32), 127, 0x85, 0xA0, 0x2028, 0x2029, 0x202E, 0xFEFF, 0xFFFE]))
_WEIRD = [
    "", " ", "inf", "-inf", "Infinity", "-Infinity", "1e309", "-1e309", "NaN", "nan", "1e-400", "9" * 400,
    "0x1F", "1,5", "1 000", "-0", "0", "1e6", "²", "٣", "null", "None", "true", "[]", "{}", "2026-02-30",
    "2026-13-01", "0000-00-00", "31/12/1999", "2099-01-01", "1900-01-01", "2026-02-15T25:61:00",
    "2026-02-15T10:00:00+14:00", "15 Februar 2026", "16/02/2024 00:00:00", "9-May-20", "1771200000",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "]]>", "<![CDATA[x]]>", "&amp;", "&#0;",
    '=HYPERLINK("http://127.0.0.1:{PORT}/f","x")', "+1", "-1", "@SUM(A1)", '"', "'", ",", ";", "\t", "\r\n",
    "\n", "../../../../etc/passwd", "/etc/passwd", "{CANARY_PATH}", "file://{CANARY_PATH}",
    "/vsicurl/http://127.0.0.1:{PORT}/a.csv", "http://127.0.0.1:{PORT}/x.kml", "CSV:{CANARY_PATH}",
    "UA-63", "RU-BRY", "Atlantis", "Kharkiv", "Харків", "Ivanivka", "strike", "capture", "talks", "drone",
    "UA", "RU", "independent", "\u202egnp.exe", "a" * 3000, "Ж" * 500, "syn-0-0000000", "syn-0-0000001-1",
]  # fmt: skip
text_values = st.one_of(
    st.sampled_from(_WEIRD),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(_CONTROL), max_size=30),
)
json_values = st.one_of(
    text_values,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, 0, 1, -1, 2, 3, 7, 100]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "type", "coordinates"]), st.integers(), max_size=2),
)

# --- template and ACLED tables ----------------------------------------------------------------


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    return table[0], table[1:]


TEMPLATE_HEADER, _ = _rows(TEMPLATE)
_TEMPLATE_BASE = [
    {
        "layer": "strike", "place": "Kharkiv", "region": "UA-63", "latitude": "49.9935", "longitude": "36.2304",
        "time_start": "2026-02-15", "weapon": "drone", "claimant": "Kharkiv RMA", "party": "UA",
        "stated_at": "2026-02-15T09:30:00", "text": "Drones hit an energy facility", "hits": "2",
        "source_url": "https://t.me/synegubov/1",
    },
    {
        "layer": "capture", "place": "Huliaipole", "region": "Zaporizhzhia", "time_start": "14.02.2026",
        "side": "RU", "claimant": "Russian Ministry of Defence", "party": "RU", "settlements": "1",
    },
    {
        "event_id": "fz-3", "layer": "strike", "place": "Bryansk", "region": "RU-BRY", "latitude": "53.2521",
        "longitude": "34.3633", "time_start": "16/02/2026", "claimant": "Bryansk governor", "party": "RU",
        "intercepted": "120", "intercepted_bound": "at_least",
    },
]  # fmt: skip
ACLED_HEADER, _ACLED_BASE = _rows(ACLED)


@st.composite
def _table(draw: st.DrawFn, header: list[str], base: list[list[str]]) -> bytes:
    """A CSV in ``header``'s shape: rows drawn from ``base``, some cells replaced, written more or less well."""
    rows = [list(draw(st.sampled_from(base))) for _ in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(0, 6))):
        row, col = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(header) - 1))
        rows[row][col] = draw(text_values)
    head = list(header)
    if draw(st.integers(0, 9)) == 0:  # a hostile header cell too
        head[draw(st.integers(0, len(head) - 1))] = draw(text_values)
    sep = draw(st.sampled_from([",", ",", ";", "\t"]))
    out = io.StringIO()
    if draw(st.booleans()):
        csv.writer(out, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([head, *rows])
    else:  # written by hand: no quoting at all
        out.write("\n".join(sep.join(r) for r in [head, *rows]))
    text = ("\ufeff" if draw(st.booleans()) else "") + out.getvalue()
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "cp1251"])), errors="replace")


template_csv = _table(TEMPLATE_HEADER, [[r.get(c, "") for c in TEMPLATE_HEADER] for r in _TEMPLATE_BASE])
acled_csv = _table(ACLED_HEADER, _ACLED_BASE)

# --- GeoJSON ----------------------------------------------------------------------------------

_lon = st.floats(min_value=22.5, max_value=40.0)
_lat = st.floats(min_value=44.5, max_value=52.3)
_position = st.one_of(
    st.tuples(_lon, _lat).map(list),
    st.lists(json_values, max_size=4),
    st.tuples(_lon, _lat).map(lambda p: [[p[0], p[1]]]),
    st.tuples(_lon, _lat).map(lambda p: [str(p[0]), str(p[1])]),
)


def _bow_tie(a: float, b: float) -> list[list[float]]:
    """A self-intersecting ring: the importer repairs it, or rejects the row."""
    return [[a, b], [a + 0.2, b], [a, b + 0.2], [a + 0.2, b + 0.2], [a, b]]


geometries = st.one_of(
    st.none(),
    st.builds(lambda p: {"type": "Point", "coordinates": p}, _position),
    st.builds(lambda ps: {"type": "LineString", "coordinates": ps}, st.lists(_position, max_size=3)),
    st.builds(lambda a, b: {"type": "Polygon", "coordinates": [_bow_tie(a, b)]}, _lon, _lat),
    st.builds(lambda t, c: {"type": t, "coordinates": c}, text_values, json_values),
    json_values,
)
_CRS = [
    None,
    {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    {"type": "name", "properties": {"name": "EPSG:3857"}},
    {"type": "name", "properties": {"name": "http://127.0.0.1:{PORT}/crs"}},
    {"type": "link", "properties": {"href": "http://127.0.0.1:{PORT}/crs.proj4", "type": "proj4"}},
    {"type": "name", "properties": {"name": "{CANARY_PATH}"}},
]


@st.composite
def geojson(draw: st.DrawFn) -> bytes:
    """A FeatureCollection of template-shaped features with hostile properties and geometries."""
    features: list[Any] = []
    for _ in range(draw(st.integers(1, 4))):
        props: dict[str, Any] = dict(draw(st.sampled_from(_TEMPLATE_BASE)))
        if draw(st.integers(0, 2)) == 0:  # a clean feature among the hostile ones
            features.append({"type": "Feature", "properties": props, "geometry": None})
            continue
        for _ in range(draw(st.integers(0, 4))):
            props[draw(st.sampled_from([*TEMPLATE_HEADER, "name", "x"]))] = draw(json_values)
        geometry = draw(geometries) if draw(st.booleans()) else {"type": "Point", "coordinates": [36.23, 49.99]}
        feature: Any = {"type": "Feature", "properties": props, "geometry": geometry}
        if draw(st.integers(0, 9)) == 0:
            feature = draw(json_values)  # not a feature at all
        features.append(feature)
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    crs = draw(st.sampled_from(_CRS))
    if crs is not None:
        doc["crs"] = crs
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True)
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(len(text) // 2, len(text)))]  # cut short
    return text.encode("utf-8", errors="surrogatepass")


# --- KML --------------------------------------------------------------------------------------


def _xml_text(value: str, how: str) -> str:
    if how == "escaped":
        return escape(value)
    if how == "cdata":
        return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return value  # raw: may break the XML on purpose


_coords = st.one_of(
    st.tuples(_lon, _lat).map(lambda p: f"{p[0]},{p[1]},0"),
    text_values,
    st.tuples(json_values, json_values).map(lambda p: f"{p[0]},{p[1]}"),
)


_kml_geometry = st.sampled_from(
    [
        "<Point><coordinates>@</coordinates></Point>",
        "<LineString><coordinates>@ 36.3,50.0</coordinates></LineString>",
        "<Polygon><outerBoundaryIs><LinearRing><coordinates>@ 36.3,50.0 36.2,50.1 @</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon>",
        "<MultiGeometry><Point><coordinates>@</coordinates></Point><Point><coordinates>36.3,50.0</coordinates>"
        "</Point></MultiGeometry>",
        "",
    ]
)
"""A placemark's geometry, ``@`` standing for its drawn coordinates."""


@st.composite
def kml(draw: st.DrawFn) -> bytes:
    """A KML document with folders of placemarks: hostile names, descriptions, data and coordinates."""
    how = draw(st.sampled_from(["escaped", "escaped", "cdata", "raw"]))
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>']
    if draw(st.integers(0, 4)) == 0:
        parts.append(
            "<NetworkLink><Link><href>http://127.0.0.1:{PORT}/more.kml</href></Link></NetworkLink>"
            '<Style id="s"><IconStyle><Icon><href>http://127.0.0.1:{PORT}/i.png</href></Icon></IconStyle></Style>'
        )
    for f in range(draw(st.integers(1, 3))):
        parts.append(f"<Folder><name>{_xml_text(draw(text_values), how) if f else 'Strikes'}</name>")
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):  # a clean placemark among the hostile ones: the import has something to keep
                lon, lat = draw(st.floats(36.15, 36.3)), draw(st.floats(49.93, 50.05))  # in Kharkiv
                parts.append(
                    f"<Placemark><name>Kharkiv</name><Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>"
                )
                continue
            keys = draw(st.lists(st.sampled_from(["time_start", "claimant", "party", "layer", "x"]), max_size=3))
            data = "".join(f'<Data name="{k}"><value>{_xml_text(draw(text_values), how)}</value></Data>' for k in keys)
            parts.append(
                f"<Placemark><name>{_xml_text(draw(text_values), how)}</name>"
                f"<description>{_xml_text(draw(text_values), how)}</description>"
                f"<styleUrl>http://127.0.0.1:{{PORT}}/style.kml#s</styleUrl>"
                f"<ExtendedData>{data}</ExtendedData>"
                + draw(_kml_geometry).replace("@", _xml_text(draw(_coords), how))
                + "</Placemark>"
            )
        parts.append("</Folder>")
    parts.append("</Document></kml>\n")
    return "".join(parts).encode("utf-8", errors="surrogatepass")


KML_MAPPING = '[defaults]\nlayer = "strike"\ntime_start = "2026-02-15"\nclaimant = "Map author"\nparty = "UA"\n'

# --- the harness ------------------------------------------------------------------------------


class _Listener:
    """A local TCP server that counts connections: every URL in the data points here."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                with contextlib.suppress(OSError):
                    self.hits.append(conn.recv(300))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The listener, GDAL's HTTP proxied to it, a canary outside the examples' folders, and a store with data."""
    listener = _Listener()
    outside = tmp_path_factory.mktemp("outside")
    canary = outside / "canary.csv"
    canary.write_text(f"name,value\n{CANARY},1\n")
    pyogrio.set_gdal_config_options(
        {"GDAL_HTTP_PROXY": f"127.0.0.1:{listener.port}", "GDAL_HTTP_TIMEOUT": "2", "GDAL_HTTP_MAX_RETRY": "0"}
    )
    base = tmp_path_factory.mktemp("base") / "store.gpkg"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert cli.main(["synth", "3", "--store", str(base)]) == 0
    store = open_store(base)
    before = (store.read_events().sort_values("event_id"), store.read_claims().sort_values("claim_id"))
    yield {"listener": listener, "outside": outside, "canary": canary, "base": base, "before": before}
    pyogrio.set_gdal_config_options({"GDAL_HTTP_PROXY": None, "GDAL_HTTP_TIMEOUT": None, "GDAL_HTTP_MAX_RETRY": None})
    listener.sock.close()


@pytest.fixture
def harness(world, tmp_path, monkeypatch, cache_dir) -> dict[str, Any]:
    """Per test: no Python socket may connect, no snapshot is prepared (not the importer), cwd is tmp_path."""

    def refuse(self, address):
        raise AssertionError(f"the importer opened a network connection to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(cli, "_prepare_snapshot", lambda store: None)
    monkeypatch.chdir(tmp_path)
    return {**world, "tmp": tmp_path}


_NOT_SHOWN = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)
"""Warnings Python does not print by default (the others would reach the command line's stderr)."""


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def _import_and_check(h: dict[str, Any], name: str, data: bytes, *extra: str) -> None:
    """Import ``data`` as file ``name`` into a copy of the base store; assert the invariant."""
    work = Path(tempfile.mkdtemp(dir=h["tmp"]))
    text = data.replace(PORT.encode(), str(h["listener"].port).encode())
    path = work / name
    path.write_bytes(text.replace(CANARY_PATH.encode(), str(h["canary"]).encode()))
    store = work / "store.gpkg"
    shutil.copyfile(h["base"], store)
    before, outside = _files(work), _files(h["outside"])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")  # under pytest a warning is caught; from the shell it prints to stderr
        code = cli.main(["import", str(path), "--store", str(store), "--json", *extra])
    out_text, err_text = out.getvalue(), err.getvalue()
    shown = [f"{x.category.__name__}: {x.message}" for x in w if not issubclass(x.category, _NOT_SHOWN)]
    assert not shown, shown
    outcome = err_text[7:70] if code else "imported" if json.loads(out_text)["events"] else "nothing to import"
    event(f"exit {code}: {outcome}")
    assert code in (0, 1), (code, err_text)
    assert "Traceback" not in err_text and "Warning" not in err_text, err_text
    if code == 1:
        assert err_text.count("\n") == 1 and err_text.startswith("error: "), err_text
    else:
        assert err_text == "", err_text
    after = _files(work)
    changed = {f for f in set(before) | set(after) if before.get(f) != after.get(f)}
    report = json.loads(out_text) if out_text else None
    wrote = report is not None and report["written"] is not None
    assert changed <= ({"store.gpkg"} if wrote else set()), changed  # no stray file, no temporary left behind
    assert _files(h["outside"]) == outside
    assert not h["listener"].hits, h["listener"].hits
    assert CANARY not in out_text and CANARY not in err_text
    s = open_store(store)
    old_events, old_claims = h["before"]
    events, claims = s.read_events(), s.read_claims()
    dataset = report["dataset"] if report else None
    mine = events["dataset"] == dataset
    assert events[~mine].sort_values("event_id").reset_index(drop=True).equals(old_events.reset_index(drop=True))
    assert (
        claims[~claims["event_id"].isin(events.loc[mine, "event_id"])]
        .sort_values("claim_id")
        .reset_index(drop=True)
        .equals(old_claims.reset_index(drop=True))
    )
    if not wrote:
        assert "store.gpkg" not in changed and int(mine.sum()) == 0
        return
    assert report["events"] == int(mine.sum()) == report["written"]["inserted_events"]
    assert report["claims"] == int(claims["event_id"].isin(events.loc[mine, "event_id"]).sum())
    new_claims = claims[claims["event_id"].isin(events.loc[mine, "event_id"])]
    stored = [*events.loc[mine].drop(columns="geometry").to_numpy().ravel(), *new_claims.to_numpy().ravel()]
    assert not any(CANARY in str(v) for v in stored)


# --- the tests --------------------------------------------------------------------------------


@FUZZ
@given(data=template_csv)
@example(data=TEMPLATE.read_bytes())
def test_fuzz_template_csv(harness, data):
    _import_and_check(harness, "events.csv", data)


@FUZZ
@given(data=acled_csv)
@example(data=ACLED.read_bytes())
def test_fuzz_acled_csv(harness, data):
    _import_and_check(harness, "acled_export.csv", data)


@FUZZ
@given(data=geojson())
@example(data=(ROOT / "tests/fixtures/vector_bad_coordinates.geojson").read_bytes())
@example(
    data=b'{"type": "FeatureCollection", "crs": {"type": "link", "properties": {"href": '
    b'"http://127.0.0.1:{PORT}/crs.proj4", "type": "proj4"}}, "features": [{"type": "Feature", "properties": '
    b'{"layer": "strike", "time_start": "2026-02-15", "claimant": "x", "party": "UA"}, "geometry": '
    b'{"type": "Point", "coordinates": [36.2, 49.9]}}]}'
)  # GDAL fetched a linked CRS while opening the file: refused before it opens it
def test_fuzz_geojson(harness, data):
    _import_and_check(harness, "features.geojson", data)


def _zipped(doc: bytes) -> bytes:
    """A KMZ holding ``doc`` as doc.kml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", doc)
    return buffer.getvalue()


@FUZZ
@given(data=kml(), kmz=st.booleans())
@example(data=(ROOT / "tests/fixtures/vector_folders.kml").read_bytes(), kmz=False)
def test_fuzz_kml(harness, data, kmz):
    mapping = harness["tmp"] / "mapping.toml"
    mapping.write_text(KML_MAPPING)
    if kmz:
        _import_and_check(harness, "places.kmz", _zipped(data), "--mapping", str(mapping))
    else:
        _import_and_check(harness, "places.kml", data, "--mapping", str(mapping))
