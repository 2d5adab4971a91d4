"""The monthly review of a plan against reality: simulated bands, actuals, the gap.

Why a module of its own (and no Dash): the review is what a sales leader does each
month: "we planned this, we got that, why, and where does the year land now?". The
answers must be the same in a notebook, the CLI and the page, so everything here
returns plain JSON-able dicts (lists of floats, ``None`` for "not known").

Four questions, four functions:

- :func:`review`: the plan re-simulated from its start month, every month's P10/P50/P90
  per scope, the actual next to it, and a flag for months outside the band;
- :func:`actual_monthly`: the actuals of one scope per month, measured the way the
  model counts them (so a band and an actual are comparable);
- :func:`explain`: the gap over the complete months attributed to activity volume,
  conversion, deal size and cycle time (each driver set to its actual value and the
  plan re-simulated on the same random numbers, :func:`simulation.variance.explain_gap`);
- :func:`reforecast`: the rest of the plan year, calibrated on the actuals to date.

Scopes are those of :meth:`SimResults.bands`: ``team`` (the whole sales org),
``rep:<rep_id>`` and ``territory:<territory_id>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import ndtr

from crm.dataset import Dataset
from crm.schema import ACV_TYPES, MEETING_TYPES
from simulation.calibrate import calibrate
from simulation.model import horizon_days
from simulation.runner import SimResults, run
from simulation.scenario import Scenario, TerritoryInput
from simulation.variance import DRIVERS, explain_gap, measure_drivers

REVIEW_METRICS = ("closed_won_acv", "pipeline_created_acv", "activities", "meetings")
"""What the review compares: money first, then the inputs that lead to it (AMP)."""

FLAG_BELOW, FLAG_INSIDE, FLAG_ABOVE = "below", "inside", "above"

Progress = Callable[[float, str], None]


# ---------------------------------------------------------------------------- months


def month_label(day: date | pd.Timestamp) -> str:
    """``YYYY-MM`` of a date."""
    ts = pd.Timestamp(day)
    return f"{ts.year:04d}-{ts.month:02d}"


def month_first(month: str) -> pd.Timestamp:
    """The first day of a ``YYYY-MM`` month (a ValueError names a bad value)."""
    try:
        year, mon = int(month[:4]), int(month[5:7])
        return pd.Timestamp(year=year, month=mon, day=1)
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(f"a month must look like YYYY-MM, not {month!r}") from exc


def month_last(month: str) -> pd.Timestamp:
    return month_first(month) + pd.offsets.MonthEnd(0)


def months_from(first: str, count: int) -> list[str]:
    start = month_first(first)
    return [month_label(start + pd.DateOffset(months=i)) for i in range(count)]


def complete_months(start_month: str, as_of: date | pd.Timestamp) -> list[str]:
    """The months from ``start_month`` whose last day is on or before ``as_of``."""
    d = pd.Timestamp(as_of).normalize()
    out: list[str] = []
    month = month_first(start_month)
    while month + pd.offsets.MonthEnd(0) <= d:
        out.append(month_label(month))
        month = month + pd.DateOffset(months=1)
    return out


# ---------------------------------------------------------------------------- scenario


def anchor(scenario: Scenario, start_month: str, horizon_months: int | None = None) -> Scenario:
    """The scenario re-anchored so its first simulated month is ``start_month``.

    Only ``start_date`` (the day before the month) and, when given, the horizon
    change: the reps, rates and open deals stay as the plan wrote them, so the review
    judges the plan the leader made, not a plan re-fitted to what happened since.
    """
    start = (month_first(start_month) - pd.Timedelta(days=1)).date()
    update: dict[str, Any] = {}
    if scenario.start_date != start:
        update["start_date"] = start
    if horizon_months is not None and horizon_months != scenario.horizon_months:
        update["horizon_months"] = horizon_months
    return scenario.model_copy(update=update).validated() if update else scenario


def with_territories(scenario: Scenario, territories: Sequence[Mapping[str, Any]]) -> Scenario:
    """The scenario with a territory plan's territories (plain dicts, e.g. from
    ``territory.bridge.territory_inputs``; extra keys are ignored).

    An owner or covering rep the scenario does not know (left, or not hired at the
    anchor date) becomes ``None``: the seat is vacant and, without a covering rep,
    unworked, which is what would happen.
    """
    teams = {r.rep_id: r.team for r in scenario.reps}
    fields = set(TerritoryInput.model_fields)
    out = []
    for raw in territories:
        item = {k: v for k, v in raw.items() if k in fields}
        for key in ("owner_rep_id", "covering_rep_id"):
            if item.get(key) not in teams:
                item[key] = None
        if not item.get("team"):
            item["team"] = teams.get(item.get("owner_rep_id") or "") or teams.get(
                item.get("covering_rep_id") or ""
            )
        out.append(TerritoryInput.model_validate(item))
    return scenario.model_copy(update={"territories": out}).validated()


# ---------------------------------------------------------------------------- actuals


def _scope_kind(scope: str) -> tuple[str, str]:
    kind, _, key = scope.partition(":")
    if kind not in ("team", "rep", "territory") or (kind != "team" and not key):
        raise ValueError(f"scope must be team, rep:<id> or territory:<id>, not {scope!r}")
    return kind, key


def _monthly_frame(
    dataset: Dataset,
    start: pd.Timestamp,
    end: pd.Timestamp,
    territory_accounts: Mapping[str, Sequence[str]] | None,
) -> dict[str, pd.DataFrame]:
    """Per-month values keyed by ``team``, owner id and territory id (one pass).

    Returns four frames (one per metric) indexed by month label with one column per
    key: ``team``, ``rep:<id>``, ``territory:<id>``.
    """
    opp = dataset.opportunities
    opp = opp[opp["type"].isin(ACV_TYPES)]
    won = opp[opp["is_won"] & opp["is_closed"] & opp["close_date"].between(start, end)]
    created = opp[opp["created_date"].between(start, end)]
    ae_ids = set(dataset.reps.loc[dataset.reps["role"].fillna("AE") == "AE", "rep_id"])
    act = dataset.activities
    act = act[act["activity_date"].between(start, end) & act["owner_id"].isin(ae_ids)]
    meet = act[act["activity_type"].isin(MEETING_TYPES)]
    if territory_accounts is None:
        owners = dataset.accounts.dropna(subset=["owner_id"])
        account_terr = dict(zip(owners["account_id"], owners["owner_id"], strict=True))
    else:
        account_terr = {a: tid for tid, accts in territory_accounts.items() for a in accts}

    def pivot(vals: pd.Series, months: pd.Series, keys: pd.Series, prefix: str) -> dict[str, pd.Series]:
        frame = pd.DataFrame({"month": months, "key": keys, "value": vals}).dropna(subset=["key"])
        if frame.empty:
            return {}
        table = frame.pivot_table(index="month", columns="key", values="value", aggfunc="sum", fill_value=0.0)
        return {f"{prefix}:{c}": table[c] for c in table.columns}

    def grouped(frame: pd.DataFrame, day: str, value: str | None) -> pd.DataFrame:
        months = frame[day].dt.strftime("%Y-%m")
        vals = frame[value].astype("float64") if value else pd.Series(1.0, index=frame.index)
        parts = {"team": vals.groupby(months).sum()}
        parts.update(pivot(vals, months, frame["owner_id"], "rep"))
        parts.update(pivot(vals, months, frame["account_id"].map(account_terr), "territory"))
        return pd.DataFrame(parts).fillna(0.0).astype("float64")

    return {
        "closed_won_acv": grouped(won, "close_date", "amount"),
        "pipeline_created_acv": grouped(created, "created_date", "amount"),
        "activities": grouped(act, "activity_date", None),
        "meetings": grouped(meet, "activity_date", None),
    }


def _known_scope(scope: str, dataset: Dataset, territory_accounts: Mapping[str, Sequence[str]] | None) -> bool:
    """Whether actuals exist for the scope at all (a hire slot or a new territory
    without accounts has none: its actual is unknown, not zero)."""
    kind, key = _scope_kind(scope)
    if kind == "team":
        return True
    if kind == "rep":
        return key in set(dataset.reps["rep_id"])
    if territory_accounts is not None:
        return key in territory_accounts
    return key in set(dataset.accounts["owner_id"].dropna())


def actual_monthly(
    dataset: Dataset,
    start: date | pd.Timestamp,
    end: date | pd.Timestamp,
    scope: str = "team",
    territory_accounts: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """The actuals of one scope per month between ``start`` and ``end`` (inclusive).

    Columns ``month`` (``YYYY-MM``, every month of the range, zeros included) and the
    :data:`REVIEW_METRICS`. Counted as the model counts them, so a band and an actual
    compare like for like: closed-won ACV by close date and pipeline created by created
    date (New Business and Add-On, contracts section 2); activities and meetings
    (Meeting or Demo) of AEs only, because SDR and SE activity is not simulated.
    ``rep:<id>`` counts what the rep owns; ``territory:<id>`` what happened on the
    territory's accounts (``territory_accounts``; by default the accounts the rep of
    that id owns, which is how calibration cuts territories).
    """
    s, e = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    _scope_kind(scope)
    months = pd.period_range(s, e, freq="M").strftime("%Y-%m").tolist() if e >= s else []
    frames = _monthly_frame(dataset, s, e, territory_accounts)
    out = {"month": pd.Series(months, dtype="str")}
    for metric in REVIEW_METRICS:
        frame = frames[metric]
        col = frame[scope] if scope in frame.columns else pd.Series(dtype="float64")
        out[metric] = col.reindex(months, fill_value=0.0).to_numpy(dtype=float)
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------- bands


def flag(actual: float | None, p10: float | None, p90: float | None) -> str | None:
    """``below`` P10, ``above`` P90, ``inside`` the band, or None when unknown."""
    if actual is None or p10 is None or p90 is None:
        return None
    if not all(math.isfinite(v) for v in (actual, p10, p90)):
        return None
    if actual < p10:
        return FLAG_BELOW
    if actual > p90:
        return FLAG_ABOVE
    return FLAG_INSIDE


def _num(value: float) -> float | None:
    return float(value) if math.isfinite(float(value)) else None


def _series(bands: pd.DataFrame, months: Sequence[str]) -> dict[str, dict[str, dict[str, list[float | None]]]]:
    """``{scope: {metric: {"p10": [...], "p50", "p90", "mean"}}}`` aligned on ``months``."""
    out: dict[str, dict[str, dict[str, list[float | None]]]] = {}
    pos = {m: i for i, m in enumerate(months)}
    for (scope, metric), group in bands.groupby(["scope", "metric"], sort=False):
        cols: dict[str, list[float | None]] = {q: [None] * len(months) for q in ("p10", "p50", "p90", "mean")}
        for row in group.itertuples(index=False):
            i = pos.get(str(row.month))
            if i is None:
                continue
            for q in cols:
                cols[q][i] = _num(getattr(row, q))
        out.setdefault(str(scope), {})[str(metric)] = cols
    return out


def _progress_hook(on_progress: Progress | None, lo: float, hi: float, label: str, total: int) -> Callable[[SimResults], None] | None:
    if on_progress is None:
        return None

    def hook(res: SimResults) -> None:
        on_progress(lo + (hi - lo) * min(res.replications / max(total, 1), 1.0), label)

    return hook


def review(
    dataset: Dataset,
    scenario: Scenario,
    start_month: str,
    as_of: date | pd.Timestamp,
    replications: int = 100,
    seed: int = 0,
    *,
    territory_accounts: Mapping[str, Sequence[str]] | None = None,
    workers: int = 1,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """The plan re-simulated from ``start_month`` and the actuals known at ``as_of``.

    Returns a JSON-able dict::

        {"scenario", "start_month", "as_of", "replications", "seed",
         "months": [YYYY-MM...],             # the plan's horizon from start_month
         "actual_months": [...],             # complete months (flags are computed)
         "partial_month": "YYYY-MM" | None,  # the month containing as_of, to date
         "metrics": [...], "scopes": [...],
         "series": {scope: {metric: {"p10", "p50", "p90", "mean", "actual", "flag"}}},
         "outside": {scope: {metric: count of complete months outside the band}}}

    Lists are aligned on ``months``; ``actual`` is None after ``as_of`` (and for
    scopes with no actuals, such as a planned hire's seat), the partial month holds its
    actual to date and no flag (a month to date is not comparable with a whole month).
    """
    d = pd.Timestamp(as_of).normalize()
    anchored = anchor(scenario, start_month)
    res = run(
        anchored,
        replications,
        seed,
        workers=workers,
        on_progress=_progress_hook(on_progress, 0.0, 1.0, "review", replications),
    )
    metrics = [m for m in REVIEW_METRICS if m in res.metrics]
    months = list(res.months)
    series: dict[str, Any] = _series(res.bands(metrics=metrics), months)
    full = complete_months(start_month, d)
    actual_months = [m for m in full if m in set(months)]
    current = month_label(d)
    partial = current if current in set(months) and current not in set(full) else None
    frames = _monthly_frame(dataset, month_first(start_month), d, territory_accounts)
    known_upto = set(actual_months) | ({partial} if partial else set())
    outside: dict[str, dict[str, int]] = {}
    for scope, per_metric in series.items():
        known = _known_scope(scope, dataset, territory_accounts)
        for metric, cols in per_metric.items():
            frame = frames.get(metric)
            values = frame[scope] if known and frame is not None and scope in frame.columns else None
            actual: list[float | None] = []
            flags: list[str | None] = []
            for i, m in enumerate(months):
                if not known or m not in known_upto:
                    actual.append(None)
                    flags.append(None)
                    continue
                v = float(values.get(m, 0.0)) if values is not None else 0.0
                actual.append(v)
                flags.append(flag(v, cols["p10"][i], cols["p90"][i]) if m != partial else None)
            cols["actual"] = actual
            cols["flag"] = flags
            outside.setdefault(scope, {})[metric] = sum(f in (FLAG_BELOW, FLAG_ABOVE) for f in flags)
    return {
        "scenario": scenario.name,
        "start_month": start_month,
        "as_of": d.date().isoformat(),
        "replications": res.replications,
        "seed": seed,
        "months": months,
        "actual_months": actual_months,
        "partial_month": partial,
        "metrics": metrics,
        "scopes": list(series),
        "series": series,
        "outside": outside,
    }


# ---------------------------------------------------------------------------- explain


def _won_cycle_median(scenario: Scenario) -> float:
    """Median cycle of won deals the scenario implies: the median of the lognormal
    mixture of its deal types, weighted by mix x win rate, times the cycle lever."""
    mix = scenario.deal_mix()
    types = [(mix[t.name] * t.win_rate, t) for t in scenario.deal_types]
    weights = np.array([w for w, _ in types])
    if weights.sum() <= 0:
        weights = np.array([mix[t.name] for _, t in types])
    weights = weights / weights.sum()
    mus = np.log([t.cycle_median_days for _, t in types])
    sig = np.maximum([t.cycle_sigma for _, t in types], 1e-6)

    def cdf(x: float) -> float:
        return float((weights * ndtr((math.log(x) - mus) / sig)).sum()) - 0.5

    lo, hi = math.exp(mus.min() - 6 * sig.max()), math.exp(mus.max() + 6 * sig.max())
    return float(brentq(cdf, lo, hi)) * scenario.cycle_length_multiplier


def simulated_drivers(res: SimResults, scenario: Scenario) -> dict[str, float]:
    """The drivers of the simulated team, measured the way
    :func:`simulation.variance.measure_drivers` measures the actuals.

    Why not :func:`scenario_drivers`: those are full-productivity rates before levers,
    ramp, seasonality and hires, so comparing them with measured actuals would read a
    ramping rep or a +20% lever as a gap. Means over replications of the horizon's
    totals; the cycle (not in the results) is the won-deal median the scenario implies.
    """

    def total(metric: str) -> float:
        return float(res.metric(metric, "team").sum(axis=1).mean()) if metric in res.metrics else 0.0

    days = horizon_days(scenario.start_date, scenario.horizon_months)
    per_month = pd.Series(1, index=days.strftime("%Y-%m")).groupby(level=0).sum()
    workdays = np.array([per_month.get(m, 0) for m in res.months], dtype=float)
    rep_days = float((res.metric("headcount", "team").mean(axis=0) * workdays).sum())
    won_n, lost_n = total("closed_won_count"), total("closed_lost_count")
    opps = total("opportunities_created")
    out = {
        "opportunities_per_rep_day": opps / max(rep_days, 1.0),
        "win_rate": won_n / max(won_n + lost_n, 1e-9),
        "deal_size_usd": total("closed_won_acv") / won_n if won_n > 0 else float("nan"),
        "cycle_days": _won_cycle_median(scenario),
    }
    if "activities" in res.metrics:
        acts, meets = total("activities"), total("meetings")
        out["activities_per_rep_day"] = acts / max(rep_days, 1.0)
        out["meetings_per_activity"] = meets / max(acts, 1e-9)
        out["opportunities_per_meeting"] = opps / max(meets, 1e-9)
    return {k: v for k, v in out.items() if math.isfinite(v)}


def explain(
    dataset: Dataset,
    scenario: Scenario,
    start_month: str,
    as_of: date | pd.Timestamp,
    replications: int = 100,
    seed: int = 0,
    *,
    metric: str = "closed_won_acv",
    workers: int = 1,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """The team's gap over the complete months, attributed by driver.

    Method: the plan is simulated over the complete months since ``start_month``; its
    drivers are measured on that simulation (:func:`simulated_drivers`) and the same
    drivers on the actuals (:func:`measure_drivers`); each driver is then set to its
    actual value and the plan re-simulated on the same random numbers
    (:func:`explain_gap`). Returns::

        {"metric", "months", "period_start", "period_end", "actual", "planned_p50",
         "planned_mean", "gap", "drivers": [{"driver", "delta_p50", "delta_mean"}],
         "all_drivers", "interaction", "other", "values": {key: {"planned", "actual"}}}

    ``other`` is what no driver explains (headcount, timing, luck): gap minus the
    all-drivers change. With no complete month, ``months`` is empty and nothing else
    is computed.
    """
    d = pd.Timestamp(as_of).normalize()
    months = complete_months(start_month, d)[: scenario.horizon_months]
    empty = {"metric": metric, "months": [], "drivers": []}
    if not months:
        return empty
    period_start, period_end = month_first(months[0]), month_last(months[-1])
    truncated = anchor(scenario, start_month, horizon_months=len(months))
    share = 1.0 / (2 + len(DRIVERS))
    base = run(truncated, replications, seed, workers=workers)
    if metric not in base.metrics:
        return empty
    if on_progress is not None:
        on_progress(share, "explain")
    planned = simulated_drivers(base, truncated)
    actual_all = measure_drivers(dataset, period_start, period_end)
    actual = {k: v for k, v in actual_all.items() if k in planned}
    gap_frame = explain_gap(
        truncated,
        actual,
        replications=replications,
        seed=seed,
        metric=metric,
        scope="team",
        workers=workers,
        planned_drivers=planned,
    ).set_index("driver")
    if on_progress is not None:
        on_progress(1.0, "explain")
    actual_total = float(actual_monthly(dataset, period_start, period_end)[metric].sum())
    p50 = float(gap_frame["baseline_p50"].iloc[0])
    rows = [
        {
            "driver": driver,
            "delta_p50": float(gap_frame.loc[driver, "delta_p50"]),
            "delta_mean": float(gap_frame.loc[driver, "delta_mean"]),
        }
        for driver in DRIVERS
    ]
    all_p50 = float(gap_frame.loc["all_drivers", "delta_p50"])
    return {
        "metric": metric,
        "months": months,
        "period_start": period_start.date().isoformat(),
        "period_end": period_end.date().isoformat(),
        "actual": actual_total,
        "planned_p50": p50,
        "planned_mean": float(gap_frame["baseline_mean"].iloc[0]),
        "gap": actual_total - p50,
        "drivers": rows,
        "all_drivers": all_p50,
        "interaction": float(gap_frame.loc["interaction", "delta_p50"]),
        "other": actual_total - p50 - all_p50,
        "values": {
            key: {"planned": planned[key], "actual": actual.get(key)}
            for keys in DRIVERS.values()
            for key in keys
            if key in planned
        },
    }


# ---------------------------------------------------------------------------- reforecast


def reforecast(
    dataset: Dataset,
    as_of: date | pd.Timestamp,
    months_left: int,
    replications: int = 100,
    seed: int = 0,
    *,
    territories: Sequence[Mapping[str, Any]] | None = None,
    territory_accounts: Mapping[str, Sequence[str]] | None = None,
    workers: int = 1,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """The rest of the plan year, calibrated on the actuals known at ``as_of``.

    ``months_left`` counts calendar months from the one containing ``as_of`` (when
    ``as_of`` is a month's last day, from the next one). A month in progress is
    reported whole: its actual to date plus the simulated rest (adding a known number
    to every replication shifts each quantile by exactly that number). Returns::

        {"as_of", "scenario", "months": [...], "month_to_date": "YYYY-MM" | None,
         "series": {scope: {metric: {"p10", "p50", "p90", "mean"}}}}

    With a territory plan, ``territories`` (plain dicts) replace the calibrated
    one-territory-per-rep cut.
    """
    d = pd.Timestamp(as_of).normalize()
    base = {"as_of": d.date().isoformat(), "scenario": None, "months": [], "month_to_date": None, "series": {}}
    if months_left < 1:
        return base
    scenario = calibrate(dataset, d, horizon_months=months_left + 1)
    if territories:
        scenario = with_territories(scenario, territories)
    res = run(
        scenario,
        replications,
        seed,
        workers=workers,
        on_progress=_progress_hook(on_progress, 0.0, 1.0, "reforecast", replications),
    )
    months = list(res.months)[:months_left]
    metrics = [m for m in REVIEW_METRICS if m in res.metrics]
    series = _series(res.bands(metrics=metrics), months)
    mtd = month_label(d) if not d.is_month_end and months and months[0] == month_label(d) else None
    if mtd is not None:
        frames = _monthly_frame(dataset, month_first(mtd), d, territory_accounts)
        for scope, per_metric in series.items():
            if not _known_scope(scope, dataset, territory_accounts):
                continue
            for metric, cols in per_metric.items():
                frame = frames[metric]
                add = float(frame[scope].get(mtd, 0.0)) if scope in frame.columns else 0.0
                for q in ("p10", "p50", "p90", "mean"):
                    if cols[q][0] is not None:
                        cols[q][0] += add
    return {**base, "scenario": scenario.name, "months": months, "month_to_date": mtd, "series": series}


def months_left_in(months: Sequence[str], as_of: date | pd.Timestamp) -> int:
    """How many of the plan's ``months`` are not complete at ``as_of`` (the
    re-forecast's ``months_left``)."""
    d = pd.Timestamp(as_of).normalize()
    return sum(month_last(m) > d for m in months)
