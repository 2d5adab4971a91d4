"""The Plans page's callbacks: thin wrappers around the pure functions below.

Plans are saved in the workspace's documents table (kind ``plan``, the plan's name
as the document name); the current plan is derived from account ownership on every
request and never saved. Only names, keys and small form values reach the browser;
reports and simulation results are computed on the server and memoised with
``services.cached`` (keyed by the plan's content, the parameters and the data
version). Comparisons and the mid-year change run as background callbacks with
progress and cancel, in the app's configured manager.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update

from app.services import Services, open_workspace
from callbacks.jobs import job
from crm.dataset import Dataset
from crm.export import to_csv_bytes
from layouts import plans as view
from layouts import plans_figures as figs
from layouts.dashboards import common
from layouts.figures import color, empty_figure
from layouts.i18n import fmt_date, fmt_money, fmt_month, fmt_number, fmt_pct, t
from layouts.ids import Plans, Shell
from metrics.dashboards import default_as_of
from territory.balance import DisruptionBudget, balance
from territory.fairness import fairness_report
from territory.files import (
    PlanFileError,
    plan_from_assignment_csv,
    plan_from_dict,
    plan_from_json,
    plan_to_dict,
    plan_to_json,
)
from territory.outcomes import compare_plans, midyear_change
from territory.plan import (
    AccountRule,
    Plan,
    PlanEditError,
    add_tbh_seat,
    current_plan,
    move_accounts,
    move_by_rule,
    rename_plan,
    resolve,
)
from territory.potential import account_potential

KIND = "plan"
CURRENT_KEY = view.CURRENT_KEY
CURRENT_NAME = figs.CURRENT_NAME
MAX_NAME = 80
MAX_REPLICATIONS = 2000
Result = dict[str, Any]


class FormError(ValueError):
    """A form value the page refuses; the message is already in the user's language."""


# ------------------------------------------------------------------ plans and names


def as_of_for(dataset: Dataset) -> date:
    """The page's as-of date: today, or the data's last dated event when older."""
    return default_as_of(dataset, date.today())


def saved_names(services: Services) -> list[str]:
    return [d["name"] for d in services.workspace.list_documents(KIND)]


def plan_options(names: list[str], lang: str) -> list[dict[str, str]]:
    """The current plan first, then the saved plans by name."""
    return [{"label": t("plans.current", lang), "value": CURRENT_KEY}] + [{"label": n, "value": n} for n in names]


def restore_choice(triggered: str | None, selected: str | None, stored: str | None, names: list[str]) -> tuple[Any, Any]:
    """Keep the plan selector and its session store in step (the router re-renders the
    page on a language switch, which would otherwise fall back to the URL's plan).

    A pick by the user is stored; on load, a plan stored earlier in the session wins
    over the default (the current plan) while it still exists; a plan named in the
    URL wins over both."""
    if triggered == Plans.SELECT:
        return no_update, selected
    if (not selected or selected == CURRENT_KEY) and stored and (stored == CURRENT_KEY or stored in names):
        return stored, no_update
    return no_update, selected


def load_plan(services: Services, dataset: Dataset, key: str | None) -> Plan:
    """The plan behind a selector value; KeyError when a saved plan is gone."""
    if not key or key == CURRENT_KEY:
        return current_plan(dataset, name=CURRENT_NAME)
    payload = services.workspace.get_document(KIND, key)
    if payload is None:
        raise KeyError(key)
    return plan_from_dict(payload, source=key)


def save(services: Services, plan: Plan) -> None:
    services.workspace.save_document(KIND, plan.name, plan_to_dict(plan))


def check_name(name: str | None, existing: list[str], lang: str, *, allow: str | None = None) -> str:
    """A valid new plan name (stripped), or FormError saying what is wrong."""
    clean = (name or "").strip()
    if not clean:
        raise FormError(t("plans.err.name_blank", lang))
    if len(clean) > MAX_NAME:
        raise FormError(t("plans.err.name_long", lang, n=MAX_NAME))
    if clean in (CURRENT_KEY, CURRENT_NAME, t("plans.current", "en"), t("plans.current", "zh")):
        raise FormError(t("plans.err.name_reserved", lang))
    if clean in existing and clean != allow:
        raise FormError(t("plans.err.name_taken", lang, name=clean))
    return clean


