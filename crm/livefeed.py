"""The demo live feed: plausible CRM events for the next few minutes of a sales day.

Why: the dashboards are meant to run the month live, and a demo needs something to
move. :func:`next_batch` draws, from the same funnel as the sample generator
(:class:`crm.sample.SampleParams`), what the org's reps would log in the next
``minutes``: activities, now and then a new opportunity from a meeting, and stage
changes or closes of open deals. The batch is the JSON payload of
``POST /api/v1/events``::

    {"opportunities": [<complete canonical opportunity rows>],
     "activities": [<complete canonical activity rows>]}

Each row carries every canonical column (dates as ``YYYY-MM-DD`` strings, missing
values as ``null``); an opportunity whose id already exists is a change of that
opportunity (the store upserts by id), any other id is new. New ids never collide
with the dataset's.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from crm.sample import (
    ACTIVITY_KINDS,
    CLOSED_LOST,
    CLOSED_WON,
    OPEN_STAGES,
    SAMPLE_ROLES,
    STAGE_FORECAST_CATEGORY,
    STAGE_NEXT_STEP,
    STAGE_PROBABILITY_PCT,
    SampleParams,
)
from crm.schema import ACTIVITIES, OPPORTUNITIES

WORKING_MINUTES_PER_DAY = 480.0  # a working day's rates are spread over 8 hours
STAGE_CHANGES_PER_OPEN_DEAL_PER_DAY = 1.0 / 11.0  # the sample's median days in a stage
LOSS_SHARE_PER_STAGE_CHANGE = 0.15  # a stage change of an open deal is a loss
WIN_SHARE_AT_NEGOTIATION = 0.6  # a deal moving on from Negotiation is won

_SUBJECT = {
    "Call": "Call: Follow-up call",
    "Email": "Email: Follow-up email",
    "Meeting": "Meeting: Discovery meeting",
    "Demo": "Demo: Product demo",
    "Other": "Other: LinkedIn message",
}


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def _clean(value: Any) -> Any:
    """A JSON-able scalar: None for missing, Python numbers and bools."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp | datetime | date):
        return _iso(value)
    if pd.isna(value):
        return None
    return str(value)


def _fresh_ids(
    prefix: str, n: int, now: datetime, rng: np.random.Generator, existing: pd.Series
) -> list[str]:
    """``n`` ids that are in neither ``existing`` nor each other.

    The minute stamp and a random token make a clash practically impossible; the
    check against ``existing`` makes it impossible, whatever ids a dataset uses.
    """
    if n == 0:
        return []
    for _ in range(100):
        token = f"{int(rng.integers(0, 16**6)):06x}"
        ids = [f"{prefix}-{now:%Y%m%d%H%M}-{token}-{k + 1:04d}" for k in range(n)]
        if not existing.isin(ids).any():
            return ids
    raise RuntimeError(f"could not find {n} fresh {prefix} ids")


