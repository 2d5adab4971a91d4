"""The scenario document: every parameter of the sales model, validated at the edge.

Why pydantic: a scenario travels as JSON (saved in the workspace, sent from the UI,
diffed between what-ifs), so it must round-trip exactly and refuse bad numbers with
an error that names the field (``deal_types.0.win_rate``) instead of producing a
silent NaN forecast. Units are in the field names (``cycle_median_days``,
``size_median_usd``) so a reader never guesses. What-ifs are
``scenario.model_copy(update={...})``; call :meth:`Scenario.validated` afterwards
when the update came from a user, because ``model_copy`` does not re-validate.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Multiplier = Annotated[float, Field(ge=0.0, le=100.0)]
Sigma = Annotated[float, Field(ge=0.0, le=4.0)]

DEAL_KINDS = ("new_business", "add_on")
DEFAULT_SEASONALITY = (1.0,) * 12


class _Strict(BaseModel):
    """Finite numbers only and no unknown keys: a typo in a saved scenario is an error."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=False)


class DealType(_Strict):
    """One opportunity type with its own size, cycle and win rate.

    The cycle is split in three phases; the middle one (the demo / evaluation) needs a
    solution engineer when the type's ``needs_se`` is true and the team's SE capacity
    is set, which is where deals queue when SEs are short.

    The evidence fields say how well the data pinned the type down:
    ``win_rate_evidence_deals`` is the effective number of closed deals behind
    ``win_rate`` (a Beta posterior of that strength), ``size_log_mean_se`` and
    ``cycle_log_mean_se`` are standard errors of the log of the size and cycle
    medians.
    """

    name: str = Field(min_length=1)
    kind: Literal["new_business", "add_on"]
    mix_share: Share
    size_median_usd: Positive
    size_sigma: Sigma = 0.8
    cycle_median_days: Annotated[float, Field(gt=0.0, le=3650.0)]
    cycle_sigma: Sigma = 0.6
    lost_cycle_factor: Annotated[float, Field(gt=0.0, le=10.0)] = 1.0
    win_rate: Share
    pre_evaluation_share: Share = 0.3
    evaluation_share: Share = 0.4
    needs_se: bool = True
    # Estimation uncertainty (0 = the value is known exactly). Calibration fills them
    # in; the model draws one value per replication when the scenario's
    # ``parameter_uncertainty`` is on, so the bands carry "we only estimated this".
    win_rate_evidence_deals: NonNegative = 0.0
    size_log_mean_se: Annotated[float, Field(ge=0.0, le=2.0)] = 0.0
    cycle_log_mean_se: Annotated[float, Field(ge=0.0, le=2.0)] = 0.0

    @model_validator(mode="after")
    def _phases_fit(self) -> DealType:
        if self.pre_evaluation_share + self.evaluation_share > 1.0 + 1e-9:
            raise ValueError(
                "pre_evaluation_share + evaluation_share must be at most 1 "
                f"(got {self.pre_evaluation_share} + {self.evaluation_share})"
            )
        return self


class RepInput(_Strict):
    """A rep as they are at the start date: rates at full productivity, tenure, results.

    Rates are per working day at full productivity and for a territory of average
    potential; the model scales them by the ramp curve, seasonality, capacity and the
    territory's potential. ``opportunities_per_day`` is used when the scenario's
    funnel is ``"opportunities"`` (data with no activities).
    """

    rep_id: str = Field(min_length=1)
    team: str = Field(min_length=1)
    role: str = "AE"
    hire_date: date
    annual_quota_usd: NonNegative = 0.0
    monthly_quota_usd: dict[str, NonNegative] = Field(default_factory=dict)
    activities_per_day: NonNegative = 0.0
    meetings_per_activity: Share = 0.0
    opportunities_per_meeting: Share = 0.0
    opportunities_per_day: NonNegative = 0.0
    ramp_months: Annotated[float, Field(ge=0.0, le=36.0)] | None = None
    closed_won_to_date_usd: NonNegative = 0.0
    quota_to_date_usd: NonNegative = 0.0


