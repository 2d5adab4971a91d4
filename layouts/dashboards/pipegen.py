"""Daily Pipe Gen: pipeline created each day against the month's target.

The target line is dashed (the shared grammar: targets dashed, actuals solid); the
KPI row says at once whether the scope is ahead or behind and what it must create
per remaining working day to catch up.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from layouts.dashboards import common
from layouts.dashboards.charts import (
    LEADERBOARD_LIMIT,
    bar_trace,
    hbar_layout,
    rep_labels,
)
from layouts.figures import actual_trace, base_layout, color, empty_figure, target_trace
from layouts.i18n import fmt_money, fmt_number, t
from layouts.ids import PipeGen

OUTPUTS: tuple[tuple[PipeGen, str], ...] = (
    (PipeGen.KPIS, "children"),
    (PipeGen.DAILY, "figure"),
    (PipeGen.TEAMS, "figure"),
    (PipeGen.REPS, "figure"),
    (PipeGen.MIX, "figure"),
)
DRILL_SOURCES: tuple[tuple[PipeGen, str], ...] = ((PipeGen.TEAMS, "clickData"), (PipeGen.REPS, "clickData"))
AHEAD_COLOR = "#18bc9c"
BEHIND_COLOR = "#e74c3c"
TARGET_BAR_COLOR = "#bdc3c7"
MIX_CLASSES = ("large_new_business", "small_new_business", "add_on")


def layout(lang: str, query: dict[str, str]) -> Component:
    return common.page(
        PipeGen,
        lang,
        query,
        "pipegen.title",
        "pipegen.intro",
        [
            common.graph(PipeGen.DAILY, 420),
            dbc.Row(
                [dbc.Col(common.graph(PipeGen.TEAMS, 380), lg=7), dbc.Col(common.graph(PipeGen.MIX, 380), lg=5)],
                class_name="g-3 my-3",
            ),
            html.Div(common.graph(PipeGen.REPS, 480), className="mb-3"),
            common.drill_section(PipeGen, lang, "created"),
        ],
    )


def status_text(status: str, gap: float, lang: str) -> str:
    key = "pipegen.status.ahead" if status == "ahead" else "pipegen.status.behind"
    return t(key, lang, gap=fmt_money(abs(gap), lang))


def kpis(res: dict[str, Any], lang: str, period: str) -> Component:
    count = sum(d["opportunities_created"] for d in res["days"])
    needed = res.get("required_daily_rate")
    left = res.get("remaining_to_target_acv") or 0.0
    needed_sub = (
        t("pipegen.kpi.needed.done", lang)
        if left <= 0
        else t("pipegen.kpi.needed.sub", lang, left=fmt_money(left, lang), days=res["remaining_working_days"])
    )
    cards = [
        common.kpi_card(t("pipegen.kpi.created", lang), fmt_money(res["pipeline_created_acv"], lang), t("pipegen.kpi.created.sub", lang, count=fmt_number(count, lang)), testid="pipegen-kpi-created"),
        common.kpi_card(
            t("pipegen.kpi.target", lang),
            fmt_money(res["month_target_acv"], lang),
            t("pipegen.kpi.target.sub", lang, quota=fmt_money(res["quota"], lang), ratio=fmt_number(res["coverage_ratio"], lang, digits=1) + "×"),
            testid="pipegen-kpi-target",
        ),
        common.kpi_card(
            t("pipegen.kpi.status", lang),
            status_text(res["status"], res["gap"], lang),
            t("pipegen.kpi.status.sub", lang, target=fmt_money(res["target_to_date_acv"], lang)),
            testid="pipegen-kpi-status",
            tone="success" if res["status"] == "ahead" else "danger",
        ),
        common.kpi_card(t("pipegen.kpi.needed", lang), fmt_money(needed if left > 0 else 0.0, lang), needed_sub, testid="pipegen-kpi-needed"),
    ]
    return html.Div([html.Div(period, className="small text-muted mb-1", **{"data-testid": "dash-period"}), common.kpi_row(cards)])


def daily_figure(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    """Bars per day, the cumulative line, and the cumulative target dashed."""
    title = common.titled("pipegen.daily", lang, period)
    days = res["days"]
    if not days or not (res["month_target_acv"] or res["pipeline_created_acv"]):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    x = [d["date"] for d in days]
    data = [
        bar_trace(x, [d["pipeline_created_acv"] for d in days], t("pipegen.series.daily", lang), color(2), text=[fmt_money(d["pipeline_created_acv"], lang) for d in days]),
        actual_trace(x, [d["cumulative_acv"] for d in days], t("pipegen.series.cumulative", lang)),
        target_trace(x, [d["target_cumulative_acv"] for d in days], t("pipegen.series.target", lang)),
    ]
    data[0]["textposition"] = "none"
    layout = base_layout(title, y_title=t("dash.acv", lang), theme=theme)
    layout["xaxis"] = {"type": "date", "tickformat": "%d", "dtick": 86400000 * 2}
    return {"data": data, "layout": layout}


def progress_figure(rows: list[dict[str, Any]], labels: list[str], kind: str, id_key: str, title: str, lang: str, theme: str) -> dict[str, Any]:
    """Created against target to date, one pair of bars per team or rep, coloured by
    ahead or behind (clickable for the drill-down)."""
    custom = [(kind, r[id_key], label) for r, label in zip(rows, labels, strict=True)]
    created = bar_trace(
        [r["pipeline_created_acv"] for r in rows],
        labels,
        t("pipegen.kpi.created", lang),
        color(2),
        text=[f"{fmt_money(r['pipeline_created_acv'], lang)} · {status_text(r['status'], r['gap'], lang)}" for r in rows],
        customdata=custom,
        horizontal=True,
    )
    created["marker"] = {"color": [AHEAD_COLOR if r["status"] == "ahead" else BEHIND_COLOR for r in rows]}
    target = bar_trace(
        [r["target_to_date_acv"] for r in rows],
        labels,
        t("pipegen.series.target_to_date", lang),
        TARGET_BAR_COLOR,
        text=[fmt_money(r["target_to_date_acv"], lang) for r in rows],
        customdata=custom,
        horizontal=True,
    )
    target["textposition"] = "none"
    layout = hbar_layout(title, len(rows) * 2, theme, x_title=t("dash.acv", lang), barmode="group")
    layout["height"] = max(300, 120 + 44 * len(rows))
    layout["uniformtext"] = {"minsize": 11, "mode": "hide"}
    return {"data": [created, target], "layout": layout}


def teams_figure(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    title = common.titled("pipegen.teams", lang, period)
    rows = res["by_team"]
    if not any(r["pipeline_created_acv"] or r["target_to_date_acv"] for r in rows):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    return progress_figure(rows, [r["team"] for r in rows], "team", "team", title, lang, theme)


def reps_figure(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    title = common.titled("pipegen.reps", lang, period)
    board = res["by_rep"]
    if not any(r["pipeline_created_acv"] or r["target_to_date_acv"] for r in board):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    rows = board[:LEADERBOARD_LIMIT]
    if len(board) > len(rows):
        title += " · " + t("dash.more", lang, shown=len(rows), total=len(board))
    return progress_figure(rows, rep_labels(rows), "rep", "rep_id", title, lang, theme)


def mix_figure(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    title = common.titled("pipegen.mix", lang, period)
    mix = {m["deal_class"]: m for m in res["mix"]}
    if not any(mix.get(c, {}).get("pipeline_created_acv") for c in MIX_CLASSES):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    values = [mix.get(c, {}).get("pipeline_created_acv", 0.0) for c in MIX_CLASSES]
    counts = [mix.get(c, {}).get("opportunities_created", 0) for c in MIX_CLASSES]
    trace = {
        "type": "pie",
        "hole": 0.5,
        "sort": False,
        "labels": [t(f"pipegen.mix.{c}", lang) for c in MIX_CLASSES],
        "values": values,
        "text": [f"{fmt_money(v, lang)} · {fmt_number(n, lang)}" for v, n in zip(values, counts, strict=True)],
        "textinfo": "label+percent",
        "hovertemplate": "%{label}: %{text} (%{percent})<extra></extra>",
        "marker": {"colors": [color(0), color(2), color(3)]},
    }
    layout = base_layout(title, theme=theme, hovermode="closest")
    if res.get("large_deal_threshold_acv") is not None:
        layout["annotations"] = [
            {"text": t("pipegen.mix.threshold", lang, amount=fmt_money(res["large_deal_threshold_acv"], lang)), "x": 0.5, "y": -0.15, "xref": "paper", "yref": "paper", "showarrow": False}
        ]
    return {"data": [trace], "layout": layout}


def render(res: dict[str, Any], lang: str, theme: str) -> dict[PipeGen, Any]:
    """Every output of the page from the Daily Pipe Gen JSON."""
    as_of = res["days"][-1]["date"] if res["days"] else ""
    period = common.period_text(lang, res["month"], as_of)
    return {
        PipeGen.KPIS: kpis(res, lang, period),
        PipeGen.DAILY: daily_figure(res, lang, theme, period),
        PipeGen.TEAMS: teams_figure(res, lang, theme, period),
        PipeGen.REPS: reps_figure(res, lang, theme, period),
        PipeGen.MIX: mix_figure(res, lang, theme, period),
    }

