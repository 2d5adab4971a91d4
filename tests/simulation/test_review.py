"""The monthly review: actuals counted like the model, band flags, the driver
explanation on cases with a known cause, and the re-forecast."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crm.dataset import Dataset
from crm.sample import generate_sample
from simulation.calibrate import calibrate
from simulation.review import (
    FLAG_ABOVE,
    FLAG_BELOW,
    FLAG_INSIDE,
    actual_monthly,
    anchor,
    complete_months,
    explain,
    flag,
    months_left_in,
    reforecast,
    review,
    with_territories,
)
from simulation.scenario import Scenario

AS_OF = date(2025, 6, 30)
TRAIN_END = date(2024, 12, 31)


@pytest.fixture(scope="module")
def tiny() -> Dataset:
    """Two AEs and an SDR, a handful of deals and activities, dated by hand."""
    reps = pd.DataFrame(
        {
            "rep_id": ["A", "B", "S"],
            "rep_name": ["Ann", "Bob", "Sue"],
            "team": ["East", "East", "East"],
            "role": ["AE", "AE", "SDR"],
            "hire_date": ["2024-01-01"] * 3,
        }
    )
    accounts = pd.DataFrame(
        {"account_id": ["a1", "a2", "a3"], "account_name": ["X", "Y", "Z"], "owner_id": ["A", "A", "B"]}
    )
    opps = pd.DataFrame(
        {
            "opportunity_id": [f"o{i}" for i in range(7)],
            "account_id": ["a1", "a2", "a3", "a3", "a1", "a3", "a2"],
            "owner_id": ["A", "A", "B", "B", "A", "B", "A"],
            "type": ["New Business", "Add-On", "New Business", "Renewal", "New Business", "New Business", "New Business"],
            "stage": ["Closed Won", "Closed Won", "Closed Won", "Closed Won", "Closed Lost", "Closed Won", "Open"],
            "amount": [100.0, 50.0, 70.0, 999.0, 30.0, 20.0, 40.0],
            "created_date": ["2024-12-15", "2025-01-10", "2025-01-20", "2025-01-05", "2025-02-01", "2025-02-10", "2025-03-05"],
            "close_date": ["2025-01-31", "2025-02-01", "2025-02-28", "2025-02-15", "2025-02-20", "2025-03-02", "2025-06-30"],
            "is_closed": [True, True, True, True, True, True, False],
            "is_won": [True, True, True, True, False, True, False],
        }
    )
    acts = pd.DataFrame(
        {
            "activity_id": [f"x{i}" for i in range(6)],
            "owner_id": ["A", "A", "B", "S", "B", "A"],
            "activity_type": ["Call", "Meeting", "Demo", "Meeting", "Email", "Call"],
            "activity_date": ["2025-01-02", "2025-01-03", "2025-02-04", "2025-02-05", "2025-02-06", "2025-03-31"],
            "account_id": ["a1", "a2", "a3", "a3", "a3", "a1"],
        }
    )
    return Dataset.from_frames({"reps": reps, "accounts": accounts, "opportunities": opps, "activities": acts})


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return generate_sample(seed=1, reps=20, as_of=AS_OF)


@pytest.fixture(scope="module")
def plan(sample: Dataset) -> Scenario:
    return calibrate(sample, TRAIN_END, horizon_months=12)


# ---------------------------------------------------------------------------- actuals


def test_actual_monthly_matches_a_hand_count(tiny: Dataset) -> None:
    team = actual_monthly(tiny, date(2025, 1, 1), date(2025, 3, 31)).set_index("month")
    assert list(team.index) == ["2025-01", "2025-02", "2025-03"]
    # won ACV by close month; the renewal (999) never counts, the lost deal neither
    assert team["closed_won_acv"].tolist() == [100.0, 50.0 + 70.0, 20.0]
    # created ACV by created month (o0 was created in December: outside the range)
    assert team["pipeline_created_acv"].tolist() == [50.0 + 70.0, 30.0 + 20.0, 40.0]
    # AEs' activities only: the SDR's meeting is not simulated, so not counted
    assert team["activities"].tolist() == [2, 2, 1]
    assert team["meetings"].tolist() == [1, 1, 0]


def test_actual_monthly_per_rep_and_territory(tiny: Dataset) -> None:
    ann = actual_monthly(tiny, date(2025, 1, 1), date(2025, 3, 31), "rep:A")
    assert ann["closed_won_acv"].tolist() == [100.0, 50.0, 0.0]
    assert ann["activities"].tolist() == [2, 0, 1]
    # territory B (by default the accounts B owns: a3) sees the deals on a3
    terr = actual_monthly(tiny, date(2025, 1, 1), date(2025, 3, 31), "territory:B")
    assert terr["closed_won_acv"].tolist() == [0.0, 70.0, 20.0]
    # a plan's own cut: a territory of accounts a1 and a3
    cut = actual_monthly(tiny, date(2025, 1, 1), date(2025, 3, 31), "territory:T1", {"T1": ["a1", "a3"]})
    assert cut["closed_won_acv"].tolist() == [100.0, 70.0, 20.0]
    assert cut["meetings"].tolist() == [0, 1, 0]


def test_actual_monthly_respects_the_window_and_rejects_bad_scopes(tiny: Dataset) -> None:
    part = actual_monthly(tiny, date(2025, 2, 1), date(2025, 2, 27))
    assert part["closed_won_acv"].tolist() == [50.0]  # the Feb 28 close is after the end
    with pytest.raises(ValueError, match="scope"):
        actual_monthly(tiny, date(2025, 1, 1), date(2025, 1, 31), "region:EU")


# ---------------------------------------------------------------------------- flags and months


def test_flag_marks_months_outside_the_band() -> None:
    assert flag(5.0, 10.0, 20.0) == FLAG_BELOW
    assert flag(25.0, 10.0, 20.0) == FLAG_ABOVE
    assert flag(10.0, 10.0, 20.0) == FLAG_INSIDE
    assert flag(20.0, 10.0, 20.0) == FLAG_INSIDE
    assert flag(None, 10.0, 20.0) is None
    assert flag(5.0, float("nan"), 20.0) is None


def test_complete_months_and_months_left() -> None:
    assert complete_months("2025-01", date(2025, 3, 30)) == ["2025-01", "2025-02"]
    assert complete_months("2025-01", date(2025, 3, 31)) == ["2025-01", "2025-02", "2025-03"]
    assert complete_months("2025-04", date(2025, 3, 31)) == []
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    assert months_left_in(months, date(2025, 6, 30)) == 6
    assert months_left_in(months, date(2025, 6, 15)) == 7
    with pytest.raises(ValueError, match="YYYY-MM"):
        complete_months("March", date(2025, 3, 31))


def test_anchor_moves_only_the_start(plan: Scenario) -> None:
    moved = anchor(plan, "2025-03")
    assert moved.start_date == date(2025, 2, 28)
    assert moved.reps == plan.reps and moved.deal_types == plan.deal_types
    assert anchor(plan, "2025-01") is plan
    assert anchor(plan, "2025-01", horizon_months=3).horizon_months == 3


def test_with_territories_vacates_unknown_owners(plan: Scenario) -> None:
    rep = plan.reps[0].rep_id
    out = with_territories(
        plan,
        [
            {"territory_id": "T1", "owner_rep_id": rep, "account_count": 5, "account_ids": ["a"], "open_pipeline_usd": 1.0},
            {"territory_id": "T2", "owner_rep_id": "gone", "covering_rep_id": rep, "potential_usd": 1e6},
        ],
    )
    assert [t.territory_id for t in out.territories] == ["T1", "T2"]
    assert out.territories[1].owner_rep_id is None
    assert out.territories[1].team == plan.reps[0].team


# ---------------------------------------------------------------------------- review


def test_review_bands_actuals_and_flags(sample: Dataset, plan: Scenario) -> None:
    res = review(sample, plan, "2025-01", date(2025, 6, 15), replications=20, seed=3)
    json.dumps(res)
    assert res["months"][0] == "2025-01" and len(res["months"]) == 12
    assert res["actual_months"] == [f"2025-{m:02d}" for m in range(1, 6)]
    assert res["partial_month"] == "2025-06"
    team = res["series"]["team"]["closed_won_acv"]
    hand = actual_monthly(sample, date(2025, 1, 1), date(2025, 6, 15))
    assert team["actual"][:6] == pytest.approx(hand["closed_won_acv"].tolist())
    assert team["actual"][6:] == [None] * 6
    for i in range(5):
        lo, hi, a = team["p10"][i], team["p90"][i], team["actual"][i]
        assert lo <= team["p50"][i] <= hi
        expected = FLAG_BELOW if a < lo else FLAG_ABOVE if a > hi else FLAG_INSIDE
        assert team["flag"][i] == expected
    assert team["flag"][5] is None  # June to date is not a whole month
    assert res["outside"]["team"]["closed_won_acv"] == sum(f in (FLAG_BELOW, FLAG_ABOVE) for f in team["flag"])
    # every rep scope known to the data has actuals; hire-less slots have none
    reps = [s for s in res["scopes"] if s.startswith("rep:")]
    assert reps and all(res["series"][s]["activities"]["actual"][0] is not None for s in reps if s[4:] in set(sample.reps["rep_id"]))


def test_review_flags_a_plan_that_is_far_off(sample: Dataset, plan: Scenario) -> None:
    """A plan three times too optimistic puts most months below its band."""
    rosy = plan.model_copy(update={"activity_rate_multiplier": 3.0, "deal_size_multiplier": 3.0})
    res = review(sample, rosy, "2025-01", AS_OF, replications=20, seed=3)
    flags = res["series"]["team"]["closed_won_acv"]["flag"][:6]
    assert flags.count(FLAG_BELOW) >= 4
    assert res["series"]["team"]["activities"]["flag"][:6] == [FLAG_BELOW] * 6


def test_review_is_seed_stable(sample: Dataset, plan: Scenario) -> None:
    a = review(sample, plan, "2025-01", AS_OF, replications=10, seed=5)
    b = review(sample, plan, "2025-01", AS_OF, replications=10, seed=5)
    assert a == b


# ---------------------------------------------------------------------------- explain


def _deltas(ex: dict) -> dict[str, float]:
    return {r["driver"]: r["delta_p50"] for r in ex["drivers"]}


@pytest.fixture(scope="module")
def calm_explained(sample: Dataset, plan: Scenario) -> dict:
    return explain(sample, plan, "2025-01", AS_OF, replications=40, seed=0)


@pytest.mark.parametrize(
    ("lever", "driver"),
    [("win_rate_multiplier", "conversion"), ("activity_rate_multiplier", "activity_volume")],
)
def test_explain_attributes_a_known_cause(sample: Dataset, plan: Scenario, calm_explained: dict, lever: str, driver: str) -> None:
    """The plan differs from the world that made the data in one lever only (+50%):
    the extra gap lands on that driver, with the gap's sign, and barely elsewhere."""
    rosy = plan.model_copy(update={lever: 1.5})
    ex = explain(sample, rosy, "2025-01", AS_OF, replications=40, seed=0)
    json.dumps(ex)
    extra_gap = ex["gap"] - calm_explained["gap"]
    assert extra_gap < 0  # the world under-delivered against the rosier plan
    moved = {k: _deltas(ex)[k] - _deltas(calm_explained)[k] for k in _deltas(ex)}
    assert moved[driver] == pytest.approx(extra_gap, rel=0.3)
    for other, value in moved.items():
        if other != driver:
            assert abs(value) < 0.25 * abs(extra_gap), (other, moved)
    assert abs(_deltas(ex)[driver]) == max(abs(v) for v in _deltas(ex).values())
    assert ex["values"]["win_rate" if driver == "conversion" else "activities_per_rep_day"]["planned"] > (
        1.3 * ex["values"]["win_rate" if driver == "conversion" else "activities_per_rep_day"]["actual"]
    )


