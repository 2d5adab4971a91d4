"""The SimPy sales model: a block of replications simulated together on working days.

Why this shape (measured, see docs/simulation.md): one SimPy event per activity costs
~300x a vectorised NumPy funnel. Here a single SimPy process ticks once per working day
and draws that day's activities, meetings and new opportunities for every territory
*and every replication of the block* as NumPy arrays; opportunities are array rows
whose close (or SE request) dates are booked on a per-day calendar. SimPy schedules
what is truly discrete: hires joining, departures and their backfills, the re-carve,
month closes. The solution-engineer pool of each team is a FIFO resource with daily
resolution, admitted in arrays on the same tick (a per-deal ``simpy.Resource``
request costs ~4 events per deal, which made 200 replications take many seconds).

State arrays are ``(B, T)`` (replications x territories) or ``(B, S)`` (replications x
rep slots). Rep slots are the existing reps, then the planned hires, then one backfill
slot per territory (the person hired after its owner leaves).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import simpy

from simulation.scenario import Scenario, TerritoryInput

DAYS_PER_MONTH = 365.25 / 12

# Base metrics recorded per month for every scope (derived ones are added in runner).
BASE_METRICS = (
    "activities",
    "meetings",
    "opportunities_created",
    "pipeline_created_acv",
    "closed_won_acv",
    "closed_won_count",
    "closed_lost_count",
    "quota",
    "headcount",
)
_M = {name: i for i, name in enumerate(BASE_METRICS)}
LEDGER = ("initial_open", "created", "won", "lost", "open_at_end")


@dataclass(frozen=True)
class Compiled:
    """A scenario turned into arrays once, shared by every block (and picklable)."""

    scenario: Scenario
    day_cal: np.ndarray  # calendar days since start_date of each working day
    day_month: np.ndarray
    month_labels: tuple[str, ...]
    month_last_day: np.ndarray
    season_day: np.ndarray
    slot_ids: tuple[str, ...]
    slot_kind: tuple[str, ...]
    slot_team: np.ndarray
    slot_act: np.ndarray
    slot_pm: np.ndarray
    slot_po: np.ndarray
    slot_opd: np.ndarray
    slot_ramp: np.ndarray
    slot_quota_day: np.ndarray  # (M, S) quota accrued per working day while employed
    slot_hire_cal: np.ndarray
    slot_active0: np.ndarray
    slot_cum_won0: np.ndarray
    slot_cum_quota0: np.ndarray
    hire_slot: np.ndarray
    hire_start_day: np.ndarray
    hire_ready_day: np.ndarray
    hire_territory: np.ndarray
    terr_ids: tuple[str, ...]
    terr_team: np.ndarray
    terr_accounts: np.ndarray
    terr_meet: np.ndarray
    terr_size: np.ndarray
    terr_owner: np.ndarray
    terr_cover: np.ndarray
    terr_share: np.ndarray
    team_names: tuple[str, ...]
    se_cap: np.ndarray
    type_names: tuple[str, ...]
    type_cum_mix: np.ndarray
    type_nb: np.ndarray
    type_mu_size: np.ndarray
    type_sig_size: np.ndarray
    type_mu_cycle: np.ndarray
    type_sig_cycle: np.ndarray
    type_lost: np.ndarray
    type_win: np.ndarray
    type_pre: np.ndarray
    type_eval: np.ndarray
    type_se: np.ndarray
    type_win_evidence: np.ndarray
    type_size_se: np.ndarray
    type_cycle_se: np.ndarray
    open_slot: np.ndarray
    open_terr: np.ndarray
    open_type: np.ndarray
    open_amount: np.ndarray
    open_age: np.ndarray
    open_win: np.ndarray

    @property
    def n_days(self) -> int:
        return len(self.day_cal)

    @property
    def n_months(self) -> int:
        return len(self.month_labels)


def horizon_days(start: date, months: int) -> pd.DatetimeIndex:
    """Working days (Mon-Fri) from the day after ``start`` to ``start + months``.

    A start on a month's last day runs to the last day of the target month (adding
    months to 2025-02-28 would otherwise stop on the 28th and drop the final days).
    """
    first = pd.Timestamp(start) + pd.Timedelta(days=1)
    last = pd.Timestamp(start) + pd.DateOffset(months=months)
    if pd.Timestamp(start).is_month_end:
        last = last + pd.offsets.MonthEnd(0)
    return pd.bdate_range(first, last)


def ramp_curve(
    tenure_months: np.ndarray, ramp_months: np.ndarray, start: float
) -> np.ndarray:
    """Productivity by tenure: ``start`` at hire rising linearly to 1 at ``ramp_months``.

    Shared by the model and the calibration so both read tenure the same way.
    """
    tenure = np.asarray(tenure_months, dtype=float)
    ramp = np.broadcast_to(np.asarray(ramp_months, dtype=float), tenure.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(ramp > 0, tenure / ramp, 1.0)
    frac = np.clip(np.nan_to_num(frac, nan=-1.0), -1.0, 1.0)
    return np.where(frac < 0, 0.0, start + (1.0 - start) * frac)


def _team_mean(values: np.ndarray, teams: np.ndarray, team: int) -> float:
    sel = teams == team
    if sel.any():
        return float(values[sel].mean())
    return float(values.mean()) if len(values) else 0.0


def compile_scenario(s: Scenario) -> Compiled:
    """Turn the scenario document into the arrays the model runs on.

    Territories are completed here: TBH seats without a planned hire get an implicit
    hire on their ``tbh_start_date``; planned hires without a seat get a new
    territory of their team's average size; with no territories at all, each rep
    gets one.
    """
    days = horizon_days(s.start_date, s.horizon_months)
    start = pd.Timestamp(s.start_date)
    day_cal = np.asarray((days - start).days, dtype=float)
    periods = days.to_period("M")
    labels = tuple(str(p) for p in periods.unique())
    day_month = np.asarray(pd.Index(labels).get_indexer([str(p) for p in periods]))
    month_last = np.array(
        [np.flatnonzero(day_month == m)[-1] for m in range(len(labels))]
    )
    season = np.asarray(s.seasonality_by_month, dtype=float)
    if s.seasonality_enabled:
        season_day = season[days.month.to_numpy() - 1] / max(season.mean(), 1e-12)
    else:
        season_day = np.ones(len(days))

    reps = list(s.reps)
    territories = list(s.territories)
    if not territories:
        territories = [
            _territory_for(r.rep_id, r.team) for r in reps if r.role in ("AE", "")
        ]
    rep_index = {r.rep_id: i for i, r in enumerate(reps)}
    team_of_rep = {r.rep_id: r.team for r in reps}

    hires = list(s.planned_hires)
    claimed = {h.territory_id for h in hires if h.territory_id}
    implicit: list[tuple[str, str, date]] = []
    for t in territories:
        if (
            t.owner_rep_id is None
            and t.tbh_start_date is not None
            and t.territory_id not in claimed
        ):
            team = t.team or team_of_rep.get(t.covering_rep_id or "") or "unassigned"
            implicit.append((f"tbh:{t.territory_id}", team, t.tbh_start_date))
    hire_specs = [
        (
            h.hire_id,
            h.team,
            h.start_date,
            h.ramp_months,
            h.annual_quota_usd,
            h.territory_id,
        )
        for h in hires
    ] + [(hid, team, d, None, None, hid.split(":", 1)[1]) for hid, team, d in implicit]

    # Territories for hires without a seat, and for reps whose open deals need a home.
    existing_ids = {t.territory_id for t in territories}
    acct = [t.account_count for t in territories if t.account_count is not None]
    pots = [t.potential_usd for t in territories if t.potential_usd is not None]
    mean_acct = int(round(float(np.mean(acct)))) if acct else None
    mean_pot = float(np.mean(pots)) if pots else None
    full_specs = []
    new_seats: set[str] = set()
    for hid, team, d, ramp, quota, tid in hire_specs:
        if tid is None:
            tid = f"new:{hid}"
            if tid not in existing_ids:
                territories.append(
                    TerritoryInput(
                        territory_id=tid,
                        tbh_start_date=d,
                        account_count=mean_acct,
                        potential_usd=mean_pot,
                        team=team,
                    )
                )
                existing_ids.add(tid)
                new_seats.add(tid)
        full_specs.append((hid, team, d, ramp, quota, tid))
    owned = {t.owner_rep_id for t in territories} | {
        t.covering_rep_id for t in territories
    }
    for o in s.open_opportunities:
        if o.territory_id is None and o.rep_id not in owned:
            territories.append(
                _territory_for(
                    o.rep_id, team_of_rep[o.rep_id], accounts=0, prefix="orphan:"
                )
            )
            owned.add(o.rep_id)

    teams = sorted(
        {r.team for r in reps}
        | {h[1] for h in full_specs}
        | {t.team for t in territories if t.team}
        | set(s.se_capacity_per_team)
    ) or ["unassigned"]
    team_idx = {t: i for i, t in enumerate(teams)}

    pot = np.array(
        [np.nan if t.potential_usd is None else t.potential_usd for t in territories]
    )
    mean_p = np.nanmean(pot) if np.isfinite(pot).any() else np.nan
    rel = (
        np.where(np.isfinite(pot) & (mean_p > 0), pot / mean_p, 1.0)
        if np.isfinite(mean_p)
        else np.ones(len(territories))
    )
    rel = np.maximum(rel, 1e-6)
    terr_meet = rel**s.potential_meeting_elasticity
    terr_size = rel**s.potential_size_elasticity
    # A seat made here for a hire is its team's *average seat*: the mean of the
    # team's seats' potential factors, not the factor of the mean potential.
    # Potentials are skewed, so the factor of the mean is far above the mean factor
    # (Jensen), and a hire there out-yielded the colleagues it was averaged from.
    is_new = np.array([t.territory_id in new_seats for t in territories], dtype=bool)
    seat_team = np.array(
        [
            t.team
            or team_of_rep.get(t.owner_rep_id or "")
            or team_of_rep.get(t.covering_rep_id or "")
            or ""
            for t in territories
        ],
        dtype=object,
    )
    for t in np.flatnonzero(is_new):
        peers = ~is_new & (seat_team == seat_team[t])
        if not peers.any():
            peers = ~is_new
        if peers.any():
            terr_meet[t] = terr_meet[peers].mean()
            terr_size[t] = terr_size[peers].mean()
    rep_meet = np.ones(len(reps))
    for t, tr in enumerate(territories):
        if tr.owner_rep_id is not None and not is_new[t]:
            rep_meet[rep_index[tr.owner_rep_id]] = terr_meet[t]

    n0, nh, nt = len(reps), len(full_specs), len(territories)
    n_slots = n0 + nh + nt
    terr_index = {t.territory_id: i for i, t in enumerate(territories)}

    rep_team = np.array([team_idx[r.team] for r in reps], dtype=np.int64)
    rep_act = np.array([r.activities_per_day for r in reps], dtype=float)
    rep_pm = np.array([r.meetings_per_activity for r in reps], dtype=float)
    rep_po = np.array([r.opportunities_per_meeting for r in reps], dtype=float)
    rep_opd = np.array([r.opportunities_per_day for r in reps], dtype=float)
    rep_quota = np.array([r.annual_quota_usd for r in reps], dtype=float)
    sellers = np.array([r.role in ("AE", "") for r in reps], dtype=bool)

    def team_avg(values: np.ndarray, team: int) -> float:
        v, tm = values[sellers], rep_team[sellers]
        return _team_mean(v, tm, team) if len(v) else 0.0

    def team_yield(values: np.ndarray, team: int) -> float:
        """The team's yield per unit of potential factor: what its reps produced in
        their own seats over the sum of their seats' factors (a ratio estimator). The
        mean of the per-seat normalised yields would be biased up by Jensen's
        inequality (dividing by small factors weighs poor seats heavily)."""
        num = team_avg(values * rep_meet, team)
        den = team_avg(rep_meet, team)
        return num / den if den > 0 else team_avg(values, team)

    slot_ids: list[str] = [r.rep_id for r in reps]
    slot_kind: list[str] = ["rep"] * n0
    slot_team = np.zeros(n_slots, dtype=np.int64)
    slot_team[:n0] = rep_team
    slot_act = np.zeros(n_slots)
    slot_pm = np.zeros(n_slots)
    slot_po = np.zeros(n_slots)
    slot_opd = np.zeros(n_slots)
    slot_ramp = np.full(n_slots, s.ramp_months)
    slot_annual = np.zeros(n_slots)
    slot_hire_cal = np.full(n_slots, np.nan)
    slot_active0 = np.zeros(n_slots, dtype=bool)
    slot_cum_won0 = np.zeros(n_slots)
    slot_cum_quota0 = np.zeros(n_slots)
    slot_act[:n0], slot_pm[:n0], slot_po[:n0], slot_opd[:n0] = (
        rep_act,
        rep_pm,
        rep_po,
        rep_opd,
    )
    slot_annual[:n0] = rep_quota
    for i, r in enumerate(reps):
        if r.ramp_months is not None:
            slot_ramp[i] = r.ramp_months
        slot_hire_cal[i] = (pd.Timestamp(r.hire_date) - start).days
        slot_active0[i] = True
        slot_cum_won0[i] = r.closed_won_to_date_usd
        slot_cum_quota0[i] = r.quota_to_date_usd

    # A new seat gets the team's average rep without the SDR-sourced part of the
    # yield: the SDRs' output does not grow with AE headcount (it only spreads).
    own_yield = 1.0 - s.sdr_sourced_opportunity_share

    def fill_average(slot: int, team: int, quota: float | None) -> None:
        slot_team[slot] = team
        slot_act[slot] = team_avg(rep_act, team)
        slot_pm[slot] = team_yield(rep_pm, team)
        slot_po[slot] = team_avg(rep_po, team) * own_yield
        slot_opd[slot] = team_yield(rep_opd, team) * own_yield
        slot_annual[slot] = quota if quota is not None else team_avg(rep_quota, team)

    hire_slot = np.arange(n0, n0 + nh, dtype=np.int64)
    hire_start = np.zeros(nh, dtype=np.int64)
    hire_ready = np.zeros(nh, dtype=np.int64)
    hire_terr = np.zeros(nh, dtype=np.int64)
    carve = 0.0 if s.precarve else s.carve_delay_days
    for j, (hid, team, d, ramp, quota, tid) in enumerate(full_specs):
        slot = n0 + j
        slot_ids.append(f"hire:{hid}" if not hid.startswith("tbh:") else hid)
        slot_kind.append("hire")
        fill_average(slot, team_idx[team], quota)
        if ramp is not None:
            slot_ramp[slot] = ramp
        start_off = (pd.Timestamp(d) - start).days
        slot_hire_cal[slot] = float(start_off)
        hire_start[j] = int(np.searchsorted(day_cal, start_off, side="left"))
        hire_ready[j] = int(np.searchsorted(day_cal, start_off + carve, side="left"))
        hire_terr[j] = terr_index[tid]

    terr_team = np.zeros(nt, dtype=np.int64)
    terr_owner = np.full(nt, -1, dtype=np.int64)
    terr_cover = np.full(nt, -1, dtype=np.int64)
    for i, t in enumerate(territories):
        if t.owner_rep_id is not None:
            terr_owner[i] = rep_index[t.owner_rep_id]
        if t.covering_rep_id is not None:
            terr_cover[i] = rep_index[t.covering_rep_id]
        team = (
            t.team
            or (team_of_rep[t.owner_rep_id] if t.owner_rep_id else None)
            or (team_of_rep[t.covering_rep_id] if t.covering_rep_id else None)
        )
        terr_team[i] = team_idx.get(team or "", 0)
    for j in range(nh):
        t = hire_terr[j]
        terr_owner[t] = hire_slot[j]
        terr_team[t] = slot_team[hire_slot[j]]
    for i, t in enumerate(territories):
        slot = n0 + nh + i
        slot_ids.append(f"backfill:{t.territory_id}")
        slot_kind.append("backfill")
        owner = terr_owner[i]
        fill_average(
            slot, int(terr_team[i]), float(slot_annual[owner]) if owner >= 0 else None
        )
        if owner >= 0:
            slot_act[slot], slot_pm[slot] = slot_act[owner], slot_pm[owner]
            slot_po[slot], slot_opd[slot] = slot_po[owner], slot_opd[owner]

    terr_share = np.ones(nt)
    for r in range(n0):
        mine = np.flatnonzero(terr_owner == r)
        if len(mine) > 1:
            p = pot[mine]
            w = np.where(
                np.isfinite(p), p, np.nanmean(p) if np.isfinite(p).any() else 1.0
            )
            terr_share[mine] = w / w.sum() if w.sum() > 0 else 1.0 / len(mine)
    terr_accounts = np.array(
        [
            np.inf if t.account_count is None else float(t.account_count)
            for t in territories
        ]
    )

    months = list(labels)
    full_wd = np.array(
        [
            len(
                pd.bdate_range(
                    pd.Period(m).start_time, pd.Period(m).end_time.normalize()
                )
            )
            for m in months
        ],
        dtype=float,
    )
    slot_quota_day = np.zeros((len(months), n_slots))
    for k in range(n_slots):
        slot_quota_day[:, k] = slot_annual[k] / 12.0 / full_wd
    for i, r in enumerate(reps):
        for mi, m in enumerate(months):
            if m in r.monthly_quota_usd:
                slot_quota_day[mi, i] = r.monthly_quota_usd[m] / full_wd[mi]

    se_cap = np.full(len(teams), np.inf)
    for team, n in s.se_capacity_per_team.items():
        se_cap[team_idx[team]] = n * s.evaluations_per_se

    mix = s.deal_mix()
    dts = s.deal_types
    type_cum_mix = np.cumsum([mix[d.name] for d in dts])
    type_cum_mix[-1] = 1.0
    type_index = {d.name: i for i, d in enumerate(dts)}

    first_terr = {}
    for i, t in enumerate(territories):
        for rid in (t.owner_rep_id, t.covering_rep_id):
            if rid is not None and rid not in first_terr:
                first_terr[rid] = i
        if t.territory_id.startswith("orphan:"):
            first_terr.setdefault(t.territory_id.split(":", 1)[1], i)
    opens = s.open_opportunities
    open_slot = np.array([rep_index[o.rep_id] for o in opens], dtype=np.int64)
    open_terr = np.array(
        [
            terr_index[o.territory_id]
            if o.territory_id in terr_index
            else first_terr[o.rep_id]
            for o in opens
        ],
        dtype=np.int64,
    )
    orphan = [
        i for i, t in enumerate(territories) if t.territory_id.startswith("orphan:")
    ]
    for i in orphan:
        terr_owner[i] = rep_index[territories[i].territory_id.split(":", 1)[1]]

    return Compiled(
        scenario=s,
        day_cal=day_cal,
        day_month=day_month.astype(np.int64),
        month_labels=labels,
        month_last_day=month_last,
        season_day=season_day,
        slot_ids=tuple(slot_ids),
        slot_kind=tuple(slot_kind),
        slot_team=slot_team,
        slot_act=slot_act,
        slot_pm=slot_pm,
        slot_po=slot_po,
        slot_opd=slot_opd,
        slot_ramp=slot_ramp,
        slot_quota_day=slot_quota_day,
        slot_hire_cal=slot_hire_cal,
        slot_active0=slot_active0,
        slot_cum_won0=slot_cum_won0,
        slot_cum_quota0=slot_cum_quota0,
        hire_slot=hire_slot,
        hire_start_day=hire_start,
        hire_ready_day=hire_ready,
        hire_territory=hire_terr,
        terr_ids=tuple(t.territory_id for t in territories),
        terr_team=terr_team,
        terr_accounts=terr_accounts,
        terr_meet=terr_meet,
        terr_size=terr_size,
        terr_owner=terr_owner,
        terr_cover=terr_cover,
        terr_share=terr_share,
        team_names=tuple(teams),
        se_cap=se_cap,
        type_names=tuple(d.name for d in dts),
        type_cum_mix=type_cum_mix,
        type_nb=np.array([d.kind == "new_business" for d in dts]),
        type_mu_size=np.log([d.size_median_usd for d in dts]),
        type_sig_size=np.array([d.size_sigma for d in dts]),
        type_mu_cycle=np.log([d.cycle_median_days for d in dts]),
        type_sig_cycle=np.array([d.cycle_sigma for d in dts]),
        type_lost=np.array([d.lost_cycle_factor for d in dts]),
        type_win=np.array([d.win_rate for d in dts]),
        type_pre=np.array([d.pre_evaluation_share for d in dts]),
        type_eval=np.array([d.evaluation_share for d in dts]),
        type_se=np.array([d.needs_se for d in dts]),
        type_win_evidence=np.array([d.win_rate_evidence_deals for d in dts]),
        type_size_se=np.array([d.size_log_mean_se for d in dts]),
        type_cycle_se=np.array([d.cycle_log_mean_se for d in dts]),
        open_slot=open_slot,
        open_terr=open_terr,
        open_type=np.array([type_index[o.deal_type] for o in opens], dtype=np.int64),
        open_amount=np.array([o.amount_usd for o in opens], dtype=float),
        open_age=np.array([o.age_days for o in opens], dtype=float),
        open_win=np.array([o.win_probability for o in opens], dtype=float),
    )


def _territory_for(
    rep_id: str, team: str, accounts: int | None = None, prefix: str = ""
) -> TerritoryInput:
    return TerritoryInput(
        territory_id=f"{prefix}{rep_id}",
        owner_rep_id=None if prefix else rep_id,
        account_count=accounts,
        team=team,
    )


@dataclass
class BlockResult:
    """Monthly totals of one block of replications, before scopes are named."""

    terr: np.ndarray  # (B, M, T, len(BASE_METRICS))
    rep: np.ndarray  # (B, M, S, len(BASE_METRICS))
    ledger: np.ndarray  # (B, len(LEDGER))


class _Rows:
    """Opportunities as growable array rows (one row per opportunity and replication)."""

    FIELDS = ("b", "t", "creator", "kind", "amount", "won", "cycle", "closed")

    def __init__(self, capacity: int = 4096) -> None:
        self.n = 0
        self.b = np.zeros(capacity, dtype=np.int64)
        self.t = np.zeros(capacity, dtype=np.int64)
        self.creator = np.zeros(capacity, dtype=np.int64)
        self.kind = np.zeros(capacity, dtype=np.int64)
        self.amount = np.zeros(capacity)
        self.won = np.zeros(capacity, dtype=bool)
        self.cycle = np.zeros(capacity)
        self.closed = np.zeros(capacity, dtype=bool)

    def add(self, **cols: np.ndarray) -> np.ndarray:
        k = len(cols["b"])
        need = self.n + k
        cap = len(self.b)
        if need > cap:
            new = max(need, 2 * cap)
            for f in self.FIELDS:
                old = getattr(self, f)
                grown = np.zeros(new, dtype=old.dtype)
                grown[: self.n] = old[: self.n]
                setattr(self, f, grown)
        idx = np.arange(self.n, need)
        for f, v in cols.items():
            getattr(self, f)[idx] = v
        self.n = need
        return idx


@dataclass(frozen=True)
class ParameterDraw:
    """One set of parameter values per replication: the estimation uncertainty.

    ``act`` and ``opp`` (B,) multiply the activity rate and the opportunity yield;
    ``win`` (B, K) multiplies each deal type's win rate; ``size`` and ``cycle``
    (B, K) shift the log of its size and cycle medians.
    """

    act: np.ndarray
    opp: np.ndarray
    win: np.ndarray
    size: np.ndarray
    cycle: np.ndarray


def draw_parameters(c: Compiled, rng: np.random.Generator, n: int) -> ParameterDraw:
    """Draw ``n`` replications' parameters from their estimation posteriors.

    Why per replication and not per deal: an estimate that is off is off for the
    whole horizon, so its error moves every deal of a replication together; that
    common shock is what widens the team's bands (per-deal noise averages out).
    Rates get a Gamma posterior of mean 1 and shape = the evidence count, win rates
    a Beta(p n, (1 - p) n) around the estimate, log medians a normal of their
    standard error. With ``parameter_uncertainty`` off, or no evidence recorded,
    everything is exactly 1 / 0 and no random numbers are drawn.
    """
    s = c.scenario
    k = len(c.type_names)
    ones, zeros = np.ones(n), np.zeros((n, k))
    on = s.parameter_uncertainty and (
        s.activity_rate_evidence_count > 0
        or s.opportunity_rate_evidence_count > 0
        or (c.type_win_evidence > 0).any()
        or (c.type_size_se > 0).any()
        or (c.type_cycle_se > 0).any()
    )
    if not on:
        return ParameterDraw(ones, ones, np.ones((n, k)), zeros, zeros)

    def gamma_mult(evidence: float) -> np.ndarray:
        g = rng.standard_gamma(max(evidence, 1e-9), n) / max(evidence, 1e-9)
        return g if evidence > 0 else ones

    act = gamma_mult(s.activity_rate_evidence_count)
    opp = gamma_mult(s.opportunity_rate_evidence_count)
    p = np.clip(c.type_win, 1e-9, 1.0 - 1e-9)
    ev = np.maximum(c.type_win_evidence, 1e-9)
    beta = rng.beta(p * ev, (1.0 - p) * ev, (n, k))
    known = (c.type_win_evidence <= 0) | (c.type_win <= 0) | (c.type_win >= 1)
    win = np.where(known[None, :], 1.0, beta / p)
    z = rng.standard_normal((2, n, k))
    return ParameterDraw(
        act=act,
        opp=opp,
        win=win,
        size=z[0] * c.type_size_se[None, :],
        cycle=z[1] * c.type_cycle_se[None, :],
    )


class World:
    """The mutable state of one block; SimPy processes act on it."""

    def __init__(self, c: Compiled, seed: np.random.SeedSequence, n: int) -> None:
        self.c = c
        s = c.scenario
        self.s = s
        self.B = n
        nt, ns, nm = len(c.terr_ids), len(c.slot_ids), c.n_months
        self.T, self.S = nt, ns
        # The seventh stream is new: spawning it after the first six leaves their
        # numbers (and every result without parameter uncertainty) unchanged.
        streams = seed.spawn(7)
        (
            self.rng_act,
            self.rng_meet,
            self.rng_opp,
            self.rng_deal,
            self.rng_attr,
            self.rng_open,
            rng_param,
        ) = (np.random.default_rng(x) for x in streams)
        self.draw = draw_parameters(c, rng_param, n)
        self.terr_acc = np.zeros((n, nm, nt, len(BASE_METRICS)))
        self.rep_acc = np.zeros((n, nm, ns, len(BASE_METRICS)))
        self.ledger = np.zeros((n, len(LEDGER)))
        self.active = np.tile(c.slot_active0, (n, 1))
        self.hire_cal = np.tile(c.slot_hire_cal, (n, 1))
        self.cum_won = np.tile(c.slot_cum_won0, (n, 1))
        self.cum_quota = np.tile(c.slot_cum_quota0, (n, 1))
        worker = np.full(nt, -1, dtype=np.int64)
        covering = np.zeros(nt, dtype=bool)
        for t in range(nt):
            o = c.terr_owner[t]
            if o >= 0 and c.slot_active0[o]:
                worker[t] = o
            elif s.neighbour_coverage and c.terr_cover[t] >= 0:
                worker[t], covering[t] = c.terr_cover[t], True
        self.worker = np.tile(worker, (n, 1))
        self.covering = np.tile(covering, (n, 1))
        self.fresh = np.tile(c.terr_accounts, (n, 1))
        self.open = np.zeros((n, nt))
        self.momentum_until = np.zeros((n, nt), dtype=np.int64)
        self.rows = _Rows()
        nd = c.n_days
        self.close_book: list[list[np.ndarray]] = [[] for _ in range(nd)]
        self.se_request_book: list[list[np.ndarray]] = [[] for _ in range(nd)]
        self.se_done_book: list[list[np.ndarray]] = [[] for _ in range(nd)]
        self.se_on = bool(np.isfinite(c.se_cap).any())
        self.busy = np.zeros((n, len(c.team_names)))
        self.waiting = np.zeros(0, dtype=np.int64)
        self._seed_open_opportunities()

    # ----------------------------------------------------------------- helpers
    def _book(
        self,
        book: list[list[np.ndarray]],
        rows: np.ndarray,
        cal: np.ndarray,
        today: int,
    ) -> None:
        """Book rows on the first working day on or after calendar day ``cal``."""
        if not len(rows):
            return
        idx = np.searchsorted(self.c.day_cal, cal, side="left")
        idx = np.maximum(idx, today + 1)
        inside = idx < self.c.n_days
        rows, idx = rows[inside], idx[inside]
        if not len(rows):
            return
        order = np.argsort(idx, kind="stable")
        rows, idx = rows[order], idx[order]
        cuts = np.flatnonzero(idx[1:] != idx[:-1]) + 1
        starts = [0, *cuts.tolist()]
        ends = [*cuts.tolist(), len(rows)]
        days = idx[starts].tolist()
        for a, b, day in zip(starts, ends, days, strict=True):
            book[day].append(rows[a:b])

    def _seed_open_opportunities(self) -> None:
        """Open deals at the start continue from their age (remaining cycle | age)."""
        c, s = self.c, self.s
        k = len(c.open_slot)
        if k == 0:
            return
        from scipy.special import ndtr, ndtri

        n = self.B
        kind = np.tile(c.open_type, n)
        age = np.tile(c.open_age, n)
        b = np.repeat(np.arange(n), k)
        mu = (
            c.type_mu_cycle[kind]
            + self.draw.cycle[b, kind]
            + np.log(s.cycle_length_multiplier)
        )
        sig = np.maximum(c.type_sig_cycle[kind], 1e-6)
        floor = ndtr((np.log(np.maximum(age, 1e-9)) - mu) / sig)
        u = self.rng_open.random((k * n, 3))
        uu = floor + (1.0 - floor) * u[:, 0]
        cycle = np.exp(mu + sig * ndtri(np.clip(uu, 1e-12, 1 - 1e-12)))
        remaining = np.maximum(cycle - age, 0.5)
        amount = np.tile(c.open_amount, n)
        missing = amount <= 0
        if missing.any():
            z = ndtri(np.clip(u[:, 2], 1e-12, 1 - 1e-12))
            draw = np.exp(
                c.type_mu_size[kind]
                + self.draw.size[b, kind]
                + c.type_sig_size[kind] * z
            )
            amount = np.where(missing, draw, amount)
        win = np.tile(c.open_win, n) * self.draw.win[b, kind] * s.win_rate_multiplier
        won = u[:, 1] < np.clip(win, 0.0, 1.0)
        t = np.tile(c.open_terr, n)
        rows = self.rows.add(
            b=b,
            t=t,
            creator=np.tile(c.open_slot, n),
            kind=kind,
            amount=amount,
            won=won,
            cycle=cycle,
        )
        np.add.at(self.open, (b, t), 1.0)
        self.ledger[:, 0] += k
        self._book(self.close_book, rows, remaining, -1)

    def productivity(self, cal: float, slots: np.ndarray) -> np.ndarray:
        """Ramp curve: linear from 0 at hire to 1 after the slot's ramp months."""
        tenure = (
            cal - np.take_along_axis(self.hire_cal, slots, axis=1)
        ) / DAYS_PER_MONTH
        ramp = self.c.slot_ramp[slots]
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(ramp > 0, tenure / ramp, 1.0)
        return np.clip(np.nan_to_num(p, nan=0.0), 0.0, 1.0)

    # ---------------------------------------------------------------- the day
    def work_day(self, d: int) -> None:
        """One working day for every territory and replication of the block."""
        c, s = self.c, self.s
        B, S = self.B, self.S
        m = int(c.day_month[d])
        cal = float(c.day_cal[d])
        self._close_deals(d, m)
        if self.se_on:
            self._serve_evaluations(d, cal)

        w = self.worker
        has = w >= 0
        wc = np.where(has, w, 0)
        prod = self.productivity(cal, wc)
        owner_share = np.where(w == c.terr_owner[None, :], c.terr_share[None, :], 1.0)
        terr_factor = np.where(self.covering, s.coverage_efficiency, owner_share)
        intensity = has * prod * terr_factor * c.season_day[d]
        if s.recarve_month is not None or not s.precarve:
            intensity = intensity * np.where(
                d < self.momentum_until, 1.0 - s.recarve_penalty, 1.0
            )
        if s.open_deal_capacity is not None:
            with np.errstate(divide="ignore"):
                room = np.where(self.open > 0, s.open_deal_capacity / self.open, 1.0)
            intensity = intensity * np.clip(room, s.min_prospecting_share, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(
                np.isinf(self.fresh), 1.0, self.fresh / c.terr_accounts[None, :]
            )
        sat = np.clip(np.nan_to_num(frac, nan=0.0) / s.saturation_onset_share, 0.0, 1.0)

        if s.funnel == "activities":
            lam = (
                c.slot_act[wc]
                * intensity
                * (s.activity_rate_multiplier * self.draw.act[:, None])
            )
            acts = self.rng_act.poisson(lam)
            pm = np.clip(
                c.slot_pm[wc] * s.meeting_conversion_multiplier * c.terr_meet * sat,
                0,
                1,
            )
            meets = self.rng_meet.binomial(acts, pm)
            po = np.clip(
                c.slot_po[wc]
                * (s.opportunity_conversion_multiplier * self.draw.opp[:, None]),
                0,
                1,
            )
            opps = self.rng_opp.binomial(meets, po)
            self.terr_acc[:, m, :, _M["activities"]] += acts
            self.terr_acc[:, m, :, _M["meetings"]] += meets
            key = (np.arange(B)[:, None] * S + wc).ravel()
            hm = has.ravel()
            self.rep_acc[:, m, :, _M["activities"]] += np.bincount(
                key[hm], weights=acts.ravel()[hm], minlength=B * S
            ).reshape(B, S)
            self.rep_acc[:, m, :, _M["meetings"]] += np.bincount(
                key[hm], weights=meets.ravel()[hm], minlength=B * S
            ).reshape(B, S)
        else:
            lam = (
                c.slot_opd[wc]
                * intensity
                * c.terr_meet
                * sat
                * s.activity_rate_multiplier
                * s.meeting_conversion_multiplier
                * s.opportunity_conversion_multiplier
                * self.draw.opp[:, None]
            )
            opps = self.rng_opp.poisson(lam)
        self._create_deals(d, m, cal, opps, wc)
        self._accrue_quota(d, m, cal, has, wc, owner_share)

    def _create_deals(
        self, d: int, m: int, cal: float, opps: np.ndarray, wc: np.ndarray
    ) -> None:
        c, s = self.c, self.s
        B, T, S = self.B, self.T, self.S
        n = int(opps.sum())
        if n == 0:
            return
        flat = np.repeat(np.arange(B * T), opps.ravel())
        b, t = flat // T, flat % T
        u = self.rng_deal.random((n, 2))
        z = self.rng_deal.standard_normal((n, 2))
        kind = np.minimum(
            np.searchsorted(c.type_cum_mix, u[:, 0], side="right"),
            len(c.type_names) - 1,
        )
        dr = self.draw
        amount = np.exp(
            c.type_mu_size[kind] + dr.size[b, kind] + c.type_sig_size[kind] * z[:, 0]
        )
        amount *= s.deal_size_multiplier * c.terr_size[t]
        win = c.type_win[kind] * dr.win[b, kind] * s.win_rate_multiplier
        won = u[:, 1] < np.clip(win, 0.0, 1.0)
        cycle = np.exp(
            c.type_mu_cycle[kind] + dr.cycle[b, kind] + c.type_sig_cycle[kind] * z[:, 1]
        )
        cycle *= s.cycle_length_multiplier * np.where(won, 1.0, c.type_lost[kind])
        creator = wc[b, t]
        rows = self.rows.add(
            b=b, t=t, creator=creator, kind=kind, amount=amount, won=won, cycle=cycle
        )
        self.open += opps
        self.ledger[:, 1] += opps.sum(axis=1)
        self.terr_acc[:, m, :, _M["opportunities_created"]] += opps
        self.terr_acc[:, m, :, _M["pipeline_created_acv"]] += np.bincount(
            flat, weights=amount, minlength=B * T
        ).reshape(B, T)
        rk = b * S + creator
        self.rep_acc[:, m, :, _M["opportunities_created"]] += np.bincount(
            rk, minlength=B * S
        ).reshape(B, S)
        self.rep_acc[:, m, :, _M["pipeline_created_acv"]] += np.bincount(
            rk, weights=amount, minlength=B * S
        ).reshape(B, S)
        nb = c.type_nb[kind]
        if nb.any() and np.isfinite(c.terr_accounts).any():
            used = np.bincount(flat[nb], minlength=B * T).reshape(B, T)
            self.fresh = np.maximum(self.fresh - used, 0.0)
        if self.se_on:
            queue = c.type_se[kind] & np.isfinite(c.se_cap[c.terr_team[t]])
        else:
            queue = np.zeros(n, dtype=bool)
        direct = ~queue
        self._book(self.close_book, rows[direct], cal + cycle[direct], d)
        if queue.any():
            q = rows[queue]
            self._book(
                self.se_request_book, q, cal + cycle[queue] * c.type_pre[kind[queue]], d
            )

    def _close_deals(self, d: int, m: int) -> None:
        c = self.c
        B, T, S = self.B, self.T, self.S
        parts = self.close_book[d]
        if not parts:
            return
        rows = np.concatenate(parts)
        self.close_book[d] = []
        r = self.rows
        b, t, won, amt = r.b[rows], r.t[rows], r.won[rows], r.amount[rows]
        r.closed[rows] = True
        creator = r.creator[rows]
        credit = np.where(self.active[b, creator], creator, self.worker[b, t])
        key = b * T + t
        wamt = amt * won
        self.terr_acc[:, m, :, _M["closed_won_acv"]] += np.bincount(
            key, weights=wamt, minlength=B * T
        ).reshape(B, T)
        self.terr_acc[:, m, :, _M["closed_won_count"]] += np.bincount(
            key, weights=won, minlength=B * T
        ).reshape(B, T)
        self.terr_acc[:, m, :, _M["closed_lost_count"]] += np.bincount(
            key, weights=~won, minlength=B * T
        ).reshape(B, T)
        ok = credit >= 0
        rk = b[ok] * S + credit[ok]
        won_by_rep = np.bincount(rk, weights=wamt[ok], minlength=B * S).reshape(B, S)
        self.rep_acc[:, m, :, _M["closed_won_acv"]] += won_by_rep
        self.rep_acc[:, m, :, _M["closed_won_count"]] += np.bincount(
            rk, weights=won[ok], minlength=B * S
        ).reshape(B, S)
        self.rep_acc[:, m, :, _M["closed_lost_count"]] += np.bincount(
            rk, weights=~won[ok], minlength=B * S
        ).reshape(B, S)
        self.cum_won += won_by_rep
        self.open -= np.bincount(key, minlength=B * T).reshape(B, T)
        self.ledger[:, 2] += np.bincount(b, weights=won, minlength=B)
        self.ledger[:, 3] += np.bincount(b, weights=~won, minlength=B)
        nb = c.type_nb[r.kind[rows]]
        if nb.any() and np.isfinite(c.terr_accounts).any():
            back = np.bincount(key[nb], minlength=B * T).reshape(B, T)
            self.fresh = np.minimum(self.fresh + back, c.terr_accounts[None, :])

    def _serve_evaluations(self, d: int, cal: float) -> None:
        """The team SE pools: release today's finished evaluations, admit FIFO."""
        c = self.c
        r = self.rows
        nteam = len(c.team_names)
        done = self.se_done_book[d]
        if done:
            rows = np.concatenate(done)
            self.se_done_book[d] = []
            g = r.b[rows] * nteam + c.terr_team[r.t[rows]]
            self.busy -= np.bincount(g, minlength=self.B * nteam).reshape(self.B, nteam)
            post = 1.0 - c.type_pre[r.kind[rows]] - c.type_eval[r.kind[rows]]
            self._book(self.close_book, rows, cal + r.cycle[rows] * post, d - 1)
        req = self.se_request_book[d]
        if req:
            self.waiting = np.concatenate([self.waiting, *req])
            self.se_request_book[d] = []
        if not len(self.waiting):
            return
        w = self.waiting
        g = r.b[w] * nteam + c.terr_team[r.t[w]]
        order = np.argsort(g, kind="stable")
        gs = g[order]
        rank = np.arange(len(gs)) - np.searchsorted(gs, gs, side="left")
        free = np.floor(c.se_cap[None, :] - self.busy).ravel()[gs]
        admit = rank < free
        if not admit.any():
            return
        rows = w[order[admit]]
        self.waiting = w[np.sort(order[~admit])]
        self.busy += np.bincount(g[order[admit]], minlength=self.B * nteam).reshape(
            self.B, nteam
        )
        span = r.cycle[rows] * c.type_eval[r.kind[rows]]
        self._book(self.se_done_book, rows, cal + np.maximum(span, 0.5), d)

    def _accrue_quota(
        self,
        d: int,
        m: int,
        cal: float,
        has: np.ndarray,
        wc: np.ndarray,
        owner_share: np.ndarray,
    ) -> None:
        c, s = self.c, self.s
        qd = c.slot_quota_day[m]
        rep_q = self.active * qd[None, :]
        if s.quota_ramp:
            slots = np.broadcast_to(np.arange(self.S), (self.B, self.S))
            rep_q = rep_q * self.productivity(cal, slots)
        self.rep_acc[:, m, :, _M["quota"]] += rep_q
        self.cum_quota += rep_q
        owned = has & ~self.covering
        self.terr_acc[:, m, :, _M["quota"]] += np.where(
            owned, qd[wc] * owner_share, 0.0
        )

    # ----------------------------------------------------- discrete happenings
    def close_month(self, m: int, d: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Month end: record headcount, then draw departures (hazard up when behind)."""
        c, s = self.c, self.s
        self.rep_acc[:, m, :, _M["headcount"]] = self.active
        self.terr_acc[:, m, :, _M["headcount"]] = (self.worker >= 0) & ~self.covering
        u = self.rng_attr.random(self.active.shape)
        if s.attrition_base_monthly_hazard <= 0:
            return []
        slots = np.broadcast_to(np.arange(self.S), (self.B, self.S))
        ramped = self.productivity(float(c.day_cal[d]), slots) >= 1.0
        behind = (self.cum_quota > 0) & (
            self.cum_won < s.attrition_behind_quota_threshold * self.cum_quota
        )
        hazard = s.attrition_base_monthly_hazard * np.where(
            behind & ramped, s.attrition_behind_quota_multiplier, 1.0
        )
        leave = self.active & (u < 1.0 - np.exp(-hazard))
        if not leave.any():
            return []
        self.active &= ~leave
        bb, tt = np.nonzero(self.worker >= 0)
        gone = leave[bb, self.worker[bb, tt]]
        bb, tt = bb[gone], tt[gone]
        was_owner = ~self.covering[bb, tt]
        self.worker[bb, tt] = -1
        self.covering[bb, tt] = False
        bb, tt = bb[was_owner], tt[was_owner]
        if s.neighbour_coverage and len(bb):
            cov = c.terr_cover[tt]
            ok = (cov >= 0) & self.active[bb, np.maximum(cov, 0)]
            self.worker[bb[ok], tt[ok]] = cov[ok]
            self.covering[bb[ok], tt[ok]] = True
        return [(bb, tt)] if len(bb) else []

    def start_backfills(self, d: int, bb: np.ndarray, tt: np.ndarray) -> None:
        """Backfills start in the seats their predecessors left (no carve needed)."""
        slot = len(self.c.slot_ids) - self.T + tt
        self.active[bb, slot] = True
        self.hire_cal[bb, slot] = self.c.day_cal[d]
        self.worker[bb, tt] = slot
        self.covering[bb, tt] = False

    def start_hire(self, j: int, d: int) -> None:
        slot = self.c.hire_slot[j]
        self.active[:, slot] = True
        self.hire_cal[:, slot] = self.c.slot_hire_cal[slot]

    def seat_hire(self, j: int, d: int) -> None:
        """The hire takes their territory; when it was not pre-carved, the neighbour
        who covered it loses accounts mid-year and pays the momentum penalty."""
        c, s = self.c, self.s
        t = c.hire_territory[j]
        slot = c.hire_slot[j]
        if not s.precarve:
            penalty_end = np.searchsorted(
                c.day_cal, c.day_cal[d] + s.recarve_penalty_days
            )
            cov = c.terr_cover[t]
            if cov >= 0:
                mine = (c.terr_owner == cov)[None, :] & np.ones((self.B, 1), dtype=bool)
                self.momentum_until = np.where(
                    mine,
                    np.maximum(self.momentum_until, penalty_end),
                    self.momentum_until,
                )
        alive = self.active[:, slot]
        self.worker[alive, t] = slot
        self.covering[alive, t] = False

    def recarve(self, d: int) -> None:
        """Mid-year re-carve: fresh accounts are re-levelled within each team, and every
        territory loses momentum for ``recarve_penalty_days``."""
        c, s = self.c, self.s
        penalty_end = np.searchsorted(c.day_cal, c.day_cal[d] + s.recarve_penalty_days)
        self.momentum_until[:] = np.maximum(self.momentum_until, penalty_end)
        finite = np.isfinite(c.terr_accounts)
        for team in np.unique(c.terr_team[finite]):
            sel = finite & (c.terr_team == team)
            total = self.fresh[:, sel].sum(axis=1, keepdims=True)
            share = c.terr_accounts[sel] / max(c.terr_accounts[sel].sum(), 1e-12)
            self.fresh[:, sel] = total * share[None, :]

    def result(self) -> BlockResult:
        n = self.rows.n
        still_open = ~self.rows.closed[:n]
        self.ledger[:, 4] = np.bincount(self.rows.b[:n][still_open], minlength=self.B)
        return BlockResult(terr=self.terr_acc, rep=self.rep_acc, ledger=self.ledger)


# ------------------------------------------------------------- SimPy processes
def tick_days(env: simpy.Environment, world: World):
    """The daily tick: the whole funnel of every territory and replication, at once."""
    for d in range(world.c.n_days):
        yield env.timeout(d + 0.5 - env.now)
        world.work_day(d)


def close_months(env: simpy.Environment, world: World):
    """Month closes: headcount, departures and the backfill each one triggers."""
    c = world.c
    for m, d in enumerate(c.month_last_day):
        yield env.timeout(d + 0.75 - env.now)
        for bb, tt in world.close_month(m, int(d)):
            delay_to = np.searchsorted(
                c.day_cal, c.day_cal[d] + world.s.backfill_delay_days
            )
            if delay_to < c.n_days:
                env.process(backfill_seats(env, world, int(delay_to), bb, tt))


def backfill_seats(
    env: simpy.Environment, world: World, day: int, bb: np.ndarray, tt: np.ndarray
):
    """A batch of backfills (all departures of one month) starting on ``day``."""
    yield env.timeout(day - env.now)
    world.start_backfills(day, bb, tt)


def join_team(env: simpy.Environment, world: World, j: int):
    """A planned hire joins on their start date, then takes their seat once it is carved."""
    c = world.c
    start, ready = int(c.hire_start_day[j]), int(c.hire_ready_day[j])
    if start >= c.n_days:
        return
    yield env.timeout(start - env.now)
    world.start_hire(j, start)
    if ready >= c.n_days:
        return
    yield env.timeout(ready - env.now)
    world.seat_hire(j, ready)


def recarve_territories(env: simpy.Environment, world: World, day: int):
    """The mid-year re-carve lever, on the first working day of its month."""
    yield env.timeout(day - env.now)
    world.recarve(day)


def simulate_block(c: Compiled, seed: np.random.SeedSequence, n: int) -> BlockResult:
    """Run ``n`` replications of the compiled scenario together, from one seed."""
    env = simpy.Environment()
    world = World(c, seed, n)
    env.process(tick_days(env, world))
    env.process(close_months(env, world))
    for j in range(len(c.hire_slot)):
        env.process(join_team(env, world, j))
    rm = c.scenario.recarve_month
    if rm is not None and rm - 1 < c.n_months:
        first = int(np.flatnonzero(c.day_month == rm - 1)[0])
        env.process(recarve_territories(env, world, first))
    env.run()
    return world.result()
