"""Figures, tables and KPI cards of the Simulated-vs-actual page, from the JSON of
:mod:`simulation.review` (plain dicts in, plain-dict figures and components out).

Grammar (layouts.figures): the plan's P10–P90 band and P50 in the plan colour, the
re-forecast's band in a distinct colour after the last actual month, actuals as the
dark line with markers, red where the month fell outside the band.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from layouts.dashboards import common
from layouts.figures import (
    ACTUAL_COLOR,
    TARGET_COLOR,
    actual_trace,
    band_traces,
    base_layout,
    color,
    empty_figure,
)
from layouts.i18n import fmt_date, fmt_money, fmt_month, fmt_number, fmt_pct, t
from simulation.variance import DRIVERS

PLAN_COLOR = color(2)
REFORECAST_COLOR = color(3)
MONEY_METRICS = ("closed_won_acv", "pipeline_created_acv")
PCT_KEYS = ("meetings_per_activity", "opportunities_per_meeting", "win_rate")

Result = dict[str, Any]


def fmt_value(metric: str, value: float | None, lang: str) -> str:
    return fmt_money(value, lang) if metric in MONEY_METRICS else fmt_number(value, lang)


def fmt_signed(metric: str, value: float | None, lang: str) -> str:
    text = fmt_value(metric, value, lang)
    return f"+{text}" if value is not None and value > 0 else text


def unit(metric: str, lang: str) -> str:
    return t("review.unit.usd" if metric in MONEY_METRICS else "review.unit.count", lang)


def scope_label(scope: str, names: dict[str, str], lang: str) -> str:
    """``team`` → "Whole team"; ``rep:R1`` → "Rep: Ann Lee"; territories likewise."""
    kind, _, key = scope.partition(":")
    if kind == "team":
        return t("review.scope.team", lang)
    if kind == "rep" and key.startswith("backfill:"):
        return t("review.scope.rep", lang, name=key)
    return t(f"review.scope.{kind}", lang, name=names.get(scope) or key)


def scope_options(res: Result | None, names: dict[str, str], lang: str) -> list[dict[str, str]]:
    scopes = res["scopes"] if res else ["team"]
    order = {"team": 0, "rep": 1, "territory": 2}
    ranked = sorted(scopes, key=lambda s: (order.get(s.partition(":")[0], 3), scope_label(s, names, lang)))
    return [{"label": scope_label(s, names, lang), "value": s} for s in ranked]


def _cols(res: Result | None, scope: str, metric: str) -> dict[str, list[Any]] | None:
    if not res:
        return None
    return res.get("series", {}).get(scope, {}).get(metric)


def period_text(res: Result, lang: str) -> str:
    months = res["months"]
    return t("review.chart.period", lang, first=fmt_month(months[0], lang), last=fmt_month(months[-1], lang), as_of=fmt_date(res["as_of"], lang))


def chart_title(res: Result, scope: str, metric: str, names: dict[str, str], lang: str) -> str:
    head = t("review.chart.title", lang, metric=t(f"review.metric.{metric}", lang), unit=unit(metric, lang), scope=scope_label(scope, names, lang))
    return f"{head}<br><span style='font-size:0.8em'>{period_text(res, lang)}</span>"


def review_figure(res: Result | None, rf: Result | None, scope: str, metric: str, names: dict[str, str], plan_name: str, lang: str, theme: str) -> dict[str, Any]:
    """Actuals against the plan's band, months outside it in red, and the
    re-forecast's band after the last actual month."""
    if not res:
        return empty_figure(t("review.empty.run", lang), t("review.title", lang), theme)
    title = chart_title(res, scope, metric, names, lang)
    cols = _cols(res, scope, metric)
    if cols is None:
        return empty_figure(t("review.empty.scope", lang), title, theme)
    months = res["months"]
    x = [fmt_month(m, lang) for m in months]
    data = band_traces(x, cols["p10"], cols["p50"], cols["p90"], plan_name, PLAN_COLOR)
    later = _cols(rf, scope, metric)
    axis = list(x)
    if later is not None and rf and rf["months"]:
        rx = [fmt_month(m, lang) for m in rf["months"]]
        axis += [m for m in rx if m not in axis]
        data += band_traces(rx, later["p10"], later["p50"], later["p90"], t("review.series.reforecast", lang), REFORECAST_COLOR)
        data[-1]["line"]["dash"] = "dot"
    known = [(xi, a, f) for xi, a, f in zip(x, cols["actual"], cols["flag"], strict=True) if a is not None]
    if known:
        trace = actual_trace([k[0] for k in known], [k[1] for k in known], t("review.series.actual", lang))
        trace["marker"] = {
            "size": [14 if k[2] in ("below", "above") else 9 for k in known],
            "color": [TARGET_COLOR if k[2] in ("below", "above") else ACTUAL_COLOR for k in known],
            "symbol": ["circle" if k[2] is not None else "circle-open" for k in known],
            "line": {"width": 2, "color": ACTUAL_COLOR},
        }
        trace["text"] = [f"{fmt_value(metric, k[1], lang)} · {flag_text(k[2], lang)}" for k in known]
        trace["hovertemplate"] = "%{text}<extra>" + t("review.series.actual", lang) + "</extra>"
        data.append(trace)
        outside = [k for k in known if k[2] in ("below", "above")]
        if outside:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [k[0] for k in outside],
                    "y": [k[1] for k in outside],
                    "name": t("review.series.outside", lang),
                    "marker": {"color": TARGET_COLOR, "size": 14, "line": {"width": 2, "color": ACTUAL_COLOR}},
                    "hoverinfo": "skip",
                }
            )
    layout = base_layout(title, y_title=unit(metric, lang), theme=theme)
    layout["xaxis"] = {"type": "category", "categoryorder": "array", "categoryarray": axis}
    layout["yaxis"]["rangemode"] = "tozero"
    if metric in MONEY_METRICS:
        layout["yaxis"]["tickprefix"] = "$"
    layout["margin"]["t"] = 80
    if not known:
        layout["annotations"] = [{"text": t("review.empty.scope_actuals", lang), "xref": "paper", "yref": "paper", "x": 0.5, "y": 1.02, "showarrow": False}]
    return {"data": data, "layout": layout}


