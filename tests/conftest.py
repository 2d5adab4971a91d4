"""Shared fixtures: isolated settings (a temporary workspace and cache) per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded defaults in a temporary folder: SQLite workspace, simple cache, no demo."""
    return Settings(data_dir=tmp_path / "data", cache_type="simple", seed_demo=False, api_token="test-token")
