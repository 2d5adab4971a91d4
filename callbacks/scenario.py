"""The Scenario page's callbacks: thin wrappers around the pure functions below.

Flow: the as-of date → the calibrated baseline (cached per data version and as-of,
as scenario JSON) → the lever form seeded from it → every edit validated against the
simulation's own pydantic model (errors next to the field, in the user's language)
→ the validated *levers* (only what differs from the baseline, small JSON) in a
store → Run, a background callback: the variant runs progressively (its first block
pushed as a figure through ``set_progress``), the baseline once on the same seed, the
two paired by ``simulation.runner.compare_results`` → a JSON summary (bands,
probabilities, a histogram; never a DataFrame) cached under the canonical hash of
the scenario, replications and seed → figures per scope.

The store between Run and the figures holds only the run's inputs; the render
callback fetches the summary from the cache (a miss, e.g. an evicted entry,
simulates again), so scope and theme changes never re-run anything.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

import numpy as np
import pandas as pd
from dash import ALL, Input, Output, State, ctx, no_update
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.services import Services
from callbacks.jobs import job
from crm.dataset import Dataset
from crm.schema import ACV_TYPES
from layouts import scenario as page
from layouts import scenario_figures as figs
from layouts.i18n import fmt_date, t
from layouts.ids import Scenario as Ids
from layouts.ids import Shell
from simulation.calibrate import calibrate
from simulation.runner import SimResults, compare_results, run, run_iter
from simulation.scenario import PlannedHire
from simulation.scenario import Scenario as SimScenario

log = logging.getLogger(__name__)

Summary = dict[str, Any]
Levers = dict[str, Any]
HORIZON_MONTHS = 12
HIST_EDGES = [round(x, 2) for x in np.arange(0.0, 3.01, 0.1)]
PROGRESS_CHUNK = 50
POLL_MS = 250
NEW_HIRE_PREFIX = "new-"


class RunSettings(BaseModel):
    """Replications and seed, validated like every other lever."""

    model_config = ConfigDict(extra="forbid")

    replications: Annotated[int, Field(ge=1, le=page.MAX_REPLICATIONS)]
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)]


class ScenarioName(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=page.NAME_MAX)]


# ---------------------------------------------------------------------------- baseline


def workers() -> int:
    """Processes for one run: both cores here, never more than there are."""
    return max(1, min(2, os.cpu_count() or 1))


def baseline_payload(dataset: Dataset, as_of: date) -> dict[str, Any]:
    """The calibrated baseline as JSON, or ``{"error": ...}`` when the data cannot
    be calibrated (an empty workspace, no AE with history)."""
    if dataset.reps.empty or dataset.opportunities.empty:
        return {"error": "empty"}
    try:
        return {"scenario": calibrate(dataset, as_of, horizon_months=HORIZON_MONTHS).model_dump(mode="json")}
    except (ValueError, KeyError, IndexError) as exc:
        log.warning("baseline calibration failed at %s: %s", as_of, exc)
        return {"error": str(exc)}


def baseline(services: Services, as_of: date) -> tuple[SimScenario | None, str | None]:
    """The baseline scenario at ``as_of`` (cached per data version), or the reason
    there is none."""
    payload = services.cached("scenario-baseline", {"as_of": as_of.isoformat(), "months": HORIZON_MONTHS}, lambda: baseline_payload(services.dataset(), as_of))
    if "scenario" not in payload:
        return None, payload["error"]
    return SimScenario.model_validate(payload["scenario"]), None


def default_as_of(services: Services, today: date) -> date:
    from metrics.dashboards import default_as_of as metrics_default

    value = services.cached("dashboards-default-as-of", {"today": today.isoformat()}, lambda: metrics_default(services.dataset(), today).isoformat())
    return date.fromisoformat(value)


def resolve_as_of(picked: str | None, default: date) -> date:
    return page.common.parse_date(picked) or default


def baseline_text(base: SimScenario, lang: str) -> str:
    return t(
        "scen.baseline",
        lang,
        as_of=fmt_date(base.start_date, lang),
        reps=len(base.reps),
        teams=len({r.team for r in base.reps}),
        open=len(base.open_opportunities),
        hires=len(base.planned_hires),
        months=base.horizon_months,
    )


def teams_with_se(base: SimScenario) -> list[str]:
    return sorted(base.se_capacity_per_team)


# ---------------------------------------------------------------------------- levers


def _shown(value: float, scale: float) -> float:
    """A model value in the form's unit, rounded to what a person types."""
    return round(float(value) * scale, 2)


