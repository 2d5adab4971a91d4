"""Callbacks, registered per area: each module exposes ``register(app, services)``."""

from __future__ import annotations

from typing import Any

from app.services import Services


def register_all(app: Any, services: Services) -> None:
    from callbacks import (
        dashboards,
        data,
        home,
        plans,
        review,
        scenario,
        shell,
        viewstate,
        workshop,
    )

    for module in (shell, workshop, viewstate, home, data, dashboards, scenario, plans, review):
        module.register(app, services)
