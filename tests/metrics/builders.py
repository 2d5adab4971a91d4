"""Tiny hand-written workspaces for hand-computed expectations.

D is Monday 2026-06-15 in most tests: June 2026 starts on a Monday and has 22
working days (Mon–Fri), 11 of them on or before the 15th.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from crm.dataset import Dataset
from metrics.prepare import Prepared, prepare

D = date(2026, 6, 15)
STAGE_ORDER = ("Prospecting", "Qualification", "Proposal", "Negotiation")


def days(n: int, base: date = D) -> str:
    """ISO date ``n`` days after ``base`` (negative: before)."""
    return (base + timedelta(days=n)).isoformat()


def rep(
    rep_id: str,
    team: str = "East",
    hire: str = "2020-01-01",
    end: str | None = None,
    quota: float | None = 120_000.0,
    manager: str = "Mia",
    region: str = "NA",
    role: str = "AE",
) -> dict[str, Any]:
    return {
        "rep_id": rep_id,
        "rep_name": f"Name {rep_id}",
        "team": team,
        "manager": manager,
        "role": role,
        "hire_date": hire,
        "end_date": end,
        "annual_quota": quota,
        "region": region,
    }


def opp(
    opp_id: str,
    owner: str,
    *,
    type: str = "New Business",  # noqa: A002 - the canonical column name
    stage: str = "Proposal",
    amount: float | None = 1000.0,
    created: str = "2026-01-05",
    close: str = "2026-07-31",
    closed: bool = False,
    won: bool = False,
    fc: str | None = "Pipeline",
    next_step: str | None = "Call back",
    last_activity: str | None = None,
) -> dict[str, Any]:
    if closed and stage == "Proposal":
        stage = "Closed Won" if won else "Closed Lost"
    if closed and fc == "Pipeline":
        fc = "Closed" if won else "Omitted"
    return {
        "opportunity_id": opp_id,
        "account_id": "ACC1",
        "owner_id": owner,
        "opportunity_name": f"Deal {opp_id}",
        "type": type,
        "stage": stage,
        "amount": amount,
        "created_date": created,
        "close_date": close,
        "is_closed": closed,
        "is_won": won,
        "forecast_category": fc,
        "next_step": next_step,
        "last_activity_date": last_activity,
    }


def act(
    activity_id: str, owner: str, kind: str, when: str, opp_id: str | None = None
) -> dict[str, Any]:
    return {
        "activity_id": activity_id,
        "owner_id": owner,
        "activity_type": kind,
        "activity_date": when,
        "opportunity_id": opp_id,
    }


def hist(opp_id: str, when: str, stage: str, fc: str | None = None) -> dict[str, Any]:
    return {
        "opportunity_id": opp_id,
        "changed_date": when,
        "stage": stage,
        "forecast_category": fc,
    }


def closed_filler(owner: str = "R0") -> dict[str, Any]:
    """A long-closed lost deal that keeps closed stages known to the stage order."""
    return opp("FILLER-LOST", owner, created="2020-01-01", close="2020-02-01",
               closed=True, won=False, amount=1.0)


def build(
    reps: list[dict[str, Any]],
    opps: list[dict[str, Any]] = (),
    acts: list[dict[str, Any]] = (),
    history: list[dict[str, Any]] = (),
    quotas: list[dict[str, Any]] = (),
) -> Dataset:
    frames = {
        "reps": pd.DataFrame(reps),
        "accounts": pd.DataFrame([{"account_id": "ACC1", "account_name": "Acme"}]),
    }
    for name, rows in (
        ("opportunities", opps),
        ("activities", acts),
        ("opportunity_history", history),
        ("quotas", quotas),
    ):
        if rows:
            frames[name] = pd.DataFrame(list(rows))
    return Dataset.from_frames(frames)


def prepared(*args: Any, **kwargs: Any) -> Prepared:
    return prepare(build(*args, **kwargs), stage_order=STAGE_ORDER)
