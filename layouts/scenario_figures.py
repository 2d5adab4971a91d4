"""The Scenario page's figures, KPI cards and table rows, from a run's JSON summary.

Colours follow the shared grammar and stay fixed per plan on every chart: the
baseline is ``color(0)``, the scenario ``color(1)``; actuals are the solid dark line
with markers, quota the dashed line. Every title carries its unit, its period and
the as-of date; every chart has an empty state that says what to do.
"""

from __future__ import annotations

from typing import Any

from layouts.dashboards import common
from layouts.figures import (
    actual_trace,
    band_traces,
    base_layout,
    color,
    empty_figure,
    rgba,
    target_trace,
)
from layouts.i18n import fmt_date, fmt_money, fmt_month, fmt_number, fmt_pct, t

BASE_COLOR = color(0)
SCENARIO_COLOR = color(1)
PROB_LIMIT = 40


def _title(main: str, summary: dict[str, Any], lang: str) -> str:
    months = summary["months"]
    runs = summary["replications"]
    period = t("scen.fig.period", lang, first=fmt_month(months[0], lang), last=fmt_month(months[-1], lang), runs=fmt_number(runs, lang), as_of=fmt_date(summary["as_of"], lang))
    if runs < summary.get("requested", runs):
        period += " · " + t("scen.fig.partial", lang, runs=runs, total=summary["requested"])
    return f"{main}<br><span style='font-size:0.8em'>{period}</span>"


def _plus(values: list[float | None], offset: float) -> list[float | None]:
    return [None if v is None else v + offset for v in values]


def empty_state(lang: str, theme: str) -> dict[str, dict[str, Any]]:
    """Every chart before the first run: says to press Run."""
    message = t("scen.fig.empty", lang)
    return {
        "bands": empty_figure(message, t("scen.fig.bands", lang, scope=t("scen.scope.team", lang)), theme),
        "delta": empty_figure(message, t("scen.fig.delta", lang, scope=t("scen.scope.team", lang)), theme),
        "hist": empty_figure(message, t("scen.fig.hist", lang), theme),
        "prob": empty_figure(message, t("scen.fig.prob", lang), theme),
    }


def band_figure(summary: dict[str, Any], scope: str, actual: dict[str, Any], label: str, lang: str, theme: str) -> dict[str, Any]:
    """Cumulative closed-won ACV against cumulative quota for one scope: actuals this
    year to the as-of date, then the projection (P10–P90 band, P50) anchored on them;
    the baseline's band too when the run was compared with it."""
    title = _title(t("scen.fig.bands", lang, scope=label), summary, lang)
    band = summary["bands"].get(scope)
    if band is None:
        return empty_figure(t("scen.fig.empty", lang), title, theme)
    won_to_date = (actual.get("won", {}).get(scope) or [0.0])[-1] if actual else 0.0
    quota_to_date = actual.get("quota", {}).get(scope, 0.0) if actual else 0.0
    months = summary["months"]
    x = [fmt_month(m, lang) for m in months]
    data: list[dict[str, Any]] = []
    base = (summary.get("baseline") or {}).get("bands", {}).get(scope)
    if base is not None:
        data += band_traces(x, _plus(base["p10"], won_to_date), _plus(base["p50"], won_to_date), _plus(base["p90"], won_to_date), t("scen.series.baseline", lang), BASE_COLOR)
    data += band_traces(x, _plus(band["p10"], won_to_date), _plus(band["p50"], won_to_date), _plus(band["p90"], won_to_date), t("scen.series.scenario", lang), SCENARIO_COLOR)
    if actual and actual.get("won", {}).get(scope) is not None:
        data.append(actual_trace([fmt_month(m, lang) for m in actual["months"]], actual["won"][scope], t("scen.series.actual", lang)))
    if band.get("quota") and any(band["quota"]):
        data.append(target_trace(x, _plus(band["quota"], quota_to_date), t("scen.series.quota", lang)))
    layout = base_layout(title, y_title=t("scen.axis.acv", lang), theme=theme)
    layout["xaxis"] = {"type": "category", "categoryorder": "array", "categoryarray": ([fmt_month(m, lang) for m in actual["months"]] if actual else []) + x}
    layout["yaxis"] = {"title": {"text": t("scen.axis.acv", lang)}, "tickprefix": "$", "tickformat": "~s"}
    layout["height"] = 440
    return {"data": data, "layout": layout}


