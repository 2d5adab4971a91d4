"""The workspace's read caches agree with the database after every kind of write."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from crm.sample import generate_sample
from crm.store import Workspace

KEYS = {"opportunities": "opportunity_id", "activities": "activity_id"}


def _same(a: pd.DataFrame, b: pd.DataFrame, key: str | None) -> None:
    if key:
        a, b = a.sort_values(key), b.sort_values(key)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_an_upsert_merged_into_the_cache_equals_a_fresh_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    ds = generate_sample(seed=1, reps=5)
    ws = Workspace(url)
    ws.replace_dataset(ds, source="t", fmt="sample")
    ws.load_dataset()
    changed = ds.opportunities.iloc[:3].copy()
    changed["amount"] = 123.0
    new_activity = ds.activities.iloc[:1].copy()
    new_activity["activity_id"] = "NEW-1"
    version = ws.upsert_rows({"opportunities": changed, "activities": new_activity})
    merged = ws.load_dataset()
    fresh = Workspace(url).load_dataset()
    assert version == 2
    for name, frame in merged.tables().items():
        _same(frame, fresh.tables()[name], KEYS.get(name))
    assert (merged.opportunities.set_index("opportunity_id").loc[changed["opportunity_id"], "amount"] == 123.0).all()
    assert len(merged.activities) == len(ds.activities) + 1


def test_the_snapshot_written_at_import_is_what_another_process_reads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    ds = generate_sample(seed=4, reps=4)
    writer = Workspace(url, snapshot_dir=tmp_path / "snap")
    version = writer.replace_dataset(ds, source="t", fmt="sample")
    assert any((tmp_path / "snap").glob(f"*-v{version}/done"))
    reader = Workspace(url, snapshot_dir=tmp_path / "snap")
    from_snapshot = reader.load_dataset()
    from_database = Workspace(url).load_dataset()
    for name, frame in from_snapshot.tables().items():
        _same(frame, from_database.tables()[name], None)


def test_a_failed_write_keeps_data_and_cache(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    ds = generate_sample(seed=2, reps=4)
    ws = Workspace(url)
    ws.replace_dataset(ds, source="t", fmt="sample")
    before = ws.load_dataset()
    broken = ds.opportunities.iloc[:1].copy()
    broken["owner_id"] = None  # NOT NULL in the database: the transaction must roll back
    with pytest.raises(sa.exc.IntegrityError):
        ws.upsert_rows({"opportunities": broken})
    assert ws.data_version() == 1
    _same(Workspace(url).load_dataset().opportunities, before.opportunities, "opportunity_id")
    assert ws.load_dataset() is before
