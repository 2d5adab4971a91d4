"""The home page: what the app is and what the workspace holds."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from layouts.i18n import t
from layouts.ids import Home


def layout(lang: str, query: dict[str, str]) -> Component:
    return html.Div(
        [
            html.H1(t("app.title", lang)),
            html.P(t("app.tagline", lang), className="lead"),
            html.P(t("home.intro", lang)),
            dbc.Card(
                [dbc.CardHeader(t("home.workspace", lang)), dbc.CardBody(id=Home.SUMMARY)],
                class_name="mt-3",
            ),
        ]
    )


def summary(lang: str, counts: dict[str, int], teams: int, start: str | None, end: str | None) -> Component:
    """The workspace in one sentence, with its date range."""
    if counts.get("reps", 0) == 0:
        return html.P(t("home.empty", lang))
    parts = [
        html.P(
            t(
                "home.summary",
                lang,
                reps=counts["reps"],
                teams=teams,
                accounts=counts["accounts"],
                opportunities=counts["opportunities"],
                activities=counts["activities"],
            )
        )
    ]
    if start and end:
        parts.append(html.P(t("home.range", lang, start=start, end=end), className="text-muted"))
    return html.Div(parts)
