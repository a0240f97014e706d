"""The dashboard's view of the store (ui/data.py): opened by location, cached on the store's version, errors shown."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import i18n, settings
from geo.filters import Filter
from geo.store import open_store
from tests.test_store_contract import _claims, _events
from ui import data

ROOT = Path(__file__).resolve().parents[1]


def test_a_postgis_url_is_an_error_on_the_page_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("CONFLICTMAP_STORE", "postgresql://analyst:s3cret@db.example.org/conflict")
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(tmp_path / "cache"))
    settings.reload()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
    finally:
        monkeypatch.delenv("CONFLICTMAP_STORE")
        monkeypatch.delenv("CONFLICTMAP_CACHE_DIR")
        settings.reload()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "cannot reach the database" in errors[0], errors
    assert "s3cret" not in errors[0] and "analyst:***@db.example.org" in errors[0]


def test_outside_a_page_run_the_error_is_raised_for_the_caller_to_log(monkeypatch):
    from geo.errors import GeoError

    monkeypatch.setenv("CONFLICTMAP_STORE", "postgresql://db.example.org/conflict")
    settings.reload()
    try:
        with pytest.raises(GeoError, match="cannot reach the database"):
            data.load()
    finally:
        monkeypatch.delenv("CONFLICTMAP_STORE")
        settings.reload()


def test_the_caches_follow_the_store_version(store_env):
    flt = Filter()
    first = data.load()
    assert store_env.exists() and len(first.events) == 31  # built from the bundled dataset on first use
    key = data.cache_key(flt)
    assert key == data.cache_key(flt) and key[0] == data.location() and key[-1] == flt
    assert data.load() is first  # nothing changed: the same cached data
    events, claims = _events(), _claims()
    open_store(store_env).write(events, claims, dataset="test")  # another store object, as an import would
    assert data.cache_key(flt) != key
    assert len(data.load().events) == 35 and len(data.events(flt)) == 35
    assert len(data.filtered(flt)[1]) == len(first.claims) + len(claims)


def test_a_store_removed_while_the_dashboard_runs_is_built_again(store_env):
    assert len(data.load().events) == 31
    open_store(store_env).write(_events(), _claims(), dataset="test")
    assert len(data.load().events) == 35
    store_env.unlink()
    assert len(data.load().events) == 31


def test_key_figures_are_cached_per_language(store_env, monkeypatch):
    from geo import stats

    seen: list[str] = []
    original = stats.key_figures

    def recording(events):
        seen.append(i18n.language())
        return original(events)

    monkeypatch.setattr(stats, "key_figures", recording)
    flt = Filter(date_from="2026-02-15")
    first = data.key_figures(flt)
    assert data.key_figures(flt) == first
    with i18n.using("xx"):
        data.key_figures(flt)
        data.key_figures(flt)
    assert seen == ["en", "xx"]


def test_the_dashboard_never_touches_the_store_files_itself():
    source = inspect.getsource(data)
    assert "os.stat" not in source and "os.path" not in source and not hasattr(data, "os")
