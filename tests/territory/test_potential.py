"""Potential: each component from the data, the weights, and the territory roll-up."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm.dataset import Dataset
from territory.plan import current_plan
from territory.potential import (
    PotentialWeights,
    account_potential,
    industry_benchmarks,
    territory_potential,
)

D = pd.Timestamp("2025-06-30")


def _opp(i, account, kind, amount, created, close, closed, won):
    return {
        "opportunity_id": f"o{i}",
        "account_id": account,
        "owner_id": "r1",
        "type": kind,
        "stage": "s",
        "amount": amount,
        "created_date": created,
        "close_date": close,
        "is_closed": closed,
        "is_won": won,
    }


@pytest.fixture
def ds() -> Dataset:
    opps = [
        _opp(1, "a1", "New Business", 100.0, "2024-09-01", "2025-01-15", True, True),
        _opp(
            2, "a1", "Add-On", 50.0, "2024-01-01", "2024-05-01", True, True
        ),  # > 12 months
        _opp(
            3, "a1", "Renewal", 999.0, "2025-01-01", "2025-02-01", True, True
        ),  # not ACV
        _opp(
            4, "a1", "New Business", 40.0, "2025-05-01", "2025-08-01", False, False
        ),  # open
        _opp(
            5, "a2", "New Business", 300.0, "2025-01-01", "2025-03-01", True, False
        ),  # lost
        _opp(
            6, "a2", "New Business", 70.0, "2025-03-01", "2025-07-15", True, True
        ),  # won after D: open at D
        _opp(
            7, "a2", "New Business", 500.0, "2025-07-05", "2025-08-01", False, False
        ),  # after D
        _opp(
            8, None, "New Business", 800.0, "2025-01-01", "2025-02-01", True, True
        ),  # no account
    ]
    return Dataset.from_frames(
        {
            "reps": pd.DataFrame(
                {
                    "rep_id": ["r1"],
                    "rep_name": ["A"],
                    "team": ["t"],
                    "hire_date": ["2020-01-01"],
                }
            ),
            "accounts": pd.DataFrame(
                {
                    "account_id": ["a1", "a2", "a3"],
                    "account_name": ["x", "y", "z"],
                    "industry": ["Retail", "Retail", "Media"],
                    "employees": [100, 400, None],
                    "owner_id": ["r1", "r1", "r1"],
                }
            ),
            "opportunities": pd.DataFrame(opps),
            "activities": pd.DataFrame(
                {
                    "activity_id": ["x1", "x2", "x3"],
                    "owner_id": ["r1"] * 3,
                    "activity_type": ["Call"] * 3,
                    "activity_date": [
                        "2025-06-30",
                        "2025-04-02",
                        "2025-04-01",
                    ],  # last: 90 d before D, out
                    "account_id": ["a1", "a1", "a1"],
                }
            ),
        }
    )


def test_components_follow_the_definitions(ds: Dataset) -> None:
    out = account_potential(ds, D).set_index("account_id")
    assert out.loc["a1", "won_acv_12m_usd"] == 100.0
    assert (
        out.loc["a1", "open_pipeline_usd"] == 40.0 and out.loc["a1", "open_deals"] == 1
    )
    assert out.loc["a2", "won_acv_12m_usd"] == 0.0
    assert out.loc["a2", "open_pipeline_usd"] == 70.0  # closes after D: still open at D
    assert out.loc["a1", "activities_90d"] == 2
    assert out.loc["a3", "won_acv_12m_usd"] == 0.0 and out.loc["a3", "open_deals"] == 0
    assert (out["potential_usd"] >= 0).all()


def test_weights_select_components(ds: Dataset) -> None:
    hist = account_potential(
        ds, D, PotentialWeights(history=1, pipeline=0, benchmark=0)
    )
    assert list(hist["potential_usd"]) == pytest.approx([100.0, 0.0, 0.0])
    pipe = account_potential(
        ds, D, PotentialWeights(history=0, pipeline=1, benchmark=0)
    )
    rate = pipe.set_index("account_id")["win_rate"]
    assert list(pipe["potential_usd"]) == pytest.approx(
        [40 * rate["a1"], 70 * rate["a2"], 0.0]
    )
    mixed = account_potential(
        ds, D, PotentialWeights(history=1, pipeline=1, benchmark=0)
    )
    assert list(mixed["potential_usd"]) == pytest.approx(
        (hist["potential_usd"] + pipe["potential_usd"]).to_numpy() / 2
    )
    with pytest.raises(ValueError):
        PotentialWeights(history=0, pipeline=0, benchmark=0)
    with pytest.raises(ValueError):
        PotentialWeights(history=-1)


def test_industry_win_rates_shrink_towards_the_book(ds: Dataset) -> None:
    raw = industry_benchmarks(ds, D, PotentialWeights(shrinkage_accounts=0)).set_index(
        "industry"
    )
    # Retail closed in the window: won 100, lost 300 -> 25%
    assert raw.loc["Retail", "win_rate"] == pytest.approx(0.25)
    assert raw.loc["Retail", "won_acv_per_account_usd"] == pytest.approx(50.0)
    shrunk = industry_benchmarks(ds, D).set_index("industry")
    # Media has no history: it borrows the book's win rate (100 / 400) and yield
    assert shrunk.loc["Media", "win_rate"] == pytest.approx(0.25)
    assert 0 < shrunk.loc["Media", "won_acv_per_account_usd"] < 50.0


def test_benchmark_adds_up_to_the_industry_yield(ds: Dataset) -> None:
    w = PotentialWeights(history=0, pipeline=0, benchmark=1)
    out = account_potential(ds, D, w)
    bench = industry_benchmarks(ds, D, w).set_index("industry")
    retail = out[out["industry"] == "Retail"]
    assert retail["benchmark_usd"].sum() == pytest.approx(
        2 * bench.loc["Retail", "won_acv_per_account_usd"]
    )
    # the larger account gets the larger share
    assert (
        retail.set_index("account_id").loc["a2", "benchmark_usd"]
        > retail.set_index("account_id").loc["a1", "benchmark_usd"]
    )


def test_territory_rollup(ds: Dataset) -> None:
    plan = current_plan(ds, start_date=dt.date(2025, 7, 1))
    out = territory_potential(plan, ds, D)
    acc = account_potential(ds, D)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["account_count"] == 3
    assert row["potential_usd"] == pytest.approx(acc["potential_usd"].sum())
    assert row["open_deals"] == 2 and row["activities_90d"] == 2
    assert row["open_pipeline_usd"] == pytest.approx(110.0)
