"""Workshop mode: presentation switch, shareable links and snapshots, the decision log."""

from __future__ import annotations

from datetime import date
from typing import Any

from dash import Input, Output, State, ctx, dcc, no_update
from flask import request
from pydantic import ValidationError

from app import workshop
from app.services import Services
from callbacks.jobs import job
from callbacks.shell import sync_choice
from layouts import workshop as view
from layouts.data import alert
from layouts.i18n import t
from layouts.ids import Shell, Workshop


def pack_as_of(services: Services, picked: str | None) -> date:
    """The pack's as-of date: the one picked, else today or the data's last date."""
    from metrics.dashboards import default_as_of

    if picked:
        return date.fromisoformat(picked[:10])
    return default_as_of(services.dataset(), date.today())


def share_url(host_url: str, path: str | None, view_query: str | None, lang: str | None) -> str:
    """The absolute link of the current view, for copying into a chat or an invite."""
    return host_url.rstrip("/") + workshop.view_link(path, view_query, lang)


def register(app: Any, services: Services) -> None:
    @app.callback(
        Output(Shell.SHARE, "children"),
        Output(Shell.PRESENT_SWITCH, "label"),
        Output(Shell.SHARE_TITLE, "children"),
        Output(Shell.SHARE_HELP, "children"),
        Output(Shell.SNAP_NAME_LABEL, "children"),
        Output(Shell.SNAP_NOTE_LABEL, "children"),
        Output(Shell.SNAP_SAVE, "children"),
        Input(Shell.LANG, "data"),
    )
    def _chrome(lang: str | None) -> tuple[str, ...]:
        keys = ("shell.share", "shell.present", "shell.share.title", "shell.share.help", "shell.snap.name", "shell.snap.note", "shell.snap.save")
        return tuple(t(k, lang) for k in keys)

    @app.callback(
        Output(Shell.PRESENT, "data"),
        Output(Shell.PRESENT_SWITCH, "value"),
        Input(Shell.PRESENT_SWITCH, "value"),
        Input(Shell.PRESENT, "data"),
    )
    def _present(on: bool, stored: bool | None) -> tuple[bool, bool]:
        which = "switch" if ctx.triggered_id == Shell.PRESENT_SWITCH else "store"
        value, _ = sync_choice(which, bool(on), stored, False)
        return bool(value), bool(value)

    app.clientside_callback(
        """function(on) {
            document.body.classList.toggle('presentation', !!on);
            window.dispatchEvent(new Event('resize'));
            return '';
        }""",
        Output(Shell.PRESENT_SINK, "children"),
        Input(Shell.PRESENT, "data"),
    )

    # Keep the address bar on the current view (page query + language) without a reload,
    # so copying the URL is sharing the view.
    app.clientside_callback(
        """function(query, lang) {
            const params = new URLSearchParams(query || '');
            params.delete('lang');
            if (lang) { params.set('lang', lang); }
            const text = params.toString();
            const target = window.location.pathname + (text ? '?' + text : '');
            if (target !== window.location.pathname + window.location.search) {
                window.history.replaceState(window.history.state, '', target);
            }
            return '';
        }""",
        Output(Shell.URL_SINK, "children"),
        Input(Shell.VIEW_QUERY, "data"),
        Input(Shell.LANG, "data"),
    )

    @app.callback(
        Output(Shell.SHARE_MODAL, "is_open"),
        Output(Shell.SHARE_URL, "value"),
        Output(Shell.SNAP_STATUS, "children", allow_duplicate=True),
        Input(Shell.SHARE, "n_clicks"),
        State(Shell.URL, "pathname"),
        State(Shell.VIEW_QUERY, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _share(_n: int, path: str | None, query: str | None, lang: str | None) -> tuple[Any, ...]:
        if not _n:
            return no_update, no_update, no_update
        return True, share_url(request.host_url, path, query, lang), None

    @app.callback(
        Output(Shell.SNAP_STATUS, "children"),
        Input(Shell.SNAP_SAVE, "n_clicks"),
        State(Shell.SNAP_NAME, "value"),
        State(Shell.SNAP_NOTE, "value"),
        State(Shell.URL, "pathname"),
        State(Shell.VIEW_QUERY, "data"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _snapshot(_n: int, name: str | None, note: str | None, path: str | None, query: str | None, lang: str | None) -> Any:
        if not _n:
            return no_update
        try:
            snap = workshop.save_snapshot(services.workspace, name or "", workshop.view_link(path, query, lang), note or "")
        except ValidationError as exc:
            return alert(t("workshop.invalid", lang, problems="; ".join(workshop.problems_of(exc))), "danger")
        return alert(t("shell.snap.saved", lang, name=snap.name), "success")

    @app.callback(
        Output(Workshop.SNAPSHOTS, "children"),
        Output(Workshop.DECISIONS, "children"),
        Input(Shell.VERSION, "data"),
        Input(Shell.LANG, "data"),
        Input(Workshop.DEC_STATUS, "children"),
    )
    def _lists(_version: int | None, lang: str | None, _status: Any) -> tuple[Any, ...]:
        ws = services.workspace
        return view.snapshots_view(lang, workshop.snapshots(ws)), view.decisions_view(lang, workshop.decisions(ws))

    @app.callback(
        Output(Workshop.PACK_AS_OF, "date"),
        Input(Shell.VERSION, "data"),
        State(Workshop.PACK_AS_OF, "date"),
    )
    def _pack_default(_version: int | None, picked: str | None) -> Any:
        return no_update if picked else pack_as_of(services, None).isoformat()

    @app.callback(
        Output(Workshop.PACK_DOWNLOAD, "data"),
        Output(Workshop.PACK_STATUS, "children"),
        Input(Workshop.PACK_BUILD, "n_clicks"),
        State(Workshop.PACK_AS_OF, "date"),
        State(Shell.LANG, "data"),
        **job(Workshop.PACK_BUILD, Workshop.PACK_CANCEL, Workshop.PACK_PROGRESS),
    )
    def _pack(set_progress: Any, clicks: int | None, picked: str | None, lang: str | None) -> tuple[Any, Any]:
        if not clicks:
            return no_update, no_update
        from app.pack import build_pack
        from callbacks.plans import job_services

        job = job_services(services)
        as_of = pack_as_of(job, picked)
        document = build_pack(job, as_of, lang or "en", on_progress=lambda n, what: set_progress((n, t("workshop.pack.step", lang, n=n, what=what))))
        data = document.encode("utf-8")
        name = f"territory-planner-pack-{as_of.isoformat()}-{lang or 'en'}.html"
        size = f"{len(data) / 1e6:.1f}"
        return dcc.send_bytes(data, name, type="text/html"), alert(t("workshop.pack.done", lang, size=size), "success")

    @app.callback(
        Output(Workshop.DEC_STATUS, "children"),
        Output(Workshop.DEC_WHAT, "value"),
        Output(Workshop.DEC_NOTE, "value"),
        Input(Workshop.DEC_ADD, "n_clicks"),
        State(Workshop.DEC_WHAT, "value"),
        State(Workshop.DEC_NOTE, "value"),
        State(Shell.LANG, "data"),
        prevent_initial_call=True,
    )
    def _decide(_n: int, what: str | None, note: str | None, lang: str | None) -> tuple[Any, ...]:
        if not _n:
            return no_update, no_update, no_update
        try:
            workshop.add_decision(services.workspace, what or "", note or "")
        except ValidationError as exc:
            return alert(t("workshop.invalid", lang, problems="; ".join(workshop.problems_of(exc))), "danger"), no_update, no_update
        return alert(t("workshop.dec.added", lang), "success"), "", ""
