"""The territory -> simulation hand-off: one plain dict per territory.

The simulation package takes these as its ``territories`` input, so a plan can be
simulated (each rep's chance of quota) without the two packages importing each
other: plain types only (str, int, float, list, None), dates as ISO strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from crm.dataset import Dataset
from territory.plan import Plan, resolve
from territory.potential import PotentialWeights, account_potential, rollup


def territory_inputs(
    plan: Plan,
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    *,
    weights: PotentialWeights | None = None,
    accounts: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """One dict per territory, in plan order.

    Keys: ``territory_id``, ``owner_rep_id`` (None for a TBH seat), ``tbh_start_date``
    (ISO date or None), ``covering_rep_id`` (who sells the seat's accounts until the
    new rep starts; None for a rep-owned territory), ``account_count``,
    ``potential_usd``, ``open_pipeline_usd`` and ``account_ids`` (sorted).
    """
    acct = (
        accounts if accounts is not None else account_potential(dataset, as_of, weights)
    )
    assignment = resolve(plan, dataset)
    sums = rollup(plan, assignment, acct).set_index("territory_id")
    members = (
        assignment.dropna(subset=["territory_id"])
        .groupby("territory_id")["account_id"]
        .agg(lambda s: sorted(s))
    )
    out = []
    for t in plan.territories:
        row = sums.loc[t.territory_id]
        out.append(
            {
                "territory_id": t.territory_id,
                "owner_rep_id": t.owner_rep_id,
                "tbh_start_date": t.tbh_start_date.isoformat()
                if t.tbh_start_date
                else None,
                "covering_rep_id": t.covering_rep_id,
                "account_count": int(row["account_count"]),
                "potential_usd": float(row["potential_usd"]),
                "open_pipeline_usd": float(row["open_pipeline_usd"]),
                "account_ids": list(members.get(t.territory_id, [])),
            }
        )
    return out
