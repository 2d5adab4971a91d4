"""Simulated outcomes of territory plans: each rep's chance of quota, side by side.

Why here: a plan is judged by what it does to people, not only by how even its
potential looks (domain, Unit 1 "Be fair"). This module hands plans to the
simulation (``territory.bridge.territory_inputs`` -> ``Scenario.territories``), runs
every plan on the *same* seed (common random numbers, so a difference between two
plans comes from the plans, not the noise) and returns plain JSON-ready data that the
web page caches and the CLI prints.

Potential units. Calibration measures each rep's rates in their own territory and
divides by that territory's potential factor (annual revenue of the owned accounts,
relative to the mean). A plan's potential is expected ACV (``territory.potential``).
To keep each rep's calibrated productivity, a plan territory's simulated potential is
the calibrated potential of its owner's territory scaled by how much ACV potential the
plan gives them compared with today's ownership; a territory without a calibrated
owner (a TBH seat, a rep without accounts today) is scaled by the book-wide ratio. So
the current plan reproduces the calibrated baseline exactly, and a plan that halves a
rep's potential halves their simulated potential.

Attrition. The simulation records each rep's headcount at every month close before it
draws that month's departures, so a departure is seen as headcount going from 1 to 0
between two month closes; one drawn at the very last month close falls outside the
horizon and is not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from simulation.calibrate import calibrate
from simulation.runner import SimResults, run
from simulation.scenario import Scenario, TerritoryInput
from territory.balance import disruption
from territory.bridge import territory_inputs
from territory.commands import compare_inputs
from territory.fairness import DEFAULT_TOLERANCE, fairness_report
from territory.plan import Plan, current_plan
from territory.potential import account_potential

Progress = Callable[[float], None]
MAX_PLANS = 4
BAND_KEYS = ("p10", "p50", "p90", "mean")


def _day(as_of: dt.date | str | pd.Timestamp) -> dt.date:
    return pd.Timestamp(as_of).date()


def _check_run(replications: int, seed: int) -> None:
    if not 1 <= int(replications) <= 5000:
        raise ValueError(f"replications must be between 1 and 5000, got {replications}")
    if int(seed) < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed}")


def plan_scenario(
    base: Scenario,
    plan: Plan,
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    *,
    accounts: pd.DataFrame | None = None,
) -> tuple[Scenario, list[str]]:
    """The calibrated scenario with the plan's territories, and notes on what was adapted.

    Owners the simulation does not know (a rep who left, a non-selling owner) leave
    their territory unstaffed; covering reps it does not know are dropped. Both are
    listed in the notes so a reader sees why a territory sells nothing.
    """
    acct = accounts if accounts is not None else account_potential(dataset, as_of)
    known = {r.rep_id for r in base.reps}
    team_of = {r.rep_id: r.team for r in base.reps}
    calibrated = {
        t.owner_rep_id: t.potential_usd
        for t in base.territories
        if t.owner_rep_id is not None and t.potential_usd is not None
    }
    today = {
        row["owner_rep_id"]: row["potential_usd"]
        for row in territory_inputs(
            current_plan(dataset), dataset, as_of, accounts=acct
        )
        if row["owner_rep_id"] is not None
    }
    pairs = [(calibrated[r], today[r]) for r in calibrated if today.get(r, 0) > 0]
    book_ratio = sum(c for c, _ in pairs) / sum(p for _, p in pairs) if pairs else None
    notes: list[str] = []
    territories: list[TerritoryInput] = []
    for row in territory_inputs(plan, dataset, as_of, accounts=acct):
        owner = row["owner_rep_id"]
        cover = row["covering_rep_id"]
        if owner is not None and owner not in known:
            notes.append(
                f"{row['territory_id']}: owner {owner} is not a selling rep at "
                f"{_day(as_of)}, so the territory is unstaffed"
            )
            owner = None
        if cover is not None and cover not in known:
            notes.append(
                f"{row['territory_id']}: covering rep {cover} is not a selling rep, "
                "so nobody covers the seat until its hire starts"
            )
            cover = None
        pot = float(row["potential_usd"])
        if owner in calibrated and today.get(owner, 0) > 0:
            sim_pot: float | None = calibrated[owner] * pot / today[owner]
        elif book_ratio is not None:
            sim_pot = book_ratio * pot
        else:
            sim_pot = None
        territories.append(
            TerritoryInput(
                territory_id=row["territory_id"],
                owner_rep_id=owner,
                tbh_start_date=row["tbh_start_date"],
                covering_rep_id=cover,
                account_count=int(row["account_count"]),
                potential_usd=sim_pot,
                team=team_of.get(owner or cover or ""),
            )
        )
    scenario = base.model_copy(
        update={"name": plan.name, "territories": territories}
    ).validated()
    return scenario, notes


def _band(values: np.ndarray) -> dict[str, list[float]]:
    """P10/P50/P90/mean per column of a (replications, months) array."""
    p10, p50, p90 = np.percentile(values, [10, 50, 90], axis=0)
    return {
        "p10": [float(x) for x in p10],
        "p50": [float(x) for x in p50],
        "p90": [float(x) for x in p90],
        "mean": [float(x) for x in values.mean(axis=0)],
    }


def _summary(values: np.ndarray) -> dict[str, float]:
    """P10/P50/P90/mean of a per-replication vector."""
    p10, p50, p90 = np.percentile(values, [10, 50, 90])
    return {
        "p10": float(p10),
        "p50": float(p50),
        "p90": float(p90),
        "mean": float(values.mean()),
    }


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _departures(head: np.ndarray) -> np.ndarray:
    """Departures per replication from (replications, months) headcounts."""
    if head.shape[1] < 2:
        return np.zeros(head.shape[0])
    return ((head[:, :-1] > 0.5) & (head[:, 1:] < 0.5)).sum(axis=1).astype(float)


def attrition(res: SimResults) -> dict[str, Any]:
    """Attrition risk over the horizon: expected departures, share of reps leaving.

    ``reps`` lists each current rep and planned hire with their chance of leaving;
    backfills count in the totals (they can leave too) but are not listed.
    """
    rep_scopes = [s for s in res.scopes if s.startswith("rep:")]
    if not rep_scopes:
        return {
            "expected_departures": 0.0,
            "share_leaving": 0.0,
            "p_any_departure": 0.0,
            "reps": [],
        }
    head = np.stack([res.metric("headcount", s) for s in rep_scopes], axis=2)
    gone = np.stack(
        [_departures(head[:, :, i]) for i in range(len(rep_scopes))], axis=1
    )
    ever = (head > 0.5).any(axis=1).sum(axis=1)
    total = gone.sum(axis=1)
    share = np.where(ever > 0, total / np.maximum(ever, 1), 0.0)
    return {
        "expected_departures": float(total.mean()),
        "share_leaving": float(share.mean()),
        "p_any_departure": float((total > 0).mean()),
        "reps": [
            {
                "rep_id": s.removeprefix("rep:"),
                "p_leave": float((gone[:, i] > 0).mean()),
            }
            for i, s in enumerate(rep_scopes)
            if not s.startswith("rep:backfill:")
        ],
    }


def team_outcome(res: SimResults) -> dict[str, Any]:
    """Team closed-won ACV bands by month (and cumulative), quota and the horizon total."""
    won = res.metric("closed_won_acv")
    quota = res.metric("quota")
    annual = won.sum(axis=1)
    annual_quota = quota.sum(axis=1)
    att = np.where(
        annual_quota > 0, annual / np.where(annual_quota > 0, annual_quota, 1), np.nan
    )
    valid = np.isfinite(att)
    return {
        "months": list(res.months),
        "closed_won_acv": _band(won),
        "cum_closed_won_acv": _band(np.cumsum(won, axis=1)),
        "quota": [float(x) for x in quota.mean(axis=0)],
        "cum_quota": [float(x) for x in np.cumsum(quota, axis=1).mean(axis=0)],
        "annual_closed_won_acv": _summary(annual),
        "annual_quota": float(annual_quota.mean()),
        "p_hit_quota": float((att[valid] >= 1.0).mean()) if valid.any() else None,
        "attainment": _summary(att[valid]) if valid.any() else None,
    }


def territory_outcomes(res: SimResults, plan: Plan) -> list[dict[str, Any]]:
    """Per plan territory: chance of quota, attainment band, median ACV, seat vacated."""
    pq = res.prob_quota().set_index("scope")
    out = []
    for t in plan.territories:
        scope = f"territory:{t.territory_id}"
        if scope not in pq.index:
            continue
        row = pq.loc[scope]
        won = res.metric("closed_won_acv", scope).sum(axis=1)
        head = res.metric("headcount", scope)
        out.append(
            {
                "territory_id": t.territory_id,
                "name": t.display_name,
                "owner_rep_id": t.owner_rep_id,
                "is_tbh": t.is_tbh,
                "p_hit_quota": _finite(row["p_hit_annual_quota"]),
                "attainment_p10": _finite(row["attainment_p10"]),
                "attainment_p50": _finite(row["attainment_p50"]),
                "attainment_p90": _finite(row["attainment_p90"]),
                "closed_won_acv_p50": float(np.median(won)),
                "p_seat_vacated": float((_departures(head) > 0).mean()),
            }
        )
    return out


def _plan_entry(
    plan: Plan,
    res: SimResults,
    dataset: Dataset,
    as_of: dt.date,
    acct: pd.DataFrame,
    tolerance: float,
    notes: list[str],
) -> dict[str, Any]:
    pq = res.prob_quota()
    terr = pq[
        pq["scope"].str.startswith("territory:")
        & pq["p_hit_annual_quota"].notna()
        & pq["attainment_p50"].notna()
    ]
    plan_ids = {f"territory:{t}" for t in plan.territory_ids}
    terr = terr[terr["scope"].isin(plan_ids)]
    return {
        "name": plan.name,
        "team": team_outcome(res),
        "territories": territory_outcomes(res, plan),
        "attrition": attrition(res),
        "fairness": fairness_report(
            plan, dataset, as_of, tolerance=tolerance, outcomes=terr, accounts=acct
        ),
        "notes": notes,
    }


def simulate_plans(
    plans: Sequence[Plan],
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    replications: int,
    seed: int,
    workers: int = 1,
    *,
    horizon_months: int = 12,
    tolerance: float = DEFAULT_TOLERANCE,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Simulate each plan on common random numbers; JSON-ready, one entry per plan.

    ``{"as_of", "horizon_months", "replications", "seed", "months", "plans": [{"name",
    "team": {"months", "closed_won_acv": {"p10","p50","p90","mean": [per month]},
    "cum_closed_won_acv", "quota", "cum_quota", "annual_closed_won_acv": {...},
    "annual_quota", "p_hit_quota", "attainment"}, "territories": [{"territory_id",
    "name", "owner_rep_id", "is_tbh", "p_hit_quota", "attainment_p10/p50/p90",
    "closed_won_acv_p50", "p_seat_vacated"}], "attrition": {"expected_departures",
    "share_leaving", "p_any_departure", "reps": [{"rep_id", "p_leave"}]}, "fairness":
    <fairness_report with outcomes>, "notes": [...]}]}``. ``on_progress`` receives the
    fraction done (0..1) after each block of replications.
    """
    if not 1 <= len(plans) <= MAX_PLANS:
        raise ValueError(f"simulate 1 to {MAX_PLANS} plans, got {len(plans)}")
    _check_run(replications, seed)
    day = _day(as_of)
    base = calibrate(dataset, day, horizon_months=horizon_months)
    acct = account_potential(dataset, day)
    entries = []
    for i, plan in enumerate(plans):
        scenario, notes = plan_scenario(base, plan, dataset, day, accounts=acct)

        def step(partial: SimResults, i: int = i) -> None:
            if on_progress is not None:
                done = partial.replications / max(replications, 1)
                on_progress((i + done) / len(plans))

        res = run(scenario, replications, seed, workers=workers, on_progress=step)
        entries.append(_plan_entry(plan, res, dataset, day, acct, tolerance, notes))
    return {
        "as_of": day.isoformat(),
        "horizon_months": horizon_months,
        "replications": int(replications),
        "seed": int(seed),
        "months": entries[0]["team"]["months"],
        "plans": entries,
    }


