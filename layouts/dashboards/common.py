"""Pieces every dashboard page shares: the filter bar, KPI cards, cards around charts,
AG Grids of deals and the drill-down section.

Why shared builders taking the page's id enum: the four pages look and behave alike
(same filters, same drill-down, same formats), and each page's enum uses the same
member names (``AS_OF``, ``TEAM``, ``DRILL_GRID``…), so one builder serves all four
while every id still lives in ``layouts/ids.py``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from layouts.i18n import fmt_date, fmt_month, t

FILTER_KEYS = ("team", "manager", "region", "rep")
"""URL query keys of the filters (comma-separated values), besides ``as_of``."""

DRILL_KINDS = ("open", "due", "won", "created")

MONEY = {"function": "params.value == null ? '—' : '$' + Math.round(params.value).toLocaleString()"}
PCT = {"function": "params.value == null ? '—' : Math.round(params.value * 100) + '%'"}
INT = {"function": "params.value == null ? '—' : params.value.toLocaleString()"}


def split_values(value: str | None) -> list[str]:
    """A comma-separated query value as a list (blank parts dropped)."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def parse_date(value: str | None) -> date | None:
    """An ISO date from a query or a date picker, or None when absent or invalid."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def seed_controls(query: dict[str, str]) -> dict[str, Any]:
    """The filter bar's initial values from the URL query, so a shared link reopens
    the same view: ``as_of`` (ISO date or None) and a list per filter key."""
    as_of = parse_date(query.get("as_of"))
    seeded: dict[str, Any] = {"as_of": as_of.isoformat() if as_of else None}
    for key in FILTER_KEYS:
        seeded[key] = split_values(query.get(key))
    return seeded


def period_text(lang: str, month: str, as_of: str) -> str:
    """"2026-06, month to date as of 2026-06-15" in the page's language."""
    return t("dash.period", lang, month=fmt_month(month, lang), as_of=fmt_date(as_of, lang))


def titled(key: str, lang: str, period: str) -> str:
    """A chart title: what it shows, then (second line) its period and as-of date."""
    return f"{t(key, lang)}<br><span style='font-size:0.8em'>{period}</span>"


def filter_bar(ids: type[StrEnum], lang: str, query: dict[str, str]) -> Component:
    """As-of date and the four rep filters; options are filled from the workspace by
    a callback, values are seeded from the URL query (the "link to this view" keeps
    them). No ``persistence``: dcc.Dropdown drops a restored value that is not yet in
    its options, so a persisted filter would be silently lost on re-render."""
    seeded = seed_controls(query)
    dropdowns = [
        dbc.Col(
            [
                dbc.Label(t(f"dash.filter.{key}", lang), html_for=ids[key.upper()], class_name="small mb-0"),
                dcc.Dropdown(
                    id=ids[key.upper()],
                    options=[{"label": v, "value": v} for v in seeded[key]],
                    value=seeded[key],
                    multi=True,
                    placeholder=t("dash.filter.all", lang),
                ),
            ],
            xs=12,
            sm=6,
            lg=2,
        )
        for key in FILTER_KEYS
    ]
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(t("dash.filter.as_of", lang), html_for=ids["AS_OF"], class_name="small mb-0 d-block"),
                    dcc.DatePickerSingle(
                        id=ids["AS_OF"],
                        date=seeded["as_of"],
                        display_format="YYYY-MM-DD",
                        first_day_of_week=1,
                    ),
                ],
                xs=12,
                sm=6,
                lg=2,
            ),
            *dropdowns,
            dbc.Col(
                html.A(t("dash.link", lang), id=ids["LINK"], href="", className="small"),
                xs=12,
                lg=2,
                class_name="d-flex align-items-end pb-2",
            ),
            dcc.Store(id=ids["VIEW"]),
        ],
        class_name="g-2 mb-3 align-items-end",
    )


def page(ids: type[StrEnum], lang: str, query: dict[str, str], title_key: str, intro_key: str, body: list[Component]) -> Component:
    """A dashboard page: title, one-line purpose, filter bar, KPI row, then ``body``."""
    return html.Div(
        [
            html.H2(t(title_key, lang)),
            html.P(t(intro_key, lang), className="text-muted"),
            filter_bar(ids, lang, query),
            dcc.Loading(html.Div(id=ids["KPIS"], className="mb-3"), delay_show=400),
            *body,
        ]
    )


def kpi_card(label: str, value: str, sub: str | None = None, testid: str = "", tone: str | None = None) -> Component:
    """One headline number, readable from the back of a room, with a line of context."""
    body = dbc.Card(
        dbc.CardBody(
            [
                html.Div(label, className="small text-muted text-uppercase"),
                html.Div(value, className=f"fs-3 fw-bold kpi-value{' text-' + tone if tone else ''}"),
                html.Div(sub or "", className="small text-muted"),
            ]
        ),
        class_name="h-100",
    )
    return html.Div(body, className="h-100", **({"data-testid": testid} if testid else {}))


