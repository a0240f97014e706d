"""Start the dashboard with its data already loaded: ``python -m ui.serve [streamlit run options]``.

``streamlit run app.py`` loads nothing until the first visitor's session runs
the script, so at a million events the first view waits for the imports, the
store's snapshot and the first map (about 9 s here; later views take about
4 s). This starts the same server (``streamlit run app.py`` with the options
given) and, in a thread beside it, fills the caches the pages read: the
snapshot, the unfiltered events, their key figures, the talks and the
overview's map. A visitor who comes while that is still running waits only
for what is left (the caches compute each value once).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
_log = logging.getLogger(__name__)


def warm() -> float:
    """Fill the caches behind the overview for the unfiltered view; returns the seconds it took."""
    started = time.perf_counter()
    from geo.filters import Filter
    from ui import components, data

    flt = Filter()
    loaded = data.load()
    events = data.events(flt)
    data.key_figures(flt)
    data.talks(flt)
    components.warm_map(events, loaded.claims, flt)
    data.release_pages()
    return time.perf_counter() - started


def _register_map_component(timeout: float = 120.0) -> None:
    """Register streamlit-folium's component with the server, once the server exists.

    Streamlit registers a component when its module is imported during a
    script run; imported here, outside any run, it would stay unknown to the
    server and the map frame would never load.
    """
    from streamlit import runtime

    deadline = time.monotonic() + timeout
    while not runtime.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the Streamlit server did not start")
        time.sleep(0.05)
    import streamlit_folium

    runtime.get_instance().component_registry.register_component(streamlit_folium._component_func)


def _warm_in_background() -> None:
    try:
        _register_map_component()
        print(f"ui.serve: the overview's data and map are ready ({warm():.1f} s)", file=sys.stderr, flush=True)
    except Exception:  # a bad store is reported by the page that reads it; the server stays up
        _log.exception("ui.serve: warming the caches failed")


def main(argv: Sequence[str] | None = None) -> int:
    """Warm the caches in a thread and run ``streamlit run app.py`` with the options given."""
    from streamlit.web import cli

    threading.Thread(target=_warm_in_background, name="ui.serve warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
