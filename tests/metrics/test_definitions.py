"""Contract §2 definitions on hand-built workspaces (D = Monday 2026-06-15)."""

from __future__ import annotations

import numpy as np
import pytest

from crm.dataset import Dataset
from metrics.dashboards import daily_pipe_gen, state_of_the_union
from metrics.definitions import (
    DEFAULT_COVERAGE_RATIO,
    attainment,
    month_key_of,
    monthly_quota,
    open_at,
    pipe_gen_target,
    target_cumulative,
    top_by,
    win_rate,
    win_rate_window,
    working_days,
)
from metrics.prepare import day_to_iso, prepare, to_day
from tests.metrics.builders import (
    D,
    act,
    build,
    closed_filler,
    days,
    hist,
    opp,
    prepared,
    rep,
)

JUNE = month_key_of(to_day(D))


def _quota(prep, rep_id: str, month: int = JUNE) -> float:
    return float(monthly_quota(prep, month)[prep.rep_code(rep_id)])


# ---------------------------------------------------------------- quotas


def test_quota_full_month_is_annual_over_12() -> None:
    prep = prepared([rep("R0", quota=120_000.0)])
    assert _quota(prep, "R0") == pytest.approx(10_000.0)


def test_quota_prorated_by_days_employed() -> None:
    prep = prepared(
        [
            rep("HIRED-16TH", hire="2026-06-16"),  # 15 of 30 days
            rep("LEFT-10TH", end="2026-06-10"),  # 10 of 30 days
            rep("BOTH", hire="2026-06-05", end="2026-06-14"),  # 10 of 30 days
            rep("HIRED-LAST-DAY", hire="2026-06-30"),  # 1 of 30 days
            rep("LEFT-BEFORE", end="2026-05-31"),
            rep("NOT-YET", hire="2026-07-01"),
            rep("NO-QUOTA", quota=None),
        ]
    )
    assert _quota(prep, "HIRED-16TH") == pytest.approx(10_000.0 * 15 / 30)
    assert _quota(prep, "LEFT-10TH") == pytest.approx(10_000.0 * 10 / 30)
    assert _quota(prep, "BOTH") == pytest.approx(10_000.0 * 10 / 30)
    assert _quota(prep, "HIRED-LAST-DAY") == pytest.approx(10_000.0 / 30)
    assert _quota(prep, "LEFT-BEFORE") == 0.0
    assert _quota(prep, "NOT-YET") == 0.0
    assert _quota(prep, "NO-QUOTA") == 0.0
    assert _quota(prep, "HIRED-16TH", JUNE - 4) == 0.0  # not hired in February


def test_quota_proration_uses_the_month_length() -> None:
    prep = prepared([rep("JUL", hire="2026-07-16"), rep("FEB", hire="2026-02-15")])
    assert _quota(prep, "JUL", JUNE + 1) == pytest.approx(10_000.0 * 16 / 31)
    assert _quota(prep, "FEB", JUNE - 4) == pytest.approx(10_000.0 * 14 / 28)


def test_quotas_csv_row_overrides_the_annual_quota() -> None:
    prep = prepared(
        [rep("R0", hire="2026-06-16"), rep("R1")],
        quotas=[
            {"rep_id": "R0", "month": "2026-06", "quota": 7777.0},
            {"rep_id": "R1", "month": "2026-05", "quota": 1.0},
        ],
    )
    assert _quota(prep, "R0") == 7777.0  # not prorated: the row is the quota
    assert _quota(prep, "R1") == pytest.approx(10_000.0)  # other month untouched
    assert _quota(prep, "R1", JUNE - 1) == 1.0


def test_attainment_is_null_where_quota_is_zero() -> None:
    assert attainment(500.0, 0.0) is None
    assert attainment(0.0, 1000.0) == 0.0
    assert attainment(1500.0, 1000.0) == 1.5


# ---------------------------------------------------------------- win rate


