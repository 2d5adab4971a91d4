"""The Data page: upload and validate a dataset, import it, browse and summarise it."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from crm.schema import TABLES, Kind, Table
from layouts.i18n import fmt_date, fmt_number, t
from layouts.ids import Data

FORMATS = ("auto", "canonical", "salesforce", "maven")


def layout(lang: str, query: dict[str, str]) -> Component:
    table = query.get("table", "opportunities")
    if table not in {tb.name for tb in TABLES}:
        table = "opportunities"
    return html.Div(
        [
            html.H2(t("data.title", lang)),
            html.P(t("data.intro", lang), className="text-muted"),
            dbc.Row(
                [
                    dbc.Col(upload_card(lang), lg=6),
                    dbc.Col(
                        dbc.Card(
                            [
                                dbc.CardHeader(t("data.summary", lang)),
                                dbc.CardBody(dcc.Loading(html.Div(id=Data.SUMMARY))),
                                dbc.CardFooter(html.Div(id=Data.HISTORY, className="small")),
                            ]
                        ),
                        lg=6,
                    ),
                ],
                class_name="g-3",
            ),
            html.H4(t("data.browse", lang), className="mt-4"),
            dbc.Select(
                id=Data.TABLE,
                options=[{"label": t(f"table.{tb.name}", lang), "value": tb.name} for tb in TABLES],
                value=table,
                style={"maxWidth": 320},
                class_name="mb-2",
            ),
            html.Div(
                dbc.Button(t("data.export", lang), id=Data.EXPORT, color="link", size="sm", class_name="p-0"),
                className="text-end small",
            ),
            dcc.Download(id=Data.DOWNLOAD),
            html.Div(grid(table), id=Data.GRID_WRAP),
        ]
    )


def grid(table: str) -> Component:
    """An AG Grid over one canonical table; rows come from the server a block at a time."""
    spec = next(tb for tb in TABLES if tb.name == table)
    return dag.AgGrid(
        id=Data.GRID,
        rowModelType="infinite",
        columnDefs=column_defs(spec),
        defaultColDef={"sortable": True, "resizable": True, "floatingFilter": True},
        dashGridOptions={"cacheBlockSize": 200, "maxBlocksInCache": 20},
        style={"height": 520},
    )


def upload_card(lang: str) -> Component:
    return dbc.Card(
        [
            dbc.CardBody(
                [
                    dcc.Upload(
                        id=Data.UPLOAD,
                        children=html.Div(t("data.upload", lang)),
                        multiple=True,
                        className="border border-2 border-secondary rounded p-4 text-center",
                        style={"borderStyle": "dashed", "cursor": "pointer"},
                    ),
                    html.Div(t("data.upload.large", lang), className="small text-muted mt-1"),
                    html.Div(t("data.no_files", lang), id=Data.FILES, className="small text-muted my-2"),
                    dbc.Label(t("data.format", lang), html_for=Data.FORMAT),
                    dbc.RadioItems(
                        id=Data.FORMAT,
                        options=[{"label": t(f"data.format.{f}", lang), "value": f} for f in FORMATS],
                        value="auto",
                        inline=True,
                    ),
                    html.Div(id=Data.REPORT, className="mt-3"),
                    dbc.Button(t("data.import", lang), id=Data.IMPORT, color="primary", disabled=True, class_name="mt-2"),
                    html.Div(id=Data.STATUS, className="mt-2"),
                ]
            )
        ]
    )


_FILTERS = {
    Kind.DATE: "agDateColumnFilter",
    Kind.DECIMAL: "agNumberColumnFilter",
    Kind.INT: "agNumberColumnFilter",
}


def column_defs(table: Table) -> list[dict[str, Any]]:
    """AG Grid columns for a canonical table, with a filter fitting each column's kind."""
    defs = []
    for col in table.columns:
        d: dict[str, Any] = {"field": col.name, "filter": _FILTERS.get(col.kind, "agTextColumnFilter")}
        if col.kind == Kind.TEXT:
            d["filterParams"] = {"filterOptions": ["contains", "equals", "startsWith"]}
        if col.kind == Kind.BOOL:
            d["filter"] = "agTextColumnFilter"
            d["filterParams"] = {"filterOptions": ["equals"]}
        defs.append(d)
    return defs


