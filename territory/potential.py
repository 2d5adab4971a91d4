"""Territory potential: what each account could yield next year, in USD of annual ACV.

"Lead with data" (domain, Unit 1): a rep covering three floors of one building may
have the same opportunity as a rep covering half a state, so territories are compared
on what their accounts can yield, not on how many there are. Three estimates of an
account's expected annual ACV, each in USD, are blended by a weighted average:

* ``history``: closed-won ACV of the trailing 12 months (``D - 12 months < close <= D``);
* ``pipeline``: open ACV pipeline at ``D`` times the account's industry win rate;
* ``benchmark``: what a typical account of its industry wins in a year, scaled by its
  size (employees, revenue) relative to the industry's median account.

``potential_usd = (w_h * history + w_p * pipeline + w_b * benchmark) / (w_h + w_p + w_b)``

Industry figures are shrunk towards the whole book (``shrinkage_accounts`` pseudo
accounts of average evidence) so an industry with two accounts does not get an
extreme win rate. See docs/territories.md for the derivation and defaults.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from crm.schema import ACV_TYPES
from territory.plan import Plan, resolve

UNKNOWN_INDUSTRY = "(unknown)"
WORKLOAD_DAYS = 90


@dataclass(frozen=True)
class PotentialWeights:
    """Weights and knobs of the potential formula (validated at construction)."""

    history: float = 0.4
    pipeline: float = 0.3
    benchmark: float = 0.3
    size_elasticity: float = 0.5
    size_factor_min: float = 0.25
    size_factor_max: float = 4.0
    shrinkage_accounts: float = 5.0
    fallback_win_rate: float = 0.25

    def __post_init__(self) -> None:
        for name in (
            "history",
            "pipeline",
            "benchmark",
            "size_elasticity",
            "shrinkage_accounts",
        ):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value}")
        if self.history + self.pipeline + self.benchmark <= 0:
            raise ValueError("at least one of history, pipeline, benchmark must be > 0")
        if not 0 < self.size_factor_min <= 1 <= self.size_factor_max < math.inf:
            raise ValueError(
                "size factor bounds must satisfy 0 < min <= 1 <= max < inf"
            )
        if not 0 < self.fallback_win_rate <= 1:
            raise ValueError("fallback_win_rate must be in (0, 1]")


def _as_of(as_of: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(as_of).normalize()


@dataclass(frozen=True)
class _OppFacts:
    per_account: pd.DataFrame  # account_id -> won_acv_12m_usd, closed_acv_12m_usd, ...
    global_win_rate: float


def _opportunity_facts(
    dataset: Dataset, day: pd.Timestamp, fallback: float
) -> _OppFacts:
    opps = dataset.opportunities
    acv = opps[opps["type"].isin(ACV_TYPES) & (opps["created_date"] <= day)]
    acv = acv[acv["account_id"].notna()]
    start = day - pd.DateOffset(years=1)
    closed = acv["is_closed"] & (acv["close_date"] <= day)
    recent = closed & (acv["close_date"] > start)
    amount = acv["amount"].fillna(0.0)
    parts = pd.DataFrame(
        {
            "account_id": acv["account_id"],
            "won_acv_12m_usd": amount.where(recent & acv["is_won"], 0.0),
            "won_deals_12m": (recent & acv["is_won"]).astype("int64"),
            "closed_acv_12m_usd": amount.where(recent, 0.0),
            "open_pipeline_usd": amount.where(~closed, 0.0),
            "open_deals": (~closed).astype("int64"),
        }
    )
    per_account = parts.groupby("account_id", sort=False).sum()
    won, closed_total = (
        per_account["won_acv_12m_usd"].sum(),
        per_account["closed_acv_12m_usd"].sum(),
    )
    rate = won / closed_total if closed_total > 0 else fallback
    return _OppFacts(per_account, float(rate))


def industry_benchmarks(
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    weights: PotentialWeights | None = None,
) -> pd.DataFrame:
    """Per industry: ``industry, accounts, won_acv_12m_usd, closed_acv_12m_usd, won_deals_12m,
    win_rate, avg_deal_usd, won_acv_per_account_usd`` (the last three shrunk towards the
    whole book). Missing industries are grouped as ``(unknown)``."""
    w = weights or PotentialWeights()
    facts = _opportunity_facts(dataset, _as_of(as_of), w.fallback_win_rate)
    return _benchmarks(dataset.accounts, facts, w)


def _benchmarks(
    accounts: pd.DataFrame, facts: _OppFacts, w: PotentialWeights
) -> pd.DataFrame:
    industry = accounts["industry"].fillna(UNKNOWN_INDUSTRY)
    per = facts.per_account.reindex(accounts["account_id"]).fillna(0.0)
    per.index = industry.to_numpy()
    per["accounts"] = 1
    g = per.groupby(level=0, sort=True)[
        ["accounts", "won_acv_12m_usd", "closed_acv_12m_usd", "won_deals_12m"]
    ].sum()
    n_total = max(int(g["accounts"].sum()), 1)
    s = w.shrinkage_accounts
    won_per_acct = g["won_acv_12m_usd"].sum() / n_total
    closed_per_acct = g["closed_acv_12m_usd"].sum() / n_total
    deals = g["won_deals_12m"].sum()
    global_deal = g["won_acv_12m_usd"].sum() / deals if deals else 0.0
    closed_prior = s * closed_per_acct
    win_rate = np.where(
        g["closed_acv_12m_usd"] + closed_prior > 0,
        (g["won_acv_12m_usd"] + closed_prior * facts.global_win_rate)
        / (g["closed_acv_12m_usd"] + closed_prior).where(lambda x: x > 0, 1.0),
        facts.global_win_rate,
    )
    deal_prior = s * (deals / n_total)
    avg_deal = (g["won_acv_12m_usd"] + deal_prior * global_deal) / (
        g["won_deals_12m"] + deal_prior
    ).where(lambda x: x > 0, 1.0)
    out = g.reset_index(names="industry")
    out["accounts"] = out["accounts"].astype("int64")
    out["won_deals_12m"] = out["won_deals_12m"].astype("int64")
    out["win_rate"] = np.asarray(win_rate, dtype="float64")
    out["avg_deal_usd"] = avg_deal.to_numpy(dtype="float64")
    out["won_acv_per_account_usd"] = (
        (g["won_acv_12m_usd"] + s * won_per_acct) / (g["accounts"] + s)
    ).to_numpy(dtype="float64")
    out["industry"] = out["industry"].astype("str")
    return out


def _size_factor(
    accounts: pd.DataFrame, industry: pd.Series, w: PotentialWeights
) -> np.ndarray:
    """Relative size within the industry, ``ratio ** elasticity``, clipped and then
    normalised to mean 1 per industry so benchmarks add up to the industry's yield."""
    logs = []
    for col in ("employees", "annual_revenue"):
        v = pd.to_numeric(accounts[col], errors="coerce").astype("float64")
        v = v.where(v > 0)
        med = v.groupby(industry.to_numpy()).transform("median").fillna(v.median())
        logs.append(np.log(v / med))
    log_ratio = pd.concat(logs, axis=1).mean(axis=1, skipna=True).fillna(0.0)
    factor = np.clip(
        np.exp(w.size_elasticity * log_ratio.to_numpy(dtype="float64")),
        w.size_factor_min,
        w.size_factor_max,
    )
    mean = pd.Series(factor).groupby(industry.to_numpy()).transform("mean").to_numpy()
    return factor / np.where(mean > 0, mean, 1.0)


