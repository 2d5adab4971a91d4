"""The Plans page: carve, edit, rebalance, compare and simulate territory plans.

The current plan (derived from account ownership) is always there and read-only;
every other plan lives in the workspace's documents table. The page seeds the selected
plan from the URL's ``plan`` key and the compared plans from ``compare``
(comma-separated names), so a link reopens the same view. Pure: no data is read here;
callbacks fill options, figures and grids.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from layouts.dashboards import common
from layouts.i18n import t
from layouts.ids import Plans

CURRENT_KEY = "__current__"
"""The selector value of the plan derived from CRM ownership."""

BY_CHOICES = ("state", "region", "industry", "account")
BULK_FIELDS = ("state", "industry", "region", "country")
MAX_COMPARE = 4
TABS = ("overview", "accounts", "rebalance", "tbh", "compare", "midyear")


def seed(query: dict[str, str]) -> dict[str, Any]:
    """The selected plan, the compared plans and the open tab from the URL query."""
    plan = (query.get("plan") or "").strip() or CURRENT_KEY
    compare = [v for v in common.split_values(query.get("compare"))][:MAX_COMPARE]
    tab = query.get("tab") if query.get("tab") in TABS else ("compare" if compare else "overview")
    return {"plan": plan, "compare": compare, "tab": tab}


def _label(text: str, target: str) -> Component:
    return dbc.Label(text, html_for=target, class_name="small mb-0")


def _field(label: str, control: Component, cid: str, **col: Any) -> Component:
    return dbc.Col([_label(label, cid), control], **({"xs": 12, "md": True} | col))


def plan_card(lang: str, seeded: dict[str, Any]) -> Component:
    """Pick a plan; duplicate, rename or delete it; export and import plan files."""
    current = [{"label": t("plans.current", lang), "value": CURRENT_KEY}]
    options = current + ([{"label": seeded["plan"], "value": seeded["plan"]}] if seeded["plan"] != CURRENT_KEY else [])
    return common.card(
        [
            _label(t("plans.select", lang), Plans.SELECT),
            dcc.Dropdown(id=Plans.SELECT, options=options, value=seeded["plan"], clearable=False),
            html.Div(id=Plans.READONLY, className="small text-muted mt-1"),
            dbc.InputGroup(
                [
                    dbc.Input(id=Plans.NAME, placeholder=t("plans.name.hint", lang), maxLength=80),
                    dbc.Button(t("plans.duplicate", lang), id=Plans.DUPLICATE, color="secondary", outline=True),
                    dbc.Button(t("plans.rename", lang), id=Plans.RENAME, color="secondary", outline=True),
                    dbc.Button(t("plans.delete", lang), id=Plans.DELETE, color="danger", outline=True),
                ],
                size="sm",
                class_name="mt-2",
            ),
            html.Div(
                [
                    dbc.Button(t("plans.export_json", lang), id=Plans.EXPORT_JSON, size="sm", color="secondary", outline=True, class_name="me-2"),
                    dbc.Button(t("plans.export_csv", lang), id=Plans.EXPORT_CSV, size="sm", color="secondary", outline=True),
                    dcc.Download(id=Plans.DOWNLOAD),
                ],
                className="mt-2",
            ),
            dcc.Upload(
                id=Plans.UPLOAD,
                children=html.Div(t("plans.import", lang)),
                multiple=False,
                className="border border-2 border-secondary rounded p-2 text-center small mt-2",
                style={"borderStyle": "dashed", "cursor": "pointer"},
            ),
            html.Div(id=Plans.STATUS, className="mt-2"),
        ],
        header=t("plans.card.plan", lang),
    )


def carve_card(lang: str) -> Component:
    """Create a plan: carve K balanced territories keeping states, regions or industries whole."""
    return common.card(
        [
            html.P(t("plans.carve.help", lang), className="small text-muted"),
            dbc.Row(
                [
                    _field(t("plans.carve.name", lang), dbc.Input(id=Plans.CARVE_NAME, maxLength=80, placeholder=t("plans.name.hint", lang)), Plans.CARVE_NAME, md=5),
                    _field(t("plans.carve.k", lang), dbc.Input(id=Plans.CARVE_K, type="number", min=1, max=500, step=1, value=None), Plans.CARVE_K, md=2),
                    _field(
                        t("plans.carve.by", lang),
                        dbc.Select(id=Plans.CARVE_BY, options=[{"label": t(f"plans.by.{b}", lang), "value": b} for b in BY_CHOICES], value="state"),
                        Plans.CARVE_BY,
                        md=3,
                    ),
                    dbc.Col(dbc.Button(t("plans.carve", lang), id=Plans.CARVE, color="primary", class_name="w-100"), md=2, class_name="d-flex align-items-end"),
                ],
                class_name="g-2",
            ),
        ],
        header=t("plans.card.carve", lang),
    )


def overview_tab(lang: str) -> Component:
    return html.Div(
        [
            dbc.Row(
                [dbc.Col(common.graph(Plans.FAIRNESS, 420), lg=7), dbc.Col(common.graph(Plans.MAP, 420), lg=5)],
                class_name="g-3",
            )
        ],
        className="pt-3",
    )


def account_columns(lang: str, territory_ids: list[str], editable: bool) -> list[dict[str, Any]]:
    """The accounts grid; the territory column is a dropdown of the plan's territories."""
    territory = {
        "field": "territory_id",
        "headerName": t("plans.col.territory", lang),
        "editable": editable,
        "minWidth": 150,
        "cellStyle": {"fontWeight": "bold"},
    }
    if editable:
        territory["cellEditor"] = "agSelectCellEditor"
        territory["cellEditorParams"] = {"values": ["", *territory_ids]}
    return [
        {"field": "account_name", "headerName": t("plans.col.account", lang), "minWidth": 180, "tooltipField": "account_id"},
        {"field": "state", "headerName": t("plans.col.state", lang), "maxWidth": 130},
        {"field": "industry", "headerName": t("plans.col.industry", lang)},
        {"field": "region", "headerName": t("plans.col.region", lang)},
        {"field": "potential_usd", "headerName": t("plans.col.potential", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": common.MONEY, "sort": "desc"},
        territory,
    ]


def accounts_tab(lang: str) -> Component:
    """Reassign accounts one by one in the grid, or in bulk by a rule."""
    bulk = dbc.Row(
        [
            _field(
                t("plans.bulk.field", lang),
                dbc.Select(id=Plans.BULK_FIELD, options=[{"label": t(f"plans.col.{f}", lang), "value": f} for f in BULK_FIELDS], value="state"),
                Plans.BULK_FIELD,
                md=2,
            ),
            _field(t("plans.bulk.value", lang), dcc.Dropdown(id=Plans.BULK_VALUE, options=[], multi=True), Plans.BULK_VALUE, md=4),
            _field(t("plans.bulk.to", lang), dcc.Dropdown(id=Plans.BULK_TO, options=[]), Plans.BULK_TO, md=3),
            dbc.Col(dbc.Button(t("plans.bulk.move", lang), id=Plans.BULK_MOVE, color="primary", class_name="w-100"), md=3, class_name="d-flex align-items-end"),
        ],
        class_name="g-2 mb-2",
    )
    return html.Div(
        [
            html.P(t("plans.accounts.help", lang), className="small text-muted"),
            bulk,
            common.grid(Plans.GRID, account_columns(lang, [], False), row_id="account_id", height=520, empty=t("plans.empty.accounts", lang)),
        ],
        className="pt-3",
    )


def rebalance_tab(lang: str) -> Component:
    """Rebalance the selected plan within a disruption budget, and see what moves."""
    form = dbc.Row(
        [
            _field(
                t("plans.carve.by", lang),
                dbc.Select(id=Plans.REB_BY, options=[{"label": t(f"plans.by.{b}", lang), "value": b} for b in BY_CHOICES], value="account"),
                Plans.REB_BY,
                md=2,
            ),
            _field(t("plans.reb.accounts", lang), dbc.Input(id=Plans.REB_ACCOUNTS, type="number", min=0, step=1, placeholder=t("plans.reb.no_limit", lang)), Plans.REB_ACCOUNTS, md=2),
            _field(t("plans.reb.pipeline", lang), dbc.Input(id=Plans.REB_PIPELINE, type="number", min=0, step=1000, placeholder=t("plans.reb.no_limit", lang)), Plans.REB_PIPELINE, md=3),
            _field(t("plans.reb.name", lang), dbc.Input(id=Plans.REB_NAME, maxLength=80, placeholder=t("plans.reb.name.hint", lang)), Plans.REB_NAME, md=3),
            dbc.Col(dbc.Button(t("plans.rebalance", lang), id=Plans.REBALANCE, color="primary", class_name="w-100"), md=2, class_name="d-flex align-items-end"),
        ],
        class_name="g-2 mb-2",
    )
    columns = [
        {"field": "account_name", "headerName": t("plans.col.account", lang), "minWidth": 180, "tooltipField": "account_id"},
        {"field": "state", "headerName": t("plans.col.state", lang), "maxWidth": 120},
        {"field": "from_territory_id", "headerName": t("plans.col.from", lang)},
        {"field": "to_territory_id", "headerName": t("plans.col.to", lang), "cellStyle": {"fontWeight": "bold"}},
        {"field": "potential_usd", "headerName": t("plans.col.potential", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": common.MONEY, "sort": "desc"},
        {"field": "open_pipeline_usd", "headerName": t("plans.col.pipeline", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": common.MONEY},
    ]
    return html.Div(
        [
            html.P(t("plans.reb.help", lang), className="small text-muted"),
            form,
            dcc.Loading(html.Div(id=Plans.REB_SUMMARY, className="mb-2"), delay_show=300),
            common.grid(Plans.MOVES, columns, row_id="account_id", height=360, empty=t("plans.empty.moves", lang)),
        ],
        className="pt-3",
    )


def tbh_tab(lang: str) -> Component:
    """Seats for reps to be hired: planned start date and the rep covering until then."""
    form = dbc.Row(
        [
            _field(t("plans.tbh.id", lang), dbc.Input(id=Plans.TBH_ID, maxLength=40, placeholder="TBH-01"), Plans.TBH_ID, md=2),
            _field(t("plans.tbh.name", lang), dbc.Input(id=Plans.TBH_NAME, maxLength=80), Plans.TBH_NAME, md=3),
            dbc.Col(
                [
                    _label(t("plans.tbh.start", lang), Plans.TBH_START),
                    html.Div(dcc.DatePickerSingle(id=Plans.TBH_START, display_format="YYYY-MM-DD", first_day_of_week=1)),
                ],
                xs=12,
                md=2,
            ),
            _field(t("plans.tbh.cover", lang), dcc.Dropdown(id=Plans.TBH_COVER, options=[]), Plans.TBH_COVER, md=3),
            dbc.Col(dbc.Button(t("plans.tbh.add", lang), id=Plans.TBH_ADD, color="primary", class_name="w-100"), md=2, class_name="d-flex align-items-end"),
        ],
        class_name="g-2 mb-2",
    )
    columns = [
        {"field": "territory_id", "headerName": t("plans.col.territory", lang)},
        {"field": "name", "headerName": t("plans.tbh.name", lang)},
        {"field": "start_date", "headerName": t("plans.tbh.start", lang), "sort": "asc"},
        {"field": "covering", "headerName": t("plans.tbh.cover", lang)},
        {"field": "account_count", "headerName": t("plans.col.accounts", lang), "type": "numericColumn"},
        {"field": "potential_usd", "headerName": t("plans.col.potential", lang), "type": "numericColumn", "valueFormatter": common.MONEY},
    ]
    return html.Div(
        [
            html.P(t("plans.tbh.help", lang), className="small text-muted"),
            form,
            common.grid(Plans.TBH_TABLE, columns, row_id="territory_id", height=260, empty=t("plans.empty.tbh", lang)),
        ],
        className="pt-3",
    )


def _run_controls(lang: str, reps: Any, seed_id: Any, run: Any, cancel: Any, progress: Any) -> list[Component]:
    return [
        _field(t("plans.run.replications", lang), dbc.Input(id=reps, type="number", min=10, max=2000, step=10, value=100), reps, md=2),
        _field(t("plans.run.seed", lang), dbc.Input(id=seed_id, type="number", min=0, step=1, value=1), seed_id, md=1),
        dbc.Col(
            html.Div(
                [
                    dbc.Button(t("plans.run", lang), id=run, color="primary", class_name="me-2"),
                    dbc.Button(t("plans.cancel", lang), id=cancel, color="secondary", outline=True),
                ]
            ),
            md="auto",
            class_name="d-flex align-items-end",
        ),
        dbc.Col(dbc.Progress(id=progress, value=0, striped=True, animated=True, style={"height": "1.2rem"}), md=True, class_name="d-flex align-items-end pb-2"),
    ]


def compare_tab(lang: str, seeded: dict[str, Any]) -> Component:
    """2–4 plans side by side: fairness, disruption and simulated outcomes (common random numbers)."""
    options = [{"label": v if v != CURRENT_KEY else t("plans.current", lang), "value": v} for v in seeded["compare"]]
    form = dbc.Row(
        [
            _field(t("plans.cmp.plans", lang), dcc.Dropdown(id=Plans.CMP_PLANS, options=options, value=seeded["compare"], multi=True), Plans.CMP_PLANS, md=4),
            *_run_controls(lang, Plans.CMP_REPS, Plans.CMP_SEED, Plans.CMP_RUN, Plans.CMP_CANCEL, Plans.CMP_PROGRESS),
        ],
        class_name="g-2 mb-2",
    )
    return html.Div(
        [
            html.P(t("plans.cmp.help", lang), className="small text-muted"),
            form,
            html.Div(id=Plans.CMP_STATUS),
            html.Div(id=Plans.CMP_TABLE, className="mb-3"),
            dbc.Row(
                [
                    dbc.Col(common.graph(Plans.CMP_TEAM, 420), lg=6),
                    dbc.Col(common.graph(Plans.CMP_CHANCE, 420), lg=3),
                    dbc.Col(common.graph(Plans.CMP_ATTRITION, 420), lg=3),
                ],
                class_name="g-3",
            ),
        ],
        className="pt-3",
    )


def midyear_tab(lang: str) -> Component:
    """A mid-year change against staying put, both simulated on the same random numbers."""
    form = dbc.Row(
        [
            _field(t("plans.mid.now", lang), dcc.Dropdown(id=Plans.MID_NOW, options=[{"label": t("plans.current", lang), "value": CURRENT_KEY}], value=CURRENT_KEY, clearable=False), Plans.MID_NOW, md=3),
            _field(t("plans.mid.new", lang), dcc.Dropdown(id=Plans.MID_NEW, options=[]), Plans.MID_NEW, md=3),
            _field(t("plans.mid.month", lang), dbc.Input(id=Plans.MID_MONTH, type="number", min=1, max=12, step=1, value=6), Plans.MID_MONTH, md=1),
            *_run_controls(lang, Plans.MID_REPS, Plans.MID_SEED, Plans.MID_RUN, Plans.MID_CANCEL, Plans.MID_PROGRESS),
        ],
        class_name="g-2 mb-2",
    )
    return html.Div(
        [
            html.P(t("plans.mid.help", lang), className="small text-muted"),
            form,
            html.Div(id=Plans.MID_SUMMARY, className="mb-2"),
            common.graph(Plans.MID_FIGURE, 440),
        ],
        className="pt-3",
    )


def layout(lang: str, query: dict[str, str]) -> Component:
    seeded = seed(query)
    tabs = [
        dbc.Tab(overview_tab(lang), label=t("plans.tab.overview", lang), tab_id="overview"),
        dbc.Tab(accounts_tab(lang), label=t("plans.tab.accounts", lang), tab_id="accounts"),
        dbc.Tab(rebalance_tab(lang), label=t("plans.tab.rebalance", lang), tab_id="rebalance"),
        dbc.Tab(tbh_tab(lang), label=t("plans.tab.tbh", lang), tab_id="tbh"),
        dbc.Tab(compare_tab(lang, seeded), label=t("plans.tab.compare", lang), tab_id="compare"),
        dbc.Tab(midyear_tab(lang), label=t("plans.tab.midyear", lang), tab_id="midyear"),
    ]
    return html.Div(
        [
            dcc.Store(id=Plans.REVISION, data=0),
            dcc.Store(id=Plans.CHOSEN, storage_type="session"),
            html.H2(t("plans.title", lang)),
            html.P(t("plans.intro", lang), className="text-muted"),
            dbc.Row([dbc.Col(plan_card(lang, seeded), lg=5), dbc.Col(carve_card(lang), lg=7)], class_name="g-3 mb-3"),
            dcc.Loading(html.Div(id=Plans.KPIS, className="mb-2"), delay_show=400),
            dbc.Tabs(tabs, id=Plans.TABS, active_tab=seeded["tab"]),
        ]
    )
