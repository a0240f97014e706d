"""Offline map assets: copies from installed packages, and maps that load nothing from the network."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import branca.colormap
import folium
import folium.plugins
import pytest

from geo import assets
from geo.assets import ensure_static, use_assets
from geo.errors import GeoError

CDN_HOSTS = ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "netdna.bootstrapcdn.com")


def _asset_urls(page: str) -> list[str]:
    """Every ``<script src>`` and ``<link href>`` of a rendered page."""
    scripts = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)[\"']", page, flags=re.IGNORECASE)
    links = re.findall(r"<link[^>]*\bhref=[\"']([^\"']+)[\"']", page, flags=re.IGNORECASE)
    return scripts + links


def _collected_by_streamlit_folium(m: folium.Map) -> list[str]:
    """The css_links and js_links streamlit_folium.st_folium would hand to its frame."""
    import streamlit_folium

    captured: dict = {}

    def fake_component(**kwargs):
        captured.update(kwargs)
        return kwargs["default"]

    original = streamlit_folium._component_func
    streamlit_folium._component_func = fake_component
    try:
        streamlit_folium.st_folium(m, key="test-map", returned_objects=[])
    finally:
        streamlit_folium._component_func = original
    return list(captured["css_links"]) + list(captured["js_links"])


def _plain_map(draw: bool = False) -> folium.Map:
    m = folium.Map(tiles=None, prefer_canvas=True)
    folium.GeoJson({"type": "FeatureCollection", "features": []}, name="x").add_to(m)
    if draw:
        folium.plugins.Draw(export=False, show_geometry_on_click=False).add_to(m)
    return m


def test_ensure_static_copies_leaflet_and_draw(tmp_path):
    vendor = ensure_static(tmp_path)
    assert vendor == tmp_path / "vendor"
    leaflet = vendor / "leaflet"
    assert (leaflet / "leaflet.js").stat().st_size > 100_000
    assert "Leaflet" in (leaflet / "leaflet.js").read_text(encoding="utf-8")[:400]
    assert ".leaflet-container" in (leaflet / "leaflet.css").read_text(encoding="utf-8")
    assert {"layers.png", "layers-2x.png", "marker-icon.png"} <= {p.name for p in (leaflet / "images").iterdir()}
    draw = vendor / "leaflet-draw"
    assert "L.Draw" in (draw / "leaflet.draw.js").read_text(encoding="utf-8")
    assert (draw / "leaflet.draw.css").is_file()
    assert (draw / "images" / "spritesheet.svg").is_file()


def test_ensure_static_is_idempotent_and_repairs_a_broken_copy(tmp_path):
    vendor = ensure_static(tmp_path)
    js = vendor / "leaflet" / "leaflet.js"
    mtime = js.stat().st_mtime_ns
    ensure_static(tmp_path)
    assert js.stat().st_mtime_ns == mtime  # up to date: left alone
    js.write_text("broken", encoding="utf-8")
    (vendor / "leaflet" / ".complete").unlink()
    ensure_static(tmp_path)
    assert js.stat().st_size > 100_000
    leftovers = [p.name for p in vendor.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_ensure_static_from_many_threads_at_once(tmp_path):
    errors: list[BaseException] = []

    def run():
        try:
            ensure_static(tmp_path)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (tmp_path / "vendor" / "leaflet" / "leaflet.js").stat().st_size > 100_000
    assert sorted(p.name for p in (tmp_path / "vendor").iterdir()) == ["leaflet", "leaflet-draw"]


def test_ensure_static_names_the_fix_when_a_package_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(assets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(GeoError, match=r"django-leaflet.*pip install -r requirements\.txt"):
        ensure_static(tmp_path)


def test_local_mode_leaves_no_network_url_in_the_page():
    m = use_assets(_plain_map(draw=True), "local", "/app/static/vendor")
    page = m.get_root().render()
    urls = _asset_urls(page)
    assert urls, "the page should still load Leaflet"
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls), urls
    assert "/app/static/vendor/leaflet/leaflet.js" in urls
    assert "/app/static/vendor/leaflet/leaflet.css" in urls
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.js" in urls
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.css" in urls
    for dropped in ("jquery", "bootstrap", "font", "awesome", "glyphicons"):
        assert dropped not in " ".join(urls).lower()
    assert not any(host in page for host in CDN_HOSTS)


def test_local_mode_only_adds_draw_when_there_is_a_draw_plugin():
    urls = _asset_urls(use_assets(_plain_map(), "local").get_root().render())
    assert urls == ["/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/leaflet/leaflet.css"]


def test_local_mode_streamlit_folium_collects_only_local_links():
    m = use_assets(_plain_map(draw=True), "local", "/app/static/vendor/")
    links = _collected_by_streamlit_folium(m)
    assert links
    assert all(link.startswith("/app/static/vendor/") for link in links), links
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.js" in links


def test_class_defaults_are_left_alone():
    use_assets(_plain_map(draw=True), "local")
    assert folium.Map.default_js[0][1].startswith("https://")
    assert folium.plugins.Draw.default_js[0][1].startswith("https://")
    page = folium.Map(tiles=None).get_root().render()
    assert "cdn.jsdelivr.net/npm/leaflet@1.9.3" in page


def test_cdn_mode_keeps_the_cdn_links():
    m = use_assets(_plain_map(draw=True), "cdn")
    urls = _asset_urls(m.get_root().render())
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in urls
    assert any("leaflet.draw" in u and u.startswith("https://") for u in urls)


def test_loopback_and_file_base_urls_are_allowed(tmp_path):
    for base in ("http://127.0.0.1:8765/vendor", "http://localhost/vendor", tmp_path.as_uri()):
        urls = _asset_urls(use_assets(_plain_map(), "local", base).get_root().render())
        assert urls[0] == f"{base}/leaflet/leaflet.js"


def test_remote_base_url_is_refused():
    with pytest.raises(GeoError, match="not on this machine"):
        use_assets(_plain_map(), "local", "https://cdn.example.org/vendor")


def test_unknown_mode_is_refused():
    with pytest.raises(GeoError, match="asset mode"):
        use_assets(_plain_map(), "offline")


@pytest.mark.parametrize(
    "element",
    [
        lambda: folium.Marker((50, 30), icon=folium.Icon(icon="info-sign")),
        lambda: folium.Marker((50, 30), popup=folium.Popup("hi")),
        lambda: branca.colormap.LinearColormap(["red", "blue"]),
    ],
    ids=["awesome-marker-icon", "jquery-popup", "branca-colormap"],
)
def test_elements_that_need_a_dropped_library_are_refused(element):
    m = _plain_map()
    element().add_to(m)
    with pytest.raises(GeoError, match="cannot work offline"):
        use_assets(m, "local")


def test_a_plugin_with_no_local_copy_is_refused():
    m = _plain_map()
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(GeoError, match="no local copy"):
        use_assets(m, "local")


def test_a_previous_render_does_not_leave_cdn_links_behind():
    m = _plain_map()
    m.get_root().render()  # header now holds folium's CDN links
    page = use_assets(m, "local").get_root().render()
    assert not any(u.startswith("http") for u in _asset_urls(page))


def test_vendor_is_gitignored():
    root = Path(__file__).resolve().parents[1]
    assert "static/vendor/" in (root / ".gitignore").read_text(encoding="utf-8")
