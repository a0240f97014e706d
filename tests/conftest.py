"""Shared fixtures: a temporary store and cache folder, a throw-away layer, headless Chromium, a Streamlit server
factory and one dashboard on the bundled data for the whole run; and how the run is spread over the workers.

Spreading (pytest-xdist, ``-n``): by default (``--dist load``) xdist deals tests out one by one, so the tests of a
module run on every worker and each worker starts the module's Streamlit server and renders its once-per-module
outputs again. Here, unless another ``--dist`` is asked for, a module goes whole to one worker, and the modules
that take longest go first (see :data:`SLOW_MODULES`), so the run ends with short modules on both workers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from geo import layers
from geo.exporters import snapshot
from geo.layers import LayerSpec, PointStyle
from geo.store.gpkg import GeoPackageStore

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = list(snapshot.CHROMIUM_ARGS)  # root, no GPU, and no background requests into the closed network


SLOW_MODULES = (  # longest first, by the seconds each took at -n 0 (after the waits became conditions)
    "test_bench_dashboard.py",  # one 40 s test (a server at scale and Chromium): first, so no worker ends on it
    "test_browser.py",
    "test_browser_clicks.py",
    "test_browser_oidc.py",  # two Streamlit servers, an OpenID Connect provider and the dashboard signed in
    "test_browser_add_claim.py",  # a server of its own: popup → form → recorded; a point clicked on the map
    "test_browser_signin.py",
    "test_store_ledger.py",  # every test on both backends
    "test_briefing_pptx.py",  # new: Chromium renders and a LibreOffice conversion
    "test_briefing_deck.py",
    "test_briefing_pdf.py",
    "test_briefing_slide.py",
    "test_store_postgis.py",  # new: two Streamlit servers on one database
    "test_browser_phone.py",
    "test_browser_map.py",
    "test_mapview_labels.py",
    "test_browser_control.py",
    "test_totals.py",
    "test_exporters.py",
    "test_import_flow.py",
    "test_app.py",
    "test_charts.py",
    "test_serve.py",
    "test_browser_links.py",
    "test_fuzz_importers.py",
    "test_mapview.py",
    "test_importers.py",
    "test_bench.py",
    "test_snapshot.py",
)
"""Test modules that take longest, longest first; the others follow in the order pytest collects them."""


def pytest_collection_modifyitems(config, items) -> None:
    """Run the slow modules first (a module's tests stay together and in their order)."""
    rank = {name: i for i, name in enumerate(SLOW_MODULES)}
    order = {id(item): (rank.get(item.path.name, len(rank)), i) for i, item in enumerate(items)}
    items.sort(key=lambda item: order[id(item)])


def pytest_xdist_make_scheduler(config, log):
    """With ``-n`` and no ``--dist`` (xdist's ``load``): whole modules to a worker, in the collected order."""
    if config.getvalue("dist") != "load":
        return None  # asked for explicitly: xdist's own
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False  # keep the order above (slowest first), not "most tests first"
    return LoadFileScheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory) -> Iterator[Path]:
    """Derived caches (snapshots) of the whole run go to a temporary folder, never into the project's data/.cache.

    Set in the environment, so the Streamlit servers the browser tests start inherit it.
    """
    from geo import settings

    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("CONFLICTMAP_CACHE_DIR")
    os.environ["CONFLICTMAP_CACHE_DIR"] = str(folder)
    settings.reload()
    yield folder
    if before is None:
        os.environ.pop("CONFLICTMAP_CACHE_DIR", None)
    else:
        os.environ["CONFLICTMAP_CACHE_DIR"] = before
    settings.reload()


@pytest.fixture
def tmp_store(tmp_path) -> GeoPackageStore:
    """An empty GeoPackage store in a temporary folder (not seeded)."""
    return GeoPackageStore(tmp_path / "store.gpkg")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Iterator[Path]:
    """Derived caches (snapshots) of one test go to its own temporary folder; the session's folder again after it."""
    from geo import settings

    folder = tmp_path / "cache"
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(folder))
    settings.reload()
    yield folder
    monkeypatch.undo()  # the session's settings again
    settings.reload()