def report_view(lang: str, report: dict[str, Any]) -> Component:
    """The validation report: every error as file:line: column: message, or counts and warnings."""
    if report.get("errors"):
        return dbc.Alert(
            [
                html.Strong(t("data.report.errors", lang, count=len(report["errors"]))),
                html.Pre("\n".join(report["errors"]), className="mb-0 mt-2 small", style={"maxHeight": 300, "overflowY": "auto"}),
            ],
            color="danger",
        )
    children: list[Component] = [
        html.Strong(t("data.report.ok", lang, format=report.get("format", "?"))),
        html.Div(t("data.report.counts", lang), className="mt-2 fw-bold small"),
        html.Ul([html.Li(f"{t(f'table.{k}', lang)}: {fmt_number(v, lang)}") for k, v in report.get("counts", {}).items()], className="small mb-1"),
    ]
    if report.get("encodings"):
        children += [
            html.Div(t("data.report.encodings", lang), className="fw-bold small"),
            html.Div(", ".join(f"{k}: {v}" for k, v in report["encodings"].items()), className="small"),
        ]
    if report.get("warnings"):
        children += [
            html.Div(t("data.report.warnings", lang), className="fw-bold small mt-2"),
            html.Ul([html.Li(w) for w in report["warnings"]], className="small mb-0"),
        ]
    return dbc.Alert(children, color="success" if not report.get("warnings") else "warning")


def summary_view(lang: str, summary: dict[str, Any]) -> Component:
    """The workspace at a glance: counts, date range, data version, stages and roles."""
    if not summary or summary.get("counts", {}).get("reps", 0) == 0:
        return html.P(t("data.summary.empty", lang))
    counts = summary["counts"]
    tiles = [
        ("data.summary.reps", fmt_number(counts["reps"], lang)),
        ("data.summary.teams", fmt_number(summary["teams"], lang)),
        ("data.summary.accounts", fmt_number(counts["accounts"], lang)),
        ("data.summary.opportunities", fmt_number(counts["opportunities"], lang)),
        ("data.summary.activities", fmt_number(counts["activities"], lang)),
        ("data.summary.version", str(summary["version"])),
    ]
    cards = dbc.Row(
        [
            dbc.Col(html.Div([html.Div(t(k, lang), className="small text-muted"), html.Div(v, className="fs-4 fw-bold", **{"data-testid": k})]), xs=6, md=4)
            for k, v in tiles
        ],
        class_name="g-2",
    )
    start, end = summary.get("start"), summary.get("end")
    rng = html.P(f"{t('data.summary.range', lang)}: {fmt_date(start, lang)} – {fmt_date(end, lang)}", className="mt-2 mb-1")
    stage_rows = summary.get("by_stage", [])
    types = sorted({k for row in stage_rows for k in row if k != "stage"})
    stage_table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t("data.stage", lang))] + [html.Th(tp) for tp in types])),
            html.Tbody([html.Tr([html.Td(r["stage"])] + [html.Td(fmt_number(r.get(tp, 0), lang)) for tp in types]) for r in stage_rows]),
        ],
        size="sm",
        striped=True,
        class_name="small",
    )
    roles = html.Div(
        [t("data.summary.by_role", lang), ": "] + [f"{r}: {n}  " for r, n in summary.get("by_role", {}).items()],
        className="small",
    )
    parts = [cards, rng, roles, html.Div(t("data.summary.by_stage", lang), className="small fw-bold mt-2"), stage_table]
    if summary.get("quarantined"):
        parts.append(html.Div(t("data.summary.quarantine", lang, count=summary["quarantined"]), className="small text-warning"))
    return html.Div(parts)


def history_view(lang: str, imports: list[dict[str, Any]]) -> Component:
    if not imports:
        return html.Span()
    return html.Div(
        [html.Div(t("data.history", lang), className="fw-bold")]
        + [
            html.Div(
                t(
                    "data.history.row",
                    lang,
                    when=str(i["imported_at"])[:16],
                    format=i["format"],
                    source=i["source"],
                    version=i["data_version"],
                )
            )
            for i in imports[:5]
        ]
    )


def alert(message: str, color: str) -> Component:
    return dbc.Alert(message, color=color, class_name="mb-0")
