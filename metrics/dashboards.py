"""The four dashboards as plain JSON-able dicts (contracts §3).

Why plain dicts: the same numbers feed the Dash pages, the ``dashboards --json``
command and the tests, and nothing here may depend on Dash or Plotly. Every value is a
Python ``float``, ``int``, ``str``, ``bool``, list, dict or ``None`` (never NaN or a
NumPy scalar), so ``json.dumps`` works on any result. Definitions live in
``metrics.definitions``; the interpretation choices are in ``docs/metrics.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np

from crm.dataset import Dataset
from crm.schema import FORECAST_CATEGORIES
from metrics.definitions import (
    DEFAULT_HYGIENE,
    HYGIENE_RULES,
    HygieneSettings,
    activities_by_rep,
    attainment,
    closed_won_by_rep,
    closed_won_mask,
    coverage_ratio_used,
    created_mask,
    forecast_at,
    forecast_conversion_rates,
    hygiene_flags,
    hygiene_score,
    month_bounds,
    month_key_of,
    month_label,
    monthly_quota,
    open_at,
    pipeline_created_by_day,
    pipeline_created_by_rep,
    stage_at,
    target_cumulative,
    top_by,
    win_rate,
    win_rate_window,
    working_days,
)
from metrics.prepare import (
    NO_FILTERS,
    Filters,
    Prepared,
    day_to_date,
    day_to_iso,
    rep_mask,
    to_day,
)

NOTABLE_LIMIT = 10
LARGE_DEAL_PERCENTILE = 75.0
"""New-business deals at or above this percentile of historical amounts are "large"."""
TREND_MONTHS = 12
TREND_WEEKS = 13
PREVIOUS_MONTHS = 3
DealKind = Literal["open", "won", "created", "due"]


# ---------------------------------------------------------------------------- helpers


def _num(value: float | None) -> float | None:
    """A finite Python float, or None."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den else None


@dataclass(frozen=True)
class _Scope:
    """What every dashboard needs about (as-of, filters), computed once per call."""

    d: int
    month: int
    start: int
    end: int
    reps: np.ndarray  # bool over rep codes
    opps: np.ndarray  # bool over opportunity codes

    @classmethod
    def of(cls, prep: Prepared, as_of: date, filters: Filters) -> _Scope:
        d = to_day(as_of)
        month = month_key_of(d)
        start, end = month_bounds(month)
        reps = rep_mask(prep, filters)
        return cls(d, month, start, end, reps, reps[prep.opp_rep])


def _employed(prep: Prepared, start: int, end: int) -> np.ndarray:
    return (prep.rep_hire_day <= end) & (prep.rep_end_day >= start)


def _order_deals(prep: Prepared, idx: np.ndarray, limit: int | None) -> np.ndarray:
    """Opportunity codes by amount descending, then id ascending; first ``limit``."""
    if not len(idx):
        return idx
    acv = prep.opp_acv[idx]
    if limit is not None and len(idx) > limit:
        cut = np.partition(acv, len(acv) - limit)[len(acv) - limit]
        idx, acv = idx[acv >= cut], acv[acv >= cut]
    ordered = sorted(
        zip((-acv).tolist(), prep.opp_id[idx].tolist(), idx.tolist(), strict=True)
    )
    out = np.array([i for _, _, i in ordered], dtype=np.int64)
    return out if limit is None else out[:limit]


def _fc_names(codes: np.ndarray) -> list[str | None]:
    return [FORECAST_CATEGORIES[c] if c >= 0 else None for c in codes.tolist()]


