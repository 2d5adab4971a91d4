"""The sample generator: reproducible, realistic within domain.md's ranges, consistent.

Stochastic output is checked by invariants, by direction and against the known
generating parameters with tolerances, never by pinning one drawn number.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm.dataset import Dataset
from crm.export import csv_safe, to_csv_bytes, write_canonical
from crm.sample import (
    OPEN_STAGES,
    STAGE_FORECAST_CATEGORY,
    STAGE_PROBABILITY_PCT,
    STAGES,
    DealType,
    SampleParams,
    generate_sample,
)
from crm.schema import ACTIVITY_TYPES, FORECAST_CATEGORIES, OPPORTUNITY_TYPES, TABLES

AS_OF = pd.Timestamp("2025-06-18")  # a Wednesday
ACV = ("New Business", "Add-On")


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return generate_sample(seed=7, reps=60, as_of=AS_OF.date())


def _window_start(as_of: pd.Timestamp, months: int = 18) -> pd.Timestamp:
    return (as_of.to_period("M") - (months - 1)).to_timestamp()


def _hygiene_flags(ds: Dataset, d: pd.Timestamp) -> pd.DataFrame:
    """The contract §2 hygiene rules, computed independently of any app code."""
    o = ds.opportunities
    open_ = o[o["type"].isin(ACV) & (o["created_date"] <= d) & ~(o["is_closed"] & (o["close_date"] <= d))]
    linked = ds.activities.dropna(subset=["opportunity_id"]).groupby("opportunity_id")["activity_date"].max()
    last = pd.concat(
        [open_["last_activity_date"], open_["opportunity_id"].map(linked), open_["created_date"]], axis=1
    ).max(axis=1)
    h = ds.opportunity_history.sort_values(["opportunity_id", "changed_date"], kind="stable")
    nxt = h.groupby("opportunity_id")["changed_date"].shift(-1)
    spells = h.assign(days=(nxt - h["changed_date"]).dt.days).dropna(subset=["days"])
    median = spells.groupby("stage")["days"].median()
    entered = h.groupby("opportunity_id")["changed_date"].max()
    in_stage = (d - open_["opportunity_id"].map(entered)).dt.days
    to_close = (open_["close_date"] - d).dt.days
    return pd.DataFrame(
        {
            "past_due": open_["close_date"] < d,
            "stale": (d - last).dt.days >= 30,
            "missing_next_step": open_["next_step"].isna(),
            "missing_amount": open_["amount"].fillna(0) == 0,
            "stuck_in_stage": in_stage > open_["stage"].map(median) + 14,
            "early_stage_near_close": open_["stage"].isin(OPEN_STAGES[:2]) & to_close.between(0, 14),
        }
    )


# --- reproducibility and speed ---------------------------------------------------------


def test_same_seed_gives_identical_frames() -> None:
    a = generate_sample(seed=11, reps=12, as_of=date(2025, 3, 5))
    b = generate_sample(seed=11, reps=12, as_of=date(2025, 3, 5))
    for name, frame in a.tables().items():
        pd.testing.assert_frame_equal(frame, getattr(b, name), obj=name)


def test_different_seed_gives_different_data() -> None:
    a = generate_sample(seed=11, reps=12, as_of=date(2025, 3, 5))
    b = generate_sample(seed=12, reps=12, as_of=date(2025, 3, 5))
    assert not a.opportunities["amount"].equals(b.opportunities["amount"])
    assert not a.reps["hire_date"].equals(b.reps["hire_date"])


def test_forty_reps_generate_well_within_three_seconds() -> None:
    t0 = time.perf_counter()
    generate_sample(seed=1, reps=40, as_of=date(2025, 6, 18))
    assert time.perf_counter() - t0 < 3.0


def test_default_as_of_is_today() -> None:
    ds = generate_sample(reps=8, history_months=2)
    today = pd.Timestamp(date.today())
    assert ds.activities["activity_date"].max() <= today
    assert (ds.activities["activity_date"] >= today.replace(day=1)).any()


# --- the org ----------------------------------------------------------------------------


def test_roles_teams_and_regions(ds: Dataset) -> None:
    reps = ds.reps
    shares = reps["role"].value_counts(normalize=True)
    assert shares["AE"] == pytest.approx(0.7, abs=0.03)
    assert shares["SDR"] == pytest.approx(0.2, abs=0.03)
    assert shares["SE"] == pytest.approx(0.1, abs=0.03)
    aes_per_team = reps[reps["role"] == "AE"].groupby("team").size()
    assert aes_per_team.between(5, 8).all()
    assert reps.groupby("team")["manager"].nunique().eq(1).all()
    assert set(reps["region"]) == {"West", "Central", "East", "EMEA", "APAC"}
    assert reps.groupby("team")["region"].nunique().eq(1).all()
    assert reps["rep_id"].is_unique and reps["rep_name"].is_unique


def test_tenure_mix_quotas_and_departures(ds: Dataset) -> None:
    reps = ds.reps
    tenure_years = (AS_OF - reps["hire_date"]).dt.days / 365.25
    assert (tenure_years > 3).any(), "veterans of several years"
    assert (tenure_years < 5 / 12).any(), "reps still ramping"
    ended = reps["end_date"].notna()
    assert 0 < ended.sum() < len(reps) / 4
    assert (reps.loc[ended, "end_date"] > reps.loc[ended, "hire_date"]).all()
    ae = reps["role"] == "AE"
    assert (reps.loc[ae, "annual_quota"] > 0).all()
    assert reps.loc[~ae, "annual_quota"].isna().all()
    q = ds.quotas
    assert set(q["rep_id"]) <= set(reps.loc[ae, "rep_id"])
    assert q["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert (q["quota"] >= 0).all() and (q["quota"] == 0).any()


def test_accounts_geography_and_ownership(ds: Dataset) -> None:
    acc = ds.accounts
    us = acc["country"] == "United States"
    assert us.mean() > 0.5 and (~us).any()
    assert acc.loc[us, "state"].str.fullmatch(r"[A-Z]{2}").all()
    assert acc.loc[~us, "state"].isna().all()
    revenue = acc[us].groupby("state")["annual_revenue"].sum().sort_values(ascending=False)
    assert revenue.head(5).sum() / revenue.sum() > 0.5, "a few states hold most revenue"
    assert (acc["employees"] > 0).all() and (acc["annual_revenue"] > 0).all()
    reps = ds.reps.set_index("rep_id")
    owners = reps.loc[acc["owner_id"]]
    assert (owners["role"] == "AE").all()
    assert owners["end_date"].isna().all(), "departed reps' books were handed over"
    assert (owners["region"].to_numpy() == acc["region"].to_numpy()).all()
    assert acc["account_name"].is_unique
    potential = acc.groupby("owner_id")["annual_revenue"].sum()
    assert potential.max() > 2 * potential.min(), "some territories far richer"


# --- integrity and dating ---------------------------------------------------------------------


def test_referential_integrity(ds: Dataset) -> None:
    reps = set(ds.reps["rep_id"])
    accounts = set(ds.accounts["account_id"])
    opps = set(ds.opportunities["opportunity_id"])
    assert ds.opportunities["opportunity_id"].is_unique
    assert ds.activities["activity_id"].is_unique
    assert set(ds.accounts["owner_id"]) <= reps
    assert set(ds.accounts["parent_account_id"].dropna()) <= accounts
    assert (ds.accounts["parent_account_id"] != ds.accounts["account_id"]).all()
    assert set(ds.opportunities["owner_id"]) <= reps
    assert set(ds.opportunities["account_id"].dropna()) <= accounts
    assert set(ds.activities["owner_id"]) <= reps
    assert set(ds.activities["account_id"].dropna()) <= accounts
    assert set(ds.activities["opportunity_id"].dropna()) <= opps
    assert set(ds.opportunity_history["opportunity_id"]) == opps


def test_nothing_dated_after_as_of_except_open_close_dates(ds: Dataset) -> None:
    o = ds.opportunities
    assert (ds.activities["activity_date"] <= AS_OF).all()
    assert (ds.activities["activity_date"] >= _window_start(AS_OF)).all()
    assert (o["created_date"] <= AS_OF).all()
    assert (o["last_activity_date"] <= AS_OF).all()
    assert (o.loc[o["is_closed"], "close_date"] <= AS_OF).all()
    assert (o.loc[~o["is_closed"], "close_date"] > AS_OF).any()
    assert (ds.opportunity_history["changed_date"] <= AS_OF).all()
    assert (ds.reps["hire_date"] <= AS_OF).all()
    assert (ds.reps["end_date"].dropna() <= AS_OF).all()
    assert (o["close_date"] >= o["created_date"]).all()
    assert (o["last_activity_date"] >= o["created_date"]).all()
    closed = o[o["is_closed"]]
    assert (closed["last_activity_date"] <= closed["close_date"]).all()


def test_history_matches_each_opportunity(ds: Dataset) -> None:
    h = ds.opportunity_history.sort_values(["opportunity_id", "changed_date"], kind="stable")
    first = h.groupby("opportunity_id").first()
    last = h.groupby("opportunity_id").last()
    o = ds.opportunities.set_index("opportunity_id").loc[first.index]
    assert (first["stage"] == OPEN_STAGES[0]).all()
    assert (first["changed_date"] == o["created_date"]).all()
    assert (last["stage"] == o["stage"]).all()
    closed = o["is_closed"]
    assert (last.loc[closed, "changed_date"] == o.loc[closed, "close_date"]).all()
    order = h["stage"].map({s: i for i, s in enumerate(STAGES)})
    steps = order.groupby(h["opportunity_id"]).diff().dropna()
    assert (steps > 0).all(), "stages only move forward"
    assert h["forecast_category"].eq(h["stage"].map(STAGE_FORECAST_CATEGORY)).all()


def test_current_month_has_activity_and_pipeline(ds: Dataset) -> None:
    month = AS_OF.replace(day=1)
    assert (ds.activities["activity_date"] >= month).sum() > 100
    o = ds.opportunities
    assert ((o["created_date"] >= month) & o["type"].isin(ACV)).sum() > 10
    assert (o["type"].isin(ACV) & ~o["is_closed"]).sum() > 100


def test_month_opening_on_a_weekend_still_has_activity() -> None:
    as_of = date(2025, 3, 1)  # a Saturday, first of the month
    ds = generate_sample(seed=3, reps=40, as_of=as_of)
    acts = ds.activities["activity_date"]
    assert (acts == pd.Timestamp(as_of)).sum() > 0
    weekday_mean = acts[acts.dt.day_of_week < 5].value_counts().mean()
    weekend_mean = acts[acts.dt.day_of_week >= 5].value_counts().mean()
    assert weekend_mean < 0.2 * weekday_mean


# --- rates against domain.md and the known parameters -------------------------------------


def test_win_rate_by_acv_and_cycle_within_industry_ranges(ds: Dataset) -> None:
    o = ds.opportunities
    recent = o[o["type"].isin(ACV) & o["is_closed"] & (o["close_date"] > AS_OF - pd.Timedelta(days=365))]
    win_rate = recent.loc[recent["is_won"], "amount"].sum() / recent["amount"].sum()
    assert 0.15 <= win_rate <= 0.35
    closed = o[o["is_closed"]]
    cycle = (closed["close_date"] - closed["created_date"]).dt.days
    assert 40 <= cycle.median() <= 100
    assert 10_000 <= o.loc[o["type"].isin(ACV), "amount"].median() <= 100_000


def test_rates_match_the_generating_parameters(ds: Dataset) -> None:
    p = SampleParams()
    acts = ds.activities.merge(ds.reps[["rep_id", "role"]], left_on="owner_id", right_on="rep_id")
    meeting = acts["activity_type"].isin(["Meeting", "Demo"])
    for role in ("AE", "SDR", "SE"):
        mine = acts["role"] == role
        assert meeting[mine].mean() == pytest.approx(p.role(role).meeting_share_of_activities, abs=0.015)
    # opportunities created in the window per AE/SDR meeting
    start = _window_start(AS_OF)
    o = ds.opportunities
    created = (o["created_date"] >= start).sum()
    sellers = acts["role"].isin(["AE", "SDR"]) & meeting
    expected = sum(
        (meeting & (acts["role"] == r)).sum() * p.role(r).opportunities_per_meeting for r in ("AE", "SDR")
    )
    assert created <= sellers.sum()
    assert created == pytest.approx(expected, rel=0.06)
    # deal-type mix and win rates by type
    window = o[o["created_date"] >= start]
    shares = window["type"].value_counts(normalize=True)
    mix = {t: sum(d.share for d in p.deal_types if d.opportunity_type == t) for t in OPPORTUNITY_TYPES}
    for t in OPPORTUNITY_TYPES:
        assert shares[t] == pytest.approx(mix[t], abs=0.03)
    renewals = o[o["is_closed"] & (o["type"] == "Renewal")]
    assert renewals["is_won"].mean() == pytest.approx(p.deal_types[3].win_rate, abs=0.06)


def test_veterans_carry_more_pipeline_than_new_reps(ds: Dataset) -> None:
    reps = ds.reps[(ds.reps["role"] == "AE") & ds.reps["end_date"].isna()]
    tenure_months = (AS_OF - reps["hire_date"]).dt.days / 30.44
    o = ds.opportunities
    recent = o[o["type"].isin(ACV) & (o["created_date"] > AS_OF - pd.Timedelta(days=90))]
    pipe = reps["rep_id"].map(recent.groupby("owner_id")["amount"].sum()).fillna(0.0)
    new = pipe[tenure_months < SampleParams().ramp_months]
    veterans = pipe[tenure_months >= 12]
    assert len(new) >= 1 and len(veterans) >= 5
    assert veterans.mean() > 1.3 * new.mean()


def test_more_activity_makes_more_pipeline() -> None:
    base = SampleParams()
    busy_ae = replace(base.role("AE"), activities_per_working_day=18.0)
    busy = replace(base, roles=(busy_ae, base.role("SDR"), base.role("SE")))
    a = generate_sample(seed=5, reps=30, as_of=date(2025, 6, 18), params=base)
    b = generate_sample(seed=5, reps=30, as_of=date(2025, 6, 18), params=busy)
    assert len(b.activities) > 1.2 * len(a.activities)
    assert len(b.opportunities) > 1.2 * len(a.opportunities)


# --- categories and hygiene -------------------------------------------------------------------


def test_every_type_stage_and_forecast_category_is_present(ds: Dataset) -> None:
    o = ds.opportunities
    assert set(o["type"]) == set(OPPORTUNITY_TYPES)
    assert set(o["stage"]) == set(STAGES)
    assert set(o["forecast_category"]) == set(FORECAST_CATEGORIES)
    assert set(ds.activities["activity_type"]) == set(ACTIVITY_TYPES)
    assert o["forecast_category"].eq(o["stage"].map(STAGE_FORECAST_CATEGORY)).all()
    assert o["probability"].eq(o["stage"].map(STAGE_PROBABILITY_PCT)).all()
    assert o["is_closed"].eq(o["stage"].isin(["Closed Won", "Closed Lost"])).all()
    assert o["is_won"].eq(o["stage"] == "Closed Won").all()


def test_every_hygiene_lapse_kind_is_present(ds: Dataset) -> None:
    flags = _hygiene_flags(ds, AS_OF)
    counts = flags.sum()
    assert (counts > 0).all(), counts.to_dict()
    assert 0.2 < flags.any(axis=1).mean() < 0.9, "some deals are clean, many are not"


def test_lapse_shares_follow_their_parameters() -> None:
    clean = replace(
        SampleParams(),
        past_due_share=0.0,
        missing_next_step_share=0.0,
        missing_amount_share=0.0,
        early_stage_near_close_share=0.0,
    )
    messy = replace(clean, past_due_share=0.5, missing_next_step_share=0.5, missing_amount_share=0.5)
    a = _hygiene_flags(generate_sample(seed=2, reps=20, as_of=AS_OF.date(), params=clean), AS_OF)
    b = _hygiene_flags(generate_sample(seed=2, reps=20, as_of=AS_OF.date(), params=messy), AS_OF)
    for rule in ("past_due", "missing_next_step", "missing_amount"):
        assert a[rule].sum() == 0
        assert b[rule].mean() == pytest.approx(0.5, abs=0.08)


# --- parameters ----------------------------------------------------------------------------------


def test_params_validate_and_serialise() -> None:
    p = SampleParams()
    assert json.loads(json.dumps(p.to_dict()))["deal_types"][0]["name"] == "small_new_business"
    with pytest.raises(ValueError, match="sum to 1"):
        replace(p, role_shares=(0.5, 0.2, 0.1))
    with pytest.raises(ValueError, match="win_rate"):
        replace(p, deal_types=(DealType("x", "New Business", 1.0, 1e4, 0.5, 1.5, 60, 0.5),))
    with pytest.raises(ValueError, match="seasonality"):
        replace(p, seasonality_by_month=(1.0,) * 11)
    with pytest.raises(ValueError):
        generate_sample(reps=0)


# --- export ------------------------------------------------------------------------------------


def test_write_canonical_round_trips_through_pandas(ds: Dataset, tmp_path: Path) -> None:
    small = generate_sample(seed=4, reps=10, as_of=AS_OF.date())
    paths = write_canonical(small, tmp_path)
    assert [p.name for p in paths] == [t.file_name for t in TABLES]
    for spec in TABLES:
        raw = pd.read_csv(tmp_path / spec.file_name, dtype=str, keep_default_na=False)
        assert tuple(raw.columns) == spec.column_names
        frame = getattr(small, spec.name)
        assert len(raw) == len(frame)
        for col in spec.column_names:
            s = frame[col]
            text = raw[col]
            blank = text == ""
            assert (blank == s.isna().to_numpy()).all(), (spec.name, col)
            if pd.api.types.is_datetime64_any_dtype(s.dtype):
                assert text[~blank].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
                back = pd.to_datetime(text[~blank], format="%Y-%m-%d")
                assert (back.to_numpy() == s[~blank.to_numpy()].to_numpy()).all()
            elif pd.api.types.is_bool_dtype(s.dtype):
                assert set(text) <= {"true", "false"}
                assert ((text == "true").to_numpy() == s.to_numpy()).all()
            elif pd.api.types.is_numeric_dtype(s.dtype):
                assert not text.str.contains("e", case=False).any()
                back = pd.to_numeric(text[~blank])
                assert np.allclose(back.to_numpy(float), s[~blank.to_numpy()].to_numpy(float), rtol=0, atol=0)
            else:
                assert (text[~blank].to_numpy() == s[~blank.to_numpy()].to_numpy()).all()


def test_write_canonical_round_trips_through_the_importer(tmp_path: Path) -> None:
    importers = pytest.importorskip("crm.importers")
    small = generate_sample(seed=4, reps=10, as_of=AS_OF.date())
    write_canonical(small, tmp_path)
    result = importers.import_directory(tmp_path)
    assert result.ok, result.report_text()
    assert not result.quarantine
    for name, frame in small.tables().items():
        pd.testing.assert_frame_equal(frame, getattr(result.dataset, name), obj=name)


def test_plain_decimals_never_scientific(tmp_path: Path) -> None:
    small = generate_sample(seed=4, reps=4, as_of=AS_OF.date(), history_months=2)
    reps = small.reps.assign(annual_quota=[1e16, 0.1 + 0.2, 1234567.25, np.nan])
    write_canonical(small.with_table("reps", reps), tmp_path)
    text = pd.read_csv(tmp_path / "reps.csv", dtype=str, keep_default_na=False)["annual_quota"]
    assert list(text) == ["10000000000000000", "0.30000000000000004", "1234567.25", ""]


def test_csv_safe_neutralises_formulas_but_keeps_negative_numbers() -> None:
    frame = pd.DataFrame(
        {
            "text": ["=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-5", "-2.5", "-x", "\tx", "\rx", "ok", None],
            "number": [-1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        }
    )
    safe = csv_safe(frame)
    assert list(safe["text"][:8]) == ["'=cmd|' /C calc'!A0", "'+1", "'@SUM(1)", "-5", "-2.5", "'-x", "'\tx", "'\rx"]
    assert safe["text"][8] == "ok" and pd.isna(safe["text"][9])
    pd.testing.assert_series_equal(safe["number"], frame["number"])
    assert frame["text"][0] == "=cmd|' /C calc'!A0", "the input is not modified"


def test_to_csv_bytes_has_bom_and_is_formula_safe() -> None:
    frame = pd.DataFrame({"name": ["华信科技", "=1+1"], "day": pd.to_datetime(["2025-01-02", None]), "won": [True, False]})
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["name,day,won", "华信科技,2025-01-02,true", "'=1+1,,false"]


@pytest.mark.parametrize("reps", [1, 2, 3])
def test_tiny_orgs_are_valid(reps: int) -> None:
    ds = generate_sample(seed=reps, reps=reps, as_of=date(2025, 1, 1), history_months=3)
    assert len(ds.reps) == reps and (ds.reps["role"] == "AE").any()
    assert set(ds.opportunities["owner_id"]) <= set(ds.reps["rep_id"])
    assert set(ds.opportunity_history["opportunity_id"]) == set(ds.opportunities["opportunity_id"])


def test_add_ons_fall_back_to_any_account_without_customers() -> None:
    p = replace(SampleParams(), existing_customer_share=0.0)
    ds = generate_sample(seed=1, reps=10, as_of=AS_OF.date(), history_months=3, params=p)
    add_ons = ds.opportunities[ds.opportunities["type"] != "New Business"]
    assert len(add_ons) and add_ons["account_id"].notna().all()
