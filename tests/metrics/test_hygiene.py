"""Clean Your Room rules at their boundary days (D = 2026-06-15)."""

from __future__ import annotations

import math

import pytest

from metrics.dashboards import clean_your_room
from metrics.definitions import DEFAULT_HYGIENE, HygieneSettings, hygiene_score
from tests.metrics.builders import D, act, closed_filler, days, hist, opp, prepared, rep


def _rules(prep, settings: HygieneSettings = DEFAULT_HYGIENE) -> dict[str, list[str]]:
    out = clean_your_room(prep, D, settings=settings)
    return {row["opportunity_id"]: row["rules"] for row in out["flagged"]}


def _clean(opp_id: str, **kw) -> dict:
    """An open deal that breaks no rule unless ``kw`` says so."""
    base = {"created": days(-5), "close": days(40), "last_activity": days(-1)}
    base.update(kw)
    return opp(opp_id, "R0", **base)


def test_a_clean_deal_is_not_flagged() -> None:
    prep = prepared([rep("R0")], [_clean("OK"), closed_filler()])
    out = clean_your_room(prep, D)
    assert out["flagged"] == []
    assert out["by_rep"][0]["hygiene_score"] == 100.0
    assert out["open_opportunities"] == 1


def test_stale_boundary_29_vs_30_days() -> None:
    prep = prepared(
        [rep("R0")],
        [
            _clean("D29", created="2026-01-01", last_activity=days(-29)),
            _clean("D30", created="2026-01-01", last_activity=days(-30)),
            closed_filler(),
        ],
    )
    rules = _rules(prep)
    assert "D29" not in rules
    assert rules["D30"] == ["stale"]


def test_stale_uses_linked_activities_and_ignores_those_after_d() -> None:
    prep = prepared(
        [rep("R0")],
        [
            _clean("LINKED", created="2026-01-01", last_activity=days(-60)),
            _clean("FUTURE", created="2026-01-01", last_activity=days(-60)),
            _clean("FIELD-AFTER-D", created="2026-01-01", last_activity=days(3)),
            _clean("NONE-NEW", created=days(-29), last_activity=None),
            _clean("NONE-OLD", created=days(-30), last_activity=None),
            closed_filler(),
        ],
        acts=[
            act("A1", "R0", "Call", days(-10), "LINKED"),
            act("A2", "R0", "Call", days(1), "FUTURE"),
        ],
    )
    rules = _rules(prep)
    assert "LINKED" not in rules  # the linked call 10 days ago counts
    assert rules["FUTURE"] == ["stale"]  # a call after D is not known at D
    assert rules["FIELD-AFTER-D"] == ["stale"]  # falls back to created_date
    assert "NONE-NEW" not in rules  # no activity: created 29 days ago
    assert rules["NONE-OLD"] == ["stale"]


def test_past_due_close_date_d_vs_d_minus_1() -> None:
    prep = prepared(
        [rep("R0")], [_clean("ON-D", close=days(0)), _clean("D-1", close=days(-1)),
                      closed_filler()]
    )
    rules = _rules(prep)
    assert "ON-D" not in rules
    assert rules["D-1"] == ["past_due"]


def test_early_stage_near_close_14_vs_15_days() -> None:
    prep = prepared(
        [rep("R0")],
        [
            _clean("P14", stage="Prospecting", close=days(14)),
            _clean("P15", stage="Prospecting", close=days(15)),
            _clean("Q0", stage="Qualification", close=days(0)),
            _clean("LATE-STAGE", stage="Proposal", close=days(3)),
            closed_filler(),
        ],
    )
    rules = _rules(prep)
    assert rules["P14"] == ["early_stage_near_close"]
    assert "P15" not in rules
    assert rules["Q0"] == ["early_stage_near_close"]
    assert "LATE-STAGE" not in rules  # third stage: not early


def test_stuck_in_stage_median_plus_14_vs_15() -> None:
    # completed Proposal stays of 10 days each give a median of 10
    history = []
    deals = []
    for i in range(3):
        oid = f"DONE{i}"
        deals.append(_clean(oid, created="2026-01-01"))
        history += [hist(oid, "2026-02-01", "Proposal"), hist(oid, "2026-02-11", "Negotiation")]
    deals += [
        _clean("IN24", created="2026-01-01", stage="Proposal"),
        _clean("IN25", created="2026-01-01", stage="Proposal"),
        _clean("NO-HISTORY", created="2026-01-01", stage="Proposal"),
        closed_filler(),
    ]
    history += [
        hist("IN24", "2026-01-01", "Qualification"),
        hist("IN24", days(-24), "Proposal"),
        hist("IN25", "2026-01-01", "Qualification"),
        hist("IN25", days(-25), "Proposal"),
    ]
    prep = prepared([rep("R0")], deals, history=history)
    rules = _rules(prep)
    assert "IN24" not in rules  # 24 days = 10 + 14: not more than the norm + 14
    assert rules["IN25"] == ["stuck_in_stage"]
    assert "NO-HISTORY" not in rules  # needs history
    # the threshold is a setting
    looser = _rules(prep, HygieneSettings(stuck_extra_days=15))
    assert "IN25" not in looser


