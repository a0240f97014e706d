"""ui.leaflet hands streamlit-folium's component exactly what st_folium would, from a map rendered once."""

from __future__ import annotations

import copy

import streamlit_folium as sf

from geo.claims import fold
from geo.mapview import build_map
from geo.seed import load_seed
from ui import leaflet


def _captured(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: calls.append(kwargs) or None)
    return calls


def test_the_component_gets_what_st_folium_would_give_it(monkeypatch):
    events, claims = load_seed()
    m = build_map(fold(events, claims), claims, draw=True)
    rendered = leaflet.render(m)
    calls = _captured(monkeypatch)
    returned = ["last_active_drawing", "bounds", "zoom"]
    sf.st_folium(copy.deepcopy(m), key="k", height=560, use_container_width=True, returned_objects=returned)
    leaflet.show(rendered, key="k", height=560, returned_objects=returned)
    theirs, ours = calls
    assert ours["script"] == theirs["script"] and "Zaliznychne" in ours["script"]
    for name in ("html", "header", "id", "css_links", "js_links", "key", "height", "width", "returned_objects"):
        assert ours[name] == theirs[name], name
    assert set(ours) == set(theirs)
    assert ours["default"]["bounds"]["_southWest"]["lat"] is None  # no view made up before the browser reports one
    assert ours["default"]["last_active_drawing"] is None and ours["default"]["zoom"] is None


def test_rendering_leaves_the_map_as_it_was_and_repeats_exactly():
    events, claims = load_seed()
    m = build_map(fold(events, claims), claims)
    before = m.get_name()
    first, second = leaflet.render(m), leaflet.render(m)
    assert m.get_name() == before
    assert first.args == second.args  # same map, same script: the browser does not redraw
    assert first.data_bounds is not None and first.aggregated == ()


def test_a_map_rendered_in_place_gives_the_same_script():
    events, claims = load_seed()
    folded = fold(events, claims)
    kept = leaflet.render(build_map(folded, claims, draw=True))
    in_place = leaflet.render(build_map(folded, claims, draw=True), keep=False)
    assert in_place.args["script"] == kept.args["script"]
