"""AMP: activities → meetings → pipeline, month to date, per rep and team.

Reps whose activity is high but whose meetings are low (the metrics' documented
rule) stand out three ways: red points on the quadrant scatter, highlighted rows in
the per-rep grid, and a named list with the numbers behind the flag.
"""

from __future__ import annotations

import statistics
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from layouts.dashboards import common
from layouts.dashboards.charts import (
    LEADERBOARD_LIMIT,
    bar_trace,
    leaderboard_figure,
    line_trace,
    rep_labels,
)
from layouts.figures import TARGET_COLOR, base_layout, color, empty_figure
from layouts.i18n import fmt_date, fmt_money, fmt_month, fmt_number, fmt_pct, t
from layouts.ids import Amp

OUTPUTS: tuple[tuple[Amp, str], ...] = (
    (Amp.KPIS, "children"),
    (Amp.FUNNEL, "figure"),
    (Amp.COMPARE, "figure"),
    (Amp.WEEKLY, "figure"),
    (Amp.QUADRANT, "figure"),
    (Amp.FLAGGED, "children"),
    (Amp.REP_GRID, "rowData"),
    (Amp.TEAMS, "figure"),
)
DRILL_SOURCES: tuple[tuple[Amp, str], ...] = (
    (Amp.QUADRANT, "clickData"),
    (Amp.TEAMS, "clickData"),
    (Amp.REP_GRID, "selectedRows"),
)
FLAG_STYLE = {"backgroundColor": "rgba(231, 76, 60, 0.18)", "fontWeight": "bold"}