def baseline_values(base: SimScenario) -> dict[str, Any]:
    """Every lever's value in the baseline, in the unit shown on the form."""
    values: dict[str, Any] = {s.key: _shown(getattr(base, s.key), s.scale) for s in page.SCALAR_LEVERS}
    mix = base.deal_mix()
    for d in base.deal_types:
        values[f"mix:{d.name}"] = round(mix[d.name] * page.MIX.scale, 1)
        values[f"size:{d.name}"] = round(d.size_median_usd)
    for team, n in base.se_capacity_per_team.items():
        values[f"se:{team}"] = int(n)
    values["replications"] = page.DEFAULT_REPLICATIONS
    values["seed"] = page.DEFAULT_SEED
    return values


def form_values(base: SimScenario, levers: Levers | None) -> dict[str, Any]:
    """What the form shows: the baseline overlaid with the levers (model units → shown)."""
    values = baseline_values(base)
    levers = levers or {}
    for key, value in (levers.get("values") or {}).items():
        if key in values:
            values[key] = _shown(value, page.spec_of(key).scale)
    for key in ("replications", "seed"):
        if key in levers:
            values[key] = levers[key]
    return values


def _model_value(key: str, shown: Any) -> Any:
    """A shown value in the model's unit; anything not a number is passed on for
    pydantic to refuse with its own message."""
    if isinstance(shown, bool) or not isinstance(shown, int | float):
        return shown
    scale = page.spec_of(key).scale
    return shown / scale if scale != 1.0 else shown


def apply_levers(base: SimScenario, levers: Levers) -> SimScenario:
    """The baseline with the levers applied, validated (raises ``ValidationError``).

    ``levers``: ``values`` (lever key → value in the model's unit), ``seasonality``
    (bool or absent), ``hires`` (rows added to the baseline's planned hires).
    """
    update: dict[str, Any] = {}
    mix: dict[str, Any] = {}
    sizes: dict[str, Any] = {}
    se: dict[str, Any] = dict(base.se_capacity_per_team)
    for key, value in (levers.get("values") or {}).items():
        kind, _, arg = key.partition(":")
        if kind == "mix":
            mix[arg] = value
        elif kind == "size":
            sizes[arg] = value
        elif kind == "se":
            se[arg] = value
        elif key in page.BY_KEY and key not in ("replications", "seed"):
            update[key] = value
    if mix:
        update["deal_mix_override"] = {**base.deal_mix_override, **mix}
    if sizes:
        update["deal_types"] = [d.model_copy(update={"size_median_usd": sizes[d.name]}) if d.name in sizes else d for d in base.deal_types]
    if se != base.se_capacity_per_team:
        update["se_capacity_per_team"] = se
    if levers.get("seasonality") is not None:
        update["seasonality_enabled"] = bool(levers["seasonality"])
    hires = levers.get("hires") or []
    if hires:
        update["planned_hires"] = list(base.planned_hires) + [
            PlannedHire(hire_id=h["hire"], team=h["team"], start_date=date.fromisoformat(h["start_date"]), ramp_months=h.get("ramp_months"))
            for h in hires
        ]
    if not update:
        return base
    return base.model_copy(update={**update, "name": "what-if"}).validated()


def is_baseline(variant: SimScenario, base: SimScenario) -> bool:
    return variant.model_dump(exclude={"name"}) == base.model_dump(exclude={"name"})


def _limit_text(value: Any, scale: float) -> str:
    return f"{float(value) * scale:g}"


def error_message(err: dict[str, Any], scale: float, lang: str) -> str:
    """A pydantic error in the user's language, limits in the form's unit."""
    kind = err.get("type", "")
    ctx_ = err.get("ctx") or {}
    for bound in ("ge", "gt", "le", "lt"):
        if kind.startswith({"ge": "greater_than_equal", "gt": "greater_than", "le": "less_than_equal", "lt": "less_than"}[bound]) and bound in ctx_:
            return t(f"scen.err.{bound}", lang, limit=_limit_text(ctx_[bound], scale))
    if kind == "int_from_float":
        return t("scen.err.whole", lang)
    if kind == "finite_number":
        return t("scen.err.finite", lang)
    if kind in {"float_type", "float_parsing", "int_type", "int_parsing", "missing", "none_required"}:
        return t("scen.err.number", lang)
    return t("scen.err.invalid", lang, message=err.get("msg", ""))


