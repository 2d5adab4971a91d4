"""Figures of the Plans page, as plain dicts in the app's visual grammar.

Every figure is titled with what it shows, its unit and the as-of date, and has an
explicit empty state. A plan keeps its colour (``layouts.figures.color(i)`` for the
i-th compared plan) on every comparison chart.
"""

from __future__ import annotations

from typing import Any

from layouts.figures import (
    TARGET_COLOR,
    band_traces,
    base_layout,
    color,
    empty_figure,
    rgba,
    target_trace,
)
from layouts.i18n import fmt_date, fmt_money, fmt_month, fmt_number, fmt_pct, t

US_STATES = frozenset(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"]
)
US_NAMES = frozenset({"us", "usa", "united states", "united states of america", "u.s.", "u.s.a."})


def title(key: str, lang: str, as_of: str, **values: Any) -> str:
    """A chart title: what and its unit, then (second line) the as-of date."""
    return f"{t(key, lang, **values)}<br><span style='font-size:0.8em'>{t('common.as_of', lang)} {fmt_date(as_of, lang)}</span>"


CURRENT_NAME = "Current (from CRM ownership)"
"""The name of the plan derived from account ownership (read-only, never saved)."""


def plan_label(name: str, lang: str) -> str:
    """A plan's name for people: the derived current plan is named in the reader's language."""
    return t("plans.current", lang) if name == CURRENT_NAME else name


def fairness_figure(report: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    """Potential per territory against the mean, with the ±tolerance band."""
    head = title("plans.fig.fairness", lang, report["as_of"], pct=fmt_pct(report["tolerance"], lang))
    rows = report["territories"]
    if not rows:
        return empty_figure(t("plans.empty.territories", lang), head, theme)
    mean = report["mean_potential_usd"]
    tol = report["tolerance"]
    labels = [r["territory_id"] if not r.get("name") or r["name"] == r["territory_id"] else f"{r['name']} · {r['territory_id']}" for r in rows]
    colours = [color(1) if r["within_tolerance"] else TARGET_COLOR for r in rows]
    bars = {
        "type": "bar",
        "x": labels,
        "y": [r["potential_usd"] for r in rows],
        "marker": {"color": colours},
        "text": [f"{fmt_money(r['potential_usd'], lang)} · {fmt_pct(r['index'], lang)}" for r in rows],
        "textposition": "outside",
        "name": t("plans.fig.potential", lang),
        "hovertemplate": "%{x}<br>%{text}<extra></extra>",
    }
    mean_line = target_trace(labels, [mean] * len(labels), t("plans.fig.mean", lang))
    layout = base_layout(head, y_title=t("plans.axis.potential", lang), theme=theme, hovermode="closest")
    layout["shapes"] = [
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": mean * (1 - tol),
            "y1": mean * (1 + tol),
            "fillcolor": rgba(TARGET_COLOR, 0.08),
            "line": {"width": 0},
            "layer": "below",
        }
    ]
    layout["annotations"] = [
        {"xref": "paper", "x": 1, "yref": "y", "y": mean * (1 + tol), "text": t("plans.fig.band", lang, pct=fmt_pct(tol, lang)), "showarrow": False, "xanchor": "right", "yanchor": "bottom", "font": {"size": 12}}
    ]
    layout["xaxis"] = {"automargin": True, "tickangle": -30}
    return {"data": [bars, mean_line], "layout": layout}


def map_figure(states: list[dict[str, Any]], countries: list[dict[str, Any]], territory_ids: list[str], as_of: str, lang: str, theme: str) -> dict[str, Any]:
    """Territories on a map: each US state (or country) coloured by the territory that
    holds most of its potential. ``states``/``countries`` rows: ``location``,
    ``territory_id``, ``accounts``, ``potential_usd``, ``territories`` (how many share it)."""
    head = title("plans.fig.map", lang, as_of)
    rows, mode = (states, "USA-states") if states else (countries, "country names")
    if not rows:
        return empty_figure(t("plans.empty.map", lang), head, theme)
    index = {tid: i for i, tid in enumerate(territory_ids)}
    n = max(len(territory_ids), 1)
    scale = []
    for i in range(n):
        c = color(i)
        scale += [[i / n, c], [(i + 1) / n, c]]
    z = [index.get(r["territory_id"], 0) + 0.5 for r in rows]
    text = [
        t(
            "plans.fig.map.hover",
            lang,
            location=r["location"],
            territory=r["territory_id"],
            accounts=fmt_number(r["accounts"], lang),
            potential=fmt_money(r["potential_usd"], lang),
            shared=fmt_number(r["territories"], lang),
        )
        for r in rows
    ]
    trace = {
        "type": "choropleth",
        "locationmode": mode,
        "locations": [r["location"] for r in rows],
        "z": z,
        "zmin": 0,
        "zmax": n,
        "colorscale": scale,
        "showscale": False,
        "text": text,
        "hovertemplate": "%{text}<extra></extra>",
        "marker": {"line": {"color": "white", "width": 0.8}},
    }
    labels = {
        "type": "scattergeo",
        "locationmode": mode,
        "locations": [r["location"] for r in rows],
        "text": [r["territory_id"] for r in rows],
        "mode": "text",
        "textfont": {"size": 9, "color": "black"},
        "hoverinfo": "skip",
        "showlegend": False,
    }
    layout = base_layout(head, theme=theme, hovermode="closest")
    layout["geo"] = {"scope": "usa" if mode == "USA-states" else "world", "showlakes": False, "bgcolor": "rgba(0,0,0,0)"}
    layout["margin"] = {"l": 10, "r": 10, "t": 70, "b": 10}
    return {"data": [trace, labels] if mode == "USA-states" else [trace], "layout": layout}


