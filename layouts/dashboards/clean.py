"""Clean Your Room: CRM hygiene of the open pipeline, per rep and per deal.

The work queue lists every flagged open deal with its reasons in words, sortable and
filterable, and downloads as a formula-safe CSV (``crm.export.to_csv_bytes``).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from layouts.dashboards import common
from layouts.dashboards.charts import (
    LEADERBOARD_LIMIT,
    bar_trace,
    leaderboard_figure,
    rep_labels,
)
from layouts.figures import base_layout, color, empty_figure
from layouts.i18n import fmt_date, fmt_number, t
from layouts.ids import Clean
from metrics.definitions import HYGIENE_RULES

OUTPUTS: tuple[tuple[Clean, str], ...] = (
    (Clean.KPIS, "children"),
    (Clean.LEADERBOARD, "figure"),
    (Clean.RULES, "figure"),
    (Clean.QUEUE, "rowData"),
)
DRILL_SOURCES: tuple[tuple[Clean, str], ...] = ((Clean.LEADERBOARD, "clickData"), (Clean.QUEUE, "selectedRows"))
RULES = HYGIENE_RULES
QUEUE_LIMIT = 1000
"""Rows of the work queue sent to the browser (worst first); the CSV holds them all."""
_RULE_SETTING = {"stale": "stale_days", "stuck_in_stage": "stuck_extra_days", "early_stage_near_close": "near_close_days"}


def rule_label(rule: str, lang: str, settings: dict[str, Any]) -> str:
    """A rule in words, with its threshold from the settings the metrics used."""
    setting = _RULE_SETTING.get(rule)
    return t(f"clean.rule.{rule}", lang, days=settings.get(setting, "")) if setting else t(f"clean.rule.{rule}", lang)


def queue_columns(lang: str) -> list[dict[str, Any]]:
    return [
        {"field": "opportunity_name", "headerName": t("dash.col.opportunity", lang), "minWidth": 160, "tooltipField": "opportunity_id"},
        {"field": "account_name", "headerName": t("dash.col.account", lang), "minWidth": 130},
        {"field": "rep_name", "headerName": t("dash.col.rep", lang)},
        {"field": "team", "headerName": t("dash.col.team", lang)},
        {"field": "stage", "headerName": t("dash.col.stage", lang)},
        {"field": "amount", "headerName": t("dash.col.amount", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": common.MONEY},
        {"field": "close_date", "headerName": t("dash.col.close", lang)},
        {"field": "last_activity_date", "headerName": t("dash.col.last_activity", lang)},
        {"field": "days_since_activity", "headerName": t("dash.col.days_idle", lang), "type": "numericColumn", "filter": "agNumberColumnFilter"},
        {"field": "reasons", "headerName": t("dash.col.rules", lang), "minWidth": 380, "tooltipField": "reasons"},
    ]


def layout(lang: str, query: dict[str, str]) -> Component:
    header = html.Div(
        [
            html.Span(t("clean.queue", lang)),
            dbc.Button(t("common.download_csv", lang), id=Clean.DOWNLOAD_BUTTON, size="sm", color="secondary", outline=True),
            dcc.Download(id=Clean.DOWNLOAD),
        ],
        className="d-flex justify-content-between align-items-center",
    )
    return common.page(
        Clean,
        lang,
        query,
        "clean.title",
        "clean.intro",
        [
            dbc.Row(
                [dbc.Col(common.graph(Clean.LEADERBOARD, 420), lg=7), dbc.Col(common.graph(Clean.RULES, 420), lg=5)],
                class_name="g-3 mb-3",
            ),
            html.Div(
                common.card(
                    common.grid(Clean.QUEUE, queue_columns(lang), row_id="opportunity_id", height=460, selectable=True, empty=t("clean.empty.queue", lang)),
                    header=header,
                ),
                className="mb-3",
            ),
            common.drill_section(Clean, lang, "open"),
        ],
    )


def as_of_text(res: dict[str, Any], lang: str) -> str:
    return f"{t('common.as_of', lang)} {fmt_date(res['as_of'], lang)}"


def kpis(res: dict[str, Any], lang: str) -> Component:
    score = res["hygiene_score"]
    shown = min(len(res["flagged"]), QUEUE_LIMIT)
    flagged_sub = (
        t("clean.kpi.flagged.sub", lang)
        if shown == len(res["flagged"])
        else t("clean.kpi.flagged.first", lang, shown=fmt_number(shown, lang))
    )
    cards = [
        common.kpi_card(
            t("clean.kpi.score", lang),
            fmt_number(score, lang),
            t("clean.kpi.score.sub", lang),
            testid="clean-kpi-score",
            tone="success" if score >= 90 else "warning" if score >= 70 else "danger",
        ),
        common.kpi_card(t("clean.kpi.open", lang), fmt_number(res["open_opportunities"], lang), "", testid="clean-kpi-open"),
        common.kpi_card(t("clean.kpi.flagged", lang), fmt_number(res["flagged_count"], lang), flagged_sub, testid="clean-kpi-flagged"),
    ]
    return html.Div([html.Div(as_of_text(res, lang), className="small text-muted mb-1", **{"data-testid": "dash-period"}), common.kpi_row(cards)])


def score_colour(score: float) -> str:
    return "#18bc9c" if score >= 90 else "#f39c12" if score >= 70 else "#e74c3c"


def leaderboard(res: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    title = common.titled("clean.leaderboard", lang, as_of_text(res, lang))
    board = [r for r in res["by_rep"] if r["open_opportunities"] > 0]
    if not board:
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    rows = board[:LEADERBOARD_LIMIT]
    if len(board) > len(rows):
        title += " · " + t("dash.more", lang, shown=len(rows), total=len(board))
    labelled = [{**r, "label": label} for r, label in zip(rows, rep_labels(rows), strict=True)]
    text = [f"{fmt_number(r['hygiene_score'], lang)} · {fmt_number(r['flagged'], lang)}/{fmt_number(r['open_opportunities'], lang)}" for r in rows]
    fig = leaderboard_figure(
        labelled,
        "label",
        "hygiene_score",
        "rep",
        "rep_id",
        title,
        theme,
        text,
        t("clean.kpi.score", lang),
        x_title=t("clean.axis.score", lang),
        marker_colours=[score_colour(r["hygiene_score"]) for r in rows],
    )
    fig["layout"]["xaxis"] = {"range": [0, 100], "title": {"text": t("clean.axis.score", lang)}}
    return fig


def rules_figure(res: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    title = common.titled("clean.rules", lang, as_of_text(res, lang))
    counts = res["rule_counts"]
    if not any(counts.get(r) for r in RULES):
        return empty_figure(t("clean.empty.queue", lang), title, theme)
    labels = [rule_label(r, lang, res.get("settings", {})) for r in RULES]
    values = [counts.get(r, 0) for r in RULES]
    trace = bar_trace(values, labels, t("dash.count", lang), color(4), text=[fmt_number(v, lang) for v in values], horizontal=True)
    layout = base_layout(title, x_title=t("dash.count", lang), theme=theme, hovermode="closest", showlegend=False)
    layout["yaxis"] = {"autorange": "reversed", "automargin": True}
    return {"data": [trace], "layout": layout}


def queue_rows(res: dict[str, Any], lang: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The work queue (worst first, the first ``limit`` rows) with each deal's rules
    in words (``reasons``)."""
    settings = res.get("settings", {})
    flagged = res["flagged"] if limit is None else res["flagged"][:limit]
    return [{**f, "reasons": "; ".join(rule_label(r, lang, settings) for r in f["rules"])} for f in flagged]


def render(res: dict[str, Any], lang: str, theme: str) -> dict[Clean, Any]:
    """Every output of the page from the Clean Your Room JSON."""
    return {
        Clean.KPIS: kpis(res, lang),
        Clean.LEADERBOARD: leaderboard(res, lang, theme),
        Clean.RULES: rules_figure(res, lang, theme),
        Clean.QUEUE: queue_rows(res, lang, QUEUE_LIMIT),
    }
