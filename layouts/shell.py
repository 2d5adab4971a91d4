"""The app shell: navigation bar, language and theme switches, page container, stores."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from layouts.i18n import DEFAULT_LANG, t
from layouts.ids import Shell


def navbar(lang: str, pages: list[tuple[str, str]], active: str) -> list[Component]:
    """Navigation links (label, path) with the active page marked."""
    return [
        dbc.NavItem(
            dbc.NavLink(label, href=path, active=path == active, id={"type": "nav", "path": path})
        )
        for label, path in pages
    ]


def layout(poll_ms: int = 2000) -> Component:
    """The static frame; the router fills ``Shell.PAGE`` and ``Shell.NAV`` per language."""
    return html.Div(
        [
            dcc.Location(id=Shell.URL, refresh="callback-nav"),
            dcc.Store(id=Shell.LANG, storage_type="local", data=DEFAULT_LANG),
            dcc.Store(id=Shell.THEME, storage_type="local", data="light"),
            dcc.Store(id=Shell.VERSION, data=None),
            dcc.Store(id=Shell.PRESENT, storage_type="session", data=False),
            dcc.Store(id=Shell.VIEW_QUERY, data=None),
            dcc.Interval(id=Shell.VERSION_POLL, interval=poll_ms),
            html.Div(id=Shell.THEME_SINK, hidden=True),
            html.Div(id=Shell.PRESENT_SINK, hidden=True),
            html.Div(id=Shell.URL_SINK, hidden=True),
            share_modal(),
            dbc.Navbar(
                dbc.Container(
                    [
                        dbc.NavbarBrand(t("app.title", DEFAULT_LANG), id=Shell.BRAND, href="/"),
                        dbc.Nav(id=Shell.NAV, navbar=True, class_name="me-auto"),
                        html.Div(
                            [
                                dbc.Button(
                                    t("shell.share", DEFAULT_LANG),
                                    id=Shell.SHARE,
                                    color="light",
                                    outline=True,
                                    size="sm",
                                    class_name="me-3",
                                ),
                                dbc.Switch(
                                    id=Shell.PRESENT_SWITCH,
                                    label=t("shell.present", DEFAULT_LANG),
                                    value=False,
                                    class_name="me-3 mb-0 text-light",
                                ),
                                dbc.Switch(
                                    id=Shell.THEME_SWITCH,
                                    label="◐",
                                    value=False,
                                    class_name="me-3 mb-0 text-light",
                                ),
                                dbc.RadioItems(
                                    id=Shell.LANG_SWITCH,
                                    options=[
                                        {"label": "English", "value": "en"},
                                        {"label": "中文", "value": "zh"},
                                    ],
                                    value=DEFAULT_LANG,
                                    inline=True,
                                    class_name="btn-group",
                                    input_class_name="btn-check",
                                    label_class_name="btn btn-outline-light btn-sm",
                                    label_checked_class_name="active",
                                ),
                            ],
                            className="d-flex align-items-center",
                        ),
                    ],
                    fluid=True,
                ),
                color="primary",
                dark=True,
                class_name="mb-3",
            ),
            dbc.Container(id=Shell.PAGE, fluid=True, class_name="pb-5"),
            dbc.Toast(
                id=Shell.TOAST,
                is_open=False,
                duration=4000,
                dismissable=True,
                style={"position": "fixed", "bottom": 16, "right": 16, "zIndex": 2000},
            ),
        ]
    )


def share_modal() -> Component:
    """The share dialog: the link that reopens this exact view, and "save as snapshot"."""
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(id=Shell.SHARE_TITLE)),
            dbc.ModalBody(
                [
                    html.P(id=Shell.SHARE_HELP, className="small text-muted"),
                    dbc.Input(id=Shell.SHARE_URL, readonly=True, class_name="mb-3 font-monospace"),
                    dbc.Label(id=Shell.SNAP_NAME_LABEL, html_for=Shell.SNAP_NAME, class_name="small mb-0"),
                    dbc.Input(id=Shell.SNAP_NAME, maxLength=80, class_name="mb-2"),
                    dbc.Label(id=Shell.SNAP_NOTE_LABEL, html_for=Shell.SNAP_NOTE, class_name="small mb-0"),
                    dbc.Textarea(id=Shell.SNAP_NOTE, maxLength=2000, class_name="mb-2"),
                    dbc.Button(id=Shell.SNAP_SAVE, color="primary", size="sm"),
                    html.Div(id=Shell.SNAP_STATUS, className="mt-2"),
                ]
            ),
        ],
        id=Shell.SHARE_MODAL,
        is_open=False,
        size="lg",
    )


def not_found(lang: str) -> Component:
    return html.Div(
        [html.H2(t("nav.not_found", lang)), dcc.Link(t("nav.go_home", lang), href="/")],
        className="py-5",
    )
