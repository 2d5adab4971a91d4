"""The home page's workspace summary."""

from __future__ import annotations

from typing import Any

from dash import Input, Output

from app.services import Services
from callbacks.data import workspace_summary
from layouts import home
from layouts.ids import Home, Shell


def register(app: Any, services: Services) -> None:
    @app.callback(Output(Home.SUMMARY, "children"), Input(Shell.VERSION, "data"), Input(Shell.LANG, "data"))
    def _summary(_version: int | None, lang: str) -> Any:
        s = workspace_summary(services)
        return home.summary(lang, s["counts"], s["teams"], s["start"], s["end"])
