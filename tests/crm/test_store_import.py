"""Storing imports: all or nothing, exact round trips, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from crm.dataset import Dataset
from crm.importers import import_directory, store_import
from crm.store import Workspace
from tests.crm.helpers import FIXTURES


def _assert_same(a: Dataset, b: Dataset) -> None:
    for name, frame in a.tables().items():
        pd.testing.assert_frame_equal(frame, b.tables()[name], check_dtype=True)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace(f"sqlite:///{tmp_path / 'ws.sqlite'}")
    yield ws
    ws.dispose()


def test_round_trip_preserves_ids_and_text(workspace: Workspace) -> None:
    result = import_directory(FIXTURES / "canonical")
    version = store_import(workspace, result, source="fixtures")
    assert version == workspace.data_version() == 1
    fresh = Workspace(workspace.url)
    try:
        stored = fresh.load_dataset()
        _assert_same(result.dataset, stored)
        assert "007" in set(stored.reps["rep_id"])
        assert "000123456789012345" in set(stored.accounts["account_id"])
        assert {"NA", "NULL"} <= set(stored.accounts["account_name"])
        assert len(fresh.quarantine()) == len(result.quarantine)
        report = fresh.imports()[0]["report"]
        assert report["counts"]["opportunities"] == 4 and report["warnings"]
    finally:
        fresh.dispose()


def test_refused_import_leaves_workspace_unchanged(workspace: Workspace) -> None:
    store_import(workspace, import_directory(FIXTURES / "canonical"), source="good")
    before, version = workspace.load_dataset(), workspace.data_version()
    bad = import_directory(FIXTURES / "canonical_bad")
    with pytest.raises(ValueError, match="nothing stored"):
        store_import(workspace, bad, source="bad")
    fresh = Workspace(workspace.url)
    try:
        assert fresh.data_version() == version
        _assert_same(before, fresh.load_dataset())
        assert len(fresh.imports()) == 1
    finally:
        fresh.dispose()


@pytest.fixture
def pg_workspace(pg_url: str) -> Iterator[Workspace]:
    ws = Workspace(pg_url)
    try:
        yield ws
    finally:
        ws.dispose()


@pytest.mark.services
def test_postgres_round_trip(pg_workspace: Workspace) -> None:
    result = import_directory(FIXTURES / "canonical")
    store_import(pg_workspace, result, source="fixtures")
    fresh = Workspace(pg_workspace.url)
    try:
        _assert_same(result.dataset, fresh.load_dataset())
    finally:
        fresh.dispose()