def test_stage_stays_ending_after_d_do_not_set_the_norm() -> None:
    history = [hist("LONG", "2026-01-01", "Proposal"), hist("LONG", days(5), "Negotiation"),
               hist("NOW", days(-20), "Proposal")]
    prep = prepared(
        [rep("R0")],
        [_clean("LONG", created="2026-01-01"), _clean("NOW", created="2026-01-01"),
         closed_filler()],
        history=history,
    )
    # the only completed Proposal stay ends after D, so no norm: nothing is stuck
    assert "NOW" not in _rules(prep)


def test_missing_next_step_and_amount() -> None:
    prep = prepared(
        [rep("R0")],
        [
            _clean("BLANK", next_step="   "),
            _clean("NULL", next_step=None),
            _clean("ZERO", amount=0.0),
            _clean("NO-AMOUNT", amount=None),
            closed_filler(),
        ],
    )
    rules = _rules(prep)
    assert rules["BLANK"] == ["missing_next_step"]
    assert rules["NULL"] == ["missing_next_step"]
    assert rules["ZERO"] == ["missing_amount"]
    assert rules["NO-AMOUNT"] == ["missing_amount"]
    row = next(r for r in clean_your_room(prep, D)["flagged"] if r["opportunity_id"] == "NO-AMOUNT")
    assert row["amount"] is None


def test_stale_threshold_is_a_setting() -> None:
    prep = prepared([rep("R0")], [_clean("D10", created="2026-01-01", last_activity=days(-10)),
                                  closed_filler()])
    assert "D10" not in _rules(prep)
    assert _rules(prep, HygieneSettings(stale_days=10))["D10"] == ["stale"]


def test_score_counts_flagged_deals_not_rules() -> None:
    prep = prepared(
        [rep("R0"), rep("R1"), rep("R2")],
        [
            _clean("A"),
            _clean("B"),
            _clean("C"),
            _clean("BAD", close=days(-1), next_step=None),  # two rules, one deal
            opp("R1-OK", "R1", created=days(-5), close=days(40), last_activity=days(-1)),
            closed_filler("R2"),
        ],
    )
    out = clean_your_room(prep, D)
    by_rep = {r["rep_id"]: r for r in out["by_rep"]}
    assert by_rep["R0"]["hygiene_score"] == pytest.approx(75.0)
    assert by_rep["R0"]["flagged"] == 1
    assert by_rep["R0"]["past_due"] == 1 and by_rep["R0"]["missing_next_step"] == 1
    assert by_rep["R2"]["open_opportunities"] == 0
    assert by_rep["R2"]["hygiene_score"] == 100.0
    assert out["rule_counts"]["past_due"] == 1
    # leaderboard: best score first, then more open deals
    assert [r["rep_id"] for r in out["by_rep"]] == ["R1", "R2", "R0"]
    assert out["flagged"][0]["rules"] == ["past_due", "missing_next_step"]


def test_hygiene_score_definition() -> None:
    assert hygiene_score(0, 0) == 100.0
    assert hygiene_score(1, 4) == 75.0
    assert hygiene_score(4, 4) == 0.0
    assert not math.isnan(hygiene_score(0, 3))


def test_open_at_d_follows_what_was_known_at_d() -> None:
    prep = prepared(
        [rep("R0")],
        [
            _clean("CLOSED-BEFORE", close=days(-3), closed=True, won=True),
            _clean("CREATED-AFTER", created=days(1), close=days(-3)),
            _clean("WON-AFTER", close=days(2), closed=True, won=True),
            closed_filler(),
        ],
    )
    out = clean_your_room(prep, D)
    assert out["open_opportunities"] == 1  # only the deal won after D was open at D
    assert [r["opportunity_id"] for r in out["flagged"]] == []


def test_renewals_are_never_in_the_room() -> None:
    prep = prepared(
        [rep("R0")], [_clean("RENEW", type="Renewal", close=days(-5)), closed_filler()]
    )
    out = clean_your_room(prep, D)
    assert out["open_opportunities"] == 0 and out["flagged"] == []


def test_work_queue_is_worst_first_and_can_be_cut() -> None:
    prep = prepared(
        [rep("R0")],
        [
            _clean("ONE-RULE-BIG", amount=9000.0, next_step=None),
            _clean("TWO-RULES", close=days(-1), next_step=None),
            _clean("ONE-RULE-SMALL", amount=10.0, next_step=None),
            closed_filler(),
        ],
    )
    out = clean_your_room(prep, D)
    assert [f["opportunity_id"] for f in out["flagged"]] == [
        "TWO-RULES",
        "ONE-RULE-BIG",
        "ONE-RULE-SMALL",
    ]
    cut = clean_your_room(prep, D, flagged_limit=1)
    assert [f["opportunity_id"] for f in cut["flagged"]] == ["TWO-RULES"]
    assert cut["flagged_count"] == 3 and cut["by_rep"][0]["flagged"] == 3
