"""AppTest for every page of the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store_env(tmp_path, monkeypatch):
    path = tmp_path / "conflict.gpkg"
    monkeypatch.setenv("CONFLICTMAP_STORE", str(path))
    settings.reload()
    yield path
    monkeypatch.delenv("CONFLICTMAP_STORE")
    settings.reload()


def test_overview_on_bundled_data(store_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"capture events": "18", "strike events": "8", "impact events": "2", "talks events": "3"}
    assert "Claims by parties to the war" in at.sidebar.caption[0].value


def test_overview_on_empty_store(store_env):
    from geo.store import open_store

    open_store(str(store_env), create=True, seed=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "holds no events" in at.info[0].value
