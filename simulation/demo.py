"""A self-contained demo scenario: what the app shows before any data is imported,
and the fixture the tests and benchmarks build on (small, fast, with known numbers).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from simulation.scenario import DealType, RepInput, Scenario, TerritoryInput


def demo_deal_types() -> list[DealType]:
    """Three opportunity types with industry-typical sizes, cycles and win rates."""
    return [
        DealType(
            name="small_new_business",
            kind="new_business",
            mix_share=0.55,
            size_median_usd=18_000,
            size_sigma=0.5,
            cycle_median_days=45,
            cycle_sigma=0.4,
            win_rate=0.28,
        ),
        DealType(
            name="large_new_business",
            kind="new_business",
            mix_share=0.15,
            size_median_usd=90_000,
            size_sigma=0.5,
            cycle_median_days=110,
            cycle_sigma=0.4,
            win_rate=0.22,
        ),
        DealType(
            name="add_on",
            kind="add_on",
            mix_share=0.30,
            size_median_usd=12_000,
            size_sigma=0.5,
            cycle_median_days=30,
            cycle_sigma=0.4,
            win_rate=0.40,
            needs_se=False,
        ),
    ]


def demo_scenario(
    n_reps: int = 40,
    n_teams: int = 4,
    start_date: date = date(2025, 12, 31),
    horizon_months: int = 12,
    seed: int = 7,
    constraints: bool = True,
) -> Scenario:
    """A sales org of ``n_reps`` AEs in ``n_teams`` teams, a few still ramping.

    ``constraints=False`` switches off every capacity effect (SEs, open-deal
    crowd-out, account saturation, attrition), which is the setting in which the
    closed-form expectation and the NumPy reference funnel apply.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    reps: list[RepInput] = []
    territories: list[TerritoryInput] = []
    for i in range(n_reps):
        team = f"Team {chr(ord('A') + i % n_teams)}"
        tenure_days = int(rng.integers(60, 2000))
        reps.append(
            RepInput(
                rep_id=f"R{i:03d}",
                team=team,
                hire_date=start_date - timedelta(days=tenure_days),
                annual_quota_usd=600_000.0,
                activities_per_day=float(rng.uniform(14, 22)),
                meetings_per_activity=float(rng.uniform(0.04, 0.06)),
                opportunities_per_meeting=float(rng.uniform(0.3, 0.4)),
                opportunities_per_day=0.3,
            )
        )
        territories.append(
            TerritoryInput(
                territory_id=f"T{i:03d}",
                owner_rep_id=f"R{i:03d}",
                account_count=int(rng.integers(150, 400)) if constraints else None,
                potential_usd=float(rng.uniform(2e6, 6e6)) if constraints else None,
                team=team,
            )
        )
    teams = sorted({r.team for r in reps})
    return Scenario(
        name="demo",
        start_date=start_date,
        horizon_months=horizon_months,
        reps=reps,
        territories=territories,
        deal_types=demo_deal_types(),
        attrition_base_monthly_hazard=0.015 if constraints else 0.0,
        se_capacity_per_team={t: 4 for t in teams} if constraints else {},
        open_deal_capacity=30.0 if constraints else None,
        seasonality_enabled=constraints,
        seasonality_by_month=[
            0.85,
            0.95,
            1.1,
            0.95,
            1.0,
            1.1,
            0.85,
            0.8,
            1.05,
            1.0,
            1.05,
            1.2,
        ],
    )
