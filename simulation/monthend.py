"""The simulated month-end range for the State of the Union's forecast.

The dashboard's own projection weights open Commit and Best Case deals by their
historical conversion: one number. The calibrated model adds the range: each
replication closes the rest of the month from today's open pipeline and new deals,
and the month-to-date actual is added to every replication, so the P10–P90 says how
far the month could still land either side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from simulation.calibrate import calibrate
from simulation.runner import run

RestOfMonth = dict[str, list[float]]


def simulate_rest_of_month(dataset: Dataset, as_of: date | pd.Timestamp, replications: int = 100, seed: int = 0) -> RestOfMonth | None:
    """Closed-won ACV still to come this month, per replication, for the team and each rep.

    One calibration and one run serve every filter of the page (a view sums its reps
    per replication), so the result is JSON-able and cached once per data version.
    None when the month is complete at ``as_of`` or nothing can be calibrated.
    """
    d = pd.Timestamp(as_of).normalize()
    if d.is_month_end or dataset.reps.empty:
        return None
    try:
        scenario = calibrate(dataset, d, horizon_months=1)
    except ValueError:
        return None
    res = run(scenario, replications, seed)
    month = f"{d:%Y-%m}"
    if month not in res.months:
        return None
    m = res.months.index(month)
    return {scope: res.metric("closed_won_acv", scope)[:, m].tolist() for scope in res.scopes if scope == "team" or scope.startswith("rep:")}


def range_of(rest: Mapping[str, Sequence[float]], closed_to_date: float, rep_ids: Sequence[str] | None = None, month: str = "") -> dict[str, Any]:
    """P10/P50/P90 of the month's closed-won ACV for the whole team (``rep_ids`` None)
    or the sum of those reps, per replication, plus the actual to date."""
    scopes = ["team"] if rep_ids is None else [f"rep:{r}" for r in rep_ids if f"rep:{r}" in rest]
    replications = len(rest["team"])
    total = np.full(replications, float(closed_to_date))
    for scope in scopes:
        total += np.asarray(rest[scope], dtype=float)
    p10, p50, p90 = (float(v) for v in np.percentile(total, [10, 50, 90]))
    return {"month": month, "p10": p10, "p50": p50, "p90": p90, "replications": replications}


def month_end_range(
    dataset: Dataset,
    as_of: date | pd.Timestamp,
    closed_to_date: float,
    rep_ids: Sequence[str] | None = None,
    replications: int = 100,
    seed: int = 0,
) -> dict[str, Any] | None:
    """P10/P50/P90 of the month's closed-won ACV (actual to date + simulated rest)."""
    rest = simulate_rest_of_month(dataset, as_of, replications, seed)
    if rest is None:
        return None
    return range_of(rest, closed_to_date, rep_ids, f"{pd.Timestamp(as_of):%Y-%m}")
