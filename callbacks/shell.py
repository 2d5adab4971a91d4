"""Routing, language and theme, and the data-version poll that makes pages live."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from dash import Input, Output, State, ctx, no_update
from dash.development.base_component import Component

from app.services import Services
from layouts import pages, shell
from layouts.i18n import LANGS, norm_lang, t
from layouts.ids import Shell


def parse_query(search: str | None) -> dict[str, str]:
    return dict(parse_qsl((search or "").lstrip("?")))


def render_page(path: str | None, search: str | None, lang: str | None) -> tuple[Component, list[Component], str]:
    """The page for the URL in the chosen language, the nav links, the brand text."""
    lang = norm_lang(lang)
    page = pages.find(path)
    content = shell.not_found(lang) if page is None else page.layout(lang, parse_query(search))
    nav = shell.navbar(lang, [(t(p.label_key, lang), p.path) for p in pages.PAGES if p.in_nav], page.path if page else "")
    return content, nav, t("app.title", lang)


def strip_lang(search: str | None) -> str:
    """The view's own query (without the language, which the shell adds back)."""
    return urlencode([(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k != "lang"])


def sync_choice(triggered: str | None, switch_value: Any, stored: Any, default: Any) -> tuple[Any, Any]:
    """Keep a switch and its browser-stored value in step, whichever changed."""
    if triggered == "switch":
        return switch_value, switch_value
    value = stored if stored is not None else default
    return value, value


def register(app: Any, services: Services) -> None:
    @app.callback(
        Output(Shell.PAGE, "children"),
        Output(Shell.NAV, "children"),
        Output(Shell.BRAND, "children"),
        Output(Shell.VIEW_QUERY, "data", allow_duplicate=True),
        Input(Shell.URL, "pathname"),
        Input(Shell.URL, "search"),
        Input(Shell.LANG, "data"),
        State(Shell.VIEW_QUERY, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def _route(path: str | None, search: str | None, lang: str | None, view: str | None) -> tuple[Any, ...]:
        # A language switch re-renders the page from the view's current query, so the
        # page keeps its filters; navigation starts from the URL's own query.
        query = view if ctx.triggered_id == Shell.LANG and view is not None else search
        return (*render_page(path, query, lang), strip_lang(query))

    @app.callback(
        Output(Shell.LANG, "data"),
        Output(Shell.LANG_SWITCH, "value"),
        Input(Shell.LANG_SWITCH, "value"),
        Input(Shell.LANG, "data"),
        Input(Shell.URL, "search"),
    )
    def _lang(switch: str, stored: str | None, search: str | None) -> tuple[str, str]:
        # A shared link's ?lang= wins when the page is opened from it.
        trigger = ctx.triggered_id
        from_url = parse_query(search).get("lang")
        if trigger in (None, Shell.URL) and from_url in LANGS:
            return from_url, from_url
        if trigger == Shell.URL:
            return no_update, no_update
        which = "switch" if trigger == Shell.LANG_SWITCH else "store"
        value, shown = sync_choice(which, norm_lang(switch), stored, "en")
        return norm_lang(value), norm_lang(shown)

    @app.callback(
        Output(Shell.THEME, "data"),
        Output(Shell.THEME_SWITCH, "value"),
        Input(Shell.THEME_SWITCH, "value"),
        Input(Shell.THEME, "data"),
    )
    def _theme(dark: bool, stored: str | None) -> tuple[str, bool]:
        which = "switch" if ctx.triggered_id == Shell.THEME_SWITCH else "store"
        value, _ = sync_choice(which, "dark" if dark else "light", stored, "light")
        return value, value == "dark"

    app.clientside_callback(
        """function(theme) {
            document.documentElement.setAttribute('data-bs-theme', theme === 'dark' ? 'dark' : 'light');
            return '';
        }""",
        Output(Shell.THEME_SINK, "children"),
        Input(Shell.THEME, "data"),
    )

    @app.callback(
        Output(Shell.VERSION, "data"),
        Output(Shell.TOAST, "children"),
        Output(Shell.TOAST, "is_open"),
        Input(Shell.VERSION_POLL, "n_intervals"),
        State(Shell.VERSION, "data"),
        State(Shell.LANG, "data"),
    )
    def _poll(_n: int | None, seen: int | None, lang: str | None) -> tuple[Any, ...]:
        version = services.version()
        if version == seen:
            return no_update, no_update, no_update
        if seen is None:
            return version, no_update, no_update
        return version, t("common.updated", lang, version=version), True
