"""Time the real dashboard in headless Chromium: opening it until the map is drawn, and a filter change.

Run (from the project folder)::

    .venv/bin/python bench/dashboard.py /tmp/bench/s100k.gpkg [/tmp/bench/s1m.gpkg ...]
    .venv/bin/python bench/dashboard.py STORE --repeats 5 --timeout 600 --json out.json

For each store it starts ``python -m streamlit run app.py`` on a free loopback
port with ``CONFLICTMAP_STORE`` pointing at the store (the server's pid is the
Python process's pid) and without Streamlit's file watcher (an edit to the
project during a run would otherwise reload modules, and watching the tree
costs CPU), waits for ``/_stcore/health``, and drives Debian's
Chromium through Playwright, with every request that is not to this machine
blocked. It measures:

* **cold open**: the first page opened right after the server is healthy (no
  session has run the script yet, so nothing is cached): seconds from
  ``page.goto`` to the map drawn;
* **warm open**: a new browser context (empty browser cache) opening the
  dashboard again, ``repeats`` times (best and median): the server's caches
  are warm;
* **filter change**: in the last warm page, a few changes made in the
  sidebar the way a user makes them (pick "Strikes" under *Layers*, pick
  "confirmed" under *Status*, pick a region preset, then *Reset filters*),
  each timed from the click to the *new* map drawn. Each change asks for a
  filter the server has not drawn before, except the reset, which returns to
  the opening filter (the server has that map cached);
* the server's resident memory, ``VmRSS`` and ``VmHWM`` (peak) of
  ``/proc/<pid>/status``, after the runs.

When is the map drawn
---------------------
st_folium renders the map in an ``<iframe title="streamlit_folium.st_folium">``
and keys the component by a hash of the map's script, so a filter that
changes the map makes Streamlit mount a *new* iframe (the old one is removed
once the new one is there); the map is never redrawn inside the old iframe.
Before a filter change every map iframe is tagged ``data-bench-old``; the map
counts as drawn when an *untagged* map iframe's document has

1. ``window.map``: st_folium sets it after the whole folium script (every
   data layer, then the legend) has run;
2. Leaflet's ``map._loaded`` (the view is set), no zoom animation running
   (the map's ``fitBounds`` animates from the starting zoom), every
   stylesheet loaded (st_folium adds Leaflet's and Leaflet.draw's CSS after
   the scripts), and our legend control (``.cm-legend``, added last,
   listing what is drawn);
3. a canvas in the overlay pane with a non-zero size, and every ``L.Canvas``
   renderer on the map holding at least one path, with no paint pending
   (``_redrawRequest`` is null); then two animation frames are awaited, so
   the paint has been presented.

The page is polled every 50 ms (plus the two frames), which bounds the
figures' resolution. "Settled" figures are also given: the time until
Streamlit's script run has ended as well (no *Stop* status widget, no
spinner, no stale elements): the Overview draws its timeline chart after the
map. While waiting, the text of Streamlit's spinners ("Loading events…",
"Drawing the map…") is recorded with its time, to show where the time goes,
and so are the bytes the server sent over the websocket (the map's script
travels that way, not as an HTTP response).

A screenshot of the drawn map (after opening and after the filter changes)
goes to ``bench/artifacts/`` per store, and the server's output to a log file
beside it. The server is always stopped at the end, on errors and timeouts
too; a run that fails or times out returns what it measured so far with the
reason in ``error``.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.exporters.snapshot import CHROMIUM_ARGS as CHROMIUM_FLAGS  # noqa: E402

ARTIFACTS: Final = ROOT / "bench" / "artifacts"
CHROMIUM: Final = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS: Final = list(CHROMIUM_FLAGS)  # the exporter's: root, no GPU, no background requests
VIEWPORT: Final = {"width": 1440, "height": 1000}
MAP_FRAME: Final = 'iframe[title="streamlit_folium.st_folium"]'
NEW_MAP_FRAME: Final = MAP_FRAME + ":not([data-bench-old])"
LOCAL: Final = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost", "data:", "blob:", "about:")
POLL: Final = 0.05
FILTER_CHANGES: Final = (
    ("multiselect", "Layers", "Strikes"),
    ("multiselect", "Status", "confirmed"),
    ("selectbox", "Add a region preset", "front-line oblasts"),
    ("button", "Reset filters", ""),
)
"""Sidebar changes made one after another: (widget kind, its label, the option picked)."""

# Installed in every page (not in iframes) before its scripts run. Every 20 ms it notes, with the time (ms since
# the epoch), the spinner text Streamlit shows and, for each map iframe not tagged data-bench-old, when it appeared,
# when Leaflet was loaded in it, when st_folium set window.map and when the map was drawn (the criterion of the
# module's docstring, then two animation frames of the iframe).
_WATCHER_JS: Final = """(() => {
  if (window.top !== window || window.__bench) return;
  const MAP_FRAME = '__MAP_FRAME__';
  const bench = window.__bench = {phases: [], idle: false, idleSince: null, frames: []};
  let last = null;
  const isDrawn = (w) => {
    const m = w.map, L = w.L, doc = w.document;
    if (!m || !L || !L.Canvas || !m._loaded || !doc.querySelector('.cm-legend')) return 0;
    if (m._animatingZoom || m._container.classList.contains('leaflet-zoom-anim')) return 0;
    if ([...doc.querySelectorAll('link[rel="stylesheet"]')].some((l) => !l.sheet)) return 0;
    const canvas = doc.querySelector('.leaflet-overlay-pane canvas');
    if (!canvas || !canvas.width || !canvas.height) return 0;
    const renderers = Object.values(m._layers).filter((l) => l instanceof L.Canvas);
    if (!renderers.length || renderers.some((r) => r._redrawRequest)) return 0;
    return renderers.reduce((n, r) => n + Object.keys(r._layers || {}).length, 0);
  };
  const tick = () => {
    const now = Date.now();
    const spinners = [...document.querySelectorAll('[data-testid="stSpinner"]')].map((e) => e.innerText.trim());
    const running = !!document.querySelector('[data-testid="stStatusWidget"]');
    const stale = document.querySelectorAll('[data-stale="true"]').length;
    const label = spinners.join(' / ') || (running ? 'running' : 'idle');
    if (label !== last) { bench.phases.push([now, label]); last = label; }
    const error = document.querySelector('[data-testid="stException"]');
    if (error && !bench.exception) bench.exception = error.innerText.trim().slice(0, 2000);
    const idle = !spinners.length && !running && !stale;
    if (idle && !bench.idle) bench.idleSince = now;
    bench.idle = idle;
    for (const el of document.querySelectorAll(MAP_FRAME)) {
      if (el.dataset.benchOld) continue;
      let f = bench.frames.find((x) => x.el === el);
      if (!f) { f = {el, appeared: now}; bench.frames.push(f); }
      if (f.drawn || f.pending) continue;
      let w;
      try { w = el.contentWindow; if (!w || !w.document) continue; } catch (e) { continue; }
      if (!f.leaflet && w.L) f.leaflet = now;
      if (!f.map && w.map) f.map = now;
      let paths = 0;
      try { paths = isDrawn(w); } catch (e) { paths = 0; }
      if (paths) {
        f.pending = true;
        w.requestAnimationFrame(() => w.requestAnimationFrame(() => { f.drawn = Date.now(); f.paths = paths; }));
      }
    }
  };
  setInterval(tick, 20);
  document.addEventListener('readystatechange', tick);
})();""".replace("__MAP_FRAME__", MAP_FRAME)
# Read by Python: the spinner texts and the newest untagged map iframe's times.
_READ_JS: Final = """() => {
  const b = window.__bench;
  if (!b) return null;
  const live = b.frames.filter((f) => f.el.isConnected && !f.el.dataset.benchOld);
  const f = live.find((x) => x.drawn) || live[live.length - 1] || null;
  return {phases: b.phases, idle: b.idle, idleSince: b.idleSince, exception: b.exception || null,
          frame: f && {appeared: f.appeared, leaflet: f.leaflet || null, map: f.map || null,
                       drawn: f.drawn || null, paths: f.paths || 0}};
}"""


_STOP: Final = threading.Event()
"""Set by SIGINT/SIGTERM in the command line: the run stops at its next poll and stops its server."""
_LIVE: Final[set] = set()
"""Servers started and not yet stopped (stopped at exit, whatever happens)."""


class BenchError(RuntimeError):
    """The dashboard did not get where it was asked to within the time allowed."""


# --- server ------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_status(pid: int) -> dict[str, float]:
    """``VmRSS`` and ``VmHWM`` of a process in MB (empty once it has gone)."""
    out = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024  # kB
    return out


READY: Final = "the overview's data and map are ready"
"""What ``python -m ui.serve`` prints when its warm-up is done."""


class _Server:
    """``streamlit run app.py`` (or ``python -m ui.serve``, what ``make run`` starts) on a free port, serving one
    store; its output goes to a log file."""

    def __init__(self, store: Path, log: Path, serve: bool = False):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._log = log.open("wb")
        launcher = ["-m", "ui.serve"] if serve else ["-m", "streamlit", "run", "app.py"]
        cmd = [
            sys.executable, *launcher,
            "--server.headless", "true", "--server.port", str(self.port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",  # others edit the project meanwhile: no reloads, no inotify load
        ]  # fmt: skip
        env = os.environ | {"CONFLICTMAP_STORE": str(store), "PYTHONPATH": str(ROOT)}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        _LIVE.add(self)

    def wait_healthy(self, timeout: float) -> float:
        """Seconds from the start to ``/_stcore/health`` answering ``ok``."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"streamlit exited with {self.proc.returncode}: {self.tail()}")
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok":
                    return time.perf_counter() - self.started
            time.sleep(0.1)
        raise BenchError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s: {self.tail()}")

    def wait_ready(self, timeout: float) -> float:
        """Seconds from the start to ``ui.serve`` saying its warm-up is done."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            self._log.flush()
            if READY in self.log_path.read_text(errors="replace"):
                return time.perf_counter() - self.started
            if self.proc.poll() is not None:
                raise BenchError(f"ui.serve exited with {self.proc.returncode}: {self.tail()}")
            time.sleep(0.1)
        raise BenchError(f"ui.serve was not ready within {timeout:.0f} s: {self.tail()}")

    def memory(self) -> dict[str, float]:
        """Resident memory now and at its peak, MB."""
        return _proc_status(self.pid)

    def tail(self, n: int = 1500) -> str:
        """The end of the server's output."""
        self._log.flush()
        with contextlib.suppress(OSError):
            return self.log_path.read_bytes()[-n:].decode(errors="replace")
        return ""

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        _LIVE.discard(self)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


