"""dashboards_json against a plain pandas reading of contracts §2, on generated data.

Written straight from the contract's words, independently of metrics/ internals, so a
drift in any definition (renewals, records after D, the month to date, proration,
hygiene thresholds) shows up as a disagreement.
"""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crm.sample import generate_sample
from metrics.dashboards import dashboards_json
from metrics.prepare import prepare

D = date(2026, 3, 18)
TS = pd.Timestamp(D)
MONTH_START = TS.replace(day=1)


@pytest.fixture(scope="module")
def world():
    ds = generate_sample(seed=23, reps=14, as_of=date(2026, 5, 31))  # data after D exists
    return ds, dashboards_json(prepare(ds), D)


def _acv(ds):
    o = ds.opportunities
    return o[o["type"].isin(["New Business", "Add-On"])]


def _monthly_quota(ds) -> pd.Series:
    days = calendar.monthrange(D.year, D.month)[1]
    month_end = MONTH_START + pd.Timedelta(days=days - 1)
    out = {}
    q = ds.quotas
    for _, rep in ds.reps.iterrows():
        row = q[(q["rep_id"] == rep["rep_id"]) & (q["month"] == f"{D:%Y-%m}")]
        if len(row):
            out[rep["rep_id"]] = float(row["quota"].iloc[0])
            continue
        annual = rep["annual_quota"]
        if pd.isna(annual):
            out[rep["rep_id"]] = 0.0
            continue
        start = max(rep["hire_date"], MONTH_START)
        end = month_end if pd.isna(rep["end_date"]) else min(rep["end_date"], month_end)
        employed = max(0, (end - start).days + 1)
        out[rep["rep_id"]] = float(annual) / 12 * employed / days
    return pd.Series(out)


def test_state_of_the_union_numbers(world) -> None:
    ds, out = world
    sotu = out["state_of_the_union"]
    acv = _acv(ds)
    won = acv[acv["is_won"] & (acv["close_date"] >= MONTH_START) & (acv["close_date"] <= TS)]
    assert sotu["closed_won_acv"] == pytest.approx(won["amount"].sum())
    assert sotu["closed_won_count"] == len(won)
    assert sotu["quota"] == pytest.approx(_monthly_quota(ds).sum(), rel=1e-9)
    open_at = acv[(acv["created_date"] <= TS) & ~(acv["is_closed"] & (acv["close_date"] <= TS))]
    assert sotu["open_pipeline_acv"] == pytest.approx(open_at["amount"].sum())
    by_rep = won.groupby("owner_id")["amount"].sum()
    if len(by_rep):
        best = by_rep[by_rep == by_rep.max()].index.min()
        assert sotu["top_rep"]["rep_id"] == best


def test_amp_by_rep(world) -> None:
    ds, out = world
    acts = ds.activities[(ds.activities["activity_date"] >= MONTH_START) & (ds.activities["activity_date"] <= TS)]
    acv = _acv(ds)
    created = acv[(acv["created_date"] >= MONTH_START) & (acv["created_date"] <= TS)]
    rows = {r["rep_id"]: r for r in out["amp"]["by_rep"]}
    for rep in set(acts["owner_id"]) | set(created["owner_id"]):
        r = rows[rep]
        mine = acts[acts["owner_id"] == rep]
        assert r["activities"] == len(mine)
        assert r["meetings"] == int(mine["activity_type"].isin(["Meeting", "Demo"]).sum())
        assert r["opportunities_created"] == int((created["owner_id"] == rep).sum())
        assert r["pipeline_created_acv"] == pytest.approx(created.loc[created["owner_id"] == rep, "amount"].sum())


def test_daily_pipe_gen_days_and_target(world) -> None:
    ds, out = world
    pipe = out["daily_pipe_gen"]
    acv = _acv(ds)
    days = pd.date_range(MONTH_START, TS)
    assert [d["date"] for d in pipe["days"]] == [d.strftime("%Y-%m-%d") for d in days]
    per_day = acv.groupby("created_date")["amount"].sum()
    for row, day in zip(pipe["days"], days, strict=True):
        assert row["pipeline_created_acv"] == pytest.approx(per_day.get(day, 0.0))
    window = acv[acv["is_closed"] & (acv["close_date"] > TS - pd.DateOffset(months=12)) & (acv["close_date"] <= TS)]
    win_rate = window.loc[window["is_won"], "amount"].sum() / window["amount"].sum()
    assert pipe["month_target_acv"] == pytest.approx(_monthly_quota(ds).sum() / win_rate, rel=1e-6)
    workdays = np.is_busday(pd.date_range(MONTH_START, MONTH_START + pd.offsets.MonthEnd(0)).values.astype("datetime64[D]"))
    done = np.is_busday(days.values.astype("datetime64[D]")).sum()
    assert pipe["days"][-1]["target_cumulative_acv"] == pytest.approx(pipe["month_target_acv"] * done / workdays.sum())


def test_clean_your_room_flags(world) -> None:
    ds, out = world
    acv = _acv(ds)
    open_at = acv[(acv["created_date"] <= TS) & ~(acv["is_closed"] & (acv["close_date"] <= TS))].copy()
    acts = ds.activities[(ds.activities["activity_date"] <= TS) & ds.activities["opportunity_id"].notna()]
    linked = acts.groupby("opportunity_id")["activity_date"].max()
    field = open_at["last_activity_date"].where(open_at["last_activity_date"] <= TS)
    last = pd.concat([field, open_at["opportunity_id"].map(linked)], axis=1).max(axis=1)
    last = last.fillna(open_at["created_date"])
    open_at["past_due"] = open_at["close_date"] < TS
    open_at["stale"] = (TS - last).dt.days >= 30
    open_at["missing_next_step"] = open_at["next_step"].isna() | (open_at["next_step"].astype("str").str.strip() == "")
    open_at["missing_amount"] = open_at["amount"].isna() | (open_at["amount"] == 0)
    rows = {r["rep_id"]: r for r in out["clean_your_room"]["by_rep"]}
    for rep, mine in open_at.groupby("owner_id"):
        r = rows[rep]
        assert r["open_opportunities"] == len(mine)
        for rule in ("past_due", "missing_next_step", "missing_amount", "stale"):
            assert r[rule] == int(mine[rule].sum()), (rep, rule)
