"""State of the Union: the month's most important numbers on one screen.

``layout`` is the static page; ``render`` turns the JSON of
``metrics.dashboards.state_of_the_union`` into the values of the page's outputs
(``OUTPUTS``), so the callback is one line and the view is tested without a browser.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from layouts.dashboards import common
from layouts.dashboards.charts import (
    LEADERBOARD_LIMIT,
    bar_trace,
    leaderboard_figure,
    line_trace,
    rep_labels,
)
from layouts.figures import base_layout, color, empty_figure, target_trace
from layouts.i18n import fmt_date, fmt_money, fmt_month, fmt_number, fmt_pct, t
from layouts.ids import Sotu

OUTPUTS: tuple[tuple[Sotu, str], ...] = (
    (Sotu.KPIS, "children"),
    (Sotu.TOPS, "children"),
    (Sotu.FORECAST, "children"),
    (Sotu.NOTABLE_OPEN, "rowData"),
    (Sotu.NOTABLE_CLOSED, "rowData"),
    (Sotu.TREND, "figure"),
    (Sotu.LEADERBOARD, "figure"),
    (Sotu.TEAMS, "figure"),
)
DRILL_SOURCES: tuple[tuple[Sotu, str], ...] = ((Sotu.LEADERBOARD, "clickData"), (Sotu.TEAMS, "clickData"))


def layout(lang: str, query: dict[str, str]) -> Component:
    deals = common.deal_columns(lang, compact=True)
    return common.page(
        Sotu,
        lang,
        query,
        "sotu.title",
        "sotu.intro",
        [
            dbc.Row(
                [
                    dbc.Col(common.card(html.Div(id=Sotu.TOPS), header=t("sotu.top_rep", lang) + " / " + t("sotu.top_team", lang)), lg=4),
                    dbc.Col(common.card([html.Div(id=Sotu.FORECAST), dcc.Loading(html.Div(id=Sotu.SIM_RANGE, className="mt-2"), type="dot")], header=t("sotu.forecast", lang)), lg=8),
                ],
                class_name="g-3 mb-3",
            ),
            common.graph(Sotu.TREND, 380),
            dbc.Row(
                [
                    dbc.Col(common.card(common.grid(Sotu.NOTABLE_OPEN, deals, row_id="opportunity_id", height=330, empty=t("sotu.empty.open", lang)), header=t("sotu.notable_open", lang)), lg=6),
                    dbc.Col(common.card(common.grid(Sotu.NOTABLE_CLOSED, deals, row_id="opportunity_id", height=330, empty=t("sotu.empty.closed", lang)), header=t("sotu.notable_closed", lang)), lg=6),
                ],
                class_name="g-3 my-3",
            ),
            dbc.Row(
                [
                    dbc.Col(common.graph(Sotu.LEADERBOARD, 420), lg=7),
                    dbc.Col(common.graph(Sotu.TEAMS, 420), lg=5),
                ],
                class_name="g-3 mb-3",
            ),
            common.drill_section(Sotu, lang, "won"),
        ],
    )


def coverage_text(value: float | None, lang: str) -> str:
    return "—" if value is None else fmt_number(value, lang, digits=1) + "×"


def kpis(res: dict[str, Any], lang: str, period: str) -> Component:
    cards = [
        common.kpi_card(
            t("sotu.kpi.closed_won", lang),
            fmt_money(res["closed_won_acv"], lang),
            t("sotu.kpi.closed_won.sub", lang, count=fmt_number(res["closed_won_count"], lang), quota=fmt_money(res["quota"], lang)),
            testid="sotu-kpi-closed-won",
        ),
        common.kpi_card(t("sotu.kpi.attainment", lang), fmt_pct(res["attainment"], lang), t("sotu.kpi.attainment.sub", lang), testid="sotu-kpi-attainment"),
        common.kpi_card(
            t("sotu.kpi.pipeline", lang),
            fmt_money(res["open_pipeline_acv"], lang),
            t("sotu.kpi.pipeline.sub", lang, due=fmt_money(res.get("open_pipeline_due_acv"), lang), coverage=coverage_text(res.get("pipeline_coverage"), lang)),
            testid="sotu-kpi-pipeline",
        ),
        common.kpi_card(t("sotu.kpi.win_rate", lang), fmt_pct(res["win_rate"], lang), t("sotu.kpi.win_rate.sub", lang), testid="sotu-kpi-win-rate"),
        common.kpi_card(t("sotu.kpi.avg_deal", lang), fmt_money(res["avg_deal_size"], lang), t("sotu.kpi.avg_deal.sub", lang), testid="sotu-kpi-avg-deal"),
    ]
    return html.Div([html.Div(period, className="small text-muted mb-1", **{"data-testid": "dash-period"}), common.kpi_row(cards)])


def tops(res: dict[str, Any], lang: str) -> Component:
    rep, team = res.get("top_rep"), res.get("top_team")
    if rep is None and team is None:
        return html.P(t("sotu.top.none", lang), className="text-muted mb-0")
    parts: list[Component] = []
    if rep is not None:
        parts.append(html.Div([html.Div(t("sotu.top_rep", lang), className="small text-muted"), html.Div(rep["rep_name"], className="fs-4 fw-bold"), html.Div(f"{rep.get('team', '')} · {fmt_money(rep['closed_won_acv'], lang)}")], className="mb-3"))
    if team is not None:
        parts.append(html.Div([html.Div(t("sotu.top_team", lang), className="small text-muted"), html.Div(team["team"], className="fs-4 fw-bold"), html.Div(fmt_money(team["closed_won_acv"], lang))]))
    return html.Div(parts, **{"data-testid": "sotu-tops"})


def forecast(res: dict[str, Any], lang: str) -> Component:
    """The month-end projection and what it means against quota, in words."""
    fc = res["forecast"]
    lines: list[Component] = [html.Div([t("sotu.forecast.closed", lang), ": ", html.Strong(fmt_money(fc["closed_won_acv"], lang))])]
    for name, part in (("Commit", fc["commit"]), ("Best Case", fc["best_case"])):
        text = t("sotu.forecast.part", lang, category=name, open=fmt_money(part["open_acv"], lang), rate=fmt_pct(part["rate"], lang), weighted=fmt_money(part["weighted_acv"], lang))
        if part.get("rate_source") == "default":
            text += " " + t("sotu.forecast.default_rate", lang)
        lines.append(html.Div(text))
    lines.append(
        html.Div(
            [t("sotu.forecast.projection", lang), ": ", html.Strong(fmt_money(fc["projection_acv"], lang), className="fs-4"), f"  ({fmt_pct(fc['projected_attainment'], lang)})"],
            className="mt-2",
        )
    )
    if not fc["quota"]:
        lines.append(html.Div(t("sotu.forecast.no_quota", lang), className="text-muted"))
    elif fc["gap_to_quota"] >= 0:
        lines.append(html.Div(t("sotu.forecast.ahead", lang, gap=fmt_money(fc["gap_to_quota"], lang)), className="text-success fw-bold"))
    else:
        lines.append(html.Div(t("sotu.forecast.short", lang, gap=fmt_money(-fc["gap_to_quota"], lang)), className="text-danger fw-bold"))
    return html.Div(lines, **{"data-testid": "sotu-forecast"})


def sim_range(result: dict[str, Any] | None, quota: float, lang: str) -> Component:
    """The simulated month-end range under the weighted projection, against quota."""
    if result is None:
        return html.Div(t("sotu.forecast.sim.none", lang), className="small text-muted")
    text = t(
        "sotu.forecast.sim",
        lang,
        p10=fmt_money(result["p10"], lang),
        p90=fmt_money(result["p90"], lang),
        p50=fmt_money(result["p50"], lang),
        runs=result["replications"],
    )
    parts: list[Component] = [html.Div(text, **{"data-testid": "sotu-sim-range"})]
    if quota:
        parts.append(
            html.Div(
                t("sotu.forecast.sim.quota", lang, low=fmt_pct(result["p10"] / quota, lang), high=fmt_pct(result["p90"] / quota, lang)),
                className="small text-muted",
            )
        )
    return html.Div(parts)


def trend_figure(res: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    rows = res["trend"]
    title = common.titled(
        "sotu.trend",
        lang,
        t("dash.period.months", lang, first=fmt_month(rows[0]["month"], lang) if rows else "", last=fmt_month(res["month"], lang), as_of=fmt_date(res["period_end"], lang)),
    )
    if not rows or not any(r["closed_won_acv"] or r["quota"] or r["pipeline_created_acv"] for r in rows):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    months = [fmt_month(r["month"], lang) for r in rows]
    data = [
        bar_trace(months, [r["closed_won_acv"] for r in rows], t("sotu.series.closed_won", lang), color(1), text=[f"{fmt_money(r['closed_won_acv'], lang)} · {fmt_pct(r['attainment'], lang)}" for r in rows]),
        target_trace(months, [r["quota"] for r in rows], t("sotu.series.quota", lang)),
        line_trace(months, [r["pipeline_created_acv"] for r in rows], t("sotu.series.created", lang), color(2), text=[fmt_money(r["pipeline_created_acv"], lang) for r in rows], yaxis="y2"),
    ]
    layout = base_layout(title, y_title=t("dash.acv", lang), theme=theme)
    layout["xaxis"] = {"type": "category"}
    layout["yaxis2"] = {"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False, "title": {"text": t("sotu.series.created", lang)}}
    return {"data": data, "layout": layout}


def leaderboard(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    board = res["leaderboard"]
    title = common.titled("sotu.leaderboard", lang, period)
    if not any(r["closed_won_acv"] for r in board):
        return empty_figure(t("sotu.empty.closed", lang), title, theme)
    rows = board[:LEADERBOARD_LIMIT]
    if len(board) > len(rows):
        title += " · " + t("dash.more", lang, shown=len(rows), total=len(board))
    labelled = [{**r, "label": label} for r, label in zip(rows, rep_labels(rows), strict=True)]
    text = [f"{fmt_money(r['closed_won_acv'], lang)} · {fmt_pct(r['attainment'], lang)}" for r in rows]
    return leaderboard_figure(labelled, "label", "closed_won_acv", "rep", "rep_id", title, theme, text, t("sotu.series.closed_won", lang), x_title=t("dash.acv", lang))


def team_rows(board: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rep leaderboard summed per team: closed-won ACV, quota, attainment; ranked."""
    acv: dict[str, float] = defaultdict(float)
    quota: dict[str, float] = defaultdict(float)
    for r in board:
        acv[r["team"]] += r["closed_won_acv"]
        quota[r["team"]] += r["quota"]
    rows = [{"team": k, "closed_won_acv": acv[k], "quota": quota[k], "attainment": acv[k] / quota[k] if quota[k] else None} for k in acv]
    return sorted(rows, key=lambda r: (-r["closed_won_acv"], r["team"]))