# --- browser -----------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _chromium(browser: Any = None) -> Iterator[Any]:
    """The browser given, or Debian's headless Chromium launched (and closed) here."""
    if browser is not None:
        yield browser
        return
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise BenchError(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class _Page:
    """A browser context and page on the dashboard: network cut off, errors, websocket bytes and RSS recorded."""

    def __init__(self, browser: Any, server: _Server, stats: dict[str, Any]):
        self.server = server
        self.stats = stats
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.route("**/*", self._route)
        self.context.add_init_script(_WATCHER_JS)
        self.page = self.context.new_page()
        self.ws_bytes = 0
        self.page.on("pageerror", lambda e: stats["page_errors"].append(str(e)[:300]))
        self.page.on("websocket", self._on_websocket)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.stats["blocked"].append(url)
            route.abort()

    def _on_websocket(self, ws: Any) -> None:
        def count(payload: str | bytes) -> None:
            self.ws_bytes += len(payload)

        ws.on("framereceived", count)

    def _sample(self) -> None:
        rss = self.server.memory().get("VmRSS")
        if rss:
            self.stats["rss_samples_max_mb"] = max(self.stats.get("rss_samples_max_mb", 0.0), rss)

    def _read(self) -> dict[str, Any] | None:
        try:
            return self.page.evaluate(_READ_JS)
        except Exception:  # the page is navigating: ask again next time
            return None

    def wait(self, t0: float, timeout: float, *, phases: list) -> dict[str, float | None]:
        """Wait for a new map drawn, then for the script run to settle; seconds from ``t0`` (epoch seconds).

        Returns the seconds to ``drawn`` and ``settled`` and, for the map iframe, to ``appeared`` (in the
        page), ``leaflet`` (Leaflet loaded in it) and ``map`` (st_folium's script has built the map). The
        spinner texts seen are appended to ``phases`` as ``[seconds, text]``.
        """
        deadline = time.perf_counter() + timeout
        state: dict[str, Any] | None = None
        while True:
            self._sample()
            state = self._read() or state
            frame = (state or {}).get("frame") or {}
            if frame.get("drawn"):
                idle_since = state.get("idleSince")
                if state.get("idle") and idle_since and time.time() - idle_since / 1000 > 0.3:
                    break  # idle for 300 ms: Streamlit can pause between two reruns
            if state and state.get("exception") and state.get("idle"):
                self.stats["exception"] = state["exception"]
                lines = [x for x in state["exception"].splitlines() if x.strip()]
                raise BenchError(f"the app raised an exception: {lines[-1] if lines else '?'}")
            if _STOP.is_set():
                raise BenchError("interrupted")
            if time.perf_counter() > deadline:
                shown = state["phases"][-1][1] if state and state.get("phases") else "nothing"
                what = "settled" if frame.get("drawn") else "drawn"
                raise BenchError(f"map not {what} {timeout:.0f} s after the start; Streamlit showed: {shown!r}")
            time.sleep(0.1)
        self.stats["paths"] = frame.get("paths")
        phases += [[round(ms / 1000 - t0, 2), label] for ms, label in state["phases"] if ms / 1000 >= t0 - 0.05]
        out = {k: None if frame.get(k) is None else frame[k] / 1000 - t0 for k in ("appeared", "leaflet", "map")}
        out["drawn"] = frame["drawn"] / 1000 - t0
        out["settled"] = max(state["idleSince"], frame["drawn"]) / 1000 - t0
        return out

    def open(self, timeout: float, phases: list) -> dict[str, float | None]:
        """Open the dashboard: seconds from ``page.goto`` to the map drawn, see :meth:`wait`."""
        self.ws_bytes = 0
        t0 = time.time()
        self.page.goto(self.server.url + "/", wait_until="commit", timeout=timeout * 1000)
        return self.wait(t0, timeout, phases=phases)

    def change(self, kind: str, label: str, option: str, timeout: float, phases: list) -> dict[str, float | None]:
        """Change one sidebar filter; seconds from the click to the new map drawn, see :meth:`wait`."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        page = self.page
        sidebar = page.locator('[data-testid="stSidebar"]')
        ms = timeout * 1000
        # A new map reports its view twice as it opens (before and after fitting), and each report reruns the page;
        # a click landing in those reruns is sometimes dropped by Streamlit, and a rerun closes a list left open.
        # A reader does not click that fast: wait first, then open the list and click at once.
        page.wait_for_timeout(1500)
        page.evaluate(f"() => document.querySelectorAll('{MAP_FRAME}').forEach((e) => e.dataset.benchOld = '1')")
        self.ws_bytes = 0
        for attempt in range(3):
            if kind == "button":
                target = sidebar.get_by_role("button", name=label, exact=True)
                target.wait_for(state="visible", timeout=ms)
            else:
                target = self._pick(sidebar.get_by_role("combobox", name=label, exact=True), label, option, timeout)
            t0 = time.time()
            try:
                target.click(timeout=10_000 if attempt < 2 else ms)
                break
            except PlaywrightTimeout:  # the list closed under a late rerun before the click: open it again
                continue
        out = self.wait(t0, timeout, phases=phases)
        with contextlib.suppress(Exception):
            page.keyboard.press("Escape")  # close a dropdown left open
        return out

    def _pick(self, combobox: Any, label: str, option: str, timeout: float) -> Any:
        """Open a select box's list (click; if it stays shut, arrow down or click again) and return the option."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        target = self.page.get_by_role("option", name=option, exact=True)
        deadline = time.perf_counter() + timeout
        for attempt in range(8):
            if attempt % 2:
                combobox.press("ArrowDown", timeout=timeout * 1000)
            else:
                combobox.click(timeout=timeout * 1000)
            with contextlib.suppress(PlaywrightTimeout):
                target.wait_for(state="visible", timeout=3000)
                return target
            if time.perf_counter() > deadline:
                break
        raise BenchError(f"the list of {label!r} did not open to show {option!r}")

    def shot(self, path: Path) -> str:
        """A screenshot of the page as it is now."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        return str(path)

    def close(self) -> None:
        """Close the context (and its page)."""
        with contextlib.suppress(Exception):
            self.context.close()


# --- measuring ---------------------------------------------------------------------------------------------------


def count_events(store: Path | str) -> int | None:
    """Rows of the store's ``events`` table (None if it cannot be read)."""
    if not isinstance(store, Path):  # a postgresql:// URL: the library counts
        from geo.store import open_store

        try:
            return open_store(store, create=False).count()
        except Exception:  # a figure of the report, not a reason to stop measuring
            return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as con:
            return int(con.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return None


def machine(browser_version: str | None = None) -> dict[str, Any]:
    """The machine the figures come from: CPU, cores, memory, OS and the versions that matter."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    mem_gb = None
    with contextlib.suppress(OSError, AttributeError):
        found = re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M)
        mem_gb = round(int(found.group(1)) / 1024**2, 1)
    versions = {}
    for name in ("streamlit", "streamlit-folium", "folium", "geopandas", "playwright"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[name] = version(name)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "chromium": browser_version,
        **versions,
    }


def _stem(store: Path | str) -> str:
    name = store.stem if isinstance(store, Path) else str(store).rsplit("/", 1)[-1].split("?")[0]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name) or "store"


def measure(
    store: Path | str,
    *,
    repeats: int = 3,
    timeout: float = 180,
    browser: Any = None,
    artifacts: Path = ARTIFACTS,
    changes: Sequence[tuple[str, str, str]] = FILTER_CHANGES,
    serve: bool = False,
) -> dict[str, Any]:
    """Start the dashboard on ``store`` and time it in headless Chromium (see the module's docstring).

    Parameters
    ----------
    store : Path
        GeoPackage store the server reads (``CONFLICTMAP_STORE``).
    repeats : int
        Warm opens, each in a new browser context.
    timeout : float
        Seconds allowed for each step: the server to answer, each open, each filter change.
    browser : playwright Browser, optional
        A browser to use (tests pass theirs); by default Debian's Chromium is launched and closed here.
    artifacts : Path
        Folder for the screenshots and the server's log.
    changes : sequence of (kind, label, option)
        Sidebar changes made one after another (``FILTER_CHANGES`` by default).
    serve : bool
        Start ``python -m ui.serve`` (what ``make run`` starts: ``streamlit run`` plus loading the overview's
        data and map beside it) instead of ``streamlit run app.py``, and open the first page once it says it
        is ready (``ready_s``: seconds from the start).

    Returns
    -------
    dict
        Seconds (``cold_open_s``, ``warm_open_s``/``warm_open_best_s``/``warm_open_median_s``,
        ``filter_changes`` with each change's ``redraw_s``, ``filter_change_median_s``/``_max_s``, the
        ``*_settled_s`` figures), the spinner texts seen (``cold_phases``…), websocket MB, the server's
        ``rss_mb`` and ``peak_rss_mb``, ``drawn`` (the map was drawn at least once), ``paths`` drawn,
        page errors, blocked requests, screenshots, ``machine`` and ``error`` (None when every step
        finished).
    """
    store = Path(store)
    artifacts = Path(artifacts)
    artifacts.mkdir(parents=True, exist_ok=True)
    stem = _stem(store)
    result: dict[str, Any] = {
        "store": str(store),
        "events": count_events(store),
        "store_mb": round(store.stat().st_size / 1024**2, 1) if isinstance(store, Path) and store.exists() else None,
        "repeats": repeats,
        "launcher": "python -m ui.serve" if serve else "streamlit run app.py",
        "load_avg_before": [round(x, 2) for x in os.getloadavg()],
        "drawn": False,
        "page_errors": [],
        "blocked": [],
        "screenshots": [],
        "error": None,
    }
    if isinstance(store, Path) and not store.exists():
        result["error"] = f"no store at {store}"
        return result
    server = _Server(store, artifacts / f"dashboard-{stem}{'-serve' if serve else ''}-server.log", serve)
    result["server_log"] = str(server.log_path)
    result["server_pid"] = server.pid
    pages: list[_Page] = []
    try:
        result["server_start_s"] = _r(server.wait_healthy(timeout))
        if serve:
            result["ready_s"] = _r(server.wait_ready(timeout))
        result["rss_after_start_mb"] = _r(server.memory().get("VmRSS"), 1)
        with _chromium(browser) as b:
            result["machine"] = machine(b.version)
            _run(b, server, result, pages, repeats, timeout, artifacts / f"dashboard-{stem}", changes)
    except Exception as err:  # report what was measured so far, with the reason
        result["error"] = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        for p in pages[-1:]:
            with contextlib.suppress(Exception):
                result["screenshots"].append(p.shot(artifacts / f"dashboard-{stem}-error.png"))
    finally:
        for p in pages:
            p.close()
        mem = server.memory()
        result["rss_mb"] = _r(mem.get("VmRSS"), 1)
        result["peak_rss_mb"] = _r(mem.get("VmHWM"), 1)
        server.stop()
    result.setdefault("machine", machine())
    return result


def _r(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def _run(
    browser: Any,
    server: _Server,
    result: dict[str, Any],
    pages: list[_Page],
    repeats: int,
    timeout: float,
    shots: Path,
    changes: Sequence[tuple[str, str, str]],
) -> None:
    def new_page() -> _Page:
        if pages:
            pages.pop().close()
        pages.append(_Page(browser, server, result))
        return pages[-1]

    def times(t: dict[str, float | None]) -> dict[str, float | None]:
        return {k: _r(v) for k, v in t.items()}

    # cold
    page = new_page()
    result["cold_phases"] = phases = []
    t = page.open(timeout, phases)
    result.update(cold_open_s=_r(t["drawn"]), cold_settled_s=_r(t["settled"]), cold_times=times(t), drawn=True)
    result["cold_ws_mb"] = _r(page.ws_bytes / 1024**2)
    result["rss_after_cold_mb"] = _r(server.memory().get("VmRSS"), 1)
    result["screenshots"].append(page.shot(shots.with_name(shots.name + "-open.png")))

    # warm
    warm: list[dict[str, float | None]] = []
    for _ in range(max(repeats, 1)):
        page = new_page()
        result["warm_phases"] = phases = []
        warm.append(page.open(timeout, phases))
    drawn = [t["drawn"] for t in warm]
    result["warm_open_s"] = [_r(x) for x in drawn]
    result["warm_open_best_s"] = _r(min(drawn))
    result["warm_open_median_s"] = _r(statistics.median(drawn))
    result["warm_settled_median_s"] = _r(statistics.median(t["settled"] for t in warm))
    result["warm_times"] = times(warm[-1])
    result["warm_ws_mb"] = _r(page.ws_bytes / 1024**2)

    # filter changes, one after another in the last warm page
    result["filter_changes"] = done = []
    last_filter = max((i for i, (kind, _, _) in enumerate(changes) if kind != "button"), default=-1)
    for i, (kind, label, option) in enumerate(changes):
        phases = []
        t = page.change(kind, label, option, timeout, phases)
        done.append(
            {
                "change": f"{label} → {option}" if option else label,
                "redraw_s": _r(t["drawn"]),
                "settled_s": _r(t["settled"]),
                "times": times(t),
                "ws_mb": _r(page.ws_bytes / 1024**2),
                "paths": result.get("paths"),
                "phases": phases,
            }
        )
        if i == last_filter:
            result["screenshots"].append(page.shot(shots.with_name(shots.name + "-filtered.png")))
    redraws = [c["redraw_s"] for c in done]
    if redraws:
        result["filter_change_median_s"] = _r(statistics.median(redraws))
        result["filter_change_max_s"] = _r(max(redraws))


# --- report ------------------------------------------------------------------------------------------------------


def _fmt(x: Any, spec: str = ".2f") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return format(x, spec)


def to_markdown(results: list[dict[str, Any]]) -> str:
    """A Markdown table of :func:`measure` results, with the machine and any errors below it.

    Parameters
    ----------
    results : list of dict
        What :func:`measure` returned, one per store.

    Returns
    -------
    str
        The table (one row per store), then notes.
    """
    head = (
        "| Store | Events | Cold open s | Warm open s (best / median) | Filter change s (median / worst) "
        "| Server RSS MB | Peak RSS MB |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {Path(r['store']).name}{' (ui.serve, opened when ready)' if r.get('ready_s') else ''} "
            f"| {_fmt(r.get('events'), ',')} | {_fmt(r.get('cold_open_s'))} "
            f"| {_fmt(r.get('warm_open_best_s'))} / {_fmt(r.get('warm_open_median_s'))} "
            f"| {_fmt(r.get('filter_change_median_s'))} / {_fmt(r.get('filter_change_max_s'))} "
            f"| {_fmt(r.get('rss_mb'), '.0f')} | {_fmt(r.get('peak_rss_mb'), '.0f')} |"
        )
    notes = []
    for r in results:
        name = Path(r["store"]).name
        changes = ", ".join(f"{c['change']} {_fmt(c['redraw_s'])} s" for c in r.get("filter_changes", []))
        if changes:
            notes.append(f"- {name}: filter changes: {changes}.")
        if r.get("cold_phases"):
            seen = " → ".join(f"{t:.1f} s {label}" for t, label in r["cold_phases"])
            notes.append(f"- {name}: cold open, what Streamlit showed: {seen}.")
        if r.get("load_avg_before") and r["load_avg_before"][0] > (r.get("machine") or {}).get("cores", 1) / 2:
            notes.append(f"- {name}: the machine was busy before the run (load average {r['load_avg_before'][0]}).")
        if r.get("error"):
            notes.append(f"- {name}: **not finished**: {r['error']}")
    info = next((r["machine"] for r in results if r.get("machine")), None)
    if info:
        versions = ", ".join(
            f"{k} {info[k]}" for k in ("python", "streamlit", "streamlit-folium", "folium", "chromium") if info.get(k)
        )
        notes.append(
            f"- Machine: {info.get('cpu')}, {info.get('cores')} cores, {_fmt(info.get('memory_gb'), '.0f')} GB RAM, "
            f"{info.get('os')}; {versions}."
        )
    return "\n".join(lines + (["", *notes] if notes else []))


@atexit.register
def _stop_servers() -> None:
    for server in list(_LIVE):
        server.stop()


def main(argv: Sequence[str] | None = None, out: Callable[[str], Any] = print) -> int:
    """Command line: measure each store given and print the table."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: _STOP.set())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "stores", nargs="+", type=str, help="stores to serve, one after another: GeoPackage paths or postgresql:// URLs"
    )
    parser.add_argument("--repeats", type=int, default=3, help="warm opens per store (default 3)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds allowed per step (default 180)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    results = []
    for given in args.stores:
        store: Path | str = given if "://" in given else Path(given)
        if _STOP.is_set():
            break
        print(f"measuring {store} …", file=sys.stderr, flush=True)
        results.append(measure(store, repeats=args.repeats, timeout=args.timeout))
        print(json.dumps(results[-1], ensure_ascii=False, default=str), file=sys.stderr, flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    out(to_markdown(results))
    return 1 if any(r.get("error") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
