"""Chart pieces the dashboards share, as plain-dict traces (see ``layouts.figures``).

Clickable bars carry ``customdata = [kind, key, label]`` (``kind`` is
``"rep"`` or ``"team"``) so one drill-down rule reads any chart's click.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from layouts.figures import base_layout, color

LEADERBOARD_LIMIT = 25
"""Bars shown on a per-rep chart; a 500-rep org shows its top 25 and says so."""


def bar_trace(
    x: Sequence[Any],
    y: Sequence[Any],
    name: str,
    colour: str,
    text: Sequence[str] | None = None,
    customdata: Sequence[Any] | None = None,
    horizontal: bool = False,
) -> dict[str, Any]:
    trace: dict[str, Any] = {
        "type": "bar",
        "x": list(x),
        "y": list(y),
        "name": name,
        "marker": {"color": colour},
    }
    if horizontal:
        trace["orientation"] = "h"
    if text is not None:
        trace["text"] = list(text)
        trace["textposition"] = "auto"
        trace["hovertemplate"] = ("%{y}" if horizontal else "%{x}") + ": %{text}<extra>" + name + "</extra>"
    if customdata is not None:
        trace["customdata"] = [list(c) for c in customdata]
    return trace


def line_trace(x: Sequence[Any], y: Sequence[Any], name: str, colour: str, dash: str | None = None, text: Sequence[str] | None = None, yaxis: str | None = None) -> dict[str, Any]:
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "lines+markers" if dash is None else "lines",
        "x": list(x),
        "y": list(y),
        "name": name,
        "line": {"color": colour, "width": 3 if dash is None else 2, **({"dash": dash} if dash else {})},
    }
    if text is not None:
        trace["text"] = list(text)
        trace["hovertemplate"] = "%{text}<extra>" + name + "</extra>"
    if yaxis:
        trace["yaxis"] = yaxis
    return trace


def hbar_layout(title: str, n_bars: int, theme: str, x_title: str = "", **extra: Any) -> dict[str, Any]:
    """A ranked horizontal bar chart: first item on top, height growing with bars."""
    layout = base_layout(title, x_title=x_title, theme=theme, hovermode="closest", **extra)
    layout["yaxis"] = {"autorange": "reversed", "automargin": True, "type": "category"}
    layout["height"] = max(260, 110 + 26 * n_bars)
    layout["margin"] = {"l": 10, "r": 20, "t": 60, "b": 40}
    layout["clickmode"] = "event"
    return layout


def leaderboard_figure(
    rows: Sequence[dict[str, Any]],
    label_key: str,
    value_key: str,
    kind: str,
    id_key: str,
    title: str,
    theme: str,
    value_text: Sequence[str],
    name: str,
    x_title: str = "",
    colour_index: int = 1,
    marker_colours: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Rows already ranked, drawn as horizontal bars (clickable for the drill-down)."""
    trace = bar_trace(
        [r[value_key] or 0 for r in rows],
        [r[label_key] for r in rows],
        name,
        color(colour_index),
        text=value_text,
        customdata=[(kind, r[id_key], r[label_key]) for r in rows],
        horizontal=True,
    )
    if marker_colours is not None:
        trace["marker"] = {"color": list(marker_colours)}
    return {"data": [trace], "layout": hbar_layout(title, len(rows), theme, x_title=x_title, showlegend=False)}


def rep_labels(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Rep names for a chart axis; a name shared by two reps gets its id appended."""
    counts = Counter(r["rep_name"] for r in rows)
    return [r["rep_name"] if counts[r["rep_name"]] == 1 else f"{r['rep_name']} ({r['rep_id']})" for r in rows]