def delta_figure(summary: dict[str, Any], scope: str, label: str, lang: str, theme: str) -> dict[str, Any]:
    """The scenario minus the baseline, replication by replication (same seed)."""
    title = _title(t("scen.fig.delta", lang, scope=label), summary, lang)
    delta = (summary.get("delta") or {}).get(scope)
    if delta is None:
        message = t("scen.fig.same", lang) if "delta" not in summary else t("scen.fig.empty", lang)
        return empty_figure(message, title, theme)
    x = [fmt_month(m, lang) for m in summary["months"]]
    data = band_traces(x, delta["p10"], delta["p50"], delta["p90"], t("scen.series.delta", lang), SCENARIO_COLOR)
    data.append({"type": "scatter", "x": x, "y": [0.0] * len(x), "mode": "lines", "line": {"color": BASE_COLOR, "width": 1, "dash": "dot"}, "name": t("scen.series.baseline", lang)})
    layout = base_layout(title, y_title=t("scen.axis.acv", lang), theme=theme)
    layout["xaxis"] = {"type": "category"}
    layout["yaxis"] = {"title": {"text": t("scen.axis.acv", lang)}, "tickprefix": "$", "tickformat": "~s", "zeroline": True}
    layout["height"] = 320
    return {"data": data, "layout": layout}


def _hist_trace(hist: dict[str, Any], name: str, colour: str, filled: bool) -> dict[str, Any]:
    edges = hist["edges"]
    centres = [100 * (a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
    marker: dict[str, Any] = {"color": rgba(colour, 0.75 if filled else 0.0), "line": {"color": colour, "width": 2 if not filled else 0}}
    return {
        "type": "bar",
        "x": centres,
        "y": hist["share"],
        "width": [100 * (b - a) for a, b in zip(edges[:-1], edges[1:], strict=True)],
        "name": name,
        "marker": marker,
        "hovertemplate": "%{x:.0f}%: %{y:.1%}<extra>" + name + "</extra>",
    }


def hist_figure(summary: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    """The reps' horizon attainment pooled over runs; 300 % and more in the last bar."""
    title = _title(t("scen.fig.hist", lang), summary, lang)
    hist = summary.get("hist") or {}
    if not hist or not any(hist.get("share") or []):
        return empty_figure(t("scen.fig.no_quota", lang), title, theme)
    data = [_hist_trace(hist, t("scen.series.scenario", lang), SCENARIO_COLOR, True)]
    base = (summary.get("baseline") or {}).get("hist")
    if base:
        data.append(_hist_trace(base, t("scen.series.baseline", lang), BASE_COLOR, False))
    layout = base_layout(title, x_title=t("scen.axis.attainment", lang), y_title=t("scen.axis.share", lang), theme=theme, hovermode="closest", barmode="overlay")
    layout["xaxis"] = {"title": {"text": t("scen.axis.attainment", lang)}, "ticksuffix": "%", "range": [0, 300]}
    layout["yaxis"] = {"title": {"text": t("scen.axis.share", lang)}, "tickformat": ".0%"}
    layout["shapes"] = [{"type": "line", "x0": 100, "x1": 100, "yref": "paper", "y0": 0, "y1": 1, "line": {"color": "#e74c3c", "dash": "dash", "width": 2}}]
    layout["annotations"] = [{"x": 100, "y": 1, "yref": "paper", "text": t("scen.series.quota_line", lang), "showarrow": False, "xanchor": "left", "yanchor": "bottom"}]
    return {"data": data, "layout": layout}


def _rep_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [r for r in summary.get("prob", []) if r["scope"] != "team" and r["p_hit"] is not None]
    return sorted(rows, key=lambda r: (-(r["p_hit"] or 0.0), -(r["p50"] or 0.0), r["scope"]))


def prob_figure(summary: dict[str, Any], labels: dict[str, str], lang: str, theme: str) -> dict[str, Any]:
    """Each rep's chance of hitting quota, highest first; the baseline's as markers."""
    title = _title(t("scen.fig.prob", lang), summary, lang)
    rows = _rep_rows(summary)[:PROB_LIMIT]
    if not rows:
        return empty_figure(t("scen.fig.no_quota", lang), title, theme)
    y = [labels.get(r["scope"], r["scope"]) for r in rows]
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "x": [r["p_hit"] for r in rows],
            "y": y,
            "name": t("scen.series.scenario", lang),
            "marker": {"color": SCENARIO_COLOR},
            "text": [fmt_pct(r["p_hit"], lang) for r in rows],
            "textposition": "auto",
            "hovertemplate": "%{y}: %{text}<extra></extra>",
        }
    ]
    base = {r["scope"]: r for r in (summary.get("baseline") or {}).get("prob", [])}
    if base:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [(base.get(r["scope"]) or {}).get("p_hit") for r in rows],
                "y": y,
                "name": t("scen.series.baseline", lang),
                "marker": {"color": BASE_COLOR, "symbol": "diamond", "size": 10},
            }
        )
    layout = base_layout(title, x_title=t("scen.axis.prob", lang), theme=theme, hovermode="closest")
    layout["xaxis"] = {"title": {"text": t("scen.axis.prob", lang)}, "tickformat": ".0%", "range": [0, 1.02]}
    layout["yaxis"] = {"autorange": "reversed", "automargin": True, "type": "category"}
    layout["height"] = max(380, 120 + 22 * len(rows))
    layout["margin"] = {"l": 10, "r": 20, "t": 70, "b": 40}
    return {"data": data, "layout": layout}


