"""Forecast shape, an honest backtest on generated data, and driver attribution."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from simulation.forecast import backtest, forecast
from simulation.scenario import Scenario
from simulation.variance import explain_gap, scenario_drivers

sample = pytest.importorskip("crm.sample")


@pytest.fixture(scope="module")
def data():
    return sample.generate_sample(
        seed=5, reps=24, as_of=date(2025, 6, 30), history_months=18
    )


def test_forecast_csv_shape(data) -> None:
    df = forecast(data, date(2025, 6, 30), months=3, replications=25, seed=1)
    assert list(df.columns) == ["month", "scope", "metric", "p10", "p50", "p90", "mean"]
    assert set(df["month"]) == {"2025-07", "2025-08", "2025-09"}
    assert df["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert {
        "closed_won_acv",
        "pipeline_created_acv",
        "activities",
        "meetings",
        "attainment",
    } <= set(df["metric"])
    scopes = set(df["scope"])
    assert "team" in scopes
    assert any(s.startswith("rep:") for s in scopes) and any(
        s.startswith("territory:") for s in scopes
    )


def test_backtest_covers_most_months(data) -> None:
    out = backtest(data, date(2024, 12, 31), months=6, replications=60, seed=2)
    assert set(out) == {"months", "coverage_p10_p90", "mape_p50"}
    assert [m["month"] for m in out["months"]] == [f"2025-{i:02d}" for i in range(1, 7)]
    assert set(out["months"][0]) == {"month", "actual", "p10", "p50", "p90"}
    assert out["coverage_p10_p90"] >= 0.5
    assert out["mape_p50"] < 0.35
    json.dumps(out)


def test_explain_gap_attributes_conversion_to_conversion(small: Scenario) -> None:
    calm = small.model_copy(update={"attrition_base_monthly_hazard": 0.0})
    actual = scenario_drivers(calm)
    actual["win_rate"] *= 1.3
    gap = explain_gap(calm, actual, replications=25, seed=4).set_index("driver")
    assert gap.loc["conversion", "delta_mean"] > 0
    for other in ("activity_volume", "deal_size", "cycle_time"):
        assert gap.loc[other, "delta_mean"] == pytest.approx(0.0, abs=1e-6)
    assert gap.loc["all_drivers", "delta_mean"] == pytest.approx(
        gap.loc["conversion", "delta_mean"]
    )
    assert np.isfinite(gap["delta_p50"]).all()
