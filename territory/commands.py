"""Functions behind ``python -m app plan ...``: plain inputs in, JSON-ready data out.

The app's CLI parses arguments and prints; these do the work, so scripts, the web
app and tests call the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

import pandas as pd

from crm.dataset import Dataset
from territory.balance import By, balance, disruption
from territory.fairness import DEFAULT_TOLERANCE, fairness_report
from territory.plan import Plan
from territory.potential import PotentialWeights, account_potential


def balance_command(
    dataset: Dataset,
    territories: int,
    by: str,
    as_of: dt.date | str | pd.Timestamp,
) -> Plan:
    """Carve ``territories`` balanced territories keeping ``by`` units together.

    The carve starts from today's ownership when that is as balanced as a fresh carve
    (see :func:`territory.balance.balance`), so it moves as few accounts as it can.
    """
    return balance(dataset, as_of, territories=territories, by=cast(By, by)).plan


def fairness_command(
    plan: Plan,
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """The plan's fairness report (:func:`territory.fairness.fairness_report`)."""
    return fairness_report(plan, dataset, as_of, tolerance=tolerance)


def compare_inputs(
    plans: Sequence[Plan],
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    weights: PotentialWeights | None = None,
) -> dict[str, Any]:
    """Fairness and disruption of 2-4 plans side by side, the first being the baseline.

    ``{"as_of", "baseline", "plans": [{"name", "fairness": <fairness report>,
    "disruption": <disruption from the baseline>}]}``; the integrator adds simulated
    outcomes per plan (e.g. ``fairness_report(..., outcomes=...)``).
    """
    if not 2 <= len(plans) <= 4:
        raise ValueError(f"compare 2 to 4 plans, got {len(plans)}")
    names = [p.name for p in plans]
    if len(set(names)) != len(names):
        raise ValueError(f"compared plans need distinct names, got {names}")
    acct = account_potential(dataset, as_of, weights)
    base = plans[0]
    return {
        "as_of": pd.Timestamp(as_of).date().isoformat(),
        "baseline": base.name,
        "plans": [
            {
                "name": p.name,
                "fairness": fairness_report(
                    p, dataset, as_of, tolerance=tolerance, accounts=acct
                ),
                "disruption": disruption(base, p, dataset, as_of, accounts=acct),
            }
            for p in plans
        ],
    }
