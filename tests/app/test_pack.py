"""The workshop pack: self-contained, complete, and user text stays text."""

from __future__ import annotations

from datetime import date

from dash import html

from app import create_app
from app.pack import build_pack, component_html
from crm.sample import generate_sample
from territory.files import plan_to_dict
from territory.plan import current_plan

AS_OF = date(2026, 6, 15)


def test_component_html_escapes_user_text() -> None:
    tree = html.Div([html.Strong("<script>alert(1)</script>"), html.Span("A & B")], className="x")
    out = component_html(tree)
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "A &amp; B" in out
    assert out.startswith('<div class="x">')


def test_pack_holds_the_dashboards_and_plans_and_loads_nothing(settings) -> None:
    app = create_app(settings)
    dataset = generate_sample(seed=3, reps=8, as_of=AS_OF)
    reps = dataset.reps.copy()
    reps.loc[0, "rep_name"] = "<img src=x onerror=alert(1)>"
    dataset = dataset.with_table("reps", reps)
    app.services.workspace.replace_dataset(dataset, source="t", fmt="sample")

    text = build_pack(app.services, AS_OF, "en", replications=10)
    for title in ("State of the Union", "AMP", "Daily Pipe Gen", "Clean Your Room", "Plans compared", "Balanced carve (suggested)"):
        assert title in text
    assert text.count("plotly.js v") >= 1 and "<script src=" not in text and "<link " not in text
    assert "<img src=x" not in text
    assert text.count('class="plotly-graph-div"') >= 10

    saved = current_plan(dataset, name="FY27 draft")
    app.services.workspace.save_document("plan", "FY27 draft", plan_to_dict(saved))
    chinese = build_pack(app.services, AS_OF, "zh", replications=10)
    assert "FY27 draft" in chinese and "均衡划分（建议）" not in chinese
    assert "业务全景" in chinese and "方案对比" in chinese
