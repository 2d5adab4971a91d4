"""A realistic, seeded sample CRM dataset generated from known parameters.

Why it exists: the demo needs a live-looking sales org out of the box, the dashboards
need data with every kind of deal and every hygiene lapse, and the simulation needs
data whose *generating parameters are known*, so its calibration can be checked
against the truth. ``docs/sample-data.md`` explains the model step by step; every
number the model uses is a field of :class:`SampleParams`.

The generator is vectorised with NumPy (one draw per rep-day, per activity, per
opportunity, never a Python loop per record) so that 500 reps and millions of
activities take seconds, and every random draw comes from a named
``numpy.random.Generator`` spawned from one ``SeedSequence``: the same arguments
always give identical frames.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from crm.dataset import Dataset

OPEN_STAGES: tuple[str, ...] = (
    "Prospecting",
    "Qualification",
    "Discovery",
    "Demo/Evaluation",
    "Proposal",
    "Negotiation",
)
CLOSED_WON = "Closed Won"
CLOSED_LOST = "Closed Lost"
STAGES: tuple[str, ...] = (*OPEN_STAGES, CLOSED_WON, CLOSED_LOST)
STAGE_FORECAST_CATEGORY: dict[str, str] = {
    "Prospecting": "Pipeline",
    "Qualification": "Pipeline",
    "Discovery": "Pipeline",
    "Demo/Evaluation": "Best Case",
    "Proposal": "Best Case",
    "Negotiation": "Commit",
    CLOSED_WON: "Closed",
    CLOSED_LOST: "Omitted",
}
STAGE_PROBABILITY_PCT: dict[str, float] = {
    "Prospecting": 10.0,
    "Qualification": 20.0,
    "Discovery": 30.0,
    "Demo/Evaluation": 50.0,
    "Proposal": 70.0,
    "Negotiation": 85.0,
    CLOSED_WON: 100.0,
    CLOSED_LOST: 0.0,
}
STAGE_NEXT_STEP: dict[str, str] = {
    "Prospecting": "Book a discovery call",
    "Qualification": "Confirm budget and timeline",
    "Discovery": "Map stakeholders and success criteria",
    "Demo/Evaluation": "Run the technical demo with the SE",
    "Proposal": "Send the proposal and pricing",
    "Negotiation": "Redline the contract with legal",
}
SAMPLE_ROLES: tuple[str, ...] = ("AE", "SDR", "SE")
ACTIVITY_KINDS: tuple[str, ...] = ("Call", "Email", "Meeting", "Demo", "Other")
_SUBJECTS: dict[str, tuple[str, ...]] = {
    "Call": ("Cold call", "Follow-up call", "Discovery call", "Check-in call"),
    "Email": ("Intro email", "Follow-up email", "Pricing questions", "Case study sent"),
    "Meeting": ("Discovery meeting", "Stakeholder meeting", "Business review"),
    "Demo": ("Product demo", "Technical deep dive", "Proof of concept review"),
    "Other": ("LinkedIn message", "Event follow-up", "Internal prep"),
}
_DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class DealType:
    """One kind of opportunity: how often it is created, how big, how likely, how long.

    ``share`` is the probability that a newly created opportunity is of this kind.
    Amounts are lognormal: ``log(amount_usd) ~ Normal(log(amount_median_usd) +
    territory shift, amount_log_sigma)`` (see ``SampleParams.territory_amount_elasticity``).
    ``win_rate`` is the probability the deal is won when it closes; cycle days are
    lognormal with median ``cycle_median_days`` and log-sd ``cycle_log_sigma``, the
    same for won and lost deals.
    """

    name: str
    opportunity_type: str
    share: float
    amount_median_usd: float
    amount_log_sigma: float
    win_rate: float
    cycle_median_days: float
    cycle_log_sigma: float


@dataclass(frozen=True)
class RoleParams:
    """The activity funnel of one role, at full productivity.

    Activities of a rep on a working day are Poisson with mean
    ``activities_per_working_day × skill × ramp × seasonality``; each activity is a
    meeting with probability ``meeting_share_of_activities`` (a Demo with probability
    ``demo_share_of_meetings``, else a Meeting); each meeting creates an opportunity
    with probability ``opportunities_per_meeting``.
    """

    role: str
    activities_per_working_day: float
    meeting_share_of_activities: float
    demo_share_of_meetings: float
    opportunities_per_meeting: float


def _default_deal_types() -> tuple[DealType, ...]:
    return (
        DealType("small_new_business", "New Business", 0.45, 14_000.0, 0.6, 0.24, 62.0, 0.5),
        DealType("large_new_business", "New Business", 0.15, 70_000.0, 0.7, 0.20, 125.0, 0.5),
        DealType("add_on", "Add-On", 0.25, 9_000.0, 0.7, 0.35, 52.0, 0.5),
        DealType("renewal", "Renewal", 0.15, 30_000.0, 0.6, 0.85, 70.0, 0.4),
    )


def _default_roles() -> tuple[RoleParams, ...]:
    return (
        RoleParams("AE", 12.0, 0.15, 0.35, 0.4),
        RoleParams("SDR", 24.0, 0.08, 0.10, 0.35),
        RoleParams("SE", 6.0, 0.45, 0.70, 0.0),
    )


@dataclass(frozen=True)
class SampleParams:
    """The known generating parameters of the sample dataset (units in the names).

    Every field is used exactly as its comment says; ``docs/sample-data.md`` gives the
    full model. Change one with ``dataclasses.replace``; ``to_dict`` gives JSON.
    """

    # --- the org
    role_shares: tuple[float, float, float] = (0.7, 0.2, 0.1)  # AE, SDR, SE of `reps`
    aes_per_team: float = 6.5  # teams = ceil(AEs / aes_per_team); SDRs/SEs spread over teams
    veteran_share: float = 0.6  # reps hired before the history window
    veteran_tenure_years_max: float = 7.0  # veterans hired U(0.25, max) years before it
    departed_share: float = 0.08  # reps with an end_date inside the window
    rep_skill_log_sigma: float = 0.25  # skill ~ LogNormal(-s²/2, s): mean 1, per rep
    # --- activity funnel per role (AE, SDR, SE)
    roles: tuple[RoleParams, ...] = field(default_factory=_default_roles)
    weekend_activity_factor: float = 0.08  # weekend day rate = factor × working-day rate
    call_email_other_mix: tuple[float, float, float] = (0.45, 0.45, 0.10)  # non-meetings
    # multiplier on activity rates by calendar month, January first; mean 1
    seasonality_by_month: tuple[float, ...] = (
        0.92, 1.00, 1.06, 1.02, 1.04, 1.02, 0.94, 0.90, 1.04, 1.08, 1.04, 0.94,
    )  # fmt: skip
    # --- ramp: productivity rises linearly from ramp_start_productivity at hire to 1
    ramp_months: float = 5.0
    ramp_start_productivity: float = 0.2
    # --- opportunities
    deal_types: tuple[DealType, ...] = field(default_factory=_default_deal_types)
    territory_amount_elasticity: float = 0.3  # log-amount shift per log of AE potential
    stage_duration_weights: tuple[float, ...] = (0.12, 0.14, 0.18, 0.20, 0.18, 0.18)
    stage_duration_concentration: float = 8.0  # Dirichlet concentration of stage splits
    # last open stage reached by lost deals (Prospecting … Negotiation)
    lost_last_stage_probs: tuple[float, ...] = (0.25, 0.25, 0.20, 0.15, 0.10, 0.05)
    min_cycle_days: int = 3
    activity_link_share: float = 0.6  # AE activities linked to one of their open deals
    activity_link_window_days: int = 150  # …created within this many days before it
    # --- accounts
    accounts_per_ae: float = 80.0
    existing_customer_share: float = 0.3  # accounts that can take Add-On and Renewal
    parent_account_share: float = 0.04  # accounts that are subsidiaries of another
    # --- hygiene lapses: shares of the deals open at as_of
    past_due_share: float = 0.12  # expected close moved 1–45 days before as_of
    stale_share: float = 0.06  # no linked activity in the last 30–90 days
    missing_next_step_share: float = 0.15  # blank next_step
    missing_amount_share: float = 0.04  # amount recorded as 0
    stuck_share: float = 0.05  # no stage change in the last 45–120 days
    early_stage_near_close_share: float = 0.10  # of open deals in the first two stages
    # --- quotas: annual AE quota by tenure at as_of (min tenure years, USD)
    ae_annual_quota_usd_by_tenure: tuple[tuple[float, float], ...] = (
        (0.0, 950_000.0),
        (2.0, 1_050_000.0),
        (4.0, 1_200_000.0),
    )
    ramp_quota_fractions: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75)  # quotas.csv rows
    warmup_days: int = 365  # simulated before the window so it opens with a pipeline

    def __post_init__(self) -> None:
        def prob(name: str, value: float) -> None:
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise ValueError(f"{name} must be in [0, 1], got {value}")

        def shares(name: str, values: tuple[float, ...], n: int) -> None:
            if len(values) != n or any(v < 0 for v in values):
                raise ValueError(f"{name} needs {n} non-negative values")
            if abs(sum(values) - 1.0) > 1e-6:
                raise ValueError(f"{name} must sum to 1, got {sum(values)}")

        shares("role_shares", self.role_shares, 3)
        shares("call_email_other_mix", self.call_email_other_mix, 3)
        shares("lost_last_stage_probs", self.lost_last_stage_probs, len(OPEN_STAGES))
        shares("deal_types.share", tuple(d.share for d in self.deal_types), len(self.deal_types))
        if tuple(r.role for r in self.roles) != SAMPLE_ROLES:
            raise ValueError(f"roles must be given for {SAMPLE_ROLES} in that order")
        if len(self.seasonality_by_month) != 12 or min(self.seasonality_by_month) <= 0:
            raise ValueError("seasonality_by_month needs 12 positive multipliers")
        if len(self.stage_duration_weights) != len(OPEN_STAGES):
            raise ValueError("stage_duration_weights needs one weight per open stage")
        for r in self.roles:
            if not r.activities_per_working_day >= 0:
                raise ValueError(f"{r.role}: activities_per_working_day must be >= 0")
            prob(f"{r.role}.meeting_share_of_activities", r.meeting_share_of_activities)
            prob(f"{r.role}.demo_share_of_meetings", r.demo_share_of_meetings)
            prob(f"{r.role}.opportunities_per_meeting", r.opportunities_per_meeting)
        for d in self.deal_types:
            prob(f"{d.name}.win_rate", d.win_rate)
            if not (d.amount_median_usd > 0 and d.cycle_median_days > 0):
                raise ValueError(f"{d.name}: median amount and cycle must be positive")
            if d.opportunity_type not in ("New Business", "Add-On", "Renewal"):
                raise ValueError(f"{d.name}: unknown opportunity_type")
        for name in (
            "veteran_share", "departed_share", "existing_customer_share",
            "parent_account_share", "past_due_share", "stale_share",
            "missing_next_step_share", "missing_amount_share", "stuck_share",
            "early_stage_near_close_share", "activity_link_share",
            "ramp_start_productivity", "weekend_activity_factor",
        ):  # fmt: skip
            prob(name, getattr(self, name))
        if self.ramp_months <= 0 or self.accounts_per_ae < 1 or self.aes_per_team < 1:
            raise ValueError("ramp_months, accounts_per_ae and aes_per_team too small")
        if not self.ae_annual_quota_usd_by_tenure or self.ae_annual_quota_usd_by_tenure[0][0] != 0:
            raise ValueError("ae_annual_quota_usd_by_tenure must start at tenure 0")

    def role(self, name: str) -> RoleParams:
        return self.roles[SAMPLE_ROLES.index(name)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters, so a run can be recorded next to its results."""
        return asdict(self)