def _deal_rows(prep: Prepared, d: int, idx: np.ndarray) -> list[dict[str, Any]]:
    """Deal records as of ``d`` (stage and forecast category as they were at ``d``)."""
    if not len(idx):
        return []
    stage, _ = stage_at(prep, d, idx)
    fc = forecast_at(prep, d, idx)
    rep = prep.opp_rep[idx]
    closed = prep.opp_is_closed[idx] & (prep.opp_close_day[idx] <= d)
    columns = zip(
        prep.opp_id[idx].tolist(),
        prep.opp_name[idx].tolist(),
        [_num(a) for a in prep.opp_amount[idx].tolist()],
        prep.rep_id[rep].tolist(),
        prep.rep_name[rep].tolist(),
        prep.rep_team[rep].tolist(),
        prep.opp_account_id[idx].tolist(),
        prep.opp_account_name[idx].tolist(),
        [str(prep.stages[s]) if s >= 0 else None for s in stage.tolist()],
        _fc_names(fc),
        np.where(prep.opp_is_new_business[idx], "New Business", "Add-On").tolist(),
        day_to_iso(prep.opp_created_day[idx]),
        day_to_iso(prep.opp_close_day[idx]),
        closed.tolist(),
        (closed & prep.opp_is_won[idx]).tolist(),
        strict=True,
    )
    rows = []
    for (
        oid,
        name,
        amount,
        owner,
        rep_name,
        team,
        account,
        account_name,
        stage_name,
        fc_name,
        kind,
        created,
        close,
        is_closed,
        is_won,
    ) in columns:
        rows.append(
            {
                "opportunity_id": oid,
                "opportunity_name": name or None,
                "amount": amount,
                "type": kind,
                "owner_id": owner,
                "rep_name": rep_name,
                "team": team,
                "account_id": account or None,
                "account_name": account_name or None,
                "stage": stage_name,
                "forecast_category": fc_name,
                "created_date": created,
                "close_date": close,
                "is_closed": bool(is_closed),
                "is_won": bool(is_won),
            }
        )
    return rows


def _rep_base(prep: Prepared, r: int) -> dict[str, Any]:
    return {
        "rep_id": str(prep.rep_id[r]),
        "rep_name": str(prep.rep_name[r]),
        "team": str(prep.rep_team[r]),
    }


