"""Simulated vs actual: pick a plan and its start month, run, read the month-by-month
comparison, the gap by driver and the re-forecast of the rest of the year.

Pure: ``layout(lang, query)`` returns the component tree, seeded from the URL query
(``scenario``, ``plan``, ``start``, ``scope``, ``metric``, ``as_of``) so a shared link
reopens the same review; the callbacks fill options, figures and tables.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from layouts.dashboards import common
from layouts.i18n import t
from layouts.ids import Review
from simulation.review import REVIEW_METRICS

REPLICATION_CHOICES = (50, 100, 200, 500)
DEFAULT_REPLICATIONS = 100
BASELINE = "baseline"
"""The source value of "the baseline calibrated at the day before the start month"."""


def source_value(query: dict[str, str]) -> str:
    """The source picked by the URL: ``scenario:<name>``, ``plan:<name>`` or the baseline."""
    if query.get("scenario"):
        return f"scenario:{query['scenario']}"
    if query.get("plan"):
        return f"plan:{query['plan']}"
    return BASELINE


def seed_controls(query: dict[str, str]) -> dict[str, Any]:
    """The controls' initial values from the URL query (invalid values are dropped)."""
    start = query.get("start") or None
    if start is not None and not (len(start) == 7 and start[4] == "-" and start[:4].isdigit() and start[5:].isdigit()):
        start = None
    as_of = common.parse_date(query.get("as_of"))
    metric = query.get("metric") if query.get("metric") in REVIEW_METRICS else REVIEW_METRICS[0]
    return {
        "source": source_value(query),
        "start": start,
        "as_of": as_of.isoformat() if as_of else None,
        "scope": query.get("scope") or "team",
        "metric": metric,
    }


def _labelled(label: str, control: Component, html_for: str, **col: Any) -> Component:
    return dbc.Col([dbc.Label(label, html_for=html_for, class_name="small mb-0 d-block"), control], **col)


def controls(lang: str, seeded: dict[str, Any]) -> Component:
    """What to review: the plan, its start month, the as-of date, the replications."""
    keep = {"persistence": True, "persistence_type": "session"}
    source_options = [{"label": t("review.source.baseline", lang), "value": BASELINE}]
    if seeded["source"] != BASELINE:
        kind, _, name = seeded["source"].partition(":")
        source_options.append({"label": t(f"review.source.{kind}", lang, name=name), "value": seeded["source"]})
    start_options = [{"label": seeded["start"], "value": seeded["start"]}] if seeded["start"] else []
    return dbc.Row(
        [
            _labelled(
                t("review.source", lang),
                dcc.Dropdown(id=Review.SOURCE, options=source_options, value=seeded["source"], clearable=False, **keep),
                Review.SOURCE,
                xs=12,
                md=6,
                lg=4,
            ),
            _labelled(
                t("review.start", lang),
                dcc.Dropdown(id=Review.START, options=start_options, value=seeded["start"], placeholder=t("review.start.auto", lang), **keep),
                Review.START,
                xs=6,
                md=3,
                lg=2,
            ),
            _labelled(
                t("review.as_of", lang),
                dcc.DatePickerSingle(id=Review.AS_OF, date=seeded["as_of"], display_format="YYYY-MM-DD", first_day_of_week=1, **keep),
                Review.AS_OF,
                xs=6,
                md=3,
                lg=2,
            ),
            _labelled(
                t("review.replications", lang),
                dcc.Dropdown(
                    id=Review.REPLICATIONS,
                    options=[{"label": str(n), "value": n} for n in REPLICATION_CHOICES],
                    value=DEFAULT_REPLICATIONS,
                    clearable=False,
                    **keep,
                ),
                Review.REPLICATIONS,
                xs=6,
                md=3,
                lg=1,
            ),
            dbc.Col(
                [
                    dbc.Button(t("review.run", lang), id=Review.RUN, color="primary", class_name="me-2"),
                    dbc.Button(t("review.cancel", lang), id=Review.CANCEL, color="secondary", outline=True, disabled=True),
                ],
                xs=6,
                md=3,
                lg=3,
                class_name="d-flex align-items-end",
            ),
        ],
        class_name="g-2 mb-2 align-items-end",
    )


def view_controls(lang: str, seeded: dict[str, Any]) -> Component:
    """Which slice of the result to look at (no re-run needed)."""
    scope_options = [{"label": t("review.scope.team", lang), "value": "team"}]
    if seeded["scope"] != "team":
        scope_options.append({"label": seeded["scope"], "value": seeded["scope"]})
    return dbc.Row(
        [
            _labelled(
                t("review.scope", lang),
                dcc.Dropdown(id=Review.SCOPE, options=scope_options, value=seeded["scope"], clearable=False),
                Review.SCOPE,
                xs=12,
                md=5,
                lg=4,
            ),
            _labelled(
                t("review.metric", lang),
                dbc.RadioItems(
                    id=Review.METRIC,
                    options=[{"label": t(f"review.metric.{m}", lang), "value": m} for m in REVIEW_METRICS],
                    value=seeded["metric"],
                    inline=True,
                    persistence=True,
                    persistence_type="session",
                ),
                Review.METRIC,
                xs=12,
                md=7,
                lg=6,
            ),
            dbc.Col(html.A(t("review.link", lang), id=Review.LINK, href="", className="small"), xs=12, lg=2, class_name="d-flex align-items-end pb-2"),
        ],
        class_name="g-2 mb-3 align-items-end",
    )


def layout(lang: str, query: dict[str, str]) -> Component:
    seeded = seed_controls(query)
    return html.Div(
        [
            html.H2(t("review.title", lang)),
            html.P(t("review.intro", lang), className="text-muted mb-1"),
            html.P(t("review.method", lang), className="small text-muted", **{"data-testid": "review-method"}),
            controls(lang, seeded),
            dbc.Progress(id=Review.PROGRESS, value=0, label="", class_name="mb-2", style={"height": "1.25rem"}),
            html.Div(t("review.empty.run", lang), id=Review.STATUS, className="small text-muted mb-3"),
            dcc.Store(id=Review.REQUEST, storage_type="session"),
            view_controls(lang, seeded),
            dcc.Loading(html.Div(id=Review.KPIS, className="mb-3"), delay_show=400),
            common.graph(Review.CHART, 440),
            dbc.Row(
                [
                    dbc.Col(dbc.Card([dbc.CardHeader(t("review.table.title", lang)), dbc.CardBody(html.Div(id=Review.TABLE))]), lg=5),
                    dbc.Col(
                        dbc.Card(
                            [
                                dbc.CardBody(
                                    [
                                        common.graph(Review.DRIVERS, 380),
                                        html.P(id=Review.DRIVER_TEXT, className="mt-2 mb-2", **{"data-testid": "review-driver-text"}),
                                        html.Div(id=Review.DRIVER_TABLE),
                                    ]
                                ),
                                dbc.CardFooter(t("review.drivers.scope_note", lang), class_name="small text-muted"),
                            ]
                        ),
                        lg=7,
                    ),
                ],
                class_name="g-3 my-3 align-items-start",
            ),
        ]
    )
