"""Importing from the command line and the Import page: conflicts with another dataset, provenance, bounds in time,
XLSX formulas without values, ACLED/UCDP files short of a column, OS errors and orphaned snapshot files."""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from geo.cli import main
from geo.errors import DatasetConflictError, GeoError, TimeLimitError
from geo.importers import known_format, read_file
from geo.importers.formats import missing_markers
from geo.importers.run import run_within
from geo.importers.table import MAX_HEADER_COLUMNS, header_columns
from geo.store import open_store
from geo.store import snapshot as snap

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
ACLED_2024 = FIXTURES / "flow_acled_2024.csv"
ACLED_2025 = FIXTURES / "flow_acled_2025.csv"
"""A newer ACLED export under a new name: the five events of 2024 (one with a revised fatality count) and two new."""
pytestmark = pytest.mark.usefixtures("cache_dir")


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- a newer export under a new name (#12.8) --------------------------------------------------------------


def test_the_store_says_which_dataset_holds_the_ids_and_how_many(tmp_path):
    store = open_store(tmp_path / "s.gpkg", seed=False)
    old = read_file(ACLED_2024, dataset="acled-2024")
    store.write(old.events, old.claims, dataset="acled-2024", kind="import", validated=True)
    before = store.version()
    new = read_file(ACLED_2025)
    assert new.imported == 7
    with pytest.raises(DatasetConflictError) as caught:
        store.write(new.events, new.claims, dataset=new.dataset, kind="import", validated=True)
    err = caught.value
    assert (err.count, err.owners, err.only_owner, err.key) == (5, {"acled-2024": 5}, "acled-2024", "event_id")
    assert err.kinds == {"acled-2024": "import"} and err.updatable("import") and not err.updatable("bundled")
    assert "these 5 event_id values belong to dataset 'acled-2024' already" in str(err)
    assert "event_id 'acled-UKR152301' already belongs to dataset 'acled-2024'" in str(err)  # the first rows, as before
    assert store.version() == before


def test_the_command_line_offers_the_dataset_the_ids_belong_to(capsys, tmp_path):
    store = str(tmp_path / "s.gpkg")
    code, _, err = _run(capsys, "import", str(ACLED_2024), "--store", store, "--dataset", "acled-2024")
    assert code == 0, err
    code, out, err = _run(capsys, "import", str(ACLED_2025), "--store", store)
    assert code == 1 and out == ""
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert lines == [
        "error: these 5 ACLED ids belong to dataset 'acled-2024' already; to update it, import with "
        "--dataset acled-2024 (rows 1, 2, 3, 4, 5); nothing was written"  # the file's rows holding them
    ]
    code, out, err = _run(capsys, "import", str(ACLED_2025), "--store", store, "--dataset", "acled-2024", "--json")
    assert code == 0, err
    written = json.loads(out)["written"]
    assert (written["inserted_events"], written["updated_events"], written["unchanged_events"]) == (2, 0, 5)
    assert (written["inserted_claims"], written["updated_claims"], written["unchanged_claims"]) == (2, 1, 4)
    stored = open_store(store).datasets().set_index("name")
    assert list(stored.index) == ["acled-2024"]
    assert stored.loc["acled-2024", "source"] == f"flow_acled_2025.csv (sha256:{_sha256(ACLED_2025)})"


def test_ids_of_a_bundled_dataset_are_not_offered_for_an_update(capsys, tmp_path):
    store = open_store(tmp_path / "s.gpkg", seed=False)
    old = read_file(ACLED_2024, dataset="feb-2026")
    store.write(old.events, old.claims, dataset="feb-2026", kind="bundled", validated=True)
    code, _, err = _run(capsys, "import", str(ACLED_2025), "--store", str(tmp_path / "s.gpkg"))
    assert code == 1
    assert "these 5 ACLED ids belong to dataset 'feb-2026' already; ids are unique across datasets" in err
    assert "--dataset" not in err


# -- provenance (#13.16) and the report's lines ------------------------------------------------------------


def test_the_command_line_records_the_file_name_and_its_sha256(capsys, tmp_path):
    code, out, err = _run(capsys, "import", str(ACLED_2024), "--store", str(tmp_path / "s.gpkg"))
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"{ACLED_2024} (acled, utf-8): 5 rows")  # the encoding line
    row = open_store(tmp_path / "s.gpkg").datasets().iloc[0]
    assert row["source"] == f"flow_acled_2024.csv (sha256:{_sha256(ACLED_2024)})"
    assert str(FIXTURES) not in row["source"]


