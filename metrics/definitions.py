"""The metric definitions of contracts §2, one function each.

Every function works on a :class:`~metrics.prepare.Prepared` and an as-of day ``d``
(day number, see ``metrics.prepare``) and sees the world as it was known at ``d``:
records dated after ``d`` are ignored. Per-rep results are arrays indexed by rep code
so that callers can sum them for any scope (filters, teams) without recomputing.
The interpretation choices are documented in ``docs/metrics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm.schema import ACV_TYPES, FORECAST_CATEGORIES, MEETING_TYPES
from metrics.prepare import NO_DAY, Prepared, pack_key, to_day

HYGIENE_RULES = (
    "past_due",
    "stale",
    "missing_next_step",
    "missing_amount",
    "stuck_in_stage",
    "early_stage_near_close",
)
DEFAULT_COVERAGE_RATIO = 3.0
"""Coverage used when no win rate can be measured (domain: 33% win rate → 3x)."""
DEFAULT_FORECAST_RATES = {"Commit": 0.9, "Best Case": 0.5}
"""Conversion rates used when history has no closed deal in a category."""


@dataclass(frozen=True)
class HygieneSettings:
    """Thresholds of the Clean Your Room rules, in days (contracts §2 defaults)."""

    stale_days: int = 30
    near_close_days: int = 14
    stuck_extra_days: int = 14

    def __post_init__(self) -> None:
        for name in ("stale_days", "near_close_days", "stuck_extra_days"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"{name} must be >= 0")


DEFAULT_HYGIENE = HygieneSettings()
"""The contract's default thresholds (immutable, usable as a default argument)."""


# ---------------------------------------------------------------------------- calendar


def month_key_of(day: int) -> int:
    d = np.datetime64(int(day), "D").astype("datetime64[M]").astype(np.int64)
    return int(d) + 1970 * 12


def month_bounds(month_key: int) -> tuple[int, int]:
    """First and last day (inclusive) of a month key."""
    first = np.datetime64(month_key - 1970 * 12, "M")
    start = int(first.astype("datetime64[D]").astype(np.int64))
    end = int((first + 1).astype("datetime64[D]").astype(np.int64)) - 1
    return start, end


def month_label(month_key: int) -> str:
    return f"{month_key // 12:04d}-{month_key % 12 + 1:02d}"


def working_days(start: int, end: int) -> int:
    """Mon–Fri days in ``[start, end]`` (inclusive); 0 when ``end < start``."""
    if end < start:
        return 0
    return int(
        np.busday_count(
            np.datetime64(int(start), "D"), np.datetime64(int(end) + 1, "D")
        )
    )


# ---------------------------------------------------------------------------- ACV


def is_acv_type(types: pd.Series) -> np.ndarray:
    """ACV opportunity: New Business or Add-On (renewals are never ACV)."""
    return types.isin(ACV_TYPES).to_numpy(dtype=bool)


def is_meeting_type(types: pd.Series) -> np.ndarray:
    """Meeting: an activity of type Meeting or Demo."""
    return types.isin(MEETING_TYPES).to_numpy(dtype=bool)


def known_at(prep: Prepared, d: int) -> np.ndarray:
    """Opportunities that exist at ``d`` (created on or before it)."""
    return prep.opp_created_day <= d


def closed_won_mask(prep: Prepared, start: int, end: int, d: int) -> np.ndarray:
    """Won ACV opportunities with ``close_date`` in ``[start, min(end, d)]``."""
    hi = min(end, d)
    return (
        prep.opp_is_won
        & (prep.opp_close_day >= start)
        & (prep.opp_close_day <= hi)
        & known_at(prep, d)
    )


def closed_won_by_rep(
    prep: Prepared, start: int, end: int, d: int
) -> tuple[np.ndarray, np.ndarray]:
    """Closed-won ACV and deal count per rep in a period (period clipped to ``d``)."""
    m = closed_won_mask(prep, start, end, d)
    rep = prep.opp_rep[m]
    acv = np.bincount(rep, weights=prep.opp_acv[m], minlength=prep.n_reps)
    count = np.bincount(rep, minlength=prep.n_reps)
    return acv, count


def created_mask(prep: Prepared, start: int, end: int, d: int) -> np.ndarray:
    """ACV opportunities with ``created_date`` in ``[start, min(end, d)]``."""
    hi = min(end, d)
    return (prep.opp_created_day >= start) & (prep.opp_created_day <= hi)