def error_key(loc: tuple[Any, ...], base: SimScenario) -> str | None:
    """The form key of a scenario validation error's location, None when it has none."""
    if not loc:
        return None
    head = loc[0]
    if head in page.BY_KEY:
        return str(head)
    if head == "deal_mix_override" and len(loc) > 1:
        return f"mix:{loc[1]}"
    if head == "deal_types" and len(loc) > 2 and loc[2] == "size_median_usd" and isinstance(loc[1], int) and loc[1] < len(base.deal_types):
        return f"size:{base.deal_types[loc[1]].name}"
    if head == "se_capacity_per_team" and len(loc) > 1:
        return f"se:{loc[1]}"
    if head == "planned_hires":
        return "hires"
    return None


def validate_form(
    base: SimScenario,
    shown: dict[str, Any],
    seasonality: bool | None,
    hires: list[dict[str, Any]] | None,
    lang: str,
) -> tuple[Levers | None, dict[str, str]]:
    """The form's values → validated levers, or the errors by lever key.

    Validation is the simulation's own (``Scenario`` and its field limits), so the
    form can never accept what the model would refuse. Only values that differ from
    the baseline are kept: a saved scenario is "the baseline plus these changes", and
    reapplies to a later baseline.
    """
    errors: dict[str, str] = {}
    base_values = baseline_values(base)
    values = {k: _model_value(k, v) for k, v in shown.items() if k not in ("replications", "seed")}
    changed = {}
    for key, value in values.items():
        reference = _model_value(key, base_values.get(key))
        if not (isinstance(value, int | float) and isinstance(reference, int | float) and abs(value - reference) <= 1e-9 * max(1.0, abs(reference))):
            changed[key] = value
    levers: Levers = {"values": changed, "hires": list(hires or [])}
    if seasonality is not None and bool(seasonality) != base.seasonality_enabled:
        levers["seasonality"] = bool(seasonality)
    try:
        settings = RunSettings.model_validate({"replications": shown.get("replications"), "seed": shown.get("seed")})
        levers.update(settings.model_dump())
    except ValidationError as exc:
        for err in exc.errors():
            errors[str(err["loc"][0])] = error_message(err, 1.0, lang)
    try:
        apply_levers(base, levers)
    except ValidationError as exc:
        for err in exc.errors():
            key = error_key(tuple(err["loc"]), base)
            if key is None and "mix_share values must not all be 0" in str(err.get("msg", "")):
                for k in shown:
                    if k.startswith("mix:"):
                        errors[k] = t("scen.err.mix_zero", lang)
                continue
            key = key or "form"
            scale = page.spec_of(key).scale if key not in ("hires", "form") else 1.0
            errors.setdefault(key, error_message(err, scale, lang))
    return (None, errors) if errors else (levers, {})


# ---------------------------------------------------------------------------- hires


def next_hire_id(hires: list[dict[str, Any]]) -> str:
    used = [int(h["hire"][len(NEW_HIRE_PREFIX):]) for h in hires if str(h.get("hire", "")).startswith(NEW_HIRE_PREFIX) and h["hire"][len(NEW_HIRE_PREFIX):].isdigit()]
    return f"{NEW_HIRE_PREFIX}{max(used, default=0) + 1}"


def add_hire(
    hires: list[dict[str, Any]] | None,
    team: str | None,
    start: str | None,
    ramp: Any,
    base: SimScenario,
    lang: str,
) -> tuple[list[dict[str, Any]], str | None]:
    """A planned hire added to the list, or the list unchanged and why."""
    hires = list(hires or [])
    teams = {r.team for r in base.reps}
    if team not in teams:
        return hires, t("scen.hire.err.team", lang)
    first = base.start_date + timedelta(days=1)
    end = (pd.Timestamp(base.start_date) + pd.DateOffset(months=base.horizon_months)).date()
    day = page.common.parse_date(start)
    if day is None or not first <= day < end:
        return hires, t("scen.hire.err.start", lang, as_of=fmt_date(base.start_date, lang), end=fmt_date(end, lang))
    hire_id = next_hire_id(hires)
    try:
        hire = PlannedHire(hire_id=hire_id, team=team, start_date=day, ramp_months=ramp if ramp not in ("", None) else None)
    except ValidationError as exc:
        err = exc.errors()[0]
        return hires, t("scen.hire.err.ramp", lang, message=error_message(err, 1.0, lang))
    hires.append({"hire": hire.hire_id, "team": hire.team, "start_date": hire.start_date.isoformat(), "ramp_months": hire.ramp_months})
    return hires, None