def account_potential(
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    weights: PotentialWeights | None = None,
) -> pd.DataFrame:
    """One row per account with the inputs and the blended potential.

    Columns: ``account_id, industry, region, country, state, city, owner_id, employees,
    annual_revenue, won_acv_12m_usd, open_pipeline_usd, open_deals, win_rate,
    pipeline_expected_usd, benchmark_usd, potential_usd, activities_90d``
    (activities on the account in the 90 days up to ``as_of``: ``D - 90 days < date <= D``).
    """
    w = weights or PotentialWeights()
    day = _as_of(as_of)
    accounts = dataset.accounts
    facts = _opportunity_facts(dataset, day, w.fallback_win_rate)
    bench = _benchmarks(accounts, facts, w).set_index("industry")
    industry = accounts["industry"].fillna(UNKNOWN_INDUSTRY).reset_index(drop=True)
    per = (
        facts.per_account.reindex(accounts["account_id"])
        .fillna(0.0)
        .reset_index(drop=True)
    )
    win_rate = bench["win_rate"].reindex(industry).to_numpy(dtype="float64")
    history = per["won_acv_12m_usd"].to_numpy(dtype="float64")
    pipeline = per["open_pipeline_usd"].to_numpy(dtype="float64") * win_rate
    benchmark = bench["won_acv_per_account_usd"].reindex(industry).to_numpy(
        dtype="float64"
    ) * _size_factor(accounts.reset_index(drop=True), industry, w)
    total_w = w.history + w.pipeline + w.benchmark
    potential = (
        w.history * history + w.pipeline * pipeline + w.benchmark * benchmark
    ) / total_w

    acts = dataset.activities
    recent = acts[
        acts["account_id"].notna()
        & (acts["activity_date"] <= day)
        & (acts["activity_date"] > day - pd.Timedelta(days=WORKLOAD_DAYS))
    ]
    act_counts = recent.groupby("account_id").size()

    out = accounts[
        [
            "account_id",
            "industry",
            "region",
            "country",
            "state",
            "city",
            "owner_id",
            "employees",
            "annual_revenue",
        ]
    ].reset_index(drop=True)
    out["won_acv_12m_usd"] = history
    out["open_pipeline_usd"] = per["open_pipeline_usd"].to_numpy(dtype="float64")
    out["open_deals"] = per["open_deals"].to_numpy(dtype="int64")
    out["win_rate"] = win_rate
    out["pipeline_expected_usd"] = pipeline
    out["benchmark_usd"] = benchmark
    out["potential_usd"] = potential
    out["activities_90d"] = (
        act_counts.reindex(out["account_id"]).fillna(0).to_numpy(dtype="int64")
    )
    return out


