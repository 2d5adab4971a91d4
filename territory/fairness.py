"""Fairness: does every rep get the same shot at quota?

Two views (domain, Unit 1 "Be fair"): *input* fairness compares what territories could
yield (potential, from :mod:`territory.potential`); *outcome* fairness compares what a
simulation says each territory's rep will achieve (chance of hitting quota and the
attainment band). Both are summarised with the same spread measures, all population
statistics over the territories (not sample estimates):

* index: a territory's value / the mean over territories (1.0 = exactly average);
* max/min ratio: largest / smallest value (infinite when the smallest is 0);
* coefficient of variation: population standard deviation / mean;
* Gini: mean absolute difference over all ordered pairs / (2 * mean); 0 when equal,
  ``(n - 1) / n`` when one territory holds everything (0.75 for four territories);
* share within tolerance: share of territories whose index is within ``1 +/- tolerance``
  (default 15%, the common balance band).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from territory.plan import Plan, resolve_report
from territory.potential import PotentialWeights, account_potential, rollup

DEFAULT_TOLERANCE = 0.15


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON types (NaN becomes None, numpy scalars become Python ones)."""
    return json.loads(frame.to_json(orient="records", double_precision=15))


def _values(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    v = np.asarray(values, dtype="float64")
    if v.ndim != 1:
        raise ValueError("expected a one-dimensional sequence of numbers")
    if np.isnan(v).any() or (v < 0).any():
        raise ValueError("values must be non-negative numbers without gaps")
    return v


def gini(values: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Gini coefficient of non-negative values; 0 for no values or all zeros."""
    v = np.sort(_values(values))
    n, total = len(v), v.sum()
    if n == 0 or total <= 0:
        return 0.0
    # Sorted form of sum_i sum_j |x_i - x_j| / (2 n^2 mean): O(n log n), not O(n^2).
    ranks = np.arange(1, n + 1)
    return float(np.sum((2 * ranks - n - 1) * v) / (n * total))


def coefficient_of_variation(values: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Population standard deviation / mean; 0 for no values or a zero mean."""
    v = _values(values)
    if len(v) == 0 or v.mean() <= 0:
        return 0.0
    return float(v.std(ddof=0) / v.mean())


def max_min_ratio(values: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Largest / smallest value: 1 when equal, ``inf`` when the smallest is 0."""
    v = _values(values)
    if len(v) == 0 or v.max() <= 0:
        return 1.0
    return float(v.max() / v.min()) if v.min() > 0 else math.inf


def balance_index(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Each value / the mean (all ones when the mean is 0)."""
    v = _values(values)
    mean = v.mean() if len(v) else 0.0
    return v / mean if mean > 0 else np.ones_like(v)


def share_within_tolerance(
    values: Sequence[float] | np.ndarray | pd.Series,
    tolerance: float = DEFAULT_TOLERANCE,
) -> float:
    """Share of values whose index lies within ``1 +/- tolerance`` (bounds included)."""
    idx = balance_index(values)
    if len(idx) == 0:
        return 1.0
    return float(np.mean(np.abs(idx - 1.0) <= tolerance + 1e-12))


def spread(
    values: Sequence[float] | np.ndarray | pd.Series,
    tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, float | None]:
    """All spread measures of one quantity, JSON-safe (an infinite ratio becomes None)."""
    v = _values(values)
    ratio = max_min_ratio(v)
    return {
        "mean": float(v.mean()) if len(v) else 0.0,
        "min": float(v.min()) if len(v) else 0.0,
        "max": float(v.max()) if len(v) else 0.0,
        "gini": gini(v),
        "cv": coefficient_of_variation(v),
        "max_min_ratio": None if math.isinf(ratio) else ratio,
        "share_within_tolerance": share_within_tolerance(v, tolerance),
    }


# Accepted spellings of the simulation's per-territory columns.
_P_HIT = ("p_hit_annual_quota", "p_hit_quota")
_ATTAINMENT = {
    q: (
        f"p{q}_annual_attainment",
        f"p{q}_attainment",
        f"annual_attainment_p{q}",
        f"attainment_p{q}",
    )
    for q in (10, 50, 90)
}


def _pick(frame: pd.DataFrame, names: Sequence[str]) -> str:
    for n in names:
        if n in frame.columns:
            return n
    raise KeyError(f"simulated results need one of the columns {list(names)}")


def outcome_fairness(outcomes: pd.DataFrame) -> dict[str, Any]:
    """Spread across territories of simulated outcomes.

    ``outcomes`` is the simulation's per-scope table (``SimResults.prob_quota()``):
    ``scope`` (rows other than ``territory:<id>`` are ignored), ``p_hit_annual_quota``
    and ``p10/p50/p90`` annual attainment (``p50_annual_attainment``; ``p50_attainment``
    is accepted too). Returns per-territory rows plus, for the chance of quota and the
    median attainment: range (max - min), population standard deviation, min, max and
    Gini; and the mean width of the p10-p90 band (how uncertain a territory is).
    """
    rows = outcomes[outcomes["scope"].astype("str").str.startswith("territory:")]
    p_hit = _pick(rows, _P_HIT)
    cols = {q: _pick(rows, names) for q, names in _ATTAINMENT.items()}
    table = pd.DataFrame(
        {
            "territory_id": rows["scope"].astype("str").str.removeprefix("territory:"),
            "p_hit_annual_quota": rows[p_hit].astype("float64"),
            **{f"p{q}_attainment": rows[c].astype("float64") for q, c in cols.items()},
        }
    ).reset_index(drop=True)

    def summary(v: pd.Series) -> dict[str, float]:
        a = v.to_numpy(dtype="float64")
        if len(a) == 0:
            return {"min": 0.0, "max": 0.0, "range": 0.0, "std": 0.0, "gini": 0.0}
        return {
            "min": float(a.min()),
            "max": float(a.max()),
            "range": float(a.max() - a.min()),
            "std": float(a.std(ddof=0)),
            "gini": gini(np.clip(a, 0, None)),
        }

    band = table["p90_attainment"] - table["p10_attainment"]
    return {
        "territories": records(table),
        "p_hit_annual_quota": summary(table["p_hit_annual_quota"]),
        "p50_attainment": summary(table["p50_attainment"]),
        "mean_band_width": float(band.mean()) if len(band) else 0.0,
    }


def fairness_report(
    plan: Plan,
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    weights: PotentialWeights | None = None,
    outcomes: pd.DataFrame | None = None,
    accounts: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Input fairness of a plan (and outcome fairness when ``outcomes`` is given).

    JSON-ready: ``plan``, ``as_of``, ``tolerance``, ``gini_potential``,
    ``max_min_ratio`` (None when a territory has no potential), ``cv_potential``,
    ``share_within_tolerance``, ``mean_potential_usd``, ``unassigned_accounts``,
    ``conflicts``, ``workload`` (spread of open deals and 90-day activities),
    ``territories`` (one row per territory with its ``index`` and ``within_tolerance``)
    and ``outcomes`` (None or :func:`outcome_fairness`). Pass ``accounts`` (an
    :func:`account_potential` frame) to reuse it across plans.
    """
    if not 0 <= tolerance < 1:
        raise ValueError("tolerance must be in [0, 1)")
    acct = (
        accounts if accounts is not None else account_potential(dataset, as_of, weights)
    )
    res = resolve_report(plan, dataset)
    terr = rollup(plan, res.assignment, acct)
    pot = terr["potential_usd"].to_numpy(dtype="float64")
    s = spread(pot, tolerance)
    idx = balance_index(pot)
    terr["index"] = idx
    terr["within_tolerance"] = np.abs(idx - 1.0) <= tolerance + 1e-12
    return {
        "plan": plan.name,
        "as_of": pd.Timestamp(as_of).date().isoformat(),
        "tolerance": tolerance,
        "territory_count": len(plan.territories),
        "gini_potential": s["gini"],
        "max_min_ratio": s["max_min_ratio"],
        "cv_potential": s["cv"],
        "share_within_tolerance": s["share_within_tolerance"],
        "mean_potential_usd": s["mean"],
        "total_potential_usd": float(pot.sum()),
        "unassigned_accounts": len(res.unassigned_account_ids),
        "unassigned_potential_usd": float(
            acct.loc[
                acct["account_id"].isin(res.unassigned_account_ids), "potential_usd"
            ].sum()
        ),
        "conflicts": int(len(res.conflicts)),
        "workload": {
            "open_deals": spread(terr["open_deals"], tolerance),
            "activities_90d": spread(terr["activities_90d"], tolerance),
            "account_count": spread(terr["account_count"], tolerance),
        },
        "territories": records(terr),
        "outcomes": None if outcomes is None else outcome_fairness(outcomes),
    }
