"""Shared fixtures."""

from __future__ import annotations

import pytest

from geo.store.gpkg import GeoPackageStore


@pytest.fixture
def tmp_store(tmp_path) -> GeoPackageStore:
    """An empty GeoPackage store in a temporary folder (not seeded)."""
    return GeoPackageStore(tmp_path / "store.gpkg")