def _active_reps(reps: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    hired = reps["hire_date"].isna() | (reps["hire_date"] <= day)
    staying = reps["end_date"].isna() | (reps["end_date"] >= day)
    role = reps["role"].fillna("AE")
    return reps.assign(role=role)[hired & staying & role.isin(SAMPLE_ROLES)]


def _ramp(p: SampleParams, hire: pd.Series, day: pd.Timestamp) -> np.ndarray:
    tenure = (day - hire).dt.days.fillna(10_000).to_numpy(dtype=float)
    ramp_days = p.ramp_months * 30.4375
    return p.ramp_start_productivity + (1 - p.ramp_start_productivity) * np.clip(
        tenure / ramp_days, 0.0, 1.0
    )


def _pick(rng: np.random.Generator, values: np.ndarray) -> Any:
    return values[int(rng.integers(len(values)))] if len(values) else None


def next_batch(
    dataset: Dataset,
    now: datetime,
    rng: np.random.Generator,
    minutes: float = 1.0,
    *,
    params: SampleParams | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The events of the ``minutes`` after ``now``, as a JSON-able batch.

    Rates are the sample model's: each active rep logs Poisson activities at their
    role's working-day rate × ramp × the month's seasonality (× the weekend factor
    on Saturdays and Sundays), spread over ``WORKING_MINUTES_PER_DAY``; meetings create
    opportunities with the role's probability (an SDR's go to an active AE of the
    same team); each open deal changes stage at ``STAGE_CHANGES_PER_OPEN_DEAL_PER_DAY``.
    Everything is dated ``now``'s day.
    """
    if minutes < 0 or not math.isfinite(minutes):
        raise ValueError("minutes must be a finite non-negative number")
    p = params or SampleParams()
    day = pd.Timestamp(now.date())
    weekend = day.weekday() >= 5
    scale = minutes / WORKING_MINUTES_PER_DAY * (p.weekend_activity_factor if weekend else 1.0)
    scale *= p.seasonality_by_month[day.month - 1]

    reps = _active_reps(dataset.reps, day)
    accounts = dataset.accounts
    opps = dataset.opportunities
    open_opps = opps[~opps["is_closed"]]
    won_accounts = set(opps.loc[opps["is_won"], "account_id"].dropna())
    team_aes = reps[reps["role"] == "AE"].groupby("team", dropna=False)["rep_id"].agg(list)
    acct_by_owner = accounts.groupby("owner_id")["account_id"].agg(list)
    acct_team = accounts.assign(team=accounts["owner_id"].map(reps.set_index("rep_id")["team"]))
    acct_by_team = acct_team.groupby("team")["account_id"].agg(list)
    open_by_owner = open_opps.groupby("owner_id")["opportunity_id"].agg(list)
    account_name = accounts.set_index("account_id")["account_name"]
    open_account = open_opps.set_index("opportunity_id")["account_id"]

    role_idx = reps["role"].map({r: i for i, r in enumerate(SAMPLE_ROLES)}).to_numpy()
    rates = np.array([r.activities_per_working_day for r in p.roles])[role_idx]
    lam = rates * _ramp(p, reps["hire_date"], day) * scale
    counts = rng.poisson(lam) if len(lam) else np.zeros(0, dtype=np.int64)

    activities: list[dict[str, Any]] = []
    new_opps: list[dict[str, Any]] = []
    for rep, role, team, k in zip(
        reps["rep_id"], reps["role"], reps["team"], counts, strict=True
    ):
        rp = p.role(role)
        for _ in range(int(k)):
            kind = _activity_kind(rng, rp, p)
            act: dict[str, Any] = {"owner_id": rep, "activity_type": kind}
            meeting = kind in ("Meeting", "Demo")
            if meeting and rng.random() < rp.opportunities_per_meeting:
                owner = rep if role == "AE" else _pick(rng, np.asarray(team_aes.get(team, []), dtype=object))
                if owner is not None:
                    opp = _new_opportunity(rng, p, owner, day, acct_by_owner, won_accounts, account_name, accounts)
                    new_opps.append(opp)
                    act["opportunity_id"] = len(new_opps) - 1  # resolved to an id below
                    act["account_id"] = opp["account_id"]
            if "account_id" not in act:
                if role == "AE" and rng.random() < p.activity_link_share:
                    oid = _pick(rng, np.asarray(open_by_owner.get(rep, []), dtype=object))
                    if oid is not None:
                        act["opportunity_id"] = oid
                        act["account_id"] = open_account.get(oid)
                if "account_id" not in act:
                    book = acct_by_owner.get(rep) if role == "AE" else acct_by_team.get(team)
                    act["account_id"] = _pick(rng, np.asarray(book or [], dtype=object))
            activities.append(act)

    changed = _stage_changes(rng, open_opps, day, minutes, weekend, p)

    opp_ids = _fresh_ids("OPP-L", len(new_opps), now, rng, opps["opportunity_id"])
    for oid, opp in zip(opp_ids, new_opps, strict=True):
        opp["opportunity_id"] = oid
    act_ids = _fresh_ids("ACT-L", len(activities), now, rng, dataset.activities["activity_id"])
    for aid, act in zip(act_ids, activities, strict=True):
        act["activity_id"] = aid
        if isinstance(act.get("opportunity_id"), int):
            act["opportunity_id"] = opp_ids[act["opportunity_id"]]
        act["activity_date"] = day.date().isoformat()
        act["subject"] = _SUBJECT[act["activity_type"]]
    return {
        "opportunities": [_row(OPPORTUNITIES.column_names, o) for o in new_opps + changed],
        "activities": [_row(ACTIVITIES.column_names, a) for a in activities],
    }


def _row(columns: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    return {c: _clean(values.get(c)) for c in columns}


def _activity_kind(rng: np.random.Generator, rp: Any, p: SampleParams) -> str:
    if rng.random() < rp.meeting_share_of_activities:
        return "Demo" if rng.random() < rp.demo_share_of_meetings else "Meeting"
    c, e, _ = p.call_email_other_mix
    u = rng.random()
    return ACTIVITY_KINDS[0] if u < c else ACTIVITY_KINDS[1] if u < c + e else "Other"


def _new_opportunity(
    rng: np.random.Generator,
    p: SampleParams,
    owner: str,
    day: pd.Timestamp,
    acct_by_owner: pd.Series,
    won_accounts: set[str],
    account_name: pd.Series,
    accounts: pd.DataFrame,
) -> dict[str, Any]:
    """A new Prospecting deal drawn from the sample's deal-type mix and sizes."""
    shares = np.array([d.share for d in p.deal_types])
    d = p.deal_types[int(rng.choice(len(shares), p=shares / shares.sum()))]
    book = np.asarray(acct_by_owner.get(owner, []), dtype=object)
    if d.opportunity_type != "New Business":
        customers = np.array([a for a in book if a in won_accounts], dtype=object)
        book = customers if len(customers) else book
    if not len(book):
        book = accounts["account_id"].to_numpy(dtype=object)
    account = _pick(rng, book)
    amount = float(round(math.exp(math.log(d.amount_median_usd) + d.amount_log_sigma * rng.standard_normal())))
    cycle = max(p.min_cycle_days, round(math.exp(math.log(d.cycle_median_days) + d.cycle_log_sigma * rng.standard_normal())))
    name = account_name.get(account, "New account") if account is not None else "New account"
    stage = OPEN_STAGES[0]
    return {
        "account_id": account,
        "owner_id": owner,
        "opportunity_name": f"{name} - {d.opportunity_type}",
        "type": d.opportunity_type,
        "stage": stage,
        "amount": amount,
        "created_date": day,
        "close_date": day + timedelta(days=int(cycle)),
        "is_closed": False,
        "is_won": False,
        "forecast_category": STAGE_FORECAST_CATEGORY[stage],
        "next_step": STAGE_NEXT_STEP[stage],
        "last_activity_date": day,
        "probability": STAGE_PROBABILITY_PCT[stage],
    }


def _stage_changes(
    rng: np.random.Generator,
    open_opps: pd.DataFrame,
    day: pd.Timestamp,
    minutes: float,
    weekend: bool,
    p: SampleParams,
) -> list[dict[str, Any]]:
    """Advance, win or lose a few open deals (complete updated rows)."""
    movable = open_opps[open_opps["stage"].isin(OPEN_STAGES)]
    if movable.empty:
        return []
    factor = p.weekend_activity_factor if weekend else 1.0
    lam = len(movable) * STAGE_CHANGES_PER_OPEN_DEAL_PER_DAY * minutes / WORKING_MINUTES_PER_DAY * factor
    n = min(int(rng.poisson(lam)), len(movable))
    rows = movable.iloc[rng.choice(len(movable), size=n, replace=False)] if n else movable.iloc[:0]
    out = []
    for row in rows.to_dict("records"):
        pos = OPEN_STAGES.index(row["stage"])
        if rng.random() < LOSS_SHARE_PER_STAGE_CHANGE:
            stage = CLOSED_LOST
        elif pos == len(OPEN_STAGES) - 1:
            stage = CLOSED_WON if rng.random() < WIN_SHARE_AT_NEGOTIATION else CLOSED_LOST
        else:
            stage = OPEN_STAGES[pos + 1]
        closed = stage in (CLOSED_WON, CLOSED_LOST)
        row.update(
            stage=stage,
            forecast_category=STAGE_FORECAST_CATEGORY[stage],
            probability=STAGE_PROBABILITY_PCT[stage],
            is_closed=closed,
            is_won=stage == CLOSED_WON,
            next_step=None if closed else STAGE_NEXT_STEP[stage],
        )
        if closed:
            row["close_date"] = day
        elif pd.isna(row["close_date"]) or row["close_date"] < day:
            row["close_date"] = day + timedelta(days=30)
        out.append(row)
    return out