def team_bands_figure(result: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    """Team cumulative closed-won ACV: one P10–P90 band and P50 line per plan, quota dashed."""
    head = title("plans.fig.team", lang, result["as_of"], reps=fmt_number(result["replications"], lang))
    plans = result["plans"]
    if not plans:
        return empty_figure(t("plans.empty.compare", lang), head, theme)
    x = [fmt_month(m, lang) for m in result["months"]]
    data: list[dict[str, Any]] = []
    for i, p in enumerate(plans):
        band = p["outcomes"]["team"]["cum_closed_won_acv"]
        data += band_traces(x, band["p10"], band["p50"], band["p90"], plan_label(p["name"], lang), color(i))
    data.append(target_trace(x, plans[0]["outcomes"]["team"]["cum_quota"], t("plans.fig.quota", lang)))
    layout = base_layout(head, y_title=t("plans.axis.acv", lang), theme=theme)
    return {"data": data, "layout": layout}


def quota_chance_figure(result: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    """Each territory's chance of quota, one column of dots per plan (a fair plan's
    dots sit close together)."""
    head = title("plans.fig.chance", lang, result["as_of"])
    data = []
    for i, p in enumerate(result["plans"]):
        rows = [r for r in p["outcomes"]["territories"] if r["p_hit_quota"] is not None]
        label = plan_label(p["name"], lang)
        data.append(
            {
                "type": "box",
                "x": [label] * len(rows),
                "y": [r["p_hit_quota"] for r in rows],
                "name": label,
                "boxpoints": "all",
                "jitter": 0.4,
                "pointpos": 0,
                "marker": {"color": color(i), "size": 10},
                "line": {"color": color(i)},
                "fillcolor": rgba(color(i), 0.15),
                "text": [r["name"] for r in rows],
                "hovertemplate": "%{text}: %{y:.0%}<extra></extra>",
            }
        )
    if not any(d["y"] for d in data):
        return empty_figure(t("plans.empty.compare", lang), head, theme)
    layout = base_layout(head, y_title=t("plans.axis.chance", lang), theme=theme, hovermode="closest", showlegend=False)
    layout["yaxis"] = {"range": [-0.05, 1.05], "tickformat": ".0%", "title": {"text": t("plans.axis.chance", lang)}}
    return {"data": data, "layout": layout}


def attrition_figure(result: dict[str, Any], lang: str, theme: str) -> dict[str, Any]:
    """Expected departures over the horizon per plan, with the share of reps leaving."""
    head = title("plans.fig.attrition", lang, result["as_of"], months=fmt_number(result["horizon_months"], lang))
    plans = result["plans"]
    if not plans:
        return empty_figure(t("plans.empty.compare", lang), head, theme)
    labels = [plan_label(p["name"], lang) for p in plans]
    values = [p["outcomes"]["attrition"]["expected_departures"] for p in plans]
    shares = [p["outcomes"]["attrition"]["share_leaving"] for p in plans]
    trace = {
        "type": "bar",
        "x": labels,
        "y": values,
        "marker": {"color": [color(i) for i in range(len(plans))]},
        "text": [f"{fmt_number(v, lang, 1)} · {fmt_pct(s, lang, 1)}" for v, s in zip(values, shares, strict=True)],
        "textposition": "outside",
        "hovertemplate": "%{x}: %{text}<extra></extra>",
        "name": t("plans.axis.departures", lang),
    }
    layout = base_layout(head, y_title=t("plans.axis.departures", lang), theme=theme, hovermode="closest", showlegend=False)
    return {"data": [trace], "layout": layout}


def midyear_figure(result: dict[str, Any], names: tuple[str, str], lang: str, theme: str) -> dict[str, Any]:
    """Staying put against switching mid-year: cumulative team ACV bands, the change marked."""
    head = title("plans.fig.midyear", lang, result["as_of"], reps=fmt_number(result["replications"], lang))
    x = [fmt_month(m, lang) for m in result["months"]]
    stay, switch = result["stay"]["cum_closed_won_acv"], result["switch"]["cum_closed_won_acv"]
    data = band_traces(x, stay["p10"], stay["p50"], stay["p90"], t("plans.mid.stay", lang, name=plan_label(names[0], lang)), color(0))
    data += band_traces(x, switch["p10"], switch["p50"], switch["p90"], t("plans.mid.switch", lang, name=plan_label(names[1], lang)), color(1))
    data.append(target_trace(x, result["stay"]["cum_quota"], t("plans.fig.quota", lang)))
    layout = base_layout(head, y_title=t("plans.axis.acv", lang), theme=theme)
    change = fmt_month(result["change_label"], lang)
    layout["shapes"] = [{"type": "line", "xref": "x", "x0": change, "x1": change, "yref": "paper", "y0": 0, "y1": 1, "line": {"dash": "dot", "color": "#7b8a8b", "width": 2}}]
    layout["annotations"] = [{"xref": "x", "x": change, "yref": "paper", "y": 1, "text": t("plans.mid.change", lang), "showarrow": False, "yanchor": "bottom"}]
    return {"data": data, "layout": layout}