def test_explain_accounts_for_the_whole_gap(calm_explained: dict) -> None:
    ex = calm_explained
    assert ex["months"] == [f"2025-{m:02d}" for m in range(1, 7)]
    parts = sum(_deltas(ex).values()) + ex["interaction"] + ex["other"]
    assert parts == pytest.approx(ex["gap"])
    assert ex["gap"] == pytest.approx(ex["actual"] - ex["planned_p50"])


def test_explain_without_a_complete_month(sample: Dataset, plan: Scenario) -> None:
    ex = explain(sample, plan, "2025-06", date(2025, 6, 20), replications=10)
    assert ex["months"] == [] and ex["drivers"] == []


# ---------------------------------------------------------------------------- reforecast


def test_reforecast_continues_after_the_last_actual(sample: Dataset) -> None:
    rf = reforecast(sample, AS_OF, 6, replications=20, seed=1)
    json.dumps(rf)
    assert rf["months"] == [f"2025-{m:02d}" for m in range(7, 13)]
    assert rf["month_to_date"] is None
    band = rf["series"]["team"]["closed_won_acv"]
    assert all(lo <= mid <= hi for lo, mid, hi in zip(band["p10"], band["p50"], band["p90"], strict=True))
    assert reforecast(sample, AS_OF, 0)["months"] == []


def test_reforecast_adds_the_month_to_date(sample: Dataset) -> None:
    d = date(2025, 6, 13)
    rf = reforecast(sample, d, 7, replications=20, seed=1)
    assert rf["months"][0] == "2025-06" and rf["month_to_date"] == "2025-06" and len(rf["months"]) == 7
    mtd = actual_monthly(sample, date(2025, 6, 1), d)["activities"].iloc[0]
    assert mtd > 0
    assert rf["series"]["team"]["activities"]["p10"][0] >= mtd
    assert np.isfinite(rf["series"]["team"]["closed_won_acv"]["p50"]).all()