def flag_text(value: str | None, lang: str) -> str:
    return t(f"review.flag.{value}", lang) if value else t("review.flag.partial", lang)


def month_table(res: Result | None, rf: Result | None, scope: str, metric: str, lang: str) -> Component:
    """Every month: actual, P10, P50, P90 and where the actual fell (flagged rows red);
    re-forecast months follow, with their band."""
    cols = _cols(res, scope, metric)
    if res is None or cols is None:
        return html.P(t("review.empty.run" if res is None else "review.empty.scope", lang), className="text-muted mb-0")
    head = html.Thead(html.Tr([html.Th(t(f"review.col.{c}", lang)) for c in ("month", "actual", "p10", "p50", "p90", "flag")]))
    rows = []
    for i, month in enumerate(res["months"]):
        actual = cols["actual"][i]
        if actual is None:
            continue
        f = cols["flag"][i]
        rows.append(
            html.Tr(
                [
                    html.Td(fmt_month(month, lang)),
                    html.Td(fmt_value(metric, actual, lang), className="fw-bold"),
                    *(html.Td(fmt_value(metric, cols[q][i], lang)) for q in ("p10", "p50", "p90")),
                    html.Td(flag_text(f, lang), **{"data-flag": f or "partial"}),
                ],
                className="table-danger" if f in ("below", "above") else "",
            )
        )
    later = _cols(rf, scope, metric)
    if later is not None and rf:
        for i, month in enumerate(rf["months"]):
            rows.append(
                html.Tr(
                    [
                        html.Td(fmt_month(month, lang)),
                        html.Td("—"),
                        *(html.Td(fmt_value(metric, later[q][i], lang)) for q in ("p10", "p50", "p90")),
                        html.Td(t("review.flag.future", lang), className="text-muted"),
                    ],
                    className="text-muted",
                )
            )
    if not rows:
        return html.P(t("review.empty.scope_actuals", lang), className="text-muted mb-0")
    table = dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, class_name="mb-0")
    return html.Div(table, **{"data-testid": "review-month-table"})


