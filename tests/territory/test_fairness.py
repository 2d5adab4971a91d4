"""Fairness measures against hand computations, and the report's shape."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from territory.fairness import (
    balance_index,
    coefficient_of_variation,
    fairness_report,
    gini,
    max_min_ratio,
    outcome_fairness,
    share_within_tolerance,
    spread,
)
from territory.plan import Plan, TbhSeat, Territory, current_plan
from tests.territory.factory import AS_OF, make_dataset


def test_gini_hand_values() -> None:
    assert gini([1, 1, 1, 1]) == 0.0
    # sum over ordered pairs |xi - xj| = 6; 6 / (2 * 4^2 * 0.25) = 0.75
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)
    # [1, 2, 3, 4]: pair sum 20, 20 / (2 * 16 * 2.5) = 0.25
    assert gini([4, 1, 3, 2]) == pytest.approx(0.25)
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0
    rng = np.random.default_rng(np.random.SeedSequence(1))
    x = rng.gamma(2.0, size=50)
    brute = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(x) == pytest.approx(brute)
    with pytest.raises(ValueError):
        gini([1, -1])


def test_cv_ratio_index_tolerance_hand_values() -> None:
    v = [2.0, 4.0, 6.0, 8.0]  # mean 5, population sd sqrt(5)
    assert coefficient_of_variation(v) == pytest.approx(math.sqrt(5) / 5)
    assert max_min_ratio(v) == pytest.approx(4.0)
    assert max_min_ratio([0, 3]) == math.inf
    assert max_min_ratio([5, 5]) == 1.0
    assert list(balance_index(v)) == pytest.approx([0.4, 0.8, 1.2, 1.6])
    # mean 100: indexes 0.80 (out), 1.00, 1.15 (the bound is in), 1.05
    assert share_within_tolerance([80, 100, 115, 105]) == pytest.approx(0.75)
    assert share_within_tolerance(v, tolerance=0.2) == pytest.approx(0.5)
    s = spread([0, 3])
    assert s["max_min_ratio"] is None and s["gini"] == pytest.approx(0.5)  # (n - 1) / n


def test_report_matches_its_own_territories() -> None:
    ds = make_dataset(300, 5)
    plan = current_plan(ds, start_date=dt.date(2025, 7, 1))
    rep = fairness_report(plan, ds, AS_OF)
    json.dumps(rep, allow_nan=False)  # strict JSON: no NaN or Infinity
    pot = [t["potential_usd"] for t in rep["territories"]]
    assert len(pot) == 5 and rep["territory_count"] == 5
    assert rep["gini_potential"] == pytest.approx(gini(pot))
    assert rep["cv_potential"] == pytest.approx(coefficient_of_variation(pot))
    assert rep["max_min_ratio"] == pytest.approx(max(pot) / min(pot))
    assert rep["share_within_tolerance"] == pytest.approx(share_within_tolerance(pot))
    assert sum(t["account_count"] for t in rep["territories"]) == 300
    # the factory skews ownership towards r00, so the current plan is visibly unfair
    assert rep["gini_potential"] > 0.1
    assert (
        rep["territories"][0]["index"] > 1.15
        and not rep["territories"][0]["within_tolerance"]
    )
    assert rep["outcomes"] is None


def test_empty_territory_gives_null_ratio_and_tbh_fields() -> None:
    ds = make_dataset(50, 2)
    base = current_plan(ds, start_date=dt.date(2025, 7, 1))
    seat = Territory(
        territory_id="TBH",
        owner=TbhSeat(start_date=dt.date(2025, 9, 1), covering_rep_id="r00"),
    )
    plan = Plan(
        name="x", start_date=base.start_date, territories=(*base.territories, seat)
    )
    rep = fairness_report(plan, ds, AS_OF)
    assert rep["max_min_ratio"] is None
    row = rep["territories"][-1]
    assert row["is_tbh"] and row["owner_rep_id"] is None
    assert row["tbh_start_date"] == "2025-09-01" and row["covering_rep_id"] == "r00"
    assert row["potential_usd"] == 0.0


def test_outcome_fairness_spread() -> None:
    sim = pd.DataFrame(
        {
            "scope": ["team", "territory:A", "territory:B", "territory:C", "rep:r1"],
            "p_hit_annual_quota": [0.5, 0.2, 0.5, 0.8, 0.9],
            "p10_annual_attainment": [0.5, 0.4, 0.7, 1.0, 0.1],
            "p50_annual_attainment": [0.9, 0.8, 1.0, 1.2, 0.1],
            "p90_annual_attainment": [1.2, 1.2, 1.3, 1.4, 0.1],
        }
    )
    out = outcome_fairness(sim)
    assert [t["territory_id"] for t in out["territories"]] == ["A", "B", "C"]
    assert out["p_hit_annual_quota"]["range"] == pytest.approx(0.6)
    assert out["p_hit_annual_quota"]["std"] == pytest.approx(np.std([0.2, 0.5, 0.8]))
    assert out["p50_attainment"]["min"] == pytest.approx(0.8)
    assert out["mean_band_width"] == pytest.approx((0.8 + 0.6 + 0.4) / 3)
    with pytest.raises(KeyError, match="p_hit"):
        outcome_fairness(sim.drop(columns="p_hit_annual_quota"))
    renamed = sim.rename(
        columns={
            "p_hit_annual_quota": "p_hit_quota",
            "p50_annual_attainment": "p50_attainment",
        }
    )
    assert outcome_fairness(renamed)["p_hit_annual_quota"]["max"] == pytest.approx(0.8)
