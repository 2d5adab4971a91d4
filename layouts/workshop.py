"""The workshop page: keyboard shortcuts, snapshots, the decision log."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from layouts.i18n import t
from layouts.ids import Workshop


def layout(lang: str, query: dict[str, str]) -> Component:
    keys = html.Ul([html.Li(t(k, lang)) for k in ("workshop.key.present", "workshop.key.full", "workshop.key.nav", "workshop.key.share")])
    decision_form = html.Div(
        [
            dbc.Input(id=Workshop.DEC_WHAT, placeholder=t("workshop.dec.what", lang), maxLength=300, class_name="mb-2"),
            dbc.Textarea(id=Workshop.DEC_NOTE, placeholder=t("workshop.dec.note", lang), maxLength=2000, class_name="mb-2"),
            dbc.Button(t("workshop.dec.add", lang), id=Workshop.DEC_ADD, color="primary", size="sm"),
            html.Div(id=Workshop.DEC_STATUS, className="mt-2"),
        ],
        className="edit-chrome mb-3",
    )
    return html.Div(
        [
            html.H2(t("workshop.title", lang)),
            html.P(t("workshop.intro", lang), className="text-muted"),
            dbc.Row(
                [
                    dbc.Col(dbc.Card([dbc.CardHeader(t("workshop.keys", lang)), dbc.CardBody(keys)]), lg=4),
                    dbc.Col(
                        dbc.Card([dbc.CardHeader(t("workshop.snapshots", lang)), dbc.CardBody(html.Div(id=Workshop.SNAPSHOTS))]),
                        lg=8,
                    ),
                ],
                class_name="g-3 mb-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(t("workshop.decisions", lang)),
                    dbc.CardBody([decision_form, html.Div(id=Workshop.DECISIONS)]),
                ],
                class_name="mb-3",
            ),
            dbc.Card(
                [
                    dbc.CardHeader(t("workshop.pack", lang)),
                    dbc.CardBody(
                        [
                            html.P(t("workshop.pack.intro", lang), className="small text-muted"),
                            dbc.Row(
                                [
                                    dbc.Col(
                                        [
                                            dbc.Label(t("workshop.pack.as_of", lang), html_for=Workshop.PACK_AS_OF, class_name="small mb-0"),
                                            dcc.DatePickerSingle(id=Workshop.PACK_AS_OF, date=query.get("as_of"), display_format="YYYY-MM-DD"),
                                        ],
                                        width="auto",
                                    ),
                                    dbc.Col(
                                        [
                                            dbc.Button(t("workshop.pack.build", lang), id=Workshop.PACK_BUILD, color="primary", class_name="me-2"),
                                            dbc.Button(t("workshop.pack.cancel", lang), id=Workshop.PACK_CANCEL, color="secondary", outline=True, disabled=True),
                                        ],
                                        width="auto",
                                        class_name="align-self-end",
                                    ),
                                ],
                                class_name="g-2 mb-2",
                            ),
                            dbc.Progress(id=Workshop.PACK_PROGRESS, value=0, max=3, style={"height": "6px"}, class_name="mb-2"),
                            html.Div(id=Workshop.PACK_STATUS, className="small"),
                        ],
                        id=Workshop.PACK,
                    ),
                ],
                class_name="mb-3 edit-chrome",
            ),
            dcc.Download(id=Workshop.PACK_DOWNLOAD),
        ]
    )


def snapshots_view(lang: str, snaps: list[dict[str, Any]]) -> Component:
    if not snaps:
        return html.P(t("workshop.snapshots.empty", lang), className="mb-0")
    head = html.Thead(html.Tr([html.Th(t(f"workshop.col.{c}", lang)) for c in ("name", "when", "version", "note", "open")]))
    rows = [
        html.Tr(
            [
                html.Td(s["name"]),
                html.Td(s["taken_at"]),
                html.Td(str(s["data_version"])),
                html.Td(s.get("note", "")),
                html.Td(dcc.Link(t("workshop.open", lang), href=s["link"])),
            ]
        )
        for s in snaps
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, class_name="mb-0")


def decisions_view(lang: str, entries: list[dict[str, Any]]) -> Component:
    if not entries:
        return html.P(t("workshop.decisions.empty", lang), className="mb-0")
    head = html.Thead(html.Tr([html.Th(t(f"workshop.col.{c}", lang)) for c in ("when", "what", "note", "version", "open")]))
    rows = [
        html.Tr(
            [
                html.Td(d["decided_at"]),
                html.Td(d["what"]),
                html.Td(d.get("note", "")),
                html.Td(str(d["data_version"])),
                html.Td(dcc.Link(t("workshop.open", lang), href=d["link"]) if d.get("link") else "—"),
            ]
        )
        for d in entries
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, class_name="mb-0")