def _drivers_period(ex: Result, as_of: str, lang: str) -> str:
    return t("review.drivers.period", lang, first=fmt_month(ex["months"][0], lang), last=fmt_month(ex["months"][-1], lang), as_of=fmt_date(as_of, lang))


def drivers_figure(ex: Result | None, as_of: str | None, lang: str, theme: str) -> dict[str, Any]:
    """A waterfall from the plan's P50 to the actual: each driver, what they do only
    together, and what no driver explains."""
    head = t("review.drivers.title", lang)
    if ex is None:
        return empty_figure(t("review.empty.run", lang), head, theme)
    if not ex.get("months"):
        return empty_figure(t("review.empty.no_actuals", lang), head, theme)
    title = f"{head}<br><span style='font-size:0.8em'>{_drivers_period(ex, as_of or '', lang)}</span>"
    labels = [t("review.drivers.plan", lang)]
    values = [ex["planned_p50"]]
    measures = ["absolute"]
    for row in ex["drivers"]:
        labels.append(t(f"review.driver.{row['driver']}", lang))
        values.append(row["delta_p50"])
        measures.append("relative")
    labels += [t("review.drivers.interaction", lang), t("review.drivers.other", lang), t("review.drivers.actual", lang)]
    values += [ex["interaction"], ex["other"], ex["actual"]]
    measures += ["relative", "relative", "total"]
    text = [fmt_money(v, lang) if m != "relative" else fmt_signed("closed_won_acv", v, lang) for v, m in zip(values, measures, strict=True)]
    trace = {
        "type": "waterfall",
        "x": labels,
        "y": values,
        "measure": measures,
        "text": text,
        "textposition": "outside",
        "hovertemplate": "%{x}: %{text}<extra></extra>",
        "connector": {"line": {"color": "#95a5a6", "dash": "dot"}},
        "increasing": {"marker": {"color": color(1)}},
        "decreasing": {"marker": {"color": TARGET_COLOR}},
        "totals": {"marker": {"color": ACTUAL_COLOR}},
    }
    layout = base_layout(title, y_title=t("review.unit.usd", lang), theme=theme, showlegend=False, hovermode="closest")
    layout["xaxis"] = {"type": "category"}
    layout["yaxis"]["tickprefix"] = "$"
    running, levels = 0.0, []
    for v, m in zip(values, measures, strict=True):
        running = v if m != "relative" else running + v
        levels.append(running)
    lo, hi = min(levels), max(levels)
    pad = 0.15 * max(hi - lo, 0.05 * abs(hi), 1.0)
    layout["yaxis"]["range"] = [max(lo - pad, 0.0) if lo >= 0 else lo - pad, hi + pad]
    layout["margin"]["t"] = 80
    return {"data": [trace], "layout": layout}


def biggest_driver(ex: Result | None) -> dict[str, Any] | None:
    if not ex or not ex.get("drivers"):
        return None
    return max(ex["drivers"], key=lambda r: abs(r["delta_p50"]))


def driver_text(ex: Result | None, lang: str) -> str:
    if ex is None:
        return ""
    if not ex.get("months"):
        return t("review.empty.no_actuals", lang)
    top = biggest_driver(ex)
    assert top is not None
    return t(
        "review.drivers.summary",
        lang,
        actual=fmt_money(ex["actual"], lang),
        plan=fmt_money(ex["planned_p50"], lang),
        gap=fmt_signed("closed_won_acv", ex["gap"], lang),
        driver=t(f"review.driver.{top['driver']}", lang),
        effect=fmt_signed("closed_won_acv", top["delta_p50"], lang),
    )