def teams_figure(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    rows = team_rows(res["leaderboard"])
    title = common.titled("sotu.teams", lang, period)
    if not any(r["closed_won_acv"] for r in rows):
        return empty_figure(t("sotu.empty.closed", lang), title, theme)
    text = [f"{fmt_money(r['closed_won_acv'], lang)} · {fmt_pct(r['attainment'], lang)}" for r in rows]
    return leaderboard_figure(rows, "team", "closed_won_acv", "team", "team", title, theme, text, t("sotu.series.closed_won", lang), x_title=t("dash.acv", lang), colour_index=2)


def render(res: dict[str, Any], lang: str, theme: str) -> dict[Sotu, Any]:
    """Every output of the page from the State of the Union JSON."""
    period = common.period_text(lang, res["month"], res["period_end"])
    return {
        Sotu.KPIS: kpis(res, lang, period),
        Sotu.TOPS: tops(res, lang),
        Sotu.FORECAST: forecast(res, lang),
        Sotu.NOTABLE_OPEN: res["notable_open"],
        Sotu.NOTABLE_CLOSED: res["notable_closed"],
        Sotu.TREND: trend_figure(res, lang, theme),
        Sotu.LEADERBOARD: leaderboard(res, lang, theme, period),
        Sotu.TEAMS: teams_figure(res, lang, theme, period),
    }
