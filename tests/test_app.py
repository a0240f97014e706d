"""AppTest for every page: bundled data, an empty store, and filters that change what a page reports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["views/overview.py", "captures", "strikes", "regions", "views/timeline.py", "views/sources.py"]
"""A page script (``views/….py``), or the address of a page drawn by a function (a layer's page)."""


@pytest.fixture
def empty_store(store_env):
    from geo.store import open_store

    open_store(str(store_env), create=True, seed=False)
    return store_env


def _switch(at: AppTest, page: str) -> AppTest:
    """Go to a page: a script by its path, a page function (a layer's page) by its address.

    ``AppTest.switch_page`` takes only files. A callable page is run when a
    run asks for its script hash, which ``st.Page`` computes from its
    ``url_path``; the last run registered that hash with the page's address.
    """
    if page.endswith(".py"):
        return at.switch_page(page)
    hashes = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == page]
    assert hashes, f"no page at /{page}: {[i.get('url_pathname') for i in at._registered_pages.values()]}"
    at._page_hash = hashes[0]
    return at


def _app(page: str | None = None, *, as_role: str | None = None, **params: str | list[str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if as_role is not None:
        _sign_in(at, as_role)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        _switch(at, page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sign_in(at: AppTest, role: str) -> None:
    """Sign the AppTest's session in as a local account of ``role`` in the default store (made for it)."""
    from geo import settings
    from geo.store import open_store
    from ui import auth

    open_store(settings.get().store).put_user(role, role, None, actor="cli")
    at.session_state[auth.SESSION_KEY] = auth.session_record(role)


def _map_script(at: AppTest) -> str:
    """The Leaflet script st_folium was given (the map is an UnknownElement in AppTest)."""
    scripts = [json.loads(el.proto.json_args).get("script", "") for el in at.get("component_instance")]
    assert scripts, "no map on the page"
    return scripts[0]


def _param(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def _caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if " events · " in c.value)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_bundled_data(store_env, page):
    at = _app(page)
    assert at.title[0].value
    assert "claims by parties, not independently verified" in _caption(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_store(empty_store, page):
    at = _app(page)
    assert any("match these filters" in i.value for i in at.info)


def test_overview_key_figures_and_map(store_env):
    at = _app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["RU captures"] == "9"
    assert metrics["UA captures"] == "1"
    assert metrics["Regions affected"] == "2"
    script = _map_script(at)
    assert "Zaliznychne" in script
    assert "Claims by parties" in script  # the legend is on the map


def test_region_filter_changes_what_the_page_reports(store_env):
    at = _app()
    before = _caption(at)
    at.sidebar.multiselect(key="f_regions").set_value(["RU-BRY"]).run()
    assert not at.exception
    after = _caption(at)
    assert before != after
    assert "Bryansk" in after
    script = _map_script(at)
    assert "Zaliznychne" not in script
    assert "Bogomaz" in script  # the Bryansk governor's claims in the popups
    assert _param(at, "region") == ["RU-BRY"]


def test_url_opens_the_filtered_view(store_env):
    at = _app(**{"from": "2026-02-15", "to": "2026-02-16", "region": ["RU-BRY", "RU-KRS"]})
    caption = _caption(at)
    assert "Bryansk" in caption and "Kursk" in caption
    assert at.sidebar.multiselect(key="f_regions").value == ["RU-BRY", "RU-KRS"]
    assert "Zaliznychne" not in _map_script(at)


def test_bad_url_parameters_are_reported_not_fatal(store_env):
    at = _app(region="Atlantis", layer="battles")
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "Atlantis" in warnings and "battles" in warnings


def test_filter_survives_a_page_switch(store_env):
    at = _app()
    at.sidebar.multiselect(key="f_statuses").set_value(["disputed"]).run()
    _switch(at, "captures").run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_statuses").value == ["disputed"]
    assert "2 events" in _caption(at)


def test_strikes_page_shows_latest_figures_and_history_on_demand(store_env):
    at = _app("strikes")
    table = at.dataframe[0].value
    gov = table[table["claimant"].str.startswith("Governor of Bryansk")]
    assert gov["figures"].tolist() == ["intercepted 229"]
    at.toggle(key="strikes_history").set_value(True).run()
    table = at.dataframe[0].value
    gov = table[table["claimant"].str.startswith("Governor of Bryansk")]
    assert gov["figures"].tolist() == ["intercepted 120", "intercepted ≥170", "intercepted 229"]


def test_captures_page_shows_claim_and_denial(store_env):
    at = _app("captures")
    table = at.dataframe[0].value
    zal = table[table["event_id"] == "feb26-cap-zaliznychne"]
    assert set(zal["stance"]) == {"asserts", "denies"}
    assert set(zal["party"]) == {"RU", "UA"}


def test_timeline_span_sets_the_date_filter(store_env):
    at = _app("views/timeline.py")
    at.session_state["_pending_filter"] = {"dates": (dt.date(2026, 2, 15), dt.date(2026, 2, 16))}
    at.run()
    assert not at.exception
    assert _param(at, "from") == ["2026-02-15"]
    assert _param(at, "to") == ["2026-02-16"]
    assert "15" in _caption(at) and "16 Feb" in _caption(at)


def test_sources_page_puts_disputed_first_and_searches(store_env):
    at = _app("views/sources.py")
    table = at.dataframe[0].value
    assert table["status"].iloc[0] == "disputed"
    assert table["source_url"].str.startswith("https://").all()
    at.text_input(key="sources_search").input("Voloshyn").run()
    table = at.dataframe[0].value
    assert len(table) == 2
    assert set(table["title"].str.split(" ").str[0]) == {"Zaliznychne", "Staroukrainka"}


def _map_args(at: AppTest) -> dict:
    return json.loads(next(iter(at.get("component_instance"))).proto.json_args)


def test_map_assets_are_local_and_tiles_only_on_request(store_env):
    at = _app()
    args = _map_args(at)
    assert args["js_links"] and all(link.startswith("/app/static/vendor/") for link in args["js_links"])
    assert all(link.startswith("/app/static/vendor/") for link in args["css_links"])
    assert "tile.openstreetmap.org" not in args["script"]
    at.sidebar.selectbox(key="m_basemap").set_value("osm").run()
    assert "tile.openstreetmap.org" in _map_args(at)["script"]
    at.sidebar.checkbox(key="m_cdn").check().run()
    assert any(link.startswith("https://") for link in _map_args(at)["js_links"])


def test_a_rerun_that_changes_nothing_sends_the_same_map(store_env):
    at = _app()
    first = _map_script(at)
    at.run()
    assert _map_script(at) == first


def test_affected_regions_name_their_regions(store_env):
    at = _app("regions")
    table = at.dataframe[0].value
    assert table["regions"].tolist() == ["Belgorod Oblast (RU-BEL)", "Bryansk Oblast (RU-BRY)"]
    assert "power, heating" in table["impact_type"].tolist()


FIXTURES = ROOT / "tests" / "fixtures" / "import"


def _upload(at: AppTest, name: str, data: bytes | None = None) -> AppTest:
    at.file_uploader(key="import_file").set_value((name, data or (FIXTURES / name).read_bytes(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_import_page_reports_previews_commits_and_deletes(store_env):
    at = _upload(_app("views/import_data.py", as_role="admin"), "acled_sample.csv")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Events to import"]) > 0
    assert len(at.get("component_instance")) == 1  # the preview map
    at.button(key="import_commit").click().run()
    assert "Imported into “acled_sample”" in at.success[0].value
    assert "0 unchanged" in at.success[0].value
    assert "acled_sample" in at.dataframe[-1].value["name"].tolist()
    at.button(key="import_commit").click().run()  # the same file again changes nothing
    assert "0 new, 0 updated" in at.success[0].value
    at.selectbox(key="import_delete_name").set_value("acled_sample").run()
    at.button(key="import_delete").click().run()
    assert any("Deleted" in s.value for s in at.success)
    assert "acled_sample" not in at.dataframe[-1].value["name"].tolist()


def test_import_page_maps_arbitrary_columns(store_env):
    at = _upload(_app("views/import_data.py", as_role="admin"), "mapped_sample.csv")
    for field, column in {"time_start": "Date", "place": "Settlement", "region": "Oblast", "claimant": "Who said",
                          "party": "Side"}.items():  # fmt: skip
        at.selectbox(key=f"import_map_{field}").set_value(column)
    at.text_input(key="import_fixed_layer").input("strike").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Events to import"] == "2"


def test_the_upload_limit_holds_for_an_editor_too(store_env, monkeypatch):
    from geo.importers import _common
    from geo.store import open_store

    monkeypatch.setattr(_common, "MAX_BYTES", 2**19)  # the page's limit is the smaller of the server's and this
    at = _app("views/import_data.py", as_role="editor")
    before = open_store(str(store_env)).version()
    at = _upload(at, "big.csv", b"event_id,layer\n" + b"x,capture\n" * 2**16)  # 0.6 MB
    shown = " ".join(e.value for e in at.error)
    assert "big.csv is 0.6 MB, over the 0.5 MB upload limit: nothing was read" in shown
    assert not [b for b in at.button if b.label == "Import"]
    assert open_store(str(store_env)).version() == before


def test_import_page_refuses_a_binary_file_clearly(store_env):
    at = _upload(_app("views/import_data.py", as_role="admin"), "events.csv", bytes(range(256)) * 64)
    assert "Nothing can be imported from events.csv" in at.error[0].value


def test_export_page_prepares_a_download_of_the_filtered_view(store_env):
    at = _app("views/export.py", region="UA-23")
    at.selectbox(key="export_page_format").set_value("geojson").run()
    at.button(key="export_page_prepare").click().run()
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1
    assert "GeoJSON" in buttons[0].proto.label


def test_every_map_has_an_export_button(store_env):
    at = _app("strikes")
    assert any(p.proto.popover.label == "Export this map" for p in at.get("popover"))


# --- many events: cells, the view's events on zooming in, tables of the latest -----------------------------------


@pytest.fixture(scope="module")
def _synthetic_store(tmp_path_factory) -> Path:
    from geo.store import open_store
    from geo.store.snapshot import read_display
    from geo.synthetic import write_synthetic

    path = tmp_path_factory.mktemp("many") / "conflict.gpkg"
    store = open_store(path)  # the bundled data, and 12,000 synthetic events
    write_synthetic(store, 12_000, seed=5)
    read_display(store)
    return path


@pytest.fixture
def many_events(_synthetic_store, monkeypatch):
    from geo import settings

    monkeypatch.setenv("CONFLICTMAP_STORE", str(_synthetic_store))
    settings.reload()
    yield _synthetic_store
    monkeypatch.delenv("CONFLICTMAP_STORE")
    settings.reload()


def test_many_events_are_sent_as_cells_and_labelled_synthetic(many_events):
    at = _app()
    script = _map_script(at)
    assert "(aggregated)" in script and "SYNTHETIC data" in script
    assert "This view:" not in script
    assert any("SYNTHETIC test data" in w.value for w in at.warning)


def test_zooming_in_on_cells_draws_the_events_of_the_view(many_events):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["map-overview_view"] = ((37.3, 47.8, 38.0, 48.3), 10)  # what st_folium's bounds turn into
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    script = _map_script(at)
    assert "This view:" in script
    assert "Strikes (aggregated)" not in script and "Claimed captures (aggregated)" not in script
    assert script.count("cm-synth") >= 20  # individual synthetic events, each popup labelled SYNTHETIC


def test_tables_list_the_latest_events_of_a_large_selection(many_events):
    at = _app("strikes")
    note = next(c.value for c in at.caption if c.value.startswith("Listing the statements of"))
    matched = int(_caption(at).split(" events · ")[0].rsplit("· ", 1)[-1].replace(",", ""))
    assert f"5,000 latest of {matched:,} strikes" in note
    table = at.dataframe[0].value
    assert table["title"].nunique() <= 5000 and len(table) >= 5000


# --- pages from the layer registry, the language -----------------------------------------------------------------


def test_navigation_has_a_page_per_layer_page_in_order(store_env):
    at = _app()
    addresses = [info.get("url_pathname") for info in at._registered_pages.values()]
    assert addresses == [
        "", "captures", "strikes", "regions", "timeline", "sources", "export", "import", "add_claim", "audit"
    ]  # fmt: skip


@pytest.fixture
def shelling_spec(shelling_spec):
    """The throw-away layer with a page of its own."""
    from geo import layers

    page = layers.PageSpec(title="Shelling", url_path="shelling", figure_charts=("killed",))
    return dataclasses.replace(shelling_spec, page=page)


def test_a_registered_layer_with_a_page_gets_one(store_env, shelling):
    at = _app("shelling")
    assert at.title[0].value == "Shelling"
    assert any(f"No {shelling.nouns} match these filters" in i.value for i in at.info)
    addresses = [info.get("url_pathname") for info in at._registered_pages.values()]
    assert addresses.index("shelling") == addresses.index("regions") + 1
    assert "Shelling" in [o for o in at.sidebar.multiselect(key="f_layers").options]


def test_layer_only_filters_follow_the_selected_layers(store_env):
    at = _app()
    labels = {m.key: m.label for m in at.sidebar.multiselect}
    assert labels["f_weapons"] == "Weapon (strikes)" and labels["f_targets"] == "Target type (strikes)"
    at.sidebar.multiselect(key="f_layers").set_value(["capture"]).run()
    assert not at.exception
    assert {"f_weapons", "f_targets"}.isdisjoint(m.key for m in at.sidebar.multiselect)
    at.sidebar.multiselect(key="f_layers").set_value(["capture", "strike"]).run()
    assert "f_weapons" in [m.key for m in at.sidebar.multiselect]


_DUMMY = {
    "Overview": "Ovv-xx",
    "Strikes": "Strk-xx",
    "Filters": "Flt-xx",
    "Layers": "Lyr-xx",
    "Claimed captures": "Cap-xx",
    "Latest figures per claimant": "Latest-xx",
    "{filter} · {events} · claims by parties, not independently verified": "{filter} · {events} · caveat-xx",
    "Claims by parties, not verified.": "Map-caveat-xx",
}


@pytest.fixture
def dummy_language():
    from geo import i18n

    i18n.register(i18n.Catalog("xx", "Dummy", messages=_DUMMY))
    yield "xx"
    i18n.unregister("xx")


def test_the_lang_parameter_translates_the_interface(store_env, dummy_language):
    at = _app(lang="xx")
    assert at.title[0].value == "Ovv-xx"
    assert at.sidebar.header[0].value == "Flt-xx"
    assert at.sidebar.multiselect(key="f_layers").label == "Lyr-xx"
    assert "Cap-xx" in at.sidebar.multiselect(key="f_layers").options  # layer labels from the registry, translated
    assert _caption_with(at, "caveat-xx")
    assert _param(at, "lang") == ["xx"]  # kept in the link the filter writes
    assert "Map-caveat-xx" in _map_script(at) and "Claims by parties" not in _map_script(at)
    _switch(at, "strikes").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Strk-xx"
    assert at.subheader[0].value == "Latest-xx"
    assert _caption_with(at, "caveat-xx")
    at.sidebar.multiselect(key="f_statuses").set_value(["disputed"]).run()
    assert _param(at, "lang") == ["xx"] and _param(at, "status") == ["disputed"]
    assert at.title[0].value == "Strk-xx"
    english = _app(lang="en")  # the same filter and store: the map cache tells the languages apart
    assert "Claims by parties" in _map_script(english) and "Map-caveat-xx" not in _map_script(english)


def test_lang_en_and_unknown_languages_show_english(store_env, dummy_language):
    at = _app(lang="en")
    assert at.title[0].value == "Overview"
    assert at.sidebar.header[0].value == "Filters"
    assert "claims by parties, not independently verified" in _caption(at)
    at = _app(lang="zz")
    assert at.title[0].value == "Overview"
    assert any("lang=zz" in w.value for w in at.sidebar.warning)  # reported like any bad parameter of a link
    assert "lang" not in at.query_params
    _switch(at, "strikes").run()
    assert at.title[0].value == "Strikes"


def _caption_with(at: AppTest, text: str) -> bool:
    return any(text in c.value for c in at.caption)


def test_the_setting_chooses_the_language_of_a_link_without_one(store_env, dummy_language, monkeypatch):
    from geo import settings

    monkeypatch.setenv("CONFLICTMAP_LANG", "xx")
    settings.reload()
    try:
        at = _app()
        assert at.title[0].value == "Ovv-xx"
        assert "lang" not in at.query_params
        assert _app(lang="en").title[0].value == "Overview"  # the link wins
    finally:
        monkeypatch.delenv("CONFLICTMAP_LANG")
        settings.reload()