def kpi_row(cards: list[Component]) -> Component:
    return dbc.Row([dbc.Col(c, xs=12, sm=6, xl=True) for c in cards], class_name="g-2")


def card(body: Component | list[Component], header: str | Component | None = None, footer: Component | None = None) -> Component:
    parts: list[Component] = []
    if header is not None:
        parts.append(dbc.CardHeader(header))
    parts.append(dbc.CardBody(body))
    if footer is not None:
        parts.append(dbc.CardFooter(footer, class_name="small text-muted"))
    return dbc.Card(parts, class_name="h-100")


def graph(cid: str, height: int = 380) -> Component:
    """A chart slot; the page's callback fills the figure (never blank: see
    ``layouts.figures.empty_figure``)."""
    return dcc.Graph(
        id=cid,
        figure={"data": [], "layout": {"height": height}},
        # The modebar's camera saves the chart as a PNG (drawn in the browser, offline).
        config={
            "displaylogo": False,
            "responsive": True,
            "toImageButtonOptions": {"format": "png", "filename": cid, "scale": 2},
            # Map outlines are served by the app (assets/topojson), never from a CDN.
            "topojsonURL": "/assets/topojson/",
        },
        style={"minHeight": min(height, 300)},
    )


def grid(
    cid: str,
    columns: list[dict[str, Any]],
    row_id: str | None = None,
    height: int = 360,
    selectable: bool = False,
    row_style: list[dict[str, Any]] | None = None,
    empty: str | None = None,
) -> Component:
    """A sortable, filterable AG Grid whose rows the callback sends (small lists).

    ``row_style`` holds AG Grid style conditions (highlighted rows); ``empty`` is the
    text shown instead of AG Grid's default when there are no rows.
    """
    options: dict[str, Any] = {"animateRows": False, "tooltipShowDelay": 300}
    if empty:
        options["localeText"] = {"noRowsToShow": empty}
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    extra: dict[str, Any] = {}
    if row_id:
        extra["getRowId"] = f"params.data.{row_id}"
    if row_style:
        extra["getRowStyle"] = {"styleConditions": row_style}
    table = dag.AgGrid(
        id=cid,
        rowData=[],
        columnDefs=columns,
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True, "minWidth": 90},
        columnSize="responsiveSizeToFit",
        dashGridOptions=options,
        style={"height": height},
        **extra,
    )
    return html.Div([csv_button(cid), table])


def csv_button(grid_id: str) -> Component:
    """"⬇ CSV": the grid's rows as they are filtered and sorted, formula-safe, with a BOM
    so spreadsheets read Chinese correctly (assets/export.js does the export)."""
    return html.Div(
        html.Button(
            "⬇ CSV",
            className="btn btn-link btn-sm p-0 edit-chrome",
            **{"data-csv-grid": grid_id, "data-testid": f"csv-{grid_id}"},
        ),
        className="text-end small",
    )


def deal_columns(lang: str, compact: bool = False) -> list[dict[str, Any]]:
    """Columns of a list of deals (the drill-down and notable deals); ``compact``
    keeps what fits half a screen."""
    columns = [
        {"field": "opportunity_name", "headerName": t("dash.col.opportunity", lang), "minWidth": 160, "tooltipField": "opportunity_id"},
        {"field": "account_name", "headerName": t("dash.col.account", lang), "minWidth": 140},
        {"field": "rep_name", "headerName": t("dash.col.rep", lang)},
        {"field": "stage", "headerName": t("dash.col.stage", lang)},
        {"field": "forecast_category", "headerName": t("dash.col.forecast", lang)},
        {"field": "amount", "headerName": t("dash.col.amount", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": MONEY, "sort": "desc"},
        {"field": "close_date", "headerName": t("dash.col.close", lang)},
        {"field": "created_date", "headerName": t("dash.col.created", lang)},
        {"field": "type", "headerName": t("dash.col.type", lang)},
    ]
    if compact:
        keep = ("opportunity_name", "rep_name", "forecast_category", "amount", "close_date")
        columns = [c for c in columns if c["field"] in keep]
    return columns


def drill_section(ids: type[StrEnum], lang: str, default_kind: str) -> Component:
    """The drill-down: which deals (open, due, won, created) of the rep or team last
    clicked on the page, as an AG Grid."""
    return card(
        [
            dcc.Store(id=ids["DRILL_TARGET"]),
            dbc.RadioItems(
                id=ids["DRILL_KIND"],
                options=[{"label": t(f"dash.drill.kind.{k}", lang), "value": k} for k in DRILL_KINDS],
                value=default_kind,
                inline=True,
                class_name="mb-2",
            ),
            html.Div(t("dash.drill.pick", lang), id=ids["DRILL_TITLE"], className="fw-bold mb-2"),
            grid(ids["DRILL_GRID"], deal_columns(lang), row_id="opportunity_id", height=340, empty=t("dash.empty.nothing", lang)),
        ],
        header=t("dash.drill.title", lang),
        footer=t("dash.hint.click", lang),
    )
