"""The simulated month-end range for the State of the Union's forecast.

The dashboard's own projection weights open Commit and Best Case deals by their
historical conversion: one number. The calibrated model adds the range: each
replication closes the rest of the month from today's open pipeline and new deals,
and the month-to-date actual is added to every replication, so the P10–P90 says how
far the month could still land either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from simulation.calibrate import calibrate
from simulation.runner import run


def month_end_range(
    dataset: Dataset,
    as_of: date | pd.Timestamp,
    closed_to_date: float,
    rep_ids: Sequence[str] | None = None,
    replications: int = 100,
    seed: int = 0,
) -> dict[str, Any] | None:
    """P10/P50/P90 of the month's closed-won ACV (actual to date + simulated rest).

    ``rep_ids`` limits the scope to those reps (each replication sums them, so the
    range is of the total, not a sum of ranges); None is the whole team. None is
    returned when the month is already complete at ``as_of`` or nothing can be
    calibrated (an empty workspace).
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
    scopes = ["team"] if rep_ids is None else [f"rep:{r}" for r in rep_ids if f"rep:{r}" in res.scopes]
    rest = np.zeros(res.replications)
    for scope in scopes:
        rest += res.metric("closed_won_acv", scope)[:, m]
    total = float(closed_to_date) + rest
    p10, p50, p90 = (float(v) for v in np.percentile(total, [10, 50, 90]))
    return {"month": month, "p10": p10, "p50": p50, "p90": p90, "replications": int(res.replications), "seed": seed}
