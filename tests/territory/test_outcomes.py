"""Simulated outcomes of plans: common random numbers, direction, shapes, mid-year change."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from crm.sample import generate_sample
from simulation.calibrate import calibrate
from territory.outcomes import (
    compare_plans,
    midyear_change,
    plan_scenario,
    simulate_plans,
)
from territory.plan import Plan, Territory, current_plan, move_accounts, resolve

AS_OF = date(2026, 6, 15)
REPS = 30


@pytest.fixture(scope="module")
def dataset():
    return generate_sample(seed=1, reps=10, as_of=AS_OF)


@pytest.fixture(scope="module")
def current(dataset) -> Plan:
    return current_plan(dataset, name="Current")


def _starved(plan: Plan, dataset, victim: str, to: str, keep: int = 3) -> Plan:
    """The plan with all but ``keep`` of ``victim``'s accounts moved to ``to``."""
    a = resolve(plan, dataset)
    mine = list(a.loc[a["territory_id"] == victim, "account_id"])
    return move_accounts(plan, mine[keep:], to).model_copy(update={"name": "Starved"})


def test_same_plan_twice_gives_identical_outcomes(dataset, current) -> None:
    twin = current.model_copy(update={"name": "Twin"})
    res = simulate_plans([current, twin], dataset, AS_OF, REPS, seed=5)
    a, b = res["plans"]
    for key in ("team", "territories", "attrition"):
        assert a[key] == b[key]
    again = simulate_plans([current], dataset, AS_OF, REPS, seed=5)["plans"][0]
    assert again["team"] == a["team"]
    other = simulate_plans([current], dataset, AS_OF, REPS, seed=6)["plans"][0]
    assert other["team"]["closed_won_acv"] != a["team"]["closed_won_acv"]


def test_starving_a_territory_lowers_its_chance_of_quota(dataset, current) -> None:
    ids = current.territory_ids
    victim, winner = ids[0], ids[1]
    starved = _starved(current, dataset, victim, winner)
    res = simulate_plans([current, starved], dataset, AS_OF, 60, seed=2)
    before = {t["territory_id"]: t for t in res["plans"][0]["territories"]}
    after = {t["territory_id"]: t for t in res["plans"][1]["territories"]}
    assert after[victim]["attainment_p50"] < 0.8 * before[victim]["attainment_p50"]
    assert after[victim]["p_hit_quota"] <= before[victim]["p_hit_quota"]
    assert after[victim]["closed_won_acv_p50"] < before[victim]["closed_won_acv_p50"]
    assert after[winner]["attainment_p50"] > before[winner]["attainment_p50"]
    # The input view agrees: the starved plan is less fair in potential.
    assert (
        res["plans"][1]["fairness"]["gini_potential"]
        > res["plans"][0]["fairness"]["gini_potential"]
    )


def test_result_shapes_are_json_ready(dataset, current) -> None:
    res = simulate_plans([current], dataset, AS_OF, 12, seed=1, horizon_months=6)
    json.dumps(res)
    plan = res["plans"][0]
    months = res["months"]
    assert len(months) == 7  # the rest of June, then six whole months
    for key in ("closed_won_acv", "cum_closed_won_acv"):
        band = plan["team"][key]
        assert set(band) == {"p10", "p50", "p90", "mean"}
        assert all(len(v) == len(months) for v in band.values())
        assert all(
            lo <= mid <= hi
            for lo, mid, hi in zip(band["p10"], band["p50"], band["p90"], strict=True)
        )
    cum = plan["team"]["cum_closed_won_acv"]["mean"]
    assert all(b >= a for a, b in zip(cum, cum[1:], strict=False))
    assert [t["territory_id"] for t in plan["territories"]] == list(
        current.territory_ids
    )
    for t in plan["territories"]:
        assert 0 <= t["p_hit_quota"] <= 1 and 0 <= t["p_seat_vacated"] <= 1
        assert t["attainment_p10"] <= t["attainment_p50"] <= t["attainment_p90"]
    att = plan["attrition"]
    assert att["expected_departures"] >= 0 and 0 <= att["share_leaving"] <= 1
    assert {r["rep_id"] for r in att["reps"]} >= {
        t.owner_rep_id for t in current.territories
    }
    outcomes = plan["fairness"]["outcomes"]
    assert len(outcomes["territories"]) == len(current.territories)
    assert 0 <= outcomes["p_hit_annual_quota"]["gini"] <= 1


