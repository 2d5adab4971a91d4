"""The page registry: path → label and layout function (no if/elif router).

Only pages that work are listed; the navigation bar and the router both read this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dash.development.base_component import Component

from layouts import data, home, plans, review, scenario, workshop
from layouts.dashboards import amp, clean, pipegen, sotu

LayoutFn = Callable[[str, dict[str, str]], Component]


@dataclass(frozen=True)
class Page:
    path: str
    label_key: str
    layout: LayoutFn
    in_nav: bool = True


PAGES: tuple[Page, ...] = (
    Page("/", "nav.home", home.layout, in_nav=False),
    Page("/state-of-the-union", "nav.sotu", sotu.layout),
    Page("/amp", "nav.amp", amp.layout),
    Page("/pipe-gen", "nav.pipegen", pipegen.layout),
    Page("/clean-your-room", "nav.clean", clean.layout),
    Page("/plans", "nav.plans", plans.layout),
    Page("/scenario", "nav.scenario", scenario.layout),
    Page("/review", "nav.review", review.layout),
    Page("/data", "nav.data", data.layout),
    Page("/workshop", "nav.workshop", workshop.layout),
)

BY_PATH: dict[str, Page] = {p.path: p for p in PAGES}


def find(path: str | None) -> Page | None:
    """The page for ``path`` (a trailing slash is ignored), or None."""
    if not path:
        return BY_PATH["/"]
    clean = path.rstrip("/") or "/"
    return BY_PATH.get(clean)
