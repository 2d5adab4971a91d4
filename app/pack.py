"""The workshop pack: one self-contained HTML file of what a planning workshop looks at.

Why one file: a pack is mailed round after the workshop and opened on planes and in
meeting rooms without the app or a network, so it carries the Bootstrap theme and
plotly.js inline and draws every chart offline. It reuses the pages' own builders
(dashboards' render functions, the plans comparison), so the pack shows exactly what
the app shows for the same data version and as-of date.
"""

from __future__ import annotations

import html as html_lib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from app.services import Services
from app.settings import PROJECT_ROOT
from layouts.i18n import fmt_date, t

Progress = Callable[[int, str], None]

_DBC_TAGS = {
    "Table": ("table", "table table-sm"),
    "Card": ("div", "card mb-2"),
    "CardHeader": ("div", "card-header"),
    "CardBody": ("div", "card-body"),
    "CardFooter": ("div", "card-footer small text-muted"),
    "Row": ("div", "row g-2"),
    "Col": ("div", "col"),
    "Alert": ("div", "alert alert-secondary"),
    "Badge": ("span", "badge bg-secondary"),
    "ListGroup": ("ul", "list-group"),
    "ListGroupItem": ("li", "list-group-item"),
}


def _style(style: dict[str, Any] | None) -> str:
    if not style:
        return ""
    parts = []
    for key, value in style.items():
        css = "".join(f"-{c.lower()}" if c.isupper() else c for c in key)
        parts.append(f"{css}:{value}{'px' if isinstance(value, int | float) and value else ''}")
    return html_lib.escape(";".join(parts), quote=True)


def component_html(node: Any) -> str:
    """A Dash component tree as static HTML (text escaped; graphs become plotly divs)."""
    if node is None or node is False:
        return ""
    if isinstance(node, str | int | float):
        return html_lib.escape(str(node))
    if isinstance(node, list | tuple):
        return "".join(component_html(n) for n in node)
    if isinstance(node, dict) and "data" in node and "layout" in node:
        return figure_html(node)
    if not hasattr(node, "to_plotly_json"):
        return html_lib.escape(str(node))
    spec = node.to_plotly_json()
    kind, namespace, props = spec["type"], spec["namespace"], spec["props"]
    if kind == "Graph":
        return figure_html(props.get("figure") or {})
    inner = component_html(props.get("children"))
    if namespace == "dash_html_components":
        tag, base = kind.lower(), ""
    elif kind in _DBC_TAGS:
        tag, base = _DBC_TAGS[kind]
    else:
        return inner
    classes = " ".join(c for c in (base, props.get("className"), props.get("class_name")) if c)
    attrs = f' class="{html_lib.escape(classes, quote=True)}"' if classes else ""
    if props.get("style"):
        attrs += f' style="{_style(props["style"])}"'
    if tag == "br":
        return "<br>"
    return f"<{tag}{attrs}>{inner}</{tag}>"


def figure_html(figure: dict[str, Any]) -> str:
    """One chart as a div drawn by the pack's inline plotly.js."""
    import plotly.io as pio

    if not figure.get("data") and not (figure.get("layout") or {}).get("annotations"):
        return ""
    return pio.to_html(figure, include_plotlyjs=False, full_html=False, config={"displaylogo": False, "responsive": True})


def _section(title: str, body: str, note: str = "") -> str:
    note_html = f'<p class="text-muted small">{html_lib.escape(note)}</p>' if note else ""
    return f'<section class="mb-5"><h2 class="border-bottom pb-1">{html_lib.escape(title)}</h2>{note_html}{body}</section>'


def dashboards_html(services: Services, as_of: date, lang: str) -> str:
    """The four dashboards for the whole team at ``as_of``, as the pages render them."""
    from callbacks.dashboards import DASHBOARDS, prepared
    from metrics.prepare import NO_FILTERS

    prep = prepared(services)
    parts = []
    for page in DASHBOARDS:
        result = page.compute(prep, as_of, NO_FILTERS)
        values = page.render(result, lang, "light")
        body = []
        for cid, prop in page.outputs:
            if prop == "figure":
                body.append(f'<div class="mb-3">{figure_html(values[cid])}</div>')
            elif prop == "children":
                body.append(f'<div class="mb-3">{component_html(values[cid])}</div>')
        parts.append(_section(t(f"nav.{_NAV_KEYS[page.name]}", lang), "".join(body)))
    return "".join(parts)


_NAV_KEYS = {"state-of-the-union": "sotu", "amp": "amp", "daily-pipe-gen": "pipegen", "clean-your-room": "clean"}


def plans_html(services: Services, lang: str, replications: int, seed: int) -> str:
    """Today's plan against the saved plans (up to three), or a balanced carve when
    none is saved: fairness, disruption and simulated outcomes on the same numbers."""
    from callbacks import plans as plans_page
    from layouts import plans_figures as figs
    from territory.commands import balance_command
    from territory.outcomes import compare_plans

    dataset = services.dataset()
    names = plans_page.saved_names(services)[:3]
    keys = [plans_page.CURRENT_KEY, *names]
    if len(keys) < 2:
        current = plans_page.load_plan(services, dataset, plans_page.CURRENT_KEY)
        carve = balance_command(dataset, max(2, len(current.territories)), "state", plans_page.as_of_for(dataset))
        carve = carve.model_copy(update={"name": t("pack.suggested", lang)})
        result = compare_plans([current, carve], dataset, plans_page.as_of_for(dataset), replications, seed)
    else:
        result = plans_page.compare_result(services, keys, replications, seed)
    figures = (
        figs.team_bands_figure(result, lang, "light"),
        figs.quota_chance_figure(result, lang, "light"),
        figs.attrition_figure(result, lang, "light"),
    )
    fairness = "".join(figure_html(figs.fairness_figure(p["fairness"], lang, "light")) for p in result["plans"])
    body = component_html(plans_page.compare_table(result, lang)) + "".join(figure_html(f) for f in figures) + fairness
    return _section(t("pack.plans", lang), body, t("pack.plans.note", lang, replications=replications, seed=seed))


def build_pack(services: Services, as_of: date, lang: str, replications: int = 60, seed: int = 0, on_progress: Progress | None = None) -> str:
    """The whole pack as one HTML document."""
    import plotly.offline

    def step(n: int, what: str) -> None:
        if on_progress is not None:
            on_progress(n, what)

    step(1, "dashboards")
    dashboards = dashboards_html(services, as_of, lang)
    step(2, "plans")
    plans = plans_html(services, lang, replications, seed)
    step(3, "assemble")
    css = (PROJECT_ROOT / "assets" / "vendor" / "bootstrap-flatly.min.css").read_text(encoding="utf-8")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"<h1>{html_lib.escape(t('pack.title', lang))}</h1>"
        f"<p class='lead'>{html_lib.escape(t('pack.subtitle', lang, as_of=fmt_date(as_of.isoformat(), lang), version=services.version(), generated=generated))}</p>"
    )
    meta = json.dumps({"as_of": as_of.isoformat(), "data_version": services.version(), "lang": lang})
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{html_lib.escape(t('pack.title', lang))} {as_of.isoformat()}</title>"
        f"<style>{css}</style><style>body{{padding:2rem}} section{{page-break-inside:avoid}}</style>"
        f'<script type="application/json" id="pack-meta">{html_lib.escape(meta)}</script>'
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script></head>'
        f'<body><main class="container-fluid">{header}{dashboards}{plans}</main></body></html>'
    )