def remove_hires(hires: list[dict[str, Any]] | None, selected: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    gone = {row.get("hire") for row in selected or []}
    return [h for h in hires or [] if h.get("hire") not in gone]


# ---------------------------------------------------------------------------- running


def _f(value: Any) -> float | None:
    """A JSON-safe float (NaN and infinities become None)."""
    v = float(value)
    return v if np.isfinite(v) else None


def _fl(values: Any) -> list[float | None]:
    return [_f(v) for v in np.asarray(values, dtype=float).tolist()]


def _is_person(scope: str) -> bool:
    """A rep or planned hire; backfill slots (whoever replaces a leaver) are not
    people a leader can look up, so they stay out of the per-rep charts."""
    return scope.startswith("rep:") and not scope.startswith("rep:backfill:")


def summarise(res: SimResults, as_of: date, horizon_months: int | None = None) -> Summary:
    """A run's results as small JSON: cumulative bands per scope, each scope's chance
    of quota, the pooled histogram of the reps' attainment, the team's horizon ACV."""
    b = res.bands(metrics=["cum_closed_won_acv", "cum_quota"])
    bands: dict[str, dict[str, list[float | None]]] = {}
    for (scope, metric), g in b.groupby(["scope", "metric"], sort=False):
        entry = bands.setdefault(str(scope), {})
        if metric == "cum_closed_won_acv":
            entry.update({"p10": _fl(g["p10"]), "p50": _fl(g["p50"]), "p90": _fl(g["p90"])})
        else:
            entry["quota"] = _fl(g["p50"])
    prob = res.prob_quota()
    prob_rows = [
        {
            "scope": str(r.scope),
            "p_hit": _f(r.p_hit_annual_quota),
            "p10": _f(r.attainment_p10),
            "p50": _f(r.attainment_p50),
            "p90": _f(r.attainment_p90),
        }
        for r in prob.itertuples(index=False)
        if r.scope == "team" or _is_person(str(r.scope))
    ]
    att = res.annual_attainment()
    reps = [i for i, s in enumerate(res.scopes) if _is_person(s)]
    pooled = att[:, reps].reshape(-1) if reps else np.array([])
    pooled = pooled[np.isfinite(pooled)]
    counts, _ = np.histogram(np.clip(pooled, 0.0, HIST_EDGES[-1] - 1e-9), bins=HIST_EDGES)
    team_acv = res.metric("closed_won_acv", "team").sum(axis=1)
    return {
        "as_of": as_of.isoformat(),
        "horizon_months": horizon_months or len(res.months),
        "months": list(res.months),
        "replications": res.replications,
        "requested": res.requested,
        "seed": res.seed,
        "bands": bands,
        "prob": prob_rows,
        "hist": {"edges": HIST_EDGES, "share": _fl(counts / max(1, len(pooled)))},
        "team_acv": dict(zip(("p10", "p50", "p90"), _fl(np.percentile(team_acv, [10, 50, 90])), strict=True)),
    }


def summarise_comparison(variant: SimResults, base: SimResults, as_of: date, horizon_months: int | None = None) -> Summary:
    """The variant's summary with the baseline's and the paired deltas."""
    cmp = compare_results(base, variant)
    out = summarise(variant, as_of, horizon_months)
    out["baseline"] = summarise(base, as_of, horizon_months)
    d = cmp.delta_bands(metrics=["cum_closed_won_acv"])
    out["delta"] = {str(scope): {"p10": _fl(g["p10"]), "p50": _fl(g["p50"]), "p90": _fl(g["p90"])} for scope, g in d.groupby("scope", sort=False)}
    team_delta = cmp.delta.metric("closed_won_acv", "team").sum(axis=1)
    out["delta_team_acv"] = dict(zip(("p10", "p50", "p90"), _fl(np.percentile(team_delta, [10, 50, 90])), strict=True))
    return out


ProgressFn = Callable[[int, int, Summary], None]


def simulate(
    base: SimScenario,
    levers: Levers,
    on_progress: ProgressFn | None = None,
    n_workers: int = 1,
) -> Summary:
    """Run the scenario the levers make of the baseline; compare when they change it.

    The variant runs first and progressively (``on_progress`` gets each partial
    summary), then the baseline on the same seed: common random numbers.
    """
    variant = apply_levers(base, levers)
    reps, seed = int(levers["replications"]), int(levers["seed"])
    last: SimResults | None = None
    for res in run_iter(variant, reps, seed, workers=n_workers, chunk=PROGRESS_CHUNK):
        last = res
        if on_progress is not None and not res.complete:
            on_progress(res.replications, reps, summarise(res, base.start_date, base.horizon_months))
    assert last is not None
    if is_baseline(variant, base):
        return summarise(last, base.start_date, base.horizon_months)
    base_res = run(base, reps, seed, workers=n_workers)
    return summarise_comparison(last, base_res, base.start_date, base.horizon_months)


def sim_params(base: SimScenario, levers: Levers) -> dict[str, Any]:
    """The cache key's parameters: the scenario as run, replications, seed, and which
    baseline it was compared with."""
    variant = apply_levers(base, levers)
    compared = None if is_baseline(variant, base) else hashlib.sha256(base.model_dump_json().encode()).hexdigest()
    return {"scenario": variant.model_dump_json(), "replications": int(levers["replications"]), "seed": int(levers["seed"]), "baseline": compared}


def cached_summary(services: Services, base: SimScenario, levers: Levers, on_progress: ProgressFn | None = None) -> Summary:
    return services.cached("sim", sim_params(base, levers), lambda: simulate(base, levers, on_progress, workers()))


# ---------------------------------------------------------------------------- actuals and labels


def actuals_to_date(dataset: Dataset, base: SimScenario) -> dict[str, Any]:
    """Closed-won ACV this calendar year to the as-of date, cumulative by month, per
    scope (team, each rep, each territory by its owner), and each scope's quota to
    date (calibration's prorated quota), to anchor the projection."""
    as_of = pd.Timestamp(base.start_date)
    start = pd.Timestamp(year=as_of.year, month=1, day=1)
    months = [p.strftime("%Y-%m") for p in pd.period_range(start, as_of, freq="M")]
    o = dataset.opportunities
    won = o[o["type"].isin(ACV_TYPES) & o["is_won"] & o["is_closed"] & (o["close_date"] >= start) & (o["close_date"] <= as_of)]
    month = won["close_date"].dt.strftime("%Y-%m")
    by = won.groupby([won["owner_id"], month])["amount"].sum()

    def cum(values: dict[str, float]) -> list[float]:
        return np.cumsum([values.get(m, 0.0) for m in months]).round(2).tolist()

    per_rep: dict[str, dict[str, float]] = {}
    for (rep, m), amount in by.items():
        per_rep.setdefault(str(rep), {})[str(m)] = float(amount)
    team_values = won.groupby(month)["amount"].sum()
    out_won: dict[str, list[float]] = {"team": cum({str(k): float(v) for k, v in team_values.items()})}
    quota = {"team": float(sum(r.quota_to_date_usd for r in base.reps))}
    for r in base.reps:
        out_won[f"rep:{r.rep_id}"] = cum(per_rep.get(r.rep_id, {}))
        quota[f"rep:{r.rep_id}"] = float(r.quota_to_date_usd)
    for terr in base.territories:
        if terr.owner_rep_id is not None:
            out_won[f"territory:{terr.territory_id}"] = out_won[f"rep:{terr.owner_rep_id}"]
            quota[f"territory:{terr.territory_id}"] = quota[f"rep:{terr.owner_rep_id}"]
    return {"months": months, "won": out_won, "quota": quota}


def names(dataset: Dataset, base: SimScenario) -> dict[str, Any]:
    """Who is who for labels: rep names and teams, territory owners."""
    reps = dataset.reps
    rep_name = {str(k): str(v) for k, v in zip(reps["rep_id"], reps["rep_name"], strict=True)}
    return {
        "rep_name": rep_name,
        "rep_team": {r.rep_id: r.team for r in base.reps} | {h.hire_id: h.team for h in base.planned_hires},
        "territory_owner": {x.territory_id: x.owner_rep_id for x in base.territories},
    }


def scope_label(scope: str, who: dict[str, Any], lang: str) -> str:
    kind, _, key = scope.partition(":")
    if kind == "team":
        return t("scen.scope.team", lang)
    if kind == "territory":
        owner = who["territory_owner"].get(key)
        name = who["rep_name"].get(owner or "", "")
        return t("scen.scope.territory", lang, name=f"{key} · {name}" if name and name != key else key)
    if key.startswith("backfill:"):
        return t("scen.scope.backfill", lang, name=key.split(":", 1)[1])
    if key in who["rep_name"]:
        return t("scen.scope.rep", lang, name=who["rep_name"][key])
    return t("scen.scope.hire", lang, name=key)


def scope_options(scopes: list[str], who: dict[str, Any], lang: str) -> list[dict[str, str]]:
    order = {"team": 0, "rep": 1, "territory": 2}
    ranked = sorted(scopes, key=lambda s: (order.get(s.partition(":")[0], 3), scope_label(s, who, lang)))
    return [{"label": scope_label(s, who, lang), "value": s} for s in ranked]


def baseline_scopes(base: SimScenario, levers: Levers | None = None) -> list[str]:
    hires = [h.hire_id for h in base.planned_hires] + [h["hire"] for h in (levers or {}).get("hires", [])]
    return ["team"] + [f"rep:{r.rep_id}" for r in base.reps] + [f"rep:{h}" for h in hires] + [f"territory:{x.territory_id}" for x in base.territories]


# ---------------------------------------------------------------------------- saved scenarios


def validate_name(name: Any, lang: str) -> tuple[str | None, str | None]:
    try:
        return ScenarioName(name=name if isinstance(name, str) else "").name, None
    except ValidationError as exc:
        kind = exc.errors()[0]["type"]
        if kind == "string_too_long":
            return None, t("scen.name.long", lang, limit=page.NAME_MAX)
        return None, t("scen.name.blank", lang)


def scenario_document(name: str, base: SimScenario, levers: Levers) -> dict[str, Any]:
    """What is saved: the levers (reapplied on load), the as-of date, and the full
    scenario as it ran (for scripts and for the record)."""
    variant = apply_levers(base, levers)
    return {"name": name, "as_of": base.start_date.isoformat(), "levers": levers, "scenario": variant.model_copy(update={"name": name}).model_dump(mode="json")}


def saved_options(services: Services) -> list[dict[str, str]]:
    return [{"label": d["name"], "value": d["name"]} for d in services.workspace.list_documents("scenario")]


def duplicate_name(name: str, existing: set[str], lang: str) -> str:
    candidate = t("scen.copy", lang, name=name)
    n = 2
    while candidate in existing or len(candidate) > page.NAME_MAX:
        candidate = t("scen.copy.n", lang, name=name[: page.NAME_MAX - 20], n=n)
        n += 1
    return candidate


def duplicate(services: Services, name: str, lang: str) -> str | None:
    """Save a copy of the saved scenario ``name``; its new name, None if it is gone."""
    doc = services.workspace.get_document("scenario", name)
    if doc is None:
        return None
    new = duplicate_name(name, {d["name"] for d in services.workspace.list_documents("scenario")}, lang)
    copy = dict(doc, name=new)
    if isinstance(copy.get("scenario"), dict):
        copy["scenario"] = dict(copy["scenario"], name=new)
    services.workspace.save_document("scenario", new, copy)
    return new


# ---------------------------------------------------------------------------- wiring


def _lever_keys() -> list[str]:
    return [item["id"]["key"] for item in ctx.inputs_list[0]]


def register(app: Any, services: Services) -> None:
    parent = os.getpid()

    def base_at(picked: str | None) -> tuple[SimScenario | None, str | None]:
        return baseline(services, resolve_as_of(picked, default_as_of(services, date.today())))

    def who(base: SimScenario) -> dict[str, Any]:
        return services.cached("scenario-names", {"as_of": base.start_date.isoformat()}, lambda: names(services.dataset(), base))

    @app.callback(
        Output(Ids.FORM, "children"),
        Output(Ids.BASELINE_INFO, "children"),
        Output(Ids.HIRE_TEAM, "options"),
        Output(Ids.HIRES, "rowData"),
        Output(Ids.AS_OF, "date"),
        Output(Ids.SAVE_STATUS, "children"),
        Output(Ids.SEASONALITY, "value"),
        Input(Ids.AS_OF, "date"),
        Input(Ids.LOADED, "data"),
        Input(Shell.VERSION, "data"),
        State(Ids.HIRES, "rowData"),
        State(Shell.LANG, "data"),
    )
    def _controls(picked: str | None, loaded: dict[str, Any] | None, _v: Any, hires: Any, lang: str | None) -> tuple[Any, ...]:
        lang = lang or "en"
        doc = services.workspace.get_document("scenario", loaded["name"]) if loaded and loaded.get("name") else None
        status: Any = no_update
        if loaded and loaded.get("name"):
            status = t("scen.loaded.ok", lang, name=loaded["name"]) if doc else t("scen.load.missing", lang, name=loaded["name"])
        if doc and ctx.triggered_id in (Ids.LOADED, None):
            picked = doc.get("as_of") or picked
        base, error = base_at(picked)
        if base is None:
            text = t("scen.baseline.empty", lang) if error == "empty" else t("scen.baseline.failed", lang, error=error)
            return None, text, [], [], no_update, status, no_update
        levers = doc.get("levers") if doc else None
        values = form_values(base, levers)
        seasonality = (levers or {}).get("seasonality", base.seasonality_enabled)
        form = page.lever_form(values, [d.name for d in base.deal_types], teams_with_se(base), lang)
        rows = (levers or {}).get("hires", []) if doc else hires or []
        teams = sorted({r.team for r in base.reps})
        return form, baseline_text(base, lang), [{"label": x, "value": x} for x in teams], rows, base.start_date.isoformat(), status, seasonality

    @app.callback(
        Output({"type": Ids.LEVER.value, "key": ALL}, "invalid"),
        Output({"type": Ids.LEVER_FEEDBACK.value, "key": ALL}, "children"),
        Output(Ids.LEVERS, "data"),
        Output(Ids.ERRORS, "children"),
        Output(Ids.RUN, "disabled"),
        Input({"type": Ids.LEVER.value, "key": ALL}, "value"),
        Input(Ids.SEASONALITY, "value"),
        Input(Ids.HIRES, "rowData"),
        State(Ids.AS_OF, "date"),
        State(Shell.LANG, "data"),
    )
    def _validate(values: list[Any], seasonality: bool | None, hires: Any, picked: str | None, lang: str | None) -> tuple[Any, ...]:
        keys = _lever_keys()
        base, _ = base_at(picked)
        if base is None or not keys:
            return [False] * len(keys), [""] * len(keys), None, "", True
        levers, errors = validate_form(base, dict(zip(keys, values, strict=True)), seasonality, hires, lang or "en")
        general = [errors[k] for k in ("form", "hires") if k in errors]
        summary = " ".join([t("scen.err.count", lang, count=len(errors))] + general) if errors else ""
        return [k in errors for k in keys], [errors.get(k, "") for k in keys], levers, summary, levers is None

    @app.callback(
        Output(Ids.HIRES, "rowData", allow_duplicate=True),
        Output(Ids.HIRE_FEEDBACK, "children"),
        Input(Ids.HIRE_ADD, "n_clicks"),
        Input(Ids.HIRE_REMOVE, "n_clicks"),
        State(Ids.HIRES, "rowData"),
        State(Ids.HIRES, "selectedRows"),
        State(Ids.HIRE_TEAM, "value"),
        State(Ids.HIRE_START, "date"),
        State(Ids.HIRE_RAMP, "value"),
        State(Ids.AS_OF, "date"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _hires(_a: Any, _r: Any, rows: Any, selected: Any, team: Any, start: Any, ramp: Any, picked: Any, lang: Any) -> tuple[Any, Any]:
        if ctx.triggered_id == Ids.HIRE_REMOVE:
            return remove_hires(rows, selected), ""
        base, _ = base_at(picked)
        if base is None:
            return no_update, ""
        rows, error = add_hire(rows, team, start, ramp, base, lang or "en")
        return rows, error or ""

    @app.callback(
        Output(Ids.RESULT, "data"),
        Output(Ids.STATUS, "children"),
        Output(Ids.PROGRESS, "value"),
        Output(Ids.PROGRESS, "label"),
        Input(Ids.RUN, "n_clicks"),
        State(Ids.LEVERS, "data"),
        State(Ids.AS_OF, "date"),
        State(Ids.SCOPE, "value"),
        State(Shell.LANG, "data"),
        State(Shell.THEME, "data"),
        interval=POLL_MS,
        **job(Ids.RUN, Ids.CANCEL, Ids.PROGRESS, Output(Ids.BANDS, "figure")),
    )
    def _run(set_progress: Callable[[tuple[Any, ...]], None], _n: Any, levers: Any, picked: Any, scope: Any, lang: Any, theme: Any) -> tuple[Any, ...]:
        if os.getpid() != parent:
            # A forked job process must not reuse the parent's pooled connections.
            services.workspace.engine.dispose(close=False)
        lang = lang or "en"
        base, _ = base_at(picked)
        if base is None or not levers:
            return no_update, t("scen.status.invalid", lang), 0, ""
        try:
            apply_levers(base, levers)
        except ValidationError:
            return no_update, t("scen.status.invalid", lang), 0, ""
        actual = services.cached("scenario-actuals", {"as_of": base.start_date.isoformat()}, lambda: actuals_to_date(services.dataset(), base))
        label = scope_label(scope or "team", who(base), lang)
        started = time.perf_counter()
        ran: list[bool] = []

        def progress(done: int, total: int, summary: Summary) -> None:
            ran.append(True)
            figure = figs.band_figure(summary, scope or "team", actual, label, lang, theme or "light")
            set_progress((round(100 * done / total), t("scen.progress", lang, done=done, total=total), figure))

        summary = cached_summary(services, base, levers, progress)
        seconds = time.perf_counter() - started
        key = "scen.status.done" if ran or seconds > 0.5 else "scen.status.cached"
        status = t(key, lang, runs=summary["replications"], seconds=f"{seconds:.1f}", seed=summary["seed"])
        done = t("scen.progress", lang, done=summary["replications"], total=summary["replications"])
        return {"as_of": base.start_date.isoformat(), "levers": levers, "at": time.time()}, status, 100, done

    @app.callback(
        Output(Ids.KPIS, "children"),
        Output(Ids.BANDS, "figure"),
        Output(Ids.DELTA, "figure"),
        Output(Ids.HISTOGRAM, "figure"),
        Output(Ids.PROB, "figure"),
        Output(Ids.PROB_GRID, "rowData"),
        Output(Ids.PROB_GRID, "columnDefs"),
        Output(Ids.SCOPE, "options"),
        Input(Ids.RESULT, "data"),
        Input(Ids.SCOPE, "value"),
        Input(Shell.THEME, "data"),
        State(Ids.AS_OF, "date"),
        State(Shell.LANG, "data"),
    )
    def _render(result: Any, scope: Any, theme: Any, picked: Any, lang: Any) -> tuple[Any, ...]:
        lang, theme, scope = lang or "en", theme or "light", scope or "team"
        base, _ = baseline(services, date.fromisoformat(result["as_of"])) if result else base_at(picked)
        if base is None:
            empty = figs.empty_state(lang, theme)
            return None, empty["bands"], empty["delta"], empty["hist"], empty["prob"], [], figs.prob_columns(lang, False), []
        names_ = who(base)
        if not result:
            empty = figs.empty_state(lang, theme)
            options = scope_options(baseline_scopes(base), names_, lang)
            return None, empty["bands"], empty["delta"], empty["hist"], empty["prob"], [], figs.prob_columns(lang, False), options
        summary = cached_summary(services, base, result["levers"])
        actual = services.cached("scenario-actuals", {"as_of": base.start_date.isoformat()}, lambda: actuals_to_date(services.dataset(), base))
        scopes = list(summary["bands"])
        if scope not in summary["bands"]:
            scope = "team"
        label = scope_label(scope, names_, lang)
        labels = {s: scope_label(s, names_, lang) for s in scopes}
        compared = "baseline" in summary
        return (
            figs.kpis(summary, lang),
            figs.band_figure(summary, scope, actual, label, lang, theme),
            figs.delta_figure(summary, scope, label, lang, theme),
            figs.hist_figure(summary, lang, theme),
            figs.prob_figure(summary, labels, lang, theme),
            figs.prob_rows(summary, labels, names_["rep_team"]),
            figs.prob_columns(lang, compared),
            scope_options(scopes, names_, lang),
        )

    @app.callback(
        Output(Ids.SAVED, "options"),
        Output(Ids.SAVED, "value"),
        Output(Ids.NAME, "invalid"),
        Output(Ids.NAME_FEEDBACK, "children"),
        Output(Ids.SAVE_STATUS, "children", allow_duplicate=True),
        Input(Ids.SAVE, "n_clicks"),
        Input(Ids.DUPLICATE, "n_clicks"),
        Input(Shell.VERSION, "data"),
        State(Ids.NAME, "value"),
        State(Ids.SAVED, "value"),
        State(Ids.LEVERS, "data"),
        State(Ids.AS_OF, "date"),
        State(Shell.LANG, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def _save(_s: Any, _d: Any, _v: Any, name: Any, selected: Any, levers: Any, picked: Any, lang: Any) -> tuple[Any, ...]:
        lang = lang or "en"
        if ctx.triggered_id == Ids.SAVE:
            clean, error = validate_name(name, lang)
            if error:
                return no_update, no_update, True, error, ""
            base, _ = base_at(picked)
            if base is None or not levers:
                return no_update, no_update, False, "", t("scen.save.invalid", lang)
            services.workspace.save_document("scenario", clean, scenario_document(clean, base, levers))
            return saved_options(services), clean, False, "", t("scen.saved.ok", lang, name=clean)
        if ctx.triggered_id == Ids.DUPLICATE:
            if not selected:
                return no_update, no_update, False, "", t("scen.load.pick", lang)
            new = duplicate(services, selected, lang)
            if new is None:
                return saved_options(services), None, False, "", t("scen.load.missing", lang, name=selected)
            return saved_options(services), new, False, "", t("scen.duplicated.ok", lang, name=new)
        return saved_options(services), no_update, False, "", no_update

    @app.callback(
        Output(Ids.LOADED, "data"),
        Output(Ids.NAME, "value"),
        Output(Ids.SAVE_STATUS, "children", allow_duplicate=True),
        Input(Ids.LOAD, "n_clicks"),
        State(Ids.SAVED, "value"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _load(_n: Any, selected: Any, lang: Any) -> tuple[Any, Any, Any]:
        if not selected:
            return no_update, no_update, t("scen.load.pick", lang)
        return {"name": selected, "at": time.time()}, selected, no_update