def test_win_rate_window_is_the_trailing_12_months_ending_at_d() -> None:
    start, end = win_rate_window(to_day(D))
    assert day_to_iso(np.array([start, end])) == ["2025-06-16", "2026-06-15"]
    leap_start, _ = win_rate_window(to_day("2024-02-29"))
    assert day_to_iso(np.array([leap_start])) == ["2023-03-01"]


def test_win_rate_counts_acv_closed_inside_the_window_only() -> None:
    prep = prepared(
        [rep("R0")],
        [
            opp("OUT", "R0", created="2025-01-01", close="2025-06-15", closed=True,
                won=True, amount=1000.0),
            opp("LOST-IN", "R0", created="2025-01-01", close="2025-06-16", closed=True,
                amount=300.0),
            opp("WON-ON-D", "R0", created="2025-01-01", close=days(0), closed=True,
                won=True, amount=100.0),
            opp("WON-AFTER-D", "R0", created="2025-01-01", close=days(1), closed=True,
                won=True, amount=5000.0),
            opp("RENEWAL", "R0", type="Renewal", created="2025-01-01", close=days(-3),
                closed=True, won=True, amount=9000.0),
        ],
    )
    scope = np.ones(prep.n_opps, dtype=bool)
    assert win_rate(prep, to_day(D), scope) == pytest.approx(100.0 / 400.0)


def test_win_rate_is_null_with_nothing_closed() -> None:
    prep = prepared([rep("R0")], [opp("O", "R0")])
    assert win_rate(prep, to_day(D), np.ones(prep.n_opps, dtype=bool)) is None


# ---------------------------------------------------------------- pipe-gen target


def test_working_days_of_june_2026() -> None:
    start, end = to_day("2026-06-01"), to_day("2026-06-30")
    assert working_days(start, end) == 22
    assert working_days(start, to_day(D)) == 11
    assert working_days(to_day(D) + 1, end) == 11
    assert working_days(end, start) == 0


def test_target_spreads_evenly_over_working_days() -> None:
    cum = target_cumulative(22_000.0, JUNE, to_day(D))
    assert len(cum) == 15
    assert cum[0] == pytest.approx(1000.0)  # Monday the 1st
    assert cum[4] == pytest.approx(5000.0)  # Friday the 5th
    assert cum[5] == cum[6] == pytest.approx(5000.0)  # the weekend adds nothing
    assert cum[-1] == pytest.approx(11_000.0)
    full = target_cumulative(22_000.0, JUNE, to_day("2026-06-30"))
    assert full[-1] == pytest.approx(22_000.0)


def test_pipe_gen_target_from_win_rate_or_coverage() -> None:
    assert pipe_gen_target(10_000.0, 0.25, None) == pytest.approx(40_000.0)
    assert pipe_gen_target(10_000.0, 0.25, 2.0) == pytest.approx(20_000.0)
    assert pipe_gen_target(10_000.0, None, None) == pytest.approx(
        10_000.0 * DEFAULT_COVERAGE_RATIO
    )
    with pytest.raises(ValueError, match="coverage_ratio"):
        pipe_gen_target(1.0, 0.5, -1.0)


def test_daily_pipe_gen_against_a_hand_computed_target() -> None:
    # win rate 25% over the window, quota 10k → target 40k spread over 22 days
    deals = [
        opp("W", "R0", created="2025-09-01", close="2025-10-01", closed=True, won=True,
            amount=100.0),
        opp("L", "R0", created="2025-09-01", close="2025-10-01", closed=True,
            amount=300.0),
        opp("N1", "R0", created="2026-06-01", amount=4000.0),
        opp("N2", "R0", created="2026-06-03", amount=6000.0, type="Add-On"),
        opp("N3", "R0", created="2026-06-03", amount=500.0, type="Renewal"),
        opp("LATER", "R0", created=days(1), amount=99_000.0),
    ]
    prep = prepared([rep("R0")], deals)
    out = daily_pipe_gen(prep, D)
    assert out["month_target_acv"] == pytest.approx(40_000.0)
    assert out["target_basis"] == "win_rate"
    assert len(out["days"]) == 15
    assert out["days"][0]["pipeline_created_acv"] == 4000.0
    assert out["days"][2]["opportunities_created"] == 1  # the renewal is not pipeline
    assert out["days"][-1]["cumulative_acv"] == pytest.approx(10_000.0)
    assert out["days"][-1]["target_cumulative_acv"] == pytest.approx(20_000.0)
    assert out["status"] == "behind"
    assert out["gap"] == pytest.approx(-10_000.0)
    assert out["required_daily_rate"] == pytest.approx(30_000.0 / 11)
    fixed = daily_pipe_gen(prep, D, coverage_ratio=2.0)
    assert fixed["month_target_acv"] == pytest.approx(20_000.0)
    assert fixed["target_basis"] == "setting"