def unique_name(name: str, existing: list[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``… when it is taken (imports never overwrite)."""
    if name not in existing and name != CURRENT_NAME:
        return name
    n = 2
    while f"{name} ({n})" in existing:
        n += 1
    return f"{name} ({n})"


def whole_number(value: Any, lo: int, hi: int | None, lang: str, field: str, *, optional: bool = False) -> int | None:
    """A whole number from a form field within [lo, hi], or FormError naming the field."""
    if value is None or value == "":
        if optional:
            return None
        raise FormError(t("plans.err.required", lang, field=field))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FormError(t("plans.err.number", lang, field=field)) from None
    if not number.is_integer() or number < lo or (hi is not None and number > hi):
        upper = "∞" if hi is None else fmt_number(hi, lang)
        raise FormError(t("plans.err.range", lang, field=field, lo=fmt_number(lo, lang), hi=upper))
    return int(number)


def editable(key: str | None) -> bool:
    return bool(key) and key != CURRENT_KEY


def require_editable(key: str | None, lang: str) -> None:
    if not editable(key):
        raise FormError(t("plans.err.readonly", lang))


# ------------------------------------------------------------------ reading a plan


def potential_frame(services: Services) -> pd.DataFrame:
    """Account potential at the page's as-of date, once per data version (in process)."""
    return services.derived("plans-account-potential", lambda ds: account_potential(ds, as_of_for(ds)))


def plan_report(services: Services, plan: Plan) -> Result:
    """The plan's fairness report, memoised by the plan's content and the data version."""

    def compute() -> Result:
        dataset = services.dataset()
        return fairness_report(plan, dataset, as_of_for(dataset), accounts=potential_frame(services))

    return services.cached("plans-fairness", plan_to_dict(plan), compute)


def account_rows(plan: Plan, dataset: Dataset, acct: pd.DataFrame) -> list[dict[str, Any]]:
    """One grid row per account: name, state, industry, region, potential, territory."""
    assignment = resolve(plan, dataset)
    frame = pd.DataFrame(
        {
            "account_id": dataset.accounts["account_id"].to_numpy(),
            "account_name": dataset.accounts["account_name"].to_numpy(),
            "state": dataset.accounts["state"].to_numpy(),
            "industry": dataset.accounts["industry"].to_numpy(),
            "region": dataset.accounts["region"].to_numpy(),
            "potential_usd": acct["potential_usd"].round(0).to_numpy(),
            "territory_id": assignment["territory_id"].to_numpy(),
        }
    )
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def territory_options(plan: Plan) -> list[dict[str, str]]:
    return [{"label": f"{tr.territory_id} · {tr.display_name}" if tr.name else tr.territory_id, "value": tr.territory_id} for tr in plan.territories]


def rep_options(dataset: Dataset) -> list[dict[str, str]]:
    """Active AEs, who can cover a TBH seat until its hire starts."""
    reps = dataset.reps
    active = reps[reps["end_date"].isna() & (reps["role"].fillna("AE") == "AE")]
    return [{"label": f"{n} · {r}", "value": r} for r, n in sorted(zip(active["rep_id"], active["rep_name"], strict=True))]


def bulk_value_options(dataset: Dataset, field: str | None) -> list[dict[str, str]]:
    if field not in view.BULK_FIELDS:
        return []
    values = sorted({str(v) for v in dataset.accounts[field].dropna().unique() if str(v).strip()})
    return [{"label": v, "value": v} for v in values]


def tbh_rows(plan: Plan, report: Result, rep_names: dict[str, str]) -> list[dict[str, Any]]:
    """The plan's TBH seats with their start date, covering rep and size."""
    by_id = {r["territory_id"]: r for r in report["territories"]}
    rows = []
    for tr in plan.territories:
        if not tr.is_tbh:
            continue
        stats = by_id.get(tr.territory_id, {})
        cover = tr.covering_rep_id or ""
        rows.append(
            {
                "territory_id": tr.territory_id,
                "name": tr.display_name,
                "start_date": tr.tbh_start_date.isoformat() if tr.tbh_start_date else None,
                "covering": f"{rep_names.get(cover, cover)} · {cover}" if cover else "",
                "account_count": stats.get("account_count", 0),
                "potential_usd": stats.get("potential_usd", 0.0),
            }
        )
    return rows


def map_rows(plan: Plan, dataset: Dataset, acct: pd.DataFrame) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per US state (when the accounts carry US state codes) or else per country: the
    territory holding most of its potential, its accounts and how many territories share it."""
    assignment = resolve(plan, dataset)
    frame = pd.DataFrame(
        {
            "state": dataset.accounts["state"].astype("str").str.strip().str.upper().to_numpy(),
            "country": dataset.accounts["country"].astype("str").str.strip().to_numpy(),
            "territory_id": assignment["territory_id"].to_numpy(),
            "potential_usd": acct["potential_usd"].to_numpy(dtype="float64"),
        }
    )
    frame = frame[frame["territory_id"].notna()]
    us = frame["country"].str.casefold().isin(figs.US_NAMES) | frame["country"].isna()
    states = frame[us & frame["state"].isin(figs.US_STATES)]
    countries = frame[frame["country"].notna() & ~frame["country"].str.casefold().isin(figs.US_NAMES)]

    def rows(part: pd.DataFrame, key: str) -> list[dict[str, Any]]:
        if part.empty:
            return []
        grouped = part.groupby([key, "territory_id"], sort=True)["potential_usd"].agg(["sum", "size"]).reset_index()
        out = []
        for location, g in grouped.groupby(key, sort=True):
            top = g.sort_values(["sum", "size"], ascending=False).iloc[0]
            out.append(
                {
                    "location": str(location),
                    "territory_id": str(top["territory_id"]),
                    "accounts": int(g["size"].sum()),
                    "potential_usd": float(g["sum"].sum()),
                    "territories": len(g),
                }
            )
        return out

    state_rows = rows(states, "state")
    return state_rows, ([] if state_rows else rows(countries, "country"))


def kpis(report: Result, lang: str) -> Any:
    """Gini, CV, max/min and the share within tolerance as cards, with the as-of date."""
    ratio = report["max_min_ratio"]
    cards = [
        common.kpi_card(t("plans.kpi.territories", lang), fmt_number(report["territory_count"], lang), t("plans.kpi.unassigned", lang, n=fmt_number(report["unassigned_accounts"], lang)), testid="plans-kpi-territories"),
        common.kpi_card(t("plans.kpi.gini", lang), fmt_number(report["gini_potential"], lang, 3), t("plans.kpi.gini.sub", lang), testid="plans-kpi-gini", tone="success" if report["gini_potential"] < 0.1 else "warning" if report["gini_potential"] < 0.25 else "danger"),
        common.kpi_card(t("plans.kpi.cv", lang), fmt_number(report["cv_potential"], lang, 3), t("plans.kpi.cv.sub", lang), testid="plans-kpi-cv"),
        common.kpi_card(t("plans.kpi.ratio", lang), "∞" if ratio is None else f"{fmt_number(ratio, lang, 2)}×", t("plans.kpi.ratio.sub", lang), testid="plans-kpi-ratio"),
        common.kpi_card(
            t("plans.kpi.within", lang, pct=fmt_pct(report["tolerance"], lang)),
            fmt_pct(report["share_within_tolerance"], lang),
            t("plans.kpi.within.sub", lang, mean=fmt_money(report["mean_potential_usd"], lang)),
            testid="plans-kpi-within",
        ),
    ]
    head = f"{figs.plan_label(report['plan'], lang)} · {t('common.as_of', lang)} {fmt_date(report['as_of'], lang)}"
    return html.Div([html.Div(head, className="small text-muted mb-1", **{"data-testid": "plans-as-of"}), common.kpi_row(cards)])


def overview(services: Services, key: str | None, lang: str, theme: str) -> dict[Plans, Any]:
    """Every output describing the selected plan (KPIs, charts, grids, options)."""
    dataset = services.dataset()
    try:
        plan = load_plan(services, dataset, key)
    except (KeyError, PlanFileError):
        plan = load_plan(services, dataset, CURRENT_KEY)
        key = CURRENT_KEY
    acct = potential_frame(services)
    report = plan_report(services, plan)
    states, countries = map_rows(plan, dataset, acct)
    ids = list(plan.territory_ids)
    rep_names = dict(zip(dataset.reps["rep_id"], dataset.reps["rep_name"], strict=True))
    can_edit = editable(key)
    return {
        Plans.KPIS: kpis(report, lang),
        Plans.FAIRNESS: figs.fairness_figure(report, lang, theme),
        Plans.MAP: figs.map_figure(states, countries, ids, report["as_of"], lang, theme),
        Plans.GRID: account_rows(plan, dataset, acct),
        Plans.READONLY: t("plans.readonly" if not can_edit else "plans.editable", lang, lock=fmt_date(plan.lock_until, lang), start=fmt_date(plan.start_date, lang)),
        Plans.BULK_TO: territory_options(plan),
        Plans.TBH_TABLE: tbh_rows(plan, report, rep_names),
        Plans.TBH_COVER: rep_options(dataset),
        "columns": view.account_columns(lang, ids, can_edit),
    }


# ------------------------------------------------------------------ edits


def carve(dataset: Dataset, name: str, k: int, by: str) -> Plan:
    """K balanced territories keeping ``by`` units together (territory.balance)."""
    return balance(dataset, as_of_for(dataset), territories=k, by=by, name=name).plan  # type: ignore[arg-type]


def grid_changes(plan: Plan, changes: Any) -> Plan:
    """Apply the grid's edited territory cells (dash-ag-grid ``cellValueChanged``)."""
    events = changes if isinstance(changes, list) else [changes] if isinstance(changes, dict) else []
    for event in events:
        if event.get("colId") != "territory_id":
            continue
        account = (event.get("data") or {}).get("account_id") or event.get("rowId")
        value = event.get("value") or None
        if account:
            plan = move_accounts(plan, [str(account)], value)
    return plan


def bulk_move(plan: Plan, dataset: Dataset, field: str | None, values: Any, to: str | None, lang: str) -> tuple[Plan, int]:
    """Every account whose ``field`` is one of ``values`` moves to ``to``; returns the
    new plan and how many accounts changed territory."""
    if field not in view.BULK_FIELDS:
        raise FormError(t("plans.err.required", lang, field=t("plans.bulk.field", lang)))
    picked = [v for v in (values or []) if v]
    if not picked:
        raise FormError(t("plans.err.required", lang, field=t("plans.bulk.value", lang)))
    if not to:
        raise FormError(t("plans.err.required", lang, field=t("plans.bulk.to", lang)))
    before = resolve(plan, dataset)["territory_id"]
    moved = move_by_rule(plan, dataset, AccountRule(**{field: tuple(picked)}), to)
    after = resolve(moved, dataset)["territory_id"]
    return moved, int((before.fillna("") != after.fillna("")).sum())


def rebalance(plan: Plan, dataset: Dataset, by: str, max_accounts: int | None, max_pipeline: int | None, name: str) -> tuple[Plan, list[dict[str, Any]], Result]:
    """Rebalance within the budget: the new plan, the moves and the before/after numbers."""
    result = balance(
        dataset,
        as_of_for(dataset),
        plan=plan,
        by=by,  # type: ignore[arg-type]
        budget=DisruptionBudget(max_accounts=max_accounts, max_pipeline_usd=None if max_pipeline is None else float(max_pipeline)),
        name=name,
    )
    names = dict(zip(dataset.accounts["account_id"], dataset.accounts["account_name"], strict=True))
    states = dict(zip(dataset.accounts["account_id"], dataset.accounts["state"], strict=True))
    moves = result.moves.assign(
        account_name=result.moves["account_id"].map(names),
        state=result.moves["account_id"].map(states),
    )
    rows = moves.astype(object).where(moves.notna(), None).to_dict("records")
    return result.plan, rows, {"before": result.before, "after": result.after, "disruption": result.disruption}


def rebalance_summary(summary: Result, name: str, lang: str) -> Any:
    d = summary["disruption"]
    text = t(
        "plans.reb.done",
        lang,
        name=name,
        gini_before=fmt_number(summary["before"]["gini"], lang, 3),
        gini_after=fmt_number(summary["after"]["gini"], lang, 3),
        cv_before=fmt_number(summary["before"]["cv"], lang, 3),
        cv_after=fmt_number(summary["after"]["cv"], lang, 3),
        accounts=fmt_number(d["accounts_moved"], lang),
        pipeline=fmt_money(d["pipeline_moved_usd"], lang),
        reps=fmt_number(d["reps_affected_count"], lang),
    )
    return html.Div(dbc.Alert(text, color="success", class_name="py-2 mb-0"), **{"data-testid": "plans-reb-done"})


def add_seat(plan: Plan, territory_id: str | None, name: str | None, start: str | None, cover: str | None, lang: str) -> Plan:
    """A TBH seat with its planned start date and the rep covering it until then."""
    tid = (territory_id or "").strip()
    if not tid:
        raise FormError(t("plans.err.required", lang, field=t("plans.tbh.id", lang)))
    if tid in plan.territory_ids:
        raise FormError(t("plans.err.tbh_taken", lang, id=tid))
    day = common.parse_date(start)
    if day is None:
        raise FormError(t("plans.err.required", lang, field=t("plans.tbh.start", lang)))
    if not cover:
        raise FormError(t("plans.err.required", lang, field=t("plans.tbh.cover", lang)))
    return add_tbh_seat(plan, tid, start_date=day, covering_rep_id=cover, name=(name or "").strip())


# ------------------------------------------------------------------ files


def file_stem(name: str) -> str:
    """A safe file name from a plan name (letters, digits, CJK; others become -)."""
    stem = re.sub(r"[^\w\-]+", "-", name, flags=re.UNICODE).strip("-")
    return stem or "plan"


def export_json(plan: Plan) -> dict[str, Any]:
    return dcc.send_string(plan_to_json(plan), f"{file_stem(plan.name)}.json")


def export_csv(plan: Plan, dataset: Dataset) -> dict[str, Any]:
    """``account_id,territory_id`` (the import format) plus the account's name for people;
    formula-safe through ``crm.export.to_csv_bytes``."""
    frame = resolve(plan, dataset)
    names = dict(zip(dataset.accounts["account_id"], dataset.accounts["account_name"], strict=True))
    frame = frame.assign(account_name=frame["account_id"].map(names))
    return dcc.send_bytes(to_csv_bytes(frame), f"{file_stem(plan.name)}.csv")


def import_upload(contents: str | None, filename: str | None, dataset: Dataset, base: Plan, existing: list[str]) -> Plan:
    """A plan from an uploaded JSON plan or ``account_id,territory_id`` CSV.

    Raises PlanFileError with every problem; nothing is saved then. A name already
    taken gets a numeric suffix, so an import never overwrites a plan.
    """
    source = filename or "upload"
    if not contents:
        raise PlanFileError(source, ["the file is empty"])
    try:
        raw = base64.b64decode(contents.partition(",")[2], validate=True)
        text = raw.decode("utf-8-sig")
    except (binascii.Error, ValueError):
        raise PlanFileError(source, ["the file is not UTF-8 text"]) from None
    lower = source.lower()
    if lower.endswith(".json"):
        plan = plan_from_json(text, source=source)
    elif lower.endswith(".csv"):
        stem = source.rsplit("/", 1)[-1][: -len(".csv")] or "imported"
        plan = plan_from_assignment_csv(text, base=base, dataset=dataset, name=stem, source=source)
    else:
        raise PlanFileError(source, ["use a .json plan file or an account_id,territory_id .csv file"])
    unique = unique_name(plan.name, existing)
    return plan if unique == plan.name else rename_plan(plan, unique)


def problems_view(error: PlanFileError, lang: str) -> Any:
    body = dbc.Alert(
        [html.Div(t("plans.err.file", lang, source=error.source, n=len(error.problems)), className="fw-bold"), html.Ul([html.Li(p) for p in error.problems[:50]], className="mb-0 small")],
        color="danger",
        class_name="py-2",
    )
    return html.Div(body, **{"data-testid": "plans-problems"})


# ------------------------------------------------------------------ comparisons


def run_parameters(replications: Any, seed: Any, lang: str) -> tuple[int, int]:
    reps = whole_number(replications, 10, MAX_REPLICATIONS, lang, t("plans.run.replications", lang))
    s = whole_number(seed, 0, None, lang, t("plans.run.seed", lang))
    return int(reps or 0), int(s or 0)


def compare_keys(keys: Any, lang: str) -> list[str]:
    picked = list(dict.fromkeys(k for k in (keys or []) if k))
    if not 2 <= len(picked) <= view.MAX_COMPARE:
        raise FormError(t("plans.err.compare_count", lang))
    return picked


def compare_result(services: Services, keys: list[str], replications: int, seed: int, on_progress: Any = None) -> Result:
    """Fairness, disruption (from the first) and simulated outcomes, memoised."""
    dataset = services.dataset()
    plans = [load_plan(services, dataset, k) for k in keys]
    params = {"plans": [plan_to_dict(p) for p in plans], "replications": replications, "seed": seed}

    def compute() -> Result:
        return compare_plans(plans, dataset, as_of_for(dataset), replications, seed, on_progress=on_progress)

    return services.cached("plans-compare", params, compute)


def compare_table(result: Result, lang: str) -> Any:
    """Every plan in a column (its colour on top), one measure per row."""
    plans = result["plans"]

    def cell(p: Result, key: str) -> str:
        f, d, o = p["fairness"], p["disruption"], p["outcomes"]
        team, chance = o["team"], f["outcomes"]["p_hit_annual_quota"]
        acv = team["annual_closed_won_acv"]
        ratio = f["max_min_ratio"]
        values = {
            "territories": fmt_number(f["territory_count"], lang),
            "gini": fmt_number(f["gini_potential"], lang, 3),
            "cv": fmt_number(f["cv_potential"], lang, 3),
            "ratio": "∞" if ratio is None else f"{fmt_number(ratio, lang, 2)}×",
            "within": fmt_pct(f["share_within_tolerance"], lang),
            "moved": f"{fmt_number(d['accounts_moved'], lang)} ({fmt_pct(d['share_accounts_moved'], lang)})",
            "pipeline": fmt_money(d["pipeline_moved_usd"], lang),
            "reps": fmt_number(d["reps_affected_count"], lang),
            "acv": f"{fmt_money(acv['p50'], lang)} ({fmt_money(acv['p10'], lang)}–{fmt_money(acv['p90'], lang)})",
            "team_quota": fmt_pct(team["p_hit_quota"], lang),
            "chance": f"{fmt_pct(chance['min'], lang)}–{fmt_pct(chance['max'], lang)}",
            "chance_gini": fmt_number(chance["gini"], lang, 3),
            "departures": f"{fmt_number(o['attrition']['expected_departures'], lang, 1)} ({fmt_pct(o['attrition']['share_leaving'], lang, 1)})",
        }
        return values[key]

    keys = ("territories", "gini", "cv", "ratio", "within", "moved", "pipeline", "reps", "acv", "team_quota", "chance", "chance_gini", "departures")
    header = html.Thead(
        html.Tr(
            [html.Th(t("plans.cmp.measure", lang))]
            + [html.Th(figs.plan_label(p["name"], lang), style={"borderTop": f"4px solid {color(i)}"}) for i, p in enumerate(plans)]
        )
    )
    body = html.Tbody([html.Tr([html.Td(t(f"plans.cmp.row.{k}", lang, months=result["horizon_months"]))] + [html.Td(cell(p, k)) for p in plans]) for k in keys])
    note = t("plans.cmp.note", lang, as_of=fmt_date(result["as_of"], lang), reps=fmt_number(result["replications"], lang), seed=result["seed"], baseline=figs.plan_label(result["baseline"], lang))
    notes = sorted({n for p in plans for n in p["outcomes"]["notes"]})
    return html.Div(
        [
            html.Div(dbc.Table([header, body], bordered=False, hover=True, responsive=True, size="sm", class_name="mb-1"), **{"data-testid": "plans-compare-table"}),
            html.Div(note, className="small text-muted"),
            *([html.Ul([html.Li(n) for n in notes[:10]], className="small text-muted")] if notes else []),
        ]
    )


def compare_outputs(result: Result, lang: str, theme: str) -> tuple[Any, ...]:
    return (
        None,
        compare_table(result, lang),
        figs.team_bands_figure(result, lang, theme),
        figs.quota_chance_figure(result, lang, theme),
        figs.attrition_figure(result, lang, theme),
    )


def empty_compare(message: Any, lang: str, theme: str) -> tuple[Any, ...]:
    blank = empty_figure(t("plans.empty.compare", lang), "", theme)
    return (message, None, blank, blank, blank)


def midyear_result(services: Services, now_key: str, new_key: str, month: int, replications: int, seed: int, on_progress: Any = None) -> Result:
    dataset = services.dataset()
    now, new = load_plan(services, dataset, now_key), load_plan(services, dataset, new_key)
    params = {"now": plan_to_dict(now), "new": plan_to_dict(new), "month": month, "replications": replications, "seed": seed}

    def compute() -> Result:
        out = midyear_change(now, new, dataset, as_of_for(dataset), month, replications, seed, on_progress=on_progress)
        return {**out, "names": [now.name, new.name]}

    return services.cached("plans-midyear", params, compute)


def midyear_summary(result: Result, lang: str) -> Any:
    delta = result["delta"]["annual_closed_won_acv"]
    names = [figs.plan_label(n, lang) for n in result["names"]]
    text = t(
        "plans.mid.done",
        lang,
        new=names[1],
        now=names[0],
        month=fmt_month(result["change_label"], lang),
        p50=fmt_money(delta["p50"], lang),
        p10=fmt_money(delta["p10"], lang),
        p90=fmt_money(delta["p90"], lang),
        better=fmt_pct(result["delta"]["p_switch_better"], lang),
        moved=fmt_number(result["disruption"]["accounts_moved"], lang),
        stay=fmt_number(result["attrition"]["stay"], lang, 1),
        switch=fmt_number(result["attrition"]["switch"], lang, 1),
        penalty=fmt_pct(result["penalty"]["share"], lang),
        days=fmt_number(result["penalty"]["days"], lang),
    )
    tone = "success" if delta["p50"] > 0 else "warning"
    return html.Div(dbc.Alert(text, color=tone, class_name="py-2"), **{"data-testid": "plans-mid-done"})


def job_services(services: Services) -> Services:
    """Services for a background job: its own database engine (the job runs in a
    forked process, where the parent's pooled connections must not be reused)."""
    return Services(settings=services.settings, workspace=open_workspace(services.settings), cache=services.cache)


def alert(message: str, tone: str = "danger") -> Any:
    return html.Div(dbc.Alert(message, color=tone, class_name="py-2 mb-0", dismissable=True), **{"data-testid": f"plans-alert-{tone}"})


# ------------------------------------------------------------------ wiring


def register(app: Any, services: Services) -> None:
    select_out = [
        Output(Plans.STATUS, "children", allow_duplicate=True),
        Output(Plans.REVISION, "data", allow_duplicate=True),
        Output(Plans.SELECT, "options", allow_duplicate=True),
        Output(Plans.SELECT, "value", allow_duplicate=True),
    ]

    def saved(plan: Plan, message: str, revision: int | None, lang: str, select: bool = True) -> tuple[Any, ...]:
        save(services, plan)
        options = plan_options(saved_names(services), lang)
        return alert(message, "success"), (revision or 0) + 1, options, plan.name if select else no_update

    def failed(message: Any) -> tuple[Any, ...]:
        return (message if not isinstance(message, str) else alert(message)), no_update, no_update, no_update

    @app.callback(
        Output(Plans.SELECT, "options"),
        Output(Plans.CMP_PLANS, "options"),
        Output(Plans.MID_NOW, "options"),
        Output(Plans.MID_NEW, "options"),
        Input(Plans.REVISION, "data"),
        Input(Shell.VERSION, "data"),
        State(Shell.LANG, "data"),
    )
    def _options(_revision: int | None, _version: int | None, lang: str) -> tuple[Any, ...]:
        options = plan_options(saved_names(services), lang)
        return options, options, options, options

    @app.callback(
        Output(Plans.KPIS, "children"),
        Output(Plans.FAIRNESS, "figure"),
        Output(Plans.MAP, "figure"),
        Output(Plans.GRID, "rowData"),
        Output(Plans.GRID, "columnDefs"),
        Output(Plans.READONLY, "children"),
        Output(Plans.BULK_TO, "options"),
        Output(Plans.TBH_TABLE, "rowData"),
        Output(Plans.TBH_COVER, "options"),
        Input(Plans.SELECT, "value"),
        Input(Plans.REVISION, "data"),
        Input(Shell.VERSION, "data"),
        State(Shell.LANG, "data"),
        State(Shell.THEME, "data"),
    )
    def _overview(key: str | None, _revision: int | None, _version: int | None, lang: str, theme: str) -> tuple[Any, ...]:
        out = overview(services, key, lang, theme or "light")
        return (
            out[Plans.KPIS],
            out[Plans.FAIRNESS],
            out[Plans.MAP],
            out[Plans.GRID],
            out["columns"],
            out[Plans.READONLY],
            out[Plans.BULK_TO],
            out[Plans.TBH_TABLE],
            out[Plans.TBH_COVER],
        )

    @app.callback(
        Output(Plans.SELECT, "value", allow_duplicate=True),
        Output(Plans.CHOSEN, "data"),
        Input(Plans.SELECT, "value"),
        Input(Plans.CHOSEN, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def _remember(selected: str | None, stored: str | None) -> tuple[Any, Any]:
        triggered = ctx.triggered_id if len(ctx.triggered) == 1 else None
        return restore_choice(triggered, selected, stored, saved_names(services))

    @app.callback(Output(Plans.BULK_VALUE, "options"), Input(Plans.BULK_FIELD, "value"), Input(Shell.VERSION, "data"))
    def _bulk_values(field: str | None, _version: int | None) -> list[dict[str, str]]:
        return bulk_value_options(services.dataset(), field)

    @app.callback(
        *select_out,
        Input(Plans.CARVE, "n_clicks"),
        State(Plans.CARVE_NAME, "value"),
        State(Plans.CARVE_K, "value"),
        State(Plans.CARVE_BY, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _carve(_n: int, name: str | None, k: Any, by: str, revision: int | None, lang: str) -> tuple[Any, ...]:
        try:
            clean = check_name(name, saved_names(services), lang)
            count = whole_number(k, 1, 500, lang, t("plans.carve.k", lang))
            plan = carve(services.dataset(), clean, int(count or 0), by if by in view.BY_CHOICES else "state")
        except (FormError, ValueError) as exc:
            return failed(str(exc))
        return saved(plan, t("plans.ok.created", lang, name=plan.name, n=len(plan.territories)), revision, lang)

    @app.callback(
        *select_out,
        Input(Plans.DUPLICATE, "n_clicks"),
        State(Plans.NAME, "value"),
        State(Plans.SELECT, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _duplicate(_n: int, name: str | None, key: str | None, revision: int | None, lang: str) -> tuple[Any, ...]:
        try:
            clean = check_name(name, saved_names(services), lang)
            plan = rename_plan(load_plan(services, services.dataset(), key), clean)
        except (FormError, KeyError) as exc:
            return failed(str(exc))
        return saved(plan, t("plans.ok.duplicated", lang, name=clean), revision, lang)

    @app.callback(
        *select_out,
        Input(Plans.RENAME, "n_clicks"),
        State(Plans.NAME, "value"),
        State(Plans.SELECT, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _rename(_n: int, name: str | None, key: str | None, revision: int | None, lang: str) -> tuple[Any, ...]:
        try:
            require_editable(key, lang)
            clean = check_name(name, saved_names(services), lang, allow=key)
            plan = rename_plan(load_plan(services, services.dataset(), key), clean)
        except (FormError, KeyError) as exc:
            return failed(str(exc))
        out = saved(plan, t("plans.ok.renamed", lang, name=clean), revision, lang)
        if clean != key:
            services.workspace.delete_document(KIND, str(key))
            out = (out[0], out[1], plan_options(saved_names(services), lang), out[3])
        return out

    @app.callback(
        *select_out,
        Input(Plans.DELETE, "n_clicks"),
        State(Plans.SELECT, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _delete(_n: int, key: str | None, revision: int | None, lang: str) -> tuple[Any, ...]:
        try:
            require_editable(key, lang)
        except FormError as exc:
            return failed(str(exc))
        services.workspace.delete_document(KIND, str(key))
        return alert(t("plans.ok.deleted", lang, name=key), "success"), (revision or 0) + 1, plan_options(saved_names(services), lang), CURRENT_KEY

    @app.callback(
        *select_out,
        Input(Plans.GRID, "cellValueChanged"),
        State(Plans.SELECT, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _grid_edit(changes: Any, key: str | None, revision: int | None, lang: str) -> tuple[Any, ...]:
        try:
            require_editable(key, lang)
            plan = grid_changes(load_plan(services, services.dataset(), key), changes)
        except (FormError, PlanEditError, KeyError) as exc:
            return failed(str(exc))
        return saved(plan, t("plans.ok.saved", lang, name=plan.name), revision, lang, select=False)

    @app.callback(
        *select_out,
        Input(Plans.BULK_MOVE, "n_clicks"),
        State(Plans.BULK_FIELD, "value"),
        State(Plans.BULK_VALUE, "value"),
        State(Plans.BULK_TO, "value"),
        State(Plans.SELECT, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _bulk(_n: int, field: str | None, values: Any, to: str | None, key: str | None, revision: int | None, lang: str) -> tuple[Any, ...]:
        try:
            require_editable(key, lang)
            dataset = services.dataset()
            plan, moved = bulk_move(load_plan(services, dataset, key), dataset, field, values, to, lang)
        except (FormError, PlanEditError, KeyError) as exc:
            return failed(str(exc))
        return saved(plan, t("plans.ok.moved", lang, n=fmt_number(moved, lang), to=to), revision, lang, select=False)

    @app.callback(
        *select_out,
        Output(Plans.MOVES, "rowData"),
        Output(Plans.REB_SUMMARY, "children"),
        Input(Plans.REBALANCE, "n_clicks"),
        State(Plans.REB_BY, "value"),
        State(Plans.REB_ACCOUNTS, "value"),
        State(Plans.REB_PIPELINE, "value"),
        State(Plans.REB_NAME, "value"),
        State(Plans.SELECT, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _rebalance(_n: int, by: str, max_accounts: Any, max_pipeline: Any, name: str | None, key: str | None, revision: int | None, lang: str) -> tuple[Any, ...]:
        try:
            dataset = services.dataset()
            base = load_plan(services, dataset, key)
            default = t("plans.reb.default_name", lang, name=figs.plan_label(base.name, lang))
            clean = check_name(name or default, saved_names(services), lang)
            accounts = whole_number(max_accounts, 0, None, lang, t("plans.reb.accounts", lang), optional=True)
            pipeline = whole_number(max_pipeline, 0, None, lang, t("plans.reb.pipeline", lang), optional=True)
            plan, rows, summary = rebalance(base, dataset, by if by in view.BY_CHOICES else "account", accounts, pipeline, clean)
        except (FormError, KeyError, ValueError) as exc:
            return (*failed(str(exc)), no_update, no_update)
        out = saved(plan, t("plans.ok.created", lang, name=plan.name, n=len(plan.territories)), revision, lang)
        return (*out, rows, rebalance_summary(summary, plan.name, lang))

    @app.callback(
        *select_out,
        Input(Plans.TBH_ADD, "n_clicks"),
        State(Plans.TBH_ID, "value"),
        State(Plans.TBH_NAME, "value"),
        State(Plans.TBH_START, "date"),
        State(Plans.TBH_COVER, "value"),
        State(Plans.SELECT, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _tbh(_n: int, tid: str | None, name: str | None, start: str | None, cover: str | None, key: str | None, revision: int | None, lang: str) -> tuple[Any, ...]:
        try:
            require_editable(key, lang)
            plan = add_seat(load_plan(services, services.dataset(), key), tid, name, start, cover, lang)
        except (FormError, PlanEditError, KeyError) as exc:
            return failed(str(exc))
        return saved(plan, t("plans.ok.tbh", lang, id=(tid or "").strip()), revision, lang, select=False)

    @app.callback(
        Output(Plans.DOWNLOAD, "data"),
        Input(Plans.EXPORT_JSON, "n_clicks"),
        State(Plans.SELECT, "value"),
        prevent_initial_call=True,
    )
    def _export_json(_n: int, key: str | None) -> Any:
        return export_json(load_plan(services, services.dataset(), key))

    @app.callback(
        Output(Plans.DOWNLOAD, "data", allow_duplicate=True),
        Input(Plans.EXPORT_CSV, "n_clicks"),
        State(Plans.SELECT, "value"),
        prevent_initial_call=True,
    )
    def _export_csv(_n: int, key: str | None) -> Any:
        dataset = services.dataset()
        return export_csv(load_plan(services, dataset, key), dataset)

    @app.callback(
        *select_out,
        Input(Plans.UPLOAD, "contents"),
        State(Plans.UPLOAD, "filename"),
        State(Plans.SELECT, "value"),
        State(Plans.REVISION, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _import(contents: str | None, filename: str | None, key: str | None, revision: int | None, lang: str) -> tuple[Any, ...]:
        dataset = services.dataset()
        try:
            base = load_plan(services, dataset, key)
        except KeyError:
            base = load_plan(services, dataset, CURRENT_KEY)
        try:
            plan = import_upload(contents, filename, dataset, base, saved_names(services))
        except PlanFileError as exc:
            return failed(problems_view(exc, lang))
        return saved(plan, t("plans.ok.imported", lang, name=plan.name, n=len(plan.territories)), revision, lang)

    @app.callback(
        Output(Plans.CMP_STATUS, "children"),
        Output(Plans.CMP_TABLE, "children"),
        Output(Plans.CMP_TEAM, "figure"),
        Output(Plans.CMP_CHANCE, "figure"),
        Output(Plans.CMP_ATTRITION, "figure"),
        Input(Plans.CMP_RUN, "n_clicks"),
        State(Plans.CMP_PLANS, "value"),
        State(Plans.CMP_REPS, "value"),
        State(Plans.CMP_SEED, "value"),
        State(Shell.LANG, "data"),
        State(Shell.THEME, "data"),
        progress_default=[0, ""],
        **job(Plans.CMP_RUN, Plans.CMP_CANCEL, Plans.CMP_PROGRESS),
    )
    def _compare(set_progress: Any, _n: int, keys: Any, replications: Any, seed: Any, lang: str, theme: str) -> tuple[Any, ...]:
        theme = theme or "light"
        try:
            picked = compare_keys(keys, lang)
            reps, s = run_parameters(replications, seed, lang)
        except FormError as exc:
            return empty_compare(alert(str(exc)), lang, theme)
        set_progress((2, t("plans.run.calibrating", lang)))
        result = compare_result(job_services(services), picked, reps, s, lambda f: set_progress((int(5 + 95 * f), fmt_pct(f, lang))))
        set_progress((100, ""))
        return compare_outputs(result, lang, theme)

    @app.callback(
        Output(Plans.MID_SUMMARY, "children"),
        Output(Plans.MID_FIGURE, "figure"),
        Input(Plans.MID_RUN, "n_clicks"),
        State(Plans.MID_NOW, "value"),
        State(Plans.MID_NEW, "value"),
        State(Plans.MID_MONTH, "value"),
        State(Plans.MID_REPS, "value"),
        State(Plans.MID_SEED, "value"),
        State(Shell.LANG, "data"),
        State(Shell.THEME, "data"),
        progress_default=[0, ""],
        **job(Plans.MID_RUN, Plans.MID_CANCEL, Plans.MID_PROGRESS),
    )
    def _midyear(set_progress: Any, _n: int, now: str | None, new: str | None, month: Any, replications: Any, seed: Any, lang: str, theme: str) -> tuple[Any, ...]:
        theme = theme or "light"
        blank = empty_figure(t("plans.empty.midyear", lang), "", theme)
        try:
            if not now or not new:
                raise FormError(t("plans.err.required", lang, field=t("plans.mid.new", lang)))
            if now == new:
                raise FormError(t("plans.err.same_plan", lang))
            change = whole_number(month, 1, 12, lang, t("plans.mid.month", lang))
            reps, s = run_parameters(replications, seed, lang)
        except FormError as exc:
            return alert(str(exc)), blank
        set_progress((2, t("plans.run.calibrating", lang)))
        result = midyear_result(job_services(services), now, new, int(change or 1), reps, s, lambda f: set_progress((int(5 + 95 * f), fmt_pct(f, lang))))
        set_progress((100, ""))
        return midyear_summary(result, lang), figs.midyear_figure(result, (result["names"][0], result["names"][1]), lang, theme)
