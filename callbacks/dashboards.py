"""The four dashboards' callbacks: thin wrappers around the pure functions below.

Flow per page: the filter bar (as-of date, team, manager, region, rep) and the data
version → ``dashboard_json`` (one ``metrics.dashboards`` call, cached per data version
and parameters, on the one ``Prepared`` of the data version) → the page module's
``render`` (components and plain-dict figures). A click on a rep or team stores a
small drill target; the drill-down grid lists that scope's deals. Nothing but small
JSON (the view's parameters, the drill target) ever reaches the browser's stores.

Every dashboard callback takes ``Input(Shell.VERSION, "data")``: the shell bumps that
store when the workspace's data version moves, so an open page refreshes by itself,
and because results are cached by data version nothing recomputes when nothing
changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from dash import Input, Output, State, ctx, dcc, no_update

from app.services import Services
from crm.export import to_csv_bytes
from layouts.dashboards import amp, clean, common, pipegen, sotu
from layouts.i18n import fmt_money, fmt_number, t
from layouts.ids import Amp, Clean, PipeGen, Shell, Sotu
from metrics import dashboards as metrics
from metrics.prepare import Filters, Prepared, prepare

Result = dict[str, Any]


@dataclass(frozen=True)
class DashboardPage:
    """What differs between the four pages; everything else is shared."""

    ids: type[StrEnum]
    name: str
    path: str
    compute: Callable[[Prepared, date, Filters], Result]
    render: Callable[[Result, str, str], dict[Any, Any]]
    outputs: tuple[tuple[Any, str], ...]
    drill_sources: tuple[tuple[Any, str], ...]


DASHBOARDS: tuple[DashboardPage, ...] = (
    DashboardPage(Sotu, "state-of-the-union", "/state-of-the-union", metrics.state_of_the_union, sotu.render, sotu.OUTPUTS, sotu.DRILL_SOURCES),
    DashboardPage(Amp, "amp", "/amp", metrics.amp, amp.render, amp.OUTPUTS, amp.DRILL_SOURCES),
    DashboardPage(PipeGen, "daily-pipe-gen", "/pipe-gen", metrics.daily_pipe_gen, pipegen.render, pipegen.OUTPUTS, pipegen.DRILL_SOURCES),
    DashboardPage(Clean, "clean-your-room", "/clean-your-room", metrics.clean_your_room, clean.render, clean.OUTPUTS, clean.DRILL_SOURCES),
)
BY_NAME = {d.name: d for d in DASHBOARDS}


# ---------------------------------------------------------------------------- pure


def _values(value: Sequence[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(sorted({str(v) for v in value if v}))


def make_view(as_of: date, team: Any = None, manager: Any = None, region: Any = None, rep: Any = None) -> dict[str, Any]:
    """The page's parameters as small, canonical JSON (sorted values): the cache key,
    the ``VIEW`` store and the shareable link all come from it."""
    return {
        "as_of": as_of.isoformat(),
        "team": list(_values(team)),
        "manager": list(_values(manager)),
        "region": list(_values(region)),
        "rep": list(_values(rep)),
    }


def view_filters(view: dict[str, Any]) -> Filters:
    return Filters(
        teams=tuple(view.get("team", ())),
        managers=tuple(view.get("manager", ())),
        regions=tuple(view.get("region", ())),
        rep_ids=tuple(view.get("rep", ())),
    )


def view_link(path: str, view: dict[str, Any]) -> str:
    """A link that reopens this view (the layouts seed their controls from it)."""
    params = {"as_of": view["as_of"]}
    params.update({k: ",".join(view[k]) for k in common.FILTER_KEYS if view.get(k)})
    return f"{path}?{urlencode(params)}"


def resolve_as_of(picked: str | None, default: date) -> date:
    """The picked date, or the default (today, or the data's last date when older)."""
    return common.parse_date(picked) or default


def filter_options(prep: Prepared, chosen: dict[str, Sequence[str]] | None = None) -> dict[str, list[dict[str, str]]]:
    """Dropdown options from the workspace's reps: teams, managers, regions, reps.

    Faceted: each list offers what fits the *other* filters already chosen (pick a
    team and the rep list shows its reps), and always keeps its own chosen values.
    """
    chosen = chosen or {}
    columns = {
        "team": np.asarray(prep.rep_team, dtype=object),
        "manager": np.asarray(prep.rep_manager, dtype=object),
        "region": np.asarray(prep.rep_region, dtype=object),
        "rep": np.asarray(prep.rep_id, dtype=object),
    }

    def fits_others(key: str) -> np.ndarray:
        mask = np.ones(len(columns["rep"]), dtype=bool)
        for other, values in chosen.items():
            if other != key and values:
                mask &= np.isin(columns[other], list(values))
        return mask

    def distinct(key: str) -> list[dict[str, str]]:
        values = columns[key][fits_others(key)].tolist() + list(chosen.get(key) or [])
        names = sorted({str(v) for v in values if isinstance(v, str) and v})
        return [{"label": v, "value": v} for v in names]

    keep = fits_others("rep") | np.isin(columns["rep"], list(chosen.get("rep") or []))
    reps = sorted(
        (name, rid, team)
        for name, rid, team, ok in zip(prep.rep_name.tolist(), prep.rep_id.tolist(), prep.rep_team.tolist(), keep.tolist(), strict=True)
        if ok
    )
    return {
        "team": distinct("team"),
        "manager": distinct("manager"),
        "region": distinct("region"),
        "rep": [{"label": f"{name} · {team}", "value": rid} for name, rid, team in reps],
    }


def drill_target(value: Any) -> dict[str, str] | None:
    """The rep or team behind a click: a chart's ``clickData`` (customdata
    ``[kind, key]``) or a grid's ``selectedRows`` (a rep row or a deal's owner)."""
    if isinstance(value, dict):
        for point in value.get("points", []):
            custom = point.get("customdata")
            if isinstance(custom, list | tuple) and len(custom) >= 2 and custom[0] in ("rep", "team"):
                label = custom[2] if len(custom) > 2 else custom[1]
                return {"kind": str(custom[0]), "key": str(custom[1]), "label": str(label)}
        return None
    if isinstance(value, list) and value and isinstance(value[0], dict):
        row = value[0]
        rep_id = row.get("rep_id") or row.get("owner_id")
        if rep_id:
            return {"kind": "rep", "key": str(rep_id), "label": str(row.get("rep_name") or rep_id)}
    return None


def drill_filters(filters: Filters, target: dict[str, str]) -> Filters:
    """The page's filters narrowed to the clicked rep or team."""
    if target["kind"] == "team":
        return replace(filters, teams=(target["key"],))
    return replace(filters, rep_ids=(target["key"],))


def drill_title(result: Result, target: dict[str, str], lang: str) -> str:
    who_key = "dash.drill.team" if target["kind"] == "team" else "dash.drill.rep"
    return t(
        "dash.drill.of",
        lang,
        who=t(who_key, lang, name=target.get("label") or target["key"]),
        kind=t(f"dash.drill.kind.{result['kind']}", lang),
        count=fmt_number(result["count"], lang),
        total=fmt_money(result["total_acv"], lang),
    )


QUEUE_CSV_COLUMNS = (
    "opportunity_id",
    "opportunity_name",
    "account_id",
    "account_name",
    "owner_id",
    "rep_name",
    "team",
    "stage",
    "amount",
    "close_date",
    "last_activity_date",
    "days_since_activity",
    "rules",
    "reasons",
)


def queue_csv(result: Result, lang: str) -> bytes:
    """The Clean Your Room work queue as a formula-injection-safe CSV: rule codes for
    scripts, reasons in the reader's language."""
    rows = clean.queue_rows(result, lang)
    frame = pd.DataFrame(
        {
            col: pd.Series(
                [";".join(r["rules"]) if col == "rules" else r.get(col) for r in rows],
                dtype="float64" if col == "amount" else "Int64" if col == "days_since_activity" else "str",
            )
            for col in QUEUE_CSV_COLUMNS
        }
    )
    return to_csv_bytes(frame)


def render_outputs(page: DashboardPage, result: Result, view: dict[str, Any], lang: str, theme: str) -> list[Any]:
    """The values of every output of the render callback, in ``outputs`` order, then
    the shareable link and the view store."""
    values = page.render(result, lang, theme)
    return [values[cid] for cid, _ in page.outputs] + [view_link(page.path, view), view]


# ---------------------------------------------------------------------------- services


def prepared(services: Services) -> Prepared:
    """The one ``Prepared`` of the current data version (rebuilt when it moves)."""
    return services.derived("metrics-prepared", prepare)


def default_as_of(services: Services, today: date) -> date:
    value = services.cached(
        "dashboards-default-as-of",
        {"today": today.isoformat()},
        lambda: metrics.default_as_of(services.dataset(), today).isoformat(),
    )
    return date.fromisoformat(value)


def dashboard_json(services: Services, page: DashboardPage, view: dict[str, Any]) -> Result:
    """One dashboard's JSON for a view, cached per data version and view."""
    return services.cached(
        f"dashboard-{page.name}",
        view,
        lambda: page.compute(prepared(services), date.fromisoformat(view["as_of"]), view_filters(view)),
    )


def scope_rep_ids(reps: pd.DataFrame, filters: Filters) -> list[str] | None:
    """The reps a filtered view covers (None when unfiltered: the whole team)."""
    if not (filters.teams or filters.managers or filters.regions or filters.rep_ids):
        return None
    keep = pd.Series(True, index=reps.index)
    for column, values in (("team", filters.teams), ("manager", filters.managers), ("region", filters.regions), ("rep_id", filters.rep_ids)):
        if values:
            keep &= reps[column].isin(values)
    return reps.loc[keep, "rep_id"].astype(str).tolist()


def month_end_json(services: Services, view: dict[str, Any]) -> Result | None:
    """The simulated month-end range of the view. The simulation runs once per data
    version and as-of date (cached); each view only sums its reps' replications."""
    from simulation.monthend import range_of, simulate_rest_of_month

    as_of = view["as_of"]
    rest = services.cached("sotu-rest-of-month", {"as_of": as_of}, lambda: simulate_rest_of_month(services.dataset(), date.fromisoformat(as_of)))
    if rest is None:
        return None
    sotu_result = dashboard_json(services, BY_NAME["state-of-the-union"], view)
    rep_ids = scope_rep_ids(services.dataset().reps, view_filters(view))
    return range_of(rest, sotu_result["closed_won_acv"], rep_ids, as_of[:7])


def deals_json(services: Services, view: dict[str, Any], target: dict[str, str], kind: str) -> Result:
    def compute() -> Result:
        filters = drill_filters(view_filters(view), target)
        return metrics.deals(prepared(services), date.fromisoformat(view["as_of"]), filters, kind)  # type: ignore[arg-type]

    return services.cached("dashboard-deals", {"view": view, "target": target, "kind": kind}, compute)


def options_json(services: Services, chosen: dict[str, Sequence[str]] | None = None) -> dict[str, list[dict[str, str]]]:
    chosen = {k: list(v) for k, v in (chosen or {}).items() if v}
    return services.cached("dashboard-filter-options", chosen, lambda: filter_options(prepared(services), chosen))


# ---------------------------------------------------------------------------- wiring


def register(app: Any, services: Services) -> None:
    for page in DASHBOARDS:
        _register_page(app, services, page)
    _register_month_end(app, services)
    _register_download(app, services)


def _register_page(app: Any, services: Services, page: DashboardPage) -> None:
    ids = page.ids

    @app.callback(
        Output(ids["TEAM"], "options"),
        Output(ids["MANAGER"], "options"),
        Output(ids["REGION"], "options"),
        Output(ids["REP"], "options"),
        Output(ids["AS_OF"], "date"),
        Input(Shell.VERSION, "data"),
        Input(ids["TEAM"], "value"),
        Input(ids["MANAGER"], "value"),
        Input(ids["REGION"], "value"),
        Input(ids["REP"], "value"),
        State(ids["AS_OF"], "date"),
    )
    def _options(_version: int | None, team: Any, manager: Any, region: Any, rep: Any, picked: str | None) -> tuple[Any, ...]:
        chosen = {"team": _values(team), "manager": _values(manager), "region": _values(region), "rep": _values(rep)}
        options = options_json(services, chosen)
        shown = no_update if picked else default_as_of(services, date.today()).isoformat()
        return options["team"], options["manager"], options["region"], options["rep"], shown

    @app.callback(
        *[Output(cid, prop) for cid, prop in page.outputs],
        Output(ids["LINK"], "href"),
        Output(ids["VIEW"], "data"),
        Input(Shell.VERSION, "data"),
        Input(Shell.THEME, "data"),
        Input(ids["AS_OF"], "date"),
        Input(ids["TEAM"], "value"),
        Input(ids["MANAGER"], "value"),
        Input(ids["REGION"], "value"),
        Input(ids["REP"], "value"),
        State(Shell.LANG, "data"),
    )
    def _render(_version: int | None, theme: str | None, picked: str | None, team: Any, manager: Any, region: Any, rep: Any, lang: str | None) -> list[Any]:
        as_of = resolve_as_of(picked, default_as_of(services, date.today()))
        view = make_view(as_of, team, manager, region, rep)
        return render_outputs(page, dashboard_json(services, page, view), view, lang or "en", theme or "light")

    @app.callback(
        Output(Shell.VIEW_QUERY, "data", allow_duplicate=True),
        Input(ids["VIEW"], "data"),
        prevent_initial_call=True,
    )
    def _address(view: dict[str, Any] | None) -> Any:
        # The shell mirrors this into the address bar and re-renders from it on a
        # language switch, so the filters survive and the URL is the shareable view.
        return view_link(page.path, view).partition("?")[2] if view else no_update

    @app.callback(
        Output(ids["DRILL_TARGET"], "data"),
        *[Input(cid, prop) for cid, prop in page.drill_sources],
        prevent_initial_call=True,
    )
    def _pick(*values: Any) -> Any:
        sources = [cid for cid, _ in page.drill_sources]
        if ctx.triggered_id not in sources:
            return no_update
        target = drill_target(values[sources.index(ctx.triggered_id)])
        return target if target is not None else no_update

    @app.callback(
        Output(ids["DRILL_TITLE"], "children"),
        Output(ids["DRILL_GRID"], "rowData"),
        Input(ids["DRILL_TARGET"], "data"),
        Input(ids["DRILL_KIND"], "value"),
        Input(ids["VIEW"], "data"),
        State(Shell.LANG, "data"),
    )
    def _drill(target: dict[str, str] | None, kind: str, view: dict[str, Any] | None, lang: str | None) -> tuple[Any, Any]:
        if not target or not view:
            return t("dash.drill.pick", lang), []
        result = deals_json(services, view, target, kind)
        return drill_title(result, target, lang or "en"), result["deals"]


def _register_month_end(app: Any, services: Services) -> None:
    @app.callback(
        Output(Sotu.SIM_RANGE, "children"),
        Input(Sotu.VIEW, "data"),
        State(Shell.LANG, "data"),
    )
    def _month_end(view: dict[str, Any] | None, lang: str | None) -> Any:
        if not view:
            return no_update
        quota = dashboard_json(services, BY_NAME["state-of-the-union"], view)["quota"]
        return sotu.sim_range(month_end_json(services, view), quota, lang or "en")


def _register_download(app: Any, services: Services) -> None:
    page = BY_NAME["clean-your-room"]

    @app.callback(
        Output(Clean.DOWNLOAD, "data"),
        Input(Clean.DOWNLOAD_BUTTON, "n_clicks"),
        State(Clean.VIEW, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _download(_clicks: int | None, view: dict[str, Any] | None, lang: str | None) -> Any:
        if not view:
            return no_update
        data = queue_csv(dashboard_json(services, page, view), lang or "en")
        return dcc.send_bytes(data, f"{t('clean.file', lang)}-{view['as_of']}.csv", type="text/csv")
