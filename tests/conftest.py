"""Shared fixtures: a temporary store and cache folder, a throw-away layer, headless Chromium, and a Streamlit server
factory."""

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
    """
    procs: list[subprocess.Popen] = []
    logs = tmp_path_factory.mktemp("streamlit-logs")

    def start(script: str | os.PathLike = "app.py", **env: str) -> str:
        port = _free_port()
        log = logs / f"{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                 "--server.headless", "true", "--server.address", "127.0.0.1"],
                cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)} | env,
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    return url
            except OSError:
                time.sleep(0.3)
        proc.kill()
        pytest.fail("streamlit did not start: " + log.read_text(errors="replace")[-2000:])

    yield start
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