def rep_columns(lang: str) -> list[dict[str, Any]]:
    return [
        {"field": "rep_name", "headerName": t("dash.col.rep", lang), "minWidth": 140},
        {"field": "team", "headerName": t("dash.col.team", lang)},
        {"field": "activities", "headerName": t("dash.col.activities", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": common.INT},
        {"field": "meetings", "headerName": t("dash.col.meetings", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": common.INT},
        {"field": "meeting_rate", "headerName": t("dash.col.meeting_rate", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": common.PCT},
        {"field": "opportunities_created", "headerName": t("dash.col.opportunities", lang), "type": "numericColumn", "filter": "agNumberColumnFilter"},
        {"field": "pipeline_created_acv", "headerName": t("dash.col.pipeline", lang), "type": "numericColumn", "filter": "agNumberColumnFilter", "valueFormatter": common.MONEY, "sort": "desc"},
        {"field": "flag_text", "headerName": t("dash.col.quality_flag", lang)},
    ]


def layout(lang: str, query: dict[str, str]) -> Component:
    return common.page(
        Amp,
        lang,
        query,
        "amp.title",
        "amp.intro",
        [
            dbc.Row(
                [dbc.Col(common.graph(Amp.FUNNEL, 380), lg=5), dbc.Col(common.graph(Amp.COMPARE, 380), lg=7)],
                class_name="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(common.graph(Amp.QUADRANT, 420), lg=7),
                    dbc.Col(common.card(html.Div(id=Amp.FLAGGED), header=t("amp.flagged", lang), footer=t("amp.flagged.rule", lang)), lg=5),
                ],
                class_name="g-3 mb-3",
            ),
            common.graph(Amp.WEEKLY, 360),
            dbc.Row(
                [
                    dbc.Col(
                        common.card(
                            common.grid(
                                Amp.REP_GRID,
                                rep_columns(lang),
                                row_id="rep_id",
                                height=420,
                                selectable=True,
                                row_style=[{"condition": "params.data.activity_quality_flag", "style": FLAG_STYLE}],
                                empty=t("dash.empty.nothing", lang),
                            ),
                            header=t("amp.reps", lang),
                        ),
                        lg=7,
                    ),
                    dbc.Col(common.graph(Amp.TEAMS, 420), lg=5),
                ],
                class_name="g-3 my-3",
            ),
            common.drill_section(Amp, lang, "created"),
        ],
    )


def _previous(res: dict[str, Any]) -> dict[str, Any] | None:
    prev = res.get("previous_months") or []
    return prev[0] if prev else None


def kpis(res: dict[str, Any], lang: str, period: str) -> Component:
    tot = res["totals"]
    prev = _previous(res)

    def vs(key: str, money: bool = False) -> str:
        if prev is None:
            return ""
        value = fmt_money(prev[key], lang) if money else fmt_number(prev[key], lang)
        return t("amp.kpi.vs", lang, value=value)

    cards = [
        common.kpi_card(t("amp.kpi.activities", lang), fmt_number(tot["activities"], lang), vs("activities"), testid="amp-kpi-activities"),
        common.kpi_card(t("amp.kpi.meetings", lang), fmt_number(tot["meetings"], lang), t("amp.kpi.rate", lang, rate=fmt_pct(tot["activity_to_meeting_rate"], lang, 1)), testid="amp-kpi-meetings"),
        common.kpi_card(t("amp.kpi.opportunities", lang), fmt_number(tot["opportunities_created"], lang), t("amp.kpi.rate.opps", lang, rate=fmt_pct(tot["meeting_to_opportunity_rate"], lang, 1)), testid="amp-kpi-opportunities"),
        common.kpi_card(t("amp.kpi.pipeline", lang), fmt_money(tot["pipeline_created_acv"], lang), vs("pipeline_created_acv", money=True), testid="amp-kpi-pipeline"),
    ]
    return html.Div([html.Div(period, className="small text-muted mb-1", **{"data-testid": "dash-period"}), common.kpi_row(cards)])


def funnel_figure(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    tot = res["totals"]
    title = common.titled("amp.funnel", lang, period)
    values = [tot["activities"], tot["meetings"], tot["opportunities_created"]]
    if not any(values):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    labels = [t("amp.series.activities", lang), t("amp.series.meetings", lang), t("amp.series.opportunities", lang)]
    trace = {
        "type": "funnel",
        "y": labels,
        "x": values,
        "textinfo": "value+percent previous",
        "marker": {"color": [color(2), color(1), color(3)]},
        "hoverinfo": "x+y+percent previous",
    }
    layout = base_layout(title, theme=theme, hovermode="closest", showlegend=False)
    layout["annotations"] = [
        {
            "text": f"{t('amp.kpi.pipeline', lang)}: {fmt_money(tot['pipeline_created_acv'], lang)}",
            "xref": "paper",
            "yref": "paper",
            "x": 1,
            "y": 0,
            "xanchor": "right",
            "yanchor": "top",
            "showarrow": False,
        }
    ]
    layout["yaxis"] = {"automargin": True}
    return {"data": [trace], "layout": layout}


def compare_rows(res: dict[str, Any]) -> list[dict[str, Any]]:
    """The previous months (oldest first) then this month, each to the same day."""
    prev = list(reversed(res.get("previous_months") or []))
    return [*prev, {"month": res["month"], **res["totals"]}]


def compare_figure(res: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    rows = compare_rows(res)
    title = common.titled("amp.compare", lang, t("dash.period.months", lang, first=fmt_month(rows[0]["month"], lang), last=fmt_month(res["month"], lang), as_of=fmt_date(res["period_end"], lang)))
    if not any(r["activities"] or r["pipeline_created_acv"] for r in rows):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    months = [fmt_month(r["month"], lang) for r in rows]
    data = [
        bar_trace(months, [r["pipeline_created_acv"] for r in rows], t("amp.kpi.pipeline", lang), color(1), text=[fmt_money(r["pipeline_created_acv"], lang) for r in rows]),
        line_trace(months, [r["activity_to_meeting_rate"] for r in rows], t("amp.series.activities", lang) + " → " + t("amp.series.meetings", lang), color(2), text=[fmt_pct(r["activity_to_meeting_rate"], lang, 1) for r in rows], yaxis="y2"),
        line_trace(months, [r["meeting_to_opportunity_rate"] for r in rows], t("amp.series.meetings", lang) + " → " + t("amp.series.opportunities", lang), color(3), text=[fmt_pct(r["meeting_to_opportunity_rate"], lang, 1) for r in rows], yaxis="y2"),
    ]
    layout = base_layout(title, y_title=t("dash.acv", lang), theme=theme)
    layout["xaxis"] = {"type": "category"}
    layout["yaxis2"] = {"overlaying": "y", "side": "right", "tickformat": ".0%", "rangemode": "tozero", "showgrid": False}
    return {"data": data, "layout": layout}


def weekly_figure(res: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    rows = res["weekly"]
    title = common.titled("amp.weekly", lang, t("dash.period.weeks", lang, weeks=len(rows), as_of=fmt_date(res["period_end"], lang)))
    if not any(r["activities"] or r["opportunities_created"] for r in rows):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    weeks = [r["week"] for r in rows]
    data = [
        bar_trace(weeks, [r["activities"] for r in rows], t("amp.series.activities", lang), color(2)),
        bar_trace(weeks, [r["meetings"] for r in rows], t("amp.series.meetings", lang), color(1)),
        {**line_trace(weeks, [r["opportunities_created"] for r in rows], t("amp.series.opportunities", lang), color(3)), "yaxis": "y2"},
    ]
    layout = base_layout(title, y_title=t("dash.count", lang), theme=theme, barmode="group")
    layout["xaxis"] = {"type": "category"}
    layout["yaxis2"] = {"overlaying": "y", "side": "right", "rangemode": "tozero", "showgrid": False, "tickformat": ",d", "title": {"text": t("amp.series.opportunities", lang)}}
    return {"data": data, "layout": layout}


def quadrant_figure(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    """Activities (x) against meeting rate (y) per rep, median lines as quadrants;
    flagged reps in red, bottom right."""
    title = common.titled("amp.quadrant", lang, period)
    reps = [r for r in res["by_rep"] if r["activities"] > 0]
    if not reps:
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    labels = dict(zip([r["rep_id"] for r in reps], rep_labels(reps), strict=True))
    data = []
    for flagged, name, colour in ((False, t("amp.quadrant.ok", lang), color(2)), (True, t("amp.quadrant.flagged", lang), TARGET_COLOR)):
        group = [r for r in reps if bool(r["activity_quality_flag"]) == flagged]
        if not group:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [r["activities"] for r in group],
                "y": [r["meeting_rate"] for r in group],
                "name": name,
                "text": [f"{labels[r['rep_id']]} ({r['team']}): {fmt_number(r['activities'], lang)} · {fmt_pct(r['meeting_rate'], lang, 1)}" for r in group],
                "hovertemplate": "%{text}<extra></extra>",
                "customdata": [["rep", r["rep_id"], labels[r["rep_id"]]] for r in group],
                "marker": {"color": colour, "size": 11 if flagged else 8, "line": {"width": 1, "color": "#ffffff"}},
            }
        )
    med_x = statistics.median(r["activities"] for r in reps)
    med_y = statistics.median(r["meeting_rate"] for r in reps)
    layout = base_layout(title, x_title=t("amp.axis.activities", lang), y_title=t("amp.axis.meeting_rate", lang), theme=theme, hovermode="closest")
    layout["yaxis"]["tickformat"] = ".0%"
    layout["shapes"] = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": med_x, "x1": med_x, "y0": 0, "y1": 1, "line": {"dash": "dot", "color": "#95a5a6"}},
        {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": med_y, "y1": med_y, "line": {"dash": "dot", "color": "#95a5a6"}},
    ]
    layout["clickmode"] = "event"
    return {"data": data, "layout": layout}


def flagged_list(res: dict[str, Any], lang: str) -> Component:
    rows = res.get("high_activity_low_meetings") or []
    if not rows:
        return html.P(t("amp.flagged.none", lang), className="text-success mb-0")
    items = [
        html.Li(
            t(
                "amp.flagged.row",
                lang,
                name=r["rep_name"],
                team=r["team"],
                activities=fmt_number(r["activities"], lang),
                meetings=fmt_number(r["meetings"], lang),
                rate=fmt_pct(r["meeting_rate"], lang, 1),
                median=fmt_pct(r["team_median_meeting_rate"], lang, 1),
            ),
            className="text-danger",
        )
        for r in rows[:LEADERBOARD_LIMIT]
    ]
    more = [html.Div(t("dash.more", lang, shown=LEADERBOARD_LIMIT, total=len(rows)), className="small text-muted")] if len(rows) > LEADERBOARD_LIMIT else []
    return html.Div([html.Ul(items, className="mb-1 ps-3", **{"data-testid": "amp-flagged"}), *more])


def grid_rows(res: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Per-rep rows for the grid, with the quality flag as a word to filter on."""
    yes = t("dash.yes", lang)
    return [{**r, "flag_text": yes if r["activity_quality_flag"] else ""} for r in res["by_rep"]]


def teams_figure(res: dict[str, Any], lang: str, theme: str, period: str) -> dict[str, Any]:
    title = common.titled("amp.teams", lang, period)
    rows = sorted(res["by_team"], key=lambda r: (-r["pipeline_created_acv"], r["team"]))
    if not any(r["pipeline_created_acv"] for r in rows):
        return empty_figure(t("dash.empty.nothing", lang), title, theme)
    text = [f"{fmt_money(r['pipeline_created_acv'], lang)} · {fmt_number(r['opportunities_created'], lang)}" for r in rows]
    return leaderboard_figure(rows, "team", "pipeline_created_acv", "team", "team", title, theme, text, t("amp.kpi.pipeline", lang), x_title=t("dash.acv", lang), colour_index=2)


def render(res: dict[str, Any], lang: str, theme: str) -> dict[Amp, Any]:
    """Every output of the page from the AMP JSON."""
    period = common.period_text(lang, res["month"], res["period_end"])
    return {
        Amp.KPIS: kpis(res, lang, period),
        Amp.FUNNEL: funnel_figure(res, lang, theme, period),
        Amp.COMPARE: compare_figure(res, lang, theme),
        Amp.WEEKLY: weekly_figure(res, lang, theme),
        Amp.QUADRANT: quadrant_figure(res, lang, theme, period),
        Amp.FLAGGED: flagged_list(res, lang),
        Amp.REP_GRID: grid_rows(res, lang),
        Amp.TEAMS: teams_figure(res, lang, theme, period),
    }