def pipeline_created_by_rep(
    prep: Prepared, start: int, end: int, d: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pipeline created (ACV amount and count) per rep in a period clipped to ``d``."""
    m = created_mask(prep, start, end, d)
    rep = prep.opp_rep[m]
    acv = np.bincount(rep, weights=prep.opp_acv[m], minlength=prep.n_reps)
    return acv, np.bincount(rep, minlength=prep.n_reps)


def pipeline_created_by_day(
    prep: Prepared, start: int, end: int, d: int, opp_scope: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pipeline created on each day of ``[start, end]`` (zeros after ``d``)."""
    n = end - start + 1
    m = created_mask(prep, start, end, d) & opp_scope
    offset = prep.opp_created_day[m] - start
    acv = np.bincount(offset, weights=prep.opp_acv[m], minlength=n)[:n]
    return acv, np.bincount(offset, minlength=n)[:n]


def open_at(prep: Prepared, d: int) -> np.ndarray:
    """Open pipeline at ``d``: created on or before ``d`` and not closed on or before it.

    A deal closed after ``d`` was still open at ``d``.
    """
    closed_by_d = prep.opp_is_closed & (prep.opp_close_day <= d)
    return known_at(prep, d) & ~closed_by_d


# ---------------------------------------------------------------------------- activity


def activities_by_rep(
    prep: Prepared, start: int, end: int, d: int
) -> tuple[np.ndarray, np.ndarray]:
    """Activities (all types) and meetings (Meeting, Demo) per rep in a period ≤ ``d``."""
    hi = min(end, d)
    lo_i, hi_i = np.searchsorted(prep.act_day, [start, hi + 1])
    rep = prep.act_rep[lo_i:hi_i]
    acts = np.bincount(rep, weights=prep.act_count[lo_i:hi_i], minlength=prep.n_reps)
    meets = np.bincount(
        rep, weights=prep.act_meetings[lo_i:hi_i], minlength=prep.n_reps
    )
    return acts.astype(np.int64), meets.astype(np.int64)


def last_activity_day(prep: Prepared, d: int, opps: np.ndarray) -> np.ndarray:
    """Last activity of each opportunity in ``opps`` (codes) as known at ``d``.

    The latest of its ``last_activity_date`` and the dates of its linked activities,
    ignoring anything after ``d``; its ``created_date`` when there is none.
    """
    opps = np.asarray(opps, dtype=np.int64)
    field_day = prep.opp_last_activity_field_day[opps]
    field_day = np.where(field_day <= d, field_day, NO_DAY)
    probe = pack_key(opps, d)
    pos = np.searchsorted(prep.link_key, probe, side="right") - 1
    found = pos >= 0
    safe = np.where(found, pos, 0)
    key = prep.link_key[safe] if len(prep.link_key) else np.zeros(len(opps), np.int64)
    linked_opp = key >> 24
    same = found & (linked_opp == opps)
    linked_day = (key & ((1 << 24) - 1)) - (1 << 22)
    linked_day = np.where(same, linked_day, NO_DAY)
    best = np.maximum(field_day, linked_day)
    return np.where(best == NO_DAY, prep.opp_created_day[opps], best)


# ---------------------------------------------------------------------------- stages


def stage_at(
    prep: Prepared, d: int, opps: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Stage code and the day it was entered, for each opportunity at ``d``.

    From the latest history row on or before ``d``; the export's own stage when the
    opportunity has no such row, when it was closed by ``d`` (the export holds its
    final stage), or when ``d`` is past its last history row and it is still open
    (the export is the newest record). The entry day is ``NO_DAY`` when
    unknown (no history for that stage), which disables ``stuck_in_stage``.
    """
    opps = np.asarray(opps, dtype=np.int64)
    current = prep.opp_stage[opps]
    entry = np.full(len(opps), NO_DAY, dtype=np.int64)
    if not len(prep.hist_key) or not len(opps):
        return current, entry
    pos = np.searchsorted(prep.hist_key, pack_key(opps, d), side="right") - 1
    safe = np.maximum(pos, 0)
    valid = (pos >= 0) & ((prep.hist_key[safe] >> 24) == opps)
    h_stage = prep.hist_stage[safe]
    current_is_open = (current >= 0) & (current < prep.n_open_stages)
    closed_by_d = prep.opp_is_closed[opps] & (prep.opp_close_day[opps] <= d)
    use_current = ~valid | closed_by_d | (prep.hist_is_last[safe] & current_is_open)
    stage = np.where(use_current, current, h_stage)
    entry = np.where(valid & (h_stage == stage), prep.hist_run_start[safe], NO_DAY)
    return stage, entry


def forecast_at(prep: Prepared, d: int, opps: np.ndarray) -> np.ndarray:
    """Forecast category code of each opportunity at ``d`` (same rule as stage_at)."""
    opps = np.asarray(opps, dtype=np.int64)
    current = prep.opp_forecast[opps]
    if not len(prep.hist_key) or not len(opps):
        return current
    pos = np.searchsorted(prep.hist_key, pack_key(opps, d), side="right") - 1
    safe = np.maximum(pos, 0)
    valid = (pos >= 0) & ((prep.hist_key[safe] >> 24) == opps)
    h_fc = prep.hist_forecast[safe]
    closed_code = FORECAST_CATEGORIES.index("Closed")
    current_ok = (current >= 0) & (current != closed_code)
    closed_by_d = prep.opp_is_closed[opps] & (prep.opp_close_day[opps] <= d)
    use_current = ~valid | (h_fc < 0) | closed_by_d
    use_current |= prep.hist_is_last[safe] & current_ok
    return np.where(use_current, current, h_fc)


def stage_median_days(prep: Prepared, d: int) -> np.ndarray:
    """Median days spent in each open stage, from stage stays that ended by ``d``.

    NaN for a stage with no completed stay (its deals are never "stuck").
    """
    out = np.full(len(prep.stages), np.nan)
    known = prep.run_end_day <= d
    for s in range(prep.n_open_stages):
        a, b = prep.run_stage_bounds[s], prep.run_stage_bounds[s + 1]
        values = prep.run_days[a:b][known[a:b]]
        if len(values):
            out[s] = float(np.median(values))
    return out


# ---------------------------------------------------------------------------- quota


def employed_fraction(
    hire_day: np.ndarray, end_day: np.ndarray, month_key: int
) -> np.ndarray:
    """Share of the month's days the rep was employed (hire..end inclusive)."""
    start, end = month_bounds(month_key)
    days = np.minimum(end_day, end) - np.maximum(hire_day, start) + 1
    return np.clip(days, 0, None) / (end - start + 1)


def monthly_quota(prep: Prepared, month_key: int) -> np.ndarray:
    """Quota of every rep for a month: the quotas.csv row if present, else
    ``annual_quota / 12`` prorated by the days employed in the month."""
    base = prep.rep_annual_quota / 12.0 * employed_fraction(
        prep.rep_hire_day, prep.rep_end_day, month_key
    )
    if len(prep.quota_key):
        keys = np.arange(prep.n_reps, dtype=np.int64) * 1_000_000 + month_key
        pos = np.searchsorted(prep.quota_key, keys)
        safe = np.minimum(pos, len(prep.quota_key) - 1)
        hit = prep.quota_key[safe] == keys
        base = np.where(hit, prep.quota_value[safe], base)
    return base


def attainment(closed_won: float, quota: float) -> float | None:
    """Closed-won ACV / quota; None where the quota is 0 (or missing)."""
    if not quota or not np.isfinite(quota):
        return None
    return float(closed_won) / float(quota)


# ---------------------------------------------------------------------------- win rate


def win_rate_window(d: int) -> tuple[int, int]:
    """The trailing 12 months ending at ``d``: the day after ``d`` minus 12 calendar
    months, through ``d`` inclusive (365 or 366 days)."""
    start = pd.Timestamp(np.datetime64(int(d), "D")) - pd.DateOffset(months=12)
    return to_day(start) + 1, int(d)


def closed_in_window(prep: Prepared, d: int) -> np.ndarray:
    """ACV opportunities closed (won or lost) inside the win-rate window."""
    start, end = win_rate_window(d)
    return (
        prep.opp_is_closed
        & (prep.opp_close_day >= start)
        & (prep.opp_close_day <= end)
        & known_at(prep, d)
    )


def win_rate(prep: Prepared, d: int, opp_scope: np.ndarray) -> float | None:
    """Won ACV / closed ACV over the win-rate window; None with no closed ACV."""
    m = closed_in_window(prep, d) & opp_scope
    closed = float(prep.opp_acv[m].sum())
    if closed <= 0:
        return None
    return float(prep.opp_acv[m & prep.opp_is_won].sum()) / closed


def forecast_conversion_rates(
    prep: Prepared, d: int, opp_scope: np.ndarray
) -> dict[str, dict[str, float | str]]:
    """Won ACV share of deals closed in the win-rate window that were ever in the
    category in their history (Commit, Best Case).

    "Ever", not "last": a deal that is won usually passes Best Case on its way to
    Commit, so counting only the last open category would credit Best Case with
    almost no wins and understate the month-end projection.
    """
    m = closed_in_window(prep, d) & opp_scope
    rates: dict[str, dict[str, float | str]] = {}
    for name in ("Commit", "Best Case"):
        code = FORECAST_CATEGORIES.index(name)
        sel = m & ((prep.opp_ever_forecast & (1 << code)) != 0)
        closed = float(prep.opp_acv[sel].sum())
        if closed > 0:
            won = float(prep.opp_acv[sel & prep.opp_is_won].sum())
            rates[name] = {"rate": won / closed, "source": "history"}
        else:
            rates[name] = {"rate": DEFAULT_FORECAST_RATES[name], "source": "default"}
    return rates


# ---------------------------------------------------------------------------- pipe gen


def coverage_ratio_used(
    win: float | None, coverage_ratio: float | None
) -> tuple[float, str]:
    """The coverage the pipe-gen target asks for, and where it comes from."""
    if coverage_ratio is not None:
        if not np.isfinite(coverage_ratio) or coverage_ratio <= 0:
            raise ValueError("coverage_ratio must be a positive number")
        return float(coverage_ratio), "setting"
    if win is not None and win > 0:
        return 1.0 / win, "win_rate"
    return DEFAULT_COVERAGE_RATIO, "default"


def pipe_gen_target(quota: float, win: float | None, coverage_ratio: float | None) -> float:
    """Pipe-gen target of a month: the month's quota / win rate (or × coverage)."""
    ratio, _ = coverage_ratio_used(win, coverage_ratio)
    return float(quota) * ratio


def target_cumulative(month_target: float, month_key: int, through: int) -> np.ndarray:
    """Cumulative target for each day from the 1st through ``through``: the month's
    target spread evenly over its Mon–Fri working days (weekends add nothing)."""
    start, end = month_bounds(month_key)
    total = working_days(start, end)
    days = np.arange(start, min(through, end) + 1)
    is_work = np.is_busday(days.astype("datetime64[D]"))
    done = np.cumsum(is_work)
    if total == 0:
        return np.zeros(len(days))
    return month_target * done / total


# ---------------------------------------------------------------------------- hygiene


def hygiene_flags(
    prep: Prepared, d: int, opps: np.ndarray, settings: HygieneSettings
) -> dict[str, np.ndarray]:
    """The six rules for open ACV opportunities ``opps`` (codes) at ``d``.

    Returns one boolean array per rule (aligned with ``opps``) plus the helper arrays
    ``last_activity_day``, ``stage`` and ``stage_entry_day``.
    """
    opps = np.asarray(opps, dtype=np.int64)
    close = prep.opp_close_day[opps]
    last = last_activity_day(prep, d, opps)
    stage, entry = stage_at(prep, d, opps)
    medians = stage_median_days(prep, d)
    med = np.where(stage >= 0, medians[np.maximum(stage, 0)], np.nan)
    in_stage = (d - entry).astype(np.float64)
    stuck = (entry != NO_DAY) & np.isfinite(med)
    stuck &= in_stage > np.nan_to_num(med) + settings.stuck_extra_days
    amount = prep.opp_amount[opps]
    early = np.isin(stage, np.array(prep.early_stage_codes, dtype=np.int64))
    to_close = close - d
    return {
        "past_due": close < d,
        "stale": (d - last) >= settings.stale_days,
        "missing_next_step": prep.opp_missing_next_step[opps],
        "missing_amount": ~np.isfinite(amount) | (amount == 0),
        "stuck_in_stage": stuck,
        "early_stage_near_close": early
        & (to_close >= 0)
        & (to_close <= settings.near_close_days),
        "last_activity_day": last,
        "stage": stage,
        "stage_entry_day": entry,
    }


def hygiene_score(flagged: int, open_opportunities: int) -> float:
    """100 × (1 − flagged / open); 100 with no open opportunities."""
    if open_opportunities <= 0:
        return 100.0
    return 100.0 * (1.0 - flagged / open_opportunities)


# ---------------------------------------------------------------------------- tops


def top_by(names: np.ndarray, values: np.ndarray, eligible: np.ndarray) -> int | None:
    """Index of the highest value among ``eligible``; ties go to the smallest name.

    None when nothing is eligible (nothing closed).
    """
    idx = np.flatnonzero(eligible)
    if not len(idx):
        return None
    best = values[idx].max()
    tied = idx[values[idx] == best]
    return int(min(tied, key=lambda i: str(names[i])))
