"""Pages publish their view (the controls a shared link must restore) as a URL query.

The shell mirrors ``Shell.VIEW_QUERY`` into the address bar and re-renders a page
from it on a language switch, so for every page listed here the URL is the view:
copy it, share it, or save it as a snapshot, and the same view opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from dash import Input, Output, no_update

from app.services import Services
from layouts.ids import Plans, Review, Scenario, Shell
from layouts.plans import CURRENT_KEY

# (component id, property, query key); a key of None means the property is an href
# whose own query is the view (pages that already build a "link to this view").
VIEWS: tuple[tuple[tuple[Any, str, str | None], ...], ...] = (
    ((Scenario.AS_OF, "date", "as_of"), (Scenario.SAVED, "value", "scenario"), (Scenario.SCOPE, "value", "scope")),
    ((Plans.SELECT, "value", "plan"), (Plans.CMP_PLANS, "value", "compare"), (Plans.TABS, "active_tab", "tab")),
    ((Review.LINK, "href", None),),
)

_DEFAULTS = {("plan", CURRENT_KEY), ("scope", "team")}


def view_query(keys: Sequence[str | None], values: Sequence[Any]) -> str:
    """The query string of a view: empty values and defaults left out, lists joined."""
    params: list[tuple[str, str]] = []
    for key, value in zip(keys, values, strict=True):
        if key is None:
            return urlsplit(value or "").query
        if value in (None, "", []):
            continue
        text = ",".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)[:10] if key == "as_of" else str(value)
        if (key, text) not in _DEFAULTS:
            params.append((key, text))
    return urlencode(params)


def register(app: Any, services: Services) -> None:
    for controls in VIEWS:
        _register_view(app, controls)


def _register_view(app: Any, controls: tuple[tuple[Any, str, str | None], ...]) -> None:
    keys = [key for _, _, key in controls]

    @app.callback(
        Output(Shell.VIEW_QUERY, "data", allow_duplicate=True),
        *[Input(cid, prop) for cid, prop, _ in controls],
        prevent_initial_call=True,
    )
    def _publish(*values: Any) -> Any:
        query = view_query(keys, values)
        return query if query is not None else no_update
