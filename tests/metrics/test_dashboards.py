"""The dashboards' numbers on hand-built workspaces (D = Monday 2026-06-15)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.dashboards import (
    amp,
    daily_pipe_gen,
    deals,
    default_as_of,
    state_of_the_union,
)
from metrics.prepare import Filters
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


def _won(opp_id: str, owner: str, amount: float, close: str = "2026-06-05", **kw) -> dict:
    return opp(opp_id, owner, close=close, closed=True, won=True, amount=amount, **kw)


# ---------------------------------------------------------------- State of the Union


def _sotu_workspace():
    reps = [rep("R0", team="East"), rep("R1", team="West"), rep("R2", team="West")]
    deals_ = [
        _won("W1", "R0", 3000.0),
        _won("W2", "R1", 1000.0, close=days(0)),
        _won("W-RENEWAL", "R2", 50_000.0, type="Renewal"),
        _won("W-AFTER-D", "R2", 70_000.0, close=days(1)),
        opp("L1", "R1", close="2026-06-02", closed=True, amount=4000.0),
        opp("DUE1", "R0", close="2026-06-20", amount=8000.0, fc="Commit"),
        opp("DUE2", "R1", close="2026-06-30", amount=2000.0, fc="Best Case"),
        opp("NEXT-MONTH", "R1", close="2026-07-02", amount=10_000.0, fc="Commit"),
        opp("CREATED-AFTER", "R0", created=days(1), close="2026-06-25", amount=1e6),
    ]
    return reps, deals_


def test_state_of_the_union_month_numbers() -> None:
    out = state_of_the_union(prepared(*_sotu_workspace()), D)
    assert out["month"] == "2026-06"
    assert out["closed_won_acv"] == 4000.0
    assert out["closed_won_count"] == 2
    assert out["quota"] == pytest.approx(30_000.0)
    assert out["attainment"] == pytest.approx(4000.0 / 30_000.0)
    # open at D: DUE1, DUE2, NEXT-MONTH and W-AFTER-D (won after D)
    assert out["open_pipeline_acv"] == pytest.approx(8000 + 2000 + 10_000 + 70_000)
    # W-AFTER-D was open at D with a June close date, so it is due this month
    assert out["open_pipeline_due_acv"] == pytest.approx(70_000 + 8000 + 2000)
    assert out["pipeline_coverage"] == pytest.approx(80_000.0 / 26_000.0)
    assert out["avg_deal_size"] == pytest.approx(2000.0)
    assert out["win_rate"] == pytest.approx(4000.0 / 8000.0)
    assert out["top_rep"]["rep_id"] == "R0"
    assert out["top_team"] == {"team": "East", "closed_won_acv": 3000.0}
    assert [d["opportunity_id"] for d in out["notable_closed"]] == ["W1", "W2"]
    assert [d["opportunity_id"] for d in out["notable_open"]] == [
        "W-AFTER-D",
        "DUE1",
        "DUE2",
    ]
    assert out["notable_open"][1]["forecast_category"] == "Commit"
    board = out["leaderboard"]
    assert [r["rep_id"] for r in board] == ["R0", "R1", "R2"]
    assert board[0]["attainment"] == pytest.approx(0.3)
    assert sum(r["closed_won_acv"] for r in board) == out["closed_won_acv"]
    trend = out["trend"]
    assert len(trend) == 12 and trend[-1]["month"] == "2026-06"
    assert trend[-1]["closed_won_acv"] == out["closed_won_acv"]
    assert trend[0]["month"] == "2025-07"


def test_forecast_projection_uses_historical_category_rates() -> None:
    reps, deals_ = _sotu_workspace()
    # closed in the window: a Commit deal won (600) and lost (200) → 75%;
    # no Best Case history → the documented default rate
    deals_ += [
        _won("HC-WON", "R0", 600.0, close="2026-03-01"),
        opp("HC-LOST", "R0", close="2026-03-01", closed=True, amount=200.0),
    ]
    history = [
        hist("HC-WON", "2026-02-01", "Proposal", "Commit"),
        hist("HC-WON", "2026-03-01", "Closed Won", "Closed"),
        hist("HC-LOST", "2026-02-01", "Proposal", "Commit"),
    ]
    out = state_of_the_union(prepared(reps, deals_, history=history), D)["forecast"]
    assert out["commit"]["rate"] == pytest.approx(0.75)
    assert out["commit"]["rate_source"] == "history"
    assert out["best_case"]["rate_source"] == "default"
    # W-AFTER-D (70k, due in June) sits in the export's "Closed" category: not counted
    expected = 4000.0 + 8000.0 * 0.75 + 2000.0 * out["best_case"]["rate"]
    assert out["projection_acv"] == pytest.approx(expected)
    assert out["gap_to_quota"] == pytest.approx(expected - 30_000.0)


def test_coverage_is_null_when_quota_is_met() -> None:
    reps = [rep("R0")]
    out = state_of_the_union(prepared(reps, [_won("BIG", "R0", 20_000.0)]), D)
    assert out["attainment"] == pytest.approx(2.0)
    assert out["quota_remaining"] == 0.0
    assert out["pipeline_coverage"] is None


def test_filters_apply_by_rep() -> None:
    prep = prepared(*_sotu_workspace())
    west = state_of_the_union(prep, D, Filters(teams=("West",)))
    assert west["closed_won_acv"] == 1000.0
    assert west["quota"] == pytest.approx(20_000.0)
    assert west["top_team"]["team"] == "West"
    one = state_of_the_union(prep, D, Filters(rep_ids=("R0",)))
    assert one["closed_won_acv"] == 3000.0
    nobody = state_of_the_union(prep, D, Filters(regions=("Mars",)))
    assert nobody["quota"] == 0.0 and nobody["attainment"] is None
    assert nobody["top_rep"] is None


def test_renewals_are_excluded_everywhere() -> None:
    reps = [rep("R0")]
    renewals = [
        _won("RW", "R0", 9e6, type="Renewal"),
        opp("RO", "R0", type="Renewal", close="2026-06-20", amount=9e6),
        opp("RC", "R0", type="Renewal", created=days(-2), amount=9e6),
    ]
    prep = prepared(reps, renewals + [closed_filler()])
    sotu = state_of_the_union(prep, D)
    assert sotu["closed_won_acv"] == 0.0 and sotu["open_pipeline_acv"] == 0.0
    assert sotu["top_rep"] is None
    assert daily_pipe_gen(prep, D)["pipeline_created_acv"] == 0.0
    assert amp(prep, D)["totals"]["opportunities_created"] == 0
    assert deals(prep, D, kind="open")["count"] == 0
    assert prep.dropped["renewal_or_other_opportunities"] == 3


# ---------------------------------------------------------------- AMP


def _amp_workspace():
    reps = [rep("R1"), rep("R2"), rep("R3"), rep("S1", team="South")]
    acts = []
    plan = {"R1": (10, 2), "R2": (20, 1), "R3": (5, 1), "S1": (3, 3)}
    for r, (n, meetings) in plan.items():
        for i in range(n):
            kind = ("Meeting" if i % 2 else "Demo") if i < meetings else "Call"
            acts.append(act(f"{r}-{i}", r, kind, days(-(i % 10))))
    acts += [
        act("AFTER", "R1", "Meeting", days(1)),
        act("MAY-SAME", "R1", "Call", "2026-05-15"),
        act("MAY-LATE", "R1", "Meeting", "2026-05-16"),
    ]
    deals_ = [
        opp("C1", "R1", created="2026-06-02", amount=500.0),
        opp("C2", "R1", created="2026-06-03", amount=700.0, type="Add-On"),
        opp("C-RENEW", "R1", created="2026-06-03", amount=900.0, type="Renewal"),
        opp("C-AFTER", "R1", created=days(1), amount=900.0),
        closed_filler(),
    ]
    return reps, deals_, acts


def test_amp_counts_and_rates() -> None:
    reps, deals_, acts = _amp_workspace()
    out = amp(prepared(reps, deals_, acts=acts), D)
    assert (out["period_start"], out["period_end"]) == ("2026-06-01", "2026-06-15")
    by_rep = {r["rep_id"]: r for r in out["by_rep"]}
    assert by_rep["R1"]["activities"] == 10 and by_rep["R1"]["meetings"] == 2
    assert by_rep["R1"]["opportunities_created"] == 2
    assert by_rep["R1"]["pipeline_created_acv"] == 1200.0
    assert by_rep["R1"]["meeting_rate"] == pytest.approx(0.2)
    totals = out["totals"]
    assert totals["activities"] == 38 and totals["meetings"] == 7
    assert totals["activity_to_meeting_rate"] == pytest.approx(7 / 38)
    assert totals["meeting_to_opportunity_rate"] == pytest.approx(2 / 7)
    teams = {t["team"]: t for t in out["by_team"]}
    assert teams["East"]["activities"] == 35 and teams["South"]["meetings"] == 3


def test_high_activity_low_meetings_rule() -> None:
    reps, deals_, acts = _amp_workspace()
    out = amp(prepared(reps, deals_, acts=acts), D)
    # East: activities 10/20/5 → median 10; meeting rates .2/.05/.2 → median .2
    # R2: 20 > 10 and .05 < .1 → flagged; nobody else
    assert [r["rep_id"] for r in out["high_activity_low_meetings"]] == ["R2"]
    flagged = out["high_activity_low_meetings"][0]
    assert flagged["team_median_activities"] == 10.0
    assert flagged["team_median_meeting_rate"] == pytest.approx(0.2)
    flags = {r["rep_id"]: r["activity_quality_flag"] for r in out["by_rep"]}
    assert flags == {"R1": False, "R2": True, "R3": False, "S1": False}


def test_amp_previous_months_to_the_same_day_and_in_full() -> None:
    reps, deals_, acts = _amp_workspace()
    out = amp(prepared(reps, deals_, acts=acts), D)
    may = out["previous_months"][0]
    assert may["month"] == "2026-05"
    assert (may["period_start"], may["period_end"]) == ("2026-05-01", "2026-05-15")
    assert may["activities"] == 1 and may["meetings"] == 0
    assert may["full_month"]["activities"] == 2
    assert may["full_month"]["meetings"] == 1
    assert [m["month"] for m in out["previous_months"]] == ["2026-05", "2026-04", "2026-03"]


def test_amp_same_day_is_clamped_to_short_months() -> None:
    prep = prepared([rep("R0")], acts=[act("A", "R0", "Call", "2026-02-28")])
    out = amp(prep, date(2026, 3, 31))
    feb = out["previous_months"][0]
    assert feb["period_end"] == "2026-02-28" and feb["activities"] == 1


def test_amp_weekly_trend_is_13_iso_weeks_ending_at_d() -> None:
    reps, deals_, acts = _amp_workspace()
    weeks = amp(prepared(reps, deals_, acts=acts), D)["weekly"]
    assert len(weeks) == 13
    assert weeks[-1]["week"] == "2026-W25"
    assert (weeks[-1]["week_start"], weeks[-1]["week_end"]) == ("2026-06-15", "2026-06-15")
    assert weeks[0]["week_start"] == "2026-03-23"
    total = sum(w["activities"] for w in weeks)
    assert total == 38 + 2  # June's 38 plus the two in May


# ---------------------------------------------------------------- Daily Pipe Gen


def test_pipe_gen_mix_by_deal_class() -> None:
    history = [
        opp(f"H{i}", "R0", created="2026-01-05", amount=float(a))
        for i, a in enumerate([100, 200, 300, 400, 500])
    ]  # 75th percentile of past new business = 400
    month = [
        opp("BIG", "R0", created="2026-06-02", amount=400.0),
        opp("SMALL", "R0", created="2026-06-02", amount=399.0),
        opp("ADDON", "R0", created="2026-06-02", amount=5000.0, type="Add-On"),
    ]
    out = daily_pipe_gen(prepared([rep("R0")], history + month), D)
    assert out["large_deal_threshold_acv"] == pytest.approx(400.0)
    mix = {m["deal_class"]: m for m in out["mix"]}
    assert mix["large_new_business"]["pipeline_created_acv"] == 400.0
    assert mix["small_new_business"]["pipeline_created_acv"] == 399.0
    assert mix["add_on"]["opportunities_created"] == 1
    assert sum(m["share"] for m in out["mix"]) == pytest.approx(1.0)


def test_pipe_gen_by_team_and_rep_add_up() -> None:
    reps = [rep("R0"), rep("R1", team="West", quota=240_000.0)]
    deals_ = [
        opp("A", "R0", created="2026-06-02", amount=1000.0),
        opp("B", "R1", created="2026-06-09", amount=3000.0),
    ]
    out = daily_pipe_gen(prepared(reps, deals_), D, coverage_ratio=3.0)
    assert out["month_target_acv"] == pytest.approx(90_000.0)
    assert sum(t["month_target_acv"] for t in out["by_team"]) == pytest.approx(90_000.0)
    assert sum(r["pipeline_created_acv"] for r in out["by_rep"]) == 4000.0
    west = next(t for t in out["by_team"] if t["team"] == "West")
    assert west["target_to_date_acv"] == pytest.approx(60_000.0 * 11 / 22)
    assert west["status"] == "behind"


def test_pipe_gen_on_the_last_day_needs_no_daily_rate() -> None:
    out = daily_pipe_gen(prepared([rep("R0")]), date(2026, 6, 30))
    assert len(out["days"]) == 30
    assert out["remaining_working_days"] == 0
    assert out["required_daily_rate"] is None
    assert out["target_basis"] == "default"


# ---------------------------------------------------------------- drill-down, as-of


def test_deals_drill_down_kinds() -> None:
    prep = prepared(*_sotu_workspace())
    won = deals(prep, D, Filters(teams=("West",)), kind="won")
    assert [d["opportunity_id"] for d in won["deals"]] == ["W2"]
    created = deals(prep, D, kind="created")
    assert created["count"] == 0
    due = deals(prep, D, kind="due")
    assert {d["opportunity_id"] for d in due["deals"]} == {"DUE1", "DUE2", "W-AFTER-D"}
    top = deals(prep, D, kind="open", limit=1)
    assert top["count"] == 4 and [d["opportunity_id"] for d in top["deals"]] == ["W-AFTER-D"]
    assert top["deals"][0]["is_closed"] is False  # it was open at D
    with pytest.raises(ValueError, match="kind"):
        deals(prep, D, kind="lost")  # type: ignore[arg-type]


def test_default_as_of() -> None:
    ds = build([rep("R0")], [opp("O", "R0", created="2026-03-01")],
               acts=[act("A", "R0", "Call", "2026-04-10")])
    assert default_as_of(ds, date(2026, 6, 15)) == date(2026, 4, 10)
    assert default_as_of(ds, date(2026, 4, 1)) == date(2026, 4, 1)
    assert default_as_of(build([rep("R0")]), date(2026, 6, 15)) == date(2026, 6, 15)


def test_filters_combine_fields_with_and_values_with_or() -> None:
    reps = [
        rep("R0", team="East", manager="Ann", region="NA"),
        rep("R1", team="East", manager="Bob", region="EU"),
        rep("R2", team="West", manager="Ann", region="EU"),
    ]
    prep = prepared(reps)
    quota = lambda f: state_of_the_union(prep, D, f)["quota"]  # noqa: E731
    assert quota(Filters(managers=("Ann",))) == pytest.approx(20_000.0)
    assert quota(Filters(managers=("Ann",), regions=("EU",))) == pytest.approx(10_000.0)
    assert quota(Filters(teams=("East", "West"))) == pytest.approx(30_000.0)
    assert Filters(teams="East").teams == ("East",)  # a bare string is one value
    assert Filters().is_empty and not Filters(rep_ids=("R0",)).is_empty
