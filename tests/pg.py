"""PostgreSQL + PostGIS for the tests: one server per test process, one fresh database per store.

The server is ``$CONFLICTMAP_TEST_PG`` (a ``postgresql://`` URL of a server where the user may CREATE DATABASE
and CREATE EXTENSION postgis; ``.ci/run`` sets it) or, when that is not set, a throw-away cluster this process
starts with ``scripts/pg_cluster.sh`` (initdb into a temporary folder as an unprivileged user, a free port, the
unix socket in that folder) and stops when it exits. Under pytest-xdist each worker has its own databases (and,
without ``$CONFLICTMAP_TEST_PG``, its own cluster), so workers never share a store.

Stores are made from a template database with PostGIS in it (``CREATE DATABASE … TEMPLATE``: a few tens of
milliseconds). When no server can be had the PostGIS tests are skipped, except in CI (``$CI`` set), where that
fails loudly.

Imported explicitly by tests (``from tests import pg``); nothing here is a global fixture.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENV = "CONFLICTMAP_TEST_PG"
TEMPLATE = "conflictmap_test_template"
_LOCK_TEMPLATE = 0x636D_7474

_state: dict[str, object] = {}
_lock = threading.Lock()
_transient: list[str] = []  # databases of function-scoped stores, dropped when the next one is made


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is needed in CI and {why}", pytrace=False)
    pytest.skip(f"no PostgreSQL for the PostGIS tests: {why} (set {ENV}, or install postgresql-15-postgis-3)")


def _start_cluster() -> str:
    """Start a throw-away cluster in a new temporary folder; return its admin URL (stopped at exit)."""
    script = ROOT / "scripts" / "pg_cluster.sh"
    folder = tempfile.mkdtemp(prefix="cm-pg-")
    env = os.environ | {"PG_FAST": "1", "PG_DB": "postgres"}
    try:
        out = subprocess.run(
            ["bash", str(script), "start", folder], capture_output=True, text=True, env=env, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"the local cluster could not start: {err}")
    if out.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"the local cluster could not start: {(out.stderr or out.stdout).strip()[-500:]}")

    def stop() -> None:
        subprocess.run(["bash", str(script), "stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    _state["folder"] = folder
    return out.stdout.strip().splitlines()[-1]


def admin_url() -> str:
    """The URL of the server's admin database (started on first use in this process)."""
    with _lock:
        url = _state.get("admin")
        if url is None:
            url = os.environ.get(ENV) or _start_cluster()
            _state["admin"] = url
            _check(str(url))
        return str(url)


def _check(url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as con:
            con.execute("SELECT 1")
    except psycopg.Error as err:
        _state.pop("admin", None)
        _unavailable(f"{url} cannot be reached: {str(err).strip().splitlines()[0]}")


def url_for(database: str, *, base: str | None = None, user: str | None = None, password: str | None = None) -> str:
    """The admin URL with another database (and optionally another user and password)."""
    parts = urllib.parse.urlsplit(base or admin_url())
    netloc = parts.netloc
    if user is not None:
        host = netloc.rsplit("@", 1)[-1]
        cred = urllib.parse.quote(user, safe="") + (f":{urllib.parse.quote(password, safe='')}" if password else "")
        netloc = f"{cred}@{host}"
    query = urllib.parse.parse_qsl(parts.query)
    if user is not None:
        query = [(k, v) for k, v in query if k not in ("user", "password")]
    parts = parts._replace(netloc=netloc, path="/" + database, query=urllib.parse.urlencode(query))
    return urllib.parse.urlunsplit(parts)


def name_of(url: str) -> str:
    """The database name of a URL."""
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path.lstrip("/"))


def tcp_url(database: str, user: str, password: str) -> str:
    """A URL over TCP (127.0.0.1, password checked) to the same server, for a role with a password."""
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as con:
        port = con.info.port
    cred = f"{urllib.parse.quote(user, safe='')}:{urllib.parse.quote(password, safe='')}"
    return f"postgresql://{cred}@127.0.0.1:{port}/{database}"


def admin(sql: str, params: tuple = (), *, database: str | None = None) -> list[tuple]:
    """Run one statement as the admin user (autocommit); the rows it returned, if any."""
    import psycopg

    url = admin_url() if database is None else url_for(database)
    with psycopg.connect(url, autocommit=True) as con:
        cur = con.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _template() -> str:
    """The template database with PostGIS, made once per server (under an advisory lock: workers may share it)."""
    if _state.get("template"):
        return TEMPLATE
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as con:
        con.execute("SELECT pg_advisory_lock(%s)", (_LOCK_TEMPLATE,))
        try:
            if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE,)).fetchone():
                building = f"{TEMPLATE}_{uuid.uuid4().hex[:8]}"
                con.execute(f'CREATE DATABASE "{building}"')
                with psycopg.connect(url_for(building), autocommit=True) as tcon:
                    tcon.execute("CREATE EXTENSION postgis")
                con.execute(f'ALTER DATABASE "{building}" RENAME TO "{TEMPLATE}"')
        finally:
            con.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_TEMPLATE,))
    _state["template"] = True
    return TEMPLATE


def new_database(prefix: str = "t", *, postgis: bool = True, keep: bool = False) -> str:
    """A new, empty database (with PostGIS unless ``postgis`` is false); returns its URL.

    Databases of earlier calls with ``keep`` false are dropped first (their tests are over: tests in one process
    run one after the other); the rest are dropped when the process exits.
    """
    _drop_transient()
    template = _template() if postgis else "template0"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    name = f"cm_{prefix}_{worker}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    url = url_for(name)
    if keep:
        _kept.append(url)
    else:
        _transient.append(url)
    return url


_kept: list[str] = []


def drop(url: str) -> None:
    """Close this process's pools and drop the database of ``url`` (a store used again opens a new pool)."""
    from geo.store.postgis import close_pools

    close_pools()  # every pool: the store may have been opened again under its location, another URL
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with contextlib.suppress(Exception):  # the server may be going away at exit
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _drop_transient() -> None:
    while _transient:
        drop(_transient.pop())


@atexit.register
def _drop_all() -> None:
    if "admin" not in _state or "folder" in _state:  # a throw-away cluster goes as a whole
        return
    for url in [*_transient, *_kept]:
        drop(url)


def new_store(*, seed: bool = False, keep: bool = False):
    """An empty (or seeded) PostGIS store in a new database."""
    from geo.store.postgis import open_url

    return open_url(new_database(keep=keep), create=True, seed=seed)
