"""Forecast and backtest: the CLI's ``forecast`` and ``backtest`` (contracts section 3).

The backtest is honest by construction: :func:`simulation.calibrate.calibrate` only
sees the data known at ``train_end`` (later records dropped, later closes reopened),
and the actuals it is scored against are the team's closed-won ACV after it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from crm.schema import ACV_TYPES
from simulation.calibrate import calibrate
from simulation.runner import BAND_COLUMNS, run

FORECAST_METRICS = (
    "closed_won_acv",
    "pipeline_created_acv",
    "activities",
    "meetings",
    "opportunities_created",
    "attainment",
    "cum_closed_won_acv",
    "cum_attainment",
)


def forecast(
    dataset: Dataset,
    as_of: date | pd.Timestamp,
    months: int,
    replications: int = 200,
    seed: int = 0,
    workers: int = 1,
) -> pd.DataFrame:
    """Bands for the next ``months`` months: ``month, scope, metric, p10, p50, p90, mean``.

    ``month`` is ``YYYY-MM``; ``scope`` is ``team``, ``rep:<id>`` or
    ``territory:<id>``. Without activities in the data, ``activities`` and
    ``meetings`` are not modelled and are left out.
    """
    scenario = calibrate(dataset, as_of, horizon_months=months)
    res = run(scenario, replications, seed, workers=workers)
    wanted = [m for m in FORECAST_METRICS if m in res.metrics]
    return res.bands(metrics=wanted)[BAND_COLUMNS]


def _actual_closed_won(
    dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp, months: list[str]
) -> dict[str, float]:
    o = dataset.opportunities
    won = o[
        o["type"].isin(ACV_TYPES)
        & o["is_won"]
        & o["is_closed"]
        & (o["close_date"] > start)
        & (o["close_date"] <= end)
    ]
    by_month = won.groupby(won["close_date"].dt.strftime("%Y-%m"))["amount"].sum()
    return {m: float(by_month.get(m, 0.0)) for m in months}


def backtest(
    dataset: Dataset,
    train_end: date | pd.Timestamp,
    months: int,
    replications: int = 200,
    seed: int = 0,
    workers: int = 1,
) -> dict[str, Any]:
    """Calibrate on data up to ``train_end``, simulate ``months``, score on the actuals.

    Returns ``{"months": [{"month", "actual", "p10", "p50", "p90"}],
    "coverage_p10_p90", "mape_p50"}`` for team closed-won ACV. Coverage is the share
    of months whose actual lies in [P10, P90]; MAPE is over months with a non-zero
    actual (None when every actual is zero).
    """
    end = pd.Timestamp(train_end).normalize()
    scenario = calibrate(dataset, end, horizon_months=months)
    res = run(scenario, replications, seed, workers=workers)
    b = res.bands(metrics=["closed_won_acv"], scopes=["team"])
    horizon_end = end + pd.DateOffset(months=months)
    actual = _actual_closed_won(dataset, end, horizon_end, list(res.months))
    rows = []
    for r in b.itertuples(index=False):
        rows.append(
            {
                "month": str(r.month),
                "actual": actual[str(r.month)],
                "p10": float(r.p10),
                "p50": float(r.p50),
                "p90": float(r.p90),
            }
        )
    a = np.array([x["actual"] for x in rows])
    lo = np.array([x["p10"] for x in rows])
    hi = np.array([x["p90"] for x in rows])
    mid = np.array([x["p50"] for x in rows])
    coverage = float(((a >= lo) & (a <= hi)).mean()) if len(a) else 0.0
    nz = a > 0
    mape = float(np.mean(np.abs(mid[nz] - a[nz]) / a[nz])) if nz.any() else None
    return {"months": rows, "coverage_p10_p90": coverage, "mape_p50": mape}
