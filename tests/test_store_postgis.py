"""What only the PostGIS store does: migrations, concurrent imports, failed imports, bad URLs, copying, two servers.

The behaviour both stores share is in ``test_store_contract.py`` (which runs on PostGIS too). The server comes from
``tests/pg.py``: ``$CONFLICTMAP_TEST_PG`` or a throw-away cluster; in CI a missing server fails, never skips.
"""

from __future__ import annotations

import argparse
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
import shapely

from geo import cli, schema
from geo.claims import fold
from geo.errors import DatasetConflictError, GeoError, NotFoundError
from geo.store import GeoPackageStore, _pg_schema, _pg_write, open_store, postgis
from geo.store.commands import add_commands
from geo.synthetic import generate
from tests import pg
from tests.test_store_contract import _assert_frames_equal, _claims, _contents, _events, _renamed

ROOT = pg.ROOT


def _store_cli(*argv: str) -> int:
    """Run ``python -m geo store …`` in this process, through :func:`add_commands` as geo.cli wires it."""
    parser = argparse.ArgumentParser(prog="python -m geo")
    add_commands(parser.add_subparsers(dest="command", required=True), "the store")
    args = parser.parse_args(["store", *argv])
    return args.func(args)


def _synth(n: int, seed: int) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Synthetic events (without their dataset column, to be written under any name) and claims."""
    events, claims = generate(n, seed=seed)
    return events.drop(columns="dataset"), claims


def _one_line_error(capsys, *argv: str) -> str:
    """Run the command line; it must fail with exactly one line on stderr (no traceback); return that line."""
    code = cli.main(list(argv))
    err = capsys.readouterr().err.strip()
    assert code == 1, err
    assert err.count("\n") == 0 and "Traceback" not in err, err
    assert err.startswith("error: ")
    return err


def _schema_exists(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as con:
        return con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (_pg_schema.NS,)).fetchone() is not None


# -- migrations --------------------------------------------------------------------------------------


def test_an_older_store_is_migrated_when_opened_and_keeps_its_data(capsys):
    url = pg.new_database()
    with psycopg.connect(url, autocommit=True) as con:  # a store as version 1 wrote it, with rows in it
        location = _pg_schema.location_of(con)
        assert _pg_schema.migrate(con, location, create=True, target=1) == (None, 1)
        with con.transaction():
            _pg_write.write_rows(con, _events().assign(dataset="old"), _claims(), _pg_write.Entry("old", "import"))
        assert con.execute("SELECT to_regclass('conflictmap.assessments')").fetchone()[0] is None
    assert _store_cli("migrate", "--store", url) == 0
    assert "migrated from schema version 1 to 3" in capsys.readouterr().out
    store = open_store(url, create=False)
    assert store.count() == 4 and store.datasets()["name"].tolist() == ["old"]
    assert sorted(store.read_events()["event_id"]) == sorted(_events()["event_id"])
    with psycopg.connect(url, autocommit=True) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM conflictmap.schema_version ORDER BY 1")]
    assert versions == [1, 2, 3]
    assert store.audit().empty and store.users().empty  # version 3: the ledger, empty in a migrated store
    day = gpd.GeoDataFrame(
        {"assessor": ["ISW"], "as_of": ["2026-02-01"], "side": ["RU"], "kind": ["occupied"]},
        geometry=[shapely.box(37.0, 48.0, 37.5, 48.4)],
        crs=schema.CRS,
    )
    assert store.write_assessments(day).inserted == 1  # the table version 2 added
    assert _store_cli("migrate", "--store", url) == 0
    assert "already" in capsys.readouterr().out


def test_missing_columns_are_added_and_a_newer_schema_is_refused(capsys):
    store = pg.new_store()
    store.write(_events(), _claims(), dataset="test")
    url = pg._transient[-1]
    pg.admin("ALTER TABLE conflictmap.events DROP COLUMN talks_format", database=pg.name_of(url))
    again = open_store(url, create=False)  # an older layout of geo.schema: the column comes back, rows kept
    assert again.count() == 4 and "talks_format" in again.read_events().columns
    pg.admin("INSERT INTO conflictmap.schema_version (version) VALUES (99)", database=pg.name_of(url))
    with pytest.raises(GeoError, match=r"newer version \(PostGIS schema 99, this one reads 3\); upgrade the software"):
        open_store(url, create=False)
    err = _one_line_error(capsys, "stats", "--store", url)
    assert "upgrade the software" in err


def test_no_store_in_the_database_is_not_found_unless_created(capsys):
    url = pg.new_database()
    with pytest.raises(NotFoundError, match="no store in postgresql://"):
        open_store(url, create=False)
    assert not _schema_exists(url)
    err = _one_line_error(capsys, "datasets", "--store", url)
    assert "no store in" in err and "synth" in err
    seeded = open_store(url)  # the default: created and seeded with the bundled dataset, in one transaction
    assert seeded.datasets()["name"].tolist() == ["feb-2026"] and seeded.count() == 31


# -- writes ------------------------------------------------------------------------------------------


def test_two_imports_at_once_both_land_whole_never_interleaved():
    store = pg.new_store()
    first = _synth(4000, 1)
    second = _synth(4000, 2)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(frames, name):
        try:
            start.wait()
            store.write(*frames, dataset=name, kind="synthetic", validated=True)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(f, n)) for f, n in ((first, "one"), (second, "two"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    registry = store.datasets().set_index("name")
    assert registry.loc["one", "events"] == 4000 and registry.loc["two", "events"] == 4000
    assert registry.loc["one", "claims"] == len(first[1]) and registry.loc["two", "claims"] == len(second[1])
    url = pg._transient[-1]
    rows = pg.admin(
        "SELECT dataset, min(fid), max(fid) FROM conflictmap.events GROUP BY dataset ORDER BY 2",
        database=pg.name_of(url),
    )
    (_, lo1, hi1), (_, lo2, hi2) = rows
    assert hi1 - lo1 == 3999 and hi2 - lo2 == 3999 and hi1 < lo2  # one import after the other


def test_two_imports_of_the_same_ids_at_once_one_lands_the_other_is_refused():
    store = pg.new_store()
    events, claims = _synth(2000, 3)
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def run(name):
        start.wait()
        try:
            outcomes.append(store.write(events, claims, dataset=name, kind="synthetic", validated=True))
        except DatasetConflictError as err:
            outcomes.append(err)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [o for o in outcomes if isinstance(o, DatasetConflictError)]
    assert len(refused) == 1 and refused[0].count == 2000
    assert store.count() == 2000 and len(store.datasets()) == 1


def test_a_failed_import_leaves_nothing(monkeypatch):
    store = pg.new_store()
    store.write(_events(), _claims(), dataset="test")
    before, version = _contents(store), store.version()
    real = _pg_write.upsert

    def fail_on_claims(con, batch, plan):
        if batch.name == "claims":
            raise RuntimeError("the connection broke half-way")
        return real(con, batch, plan)

    monkeypatch.setattr(_pg_write, "upsert", fail_on_claims)
    events, claims = _renamed("new-")
    with pytest.raises(RuntimeError, match="half-way"):
        store.write(events, claims, dataset="test")
    monkeypatch.undo()
    bad = _events().assign(title=["fine", "a NUL \x00 PostgreSQL cannot keep", "fine", "fine"])
    with pytest.raises(GeoError, match="nothing was written"):
        store.write(bad, _claims(), dataset="test")
    after = _contents(store)
    for a, b in zip(before[:2], after[:2], strict=True):
        _assert_frames_equal(a, b)
    pd.testing.assert_frame_equal(before[2], after[2])
    assert store.version() == version and store.count() == 4


# -- bad input ---------------------------------------------------------------------------------------


def test_an_unreachable_database_is_one_line(capsys):
    err = _one_line_error(capsys, "datasets", "--store", "postgresql://nobody:secret@127.0.0.1:1/conflictmap")
    assert "cannot reach the database" in err and "make db" in err
    assert "secret" not in err and "nobody:***@127.0.0.1:1" in err
    err = _one_line_error(capsys, "stats", "--store", pg.url_for("no_such_database_here"))
    assert "database 'no_such_database_here' does not exist; create it" in err


def _role(name: str, password: str) -> str:
    role = f"{name}_{os.getpid()}"
    if not pg.admin("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)):
        pg.admin(f"CREATE ROLE {role} LOGIN PASSWORD '{password}' NOSUPERUSER")
    return role


def test_a_wrong_password_is_one_line(capsys):
    role = _role("cm_pw", "right")
    database = pg.name_of(pg.new_database())
    wrong = pg.tcp_url(database, role, "wrong")
    try:
        psycopg.connect(wrong, connect_timeout=5).close()
    except psycopg.OperationalError:
        pass
    else:
        pytest.skip("the test server does not check passwords over TCP (trust); nothing to test")
    err = _one_line_error(capsys, "datasets", "--store", wrong)
    assert f"the password was refused for user '{role}'" in err and "wrong" not in err


def test_a_database_without_postgis_is_one_line_and_nothing_is_created(capsys):
    role = _role("cm_plain", "plain")
    url = pg.new_database(postgis=False)
    database = pg.name_of(url)
    pg.admin(f'ALTER DATABASE "{database}" OWNER TO {role}')
    plain = pg.tcp_url(database, role, "plain")
    with pytest.raises(GeoError, match="may not create it"):
        open_store(plain)  # the dashboard's way: create and seed
    err = _one_line_error(capsys, "synth", "10", "--store", plain)
    assert f"has no PostGIS and user '{role}' may not create it" in err and "CREATE EXTENSION postgis" in err
    assert not _schema_exists(url)  # not half-created
    pg.admin("CREATE EXTENSION postgis", database=database)  # an administrator does it; then the role may go on
    assert open_store(plain).count() == 31
    postgis.close_pools(plain)


# -- copying -----------------------------------------------------------------------------------------


def _days() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "assessor": ["ISW", "ISW", "DeepStateMap"],
            "as_of": ["2026-02-01", "2026-02-02", "2026-02-01"],
            "side": ["RU", "RU", "RU"],
            "kind": ["occupied", "occupied", "occupied"],
            "source": ["https://example.org/isw", None, "https://example.org/ds"],
        },
        geometry=[
            shapely.box(37.0, 48.0, 37.5, 48.4),
            shapely.MultiPolygon([shapely.box(37.0, 48.0, 37.6, 48.4), shapely.box(36.0, 47.0, 36.2, 47.1)]),
            shapely.box(37.1, 48.1, 37.4, 48.3),
        ],
        crs=schema.CRS,
    )


def _everything(store) -> dict[str, pd.DataFrame]:
    events = store.read_events().sort_values("event_id", ignore_index=True)
    claims = store.read_claims().sort_values("claim_id", ignore_index=True)
    folded = fold(store.read_events(), store.read_claims()).sort_values("event_id", ignore_index=True)
    registry = store.datasets().drop(columns=["created_at", "updated_at"])
    return {
        "events": events,
        "claims": claims,
        "status": folded[["event_id", "status"]],
        "registry": registry,
        "days": store.read_assessments(),
    }


def test_store_copy_gpkg_to_postgis_and_back_is_lossless(tmp_path, capsys):
    source = open_store(tmp_path / "source.gpkg")  # seeded with the bundled dataset
    events, claims = generate(300, seed=9)
    source.write(events, claims, dataset="synthetic", kind="synthetic", description="made up", validated=True)
    source.write(*_renamed("h-"), dataset="hand-made ünïcode «import»", source="tests")
    source.write_assessments(_days())
    url = pg.new_database()
    assert _store_cli("copy", str(tmp_path / "source.gpkg"), url) == 0
    said = capsys.readouterr().out
    assert "copied 3 datasets (335 events" in said and "3 days of assessed control" in said
    assert _store_cli("copy", url, str(tmp_path / "back.gpkg")) == 0
    capsys.readouterr()
    middle, back = open_store(url, create=False), GeoPackageStore(tmp_path / "back.gpkg", create=False)
    expected = _everything(source)
    for copy in (middle, back):
        got = _everything(copy)
        for name in ("events", "claims", "status"):
            _assert_frames_equal(got[name], expected[name])
        pd.testing.assert_frame_equal(got["registry"], expected["registry"])
        _assert_frames_equal(got["days"], expected["days"])
    assert set(expected["status"]["status"]) >= {"claimed", "disputed"}
    version = middle.version()
    assert _store_cli("copy", str(tmp_path / "source.gpkg"), url) == 0  # again: nothing changes
    assert middle.version() == version
    with pytest.raises(GeoError, match="both the source and the target"):
        _store_cli("copy", url, url)


# -- two dashboard servers on one database -----------------------------------------------------------


@pytest.mark.browser
def test_two_servers_on_one_database_show_a_cli_write_on_their_next_run(browser, streamlit_server, tmp_path):
    from tests.browsing import Visitor

    url = pg.new_database(keep=True)
    open_store(url).version()  # created and seeded once, before either server starts
    cache = {"CONFLICTMAP_CACHE_DIR": str(tmp_path / "cache")}  # the servers' snapshots, shared by the two
    with ThreadPoolExecutor(2) as pool:  # the two servers start side by side
        servers = list(pool.map(lambda _: streamlit_server("app.py", CONFLICTMAP_STORE=url, **cache), range(2)))
    visitors = [Visitor(browser, s) for s in servers]
    try:
        for v in visitors:  # both pages load at once (the Sources page: no map to draw), each server runs it
            v.page.goto(v.server + "/sources")
        for v in visitors:  # the caption counts the events; the synthetic notice would be drawn right under it
            v.page.get_by_text("31 events", exact=False).first.wait_for(timeout=60_000)
            assert "SYNTHETIC" not in v.page.locator("body").inner_text()
        assert cli.main(["synth", "300", "--store", url, "--seed", "4"]) == 0  # the command line, in this process
        for v in visitors:  # the next run of a page, on the same servers (no restart)
            v.page.reload()
        for v in visitors:
            v.page.get_by_text("331 events", exact=False).first.wait_for(timeout=60_000)
            # drawn right under the caption, in the same run: waited for, not read the instant the caption shows
            v.page.get_by_text("300 of these events are SYNTHETIC", exact=False).first.wait_for(timeout=30_000)
            v.no_traceback()
    finally:
        for v in visitors:
            v.close()