ROLLUP_COLUMNS = (
    "territory_id",
    "name",
    "owner_rep_id",
    "is_tbh",
    "tbh_start_date",
    "covering_rep_id",
    "account_count",
    "potential_usd",
    "won_acv_12m_usd",
    "open_pipeline_usd",
    "open_deals",
    "activities_90d",
)


def rollup(
    plan: Plan, assignment: pd.DataFrame, accounts: pd.DataFrame
) -> pd.DataFrame:
    """Per territory sums of an :func:`account_potential` frame under an assignment.

    Every territory of the plan gets a row (zeros when empty), in plan order; accounts
    that are unassigned are not counted anywhere.
    """
    merged = accounts.merge(
        assignment[["account_id", "territory_id"]], on="account_id", how="left"
    )
    merged = merged[merged["territory_id"].notna()]
    sums = merged.groupby("territory_id").agg(
        account_count=("account_id", "size"),
        potential_usd=("potential_usd", "sum"),
        won_acv_12m_usd=("won_acv_12m_usd", "sum"),
        open_pipeline_usd=("open_pipeline_usd", "sum"),
        open_deals=("open_deals", "sum"),
        activities_90d=("activities_90d", "sum"),
    )
    ids = list(plan.territory_ids)
    sums = sums.reindex(ids).fillna(0)
    out = pd.DataFrame(
        {
            "territory_id": pd.Series(ids, dtype="str"),
            "name": pd.Series([t.display_name for t in plan.territories], dtype="str"),
            "owner_rep_id": pd.Series(
                [t.owner_rep_id for t in plan.territories], dtype="str"
            ),
            "is_tbh": [t.is_tbh for t in plan.territories],
            "tbh_start_date": pd.Series(
                [
                    t.tbh_start_date.isoformat() if t.tbh_start_date else None
                    for t in plan.territories
                ],
                dtype="str",
            ),
            "covering_rep_id": pd.Series(
                [t.covering_rep_id for t in plan.territories], dtype="str"
            ),
        }
    )
    for col in ("account_count", "open_deals", "activities_90d"):
        out[col] = sums[col].to_numpy(dtype="int64")
    for col in ("potential_usd", "won_acv_12m_usd", "open_pipeline_usd"):
        out[col] = sums[col].to_numpy(dtype="float64")
    return out[list(ROLLUP_COLUMNS)]


def territory_potential(
    plan: Plan,
    dataset: Dataset,
    as_of: dt.date | str | pd.Timestamp,
    weights: PotentialWeights | None = None,
) -> pd.DataFrame:
    """Per territory: potential, account count and workload (see ``ROLLUP_COLUMNS``)."""
    return rollup(
        plan, resolve(plan, dataset), account_potential(dataset, as_of, weights)
    )