# ---------------------------------------------------------------- open pipeline


def test_open_pipeline_at_d() -> None:
    prep = prepared(
        [rep("R0")],
        [
            opp("OPEN", "R0"),
            opp("CLOSED-ON-D", "R0", close=days(0), closed=True, won=True),
            opp("CLOSED-AFTER", "R0", close=days(1), closed=True, won=False),
            opp("CREATED-ON-D", "R0", created=days(0)),
            opp("CREATED-AFTER", "R0", created=days(1)),
        ],
    )
    ids = set(prep.opp_id[open_at(prep, to_day(D))].tolist())
    assert ids == {"OPEN", "CLOSED-AFTER", "CREATED-ON-D"}


# ---------------------------------------------------------------- tops


def test_top_by_breaks_ties_by_name_ascending() -> None:
    names = np.array(["b", "a", "c"], dtype=object)
    values = np.array([5.0, 5.0, 1.0])
    assert top_by(names, values, np.ones(3, dtype=bool)) == 1
    assert top_by(names, values, np.array([True, False, True])) == 0
    assert top_by(names, values, np.zeros(3, dtype=bool)) is None


def test_top_rep_and_team_ties() -> None:
    reps = [rep("R2", team="Beta"), rep("R1", team="Beta"), rep("R3", team="Alpha")]
    deals = [
        opp("A", "R2", close=days(-1), closed=True, won=True, amount=500.0),
        opp("B", "R1", close=days(-2), closed=True, won=True, amount=500.0),
        opp("C", "R3", close=days(-2), closed=True, won=True, amount=1000.0),
    ]
    out = state_of_the_union(prepared(reps, deals), D)
    assert out["top_rep"]["rep_id"] == "R3"
    assert out["top_team"] == {"team": "Alpha", "closed_won_acv": 1000.0}
    deals[2]["amount"] = 400.0
    out = state_of_the_union(prepared(reps, deals), D)
    assert out["top_rep"]["rep_id"] == "R1"  # R1 and R2 tie at 500: id ascending
    assert out["top_team"]["team"] == "Beta"
    deals[2]["amount"] = 1000.0
    deals[1]["amount"] = 0.0  # Alpha 1000 vs Beta 500 + 0... make them tie
    deals[0]["amount"] = 1000.0
    out = state_of_the_union(prepared(reps, deals), D)
    assert out["top_team"]["team"] == "Alpha"  # 1000 vs 1000: name ascending
    assert out["top_rep"]["rep_id"] == "R2"  # R2 1000 and R3 1000: id ascending


def test_empty_month_has_no_top_and_zero_attainment() -> None:
    prep = prepared(
        [rep("R0")],
        [opp("MAY", "R0", close="2026-05-31", closed=True, won=True, amount=9.0)],
    )
    out = state_of_the_union(prep, D)
    assert out["top_rep"] is None and out["top_team"] is None
    assert out["closed_won_acv"] == 0.0 and out["closed_won_count"] == 0
    assert out["attainment"] == 0.0  # quota 10k, nothing closed
    assert out["avg_deal_size"] is None
    assert out["notable_closed"] == []


# ---------------------------------------------------------------- stage order