def prob_columns(lang: str, compared: bool) -> list[dict[str, Any]]:
    pct = common.PCT
    columns = [
        {"field": "who", "headerName": t("scen.col.who", lang), "minWidth": 160},
        {"field": "team", "headerName": t("scen.col.team", lang)},
        {"field": "p_hit", "headerName": t("scen.col.p_hit", lang), "type": "numericColumn", "valueFormatter": pct, "sort": "desc"},
    ]
    if compared:
        columns += [
            {"field": "p_base", "headerName": t("scen.col.p_base", lang), "type": "numericColumn", "valueFormatter": pct},
            {"field": "p_delta", "headerName": t("scen.col.p_delta", lang), "type": "numericColumn", "valueFormatter": pct},
        ]
    columns += [{"field": k, "headerName": t(f"scen.col.{k}", lang), "type": "numericColumn", "valueFormatter": pct} for k in ("p10", "p50", "p90")]
    return columns


def prob_rows(summary: dict[str, Any], labels: dict[str, str], teams: dict[str, str]) -> list[dict[str, Any]]:
    """The table behind the probability chart: every rep, with the baseline's chance
    and the change when the run was compared."""
    base = {r["scope"]: r for r in (summary.get("baseline") or {}).get("prob", [])}
    rows = []
    for r in _rep_rows(summary):
        row = {"scope": r["scope"], "who": labels.get(r["scope"], r["scope"]), "team": teams.get(r["scope"].split(":", 1)[1], ""), "p_hit": r["p_hit"], "p10": r["p10"], "p50": r["p50"], "p90": r["p90"]}
        if base:
            b = (base.get(r["scope"]) or {}).get("p_hit")
            row["p_base"] = b
            row["p_delta"] = None if b is None or r["p_hit"] is None else r["p_hit"] - b
        rows.append(row)
    return rows


def kpis(summary: dict[str, Any], lang: str) -> Any:
    """The team's chance of quota, its attainment and ACV (with the change against the
    baseline when compared), and how many reps are likely at quota."""
    team = next((r for r in summary["prob"] if r["scope"] == "team"), {})
    reps = _rep_rows(summary)
    likely = sum(1 for r in reps if (r["p_hit"] or 0.0) >= 0.5)
    acv = summary["team_acv"]
    delta = summary.get("delta_team_acv")
    acv_sub = (
        t("scen.kpi.acv.delta", lang, delta=("+" if (delta["p50"] or 0) >= 0 else "") + fmt_money(delta["p50"], lang))
        if delta
        else f"P10 {fmt_money(acv['p10'], lang)} – P90 {fmt_money(acv['p90'], lang)}"
    )
    months = summary.get("horizon_months") or len(summary["months"])
    cards = [
        common.kpi_card(t("scen.kpi.team_p", lang), fmt_pct(team.get("p_hit"), lang), t("scen.kpi.team_p.sub", lang, months=months), testid="scenario-kpi-team-p"),
        common.kpi_card(
            t("scen.kpi.attainment", lang),
            fmt_pct(team.get("p50"), lang),
            t("scen.kpi.attainment.sub", lang, p10=fmt_pct(team.get("p10"), lang), p90=fmt_pct(team.get("p90"), lang)),
            testid="scenario-kpi-attainment",
        ),
        common.kpi_card(t("scen.kpi.acv", lang), fmt_money(acv["p50"], lang), acv_sub, testid="scenario-kpi-acv", tone=None if not delta else ("success" if (delta["p50"] or 0) >= 0 else "danger")),
        common.kpi_card(t("scen.kpi.reps", lang), fmt_pct(likely / len(reps), lang) if reps else "—", t("scen.kpi.reps.sub", lang, count=likely, total=len(reps)), testid="scenario-kpi-reps"),
    ]
    return common.kpi_row(cards)
