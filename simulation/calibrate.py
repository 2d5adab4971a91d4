"""Calibration: the scenario the actuals imply at an as-of date.

Everything is estimated from data known at ``as_of`` (records dated later are dropped,
deals closed later are treated as open), so the same function serves the forecast and
an honest backtest. Choices worth knowing (docs/simulation.md has the detail):

- The *observation window* starts where the data is complete: the later of the first
  created date and the first close date (a history that starts mid-stream has deals
  created before it whose closes are missing), or the first activity when activities
  exist; rates use at most the trailing ``lookback_days`` of it.
- Rates are per *effective* working day: days employed, weighted by the ramp curve and
  seasonality, so a new rep's low counts read as ramp, not as a weak rep.
- Reps with little history are shrunk toward their team (gamma-Poisson for rates,
  beta-binomial for conversions) with prior strengths in days / trials.
- Cycle lengths are lognormal, fitted by maximum likelihood with open deals as
  right-censored observations (ignoring them biases cycles short).
- Without activities (e.g. the Maven CRM dataset) the funnel falls back to
  opportunities created per rep per day.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import ndtr

from crm.dataset import Dataset
from crm.schema import ACV_TYPES, MEETING_TYPES
from simulation.model import DAYS_PER_MONTH, ramp_curve
from simulation.scenario import (
    DealType,
    OpenOpportunity,
    PlannedHire,
    RepInput,
    Scenario,
    TerritoryInput,
)

log = logging.getLogger(__name__)

EVALUATION_STAGE = re.compile(r"demo|evaluat|proof|poc|technical|solution|trial", re.I)


@dataclass(frozen=True)
class CalibrationSettings:
    """Knobs of the estimators (prior strengths, windows, defaults for the unknowable)."""

    lookback_days: int = 365
    rate_prior_days: float = 40.0
    conversion_prior_trials: float = 60.0
    win_prior_deals: float = 20.0
    ramp_grid_months: tuple[float, ...] = tuple(np.arange(0.0, 12.5, 0.5))
    default_ramp_months: float = 5.0
    ramp_start_productivity: float = 0.2
    default_hazard: float = 0.015
    hazard_prior_months: float = 24.0
    default_backfill_days: float = 75.0
    behind_quota_multiplier: float = 2.0
    se_headroom: float = 1.25


def known_at(dataset: Dataset, as_of: date | pd.Timestamp) -> Dataset:
    """The dataset as it was known at ``as_of``.

    Records dated after it are dropped; deals closed after it become open again
    (their outcome and actual close date were not known); reps hired after it are
    dropped and end dates after it cleared.
    """
    d = pd.Timestamp(as_of)
    opp = dataset.opportunities
    opp = opp[opp["created_date"] <= d].copy()
    later = opp["is_closed"] & (opp["close_date"] > d)
    opp.loc[later, "is_closed"] = False
    opp.loc[later, "is_won"] = False
    hist = dataset.opportunity_history
    hist = hist[hist["changed_date"] <= d]
    if later.any():
        last_stage = (
            hist.sort_values("changed_date")
            .groupby("opportunity_id", observed=True)["stage"]
            .last()
        )
        stage_at = last_stage.to_dict()
        ids = opp.loc[later, "opportunity_id"]
        opp.loc[later, "stage"] = [str(stage_at.get(i, "Open")) for i in ids]
        opp.loc[later, "close_date"] = pd.NaT
    acts = dataset.activities
    acts = acts[acts["activity_date"] <= d]
    reps = dataset.reps[dataset.reps["hire_date"] <= d].copy()
    reps.loc[reps["end_date"] > d, "end_date"] = pd.NaT
    quotas = dataset.quotas
    return Dataset.from_frames(
        {
            "reps": reps,
            "accounts": dataset.accounts,
            "opportunities": opp,
            "activities": acts,
            "opportunity_history": hist,
            "quotas": quotas,
        }
    )


def _working_days(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    if end < start:
        return pd.DatetimeIndex([])
    return pd.bdate_range(start, end)


def _lognormal_censored(
    closed: np.ndarray, censored: np.ndarray
) -> tuple[float, float]:
    """MLE of a lognormal from exact values and right-censored lower bounds."""
    closed = np.maximum(closed[np.isfinite(closed)], 0.5)
    censored = np.maximum(censored[np.isfinite(censored)], 0.5)
    if len(closed) == 0:
        return (
            float(np.log(np.median(censored) * 2)) if len(censored) else np.log(60.0)
        ), 0.6
    lc, lk = np.log(closed), np.log(censored)

    def nll(theta: np.ndarray) -> float:
        mu, log_s = theta
        s = np.exp(log_s)
        z = (lc - mu) / s
        ll = -0.5 * z @ z - len(lc) * log_s
        if len(lk):
            ll += np.log(np.clip(1.0 - ndtr((lk - mu) / s), 1e-300, 1.0)).sum()
        return -ll

    x0 = np.array([lc.mean(), np.log(max(lc.std(), 0.1))])
    res = minimize(
        nll, x0, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-6}
    )
    mu, log_s = res.x
    return float(mu), float(np.clip(np.exp(log_s), 0.05, 3.0))


def _count_dispersion(counts: np.ndarray, expected: np.ndarray) -> float:
    """Pearson dispersion of monthly counts around their expectation, at least 1.

    Why: the estimate of a rate from N events has a standard error of sqrt(N) only
    if the events are Poisson; months that swing more than that (campaigns, a
    rep's bad quarter) carry less information, and N / dispersion is the honest
    (quasi-Poisson) effective count.
    """
    ok = expected > 0
    if ok.sum() < 3:
        return 1.0
    chi = ((counts[ok] - expected[ok]) ** 2 / expected[ok]).sum() / (ok.sum() - 1)
    return float(max(chi, 1.0))


def _binomial_dispersion(wins: np.ndarray, trials: np.ndarray, p: float) -> float:
    """Pearson dispersion of monthly win counts around a common win rate, at least 1."""
    ok = trials > 0
    if ok.sum() < 3 or not 0.0 < p < 1.0:
        return 1.0
    var = trials[ok] * p * (1.0 - p)
    chi = ((wins[ok] - trials[ok] * p) ** 2 / var).sum() / (ok.sum() - 1)
    return float(max(chi, 1.0))


def _mean_dispersion(values: np.ndarray, groups: np.ndarray) -> float:
    """Between-month over within-month variance of a mean (an F ratio), at least 1."""
    if len(values) < 10:
        return 1.0
    _, g = np.unique(groups, return_inverse=True)
    n = np.bincount(g).astype(float)
    if (n > 0).sum() < 3:
        return 1.0
    total = values.var()
    if total <= 0:
        return 1.0
    means = np.bincount(g, weights=values) / np.maximum(n, 1.0)
    between = (n * (means - values.mean()) ** 2).sum() / ((n > 0).sum() - 1)
    return float(max(between / total, 1.0))


def _split_threshold(log_amounts: np.ndarray) -> float:
    """Where small new business ends and large begins: a 2-component normal mixture
    on log amounts (EM), or the 80th percentile when the data shows one mode."""
    x = log_amounts[np.isfinite(log_amounts)]
    if len(x) < 20:
        return float(np.exp(np.quantile(x, 0.8))) if len(x) else np.inf
    mu = np.quantile(x, [0.3, 0.9])
    sd = np.array([x.std(), x.std()]) + 1e-6
    w = np.array([0.7, 0.3])
    for _ in range(100):
        dens = w * np.exp(-0.5 * ((x[:, None] - mu) / sd) ** 2) / sd
        resp = dens / np.maximum(dens.sum(axis=1, keepdims=True), 1e-300)
        nk = resp.sum(axis=0) + 1e-9
        w = nk / len(x)
        mu = (resp * x[:, None]).sum(axis=0) / nk
        sd = np.sqrt((resp * (x[:, None] - mu) ** 2).sum(axis=0) / nk) + 1e-3
    lo, hi = np.argsort(mu)
    if w.min() < 0.05 or mu[hi] - mu[lo] < 1.0 * max(sd[lo], sd[hi]):
        return float(np.exp(np.quantile(x, 0.8)))
    grid = np.linspace(mu[lo], mu[hi], 400)
    d_lo = w[lo] * np.exp(-0.5 * ((grid - mu[lo]) / sd[lo]) ** 2) / sd[lo]
    d_hi = w[hi] * np.exp(-0.5 * ((grid - mu[hi]) / sd[hi]) ** 2) / sd[hi]
    return float(np.exp(grid[np.argmax(d_hi >= d_lo)]))


def _stage_shares(dataset: Dataset, won_ids: pd.Series) -> tuple[float, float] | None:
    """Shares of the cycle before and during evaluation-like stages, from history."""
    hist = dataset.opportunity_history
    if hist.empty or not len(won_ids):
        return None
    h = hist[hist["opportunity_id"].isin(set(won_ids))].sort_values(
        ["opportunity_id", "changed_date"]
    )
    if h.empty:
        return None
    nxt = h.groupby("opportunity_id", observed=True)["changed_date"].shift(-1)
    h = h.assign(days=(nxt - h["changed_date"]).dt.days).dropna(subset=["days"])
    if h.empty:
        return None
    is_eval = h["stage"].str.contains(EVALUATION_STAGE, na=False)
    if not is_eval.any():
        return None
    total = h.groupby("opportunity_id", observed=True)["days"].sum()
    first_eval = (
        h[is_eval].groupby("opportunity_id", observed=True)["changed_date"].min()
    )
    h = h.join(first_eval.rename("first_eval"), on="opportunity_id")
    pre = (
        h[h["changed_date"] < h["first_eval"]]
        .groupby("opportunity_id", observed=True)["days"]
        .sum()
    )
    ev = h[is_eval].groupby("opportunity_id", observed=True)["days"].sum()
    frame = pd.DataFrame({"total": total, "pre": pre, "eval": ev}).fillna(0.0)
    frame = frame[frame["total"] > 0]
    if len(frame) < 10:
        return None
    pre_share = float((frame["pre"] / frame["total"]).mean())
    eval_share = float((frame["eval"] / frame["total"]).mean())
    scale = min(1.0, 0.98 / max(pre_share + eval_share, 1e-9))
    return pre_share * scale, eval_share * scale


def calibrate(
    dataset: Dataset,
    as_of: date | pd.Timestamp,
    horizon_months: int = 12,
    settings: CalibrationSettings | None = None,
) -> Scenario:
    """Estimate a scenario from the actuals up to ``as_of`` (see the module docstring)."""
    cfg = settings or CalibrationSettings()
    d = pd.Timestamp(as_of).normalize()
    ds = known_at(dataset, d)
    reps = ds.reps.copy()
    reps["role"] = reps["role"].fillna("AE")
    opps = ds.opportunities[ds.opportunities["type"].isin(ACV_TYPES)].copy()
    acts = ds.activities
    use_acts = len(acts) > 0
    if opps.empty:
        raise ValueError(
            "calibration needs at least one New Business or Add-On opportunity"
        )

    # --- the window where the data is complete
    first_created = opps["created_date"].min()
    closed = opps[opps["is_closed"]]
    first_close = closed["close_date"].min() if len(closed) else first_created
    obs_start = max(first_created, first_close)
    if use_acts:
        obs_start = max(obs_start, acts["activity_date"].min())
    obs_start = min(obs_start, d)
    win_start = max(obs_start, d - pd.Timedelta(days=cfg.lookback_days))
    wdays = _working_days(win_start, d)
    if len(wdays) == 0:
        wdays = pd.DatetimeIndex([d])

    # --- deal types: split new business into small / large by amount
    nb = opps["type"] == "New Business"
    amounts = opps["amount"].to_numpy(dtype=float)
    pos = amounts > 0
    threshold = _split_threshold(np.log(amounts[nb.to_numpy() & pos]))
    kind = np.where(
        ~nb.to_numpy(),
        "add_on",
        np.where(amounts >= threshold, "large_new_business", "small_new_business"),
    )
    opps["deal_type"] = kind
    cycle = (opps["close_date"] - opps["created_date"]).dt.days.to_numpy(dtype=float)
    age = (d - opps["created_date"]).dt.days.to_numpy(dtype=float)
    opps["cycle"] = cycle
    opps["age"] = age
    in_obs = (opps["created_date"] >= obs_start).to_numpy()
    is_closed = opps["is_closed"].to_numpy()
    won = opps["is_won"].to_numpy()
    close_month = opps["close_date"].dt.strftime("%Y-%m").fillna("").to_numpy()
    created_month = opps["created_date"].dt.strftime("%Y-%m").to_numpy()

    # --- seasonality (needs creation counts per effective rep-day per calendar month)
    sellers = reps[reps["role"] == "AE"].copy()
    if sellers.empty:
        sellers = reps.copy()
    season = np.ones(12)

    # --- ramp: profile likelihood over a grid, on reps' monthly counts in the window
    events = (
        acts[["owner_id", "activity_date"]].rename(columns={"activity_date": "date"})
        if use_acts
        else opps[["owner_id", "created_date"]].rename(columns={"created_date": "date"})
    )
    events = events[(events["date"] >= win_start) & (events["date"] <= d)]
    rep_ids = sellers["rep_id"].tolist()
    pos_of = {r: i for i, r in enumerate(rep_ids)}
    hire = sellers["hire_date"].to_numpy(dtype="datetime64[ns]")
    end = sellers["end_date"].to_numpy(dtype="datetime64[ns]")
    wd = wdays.to_numpy(dtype="datetime64[ns]")
    employed = (wd[None, :] >= hire[:, None]) & ~(wd[None, :] > end[:, None])
    tenure = (wd[None, :] - hire[:, None]) / np.timedelta64(1, "D") / DAYS_PER_MONTH
    month_of = wdays.month.to_numpy() - 1
    ev = events[events["owner_id"].isin(pos_of)]
    ev_rep = ev["owner_id"].map(pos_of).to_numpy(dtype=np.int64)
    ev_day = np.searchsorted(wd, ev["date"].to_numpy(dtype="datetime64[ns]"))
    ev_day = np.minimum(ev_day, len(wd) - 1)
    counts = np.zeros((len(rep_ids), len(wd)))
    np.add.at(counts, (ev_rep, ev_day), 1.0)

    # seasonality from the pooled daily rate by calendar month (shrunk toward 1)
    base = employed * ramp_curve(
        tenure, cfg.default_ramp_months, cfg.ramp_start_productivity
    )
    per_month = np.bincount(month_of, weights=counts.sum(axis=0), minlength=12)
    expo_month = np.bincount(month_of, weights=base.sum(axis=0), minlength=12)
    seen = expo_month > 0
    if seen.sum() >= 3:
        overall = per_month[seen].sum() / expo_month[seen].sum()
        raw = np.where(
            seen, per_month / np.maximum(expo_month, 1e-9) / max(overall, 1e-12), 1.0
        )
        years = np.bincount(month_of, minlength=12) / 21.0
        weight = years / (years + 1.0)
        season = 1.0 + weight * (raw - 1.0)
        season = season / season.mean()
    season_day = season[month_of]

    young = (tenure.min(axis=1) < 12.0) & employed.any(axis=1)
    ramp_months = cfg.default_ramp_months
    if young.any() and counts.sum() > 0:
        best = -np.inf
        for cand in cfg.ramp_grid_months:
            expo = (
                employed
                * ramp_curve(tenure, cand, cfg.ramp_start_productivity)
                * season_day[None, :]
            )
            e_rep = expo.sum(axis=1)
            lam = np.where(
                e_rep > 0, counts.sum(axis=1) / np.maximum(e_rep, 1e-12), 0.0
            )
            mu = lam[:, None] * expo
            with np.errstate(divide="ignore", invalid="ignore"):
                ll = (
                    np.where(
                        counts > 0, counts * np.log(np.maximum(mu, 1e-300)), 0.0
                    ).sum()
                    - mu.sum()
                )
            if ll > best + 1e-9:
                best, ramp_months = ll, float(cand)
    exposure = (
        employed
        * ramp_curve(tenure, ramp_months, cfg.ramp_start_productivity)
        * season_day[None, :]
    ).sum(axis=1)

    # monthly team totals against what the exposure predicts: the over-dispersion
    # that turns raw event counts into effective evidence for the rate estimates
    expo_day = (
        employed
        * ramp_curve(tenure, ramp_months, cfg.ramp_start_productivity)
        * season_day[None, :]
    ).sum(axis=0)
    _, win_month = np.unique(wdays.to_period("M").astype(str), return_inverse=True)
    expo_m = np.bincount(win_month, weights=expo_day)
    events_m = np.bincount(win_month, weights=counts.sum(axis=0))

    # --- per-rep funnel counts in the window, shrunk toward the team
    team_of = dict(zip(sellers["rep_id"], sellers["team"], strict=True))
    in_win_opp = (opps["created_date"] >= win_start) & (opps["created_date"] <= d)
    n_opp = opps[in_win_opp].groupby("owner_id", observed=True).size()
    opp_x = np.array([n_opp.get(r, 0) for r in rep_ids], dtype=float)
    if use_acts:
        a = acts[(acts["activity_date"] >= win_start)]
        n_act = a.groupby("owner_id", observed=True).size()
        n_meet = (
            a[a["activity_type"].isin(MEETING_TYPES)]
            .groupby("owner_id", observed=True)
            .size()
        )
        sdr_ids = set(reps.loc[reps["role"] == "SDR", "rep_id"])
        sdr_meetings = float(
            (a["owner_id"].isin(sdr_ids) & a["activity_type"].isin(MEETING_TYPES)).sum()
        )
        act_x = np.array([n_act.get(r, 0) for r in rep_ids], dtype=float)
        meet_x = np.array([n_meet.get(r, 0) for r in rep_ids], dtype=float)
        meet_x = np.maximum(meet_x, np.minimum(opp_x, act_x))
        # SDRs' meetings convert like the AEs' (no creator in the CRM tells them
        # apart), so their share of all meetings is the SDR-sourced share
        sdr_share = sdr_meetings / max(sdr_meetings + float(meet_x.sum()), 1.0)
    else:
        act_x = meet_x = np.zeros(len(rep_ids))
        sdr_share = 0.0

    # territory potential (account ownership) so rates are per average territory
    acc = ds.accounts
    owned_n = acc.groupby("owner_id", observed=True).size()
    revenue = acc.groupby("owner_id", observed=True)["annual_revenue"].sum(min_count=1)
    pot = np.array([revenue.get(r, np.nan) for r in rep_ids], dtype=float)
    pot = np.where(pot > 0, pot, np.nan)
    mean_pot = np.nanmean(pot) if np.isfinite(pot).any() else np.nan
    rel = (
        np.where(np.isfinite(pot), pot / mean_pot, 1.0)
        if np.isfinite(mean_pot)
        else np.ones(len(rep_ids))
    )
    meet_el, size_el = 0.5, 0.5
    meet_factor = rel**meet_el

    teams = np.array([team_of[r] for r in rep_ids])

    def shrink_rate(x: np.ndarray, e: np.ndarray, k: float) -> np.ndarray:
        out = np.zeros(len(x))
        for t in np.unique(teams):
            sel = teams == t
            team_rate = x[sel].sum() / max(e[sel].sum(), 1e-9)
            out[sel] = (x[sel] + k * team_rate) / (e[sel] + k)
        return out

    def shrink_prop(s_: np.ndarray, n_: np.ndarray, k: float) -> np.ndarray:
        out = np.zeros(len(s_))
        glob = s_.sum() / max(n_.sum(), 1e-9)
        for t in np.unique(teams):
            sel = teams == t
            team_p = (s_[sel].sum() + k * glob) / (n_[sel].sum() + k)
            out[sel] = (s_[sel] + k * team_p) / (n_[sel] + k)
        return np.clip(out, 0.0, 1.0)

    events_total = float(events_m.sum())
    rate_dispersion = _count_dispersion(
        events_m, events_total * expo_m / max(expo_m.sum(), 1e-12)
    )
    win_opps = opps[in_win_opp & opps["owner_id"].isin(pos_of)]
    opp_day = np.minimum(
        np.searchsorted(wd, win_opps["created_date"].to_numpy(dtype="datetime64[ns]")),
        len(wd) - 1,
    )
    opps_m = np.bincount(win_month[opp_day], minlength=len(expo_m)).astype(float)
    base_m = events_m if use_acts else expo_m
    opp_dispersion = _count_dispersion(
        opps_m, opps_m.sum() * base_m / max(base_m.sum(), 1e-12)
    )
    activity_evidence = events_total / rate_dispersion if use_acts else 0.0
    opportunity_evidence = float(opps_m.sum()) / opp_dispersion

    act_rate = shrink_rate(act_x, exposure, cfg.rate_prior_days)
    p_meet = shrink_prop(meet_x, act_x, cfg.conversion_prior_trials) / np.maximum(
        meet_factor, 1e-6
    )
    p_opp = shrink_prop(opp_x, meet_x, cfg.conversion_prior_trials / 3)
    opd = shrink_rate(opp_x, exposure * meet_factor, cfg.rate_prior_days)

    # --- deal types: mix, sizes (per average territory), win rates, cycles
    owner_rel = (
        opps["owner_id"]
        .map(dict(zip(rep_ids, rel, strict=True)))
        .fillna(1.0)
        .to_numpy(dtype=float)
    )
    size_adj = amounts / owner_rel**size_el
    win_mask = in_win_opp.to_numpy()
    deal_types: list[DealType] = []
    won_ids = opps.loc[is_closed & won & in_obs, "opportunity_id"]
    shares = _stage_shares(ds, won_ids)
    type_rates: dict[str, float] = {}
    type_cycle: dict[str, tuple[float, float]] = {}
    for name, kind_name in (
        ("small_new_business", "new_business"),
        ("large_new_business", "new_business"),
        ("add_on", "add_on"),
    ):
        sel = kind == name
        if not sel.any():
            continue
        mix = (float((sel & win_mask).sum()) or float(sel.sum()) * 1e-3) / len(opps)
        sz = size_adj[sel & pos]
        size_mu = float(np.log(sz).mean()) if len(sz) else np.log(10_000.0)
        size_sd = float(np.log(sz).std()) if len(sz) > 1 else 0.5
        cl = sel & in_obs & is_closed
        mu_c, sd_c = _lognormal_censored(cycle[cl], age[sel & in_obs & ~is_closed])
        n_closed, n_won = cl.sum(), (cl & won).sum()
        overall = (is_closed & won & in_obs).sum() / max((is_closed & in_obs).sum(), 1)
        win_rate = float(
            (n_won + cfg.win_prior_deals * overall) / (n_closed + cfg.win_prior_deals)
        )
        # how much the data pins the type down (the model draws from these)
        _, cm = np.unique(close_month[cl], return_inverse=True)
        win_disp = _binomial_dispersion(
            np.bincount(cm, weights=won[cl].astype(float)),
            np.bincount(cm).astype(float),
            win_rate,
        )
        win_evidence = (n_closed + cfg.win_prior_deals) / win_disp
        size_disp = _mean_dispersion(np.log(sz), created_month[sel & pos])
        size_se = size_sd * np.sqrt(size_disp / max(len(sz), 1))
        cycle_se = sd_c / np.sqrt(max(float(n_closed), 1.0))
        lost_c = cycle[cl & ~won]
        won_c = cycle[cl & won]
        lost_factor = 1.0
        if len(lost_c) >= 5 and len(won_c) >= 5:
            lost_factor = float(
                np.clip(
                    np.exp(
                        np.log(np.maximum(lost_c, 0.5)).mean()
                        - np.log(np.maximum(won_c, 0.5)).mean()
                    ),
                    0.2,
                    5.0,
                )
            )
        pre, evs = shares if shares else (0.3, 0.4)
        type_rates[name] = win_rate
        type_cycle[name] = (mu_c, sd_c)
        deal_types.append(
            DealType(
                name=name,
                kind=kind_name,
                mix_share=mix,
                size_median_usd=float(np.exp(size_mu)),
                size_sigma=float(np.clip(size_sd, 0.0, 4.0)),
                cycle_median_days=float(np.clip(np.exp(mu_c), 1.0, 3650.0)),
                cycle_sigma=float(np.clip(sd_c, 0.0, 4.0)),
                lost_cycle_factor=lost_factor,
                win_rate=float(np.clip(win_rate, 0.0, 1.0)),
                pre_evaluation_share=pre,
                evaluation_share=evs,
                needs_se=kind_name == "new_business",
                win_rate_evidence_deals=float(win_evidence),
                size_log_mean_se=float(np.clip(size_se, 0.0, 2.0)),
                cycle_log_mean_se=float(np.clip(cycle_se, 0.0, 2.0)),
            )
        )
    total_mix = sum(t.mix_share for t in deal_types)
    deal_types = [
        t.model_copy(update={"mix_share": t.mix_share / total_mix}) for t in deal_types
    ]

    # --- the reps at as_of, their quotas and results to date
    current = sellers[sellers["end_date"].isna()]
    quotas = ds.quotas
    months = pd.period_range(
        d + pd.Timedelta(days=1), d + pd.DateOffset(months=horizon_months), freq="M"
    )
    month_keys = {str(p) for p in months}
    year_start = pd.Timestamp(year=d.year, month=1, day=1)
    won_ytd = (
        opps[
            opps["is_won"]
            & (opps["close_date"] >= year_start)
            & (opps["close_date"] <= d)
        ]
        .groupby("owner_id", observed=True)["amount"]
        .sum()
    )
    rep_inputs: list[RepInput] = []
    for _, r in current.iterrows():
        i = pos_of[r["rep_id"]]
        annual = float(r["annual_quota"]) if pd.notna(r["annual_quota"]) else 0.0
        mq = quotas[quotas["rep_id"] == r["rep_id"]]
        monthly = {
            str(m): float(q)
            for m, q in zip(mq["month"], mq["quota"], strict=True)
            if str(m) in month_keys
        }
        if annual == 0 and len(mq):
            annual = float(mq["quota"].tail(12).mean() * 12)
        hired = max(pd.Timestamp(r["hire_date"]), year_start)
        ytd_quota = annual / 365.25 * max((d - hired).days + 1, 0)
        rep_inputs.append(
            RepInput(
                rep_id=r["rep_id"],
                team=r["team"],
                role="AE",
                hire_date=pd.Timestamp(r["hire_date"]).date(),
                annual_quota_usd=annual,
                monthly_quota_usd=monthly,
                activities_per_day=float(act_rate[i]),
                meetings_per_activity=float(np.clip(p_meet[i], 0.0, 1.0)),
                opportunities_per_meeting=float(p_opp[i]),
                opportunities_per_day=float(opd[i]),
                closed_won_to_date_usd=float(won_ytd.get(r["rep_id"], 0.0)),
                quota_to_date_usd=float(ytd_quota),
            )
        )
    current_ids = {r.rep_id for r in rep_inputs}

    territories = [
        TerritoryInput(
            territory_id=r.rep_id,
            owner_rep_id=r.rep_id,
            account_count=int(owned_n.get(r.rep_id))
            if r.rep_id in owned_n.index
            else None,
            potential_usd=float(pot[pos_of[r.rep_id]])
            if np.isfinite(pot[pos_of[r.rep_id]])
            else None,
            team=r.team,
        )
        for r in rep_inputs
    ]

    # --- open deals continue from their age (and stage)
    acc_owner = dict(zip(acc["account_id"], acc["owner_id"], strict=True))
    open_rows = opps[~opps["is_closed"]]
    open_list: list[OpenOpportunity] = []
    dropped = 0
    # Win chance of an open deal given its age: among closed deals of its type that
    # lived longer than it has, the won share (shrunk toward the type's rate). Sorted
    # cycles and suffix sums answer that for any age with one binary search.
    survivors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in type_rates:
        closed_t = (kind == name) & is_closed & in_obs & np.isfinite(cycle)
        order = np.argsort(cycle[closed_t], kind="stable")
        cycles_sorted = cycle[closed_t][order]
        won_suffix = np.concatenate([np.cumsum(won[closed_t][order][::-1])[::-1], [0]])
        survivors[name] = (cycles_sorted, won_suffix)
    for row in open_rows.itertuples(index=False):
        owner = row.owner_id
        if owner not in current_ids:
            owner = (
                acc_owner.get(row.account_id)
                if isinstance(row.account_id, str)
                else None
            )
        if owner not in current_ids:
            dropped += 1
            continue
        name = row.deal_type
        if name not in type_rates:
            continue
        mu_c, sd_c = type_cycle[name]
        cycles_sorted, won_suffix = survivors[name]
        first_older = int(np.searchsorted(cycles_sorted, row.age, side="right"))
        n_older = len(cycles_sorted) - first_older
        k = cfg.win_prior_deals
        p_win = (float(won_suffix[first_older]) + k * type_rates[name]) / (
            float(n_older) + k
        )
        open_list.append(
            OpenOpportunity(
                opportunity_id=row.opportunity_id,
                rep_id=owner,
                deal_type=name,
                amount_usd=float(row.amount)
                if np.isfinite(row.amount) and row.amount > 0
                else 0.0,
                age_days=float(max(row.age, 0.0)),
                win_probability=float(np.clip(p_win, 0.0, 1.0)),
                stage=row.stage if isinstance(row.stage, str) else None,
            )
        )
    if dropped:
        log.info(
            "calibrate: %d open deals owned by reps no longer selling were left out",
            dropped,
        )

    # --- planned hires: AEs hired after as_of in the full dataset
    future = dataset.reps[
        (dataset.reps["hire_date"] > d) & (dataset.reps["role"].fillna("AE") == "AE")
    ]
    hires = [
        PlannedHire(
            hire_id=str(r["rep_id"]),
            team=str(r["team"]),
            start_date=pd.Timestamp(r["hire_date"]).date(),
            annual_quota_usd=float(r["annual_quota"])
            if pd.notna(r["annual_quota"])
            else None,
        )
        for _, r in future.iterrows()
        if pd.Timestamp(r["hire_date"]) <= d + pd.DateOffset(months=horizon_months)
    ]

    # --- attrition and backfill
    left = sellers[(sellers["end_date"] >= win_start) & (sellers["end_date"] <= d)]
    rep_months = employed.sum() / 21.0
    hazard = (len(left) + cfg.default_hazard * cfg.hazard_prior_months) / (
        rep_months + cfg.hazard_prior_months
    )
    gaps = []
    for _, r in left.iterrows():
        later = sellers[
            (sellers["team"] == r["team"]) & (sellers["hire_date"] > r["end_date"])
        ]
        if len(later):
            gaps.append((later["hire_date"].min() - r["end_date"]).days)
    backfill = float(np.median(gaps)) if gaps else cfg.default_backfill_days

    # --- SE capacity: the SEs each team has, with room for the load history shows
    se = reps[(reps["role"] == "SE") & reps["end_date"].isna()]
    se_count = se.groupby("team", observed=True).size()
    per_se = 8.0
    se_cap: dict[str, int] = {}
    if len(se_count):
        for team, n in se_count.items():
            members = [r for r in rep_inputs if r.team == team]
            if not members:
                continue
            if use_acts:
                rate = sum(
                    r.activities_per_day
                    * r.meetings_per_activity
                    * r.opportunities_per_meeting
                    for r in members
                )
            else:
                rate = sum(r.opportunities_per_day for r in members)
            load = 0.0
            mix_sum = 0.0
            for t in deal_types:
                if t.needs_se:
                    dur = (
                        t.cycle_median_days
                        * np.exp(t.cycle_sigma**2 / 2)
                        * t.evaluation_share
                        * 5
                        / 7
                    )
                    load += t.mix_share * dur
                    mix_sum += t.mix_share
            peak = rate * load * season.max()
            per_se = max(per_se, cfg.se_headroom * peak / n)
            se_cap[str(team)] = int(n)

    return Scenario(
        name=f"calibrated {d.date()}",
        start_date=d.date(),
        horizon_months=horizon_months,
        funnel="activities" if use_acts else "opportunities",
        reps=rep_inputs,
        planned_hires=hires,
        territories=territories,
        open_opportunities=open_list,
        deal_types=deal_types,
        ramp_months=ramp_months,
        ramp_start_productivity=cfg.ramp_start_productivity,
        attrition_base_monthly_hazard=float(np.clip(hazard, 0.0, 1.0)),
        attrition_behind_quota_multiplier=cfg.behind_quota_multiplier,
        backfill_delay_days=float(np.clip(backfill, 0.0, 730.0)),
        se_capacity_per_team=se_cap,
        evaluations_per_se=float(min(per_se, 100.0)),
        seasonality_enabled=True,
        seasonality_by_month=[float(x) for x in np.clip(season, 0.0, 10.0)],
        potential_meeting_elasticity=meet_el,
        potential_size_elasticity=size_el,
        sdr_sourced_opportunity_share=float(np.clip(sdr_share, 0.0, 1.0)),
        activity_rate_evidence_count=activity_evidence,
        opportunity_rate_evidence_count=opportunity_evidence,
    )