def test_stage_order_is_learned_from_history() -> None:
    reps = [rep("R0")]
    deals = [opp(f"O{i}", "R0", stage="Build", created="2026-01-01") for i in range(2)]
    deals.append(opp("X", "R0", closed=True, won=True, stage="Won", close="2026-03-01"))
    history = []
    for i in range(2):
        history += [
            hist(f"O{i}", "2026-01-01", "Talk"),
            hist(f"O{i}", "2026-01-20", "Build"),
            hist(f"O{i}", "2026-02-10", "Pitch"),
            hist(f"O{i}", "2026-02-15", "Build"),
        ]
    prep = prepare(build(reps, deals, history=history))
    assert prep.stages.tolist() == ["Talk", "Build", "Pitch", "Won"]
    assert prep.n_open_stages == 3
    assert prep.early_stage_codes == (0, 1)


def test_stage_at_d_comes_from_history_for_past_dates() -> None:
    deals = [opp("O", "R0", stage="Negotiation", created="2026-01-01"), closed_filler()]
    history = [hist("O", "2026-01-01", "Prospecting"),
               hist("O", days(5), "Negotiation")]
    prep = prepared([rep("R0")], deals, history=history)
    from metrics.definitions import stage_at

    code = np.array([int(np.flatnonzero(prep.opp_id == "O")[0])])
    stage, entry = stage_at(prep, to_day(D), code)
    assert prep.stages[stage[0]] == "Prospecting"
    assert entry[0] == to_day("2026-01-01")
    stage, _ = stage_at(prep, to_day(D) + 10, code)
    assert prep.stages[stage[0]] == "Negotiation"


def test_prepare_on_an_empty_workspace() -> None:
    prep = prepare(Dataset.empty())
    assert prep.n_reps == 0 and prep.n_opps == 0
    assert prep.first_day is None


def test_activities_after_d_are_not_counted() -> None:
    prep = prepared(
        [rep("R0")],
        acts=[act("A1", "R0", "Call", days(0)), act("A2", "R0", "Meeting", days(1))],
    )
    from metrics.definitions import activities_by_rep

    acts, meets = activities_by_rep(prep, to_day("2026-06-01"), to_day("2026-06-30"),
                                    to_day(D))
    assert acts.tolist() == [1] and meets.tolist() == [0]


def test_best_case_conversion_counts_deals_that_passed_through_best_case() -> None:
    """A won deal that went Best Case → Commit → won counts for both categories."""
    import pandas as pd

    from crm.dataset import Dataset
    from metrics.definitions import forecast_conversion_rates
    from metrics.prepare import prepare, to_day

    reps = pd.DataFrame({"rep_id": ["R1"], "rep_name": ["A"], "team": ["T"], "hire_date": ["2024-01-01"], "annual_quota": [1.0]})
    opps = pd.DataFrame(
        {
            "opportunity_id": ["W", "L"],
            "owner_id": ["R1", "R1"],
            "type": ["New Business"] * 2,
            "stage": ["Closed Won", "Closed Lost"],
            "amount": [300.0, 100.0],
            "created_date": ["2026-01-05"] * 2,
            "close_date": ["2026-03-01", "2026-03-02"],
            "is_closed": [True, True],
            "is_won": [True, False],
            "forecast_category": ["Closed", "Omitted"],
        }
    )
    history = pd.DataFrame(
        {
            "opportunity_id": ["W", "W", "W", "L", "L"],
            "changed_date": ["2026-01-05", "2026-02-01", "2026-03-01", "2026-01-05", "2026-03-02"],
            "stage": ["Discovery", "Proposal", "Closed Won", "Proposal", "Closed Lost"],
            "forecast_category": ["Best Case", "Commit", "Closed", "Best Case", "Omitted"],
        }
    )
    prep = prepare(Dataset.from_frames({"reps": reps, "accounts": pd.DataFrame({"account_id": [], "account_name": []}), "opportunities": opps, "opportunity_history": history}))
    rates = forecast_conversion_rates(prep, to_day("2026-03-31"), np.ones(2, dtype=bool))
    assert rates["Best Case"] == {"rate": 0.75, "source": "history"}
    assert rates["Commit"] == {"rate": 1.0, "source": "history"}