def compare_plans(
    plans: Sequence[Plan],
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    replications: int,
    seed: int,
    workers: int = 1,
    *,
    horizon_months: int = 12,
    tolerance: float = DEFAULT_TOLERANCE,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Fairness, disruption (from the first plan) and simulated outcomes of 2-4 plans.

    :func:`territory.commands.compare_inputs` with, per plan, ``outcomes`` (its entry
    of :func:`simulate_plans`) and ``fairness`` carrying the outcome fairness.
    """
    inputs = compare_inputs(plans, dataset, as_of, tolerance=tolerance)
    sims = simulate_plans(
        plans,
        dataset,
        as_of,
        replications,
        seed,
        workers,
        horizon_months=horizon_months,
        tolerance=tolerance,
        on_progress=on_progress,
    )
    for entry, sim in zip(inputs["plans"], sims["plans"], strict=True):
        entry["fairness"] = sim.pop("fairness")
        entry["outcomes"] = sim
    inputs.update(
        {k: sims[k] for k in ("horizon_months", "replications", "seed", "months")}
    )
    return inputs


def _splice(
    stay: SimResults, switch: SimResults, metric: str, scope: str, k: int
) -> np.ndarray:
    a = stay.metric(metric, scope)
    b = switch.metric(metric, scope)
    return np.concatenate([a[:, :k], b[:, k:]], axis=1)


def midyear_change(
    plan_now: Plan,
    plan_new: Plan,
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    change_month: int,
    replications: int = 200,
    seed: int = 0,
    workers: int = 1,
    *,
    horizon_months: int = 12,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Stay on ``plan_now`` all year, or switch to ``plan_new`` in ``change_month``.

    ``change_month`` counts months of the horizon (1 = the first). The switch is
    simulated as the current plan until the change, then the new plan with the
    simulation's re-carve lever (``recarve_month``): every territory loses momentum
    (``recarve_penalty`` for ``recarve_penalty_days``) and fresh accounts are
    re-levelled. Both runs share one seed, so months before the change are identical
    and the difference after it is the change's. Returns ``{"as_of", "change_month",
    "change_label", "months", "stay": <team outcome>, "switch": <team outcome>,
    "delta": {"cum_closed_won_acv": <bands of switch - stay per replication>,
    "annual_closed_won_acv": {...}, "p_switch_better"}, "reps": [{"rep_id",
    "p_hit_stay", "p_hit_switch"}], "attrition": {"stay", "switch"} (expected
    departures), "disruption", "penalty": {"share", "days"}, "notes"}``.
    """
    if not 1 <= int(change_month) <= horizon_months:
        raise ValueError(
            f"change_month must be between 1 and {horizon_months}, got {change_month}"
        )
    if change_month > 12:
        raise ValueError("the simulation re-carves within the first 12 months")
    _check_run(replications, seed)
    day = _day(as_of)
    base = calibrate(dataset, day, horizon_months=horizon_months)
    acct = account_potential(dataset, day)
    now_sc, notes_now = plan_scenario(base, plan_now, dataset, day, accounts=acct)
    new_sc, notes_new = plan_scenario(base, plan_new, dataset, day, accounts=acct)
    new_sc = new_sc.model_copy(update={"recarve_month": int(change_month)}).validated()

    def progress(offset: float) -> Callable[[SimResults], None]:
        def step(partial: SimResults) -> None:
            if on_progress is not None:
                on_progress(offset + 0.5 * partial.replications / max(replications, 1))

        return step

    stay = run(now_sc, replications, seed, workers=workers, on_progress=progress(0.0))
    switch = run(new_sc, replications, seed, workers=workers, on_progress=progress(0.5))
    k = int(change_month) - 1
    spliced = _splice(stay, switch, "closed_won_acv", "team", k)
    quota = _splice(stay, switch, "quota", "team", k)
    stay_won = stay.metric("closed_won_acv")
    cum_delta = np.cumsum(spliced, axis=1) - np.cumsum(stay_won, axis=1)
    annual_delta = spliced.sum(axis=1) - stay_won.sum(axis=1)

    def outcome(won: np.ndarray, q: np.ndarray, res: SimResults) -> dict[str, Any]:
        annual, annual_q = won.sum(axis=1), q.sum(axis=1)
        ok = annual_q > 0
        att = annual[ok] / annual_q[ok]
        return {
            "months": list(res.months),
            "closed_won_acv": _band(won),
            "cum_closed_won_acv": _band(np.cumsum(won, axis=1)),
            "cum_quota": [float(x) for x in np.cumsum(q, axis=1).mean(axis=0)],
            "annual_closed_won_acv": _summary(annual),
            "p_hit_quota": float((att >= 1.0).mean()) if len(att) else None,
        }

    reps = []
    for scope in stay.scopes:
        if not scope.startswith("rep:") or scope.startswith("rep:backfill:"):
            continue
        if scope not in switch.scopes:
            continue
        q = stay.metric("quota", scope).sum(axis=1)
        if not (q > 0).any():
            continue
        won_stay = stay.metric("closed_won_acv", scope).sum(axis=1)
        won_switch = _splice(stay, switch, "closed_won_acv", scope, k).sum(axis=1)
        ok = q > 0
        reps.append(
            {
                "rep_id": scope.removeprefix("rep:"),
                "p_hit_stay": float((won_stay[ok] >= q[ok]).mean()),
                "p_hit_switch": float((won_switch[ok] >= q[ok]).mean()),
            }
        )
    head_scopes = [
        s for s in stay.scopes if s.startswith("rep:") and s in switch.scopes
    ]

    def departures(res: SimResults, other: SimResults | None) -> float:
        total = np.zeros(res.replications)
        for s in head_scopes:
            head = (
                res.metric("headcount", s)
                if other is None
                else _splice(other, res, "headcount", s, k)
            )
            total += _departures(head)
        return float(total.mean())

    return {
        "as_of": day.isoformat(),
        "change_month": int(change_month),
        "change_label": stay.months[k],
        "months": list(stay.months),
        "replications": int(replications),
        "seed": int(seed),
        "stay": outcome(stay_won, stay.metric("quota"), stay),
        "switch": outcome(spliced, quota, stay),
        "delta": {
            "cum_closed_won_acv": _band(cum_delta),
            "annual_closed_won_acv": _summary(annual_delta),
            "p_switch_better": float((annual_delta > 0).mean()),
        },
        "reps": reps,
        "attrition": {
            "stay": departures(stay, None),
            "switch": departures(switch, stay),
        },
        "disruption": disruption(plan_now, plan_new, dataset, day, accounts=acct),
        "penalty": {
            "share": float(new_sc.recarve_penalty),
            "days": float(new_sc.recarve_penalty_days),
        },
        "notes": sorted(set(notes_now + notes_new)),
    }