class PlannedHire(_Strict):
    """A planned hire: joins ``team`` on ``start_date`` and ramps over ``ramp_months``.

    ``territory_id`` names the TBH seat the hire takes over; without one the hire
    gets a new territory of the team's average size (new accounts, not carved from
    colleagues).
    """

    hire_id: str = Field(min_length=1)
    team: str = Field(min_length=1)
    start_date: date
    ramp_months: Annotated[float, Field(ge=0.0, le=36.0)] | None = None
    annual_quota_usd: NonNegative | None = None
    territory_id: str | None = None


class TerritoryInput(_Strict):
    """A territory as the territory plan cuts it (one per rep when no plan exists).

    ``owner_rep_id`` is None for a TBH seat; ``tbh_start_date`` is when its hire
    starts; ``covering_rep_id`` is the neighbour who works it while it is unstaffed.
    ``account_count`` None means the pool never saturates. ``potential_usd`` None
    means average potential.
    """

    territory_id: str = Field(min_length=1)
    owner_rep_id: str | None = None
    tbh_start_date: date | None = None
    covering_rep_id: str | None = None
    account_count: Annotated[int, Field(ge=0)] | None = None
    potential_usd: NonNegative | None = None
    team: str | None = None


class OpenOpportunity(_Strict):
    """An opportunity open at the start date; it continues from its stage and age."""

    opportunity_id: str = Field(min_length=1)
    rep_id: str = Field(min_length=1)
    territory_id: str | None = None
    deal_type: str
    amount_usd: NonNegative
    age_days: NonNegative
    win_probability: Share
    stage: str | None = None