def _fmt_driver_value(key: str, value: float | None, lang: str) -> str:
    if key in PCT_KEYS:
        return fmt_pct(value, lang, 1)
    if key == "deal_size_usd":
        return fmt_money(value, lang)
    return fmt_number(value, lang, 0 if key == "cycle_days" else 2)


def driver_table(ex: Result | None, lang: str) -> Component:
    """Each driver's measures in the plan (as simulated) and in the actuals."""
    if not ex or not ex.get("months"):
        return html.Div()
    effect = {r["driver"]: r["delta_p50"] for r in ex["drivers"]}
    head = html.Thead(html.Tr([html.Th(t(f"review.values.{c}", lang)) for c in ("driver", "measure", "planned", "actual", "effect")]))
    rows = []
    for driver, keys in DRIVERS.items():
        shown = [k for k in keys if k in ex["values"]]
        for j, key in enumerate(shown):
            v = ex["values"][key]
            cells = [
                html.Td(t(f"review.driver.{driver}", lang) if j == 0 else ""),
                html.Td(t(f"review.key.{key}", lang)),
                html.Td(_fmt_driver_value(key, v["planned"], lang)),
                html.Td(_fmt_driver_value(key, v["actual"], lang), className="fw-bold"),
                html.Td(fmt_signed("closed_won_acv", effect.get(driver), lang) if j == 0 else ""),
            ]
            rows.append(html.Tr(cells))
    table = dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True, class_name="mb-0")
    return html.Div(table, **{"data-testid": "review-driver-table"})


def kpis(res: Result | None, rf: Result | None, ex: Result | None, scope: str, metric: str, lang: str) -> Component:
    """Months outside the band, actual to date against the plan's mean, the
    re-forecast of the rest of the year, and the biggest driver of the ACV gap."""
    cols = _cols(res, scope, metric)
    if res is None or cols is None:
        return html.Div()
    complete = [i for i, m in enumerate(res["months"]) if m in set(res["actual_months"]) and cols["actual"][i] is not None]
    outside = sum(cols["flag"][i] in ("below", "above") for i in complete)
    actual = sum(cols["actual"][i] for i in complete)
    plan_mean = sum(cols["mean"][i] or 0.0 for i in complete)
    delta = fmt_pct((actual - plan_mean) / plan_mean, lang) if plan_mean else "—"
    if delta != "—" and actual > plan_mean:
        delta = "+" + delta
    cards = [
        common.kpi_card(
            t("review.kpi.outside", lang),
            t("review.kpi.outside.value", lang, n=outside, total=len(complete)),
            t("review.kpi.outside.sub", lang),
            testid="review-kpi-outside",
            tone="danger" if outside else None,
        ),
        common.kpi_card(
            t("review.kpi.actual", lang),
            fmt_value(metric, actual, lang) if complete else "—",
            t("review.kpi.actual.sub", lang, plan=fmt_value(metric, plan_mean, lang), delta=delta) if complete else "",
            testid="review-kpi-actual",
        ),
    ]
    later = _cols(rf, scope, metric)
    if later is not None and rf and rf["months"]:
        cards.append(
            common.kpi_card(
                t("review.kpi.reforecast", lang),
                fmt_value(metric, sum(v or 0.0 for v in later["mean"]), lang),
                t("review.kpi.reforecast.sub", lang, first=fmt_month(rf["months"][0], lang), last=fmt_month(rf["months"][-1], lang)),
                testid="review-kpi-reforecast",
            )
        )
    top = biggest_driver(ex)
    cards.append(
        common.kpi_card(
            t("review.kpi.driver", lang),
            t(f"review.driver.{top['driver']}", lang) if top else t("review.kpi.none", lang),
            fmt_signed("closed_won_acv", top["delta_p50"], lang) if top else "",
            testid="review-kpi-driver",
        )
    )
    return common.kpi_row(cards)