def _team_sum(prep: Prepared, reps: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.bincount(
        prep.rep_team_code[reps],
        weights=np.asarray(values, dtype=np.float64)[reps],
        minlength=len(prep.teams),
    )


def _month_totals(
    prep: Prepared, sc: _Scope, start: int, end: int
) -> dict[str, Any]:
    """AMP funnel totals for the scope over ``[start, end]`` (clipped to D)."""
    acts, meets = activities_by_rep(prep, start, end, sc.d)
    acv, count = pipeline_created_by_rep(prep, start, end, sc.d)
    a, m = int(acts[sc.reps].sum()), int(meets[sc.reps].sum())
    o, v = int(count[sc.reps].sum()), float(acv[sc.reps].sum())
    return {
        "period_start": day_to_iso(np.array([start]))[0],
        "period_end": day_to_iso(np.array([min(end, sc.d)]))[0],
        "activities": a,
        "meetings": m,
        "opportunities_created": o,
        "pipeline_created_acv": v,
        "activity_to_meeting_rate": _ratio(m, a),
        "meeting_to_opportunity_rate": _ratio(o, m),
    }


# ---------------------------------------------------------------------------- SOTU


def state_of_the_union(
    prep: Prepared, as_of: date, filters: Filters = NO_FILTERS
) -> dict[str, Any]:
    """The month on one screen: closed-won, quota, coverage, tops, notable deals,
    leaderboard, forecast projection and the 12-month trend."""
    sc = _Scope.of(prep, as_of, filters)
    d = sc.d
    cw_acv, cw_count = closed_won_by_rep(prep, sc.start, sc.end, d)
    quota_r = monthly_quota(prep, sc.month)
    closed = float(cw_acv[sc.reps].sum())
    count = int(cw_count[sc.reps].sum())
    quota = float(quota_r[sc.reps].sum())

    open_m = open_at(prep, d) & sc.opps
    due = open_m & (prep.opp_close_day >= sc.start) & (prep.opp_close_day <= sc.end)
    due_idx = np.flatnonzero(due)
    due_acv = float(prep.opp_acv[due_idx].sum())
    remaining = max(quota - closed, 0.0)
    win = win_rate(prep, d, sc.opps)

    top_rep_i = top_by(prep.rep_id, cw_acv, sc.reps & (cw_count > 0))
    team_acv = _team_sum(prep, sc.reps, cw_acv)
    team_cnt = _team_sum(prep, sc.reps, cw_count)
    top_team_i = top_by(prep.teams, team_acv, team_cnt > 0)

    won_idx = np.flatnonzero(closed_won_mask(prep, sc.start, sc.end, d) & sc.opps)

    # leaderboard: reps with a quota this month or a win
    board = np.flatnonzero(sc.reps & ((quota_r > 0) | (cw_count > 0)))
    board = sorted(board.tolist(), key=lambda r: (-cw_acv[r], str(prep.rep_id[r])))
    leaderboard = [
        {
            "rank": rank,
            **_rep_base(prep, r),
            "closed_won_acv": float(cw_acv[r]),
            "closed_won_count": int(cw_count[r]),
            "quota": float(quota_r[r]),
            "attainment": attainment(cw_acv[r], quota_r[r]),
        }
        for rank, r in enumerate(board, start=1)
    ]

    # forecast: closed + weighted Commit and Best Case due this month
    rates = forecast_conversion_rates(prep, d, sc.opps)
    fc = forecast_at(prep, d, due_idx)
    parts = {}
    projection = closed
    for name in ("Commit", "Best Case"):
        acv = float(prep.opp_acv[due_idx][fc == FORECAST_CATEGORIES.index(name)].sum())
        rate = float(rates[name]["rate"])
        parts[name] = {
            "open_acv": acv,
            "rate": rate,
            "rate_source": rates[name]["source"],
            "weighted_acv": acv * rate,
        }
        projection += acv * rate
    window = win_rate_window(d)
    forecast = {
        "closed_won_acv": closed,
        "commit": parts["Commit"],
        "best_case": parts["Best Case"],
        "projection_acv": projection,
        "quota": quota,
        "projected_attainment": attainment(projection, quota),
        "gap_to_quota": projection - quota,
        "rates_window_start": day_to_iso(np.array([window[0]]))[0],
        "rates_window_end": day_to_iso(np.array([window[1]]))[0],
    }

    return {
        "month": month_label(sc.month),
        "period_start": day_to_iso(np.array([sc.start]))[0],
        "period_end": day_to_iso(np.array([d]))[0],
        "closed_won_acv": closed,
        "closed_won_count": count,
        "quota": quota,
        "attainment": attainment(closed, quota),
        "open_pipeline_acv": float(prep.opp_acv[open_m].sum()),
        "open_pipeline_count": int(open_m.sum()),
        "open_pipeline_due_acv": due_acv,
        "quota_remaining": remaining,
        "pipeline_coverage": _ratio(due_acv, remaining) if remaining > 0 else None,
        "win_rate": win,
        "avg_deal_size": _ratio(closed, count),
        "top_rep": None
        if top_rep_i is None
        else {
            "rep_id": str(prep.rep_id[top_rep_i]),
            "rep_name": str(prep.rep_name[top_rep_i]),
            "team": str(prep.rep_team[top_rep_i]),
            "closed_won_acv": float(cw_acv[top_rep_i]),
        },
        "top_team": None
        if top_team_i is None
        else {
            "team": str(prep.teams[top_team_i]),
            "closed_won_acv": float(team_acv[top_team_i]),
        },
        "notable_open": _deal_rows(prep, d, _order_deals(prep, due_idx, NOTABLE_LIMIT)),
        "notable_closed": _deal_rows(prep, d, _order_deals(prep, won_idx, NOTABLE_LIMIT)),
        "leaderboard": leaderboard,
        "forecast": forecast,
        "trend": _trend(prep, sc),
    }


def _trend(prep: Prepared, sc: _Scope) -> list[dict[str, Any]]:
    first = sc.month - TREND_MONTHS + 1
    d = sc.d
    won = (
        prep.opp_is_won
        & (prep.opp_close_day <= d)
        & (prep.opp_created_day <= d)
        & (prep.opp_close_month >= first)
        & sc.opps
    )
    closed = np.bincount(
        prep.opp_close_month[won] - first,
        weights=prep.opp_acv[won],
        minlength=TREND_MONTHS,
    )
    made = (prep.opp_created_day <= d) & (prep.opp_created_month >= first) & sc.opps
    created = np.bincount(
        prep.opp_created_month[made] - first,
        weights=prep.opp_acv[made],
        minlength=TREND_MONTHS,
    )
    rows = []
    for i in range(TREND_MONTHS):
        q = float(monthly_quota(prep, first + i)[sc.reps].sum())
        rows.append(
            {
                "month": month_label(first + i),
                "closed_won_acv": float(closed[i]),
                "quota": q,
                "attainment": attainment(closed[i], q),
                "pipeline_created_acv": float(created[i]),
                "month_to_date": i == TREND_MONTHS - 1,
            }
        )
    return rows


# ---------------------------------------------------------------------------- AMP


def _median(values: Iterable[float]) -> float | None:
    arr = np.asarray(list(values), dtype=np.float64)
    return float(np.median(arr)) if len(arr) else None


def amp(prep: Prepared, as_of: date, filters: Filters = NO_FILTERS) -> dict[str, Any]:
    """Activities → meetings → pipeline, month to date, per rep and team, with the
    previous three months to the same day and a 13-week trend."""
    sc = _Scope.of(prep, as_of, filters)
    d = sc.d
    acts, meets = activities_by_rep(prep, sc.start, sc.end, d)
    acv, count = pipeline_created_by_rep(prep, sc.start, sc.end, d)
    shown = sc.reps & (
        _employed(prep, sc.start, d) | (acts > 0) | (count > 0)
    )
    reps = np.flatnonzero(shown)

    rate = np.full(prep.n_reps, np.nan)
    np.divide(meets, acts, out=rate, where=acts > 0)
    # team medians for the activity-quality rule
    team_stats: dict[int, tuple[float | None, float | None]] = {}
    for t in np.unique(prep.rep_team_code[reps]).tolist():
        members = reps[prep.rep_team_code[reps] == t]
        active = members[acts[members] > 0]
        team_stats[t] = (
            _median(acts[members].tolist()),
            _median(rate[active].tolist()),
        )

    def quality_flag(r: int) -> bool:
        med_acts, med_rate = team_stats[int(prep.rep_team_code[r])]
        if med_acts is None or med_rate is None or med_rate <= 0 or acts[r] == 0:
            return False
        return bool(acts[r] > med_acts and rate[r] < 0.5 * med_rate)

    ordered = sorted(
        reps.tolist(), key=lambda r: (-acv[r], -meets[r], str(prep.rep_id[r]))
    )
    by_rep = []
    flagged_reps = []
    for r in ordered:
        flag = quality_flag(r)
        row = {
            **_rep_base(prep, r),
            "activities": int(acts[r]),
            "meetings": int(meets[r]),
            "opportunities_created": int(count[r]),
            "pipeline_created_acv": float(acv[r]),
            "meeting_rate": _ratio(meets[r], acts[r]),
            "opportunity_rate": _ratio(count[r], meets[r]),
            "activity_quality_flag": flag,
        }
        by_rep.append(row)
        if flag:
            med_acts, med_rate = team_stats[int(prep.rep_team_code[r])]
            flagged_reps.append(
                {
                    **_rep_base(prep, r),
                    "activities": int(acts[r]),
                    "meetings": int(meets[r]),
                    "meeting_rate": _ratio(meets[r], acts[r]),
                    "team_median_activities": med_acts,
                    "team_median_meeting_rate": med_rate,
                }
            )
    flagged_reps.sort(key=lambda x: (-x["activities"], x["rep_id"]))

    t_acts = _team_sum(prep, shown, acts)
    t_meets = _team_sum(prep, shown, meets)
    t_count = _team_sum(prep, shown, count)
    t_acv = _team_sum(prep, shown, acv)
    t_reps = _team_sum(prep, shown, np.ones(prep.n_reps))
    by_team = [
        {
            "team": str(prep.teams[t]),
            "reps": int(t_reps[t]),
            "activities": int(t_acts[t]),
            "meetings": int(t_meets[t]),
            "opportunities_created": int(t_count[t]),
            "pipeline_created_acv": float(t_acv[t]),
            "meeting_rate": _ratio(t_meets[t], t_acts[t]),
            "opportunity_rate": _ratio(t_count[t], t_meets[t]),
        }
        for t in np.flatnonzero(t_reps > 0).tolist()
    ]

    previous = []
    for k in range(1, PREVIOUS_MONTHS + 1):
        m = sc.month - k
        start, end = month_bounds(m)
        same_day = min(start + (d - sc.start), end)
        row = {"month": month_label(m), **_month_totals(prep, sc, start, same_day)}
        row["full_month"] = _month_totals(prep, sc, start, end)
        previous.append(row)

    return {
        "period_start": day_to_iso(np.array([sc.start]))[0],
        "period_end": day_to_iso(np.array([d]))[0],
        "month": month_label(sc.month),
        "by_rep": by_rep,
        "by_team": by_team,
        "totals": _month_totals(prep, sc, sc.start, sc.end),
        "previous_months": previous,
        "weekly": _weekly(prep, sc),
        "high_activity_low_meetings": flagged_reps,
    }


def _weekly(prep: Prepared, sc: _Scope) -> list[dict[str, Any]]:
    """ISO weeks: the week containing D and the 12 before it (the last one to D)."""
    d = sc.d
    monday = d - (d + 3) % 7  # 1970-01-01 was a Thursday
    w0 = monday - 7 * (TREND_WEEKS - 1)
    lo, hi = np.searchsorted(prep.act_day, [w0, d + 1])
    keep = sc.reps[prep.act_rep[lo:hi]]
    week = (prep.act_day[lo:hi][keep] - w0) // 7
    acts = np.bincount(week, weights=prep.act_count[lo:hi][keep], minlength=TREND_WEEKS)
    meets = np.bincount(
        week, weights=prep.act_meetings[lo:hi][keep], minlength=TREND_WEEKS
    )
    made = created_mask(prep, w0, d, d) & sc.opps
    cw = (prep.opp_created_day[made] - w0) // 7
    count = np.bincount(cw, minlength=TREND_WEEKS)
    acv = np.bincount(cw, weights=prep.opp_acv[made], minlength=TREND_WEEKS)
    rows = []
    for i in range(TREND_WEEKS):
        start = w0 + 7 * i
        iso = day_to_date(start).isocalendar()
        rows.append(
            {
                "week": f"{iso.year:04d}-W{iso.week:02d}",
                "week_start": day_to_iso(np.array([start]))[0],
                "week_end": day_to_iso(np.array([min(start + 6, d)]))[0],
                "activities": int(acts[i]),
                "meetings": int(meets[i]),
                "opportunities_created": int(count[i]),
                "pipeline_created_acv": float(acv[i]),
            }
        )
    return rows


# ---------------------------------------------------------------------------- pipe gen


def large_deal_threshold(prep: Prepared, month_start: int, d: int) -> float | None:
    """75th percentile of new-business amounts created before the month (whole
    workspace, so classes mean the same under any filter); falls back to those created
    up to D; None without any new-business amount."""
    base = prep.opp_is_new_business & (prep.opp_acv > 0)
    for hi in (month_start - 1, d):
        values = prep.opp_acv[base & (prep.opp_created_day <= hi)]
        if len(values):
            return float(np.percentile(values, LARGE_DEAL_PERCENTILE))
    return None


def daily_pipe_gen(
    prep: Prepared,
    as_of: date,
    filters: Filters = NO_FILTERS,
    coverage_ratio: float | None = None,
) -> dict[str, Any]:
    """Pipeline created each day of the month to D against the month's target."""
    sc = _Scope.of(prep, as_of, filters)
    d = sc.d
    quota_r = monthly_quota(prep, sc.month)
    quota = float(quota_r[sc.reps].sum())
    win = win_rate(prep, d, sc.opps)
    ratio, basis = coverage_ratio_used(win, coverage_ratio)
    target = quota * ratio

    acv_day, cnt_day = pipeline_created_by_day(prep, sc.start, d, d, sc.opps)
    cum = np.cumsum(acv_day)
    target_cum = target_cumulative(target, sc.month, d)
    created = float(cum[-1])
    target_to_date = float(target_cum[-1])
    elapsed = target_to_date / target if target > 0 else 0.0
    gap = created - target_to_date
    remaining_wd = working_days(d + 1, sc.end)
    left = max(target - created, 0.0)
    dates = day_to_iso(np.arange(sc.start, d + 1))
    days = [
        {
            "date": dt,
            "pipeline_created_acv": float(a),
            "opportunities_created": int(c),
            "cumulative_acv": float(cu),
            "target_cumulative_acv": float(tc),
        }
        for dt, a, c, cu, tc in zip(
            dates,
            acv_day.tolist(),
            cnt_day.tolist(),
            cum.tolist(),
            target_cum.tolist(),
            strict=True,
        )
    ]

    r_acv, r_cnt = pipeline_created_by_rep(prep, sc.start, sc.end, d)

    def row(created_acv: float, n: int, q: float) -> dict[str, Any]:
        t = q * ratio
        g = created_acv - t * elapsed
        return {
            "pipeline_created_acv": float(created_acv),
            "opportunities_created": int(n),
            "quota": float(q),
            "month_target_acv": float(t),
            "target_to_date_acv": float(t * elapsed),
            "gap": float(g),
            "status": "ahead" if g >= 0 else "behind",
        }

    t_acv = _team_sum(prep, sc.reps, r_acv)
    t_cnt = _team_sum(prep, sc.reps, r_cnt)
    t_quota = _team_sum(prep, sc.reps, quota_r)
    t_reps = _team_sum(prep, sc.reps, np.ones(prep.n_reps))
    by_team = [
        {"team": str(prep.teams[t]), **row(t_acv[t], int(t_cnt[t]), t_quota[t])}
        for t in np.flatnonzero(t_reps > 0).tolist()
    ]
    by_team.sort(key=lambda x: (x["gap"], x["team"]))
    shown = np.flatnonzero(sc.reps & ((quota_r > 0) | (r_cnt > 0)))
    by_rep = [
        {**_rep_base(prep, r), **row(r_acv[r], int(r_cnt[r]), quota_r[r])}
        for r in shown.tolist()
    ]
    by_rep.sort(key=lambda x: (x["gap"], x["rep_id"]))

    threshold = large_deal_threshold(prep, sc.start, d)
    made = created_mask(prep, sc.start, sc.end, d) & sc.opps
    nb = prep.opp_is_new_business
    large = nb & (prep.opp_acv >= threshold) if threshold is not None else nb & False
    classes = {
        "large_new_business": made & large,
        "small_new_business": made & nb & ~large,
        "add_on": made & ~nb,
    }
    mix = []
    for name, m in classes.items():
        v = float(prep.opp_acv[m].sum())
        mix.append(
            {
                "deal_class": name,
                "pipeline_created_acv": v,
                "opportunities_created": int(m.sum()),
                "share": _ratio(v, created),
            }
        )

    return {
        "month": month_label(sc.month),
        "month_target_acv": float(target),
        "quota": quota,
        "win_rate": win,
        "coverage_ratio": float(ratio),
        "target_basis": basis,
        "working_days": working_days(sc.start, sc.end),
        "working_days_elapsed": working_days(sc.start, d),
        "remaining_working_days": remaining_wd,
        "days": days,
        "pipeline_created_acv": created,
        "target_to_date_acv": target_to_date,
        "gap": gap,
        "status": "ahead" if gap >= 0 else "behind",
        "remaining_to_target_acv": left,
        "required_daily_rate": left / remaining_wd if remaining_wd else None,
        "by_team": by_team,
        "by_rep": by_rep,
        "large_deal_threshold_acv": threshold,
        "mix": mix,
    }


# ---------------------------------------------------------------------------- hygiene


def clean_your_room(
    prep: Prepared,
    as_of: date,
    filters: Filters = NO_FILTERS,
    settings: HygieneSettings = DEFAULT_HYGIENE,
    flagged_limit: int | None = None,
) -> dict[str, Any]:
    """CRM hygiene of the open ACV pipeline at D: per-rep leaderboard and work queue.

    ``flagged_limit`` cuts the work queue (worst first) for pages that show one screen
    of it; counts and scores always cover every flagged deal.
    """
    sc = _Scope.of(prep, as_of, filters)
    d = sc.d
    idx = np.flatnonzero(open_at(prep, d) & sc.opps)
    flags = hygiene_flags(prep, d, idx, settings)
    rule_matrix = np.column_stack([flags[r] for r in HYGIENE_RULES]) if len(idx) else (
        np.zeros((0, len(HYGIENE_RULES)), dtype=bool)
    )
    any_flag = rule_matrix.any(axis=1)
    rep = prep.opp_rep[idx]
    n = prep.n_reps
    open_n = np.bincount(rep, minlength=n)
    flagged_n = np.bincount(rep, weights=any_flag, minlength=n).astype(np.int64)
    per_rule = {
        r: np.bincount(rep, weights=flags[r], minlength=n).astype(np.int64)
        for r in HYGIENE_RULES
    }
    ae_now = (prep.rep_role == "AE") & _employed(prep, d, d)
    shown = np.flatnonzero(sc.reps & ((open_n > 0) | ae_now))
    by_rep = []
    for r in shown.tolist():
        row = {**_rep_base(prep, r), "open_opportunities": int(open_n[r])}
        row.update({rule: int(per_rule[rule][r]) for rule in HYGIENE_RULES})
        row["flagged"] = int(flagged_n[r])
        row["hygiene_score"] = hygiene_score(int(flagged_n[r]), int(open_n[r]))
        by_rep.append(row)
    by_rep.sort(
        key=lambda x: (-x["hygiene_score"], -x["open_opportunities"], x["rep_id"])
    )
    for rank, row in enumerate(by_rep, start=1):
        row["rank"] = rank

    t_open = _team_sum(prep, sc.reps, open_n)
    t_flag = _team_sum(prep, sc.reps, flagged_n)
    by_team = [
        {
            "team": str(prep.teams[t]),
            "open_opportunities": int(t_open[t]),
            "flagged": int(t_flag[t]),
            "hygiene_score": hygiene_score(int(t_flag[t]), int(t_open[t])),
        }
        for t in np.flatnonzero(t_open > 0).tolist()
    ]
    by_team.sort(key=lambda x: (-x["hygiene_score"], x["team"]))

    # the work queue: most rules broken first, then the largest deals
    f_pos = np.flatnonzero(any_flag)
    n_rules = rule_matrix[f_pos].sum(axis=1)
    f_acv = prep.opp_acv[idx[f_pos]]
    order = np.lexsort((idx[f_pos], -f_acv, -n_rules))
    f_pos = f_pos[order][:flagged_limit]
    f_idx = idx[f_pos]
    # each deal's broken rules as a bit pattern, named once per pattern
    bits = rule_matrix[f_pos].astype(np.int64) @ (1 << np.arange(len(HYGIENE_RULES)))
    names_of = {
        int(b): [r for i, r in enumerate(HYGIENE_RULES) if int(b) >> i & 1]
        for b in np.unique(bits)
    }
    last = flags["last_activity_day"][f_pos]
    stage = flags["stage"][f_pos]
    flagged = [
        {
            "opportunity_id": oid,
            "opportunity_name": name or None,
            "owner_id": owner,
            "rep_name": rname,
            "team": team,
            "account_id": account or None,
            "account_name": aname or None,
            "stage": str(prep.stages[s]) if s >= 0 else None,
            "amount": _num(amount),
            "close_date": close,
            "last_activity_date": last_date,
            "days_since_activity": int(d - ld),
            "rules": list(names_of[rules]),
        }
        for oid, name, owner, rname, team, account, aname, s, amount, close, last_date,
        ld, rules in zip(
            prep.opp_id[f_idx].tolist(),
            prep.opp_name[f_idx].tolist(),
            prep.rep_id[prep.opp_rep[f_idx]].tolist(),
            prep.rep_name[prep.opp_rep[f_idx]].tolist(),
            prep.rep_team[prep.opp_rep[f_idx]].tolist(),
            prep.opp_account_id[f_idx].tolist(),
            prep.opp_account_name[f_idx].tolist(),
            stage.tolist(),
            prep.opp_amount[f_idx].tolist(),
            day_to_iso(prep.opp_close_day[f_idx]),
            day_to_iso(last),
            last.tolist(),
            bits.tolist(),
            strict=True,
        )
    ]
    total_open = int(len(idx))
    total_flagged = int(any_flag.sum())
    return {
        "as_of": day_to_iso(np.array([d]))[0],
        "settings": {
            "stale_days": int(settings.stale_days),
            "near_close_days": int(settings.near_close_days),
            "stuck_extra_days": int(settings.stuck_extra_days),
        },
        "open_opportunities": total_open,
        "flagged_count": total_flagged,
        "hygiene_score": hygiene_score(total_flagged, total_open),
        "rule_counts": {r: int(flags[r].sum()) for r in HYGIENE_RULES},
        "by_rep": by_rep,
        "by_team": by_team,
        "flagged": flagged,
    }


# ---------------------------------------------------------------------------- drill-down


def deals(
    prep: Prepared,
    as_of: date,
    filters: Filters = NO_FILTERS,
    kind: DealKind = "open",
    limit: int | None = None,
) -> dict[str, Any]:
    """A scope's deals for the drill-down tables, largest first.

    ``open``: open pipeline at D; ``due``: open and due this month; ``won``: closed-won
    this month to date; ``created``: created this month to date.
    """
    sc = _Scope.of(prep, as_of, filters)
    d = sc.d
    if kind == "open":
        m = open_at(prep, d)
    elif kind == "due":
        m = open_at(prep, d) & (prep.opp_close_day >= sc.start)
        m &= prep.opp_close_day <= sc.end
    elif kind == "won":
        m = closed_won_mask(prep, sc.start, sc.end, d)
    elif kind == "created":
        m = created_mask(prep, sc.start, sc.end, d)
    else:
        raise ValueError(f"unknown deal kind {kind!r}")
    idx = np.flatnonzero(m & sc.opps)
    return {
        "kind": kind,
        "as_of": day_to_iso(np.array([d]))[0],
        "month": month_label(sc.month),
        "count": int(len(idx)),
        "total_acv": float(prep.opp_acv[idx].sum()),
        "deals": _deal_rows(prep, d, _order_deals(prep, idx, limit)),
    }


# ---------------------------------------------------------------------------- all


def dashboards_json(
    prep: Prepared, as_of: date, filters: Filters = NO_FILTERS
) -> dict[str, Any]:
    """The ``dashboards --json`` object of contracts §3."""
    return {
        "as_of": day_to_iso(np.array([to_day(as_of)]))[0],
        "state_of_the_union": state_of_the_union(prep, as_of, filters),
        "amp": amp(prep, as_of, filters),
        "daily_pipe_gen": daily_pipe_gen(prep, as_of, filters),
        "clean_your_room": clean_your_room(prep, as_of, filters),
    }


def default_as_of(dataset: Dataset, today: date) -> date:
    """Today, or the data's last dated event when that is older (a stale export
    should show its last day, not an empty month)."""
    last = dataset.last_date()
    if last is None or last.date() >= today:
        return today
    return last.date()


__all__ = [
    "amp",
    "clean_your_room",
    "daily_pipe_gen",
    "dashboards_json",
    "deals",
    "default_as_of",
    "large_deal_threshold",
    "state_of_the_union",
]
