"""Why did the actuals differ from the plan? Attribution of the gap by driver.

Each driver (activity volume, conversion, deal size, cycle time) is set to its actual
value while the others keep the scenario's, and the scenario is re-simulated on the
same random numbers (same seed, same streams). The change in the team's P50 and mean
of the horizon total is that driver's share of the gap; what the drivers explain only
together is reported as ``interaction``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from crm.schema import ACV_TYPES, MEETING_TYPES
from simulation.runner import run
from simulation.scenario import Scenario

DRIVERS: dict[str, tuple[str, ...]] = {
    "activity_volume": ("activities_per_rep_day", "opportunities_per_rep_day"),
    "conversion": ("meetings_per_activity", "opportunities_per_meeting", "win_rate"),
    "deal_size": ("deal_size_usd",),
    "cycle_time": ("cycle_days",),
}


def scenario_drivers(scenario: Scenario) -> dict[str, float]:
    """The driver values a scenario assumes (team averages at full productivity)."""
    reps = [r for r in scenario.reps if r.role in ("AE", "")] or scenario.reps
    mix = scenario.deal_mix()
    n = max(len(reps), 1)
    types = scenario.deal_types
    mean_size = sum(
        mix[t.name] * t.size_median_usd * np.exp(t.size_sigma**2 / 2) for t in types
    )
    return {
        "activities_per_rep_day": sum(r.activities_per_day for r in reps) / n,
        "opportunities_per_rep_day": sum(r.opportunities_per_day for r in reps) / n,
        "meetings_per_activity": sum(r.meetings_per_activity for r in reps) / n,
        "opportunities_per_meeting": sum(r.opportunities_per_meeting for r in reps) / n,
        "win_rate": sum(mix[t.name] * t.win_rate for t in types),
        "deal_size_usd": float(mean_size),
        "cycle_days": float(sum(mix[t.name] * t.cycle_median_days for t in types)),
    }


def measure_drivers(
    dataset: Dataset, start: date | pd.Timestamp, end: date | pd.Timestamp
) -> dict[str, float]:
    """The same driver values measured on the actuals of a period (for ``explain_gap``)."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    reps = dataset.reps[dataset.reps["role"].fillna("AE") == "AE"]
    ids = set(reps["rep_id"])
    o = dataset.opportunities
    o = o[o["type"].isin(ACV_TYPES) & o["owner_id"].isin(ids)]
    created = o[(o["created_date"] >= s) & (o["created_date"] <= e)]
    closed = o[o["is_closed"] & (o["close_date"] >= s) & (o["close_date"] <= e)]
    won = closed[closed["is_won"]]
    rep_days = 0.0
    for r in reps.itertuples(index=False):
        lo = max(s, r.hire_date)
        hi = min(e, r.end_date) if pd.notna(r.end_date) else e
        if hi >= lo:
            rep_days += len(pd.bdate_range(lo, hi))
    rep_days = max(rep_days, 1.0)
    out = {
        "opportunities_per_rep_day": len(created) / rep_days,
        "win_rate": len(won) / max(len(closed), 1),
        "deal_size_usd": float(won["amount"].mean()) if len(won) else float("nan"),
        "cycle_days": float((won["close_date"] - won["created_date"]).dt.days.median())
        if len(won)
        else float("nan"),
    }
    a = dataset.activities
    a = a[
        (a["activity_date"] >= s) & (a["activity_date"] <= e) & a["owner_id"].isin(ids)
    ]
    if len(a):
        meetings = int(a["activity_type"].isin(MEETING_TYPES).sum())
        out["activities_per_rep_day"] = len(a) / rep_days
        out["meetings_per_activity"] = meetings / len(a)
        out["opportunities_per_meeting"] = len(created) / max(meetings, 1)
    return {k: v for k, v in out.items() if np.isfinite(v)}


