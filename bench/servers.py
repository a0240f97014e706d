"""Two dashboard servers on one PostGIS database under simultaneous browser sessions, beside a GeoPackage server.

Run (from the project folder)::

    .venv/bin/python bench/servers.py                            # 10,000 events, 2 servers × 10 sessions × 5 changes
    .venv/bin/python bench/servers.py --events 100000            # bench/stores/synthetic-100000.gpkg (or made here)
    .venv/bin/python bench/servers.py --events 1000000 --sessions 10 --changes 5 --timeout 900
    .venv/bin/python bench/servers.py --events 300 --servers 1 --sessions 2 --changes 1 --no-write --no-results

Everything runs on this machine, on loopback only. The script

1. takes the synthetic GeoPackage of ``--events`` events (``bench/stores/synthetic-N.gpkg``, or writes one with
   ``python -m geo synth N`` into a temporary folder), starts a throw-away PostgreSQL cluster with
   ``scripts/pg_cluster.sh`` (fsync on) and copies the GeoPackage into it with ``python -m geo store copy``
   (timed);
2. **PostGIS**: starts ``--servers`` (2) dashboard servers (``streamlit run app.py``, through
   ``bench/dashboard.py``'s server class) on free loopback ports, all with ``CONFLICTMAP_STORE`` set to the
   database's URL and each with its own empty ``CONFLICTMAP_CACHE_DIR``;
3. **first view**: one page per server, opened right after the server is healthy (nothing cached): seconds from
   ``page.goto`` to the map drawn (``bench/dashboard.py``'s criterion); these pages are kept to watch for the
   write below;
4. **sessions**: ``--sessions`` (10) browser sessions per server, each a thread with its own Playwright
   connection to *one* shared Chromium (launched here with ``--remote-debugging-port`` on loopback and the
   exporter's ``CHROMIUM_ARGS``; every session is a new browser context, every non-local request aborted). Each
   opens the dashboard; once every session has its map, all of them make ``--changes`` (5) sidebar filter changes
   one after another (``bench/dashboard.py``'s ``FILTER_CHANGES``, the reset included, each session starting at
   another of the first three so the servers get different filters at once), each timed from the click to the
   new map drawn — the map's "drawn" time is taken in the page, so the sessions' threads waiting on one another
   do not add to it;
5. **a write during the run**: once a third of the changes are done, ``python -m geo synth 100 --seed 99
   --store STORE`` (100 more synthetic events, one transaction) runs; then each server's first-view page is
   opened again and again until its caption's event count differs from the one before the write: seconds from
   the command's exit to the map drawn in the page that showed the new count, and how many page opens it took
   (1: the first page opened after the write showed it);
6. **GeoPackage**: the same with one server on a copy of the GeoPackage (the baseline), in the same process.

Reported per server and overall: median and 95th percentile (``statistics.quantiles``, inclusive) of the filter
changes' redraws and of the sessions' opens, the first view, the write's propagation, each server's memory
(``VmRSS``/``VmHWM``), and PostGIS / GeoPackage ratios. A section of ``bench/RESULTS.md`` is replaced
(``bench/_results.py``). The machine has 2 cores: 20 sessions and two servers share them, so the figures are
those of a crowded machine, not of a deployment (where servers and database have their own cores).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dashboard as dash  # noqa: E402  (bench/dashboard.py: server, page, map-drawn criterion, filter changes)
from _results import replace_section  # noqa: E402

HEADING: Final = "## Two servers on one PostGIS database (`bench/servers.py`)"
STORES: Final = ROOT / "bench" / "stores"
ARTIFACTS: Final = ROOT / "bench" / "artifacts"
WRITE_EVENTS: Final = 100
WRITE_SEED: Final = 99
CAPTION: Final = '[data-testid="stMain"] [data-testid="stCaptionContainer"]'
_FOREGROUND: Final = (
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-ipc-flooding-protection",
    "--hide-scrollbars",
    "--mute-audio",
)
"""Every page runs as if in front (what Playwright's own launch adds): timers and animation frames unthrottled."""
_TAG_OLD: Final = f"() => document.querySelectorAll('{dash.MAP_FRAME}').forEach((e) => e.dataset.benchOld = '1')"
_COUNT: Final = re.compile(r"([\d][\d,. \u202f\u00a0]*)\s+events?\b")


# --- helpers -----------------------------------------------------------------------------------------------------


def _r(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """Median, 95th percentile and worst of some seconds (``None`` for none).

    Parameters
    ----------
    values : sequence of float
        Seconds.

    Returns
    -------
    dict
        ``n``, ``median``, ``p95`` (inclusive method, interpolated) and ``max``.
    """
    xs = sorted(v for v in values if v is not None)
    if not xs:
        return {"n": 0, "median": None, "p95": None, "max": None}
    p95 = xs[0] if len(xs) == 1 else statistics.quantiles(xs, n=100, method="inclusive")[94]
    return {"n": len(xs), "median": _r(statistics.median(xs)), "p95": _r(p95), "max": _r(xs[-1])}


def _run(cmd: list[str], timeout: float) -> tuple[float, str]:
    """Run a command of the project; seconds taken and its output (raises on failure)."""
    started = time.perf_counter()
    out = subprocess.run(
        cmd, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        raise dash.BenchError(f"{' '.join(cmd[1:4])} failed: {(out.stderr or out.stdout).strip()[-400:]}")
    return time.perf_counter() - started, out.stdout.strip()


def _source_store(events: int, work: Path, timeout: float) -> tuple[Path, float | None]:
    """The synthetic GeoPackage of ``events`` events: the bench's own, or one written now (seconds, or None)."""
    path = STORES / f"synthetic-{events}.gpkg"
    if path.exists():
        return path, None
    path = work / f"synthetic-{events}.gpkg"
    took, _ = _run([sys.executable, "-m", "geo", "synth", str(events), "--store", str(path)], timeout)
    return path, took


@contextlib.contextmanager
def _cluster() -> Iterator[str]:
    """A throw-away PostgreSQL cluster in a new temporary folder (``scripts/pg_cluster.sh``); yields its URL."""
    script = ROOT / "scripts" / "pg_cluster.sh"
    folder = Path(tempfile.mkdtemp(prefix="bench-servers-pg-"))  # the script hands it to the cluster's user
    out = subprocess.run(["bash", str(script), "start", str(folder)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise dash.BenchError(f"the PostgreSQL cluster did not start: {out.stderr.strip()[-400:]}")
    try:
        yield out.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(script), "stop", str(folder)], capture_output=True, check=False, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _shared_chromium(work: Path) -> Iterator[tuple[str, str]]:
    """Debian's headless Chromium with a DevTools port on loopback; yields (its websocket URL, its version)."""
    if not Path(dash.CHROMIUM).exists():
        raise dash.BenchError(f"no Chromium at {dash.CHROMIUM} (apt-get install chromium)")
    cmd = [
        dash.CHROMIUM, "--headless", *dash.CHROMIUM_ARGS, *_FOREGROUND, "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0", f"--user-data-dir={work / 'chromium'}", "about:blank",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.perf_counter() + 60
        while url is None and time.perf_counter() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            url = found.group(1) if found else None
        if url is None:
            raise dash.BenchError("Chromium did not open its DevTools port")
        threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()  # keep its pipe from filling
        with _playwright(url) as browser:
            version = browser.version
        yield url, version
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


@contextlib.contextmanager
def _playwright(cdp_url: str) -> Iterator[Any]:
    """A Playwright connection of this thread connection to the shared Chromium (the sync API is one-thread-only)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p.chromium.connect_over_cdp(cdp_url)


def _caption(page: Any) -> str:
    """The page's first caption in the main area: the filter in words and the count of events shown."""
    with contextlib.suppress(Exception):
        return page.page.locator(CAPTION).first.inner_text(timeout=10_000).strip()
    return ""


def _count(caption: str) -> int | None:
    found = _COUNT.search(caption)
    return int(re.sub(r"\D", "", found.group(1))) if found else None


# --- one session -------------------------------------------------------------------------------------------------


class _Session(threading.Thread):
    """One reader: opens the dashboard, waits for every other session, then makes its filter changes."""

    def __init__(self, name: str, cdp_url: str, server: Any, offset: int, changes: int, timeout: float, ctx: dict):
        super().__init__(name=name, daemon=True)
        self.cdp_url, self.server, self.offset, self.n, self.timeout, self.ctx = (
            cdp_url, server, offset, changes, timeout, ctx
        )  # fmt: skip
        self.stats: dict[str, Any] = {"page_errors": [], "blocked": []}
        self.open_s: float | None = None
        self.changes: list[dict[str, Any]] = []
        self.error: str | None = None

    def _ready(self) -> None:
        """Note that the session has its map (or has failed): the changes start when every session is there."""
        with self.ctx["lock"]:
            if self.name in self.ctx["ready"]:
                return
            self.ctx["ready"].add(self.name)
            if len(self.ctx["ready"]) == self.ctx["sessions"]:
                self.ctx["all_ready"].set()

    def run(self) -> None:
        try:
            with _playwright(self.cdp_url) as browser:
                self._run(browser)
        except Exception as err:  # no connection to the browser: the others go on
            self.error = self.error or f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            self._ready()

    def _run(self, browser: Any) -> None:
        page = None
        opened = False
        try:
            page = dash._Page(browser, self.server, self.stats)
            self.open_s = page.open(self.timeout, [])["drawn"]
            opened = True
            self._ready()
            self.ctx["all_ready"].wait(timeout=self.timeout * 3)
            steps = dash.FILTER_CHANGES
            for i in range(self.n):
                kind, label, option = steps[(self.offset + i) % len(steps)]
                started = time.time()
                t = page.change(kind, label, option, self.timeout, [])
                self.changes.append(
                    {
                        "change": f"{label} → {option}" if option else label,
                        "started": started,
                        "redraw_s": t["drawn"],
                        "settled_s": t["settled"],
                    }
                )
                self.ctx["done"].release()
        except Exception as err:  # report it with what was measured; the others go on
            self.error = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            if not opened:
                self._ready()
            if page is not None:
                with contextlib.suppress(Exception):
                    page.shot(self.ctx["artifacts"] / f"servers-{self.name}-error.png")
        finally:
            if page is not None:
                page.close()


# --- one configuration -------------------------------------------------------------------------------------------


def _start_servers(store: Path | str, n: int, label: str, work: Path, artifacts: Path) -> list[Any]:
    servers = []
    saved = os.environ.get("CONFLICTMAP_CACHE_DIR")
    try:
        for i in range(n):
            cache = work / f"cache-{label}-{i}"
            cache.mkdir(parents=True, exist_ok=True)
            os.environ["CONFLICTMAP_CACHE_DIR"] = str(cache)  # the server's environment is copied at start
            servers.append(dash._Server(store, artifacts / f"servers-{label}-{i}.log"))
    finally:
        if saved is None:
            os.environ.pop("CONFLICTMAP_CACHE_DIR", None)
        else:
            os.environ["CONFLICTMAP_CACHE_DIR"] = saved
    return servers


def measure(
    store: Path | str,
    label: str,
    *,
    cdp_url: str,
    servers: int,
    sessions: int,
    changes: int,
    timeout: float,
    work: Path,
    artifacts: Path = ARTIFACTS,
    write: bool = True,
) -> dict[str, Any]:
    """Serve ``store`` from ``servers`` dashboard servers and drive ``sessions`` browser sessions on each.

    Parameters
    ----------
    store : Path or str
        A GeoPackage path or a ``postgresql://`` URL (``CONFLICTMAP_STORE`` of every server).
    label : str
        Name of the configuration in logs and screenshots (``postgis``, ``gpkg``).
    cdp_url : str
        DevTools websocket of the shared Chromium.
    servers, sessions, changes : int
        Servers started; sessions per server; filter changes per session.
    timeout : float
        Seconds allowed for each step (a server to answer, an open, a change).
    work : Path
        Folder for the servers' cache folders.
    artifacts : Path
        Folder for the servers' logs and screenshots of errors.
    write : bool
        Write 100 events through the command line during the run and time until every server shows them.

    Returns
    -------
    dict
        ``first_view`` (per server: seconds to the map drawn and settled), ``servers`` (per server: ``opens``
        and ``redraws`` as :func:`percentiles`, memory, errors), ``opens``/``redraws`` over all servers,
        ``redraws_before_write`` / ``redraws_after_write``, ``write`` (command seconds, per-server propagation),
        ``errors``.
    """
    artifacts.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "label": label, "store": str(store), "events": dash.count_events(store), "servers_n": servers,
        "sessions_per_server": sessions, "changes_per_session": changes,
        "load_avg_before": [round(x, 2) for x in os.getloadavg()], "errors": [],
    }  # fmt: skip
    live = _start_servers(store, servers, label, work, artifacts)
    threads: list[_Session] = []
    watchers: list[Any] = []
    try:
        result["server_start_s"] = [_r(s.wait_healthy(timeout)) for s in live]
        with _playwright(cdp_url) as browser:
            stats: dict[str, Any] = {"page_errors": [], "blocked": []}
            first = []
            for s in live:  # one after another: each server's first page, nothing cached yet
                page = dash._Page(browser, s, stats)
                watchers.append(page)
                t = page.open(timeout, [])
                first.append({"drawn_s": _r(t["drawn"]), "settled_s": _r(t["settled"]), "caption": _caption(page)})
            result["first_view"] = first
            ctx = {
                "sessions": servers * sessions,
                "ready": set(),
                "lock": threading.Lock(),
                "all_ready": threading.Event(),
                "done": threading.Semaphore(0),
                "artifacts": artifacts,
            }
            for i, s in enumerate(live):
                for j in range(sessions):
                    threads.append(_Session(f"{label}-{i}-{j}", cdp_url, s, j % 3, changes, timeout, ctx))
            for th in threads:
                th.start()
            if write:
                total = len(threads) * changes
                made, deadline = 0, time.perf_counter() + timeout * (changes + 2)
                while made < max(total // 3, 1) and time.perf_counter() < deadline and not dash._STOP.is_set():
                    made += ctx["done"].acquire(timeout=1)  # a third of the changes made, the rest under way
                    if not any(th.is_alive() for th in threads):
                        break
                result["write"] = _write_and_watch(store, watchers, first, timeout)
            deadline = time.perf_counter() + timeout * (changes + 3)
            while any(th.is_alive() for th in threads) and time.perf_counter() < deadline and not dash._STOP.is_set():
                time.sleep(1)
            result["blocked"] = len(stats["blocked"]) + sum(len(th.stats["blocked"]) for th in threads)
            result["page_errors"] = stats["page_errors"] + [e for th in threads for e in th.stats["page_errors"]]
            for page in watchers:
                page.close()
    except Exception as err:  # report what was measured so far
        result["errors"].append(f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
    finally:
        stuck = any(th.is_alive() for th in threads) and not dash._STOP.is_set()
        if stuck:  # a session still waiting: make it give up at its next poll
            dash._STOP.set()
        for th in threads:
            th.join(timeout=30)
        if stuck:
            dash._STOP.clear()
        per = []
        for i, s in enumerate(live):
            mine = [th for th in threads if th.server is s]
            mem = s.memory()
            per.append(
                {
                    "opens": percentiles([th.open_s for th in mine]),
                    "redraws": percentiles([c["redraw_s"] for th in mine for c in th.changes]),
                    "rss_mb": _r(mem.get("VmRSS"), 0),
                    "peak_rss_mb": _r(mem.get("VmHWM"), 0),
                    "errors": [f"{th.name}: {th.error}" for th in mine if th.error],
                    "port": s.port,
                    "index": i,
                }
            )
            s.stop()
        result["servers"] = per
        result["errors"] += [e for p in per for e in p["errors"]]
    done = [c for th in threads for c in th.changes]
    result["opens"] = percentiles([th.open_s for th in threads])
    result["redraws"] = percentiles([c["redraw_s"] for c in done])
    result["settled"] = percentiles([c["settled_s"] for c in done])
    written = (result.get("write") or {}).get("written_at")
    if written:
        result["redraws_before_write"] = percentiles([c["redraw_s"] for c in done if c["started"] < written])
        result["redraws_after_write"] = percentiles([c["redraw_s"] for c in done if c["started"] >= written])
    by_change: dict[str, list[float]] = {}
    for c in done:
        by_change.setdefault(c["change"], []).append(c["redraw_s"])
    result["by_change"] = {k: percentiles(v) for k, v in by_change.items()}
    return result


def _write_and_watch(store: Path | str, watchers: list[Any], first: list[dict], timeout: float) -> dict[str, Any]:
    """Write 100 events with the command line; open each server's watcher page until its count changes."""
    cmd = [sys.executable, "-m", "geo", "synth", str(WRITE_EVENTS), "--seed", str(WRITE_SEED), "--store", str(store)]
    took, _ = _run(cmd, timeout)
    written_at = time.time()
    out: dict[str, Any] = {"command_s": _r(took), "written_at": written_at}
    seen: dict[int, dict[str, Any]] = {}
    polls = dict.fromkeys(range(len(watchers)), 0)
    deadline = time.perf_counter() + timeout * 2
    while len(seen) < len(watchers) and time.perf_counter() < deadline and not dash._STOP.is_set():
        for i, page in enumerate(watchers):
            if i in seen:
                continue
            polls[i] += 1
            page.page.evaluate(_TAG_OLD)
            page.open(timeout, [])
            caption = _caption(page)
            before, now = _count(first[i]["caption"]), _count(caption)
            if caption and caption != first[i]["caption"]:
                frame = (page._read() or {}).get("frame") or {}
                drawn = frame.get("drawn")
                seen[i] = {
                    "shown_after_s": _r(drawn / 1000 - written_at if drawn else time.time() - written_at),
                    "page_opens": polls[i],
                    "events_before": before,
                    "events_after": now,
                }
    out["servers"] = [seen.get(i, {"shown_after_s": None, "page_opens": polls[i]}) for i in range(len(watchers))]
    shown = [s["shown_after_s"] for s in out["servers"]]
    out["all_shown_after_s"] = None if None in shown else max(shown)
    return out


# --- report ------------------------------------------------------------------------------------------------------


def _f(x: Any, spec: str = ".2f") -> str:
    return "—" if x is None else format(x, spec)


def _ratio(a: Any, b: Any) -> str:
    return "—" if not a or not b else f"{a / b:.2f}×"


def to_markdown(report: dict[str, Any]) -> str:
    """The ``bench/RESULTS.md`` section for a run of :func:`main`.

    Parameters
    ----------
    report : dict
        ``events``, ``copy_s``, ``runs`` (what :func:`measure` returned, PostGIS first), ``browser``, ``machine``,
        ``when``.

    Returns
    -------
    str
        The section, starting with :data:`HEADING`.
    """
    runs = report["runs"]
    pg = next((r for r in runs if r["label"] == "postgis"), {})
    gp = next((r for r in runs if r["label"] == "gpkg"), {})
    lines = [
        HEADING,
        "",
        f"Made by `python bench/servers.py --events {report['events']} --sessions {report['sessions']} "
        f"--changes {report['changes']}` on {report['when']}: {report['events']:,} synthetic events copied into a "
        "throw-away PostgreSQL 15 + PostGIS cluster on this machine "
        f"(`geo store copy`: {_f(report.get('copy_s'), '.1f')} s), "
        f"{pg.get('servers_n', '—')} `streamlit run` server(s) on it"
        f"{' and, as the baseline, one server on the same GeoPackage' if gp else ''}; {report['sessions']} "
        f"simultaneous browser sessions per server, each making {report['changes']} "
        "sidebar filter change(s) (bench/dashboard.py's, the reset included) after every session had its map. "
        f'Browser: {report["browser"]}. Seconds; "redraw" is from the click to the new map drawn.',
        "",
        "| Configuration | First view s (per server) | Session opens s, median / p95 | Filter change → map redrawn s, "
        "median / p95 / worst | Changes | Server RSS MB (peak) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        name = "PostGIS" if r["label"] == "postgis" else "GeoPackage"
        firsts = " / ".join(_f(v["drawn_s"]) for v in r.get("first_view", []))
        mem = ", ".join(f"{_f(s['rss_mb'], '.0f')} ({_f(s['peak_rss_mb'], '.0f')})" for s in r.get("servers", []))
        views = r.get("first_view") or []
        for s in r.get("servers", []) if len(r.get("servers", [])) > 1 else []:
            view = views[s["index"]] if s["index"] < len(views) else {}
            lines.append(
                f"| {name}, server {s['index'] + 1} | {_f(view.get('drawn_s'))} "
                f"| {_f(s['opens']['median'])} / {_f(s['opens']['p95'])} "
                f"| {_f(s['redraws']['median'])} / {_f(s['redraws']['p95'])} / {_f(s['redraws']['max'])} "
                f"| {s['redraws']['n']} | {_f(s['rss_mb'], '.0f')} ({_f(s['peak_rss_mb'], '.0f')}) |"
            )
        label = f"{name}, all {r['servers_n']} servers" if r["servers_n"] > 1 else f"{name}, 1 server"
        lines.append(
            f"| **{label}** | {firsts or '—'} | {_f(r['opens']['median'])} / {_f(r['opens']['p95'])} "
            f"| **{_f(r['redraws']['median'])} / {_f(r['redraws']['p95'])}** / {_f(r['redraws']['max'])} "
            f"| {r['redraws']['n']} | {mem or '—'} |"
        )
    if pg and gp:
        lines.append(
            f"| PostGIS / GeoPackage | {_ratio(_mean_first(pg), _mean_first(gp))} "
            f"| {_ratio(pg['opens']['median'], gp['opens']['median'])} / "
            f"{_ratio(pg['opens']['p95'], gp['opens']['p95'])} "
            f"| {_ratio(pg['redraws']['median'], gp['redraws']['median'])} / "
            f"{_ratio(pg['redraws']['p95'], gp['redraws']['p95'])} / — | | |"
        )
    notes = [""]
    for r in runs:
        name = "PostGIS" if r["label"] == "postgis" else "GeoPackage"
        w = r.get("write")
        if w:
            per = "; ".join(
                f"server {i + 1} after {_f(s.get('shown_after_s'))} s ({s.get('page_opens')} page open"
                f"{'s' if s.get('page_opens') != 1 else ''}, {_f(s.get('events_before'), ',')} → "
                f"{_f(s.get('events_after'), ',')} events shown)"
                for i, s in enumerate(w["servers"])
            )
            lines_b = r.get("redraws_before_write", {})
            lines_a = r.get("redraws_after_write", {})
            notes.append(
                f"- {name}, a write during the run: `python -m geo synth {WRITE_EVENTS} --seed {WRITE_SEED} --store …` "
                f"took {_f(w['command_s'])} s, once a third of the changes were done; shown by {per}. Seconds are "
                "from the command's exit to the map drawn in the first page (a new page of that server, opened "
                "again until its count changed) that showed the new count. Redraws before / after the write, "
                f"median: {_f(lines_b.get('median'))} / {_f(lines_a.get('median'))} s."
            )
        if r.get("by_change"):
            each = ", ".join(f"{k} {_f(v['median'])}" for k, v in r["by_change"].items())
            notes.append(f"- {name}, redraw median by change: {each} s.")
        notes.append(f"- {name}: load average (1 min) before: {r['load_avg_before'][0]}.")
        if r.get("errors"):
            notes.append(f"- {name}: **not finished**: {'; '.join(r['errors'][:4])}")
    m = report.get("machine") or {}
    notes.append(
        f"- Machine: {m.get('cpu')}, {m.get('cores')} cores, {_f(m.get('memory_gb'), '.0f')} GB RAM: servers, "
        "PostgreSQL and every Chromium page share these cores, so the figures are those of one crowded machine; "
        "across machines (a server per host, the database on its own) they would be lower. 100,000 and "
        "1,000,000 events: `python bench/servers.py --events 100000` and `--events 1000000 --timeout 900`."
    )
    return "\n".join(lines + notes)


def _mean_first(r: dict[str, Any]) -> float | None:
    xs = [v["drawn_s"] for v in r.get("first_view", []) if v.get("drawn_s")]
    return statistics.fmean(xs) if xs else None


# --- command line ------------------------------------------------------------------------------------------------


def run(
    events: int = 10_000,
    *,
    servers: int = 2,
    sessions: int = 10,
    changes: int = 5,
    timeout: float = 300,
    write: bool = True,
    baseline: bool = True,
    artifacts: Path = ARTIFACTS,
    log: Callable[[str], Any] = lambda s: print(s, file=sys.stderr, flush=True),
) -> dict[str, Any]:
    """Copy the synthetic store into a throw-away PostGIS cluster and measure it, then the GeoPackage.

    Parameters
    ----------
    events : int
        Synthetic events in the store.
    servers, sessions, changes : int
        PostGIS servers; sessions per server; filter changes per session (the GeoPackage has one server).
    timeout : float
        Seconds allowed per step.
    write : bool
        Write 100 events during each run and time until every server shows them.
    baseline : bool
        Also measure one server on the GeoPackage.
    artifacts : Path
        Folder for logs and screenshots of errors.
    log : callable
        Where progress lines go.

    Returns
    -------
    dict
        ``runs`` (:func:`measure`'s results, PostGIS first), ``copy_s``, ``browser``, ``machine`` and the
        parameters.
    """
    work = Path(tempfile.mkdtemp(prefix="bench-servers-"))
    report: dict[str, Any] = {
        "events": events, "sessions": sessions, "changes": changes, "runs": [],
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }  # fmt: skip
    try:
        source, synth_s = _source_store(events, work, timeout * 4)
        report["synth_s"] = _r(synth_s)
        base = work / "baseline.gpkg"
        shutil.copyfile(source, base)  # the run writes into it
        with _cluster() as url, _shared_chromium(work) as (cdp_url, version):
            report["browser"] = (
                f"one headless Chromium {version}, a context per session, each session a thread with its own "
                "Playwright connection over CDP"
            )
            report["machine"] = dash.machine(version)
            log(f"copying {source.name} into {url} …")
            report["copy_s"], _ = _run([sys.executable, "-m", "geo", "store", "copy", str(source), url], timeout * 4)
            report["copy_s"] = _r(report["copy_s"])
            common = {"cdp_url": cdp_url, "sessions": sessions, "changes": changes, "timeout": timeout, "work": work}
            log(f"PostGIS: {servers} servers × {sessions} sessions × {changes} changes …")
            report["runs"].append(measure(url, "postgis", servers=servers, write=write, artifacts=artifacts, **common))
            log(json.dumps(report["runs"][-1], default=str))
            if baseline and not dash._STOP.is_set():
                log(f"GeoPackage: 1 server × {sessions} sessions × {changes} changes …")
                report["runs"].append(measure(base, "gpkg", servers=1, write=write, artifacts=artifacts, **common))
                log(json.dumps(report["runs"][-1], default=str))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: measure, print the section and write it into ``bench/RESULTS.md``."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: dash._STOP.set())
    # a context closed while one of its requests is routed makes Playwright log a cancelled task: noise, not an error
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="synthetic events (default 10,000)")
    parser.add_argument("--servers", type=int, default=2, help="dashboard servers on the database (default 2)")
    parser.add_argument("--sessions", type=int, default=10, help="browser sessions per server (default 10)")
    parser.add_argument("--changes", type=int, default=5, help="filter changes per session (default 5)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed per step (default 300)")
    parser.add_argument("--no-write", action="store_true", help="no write through the command line during the run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the GeoPackage server")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    report = run(
        args.events, servers=args.servers, sessions=args.sessions, changes=args.changes, timeout=args.timeout,
        write=not args.no_write, baseline=not args.no_baseline,
    )  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    text = to_markdown(report)
    print(text)
    if not args.no_results:
        replace_section(HEADING, text)
    return 1 if any(r.get("errors") for r in report["runs"]) or not report["runs"] else 0


if __name__ == "__main__":
    sys.exit(main())