@pytest.fixture(scope="module")
def team_store(tmp_path_factory) -> Iterator[GeoPackageStore]:
    """The bundled store of one test module with an editor (``ed``) and an admin (``ada``), no passwords (AppTests
    sign sessions in with ``ui.auth.session_record``); the dashboard's settings point at it for the module."""
    from geo import settings
    from geo.store import open_store

    folder = tmp_path_factory.mktemp("team")
    path = folder / "conflict.gpkg"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONFLICTMAP_STORE", str(path))
        mp.setenv("CONFLICTMAP_CACHE_DIR", str(folder / "cache"))
        settings.reload()
        store = open_store(str(path), create=True, seed=True)
        store.put_user("ed", "editor", None, actor="cli")
        store.put_user("ada", "admin", None, actor="cli")
        yield store
    settings.reload()


@pytest.fixture
def store_env(tmp_path, monkeypatch, cache_dir) -> Path:
    """Point the default store ($CONFLICTMAP_STORE) at a fresh path, built on first use, and its caches beside it."""
    from geo import settings

    path = tmp_path / "conflict.gpkg"
    monkeypatch.setenv("CONFLICTMAP_STORE", str(path))
    settings.reload()
    return path  # cache_dir sets the session's settings again after the test


@pytest.fixture
def shelling_spec() -> LayerSpec:
    """A throw-away layer, ``shelling`` (not registered): figures killed, wounded and hits; killed is its key figure.

    A test that needs a variant takes ``dataclasses.replace(shelling_spec, …)``; a module that overrides this fixture
    with its variant has :func:`shelling` register that.
    """
    return LayerSpec(
        name="shelling",
        label="Shelling",
        noun="shelling",
        nouns="shellings",
        word="shelling",
        colour="#795548",
        ramp=("#efebe9", "#d7ccc8", "#a1887f", "#6d4c41", "#3e2723"),
        stack=15,
        figures=("killed", "wounded", "hits"),
        point=PointStyle(colour="#795548", legend_label="shelling reported"),
        key_figures=("killed",),
    )


@pytest.fixture
def shelling(shelling_spec) -> Iterator[LayerSpec]:
    """:func:`shelling_spec`, registered for one test."""
    with layers.registered(shelling_spec) as spec:
        yield spec


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (which cannot download a browser here)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory) -> Iterator[Callable[..., str]]:
    """Start ``streamlit run SCRIPT`` on a free loopback port; every server is stopped at the end.

    Call it as ``url = streamlit_server("app.py", CONFLICTMAP_STORE=...)``. The server's output goes to a
    file (a pipe nobody reads fills up and blocks the server, which then cannot even stop).
    ``streamlit_server.stop(url)`` stops one server early (a module's, at the module's end: an idle server still
    costs CPU while the rest of the run goes on).
    """
    procs: list[subprocess.Popen] = []
    by_url: dict[str, subprocess.Popen] = {}

    def _stop(proc: subprocess.Popen) -> None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    logs = tmp_path_factory.mktemp("streamlit-logs")

    def start(script: str | os.PathLike = "app.py", **env: str) -> str:
        port = _free_port()
        log = logs / f"{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                 "--server.headless", "true", "--server.address", "127.0.0.1",
                 # others edit the project meanwhile: no reloads, and no file watching to pay for
                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)} | env,
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        by_url[url] = proc
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    return url
            except OSError:
                time.sleep(0.3)
        proc.kill()
        pytest.fail("streamlit did not start: " + log.read_text(errors="replace")[-2000:])

    def stop(url: str) -> None:
        proc = by_url.pop(url, None)
        if proc is not None and proc.poll() is None:
            _stop(proc)

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        if proc.returncode is None:
            _stop(proc)


@pytest.fixture(scope="session")
def bundled_server(tmp_path_factory, streamlit_server) -> str:
    """The dashboard (``app.py``) on the bundled data, one for the whole run (per xdist worker).

    For tests that only read: every browser context is a new Streamlit session, so tests share the server and its
    caches but never a reader's filters. A test that writes to the store or needs a fresh server starts its own.
    """
    from geo.store import open_store

    store = tmp_path_factory.mktemp("bundled-store") / "conflict.gpkg"
    open_store(str(store), create=True, seed=True)  # built before the server starts, not by the first page
    return streamlit_server("app.py", CONFLICTMAP_STORE=str(store))
