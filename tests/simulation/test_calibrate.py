"""Calibration recovers the sample generator's known parameters and handles odd data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm.dataset import Dataset
from simulation.calibrate import calibrate, known_at
from simulation.scenario import Scenario

sample = pytest.importorskip("crm.sample")

AS_OF = date(2025, 6, 30)
MAVEN = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "maven-crm"


@pytest.fixture(scope="module")
def data() -> Dataset:
    return sample.generate_sample(seed=3, reps=40, as_of=AS_OF, history_months=18)


@pytest.fixture(scope="module")
def scenario(data: Dataset) -> Scenario:
    return calibrate(data, AS_OF)


def test_recovers_known_funnel_parameters(data: Dataset, scenario: Scenario) -> None:
    p = sample.SampleParams()
    ae = p.role("AE")
    reps = scenario.reps
    assert scenario.funnel == "activities"
    acts = np.mean([r.activities_per_day for r in reps])
    # weekend activity (8% of a weekday) is counted on working days: +3%
    assert acts == pytest.approx(ae.activities_per_working_day * 1.03, rel=0.12)
    a = data.activities
    ratio = a["activity_type"].isin(["Meeting", "Demo"]).mean()
    assert ratio == pytest.approx(ae.meeting_share_of_activities, rel=0.15)
    assert scenario.ramp_months == pytest.approx(p.ramp_months, abs=1.5)


def test_recovers_deal_types(scenario: Scenario) -> None:
    truth = {d.name: d for d in sample.SampleParams().deal_types}
    got = {d.name: d for d in scenario.deal_types}
    assert set(got) == {"small_new_business", "large_new_business", "add_on"}
    for name in got:
        assert got[name].win_rate == pytest.approx(truth[name].win_rate, abs=0.06)
        assert got[name].cycle_median_days == pytest.approx(
            truth[name].cycle_median_days, rel=0.2
        )
        assert got[name].size_median_usd == pytest.approx(
            truth[name].amount_median_usd, rel=0.3
        )
    acv_share = 1 - truth["renewal"].share
    assert got["add_on"].mix_share == pytest.approx(
        truth["add_on"].share / acv_share, abs=0.05
    )


def test_world_at_as_of(data: Dataset, scenario: Scenario) -> None:
    o = data.opportunities
    open_acv = o[o["type"].isin(["New Business", "Add-On"]) & ~o["is_closed"]]
    assert 0.8 * len(open_acv) <= len(scenario.open_opportunities) <= len(open_acv)
    assert all(x.age_days >= 0 for x in scenario.open_opportunities)
    current = data.reps[(data.reps["role"] == "AE") & data.reps["end_date"].isna()]
    assert {r.rep_id for r in scenario.reps} == set(current["rep_id"])
    assert Scenario.from_json(scenario.to_json()) == scenario


def test_known_at_hides_the_future(data: Dataset) -> None:
    cut = pd.Timestamp("2025-01-31")
    k = known_at(data, cut)
    assert (k.opportunities["created_date"] <= cut).all()
    assert (k.activities["activity_date"] <= cut).all()
    closed = k.opportunities[k.opportunities["is_closed"]]
    assert (closed["close_date"] <= cut).all()
    reopened = data.opportunities[
        data.opportunities["is_closed"]
        & (data.opportunities["close_date"] > cut)
        & (data.opportunities["created_date"] <= cut)
    ]
    still = k.opportunities.set_index("opportunity_id").loc[reopened["opportunity_id"]]
    assert not still["is_won"].any()


def test_no_activities_falls_back_to_opportunity_creation(data: Dataset) -> None:
    empty = data.with_table("activities", data.activities.iloc[0:0])
    s = calibrate(empty, AS_OF, horizon_months=3)
    assert s.funnel == "opportunities"
    assert np.mean([r.opportunities_per_day for r in s.reps]) > 0


@pytest.mark.skipif(not MAVEN.is_dir(), reason="shared Maven data not present")
def test_maven_dataset_calibrates_and_runs() -> None:
    importers = pytest.importorskip("crm.importers.core")
    from simulation.runner import run

    result = importers.import_directory(MAVEN, "maven")
    assert result.ok
    s = calibrate(result.dataset, date(2017, 6, 30), horizon_months=3)
    assert s.funnel == "opportunities"
    res = run(s, 10, 0)
    assert "activities" not in res.metrics
    assert res.metric("closed_won_acv").sum(axis=1).mean() > 0
