"""ui.serve: the dashboard's server with the overview's data and map loaded before the first visitor."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, _free_port
from ui import components, serve


def test_warm_fills_the_caches_the_overview_reads(store_env, monkeypatch):
    assert serve.warm() > 0

    def refuse(*args, **kwargs):
        raise AssertionError("the overview built its map again: warm() filled another cache entry")

    monkeypatch.setattr(components, "build_map", refuse)
    at = AppTest.from_file(str(Path(ROOT) / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    script = json.loads(at.get("component_instance")[0].proto.json_args)["script"]
    assert "Zaliznychne" in script


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``python -m ui.serve`` on a fresh store, once it says the overview is ready: (url, store path, output)."""
    store = tmp_path_factory.mktemp("serve") / "conflict.gpkg"
    port = _free_port()
    env = os.environ | {"PYTHONPATH": str(ROOT), "CONFLICTMAP_STORE": str(store)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline, ready, healthy = time.time() + 90, False, False
        while time.time() < deadline and not (ready and healthy):
            time.sleep(0.3)
            ready = any("the overview's data and map are ready" in line for line in lines)
            with contextlib.suppress(OSError):
                healthy = healthy or urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok"
        assert ready and healthy, "".join(lines)[-2000:]
        yield url, store, lines
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_server_says_when_the_overview_is_ready(served):
    _, store, lines = served
    assert store.exists()  # the bundled data, loaded before anyone asked
    assert not any("Traceback" in line for line in lines), "".join(lines)[-2000:]


@pytest.mark.browser
def test_the_first_visitor_gets_the_map(served, browser):
    url, _, _ = served
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        frame.locator(".cm-legend").wait_for(timeout=60_000)  # the map component loads and draws
        assert frame.locator(".leaflet-overlay-pane canvas").count() > 0
    finally:
        context.close()
