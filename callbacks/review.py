"""Simulated vs actual: thin callbacks around :mod:`simulation.review`.

Flow: the controls (plan, start month, as-of date, replications) → Run, a background
callback in the app's configured manager (diskcache on one machine, Celery scaled
out) with progress and cancel: it builds the plan's scenario, then runs the review,
the driver explanation and the re-forecast, each cached via ``services.cached`` keyed
by the scenario document, start month, as-of date, replications, seed and data
version, and returns only the small request (parameters) to a session store. The
render callback reads the three results from the cache (recomputing in process only
if the cache cannot be shared with the job, e.g. ``TP_CACHE=simple``) and draws the
chosen scope and metric; switching scope or metric never re-runs anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from dash import Input, Output, State

from app.services import Services, open_workspace
from callbacks.jobs import job
from crm.dataset import Dataset
from layouts import review as page
from layouts import review_figures as figs
from layouts.i18n import fmt_date, fmt_month, t
from layouts.ids import Review, Shell
from metrics.dashboards import default_as_of
from simulation.calibrate import calibrate
from simulation.review import (
    explain,
    month_first,
    month_label,
    months_left_in,
    reforecast,
    review,
    with_territories,
)
from simulation.scenario import Scenario

SEED = 0
"""One seed for every review: re-running the same review gives the same bands."""
START_CHOICES = 24
"""Start months offered: the last two years of data."""

Result = dict[str, Any]
ProgressFn = Callable[[float, str], None]


class SourceMissing(LookupError):
    """The saved scenario or plan named by the request no longer exists."""


@dataclass(frozen=True)
class Source:
    """What a request reviews, resolved against the workspace."""

    kind: str  # baseline | scenario | plan
    name: str
    document: Any  # what identifies it in cache keys (the saved JSON, or the anchor date)
    build: Callable[[Dataset], Scenario]
    territories_at: Callable[[Dataset, date], list[dict[str, Any]] | None]


# ---------------------------------------------------------------------------- pure


def parse_source(value: str | None) -> tuple[str, str]:
    """``scenario:<name>`` / ``plan:<name>`` / anything else = the baseline."""
    kind, _, name = (value or page.BASELINE).partition(":")
    if kind in ("scenario", "plan") and name:
        return kind, name
    return page.BASELINE, ""


def scenario_from_document(doc: dict[str, Any]) -> Scenario:
    """A saved scenario document: the Scenario page saves ``{"scenario": {...}, ...}``;
    a bare scenario dict (a script's) is accepted too."""
    body = doc.get("scenario", doc) if isinstance(doc, dict) else doc
    return Scenario.model_validate(body)


def default_start(kind: str, doc: Any, as_of: date) -> str:
    """The start month when none is picked: a scenario's first simulated month, a
    plan's start month, else January of the year of the last complete month."""
    if kind == "scenario" and doc is not None:
        start = scenario_from_document(doc).start_date
        return month_label(pd.Timestamp(start) + pd.Timedelta(days=1))
    if kind == "plan" and isinstance(doc, dict) and doc.get("start_date"):
        return month_label(pd.Timestamp(str(doc["start_date"])))
    last_complete = pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.offsets.MonthBegin(1) - pd.Timedelta(days=1)
    return f"{last_complete.year:04d}-01"


def start_options(dataset: Dataset, as_of: date, lang: str, seeded: str | None = None) -> list[dict[str, str]]:
    """The last ``START_CHOICES`` months up to the as-of month, newest first."""
    first, _ = dataset.date_range()
    last = pd.Timestamp(as_of)
    months = []
    month = last - pd.offsets.MonthBegin(1) if last.day != 1 else last
    lower = first - pd.offsets.MonthBegin(1) if first is not None and first.day != 1 else first
    while len(months) < START_CHOICES and (lower is None or month >= lower):
        months.append(month_label(month))
        month = month - pd.DateOffset(months=1)
    if seeded and seeded not in months:
        months.insert(0, seeded)
    return [{"label": fmt_month(m, lang), "value": m} for m in months]


def source_options(scenarios: list[str], plans: list[str], lang: str, seeded: str | None = None) -> list[dict[str, str]]:
    options = [{"label": t("review.source.baseline", lang), "value": page.BASELINE}]
    options += [{"label": t("review.source.scenario", lang, name=n), "value": f"scenario:{n}"} for n in scenarios]
    options += [{"label": t("review.source.plan", lang, name=n), "value": f"plan:{n}"} for n in plans]
    if seeded and seeded not in {o["value"] for o in options}:
        kind, name = parse_source(seeded)
        if kind != page.BASELINE:
            options.append({"label": t(f"review.source.{kind}", lang, name=name), "value": seeded})
    return options


def keep_choices(source: str | None, start: str | None, as_of: str | None, request: Result | None) -> tuple[str, str | None, str | None]:
    """The controls' values after the page is re-rendered (a language switch): a
    dropdown whose saved value is not among its first options comes back empty, so
    the last run's choices (the session's request) fill the gaps."""
    last = request if request and not request.get("error") else {}
    return (
        source or last.get("source") or page.BASELINE,
        start or last.get("start"),
        as_of or last.get("as_of"),
    )


def make_request(source: str | None, start: str, as_of: date, replications: int, seed: int = SEED) -> Result:
    """The run's parameters as small canonical JSON: the session store, the cache key
    (with the document and the data version) and the shareable link come from it."""
    kind, name = parse_source(source)
    return {
        "source": f"{kind}:{name}" if name else kind,
        "start": start,
        "as_of": as_of.isoformat(),
        "replications": int(replications),
        "seed": int(seed),
    }


def view_link(request: Result | None, scope: str | None, metric: str | None) -> str:
    """A link that reopens this review (the layout seeds its controls from it)."""
    if not request or request.get("error"):
        return "/review"
    kind, name = parse_source(request["source"])
    params: dict[str, str] = {}
    if kind != page.BASELINE:
        params[kind] = name
    params.update({"start": request["start"], "as_of": request["as_of"]})
    if scope and scope != "team":
        params["scope"] = scope
    if metric:
        params["metric"] = metric
    return f"/review?{urlencode(params)}"


def source_label(request: Result, lang: str) -> str:
    kind, name = parse_source(request["source"])
    if kind == page.BASELINE:
        at = (month_first(request["start"]) - pd.Timedelta(days=1)).date()
        return t("review.source.baseline.at", lang, date=fmt_date(at, lang))
    return t(f"review.source.{kind}", lang, name=name)


def status_text(request: Result | None, lang: str) -> str:
    if not request:
        return t("review.empty.run", lang)
    if request.get("error"):
        return str(request["error"])
    return t(
        "review.status.shown",
        lang,
        source=source_label(request, lang),
        start=fmt_month(request["start"], lang),
        as_of=fmt_date(request["as_of"], lang),
        replications=request["replications"],
    )


def scope_names(dataset: Dataset, territories: list[dict[str, Any]] | None) -> dict[str, str]:
    """Readable names of the scopes: reps by name; territories by the plan's names,
    or (one per rep, as calibrated) by their rep's name."""
    names = dict(zip(dataset.reps["rep_id"], dataset.reps["rep_name"], strict=True))
    out = {f"rep:{k}": str(v) for k, v in names.items()}
    if territories is None:
        out.update({f"territory:{k}": str(v) for k, v in names.items()})
    else:
        for terr in territories:
            out[f"territory:{terr['territory_id']}"] = str(terr.get("name") or terr["territory_id"])
    return out


# ---------------------------------------------------------------------------- services


def job_services(services: Services) -> Services:
    """Services for a background job: its own database engine (the job runs in a new
    process and must not share the parent's connections), the same shared cache."""
    return Services(settings=services.settings, workspace=open_workspace(services.settings), cache=services.cache)


def resolve_source(services: Services, request: Result) -> Source:
    """The scenario a request reviews, built lazily (calibration only on a cache miss)."""
    kind, name = parse_source(request["source"])
    start = request["start"]
    if kind == "scenario":
        doc = services.workspace.get_document("scenario", name)
        if doc is None:
            raise SourceMissing(name)
        return Source(kind, name, doc, lambda _ds: scenario_from_document(doc), lambda _ds, _at: None)
    anchor_day = (month_first(start) - pd.Timedelta(days=1)).date()
    if kind == "plan":
        doc = services.workspace.get_document("plan", name)
        if doc is None:
            raise SourceMissing(name)

        def territories_at(dataset: Dataset, at: date) -> list[dict[str, Any]]:
            from territory.bridge import territory_inputs
            from territory.files import plan_from_dict

            plan = plan_from_dict(doc, source=name)
            names = {x.territory_id: x.display_name for x in plan.territories}
            return [{**c, "name": names.get(c["territory_id"])} for c in territory_inputs(plan, dataset, at)]

        def build_plan(dataset: Dataset) -> Scenario:
            base = calibrate(dataset, anchor_day, horizon_months=12)
            return with_territories(base, territories_at(dataset, anchor_day)).model_copy(update={"name": name})

        return Source(kind, name, doc, build_plan, territories_at)
    return Source(
        page.BASELINE,
        "",
        {"baseline": anchor_day.isoformat()},
        lambda dataset: calibrate(dataset, anchor_day, horizon_months=12),
        lambda _ds, _at: None,
    )


def compute(services: Services, request: Result, on_progress: ProgressFn | None = None) -> tuple[Result, Result, Result, dict[str, str]]:
    """The review, the driver explanation and the re-forecast of a request (each
    cached), and the scope names."""
    source = resolve_source(services, request)
    params = {**request, "document": source.document}
    as_of = date.fromisoformat(request["as_of"])
    built: dict[str, Any] = {}

    def progress(lo: float, hi: float) -> ProgressFn | None:
        if on_progress is None:
            return None
        return lambda f, label: on_progress(lo + (hi - lo) * f, label)

    def scenario() -> Scenario:
        if "scenario" not in built:
            built["scenario"] = source.build(services.dataset())
        return built["scenario"]

    def cut_at(day: date) -> list[dict[str, Any]] | None:
        return source.territories_at(services.dataset(), day)

    anchor_day = (month_first(request["start"]) - pd.Timedelta(days=1)).date()

    def territory_accounts(cut: list[dict[str, Any]] | None) -> dict[str, list[str]] | None:
        return None if cut is None else {c["territory_id"]: list(c.get("account_ids", [])) for c in cut}

    def do_review() -> Result:
        sc, cut = scenario(), cut_at(anchor_day)
        return review(services.dataset(), sc, request["start"], as_of, request["replications"], request["seed"], territory_accounts=territory_accounts(cut), on_progress=progress(0.05, 0.3))

    def do_explain() -> Result:
        return explain(services.dataset(), scenario(), request["start"], as_of, request["replications"], request["seed"], on_progress=progress(0.3, 0.8))

    def do_reforecast() -> Result:
        left = months_left_in(_plan_months(scenario(), request["start"]), as_of)
        cut = cut_at(as_of)
        return reforecast(services.dataset(), as_of, left, request["replications"], request["seed"], territories=cut, territory_accounts=territory_accounts(cut), on_progress=progress(0.8, 1.0))

    def do_names() -> dict[str, str]:
        return scope_names(services.dataset(), cut_at(anchor_day))

    if on_progress is not None:
        on_progress(0.02, "review")
    res = services.cached("review", params, do_review)
    ex = services.cached("review-explain", params, do_explain)
    rf = services.cached("review-reforecast", params, do_reforecast)
    names = services.cached("review-names", params, do_names)
    return res, ex, rf, names


def _plan_months(scenario: Scenario, start: str) -> list[str]:
    first = month_first(start)
    return [month_label(first + pd.DateOffset(months=i)) for i in range(scenario.horizon_months)]


def run_review(services: Services, source: str | None, start: str | None, as_of: str | None, replications: Any, lang: str, on_progress: ProgressFn | None = None) -> Result:
    """Resolve defaults, compute (cached) and return the request for the store, or
    ``{"error": text}`` the page shows instead of results."""
    dataset = services.dataset()
    if dataset.opportunities.empty:
        return {"error": t("review.empty.data", lang)}
    picked = page.seed_controls({"as_of": as_of or ""})["as_of"]
    day = date.fromisoformat(picked) if picked else default_as_of(dataset, date.today())
    kind, name = parse_source(source)
    doc = services.workspace.get_document(kind, name) if kind != page.BASELINE else None
    if kind != page.BASELINE and doc is None:
        return {"error": t("review.status.missing", lang, kind=t(f"review.kind.{kind}", lang), name=name)}
    try:
        first = start or default_start(kind, doc, day)
        reps = int(replications or page.DEFAULT_REPLICATIONS)
        request = make_request(source, first, day, min(max(reps, 10), max(page.REPLICATION_CHOICES)))
        compute(services, request, on_progress)
    except (ValueError, SourceMissing) as exc:
        return {"error": t("review.status.error", lang, error=str(exc).splitlines()[0])}
    return request


def render(services: Services, request: Result | None, scope: str | None, metric: str | None, lang: str, theme: str) -> list[Any]:
    """Every output of the page for a finished request, in ``RENDER_OUTPUTS`` order."""
    metric = metric or page.REVIEW_METRICS[0]
    scope = scope or "team"
    res = ex = rf = None
    names: dict[str, str] = {}
    if request and not request.get("error"):
        try:
            res, ex, rf, names = compute(services, request)
        except (ValueError, SourceMissing) as exc:
            request = {"error": t("review.status.error", lang, error=str(exc).splitlines()[0])}
    if res is not None and scope not in res["series"]:
        scope = "team"
    plan_name = source_label(request, lang) if res is not None and request else t("review.series.plan", lang)
    return [
        status_text(request, lang),
        figs.scope_options(res, names, lang),
        figs.kpis(res, rf, ex, scope, metric, lang),
        figs.review_figure(res, rf, scope, metric, names, plan_name, lang, theme),
        figs.month_table(res, rf, scope, metric, lang),
        figs.drivers_figure(ex, res["as_of"] if res else None, lang, theme),
        figs.driver_text(ex, lang),
        figs.driver_table(ex, lang),
        view_link(request, scope, metric),
    ]


RENDER_OUTPUTS = (
    (Review.STATUS, "children"),
    (Review.SCOPE, "options"),
    (Review.KPIS, "children"),
    (Review.CHART, "figure"),
    (Review.TABLE, "children"),
    (Review.DRIVERS, "figure"),
    (Review.DRIVER_TEXT, "children"),
    (Review.DRIVER_TABLE, "children"),
    (Review.LINK, "href"),
)


# ---------------------------------------------------------------------------- wiring


def register(app: Any, services: Services) -> None:
    @app.callback(
        Output(Review.SOURCE, "options"),
        Output(Review.SOURCE, "value"),
        Output(Review.START, "options"),
        Output(Review.START, "value"),
        Output(Review.AS_OF, "date"),
        Input(Shell.VERSION, "data"),
        State(Review.SOURCE, "value"),
        State(Review.START, "value"),
        State(Review.AS_OF, "date"),
        State(Review.REQUEST, "data"),
        State(Shell.LANG, "data"),
    )
    def _options(_version: int | None, source: str | None, start: str | None, picked: str | None, request: Result | None, lang: str | None) -> tuple[Any, ...]:
        lang = lang or "en"
        dataset = services.dataset()
        source, start, picked = keep_choices(source, start, picked, request)
        day = date.fromisoformat(picked[:10]) if picked else default_as_of(dataset, date.today())
        docs = services.workspace
        return (
            source_options([d["name"] for d in docs.list_documents("scenario")], [d["name"] for d in docs.list_documents("plan")], lang, source),
            source,
            start_options(dataset, day, lang, start),
            start,
            picked or day.isoformat(),
        )

    @app.callback(
        Output(Review.REQUEST, "data"),
        Input(Review.RUN, "n_clicks"),
        State(Review.SOURCE, "value"),
        State(Review.START, "value"),
        State(Review.AS_OF, "date"),
        State(Review.REPLICATIONS, "value"),
        State(Shell.LANG, "data"),
        progress_default=[0, ""],
        **job(Review.RUN, Review.CANCEL, Review.PROGRESS),
    )
    def _run(set_progress: Any, _n: int | None, source: str | None, start: str | None, as_of: str | None, replications: Any, lang: str | None) -> Result:
        lang = lang or "en"

        def progress(fraction: float, stage: str) -> None:
            set_progress((round(100 * fraction), t(f"review.progress.{stage}", lang)))

        return run_review(job_services(services), source, start, as_of, replications, lang, progress)

    @app.callback(
        *[Output(cid, prop) for cid, prop in RENDER_OUTPUTS],
        Input(Review.REQUEST, "data"),
        Input(Review.SCOPE, "value"),
        Input(Review.METRIC, "value"),
        Input(Shell.THEME, "data"),
        State(Shell.LANG, "data"),
    )
    def _render(request: Result | None, scope: str | None, metric: str | None, theme: str | None, lang: str | None) -> list[Any]:
        return render(services, request, scope, metric, lang or "en", theme or "light")