class Scenario(_Strict):
    """Everything the simulation needs, and every lever a leader can pull.

    The horizon starts the day after ``start_date`` (the as-of date) and runs
    ``horizon_months`` calendar months on working days (Mon-Fri).
    """

    name: str = "baseline"
    start_date: date
    horizon_months: Annotated[int, Field(ge=1, le=36)] = 12
    funnel: Literal["activities", "opportunities"] = "activities"

    reps: list[RepInput] = Field(default_factory=list)
    planned_hires: list[PlannedHire] = Field(default_factory=list)
    territories: list[TerritoryInput] = Field(default_factory=list)
    open_opportunities: list[OpenOpportunity] = Field(default_factory=list)
    deal_types: list[DealType] = Field(min_length=1)

    ramp_months: Annotated[float, Field(ge=0.0, le=36.0)] = 5.0
    ramp_start_productivity: Share = 0.2
    quota_ramp: bool = False

    activity_rate_multiplier: Multiplier = 1.0
    meeting_conversion_multiplier: Multiplier = 1.0
    opportunity_conversion_multiplier: Multiplier = 1.0
    win_rate_multiplier: Multiplier = 1.0
    deal_size_multiplier: Multiplier = 1.0
    cycle_length_multiplier: Annotated[float, Field(gt=0.0, le=100.0)] = 1.0
    deal_mix_override: dict[str, Share] = Field(default_factory=dict)

    attrition_base_monthly_hazard: Share = 0.0
    attrition_behind_quota_multiplier: Annotated[float, Field(ge=1.0, le=50.0)] = 2.0
    attrition_behind_quota_threshold: Share = 0.7
    backfill_delay_days: Annotated[float, Field(ge=0.0, le=730.0)] = 75.0

    se_capacity_per_team: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict
    )
    evaluations_per_se: Annotated[float, Field(gt=0.0, le=100.0)] = 8.0

    open_deal_capacity: Annotated[float, Field(gt=0.0)] | None = None
    min_prospecting_share: Share = 0.3
    saturation_onset_share: Annotated[float, Field(gt=0.0, le=1.0)] = 0.3
    potential_meeting_elasticity: Annotated[float, Field(ge=0.0, le=2.0)] = 0.5
    potential_size_elasticity: Annotated[float, Field(ge=0.0, le=2.0)] = 0.5

    seasonality_enabled: bool = True
    seasonality_by_month: list[Annotated[float, Field(ge=0.0, le=10.0)]] = Field(
        default_factory=lambda: list(DEFAULT_SEASONALITY), min_length=12, max_length=12
    )

    precarve: bool = True
    carve_delay_days: Annotated[float, Field(ge=0.0, le=365.0)] = 45.0
    neighbour_coverage: bool = True
    coverage_efficiency: Share = 0.5
    recarve_month: Annotated[int, Field(ge=1, le=12)] | None = None
    recarve_penalty: Share = 0.15
    recarve_penalty_days: Annotated[float, Field(ge=0.0, le=365.0)] = 60.0

    # Share of the current reps' new opportunities that SDRs source for them (folded
    # into the reps' yields). SDR capacity does not grow with AE headcount, so new
    # seats (planned hires, TBH seats) get the team's average yield without it.
    sdr_sourced_opportunity_share: Share = 0.0

    # Estimation uncertainty of the team-level rates (0 = known exactly): the
    # effective number of activities / created opportunities behind the activity
    # rate and the opportunity yield (Gamma posterior strength, over-dispersion
    # already taken out). ``parameter_uncertainty=False`` ignores every evidence
    # field, which analytic tests and "what if we knew the rates" views want.
    parameter_uncertainty: bool = True
    activity_rate_evidence_count: NonNegative = 0.0
    opportunity_rate_evidence_count: NonNegative = 0.0

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        names = [d.name for d in self.deal_types]
        if len(set(names)) != len(names):
            raise ValueError(f"deal_types: names must be unique, got {names}")
        mix = sum(self.deal_mix().values())
        if mix <= 0:
            raise ValueError("deal_types: mix_share values must not all be 0")
        rep_ids = [r.rep_id for r in self.reps]
        if len(set(rep_ids)) != len(rep_ids):
            raise ValueError("reps: rep_id values must be unique")
        known = set(rep_ids)
        terr_ids = [t.territory_id for t in self.territories]
        if len(set(terr_ids)) != len(terr_ids):
            raise ValueError("territories: territory_id values must be unique")
        for i, t in enumerate(self.territories):
            for field in ("owner_rep_id", "covering_rep_id"):
                value = getattr(t, field)
                if value is not None and value not in known:
                    raise ValueError(f"territories.{i}.{field}: unknown rep {value!r}")
        hire_ids = [h.hire_id for h in self.planned_hires]
        if len(set(hire_ids)) != len(hire_ids):
            raise ValueError("planned_hires: hire_id values must be unique")
        for i, h in enumerate(self.planned_hires):
            if h.territory_id is not None and h.territory_id not in set(terr_ids):
                raise ValueError(
                    f"planned_hires.{i}.territory_id: unknown territory {h.territory_id!r}"
                )
        for i, o in enumerate(self.open_opportunities):
            if o.deal_type not in set(names):
                raise ValueError(
                    f"open_opportunities.{i}.deal_type: unknown deal type {o.deal_type!r}"
                )
            if o.rep_id not in known:
                raise ValueError(
                    f"open_opportunities.{i}.rep_id: unknown rep {o.rep_id!r}"
                )
        for key in self.deal_mix_override:
            if key not in set(names):
                raise ValueError(f"deal_mix_override: unknown deal type {key!r}")
        return self

    def deal_mix(self) -> dict[str, float]:
        """The deal-type mix in use (the override wins), normalised to sum to 1."""
        raw = {
            d.name: self.deal_mix_override.get(d.name, d.mix_share)
            for d in self.deal_types
        }
        total = sum(raw.values())
        return {k: (v / total if total > 0 else 0.0) for k, v in raw.items()}

    def validated(self) -> Scenario:
        """Re-run validation (``model_copy(update=...)`` skips it)."""
        return Scenario.model_validate(self.model_dump())

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        return cls.model_validate_json(text)