def _apply(
    scenario: Scenario,
    driver: str,
    planned: Mapping[str, float],
    actual: Mapping[str, float],
) -> Scenario:
    """The scenario with one driver moved to its actual value (as a lever multiplier)."""

    def ratio(key: str) -> float:
        p, a = planned.get(key, 0.0), actual.get(key)
        return float(a / p) if a is not None and p > 0 else 1.0

    s = scenario
    if driver == "activity_volume":
        key = (
            "activities_per_rep_day"
            if s.funnel == "activities"
            else "opportunities_per_rep_day"
        )
        upd = {"activity_rate_multiplier": s.activity_rate_multiplier * ratio(key)}
    elif driver == "conversion":
        upd = {"win_rate_multiplier": s.win_rate_multiplier * ratio("win_rate")}
        if s.funnel == "activities":
            upd["meeting_conversion_multiplier"] = (
                s.meeting_conversion_multiplier * ratio("meetings_per_activity")
            )
            upd["opportunity_conversion_multiplier"] = (
                s.opportunity_conversion_multiplier * ratio("opportunities_per_meeting")
            )
    elif driver == "deal_size":
        upd = {"deal_size_multiplier": s.deal_size_multiplier * ratio("deal_size_usd")}
    elif driver == "cycle_time":
        upd = {
            "cycle_length_multiplier": s.cycle_length_multiplier * ratio("cycle_days")
        }
    else:
        raise ValueError(f"unknown driver {driver!r}; expected one of {list(DRIVERS)}")
    return s.model_copy(update=upd).validated()


def explain_gap(
    scenario: Scenario,
    actual_drivers: Mapping[str, float],
    replications: int = 200,
    seed: int = 0,
    metric: str = "closed_won_acv",
    scope: str = "team",
    workers: int = 1,
    planned_drivers: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Attribute the gap between the scenario and the actual drivers, driver by driver.

    ``actual_drivers`` holds actual values under the keys of :func:`scenario_drivers`
    (for example from :func:`measure_drivers`); missing keys leave a driver as
    planned. ``planned_drivers`` (same keys) replaces :func:`scenario_drivers` as the
    reference each actual is divided by: a caller that measured the plan the way the
    actuals are measured (ramp, seasonality and levers included) passes it here.
    Returns one row per driver plus ``all_drivers`` and ``interaction``:
    ``driver, delta_p50, delta_mean, baseline_p50, baseline_mean`` of the horizon
    total of ``metric`` for ``scope``.
    """
    unknown = set(actual_drivers) - {k for keys in DRIVERS.values() for k in keys}
    if unknown:
        raise ValueError(f"actual_drivers: unknown keys {sorted(unknown)}")
    planned = (
        dict(planned_drivers)
        if planned_drivers is not None
        else scenario_drivers(scenario)
    )

    def total(s: Scenario) -> np.ndarray:
        res = run(s, replications, seed, workers=workers)
        return res.metric(metric, scope).sum(axis=1)

    base = total(scenario)
    rows = []
    combined = scenario
    sum_p50 = sum_mean = 0.0
    for driver in DRIVERS:
        variant = _apply(scenario, driver, planned, actual_drivers)
        combined = _apply(combined, driver, planned, actual_drivers)
        v = total(variant)
        d_p50 = float(np.median(v) - np.median(base))
        d_mean = float(v.mean() - base.mean())
        sum_p50 += d_p50
        sum_mean += d_mean
        rows.append({"driver": driver, "delta_p50": d_p50, "delta_mean": d_mean})
    allv = total(combined)
    all_p50 = float(np.median(allv) - np.median(base))
    all_mean = float(allv.mean() - base.mean())
    rows.append({"driver": "all_drivers", "delta_p50": all_p50, "delta_mean": all_mean})
    rows.append(
        {
            "driver": "interaction",
            "delta_p50": all_p50 - sum_p50,
            "delta_mean": all_mean - sum_mean,
        }
    )
    out = pd.DataFrame(rows)
    out["baseline_p50"] = float(np.median(base))
    out["baseline_mean"] = float(base.mean())
    return out.astype({"driver": "str"})