# --- geography and firmographics -------------------------------------------------------

# (state, weight of accounts, size multiplier, cities): a few hubs hold most revenue.
_US_STATES: dict[str, tuple[tuple[str, float, float, tuple[str, ...]], ...]] = {
    "West": (
        ("CA", 30, 2.2, ("San Francisco", "Los Angeles", "San Jose", "San Diego")),
        ("WA", 9, 2.0, ("Seattle", "Bellevue", "Redmond")),
        ("OR", 4, 0.8, ("Portland", "Eugene")),
        ("CO", 6, 1.0, ("Denver", "Boulder")),
        ("AZ", 5, 0.8, ("Phoenix", "Tucson")),
        ("UT", 4, 0.8, ("Salt Lake City", "Provo")),
        ("NV", 3, 0.6, ("Las Vegas", "Reno")),
        ("ID", 1.5, 0.4, ("Boise",)),
        ("MT", 1, 0.3, ("Billings", "Bozeman")),
        ("WY", 0.5, 0.3, ("Cheyenne",)),
        ("NM", 1.5, 0.4, ("Albuquerque", "Santa Fe")),
        ("AK", 0.5, 0.4, ("Anchorage",)),
        ("HI", 1, 0.4, ("Honolulu",)),
    ),
    "Central": (
        ("TX", 24, 1.8, ("Austin", "Dallas", "Houston", "San Antonio")),
        ("IL", 12, 1.8, ("Chicago", "Naperville")),
        ("MN", 5, 1.1, ("Minneapolis", "Saint Paul")),
        ("MO", 4, 0.8, ("St. Louis", "Kansas City")),
        ("WI", 3, 0.7, ("Milwaukee", "Madison")),
        ("MI", 5, 0.9, ("Detroit", "Ann Arbor")),
        ("OH", 6, 0.9, ("Columbus", "Cleveland", "Cincinnati")),
        ("IN", 3, 0.6, ("Indianapolis",)),
        ("IA", 1.5, 0.5, ("Des Moines",)),
        ("KS", 1.5, 0.5, ("Wichita", "Overland Park")),
        ("NE", 1, 0.5, ("Omaha",)),
        ("OK", 1.5, 0.5, ("Oklahoma City", "Tulsa")),
        ("ND", 0.5, 0.3, ("Fargo",)),
        ("SD", 0.5, 0.3, ("Sioux Falls",)),
        ("AR", 1, 0.6, ("Little Rock", "Bentonville")),
        ("LA", 1.5, 0.5, ("New Orleans", "Baton Rouge")),
        ("KY", 1.5, 0.5, ("Louisville", "Lexington")),
        ("TN", 3, 0.7, ("Nashville", "Memphis")),
    ),
    "East": (
        ("NY", 22, 2.5, ("New York", "Brooklyn", "Rochester", "Buffalo")),
        ("MA", 9, 2.0, ("Boston", "Cambridge", "Worcester")),
        ("NJ", 7, 1.3, ("Newark", "Jersey City", "Princeton")),
        ("PA", 6, 1.0, ("Philadelphia", "Pittsburgh")),
        ("FL", 10, 0.9, ("Miami", "Tampa", "Orlando", "Jacksonville")),
        ("GA", 6, 1.0, ("Atlanta", "Savannah")),
        ("NC", 5, 0.9, ("Charlotte", "Raleigh", "Durham")),
        ("VA", 4, 0.9, ("Arlington", "Richmond")),
        ("MD", 3, 0.8, ("Baltimore", "Bethesda")),
        ("CT", 2.5, 1.0, ("Stamford", "Hartford")),
        ("DC", 2, 1.0, ("Washington",)),
        ("SC", 2, 0.5, ("Charleston", "Columbia")),
        ("AL", 1, 0.4, ("Birmingham", "Huntsville")),
        ("MS", 0.5, 0.3, ("Jackson",)),
        ("WV", 0.5, 0.3, ("Charleston",)),
        ("DE", 1, 0.6, ("Wilmington",)),
        ("RI", 1, 0.5, ("Providence",)),
        ("NH", 1, 0.5, ("Manchester", "Nashua")),
        ("VT", 0.5, 0.3, ("Burlington",)),
        ("ME", 0.5, 0.3, ("Portland",)),
    ),
}
# (country, weight, size multiplier, cities)
_COUNTRIES: dict[str, tuple[tuple[str, float, float, tuple[str, ...]], ...]] = {
    "EMEA": (
        ("United Kingdom", 30, 1.4, ("London", "Manchester", "Edinburgh")),
        ("Germany", 22, 1.3, ("Berlin", "Munich", "Frankfurt")),
        ("France", 16, 1.1, ("Paris", "Lyon")),
        ("Netherlands", 10, 1.0, ("Amsterdam", "Rotterdam")),
        ("Ireland", 7, 1.0, ("Dublin", "Cork")),
        ("Sweden", 7, 0.8, ("Stockholm", "Gothenburg")),
        ("Spain", 8, 0.7, ("Madrid", "Barcelona")),
    ),
    "APAC": (
        ("Australia", 30, 1.1, ("Sydney", "Melbourne", "Brisbane")),
        ("Japan", 24, 1.4, ("Tokyo", "Osaka")),
        ("Singapore", 16, 1.2, ("Singapore",)),
        ("India", 15, 0.6, ("Bengaluru", "Mumbai", "Pune")),
        ("China", 15, 1.0, ("Shanghai", "Shenzhen", "Beijing")),
    ),
}
REGIONS: tuple[str, ...] = ("West", "Central", "East", "EMEA", "APAC")
_TEAM_REGION_CYCLE: tuple[str, ...] = (
    "West", "East", "Central", "EMEA", "APAC", "West", "East", "Central", "EMEA", "East",
)  # fmt: skip
# industry, weight, revenue per employee (USD)
_INDUSTRIES: tuple[tuple[str, float, float], ...] = (
    ("Technology", 20, 350_000.0),
    ("Financial Services", 12, 450_000.0),
    ("Healthcare", 11, 200_000.0),
    ("Manufacturing", 12, 300_000.0),
    ("Retail", 9, 250_000.0),
    ("Education", 6, 120_000.0),
    ("Government", 4, 150_000.0),
    ("Media", 5, 280_000.0),
    ("Energy", 4, 800_000.0),
    ("Professional Services", 9, 180_000.0),
    ("Telecommunications", 4, 500_000.0),
    ("Transportation", 4, 260_000.0),
)
_NAME_A = (
    "Blue", "Red", "North", "South", "Silver", "Golden", "Bright", "Cedar", "Summit",
    "Harbor", "River", "Pine", "Granite", "Atlas", "Nova", "Apex", "Vertex", "Orion",
    "Maple", "Crescent", "Iron", "Clear", "Swift", "Quantum", "Prairie", "Coastal",
    "Evergreen", "Lakeside", "Sterling", "Pioneer", "Beacon", "Falcon", "Horizon",
    "Keystone", "Liberty", "Meridian", "Oak", "Polar", "Redwood", "Sage",
)  # fmt: skip
_NAME_B = (
    "Analytics", "Logistics", "Health", "Systems", "Labs", "Foods", "Energy", "Capital",
    "Networks", "Robotics", "Media", "Motors", "Retail", "Bio", "Software", "Partners",
    "Dynamics", "Materials", "Insurance", "Learning", "Works", "Data", "Cloud", "Freight",
    "Pharma", "Finance", "Security", "Solar", "Devices", "Studios",
)  # fmt: skip
_NAME_C = ("Inc", "LLC", "Corp", "Group", "Co", "Ltd", "Holdings", "AG", "GmbH", "SA")
_ZH_A = ("华信", "中科", "星河", "东方", "远航", "天成", "博瑞", "启明", "安泰", "锦程")
_ZH_B = ("科技", "物流", "医疗", "软件", "能源", "金融", "制造", "传媒", "教育", "零售")
_FIRST = (
    "James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda",
    "Daniel", "Sarah", "Kevin", "Emily", "Carlos", "Sofia", "Wei", "Mei", "Hiroshi",
    "Yuki", "Priya", "Arjun", "Olivia", "Liam", "Noah", "Emma", "Ava", "Lucas",
    "Chloé", "José", "Zoë", "Fatima", "Omar", "Ingrid", "Lars", "Aisha", "Kwame",
    "Grace", "Ethan", "Hannah", "Mateo", "Lena",
)  # fmt: skip
_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Martinez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Lee",
    "Chen", "Zhang", "Wang", "Tanaka", "Sato", "Patel", "Sharma", "Nguyen", "Kim",
    "Müller", "Schmidt", "Dubois", "O'Brien", "Rossi", "Silva", "Andersson", "Novak",
    "Okafor", "Haddad", "Kowalski", "Murphy", "Cohen", "Singh", "Park",
)  # fmt: skip


