"""A NumPy-drawn workspace of any size, for invariant tests and the benchmark.

Shape, not realism: enough variety (hires and departures, renewals, history, linked
activities, all forecast categories) to exercise every code path of ``metrics``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from crm.dataset import Dataset

STAGES = ("Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation")


def synthetic_dataset(
    reps: int = 500,
    seed: int = 7,
    as_of: date = date(2026, 6, 15),
    opps_per_rep: int = 400,
    activities_per_rep: int = 4000,
) -> Dataset:
    """A workspace of the benchmark's size drawn with NumPy (shape, not realism)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    end = np.datetime64(as_of, "D")
    span = 900  # days of history
    rep_ids = np.array([f"R{i:04d}" for i in range(reps)], dtype=object)
    team_of = np.arange(reps) // 10
    hire = end - span - 200 + rng.integers(0, span + 100, reps)
    leave = np.where(rng.random(reps) < 0.1, hire + rng.integers(60, 600, reps), None)
    rep_frame = pd.DataFrame(
        {
            "rep_id": rep_ids,
            "rep_name": [f"Rep {i}" for i in range(reps)],
            "team": [f"Team {t:02d}" for t in team_of],
            "manager": [f"Manager {t:02d}" for t in team_of],
            "role": "AE",
            "hire_date": hire,
            "end_date": pd.to_datetime(pd.Series(leave, dtype=object)),
            "annual_quota": rng.choice([600_000.0, 800_000.0, 1_200_000.0], reps),
            "region": [f"Region {t % 5}" for t in team_of],
        }
    )
    n_acc = reps * 40
    accounts = pd.DataFrame(
        {
            "account_id": [f"A{i:06d}" for i in range(n_acc)],
            "account_name": [f"Account {i}" for i in range(n_acc)],
            "owner_id": rep_ids[rng.integers(0, reps, n_acc)],
        }
    )
    n = reps * opps_per_rep
    owner = rng.integers(0, reps, n)
    created = end - rng.integers(0, span, n)
    cycle = rng.gamma(2.0, 35.0, n).astype(int) + 1
    close = created + cycle
    is_closed = close <= end
    is_won = is_closed & (rng.random(n) < 0.3)
    n_stage = rng.integers(1, len(STAGES) + 1, n)
    stage = np.array(STAGES, dtype=object)[n_stage - 1]
    stage = np.where(is_closed, np.where(is_won, "Closed Won", "Closed Lost"), stage)
    close = np.where(is_closed, close, end + rng.integers(-20, 90, n))
    fc_open = rng.choice(["Pipeline", "Best Case", "Commit"], n, p=[0.6, 0.25, 0.15])
    opp_ids = np.array([f"O{i:07d}" for i in range(n)], dtype=object)
    opportunities = pd.DataFrame(
        {
            "opportunity_id": opp_ids,
            "account_id": accounts["account_id"].to_numpy()[rng.integers(0, n_acc, n)],
            "owner_id": rep_ids[owner],
            "opportunity_name": [f"Deal {i}" for i in range(n)],
            "type": rng.choice(
                ["New Business", "Add-On", "Renewal"], n, p=[0.6, 0.25, 0.15]
            ),
            "stage": stage,
            "amount": np.round(rng.lognormal(10.3, 0.8, n), 2),
            "created_date": created,
            "close_date": close,
            "is_closed": is_closed,
            "is_won": is_won,
            "forecast_category": np.where(is_closed, "Closed", fc_open),
            "next_step": np.where(rng.random(n) < 0.8, "Follow up", None),
            "probability": 20.0 * n_stage,
        }
    )
    # history: one row per stage reached (plus the close)
    rows = np.repeat(np.arange(n), n_stage)
    step = np.arange(len(rows)) - np.repeat(np.cumsum(n_stage) - n_stage, n_stage)
    frac = step / np.maximum(n_stage[rows], 1)
    changed = created[rows] + (frac * (close[rows] - created[rows]) * 0.8).astype(int)
    history = pd.DataFrame(
        {
            "opportunity_id": opp_ids[rows],
            "changed_date": np.minimum(changed, end),
            "stage": np.array(STAGES, dtype=object)[step],
            "forecast_category": fc_open[rows],
        }
    )
    m = reps * activities_per_rep
    a_opp = np.where(rng.random(m) < 0.3, rng.integers(0, n, m), -1)
    activities = pd.DataFrame(
        {
            "activity_id": [f"X{i:08d}" for i in range(m)],
            "owner_id": rep_ids[rng.integers(0, reps, m)],
            "activity_type": rng.choice(
                ["Call", "Email", "Meeting", "Demo", "Other"],
                m,
                p=[0.4, 0.35, 0.12, 0.05, 0.08],
            ),
            "activity_date": end - rng.integers(0, span, m),
            "opportunity_id": np.where(a_opp >= 0, opp_ids[np.maximum(a_opp, 0)], None),
        }
    )
    return Dataset.from_frames(
        {
            "reps": rep_frame,
            "accounts": accounts,
            "opportunities": opportunities,
            "activities": activities,
            "opportunity_history": history,
        }
    )