def test_the_json_report_carries_the_encoding_and_the_placements(capsys):
    code, out, err = _run(capsys, "import", str(ACLED_2024), "--dry-run", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["encoding"] == "utf-8" and isinstance(report["placed"], dict)


# -- files short of a column of their format (#13.11) ----------------------------------------------------


def test_an_acled_file_without_time_precision_is_told_so_not_read_as_the_template(capsys):
    name = "flow_acled_no_time_precision.csv"
    code, _, err = _run(capsys, "import", str(FIXTURES / name), "--dry-run")
    assert code == 1
    assert err.strip() == f"error: {name} is not an ACLED export: missing column(s) time_precision"


def test_a_ucdp_file_without_where_prec_is_told_so(capsys):
    code, _, err = _run(capsys, "import", str(FIXTURES / "flow_ucdp_no_where_prec.csv"), "--dry-run")
    assert code == 1
    assert "is not a UCDP GED export: missing column(s) where_prec" in err


@pytest.mark.parametrize(
    ("header", "known", "missing"),
    [
        (["event_id_cnty", "event_date", "event_type", "geo_precision", "notes"], "acled", ["time_precision"]),
        (["EVENT_ID_CNTY", "EVENT_DATE", "TIME_PRECISION", "EVENT_TYPE", "LOCATION"], "acled", ["geo_precision"]),
        (["id", "type_of_violence", "date_prec", "best", "adm_1"], "ucdp", ["where_prec"]),
        (["layer", "time_start", "claimant", "party", "time_precision", "geo_precision"], "template", None),
        (["layer", "time_start", "time_precision", "geo_precision"], None, None),  # a template short of columns
        (["Date", "Settlement", "event_type"], None, None),
    ],
)
def test_known_formats_are_recognised_by_most_of_their_markers(header, known, missing):
    assert known_format(header) == known
    assert missing_markers(header) == ((known, missing) if missing else None)


# -- XLSX formulas without a saved value (#13.9) ---------------------------------------------------------


def _workbook_written_by_a_script(path: Path) -> Path:
    """The shape of a workbook a script (openpyxl) wrote: formulas with no saved results, as no program calculated."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Strikes"
    sheet.append(["layer", "place", "region", "time_start", "claimant", "party", "killed", "wounded", "Total", "Check"])
    sheet.append(["strike", "Kharkiv", "UA-63", "2024-02-10", "Kharkiv Regional Military Administration", "UA", 7, 10,
                  "=G2+H2", "=LEN(B2)"])  # fmt: skip
    sheet.append(["strike", "Sumy", "UA-59", "=DATE(2024,2,14)", "Sumy Regional Military Administration", "UA", 0, 1,
                  "=G3+H3", None])  # fmt: skip
    sheet.append(["strike", "Odesa", "UA-51", "2024-02-13", "Odesa Regional Military Administration", "UA", "=1+0", 3,
                  "=G4+H4", None])  # fmt: skip
    sheet.append(["strike", "Dnipro", "UA-12", "2024-02-12", "Dnipro City Military Administration", "UA", 1, 2, 3,
                  None])  # fmt: skip
    book.save(path)
    return path


def test_xlsx_formulas_without_a_value_reject_their_rows_by_cell(tmp_path):
    result = read_file(_workbook_written_by_a_script(tmp_path / "strikes.xlsx"))
    assert result.imported == 2 and sorted(result.events["place"]) == ["Dnipro", "Kharkiv"]
    assert result.rejected_rows == [2, 3]
    formulas = [(p.row, p.column, p.message.split(" has")[0]) for p in result.rejected]
    assert formulas == [(2, "time_start", "formula =DATE(2024,2,14)"), (3, "killed", "formula =1+0")]
    assert "open the workbook in Excel or LibreOffice" in result.rejected[0].fix
    assert result.notes == ["4 formula cell(s) without a saved value in columns not imported (Total, Check): ignored"]


def test_xlsx_formulas_with_saved_values_are_read_as_their_values(tmp_path):
    path = _workbook_written_by_a_script(tmp_path / "strikes.xlsx")
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    # openpyxl writes an empty value as <v /> or, with lxml installed (python-pptx brings it), as <v/> or <v></v>
    sheet = re.sub(r"<v\s*/>|<v></v>", "<v />", parts["xl/worksheets/sheet1.xml"].decode())
    sheet = sheet.replace("<f>DATE(2024,2,14)</f><v />", "<f>DATE(2024,2,14)</f><v>2024-02-14</v>")
    sheet = re.sub(r'<c r="D3"( t="[a-z]+")?>', '<c r="D3" t="str">', sheet)
    sheet = sheet.replace("<f>1+0</f><v />", "<f>1+0</f><v>1</v>")
    assert sheet.count("<f>DATE(2024,2,14)</f><v>2024-02-14</v>") == 1 and "<f>1+0</f><v>1</v>" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = read_file(path)
    assert result.imported == 4 and not result.rejected


# -- headers for the mapping step, read within bounds (#13.2) ---------------------------------------------


def test_header_columns_keep_the_names_as_written(tmp_path):
    assert header_columns(FIXTURES / "import" / "mapped_sample.csv")[:3] == ["Date", "Settlement", "Oblast"]
    path = tmp_path / "cyr.csv"
    path.write_bytes("Дата;Населений пункт;Область\r\n15.02.2024;Суми;Сумська\r\n".encode("cp1251"))
    assert header_columns(path) == ["Дата", "Населений пункт", "Область"]
    book = tmp_path / "b.xlsx"
    _workbook_written_by_a_script(book)
    assert header_columns(book)[:4] == ["layer", "place", "region", "time_start"]


def test_a_wide_header_is_not_parsed(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i % 7}" for i in range(300_000)) + "\n" + "1," * 10 + "\n")
    assert header_columns(wide) == []
    many = tmp_path / "many.csv"
    many.write_text(",".join("c" for _ in range(MAX_HEADER_COLUMNS + 1)) + "\n1\n")
    assert header_columns(many) == []


def _sleep_then_read(path, **kwargs):
    """A read that never ends in time (the stand-in of a parse that runs away)."""
    time.sleep(600)
    return read_file(path, **kwargs)


def test_a_read_over_its_deadline_is_stopped_and_its_process_killed():
    with pytest.raises(TimeLimitError, match=r"took longer than 0\.5 s and was stopped"):
        run_within(0.5, _sleep_then_read, ACLED_2024)
    assert [p for p in multiprocessing.active_children() if p.name == "geo-import"] == []


def test_a_read_in_a_child_process_answers_as_in_this_one():
    here, there = read_file(ACLED_2024), run_within(120, read_file, ACLED_2024)
    assert there.to_dict() == here.to_dict()
    assert there.events["event_id"].tolist() == here.events["event_id"].tolist()
    with pytest.raises(GeoError, match="no file at"):
        run_within(120, read_file, FIXTURES / "missing.csv")


# -- the command line: every OSError is one line (#13.13) -------------------------------------------------


def test_an_export_onto_a_special_path_is_one_line(capsys, store_env):
    code, out, err = _run(capsys, "export", "--format", "csv", "--out", "/proc/version")
    assert code == 1 and out == ""
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "/proc" in err and "Traceback" not in err


def test_an_export_onto_a_full_disk_is_one_line(capsys, store_env, tmp_path, monkeypatch):
    import geo.exporters

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "map.csv"))

    monkeypatch.setattr(geo.exporters, "export", full)
    code, _, err = _run(capsys, "export", "--format", "csv", "--out", str(tmp_path / "map.csv"))
    assert code == 1
    assert err == f"error: cannot write {tmp_path / 'map.csv'}: the disk is full (no space left on device); " \
                  "nothing was written\n"  # fmt: skip


def test_an_unreadable_input_is_one_line(capsys, tmp_path, monkeypatch):
    import geo.importers

    def denied(path, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(geo.importers, "read_file", denied)
    code, _, err = _run(capsys, "import", str(ACLED_2024), "--dry-run")
    assert (code, err) == (1, f"error: cannot read {ACLED_2024}: permission denied\n")


def test_any_other_os_error_is_one_line(capsys, store_env, monkeypatch):
    import geo.stats

    def broken(*_args):
        raise OSError(errno.EIO, "Input/output error", "/data/conflict.gpkg")

    monkeypatch.setattr(geo.stats, "summary", broken)
    assert _run(capsys, "stats")[1:] == ("", "error: /data/conflict.gpkg: Input/output error\n")


# -- orphaned snapshot files (#13.14) ---------------------------------------------------------------------


def test_the_next_build_removes_orphaned_snapshot_files_only(tmp_path, store_env):
    store = open_store(store_env)
    folder = snap.snapshot_dir(store.location)
    folder.mkdir(parents=True)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        killed = folder / f".v2-old.events.arrow.{snap._HOST}.{dead_pid}.0123abcd.tmp"
        old = folder / ".v2-old.claims.arrow.89abcdef.tmp"  # a name from before the pid was in it
        building = folder / f".v2-new.events.arrow.{snap._HOST}.{running.pid}.fedcba98.tmp"
        elsewhere = folder / f".v2-new.events.arrow.other-host.{dead_pid}.fedcba99.tmp"
        other = folder / "notes.tmp"
        for path in (killed, old, building, elsewhere, other):
            path.write_bytes(b"ARROW1 half-written")
        hour_ago = time.time() - 3600
        os.utime(old, (hour_ago, hour_ago))
        os.utime(other, (hour_ago, hour_ago))
        snap.read_display(store)
        left = sorted(p.name for p in folder.iterdir() if not p.name.endswith((".arrow", ".json")))
        assert left == sorted([building.name, elsewhere.name, other.name])
        assert len(list(folder.glob("*.arrow"))) == 2
    finally:
        running.kill()
        running.wait()


# -- the Import page (#12.8, #13.2, #13.16) ---------------------------------------------------------------


def _page() -> AppTest:
    """The Import page, signed in as an admin (a local account made in the default store)."""
    from geo import settings
    from geo.store import open_store
    from ui import auth

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    open_store(settings.get().store).put_user("ada", "admin", None, actor="cli")
    at.session_state[auth.SESSION_KEY] = auth.session_record("ada")
    at.run()
    at.switch_page("views/import_data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="import_file").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_offers_to_import_into_the_dataset_the_ids_belong_to(store_env):
    at = _upload(_page(), "acled-2024.csv", ACLED_2024.read_bytes())
    at.button(key="import_commit").click().run()
    assert "Imported into “acled-2024”" in at.success[0].value
    newer = ACLED_2025.read_bytes()
    at = _upload(_page(), "acled-2025.csv", newer)  # another session: the dataset is named after the file
    at.button(key="import_commit").click().run()
    assert at.error[0].value == (
        "These 5 ACLED ids belong to dataset “acled-2024” already; to update that dataset, import into it."
    )
    at.button(key="import_into_owner").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Imported into “acled-2024”: 2 new, 0 updated, 5 unchanged events."
    table = at.dataframe[-1].value.set_index("name")
    assert list(table.index) == ["feb-2026", "acled-2024"] or set(table.index) == {"feb-2026", "acled-2024"}
    digest = hashlib.sha256(newer).hexdigest()
    assert table.loc["acled-2024", "source"] == f"acled-2025.csv (sha256:{digest})"  # never the temporary path
    assert "/tmp" not in table.loc["acled-2024", "description"]


def test_the_page_stops_a_read_that_runs_past_its_deadline(store_env, monkeypatch):
    from ui import importing

    monkeypatch.setattr(importing, "read_file", _sleep_then_read)
    monkeypatch.setattr(importing, "READ_SECONDS", 2.0)
    at = _upload(_page(), "slow.csv", ACLED_2024.read_bytes() + b"\r\n")  # content of its own: not cached
    assert [e.value for e in at.error] == [
        "Reading slow.csv took longer than 2 seconds and was stopped; import it from the command line "
        "(python -m geo import), or split it into smaller files."
    ]
    assert [p for p in multiprocessing.active_children() if p.name == "geo-import"] == []


def test_the_page_maps_columns_read_from_a_bounded_header(store_env):
    wide = ",".join(f"Column {i}" for i in range(MAX_HEADER_COLUMNS + 5)) + "\n" + "x," * 5 + "\n"
    at = _upload(_page(), "wide.csv", wide.encode())
    assert not [s for s in at.selectbox if s.key == "import_map_place"]  # no mapping step for a header past the bound
    assert at.error, "the importer says what is wrong with the file"
