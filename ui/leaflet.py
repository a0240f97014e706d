"""streamlit-folium's component, fed a map rendered once instead of on every run.

``st_folium(m)`` renders the whole folium map to HTML and JavaScript on every
script run: about 0.8 s for a map of a million events' cells, paid again on
each rerun (a widget, the map reporting its view). :func:`render` does that
work once, with streamlit-folium's own functions, and :func:`show` hands the
result to the same component each run. The arguments are the ones
``st_folium`` passes (a test compares them), so the browser side is
unchanged. It relies on streamlit-folium internals: the version is pinned in
requirements.txt.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import branca
import folium
import streamlit as st
import streamlit_folium as _sf


@dataclass(frozen=True)
class Rendered:
    """What the component needs from a map, and what the page needs to know about it."""

    args: dict[str, Any]
    aggregated: tuple[str, ...]
    data_bounds: tuple[float, float, float, float] | None


def _no_bounds() -> list[list[None]]:
    return [[None, None], [None, None]]


def _assets(m: folium.Map) -> tuple[list[str], list[str]]:
    """CSS and JS links of every element (as st_folium collects them)."""

    def walk(fig: Any) -> Iterator[Any]:
        if isinstance(fig, (branca.colormap.ColorMap, folium.elements.JSCSSMixin)):
            yield fig
        for child in getattr(fig, "_children", {}).values():
            yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for elem in walk(m):
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def render(m: folium.Map, *, keep: bool = True) -> Rendered:
    """Render a map for the component once.

    ``keep=False`` renders the map itself, which rendering changes (it renames
    elements): for a map built only to be shown. Otherwise a copy is rendered.
    Unlike ``st_folium``, the whole page is not rendered first: the script
    comes out the same (tests/test_leaflet.py compares it), in half the time.
    """
    fm = copy.deepcopy(m) if keep else m
    fm.render()
    html, header = _sf._get_html(fm), _sf._get_header(fm)
    script = _sf._get_map_string(fm)
    css, js = _assets(fm)
    args = {"script": script, "header": header, "html": html, "id": _sf.get_full_id(fm), "css_links": css,
            "js_links": js}  # fmt: skip
    return Rendered(args, tuple(getattr(m, "aggregated", ())), getattr(m, "data_bounds", None))


def show(rendered: Rendered, *, key: str, height: int, returned_objects: Iterable[str]) -> dict[str, Any] | None:
    """Draw a rendered map with st_folium's component; returns what the browser reported, as st_folium does.

    Before the browser reports, the value holds no bounds (st_folium would
    walk every feature for them, and a made-up view would read as a zoom).
    """
    returned = list(returned_objects)
    hash_key = _sf.generate_js_hash(rendered.args["script"], key, False)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    defaults: dict[str, Any] = {k: None for k in returned}
    if "bounds" in defaults:
        defaults["bounds"] = {"_southWest": {"lat": None, "lng": None}, "_northEast": {"lat": None, "lng": None}}
    return _sf._component_func(
        **rendered.args,
        key=hash_key,
        height=height,
        width=None,
        returned_objects=returned,
        default=defaults,
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        on_change=on_change,
        wrap_longitude=False,
    )