def test_current_plan_keeps_the_calibrated_potentials(dataset, current) -> None:
    base = calibrate(dataset, AS_OF, horizon_months=3)
    scenario, notes = plan_scenario(base, current, dataset, AS_OF)
    calibrated = {t.owner_rep_id: t.potential_usd for t in base.territories}
    for t in scenario.territories:
        assert t.potential_usd == pytest.approx(calibrated[t.owner_rep_id], rel=1e-9)
    assert notes == []


def test_an_owner_who_is_not_selling_leaves_the_territory_unstaffed(
    dataset, current
) -> None:
    ghost = Territory(territory_id="T-ghost", owner="NOBODY", account_ids=())
    plan = current.model_copy(update={"territories": (*current.territories, ghost)})
    base = calibrate(dataset, AS_OF, horizon_months=3)
    scenario, notes = plan_scenario(base, plan, dataset, AS_OF)
    assert scenario.territories[-1].owner_rep_id is None
    assert any("T-ghost" in n for n in notes)


def test_compare_has_fairness_disruption_and_outcomes(dataset, current) -> None:
    starved = _starved(
        current, dataset, current.territory_ids[0], current.territory_ids[1]
    )
    seen: list[float] = []
    res = compare_plans(
        [current, starved],
        dataset,
        AS_OF,
        20,
        seed=3,
        horizon_months=3,
        on_progress=seen.append,
    )
    assert [p["name"] for p in res["plans"]] == ["Current", "Starved"]
    assert res["plans"][0]["disruption"]["accounts_moved"] == 0
    assert res["plans"][1]["disruption"]["accounts_moved"] > 0
    assert all(p["fairness"]["outcomes"] is not None for p in res["plans"])
    assert all("team" in p["outcomes"] for p in res["plans"])
    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="2 to 4"):
        compare_plans([current], dataset, AS_OF, 5, seed=1)


def test_midyear_change_is_identical_before_the_change(dataset, current) -> None:
    starved = _starved(
        current, dataset, current.territory_ids[0], current.territory_ids[1]
    )
    res = midyear_change(
        current,
        starved,
        dataset,
        AS_OF,
        change_month=4,
        replications=20,
        seed=1,
        horizon_months=8,
    )
    json.dumps(res)
    delta = res["delta"]["cum_closed_won_acv"]
    assert np.allclose(delta["p10"][:3], 0) and np.allclose(delta["p90"][:3], 0)
    assert res["change_label"] == res["months"][3]
    assert res["disruption"]["accounts_moved"] > 0
    assert (
        res["stay"]["cum_closed_won_acv"]["p50"][:3]
        == res["switch"]["cum_closed_won_acv"]["p50"][:3]
    )
    assert 0 <= res["delta"]["p_switch_better"] <= 1
    assert res["reps"] and all(0 <= r["p_hit_switch"] <= 1 for r in res["reps"])


def test_a_pointless_switch_costs_momentum(dataset, current) -> None:
    """Switching to the very same plan only pays the re-carve penalty."""
    twin = current.model_copy(update={"name": "Twin"})
    res = midyear_change(
        current,
        twin,
        dataset,
        AS_OF,
        change_month=2,
        replications=40,
        seed=4,
        horizon_months=6,
    )
    assert res["delta"]["annual_closed_won_acv"]["mean"] < 0
    assert res["disruption"]["accounts_moved"] == 0


def test_bad_arguments_are_refused(dataset, current) -> None:
    with pytest.raises(ValueError, match="change_month"):
        midyear_change(current, current, dataset, AS_OF, change_month=0, replications=5)
    with pytest.raises(ValueError, match="replications"):
        simulate_plans([current], dataset, AS_OF, 0, seed=1)
    with pytest.raises(ValueError, match="1 to 4"):
        simulate_plans([current] * 5, dataset, AS_OF, 5, seed=1)
