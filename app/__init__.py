"""Territory Planner: the app factory.

``create_app(settings)`` builds a new Dash app with its own workspace, cache and
callbacks; nothing runs at import time, so tests can build as many apps as they like.
"""

from __future__ import annotations

import logging
from typing import Any

from app.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, celery_app: Any | None = None) -> Any:
    """A configured Dash app; its Flask server is ``app.server``."""
    import dash
    from dash import html

    from app.api import register_api
    from app.cache import background_manager, make_cache
    from app.services import Services, open_workspace
    from callbacks import register_all
    from layouts import shell
    from layouts.pages import PAGES

    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = dash.Dash(
        __name__,
        title="Territory Planner",
        update_title=None,
        assets_folder=_assets_dir(),
        background_callback_manager=background_manager(settings, celery_app),
        suppress_callback_exceptions=False,
        serve_locally=True,
    )
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = settings.max_upload_mb * 1024 * 1024
    server.config["DEBUG"] = settings.debug
    services = Services(settings=settings, workspace=open_workspace(settings), cache=make_cache(server, settings))
    app.layout = shell.layout()
    app.validation_layout = html.Div([shell.layout()] + [p.layout("en", {}) for p in PAGES])
    register_all(app, services)
    register_api(server, services)
    app.services = services  # type: ignore[attr-defined]
    return app


def _assets_dir() -> str:
    from app.settings import PROJECT_ROOT

    return str(PROJECT_ROOT / "assets")
