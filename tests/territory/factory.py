"""Synthetic CRM datasets for the territory tests and the balancing benchmark.

Built in code (not read from disk) so each test states the shape it relies on: a
number of accounts spread over states, regions and industries, account ownership
skewed towards the first reps (so the current plan is unfair), and opportunities and
activities whose volume grows with account size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm.dataset import Dataset

STATES = {
    "West": ("CA", "WA", "OR", "NV", "AZ"),
    "Central": ("TX", "IL", "CO", "MN", "MO"),
    "East": ("NY", "MA", "PA", "NJ", "FL"),
    "South": ("GA", "NC", "TN", "AL", "VA"),
}
INDUSTRIES = ("Software", "Retail", "Healthcare", "Finance", "Manufacturing", "Media")
AS_OF = pd.Timestamp("2025-06-30")


def make_dataset(
    n_accounts: int = 400,
    n_reps: int = 8,
    *,
    seed: int = 7,
    skew: float = 1.5,
    as_of: pd.Timestamp = AS_OF,
) -> Dataset:
    """A dataset whose rep ``r00`` owns the most accounts and ``r<n-1>`` the fewest."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    rep_ids = [f"r{i:02d}" for i in range(n_reps)]
    reps = pd.DataFrame(
        {
            "rep_id": rep_ids,
            "rep_name": [f"Rep {i}" for i in range(n_reps)],
            "team": ["Team A" if i % 2 == 0 else "Team B" for i in range(n_reps)],
            "role": "AE",
            "hire_date": "2022-01-01",
            "annual_quota": 1_000_000.0,
        }
    )
    pairs = [(region, state) for region, states in STATES.items() for state in states]
    loc = rng.integers(0, len(pairs), n_accounts)
    employees = np.round(np.exp(rng.normal(5.5, 1.4, n_accounts))).astype(int) + 5
    owner_weights = (np.arange(n_reps, 0, -1, dtype=float)) ** skew
    owners = rng.choice(n_reps, n_accounts, p=owner_weights / owner_weights.sum())
    account_ids = [f"A{i:05d}" for i in range(n_accounts)]
    accounts = pd.DataFrame(
        {
            "account_id": account_ids,
            "account_name": [f"Account {i}" for i in range(n_accounts)],
            "industry": rng.choice(INDUSTRIES, n_accounts),
            "region": [pairs[i][0] for i in loc],
            "country": "US",
            "state": [pairs[i][1] for i in loc],
            "employees": employees,
            "annual_revenue": employees * 150_000.0 * rng.lognormal(0, 0.3, n_accounts),
            "owner_id": [rep_ids[i] for i in owners],
        }
    )

    n_opps = rng.poisson(0.8 + 0.4 * np.log1p(employees / 100))
    opp_acc = np.repeat(np.arange(n_accounts), n_opps)
    m = len(opp_acc)
    created = as_of - pd.to_timedelta(rng.integers(0, 720, m), unit="D")
    cycle = pd.to_timedelta(rng.integers(20, 160, m), unit="D")
    close = created + cycle
    closed = close <= as_of
    won = closed & (rng.random(m) < 0.3)
    amount = np.round(rng.lognormal(9.5, 0.8, m) * (employees[opp_acc] / 300) ** 0.3, 2)
    opportunities = pd.DataFrame(
        {
            "opportunity_id": [f"O{i:06d}" for i in range(m)],
            "account_id": [account_ids[i] for i in opp_acc],
            "owner_id": [rep_ids[owners[i]] for i in opp_acc],
            "type": rng.choice(
                ["New Business", "Add-On", "Renewal"], m, p=[0.6, 0.3, 0.1]
            ),
            "stage": np.where(
                won, "Closed Won", np.where(closed, "Closed Lost", "Discovery")
            ),
            "amount": amount,
            "created_date": created,
            "close_date": close,
            "is_closed": closed,
            "is_won": won,
        }
    )

    n_act = rng.poisson(2.0, n_accounts)
    act_acc = np.repeat(np.arange(n_accounts), n_act)
    k = len(act_acc)
    activities = pd.DataFrame(
        {
            "activity_id": [f"X{i:06d}" for i in range(k)],
            "owner_id": [rep_ids[owners[i]] for i in act_acc],
            "activity_type": rng.choice(["Call", "Email", "Meeting"], k),
            "activity_date": as_of - pd.to_timedelta(rng.integers(0, 150, k), unit="D"),
            "account_id": [account_ids[i] for i in act_acc],
        }
    )
    return Dataset.from_frames(
        {
            "reps": reps,
            "accounts": accounts,
            "opportunities": opportunities,
            "activities": activities,
        }
    )
