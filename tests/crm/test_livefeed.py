"""The demo live feed: valid, fresh, reproducible batches at the sample's rates."""

from __future__ import annotations

import json
import re
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from crm.dataset import Dataset
from crm.livefeed import WORKING_MINUTES_PER_DAY, next_batch
from crm.sample import (
    OPEN_STAGES,
    STAGE_FORECAST_CATEGORY,
    STAGES,
    SampleParams,
    generate_sample,
)
from crm.schema import ACTIVITIES, ACTIVITY_TYPES, OPPORTUNITIES

NOW = datetime(2025, 6, 18, 10, 30)  # a Wednesday, the sample's as_of
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return generate_sample(seed=7, reps=40, as_of=NOW.date())


def _active_rep_ids(ds: Dataset) -> set[str]:
    r = ds.reps
    day = pd.Timestamp(NOW.date())
    return set(r.loc[(r["hire_date"] <= day) & (r["end_date"].isna() | (r["end_date"] >= day)), "rep_id"])


def test_batch_is_json_with_complete_canonical_rows(ds: Dataset) -> None:
    batch = next_batch(ds, NOW, np.random.default_rng(1), minutes=60)
    assert set(batch) == {"opportunities", "activities"}
    assert batch["activities"] and batch["opportunities"]
    assert json.loads(json.dumps(batch)) == batch
    for row in batch["activities"]:
        assert tuple(row) == ACTIVITIES.column_names
        assert row["activity_date"] == NOW.date().isoformat()
        assert row["activity_type"] in ACTIVITY_TYPES
    for row in batch["opportunities"]:
        assert tuple(row) == OPPORTUNITIES.column_names
        for col in ("created_date", "close_date", "last_activity_date"):
            assert DATE.fullmatch(row[col])
        assert row["stage"] in STAGES
        assert row["forecast_category"] == STAGE_FORECAST_CATEGORY[row["stage"]]
        assert row["is_won"] <= row["is_closed"]


def test_batch_references_existing_reps_and_uses_fresh_ids(ds: Dataset) -> None:
    batch = next_batch(ds, NOW, np.random.default_rng(2), minutes=120)
    acts, opps = batch["activities"], batch["opportunities"]
    reps = _active_rep_ids(ds)
    known_opps = set(ds.opportunities["opportunity_id"])
    known_accounts = set(ds.accounts["account_id"])
    new = [o for o in opps if o["opportunity_id"] not in known_opps]
    assert new, "a two-hour batch creates opportunities"
    assert all(o["stage"] == OPEN_STAGES[0] and o["created_date"] == NOW.date().isoformat() for o in new)
    assert {a["owner_id"] for a in acts} <= reps
    assert {o["owner_id"] for o in new} <= reps
    assert {a["account_id"] for a in acts} <= known_accounts
    assert {o["account_id"] for o in opps} <= known_accounts
    act_ids = [a["activity_id"] for a in acts]
    assert len(set(act_ids)) == len(act_ids)
    assert not set(act_ids) & set(ds.activities["activity_id"])
    opp_ids = [o["opportunity_id"] for o in opps]
    assert len(set(opp_ids)) == len(opp_ids)
    linked = {a["opportunity_id"] for a in acts} - {None}
    assert linked <= known_opps | {o["opportunity_id"] for o in new}


def test_stage_changes_move_open_deals_forward(ds: Dataset) -> None:
    batch = next_batch(ds, NOW, np.random.default_rng(3), minutes=240)
    before = ds.opportunities.set_index("opportunity_id")
    changed = [o for o in batch["opportunities"] if o["opportunity_id"] in before.index]
    assert changed
    order = {s: i for i, s in enumerate(STAGES)}
    for row in changed:
        old = before.loc[row["opportunity_id"]]
        assert not old["is_closed"]
        assert order[row["stage"]] > order[old["stage"]]
        assert row["amount"] == old["amount"] and row["owner_id"] == old["owner_id"]
        if row["is_closed"]:
            assert row["close_date"] == NOW.date().isoformat() and row["next_step"] is None
        else:
            assert row["close_date"] >= NOW.date().isoformat()


def test_same_generator_state_gives_the_same_batch(ds: Dataset) -> None:
    a = next_batch(ds, NOW, np.random.default_rng(9), minutes=30)
    b = next_batch(ds, NOW, np.random.default_rng(9), minutes=30)
    c = next_batch(ds, NOW, np.random.default_rng(10), minutes=30)
    assert a == b
    assert a != c


def test_zero_minutes_is_an_empty_batch(ds: Dataset) -> None:
    assert next_batch(ds, NOW, np.random.default_rng(1), minutes=0) == {"opportunities": [], "activities": []}
    with pytest.raises(ValueError):
        next_batch(ds, NOW, np.random.default_rng(1), minutes=-1)


def test_activity_rate_matches_the_sample_model(ds: Dataset) -> None:
    p = SampleParams()
    rng = np.random.default_rng(4)
    minutes, batches = 60.0, 20
    total = sum(len(next_batch(ds, NOW, rng, minutes)["activities"]) for _ in range(batches))
    reps = ds.reps[ds.reps["rep_id"].isin(_active_rep_ids(ds))]
    tenure = (pd.Timestamp(NOW.date()) - reps["hire_date"]).dt.days / 30.4375
    ramp = p.ramp_start_productivity + (1 - p.ramp_start_productivity) * np.clip(tenure / p.ramp_months, 0, 1)
    rate = reps["role"].map({r.role: r.activities_per_working_day for r in p.roles}) * ramp
    expected = rate.sum() * p.seasonality_by_month[NOW.month - 1] * minutes * batches / WORKING_MINUTES_PER_DAY
    assert total == pytest.approx(expected, rel=4 / np.sqrt(expected))


def test_weekends_are_quieter(ds: Dataset) -> None:
    saturday = datetime(2025, 6, 21, 10, 30)
    weekday = sum(len(next_batch(ds, NOW, np.random.default_rng(k), 120)["activities"]) for k in range(5))
    weekend = sum(len(next_batch(ds, saturday, np.random.default_rng(k), 120)["activities"]) for k in range(5))
    assert weekend < 0.3 * weekday


def test_batch_ids_stay_fresh_after_applying_a_batch(ds: Dataset) -> None:
    rng = np.random.default_rng(5)
    first = next_batch(ds, NOW, rng, minutes=30)
    acts = pd.concat([ds.activities, pd.DataFrame(first["activities"])], ignore_index=True)
    grown = ds.with_table("activities", acts)
    second = next_batch(grown, NOW, rng, minutes=30)
    ids = {a["activity_id"] for a in second["activities"]}
    assert ids and not ids & set(grown.activities["activity_id"])


def test_batch_passes_the_events_api_validation(ds: Dataset) -> None:
    events = pytest.importorskip("crm.events")
    batch = next_batch(ds, NOW, np.random.default_rng(6), minutes=240)
    valid = events.validate_event_batch(batch, known_rep_ids=set(ds.reps["rep_id"]))
    assert not valid.warnings
    assert len(valid.opportunities) == len(batch["opportunities"])
    assert len(valid.activities) == len(batch["activities"])
    assert list(valid.opportunities["opportunity_id"]) == [o["opportunity_id"] for o in batch["opportunities"]]