# --- helpers ----------------------------------------------------------------------------

_STREAMS = (
    "org",
    "accounts",
    "activities",
    "opportunities",
    "stages",
    "hygiene",
    "links",
    "owners",
)


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """One named Generator per concern, all spawned from ``SeedSequence(seed)``."""
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(_STREAMS, children, strict=True)}


def _day(d: date | np.datetime64 | pd.Timestamp) -> int:
    """Days since 1970-01-01, the integer time axis of the generator."""
    return int(np.datetime64(pd.Timestamp(d).date(), "D").astype(np.int64))


def _to_dates(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def _ids(prefix: str, n: int, width: int) -> pd.Series:
    return prefix + pd.Series(np.arange(1, n + 1)).astype("str").str.zfill(width)


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct person names (a numeric suffix only if the pool runs out)."""
    pool = np.array([f"{a} {b}" for a in _FIRST for b in _LAST], dtype=object)
    pick = rng.permutation(len(pool))[: min(n, len(pool))]
    out = pool[pick]
    if n > len(pool):
        extra = np.array([f"{pool[i % len(pool)]} {i // len(pool) + 1}" for i in range(len(pool), n)], dtype=object)
        out = np.concatenate([out, extra])
    return out


def _weighted_choice_in_ranges(
    rng: np.random.Generator,
    cum_weights: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
) -> np.ndarray:
    """Pick one index in ``[start, end)`` per row with probability ∝ weight.

    ``cum_weights`` is the inclusive cumulative sum over the sorted pool; rows with an
    empty range get -1. Vectorised with one ``searchsorted``.
    """
    if not len(cum_weights):
        return np.full(len(starts), -1, dtype=np.int64)
    lo = np.where(starts > 0, cum_weights[np.maximum(starts - 1, 0)], 0.0)
    hi = np.where(ends > 0, cum_weights[np.maximum(ends - 1, 0)], 0.0)
    target = lo + rng.random(len(starts)) * (hi - lo)
    idx = np.searchsorted(cum_weights, target, side="right")
    idx = np.minimum(idx, np.maximum(ends - 1, 0))
    return np.where(ends > starts, np.maximum(idx, starts), -1)


def _take(pool: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``pool[idx]`` with -1 where ``idx`` is -1 (also for an empty pool)."""
    if not len(pool):
        return np.full(len(idx), -1, dtype=np.int64)
    return np.where(idx >= 0, pool[np.maximum(idx, 0)], -1)


def _month_start(d: date, back: int) -> date:
    k = d.year * 12 + d.month - 1 - back
    return date(k // 12, k % 12 + 1, 1)


# --- the generator ----------------------------------------------------------------------


def generate_sample(
    seed: int = 7,
    reps: int = 40,
    as_of: date | None = None,
    params: SampleParams | None = None,
    history_months: int = 18,
) -> Dataset:
    """Generate a realistic sales org's CRM data, dated so that ``as_of`` is "today".

    The window runs from the first day of the month ``history_months - 1`` months
    before ``as_of``'s month through ``as_of``. Nothing is dated after ``as_of`` except
    the expected close dates of open deals; deals still open when the window starts
    (created during a simulated warm-up) are kept, so the first month already has a
    pipeline. Same arguments → identical frames.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    if history_months < 1:
        raise ValueError("history_months must be at least 1")
    p = params or SampleParams()
    as_of = as_of or date.today()
    rng = _streams(seed)
    today = _day(as_of)
    start = _day(_month_start(as_of, history_months - 1))
    sim_start = start - p.warmup_days

    org = _make_org(rng["org"], reps, p, start, today)
    acc = _make_accounts(rng["accounts"], org, p)
    days = np.arange(sim_start, today + 1)
    lam = _activity_rates(org, p, days)
    acts = _make_activities(rng["activities"], org, p, days, lam, start)
    opps = _make_opportunities(rng["opportunities"], org, acc, p, days, lam, acts, start)
    _assign_outcomes(rng["stages"], opps, p, today)
    holder = _replacement_aes(rng["owners"], org, today)
    moved = opps["close"] > org["end"][opps["book_owner"]]
    opps["owner"] = np.where(moved, holder[opps["book_owner"]], opps["book_owner"])
    _apply_hygiene_lapses(rng["hygiene"], opps, p, today)
    _link_activities(rng["links"], org, acc, p, acts, opps)
    n_reps = len(org["role"])
    opp_ids = _opportunity_ids(len(opps["created"]))
    frames = {
        "reps": _reps_frame(org, p, today),
        "accounts": _accounts_frame(acc, holder[acc["owner"]], n_reps),
        "opportunities": _opportunities_frame(opps, n_reps, acc["name"], p),
        "activities": _activities_frame(acts, n_reps, len(acc["name"]), opp_ids),
        "opportunity_history": _history_frame(_make_history(opps, today), opps, opp_ids),
        "quotas": _quotas_frame(org, p, start, today),
    }
    return Dataset.from_frames(frames)


# --- org ---------------------------------------------------------------------------------


def _make_org(
    rng: np.random.Generator, n: int, p: SampleParams, start: int, today: int
) -> dict[str, np.ndarray]:
    n_ae = max(1, round(n * p.role_shares[0]))
    n_sdr = min(n - n_ae, round(n * p.role_shares[1]))
    n_se = n - n_ae - n_sdr
    role = np.array([0] * n_ae + [1] * n_sdr + [2] * n_se, dtype=np.int64)
    n_teams = max(1, math.ceil(n_ae / p.aes_per_team))
    team = np.concatenate(
        [
            np.arange(n_ae) % n_teams,
            rng.permutation(np.arange(n_sdr) % n_teams),
            rng.permutation(np.arange(n_se) % n_teams),
        ]
    ).astype(np.int64)
    team_region = np.array(
        [REGIONS.index(_TEAM_REGION_CYCLE[t % len(_TEAM_REGION_CYCLE)]) for t in range(n_teams)]
    )
    window = today - start
    veteran = rng.random(n) < p.veteran_share
    vet_back = rng.uniform(0.25, p.veteran_tenure_years_max, n) * 365.25
    new_hire = start + rng.integers(0, max(window - 14, 1), n)
    hire = np.where(veteran, start - vet_back.astype(np.int64), new_hire)
    hire = np.minimum(hire, today)
    departed = rng.random(n) < p.departed_share
    earliest_end = np.maximum(hire + 120, start)
    latest_end = today - 14
    can_leave = earliest_end < latest_end
    end = np.where(
        departed & can_leave,
        earliest_end + (rng.random(n) * (latest_end - earliest_end)).astype(np.int64),
        np.iinfo(np.int64).max,
    )
    people = _names(rng, n + n_teams)
    skill = rng.lognormal(-(p.rep_skill_log_sigma**2) / 2, p.rep_skill_log_sigma, n)
    return {
        "role": role,
        "team": team,
        "team_region": team_region,
        "region": team_region[team],
        "hire": hire.astype(np.int64),
        "end": end.astype(np.int64),
        "name": people[:n],
        "manager": people[n:],
        "skill": skill,
        "n_teams": np.array(n_teams),
    }


def _replacement_aes(rng: np.random.Generator, org: dict[str, np.ndarray], today: int) -> np.ndarray:
    """For each rep, the AE who holds their book at ``today`` (themselves if active).

    A departed AE's accounts and open deals go to one active AE of the same team, or
    of the same region, or any active AE: "nearby reps cover".
    """
    n = len(org["role"])
    is_ae = org["role"] == 0
    active = is_ae & (org["end"] > today)
    out = np.arange(n)
    for r in np.flatnonzero(is_ae & ~active):
        for pool in (
            active & (org["team"] == org["team"][r]),
            active & (org["region"] == org["region"][r]),
            active,
        ):
            cands = np.flatnonzero(pool)
            if len(cands):
                out[r] = rng.choice(cands)
                break
    return out


# --- accounts ------------------------------------------------------------------------------


def _make_accounts(
    rng: np.random.Generator, org: dict[str, np.ndarray], p: SampleParams
) -> dict[str, np.ndarray]:
    """Accounts per region for its AEs, carved into contiguous geographic books."""
    aes = np.flatnonzero(org["role"] == 0)
    regions: list[str] = []
    cities: list[str] = []
    states: list[str | None] = []
    country: list[str] = []
    mult: list[float] = []
    owner: list[np.ndarray] = []
    for reg_idx, region in enumerate(REGIONS):
        reg_aes = aes[org["region"][aes] == reg_idx]
        if len(reg_aes) == 0:
            continue
        k = round(p.accounts_per_ae * len(reg_aes))
        geo = _US_STATES.get(region) or _COUNTRIES[region]
        w = np.array([g[1] for g in geo], dtype=float)
        pick = rng.choice(len(geo), size=k, p=w / w.sum())
        # contiguous books: sort by place, split in equal counts
        pick.sort()
        book = np.repeat(reg_aes, np.diff(np.linspace(0, k, len(reg_aes) + 1).round().astype(int)))
        owner.append(book)
        place = np.array([g[0] for g in geo], dtype=object)[pick]
        city_table = [c for g in geo for c in g[3]]
        n_cities = np.array([len(g[3]) for g in geo])
        first_city = np.concatenate([[0], np.cumsum(n_cities)[:-1]])
        city_idx = first_city[pick] + (rng.random(k) * n_cities[pick]).astype(np.int64)
        cities.extend(np.array(city_table, dtype=object)[city_idx])
        mult.extend(np.array([g[2] for g in geo])[pick])
        us = region in _US_STATES
        states.extend(place if us else [None] * k)
        country.extend(["United States"] * k if us else place)
        regions.extend([region] * k)
    n = len(regions)
    owner_arr = np.concatenate(owner) if owner else np.zeros(0, dtype=np.int64)
    ind_w = np.array([i[1] for i in _INDUSTRIES])
    industry = rng.choice(len(_INDUSTRIES), size=n, p=ind_w / ind_w.sum())
    employees = np.exp(rng.normal(5.0, 1.5, n)) * np.array(mult)
    employees = np.clip(np.round(employees), 3, 400_000).astype(np.int64)
    rev_per = np.array([i[2] for i in _INDUSTRIES])[industry]
    revenue = np.round(employees * rev_per * rng.lognormal(0.0, 0.35, n), -3)
    china = np.array(country, dtype=object) == "China"
    names = np.array(
        [
            f"{_NAME_A[a]} {_NAME_B[b]} {_NAME_C[c]}"
            for a, b, c in zip(
                rng.integers(len(_NAME_A), size=n),
                rng.integers(len(_NAME_B), size=n),
                rng.integers(len(_NAME_C), size=n),
                strict=True,
            )
        ],
        dtype=object,
    )
    zh = np.array(
        [f"{_ZH_A[a]}{_ZH_B[b]}有限公司" for a, b in rng.integers(10, size=(n, 2))], dtype=object
    )
    names = np.where(china, zh, names)
    names = pd.Series(names)
    dup = names.groupby(names).cumcount().to_numpy()
    city_arr = np.array(cities, dtype=object)
    names = np.where(dup > 0, names + " (" + city_arr + ")", names)
    names = pd.Series(names)
    dup = names.groupby(names).cumcount().to_numpy()
    names = np.where(dup > 0, names + " " + (dup + 1).astype(str), names)
    customer = rng.random(n) < p.existing_customer_share
    parent = np.full(n, -1)
    is_child = rng.random(n) < p.parent_account_share
    # a subsidiary points at a bigger account of the same region
    order = np.argsort(-employees, kind="stable")
    region_arr = np.array(regions, dtype=object)
    for r in REGIONS:
        members = order[region_arr[order] == r]
        if len(members) < 2:
            continue
        top = members[: max(1, len(members) // 10)]
        kids = members[is_child[members]]
        kids = kids[~np.isin(kids, top)]
        parent[kids] = rng.choice(top, size=len(kids))
    return {
        "name": names.astype(object),
        "industry": industry,
        "region": region_arr,
        "country": np.array(country, dtype=object),
        "state": np.array(states, dtype=object),
        "city": city_arr,
        "employees": employees,
        "revenue": revenue,
        "owner": owner_arr.astype(np.int64),
        "customer": customer,
        "parent": parent,
    }


# --- activities ----------------------------------------------------------------------------


def _activity_rates(org: dict[str, np.ndarray], p: SampleParams, days: np.ndarray) -> np.ndarray:
    """Expected activities per rep (rows) per calendar day (columns).

    ``rate × skill × ramp(tenure) × seasonality(month) × weekend factor``, zero outside
    the rep's employment (hire date through end date, inclusive).
    """
    base = np.array([r.activities_per_working_day for r in p.roles])[org["role"]]
    tenure = days[None, :] - org["hire"][:, None]
    employed = (tenure >= 0) & (days[None, :] <= org["end"][:, None])
    ramp_days = p.ramp_months * _DAYS_PER_MONTH
    ramp = p.ramp_start_productivity + (1.0 - p.ramp_start_productivity) * np.clip(
        tenure / ramp_days, 0.0, 1.0
    )
    month = pd.DatetimeIndex(_to_dates(days)).month.to_numpy() - 1
    season = np.asarray(p.seasonality_by_month)[month]
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    day_factor = np.where(weekday < 5, 1.0, p.weekend_activity_factor)
    lam = (base * org["skill"])[:, None] * ramp * (season * day_factor)[None, :]
    return np.where(employed, lam, 0.0)


def _make_activities(
    rng: np.random.Generator,
    org: dict[str, np.ndarray],
    p: SampleParams,
    days: np.ndarray,
    lam: np.ndarray,
    start: int,
) -> dict[str, np.ndarray]:
    """Poisson activities per rep-day inside the window, typed by the role's funnel."""
    first = int(np.searchsorted(days, start))
    counts = rng.poisson(lam[:, first:])
    n_reps, n_days = counts.shape
    cell = np.repeat(np.arange(n_reps * n_days), counts.T.ravel())  # day-major order
    rep = cell % n_reps
    day = days[first + cell // n_reps]
    role = org["role"][rep]
    meet = np.array([r.meeting_share_of_activities for r in p.roles])[role]
    demo_share = np.array([r.demo_share_of_meetings for r in p.roles])[role]
    opm = np.array([r.opportunities_per_meeting for r in p.roles])[role]
    u = rng.random(len(rep))
    is_meeting = u < meet
    v = np.where(is_meeting, 0.0, (u - meet) / np.maximum(1.0 - meet, 1e-12))
    c, e, _ = p.call_email_other_mix
    kind = np.where(v < c, 0, np.where(v < c + e, 1, 4))
    is_demo = rng.random(len(rep)) < demo_share
    kind = np.where(is_meeting, np.where(is_demo, 3, 2), kind)
    creates = is_meeting & (rng.random(len(rep)) < opm)
    n_subj = np.array([len(_SUBJECTS[k]) for k in ACTIVITY_KINDS])
    offset = np.concatenate([[0], np.cumsum(n_subj)[:-1]])
    subject = offset[kind] + (rng.random(len(rep)) * n_subj[kind]).astype(np.int64)
    return {
        "rep": rep.astype(np.int64),
        "day": day.astype(np.int64),
        "kind": kind.astype(np.int64),
        "subject": subject,
        "creates": creates,
        "opp": np.full(len(rep), -1, dtype=np.int64),
        "account": np.full(len(rep), -1, dtype=np.int64),
    }


# --- opportunities -------------------------------------------------------------------------


def _book_ranges(sorted_owner: np.ndarray, n_reps: int) -> tuple[np.ndarray, np.ndarray]:
    keys = np.arange(n_reps)
    return (
        np.searchsorted(sorted_owner, keys, side="left"),
        np.searchsorted(sorted_owner, keys, side="right"),
    )


def _make_opportunities(
    rng: np.random.Generator,
    org: dict[str, np.ndarray],
    acc: dict[str, np.ndarray],
    p: SampleParams,
    days: np.ndarray,
    lam: np.ndarray,
    acts: dict[str, np.ndarray],
    start: int,
) -> dict[str, np.ndarray]:
    """Opportunities from meetings (in the window) and from the warm-up's thinned rate.

    An SDR's opportunity is owned by an AE of the SDR's team employed that day; the
    deal type is drawn from the mix, the account from the owner's book (prospects for
    New Business, customers for Add-On and Renewal; large deals favour big accounts).
    """
    n_reps = len(org["role"])
    # warm-up: the same Poisson process thinned to opportunity creation
    first = int(np.searchsorted(days, start))
    opr = np.array(
        [r.meeting_share_of_activities * r.opportunities_per_meeting for r in p.roles]
    )[org["role"]]
    w_counts = rng.poisson(lam[:, :first] * opr[:, None])
    w_cell = np.repeat(np.arange(w_counts.size), w_counts.T.ravel())
    w_rep = w_cell % n_reps
    w_day = days[w_cell // n_reps]
    src_act = np.flatnonzero(acts["creates"])
    creator = np.concatenate([w_rep, acts["rep"][src_act]])
    created = np.concatenate([w_day, acts["day"][src_act]]).astype(np.int64)
    activity = np.concatenate([np.full(len(w_rep), -1), src_act]).astype(np.int64)

    # owner: the AE who held the meeting, or an employed AE of the SDR's team
    is_ae = org["role"] == 0
    n_teams = int(org["n_teams"])
    team_aes = [np.flatnonzero(is_ae & (org["team"] == t)) for t in range(n_teams)]
    width = max(len(t) for t in team_aes)
    table = np.full((n_teams, width), -1, dtype=np.int64)
    for t, members in enumerate(team_aes):
        table[t, : len(members)] = members
    sizes = np.array([len(t) for t in team_aes])
    team = org["team"][creator]
    tries = 12
    slot = (rng.random((len(creator), tries)) * sizes[team][:, None]).astype(np.int64)
    cand = table[team[:, None], slot]
    ok = (cand >= 0) & (org["hire"][cand] <= created[:, None]) & (created[:, None] <= org["end"][cand])
    pick = np.where(ok.any(axis=1), cand[np.arange(len(cand)), ok.argmax(axis=1)], -1)
    owner = np.where(is_ae[creator], creator, pick)
    keep = owner >= 0
    creator, created, activity, owner = creator[keep], created[keep], activity[keep], owner[keep]
    n = len(owner)

    dtypes = p.deal_types
    share = np.array([d.share for d in dtypes])
    kind = rng.choice(len(dtypes), size=n, p=share / share.sum())
    is_nb = np.array([d.opportunity_type == "New Business" for d in dtypes])[kind]
    big = np.array([d.name == "large_new_business" for d in dtypes])[kind]

    # accounts: from the owner's (original) book
    account = np.full(n, -1, dtype=np.int64)
    for pool_mask, want in ((~acc["customer"], is_nb), (acc["customer"], ~is_nb)):
        pool = np.flatnonzero(pool_mask)
        pool = pool[np.argsort(acc["owner"][pool], kind="stable")]
        lo, hi = _book_ranges(acc["owner"][pool], n_reps)
        for weighted in (False, True):
            rows = np.flatnonzero(want & (big == weighted))
            wts = np.sqrt(acc["employees"][pool]) if weighted else np.ones(len(pool))
            idx = _weighted_choice_in_ranges(rng, np.cumsum(wts), lo[owner[rows]], hi[owner[rows]])
            account[rows] = _take(pool, idx)
    # an owner without a matching account takes any account of their book
    missing = np.flatnonzero(account < 0)
    if len(missing):
        pool = np.argsort(acc["owner"], kind="stable")
        lo, hi = _book_ranges(acc["owner"][pool], n_reps)
        idx = _weighted_choice_in_ranges(
            rng, np.cumsum(np.ones(len(pool))), lo[owner[missing]], hi[owner[missing]]
        )
        account[missing] = _take(pool, idx)

    # amounts: lognormal per type, shifted by the owner's territory potential
    potential = np.bincount(acc["owner"], weights=acc["revenue"], minlength=n_reps)
    ae_pot = potential[is_ae]
    log_pot = np.log(np.maximum(potential, ae_pot[ae_pot > 0].min() if (ae_pot > 0).any() else 1.0))
    centre = log_pot[is_ae].mean()
    shift = p.territory_amount_elasticity * (log_pot[owner] - centre)
    mu = np.log(np.array([d.amount_median_usd for d in dtypes]))[kind]
    sd = np.array([d.amount_log_sigma for d in dtypes])[kind]
    amount = np.round(np.exp(mu + shift + sd * rng.standard_normal(n)))
    c_mu = np.log(np.array([d.cycle_median_days for d in dtypes]))[kind]
    c_sd = np.array([d.cycle_log_sigma for d in dtypes])[kind]
    cycle = np.maximum(
        p.min_cycle_days, np.round(np.exp(c_mu + c_sd * rng.standard_normal(n)))
    ).astype(np.int64)
    close = created + cycle
    won = rng.random(n) < np.array([d.win_rate for d in dtypes])[kind]
    lost_stage = rng.choice(len(OPEN_STAGES), size=n, p=np.asarray(p.lost_last_stage_probs))
    reached = np.where(won, len(OPEN_STAGES), lost_stage + 1)

    in_window = close >= start
    out = {
        "creator": creator,
        "book_owner": owner,
        "created": created,
        "activity": activity,
        "kind": kind,
        "account": account,
        "amount": amount,
        "close": close,
        "won": won,
        "reached": reached,
    }
    out = {k: v[in_window] for k, v in out.items()}
    order = np.lexsort((out["creator"], out["created"]))
    return {k: v[order] for k, v in out.items()}


def _assign_outcomes(
    rng: np.random.Generator, opps: dict[str, np.ndarray], p: SampleParams, today: int
) -> None:
    """Stage entry days: the cycle split over the stages reached (Dirichlet shares)."""
    n = len(opps["created"])
    k = len(OPEN_STAGES)
    shape = p.stage_duration_concentration * np.asarray(p.stage_duration_weights) / sum(
        p.stage_duration_weights
    )
    g = rng.gamma(np.broadcast_to(shape, (n, k)))
    reached_mask = np.arange(k)[None, :] < opps["reached"][:, None]
    g = np.where(reached_mask, g, 0.0)
    frac = g / g.sum(axis=1, keepdims=True)
    cum = np.cumsum(frac, axis=1) - frac  # share of the cycle before entering stage j
    cycle = (opps["close"] - opps["created"]).astype(float)
    entry = opps["created"][:, None] + np.floor(cum * cycle[:, None]).astype(np.int64)
    opps["entry"] = np.where(reached_mask, entry, np.iinfo(np.int64).max)
    opps["closed"] = opps["close"] <= today


def _apply_hygiene_lapses(
    rng: np.random.Generator, opps: dict[str, np.ndarray], p: SampleParams, today: int
) -> None:
    """Mark the lapses reps leave on deals open at ``today`` (shares of open deals)."""
    n = len(opps["created"])
    open_ = ~opps["closed"]
    created = opps["created"]
    big = np.iinfo(np.int64).max

    dark = today - rng.integers(30, 91, n)
    stale = open_ & (rng.random(n) < p.stale_share) & (created <= dark)
    opps["dark"] = np.where(stale, dark, big)

    stall = today - rng.integers(45, 121, n)
    stuck = open_ & (rng.random(n) < p.stuck_share) & (created <= stall)
    cutoff = np.where(stuck, stall, today)
    opps["cutoff"] = cutoff
    entered = (opps["entry"] <= cutoff[:, None]).sum(axis=1)
    stage = np.where(
        opps["closed"],
        np.where(opps["won"], len(OPEN_STAGES), len(OPEN_STAGES) + 1),
        np.maximum(entered - 1, 0),
    )
    opps["stage"] = stage

    reported = opps["close"].copy()
    past_due = open_ & (rng.random(n) < p.past_due_share) & (created < today)
    reported = np.where(past_due, np.maximum(created, today - rng.integers(1, 46, n)), reported)
    early = (
        open_
        & ~past_due
        & (stage < 2)
        & (rng.random(n) < p.early_stage_near_close_share)
    )
    reported = np.where(early, today + rng.integers(0, 14, n), reported)
    opps["reported_close"] = reported
    opps["no_next_step"] = open_ & (rng.random(n) < p.missing_next_step_share)
    opps["no_amount"] = open_ & (rng.random(n) < p.missing_amount_share)


def _link_activities(
    rng: np.random.Generator,
    org: dict[str, np.ndarray],
    acc: dict[str, np.ndarray],
    p: SampleParams,
    acts: dict[str, np.ndarray],
    opps: dict[str, np.ndarray],
) -> None:
    """Tie activities to deals and accounts, and derive each deal's last activity.

    The meeting that created a deal is linked to it; an AE's other activities are
    linked, with probability ``activity_link_share``, to one of their deals created in
    the previous ``activity_link_window_days`` and still open that day (never after a
    stale deal went dark). Unlinked activities touch an account of the rep's book (AE)
    or of the team's books (SDR, SE).
    """
    n_act = len(acts["rep"])
    # the creating meetings
    has = opps["activity"] >= 0
    acts["opp"][opps["activity"][has]] = np.flatnonzero(has)
    # other AE activities
    key_scale = np.int64(1) << 32
    order = np.lexsort((opps["created"], opps["book_owner"]))
    keys = opps["book_owner"][order] * key_scale + opps["created"][order]
    cand = np.flatnonzero(
        (acts["opp"] < 0)
        & (org["role"][acts["rep"]] == 0)
        & (rng.random(n_act) < p.activity_link_share)
    )
    a_rep, a_day = acts["rep"][cand], acts["day"][cand]
    lo = np.searchsorted(keys, a_rep * key_scale + a_day - p.activity_link_window_days)
    hi = np.searchsorted(keys, a_rep * key_scale + a_day, side="right")
    j = lo + (rng.random(len(cand)) * (hi - lo)).astype(np.int64)
    valid = hi > lo
    j = np.where(valid, j, 0)
    o = order[j] if len(order) else np.zeros(len(cand), dtype=np.int64)
    if len(order):
        valid &= (a_day <= opps["close"][o]) & (a_day <= opps["dark"][o])
    acts["opp"][cand[valid]] = o[valid]
    linked = acts["opp"] >= 0
    acts["account"][linked] = opps["account"][acts["opp"][linked]]

    # unlinked: an account of the rep's book (AE) or of the team's (SDR, SE)
    free = np.flatnonzero(~linked)
    n_reps = len(org["role"])
    pool = np.lexsort((acc["owner"], org["team"][acc["owner"]]))
    ones = np.cumsum(np.ones(len(pool)))
    lo_o = np.zeros(n_reps, dtype=np.int64)
    hi_o = np.zeros(n_reps, dtype=np.int64)
    owners, first, count = np.unique(acc["owner"][pool], return_index=True, return_counts=True)
    lo_o[owners], hi_o[owners] = first, first + count
    team_of_pool = org["team"][acc["owner"][pool]]
    t_keys = np.arange(int(org["n_teams"]))
    lo_t = np.searchsorted(team_of_pool, t_keys, side="left")
    hi_t = np.searchsorted(team_of_pool, t_keys, side="right")
    r = acts["rep"][free]
    ae = org["role"][r] == 0
    lo = np.where(ae, lo_o[r], lo_t[org["team"][r]])
    hi = np.where(ae, hi_o[r], hi_t[org["team"][r]])
    idx = _weighted_choice_in_ranges(rng, ones, lo, hi)
    acts["account"][free] = _take(pool, idx)

    last = opps["created"].copy()
    np.maximum.at(last, acts["opp"][linked], acts["day"][linked])
    opps["last_activity"] = last


def _make_history(opps: dict[str, np.ndarray], today: int) -> dict[str, np.ndarray]:
    """One history row per stage entered (up to ``today``) and one at closing."""
    entry = opps["entry"]
    seen = entry <= np.minimum(opps["cutoff"], today)[:, None]
    i, j = np.nonzero(seen)
    closed = np.flatnonzero(opps["closed"])
    opp = np.concatenate([i, closed])
    stage = np.concatenate([j, opps["stage"][closed]])
    changed = np.concatenate([entry[i, j], opps["close"][closed]])
    order = np.lexsort((stage, changed, opp))
    return {"opp": opp[order], "stage": stage[order], "changed": changed[order]}


# --- frames --------------------------------------------------------------------------------


def _coded(codes: np.ndarray, labels: pd.Series | np.ndarray | list[str]) -> pd.Series:
    """Labels by integer code (-1 → missing), built as a categorical: cheap for millions."""
    cats = pd.Index(np.asarray(labels, dtype=object))
    if cats.has_duplicates:
        return pd.Series(np.where(codes >= 0, np.asarray(labels, dtype=object)[codes], None))
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats))


def _team_names(org: dict[str, np.ndarray]) -> list[str]:
    seen: dict[int, int] = {}
    names = []
    for region in org["team_region"]:
        k = seen.get(int(region), 0)
        seen[int(region)] = k + 1
        names.append(f"{REGIONS[region]} {chr(ord('A') + k % 26)}{k // 26 or ''}")
    return names


def _annual_quota(p: SampleParams, tenure_years: np.ndarray) -> np.ndarray:
    steps = np.array([t for t, _ in p.ae_annual_quota_usd_by_tenure])
    values = np.array([q for _, q in p.ae_annual_quota_usd_by_tenure])
    return values[np.searchsorted(steps, tenure_years, side="right") - 1]


def _reps_frame(org: dict[str, np.ndarray], p: SampleParams, today: int) -> pd.DataFrame:
    n = len(org["role"])
    teams = np.array(_team_names(org), dtype=object)
    ended = org["end"] <= today
    tenure = (np.minimum(org["end"], today) - org["hire"]) / 365.25
    quota = np.where(org["role"] == 0, _annual_quota(p, tenure), np.nan)
    return pd.DataFrame(
        {
            "rep_id": _rep_ids(n),
            "rep_name": org["name"],
            "team": teams[org["team"]],
            "manager": org["manager"][org["team"]],
            "role": np.array(SAMPLE_ROLES, dtype=object)[org["role"]],
            "hire_date": _to_dates(org["hire"]),
            "end_date": np.where(ended, _to_dates(np.minimum(org["end"], today)), np.datetime64("NaT")),
            "annual_quota": quota,
            "region": np.array(REGIONS, dtype=object)[org["region"]],
        }
    )


def _rep_ids(n: int) -> pd.Series:
    return _ids("R", n, max(4, len(str(n))))


def _account_ids(n: int) -> pd.Series:
    return _ids("ACC", n, max(5, len(str(n))))


def _opportunity_ids(n: int) -> pd.Series:
    return _ids("OPP", n, max(6, len(str(n))))


def _accounts_frame(acc: dict[str, np.ndarray], owner: np.ndarray, n_reps: int) -> pd.DataFrame:
    n = len(acc["name"])
    ids = _account_ids(n)
    return pd.DataFrame(
        {
            "account_id": ids,
            "account_name": acc["name"],
            "industry": np.array([i[0] for i in _INDUSTRIES], dtype=object)[acc["industry"]],
            "region": acc["region"],
            "country": acc["country"],
            "state": acc["state"],
            "city": acc["city"],
            "employees": acc["employees"],
            "annual_revenue": acc["revenue"],
            "owner_id": _coded(owner, _rep_ids(n_reps)),
            "parent_account_id": _coded(acc["parent"], ids),
        }
    )


_DEAL_LABELS = {
    "small_new_business": "New Business",
    "large_new_business": "New Business (Enterprise)",
    "add_on": "Add-On",
    "renewal": "Renewal",
}


def _opportunities_frame(
    opps: dict[str, np.ndarray],
    n_reps: int,
    acc_names: np.ndarray,
    p: SampleParams,
) -> pd.DataFrame:
    n = len(opps["created"])
    stage_names = np.array(STAGES, dtype=object)[opps["stage"]]
    closed = opps["closed"]
    labels = np.array(
        [_DEAL_LABELS.get(d.name, d.name.replace("_", " ").title()) for d in p.deal_types],
        dtype=object,
    )
    acct = opps["account"]
    acct_name = np.where(acct >= 0, acc_names[np.maximum(acct, 0)], "Unassigned")
    next_step = np.array([STAGE_NEXT_STEP.get(s) for s in STAGES], dtype=object)[opps["stage"]]
    return pd.DataFrame(
        {
            "opportunity_id": _opportunity_ids(n),
            "account_id": _coded(acct, _account_ids(len(acc_names))),
            "owner_id": _coded(opps["owner"], _rep_ids(n_reps)),
            "opportunity_name": acct_name + " - " + labels[opps["kind"]],
            "type": np.array([d.opportunity_type for d in p.deal_types], dtype=object)[opps["kind"]],
            "stage": stage_names,
            "amount": np.where(opps["no_amount"], 0.0, opps["amount"]),
            "created_date": _to_dates(opps["created"]),
            "close_date": _to_dates(np.where(closed, opps["close"], opps["reported_close"])),
            "is_closed": closed,
            "is_won": closed & opps["won"],
            "forecast_category": pd.Series(stage_names).map(STAGE_FORECAST_CATEGORY).to_numpy(),
            "next_step": np.where(closed | opps["no_next_step"], None, next_step),
            "last_activity_date": _to_dates(opps["last_activity"]),
            "probability": pd.Series(stage_names).map(STAGE_PROBABILITY_PCT).to_numpy(),
        }
    )


def _history_frame(
    hist: dict[str, np.ndarray], opps: dict[str, np.ndarray], opp_ids: pd.Series
) -> pd.DataFrame:
    o = hist["opp"]
    stage_names = np.array(STAGES, dtype=object)[hist["stage"]]
    close = np.where(opps["closed"], opps["close"], opps["reported_close"])[o]
    amount = np.where(opps["no_amount"], 0.0, opps["amount"])[o]
    return pd.DataFrame(
        {
            "opportunity_id": _coded(o, opp_ids),
            "changed_date": _to_dates(hist["changed"]),
            "stage": _coded(hist["stage"], list(STAGES)),
            "amount": amount,
            "close_date": _to_dates(close),
            "forecast_category": pd.Series(stage_names).map(STAGE_FORECAST_CATEGORY).to_numpy(),
        }
    )


def _activities_frame(
    acts: dict[str, np.ndarray], n_reps: int, n_accounts: int, opp_ids: pd.Series
) -> pd.DataFrame:
    subjects = [f"{k}: {s}" for k in ACTIVITY_KINDS for s in _SUBJECTS[k]]
    return pd.DataFrame(
        {
            "activity_id": _ids("ACT", len(acts["rep"]), max(7, len(str(len(acts["rep"]))))),
            "owner_id": _coded(acts["rep"], _rep_ids(n_reps)),
            "activity_type": _coded(acts["kind"], list(ACTIVITY_KINDS)),
            "activity_date": _to_dates(acts["day"]),
            "account_id": _coded(acts["account"], _account_ids(n_accounts)),
            "opportunity_id": _coded(acts["opp"], opp_ids),
            "subject": _coded(acts["subject"], subjects),
        }
    )


def _quotas_frame(org: dict[str, np.ndarray], p: SampleParams, start: int, today: int) -> pd.DataFrame:
    """Graduated ramp quotas (``ramp_quota_fractions`` of annual/12) in AEs' first months."""
    aes = np.flatnonzero(org["role"] == 0)
    k = len(p.ramp_quota_fractions)
    hire_m = pd.DatetimeIndex(_to_dates(org["hire"][aes]))
    hire_key = hire_m.year.to_numpy() * 12 + hire_m.month.to_numpy() - 1
    rep = np.repeat(aes, k)
    step = np.tile(np.arange(k), len(aes))
    key = np.repeat(hire_key, k) + step
    first = pd.Timestamp(_to_dates(np.array([start]))[0])
    last = pd.Timestamp(_to_dates(np.array([today]))[0])
    end_dates = pd.DatetimeIndex(_to_dates(np.minimum(org["end"][rep], today)))
    end_key = end_dates.year.to_numpy() * 12 + end_dates.month.to_numpy() - 1
    keep = (
        (key >= first.year * 12 + first.month - 1)
        & (key <= last.year * 12 + last.month - 1)
        & (key <= end_key)
    )
    rep, step, key = rep[keep], step[keep], key[keep]
    tenure = (np.minimum(org["end"][rep], today) - org["hire"][rep]) / 365.25
    monthly = _annual_quota(p, tenure) / 12.0
    return pd.DataFrame(
        {
            "rep_id": _rep_ids(len(org["role"]))[rep].to_numpy(),
            "month": [f"{k_ // 12:04d}-{k_ % 12 + 1:02d}" for k_ in key],
            "quota": np.round(monthly * np.asarray(p.ramp_quota_fractions)[step], 2),
        }
    )
