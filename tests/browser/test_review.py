"""The Simulated-vs-actual page in a real browser: pick a saved scenario, run the
review as a background job, see the actual-vs-band chart, the driver breakdown and the
re-forecast, in both languages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app import create_app
from crm.sample import generate_sample
from simulation.calibrate import calibrate
from tests.browser.conftest import click, switch_language

pytestmark = pytest.mark.browser


def _figure(dash_duo, cid: str) -> dict:
    return json.loads(dash_duo.driver.execute_script(f"return JSON.stringify(document.getElementById('{cid}').querySelector('.js-plotly-plot').data);"))


def test_pick_a_scenario_run_and_read_the_review(dash_duo, settings, tmp_path: Path) -> None:
    # The filesystem cache is the production default: the background job and the
    # page's render callback share results through it.
    settings = settings.with_(cache_type="filesystem")
    dataset = generate_sample(seed=1, reps=10, as_of=date(2025, 6, 30))
    app = create_app(settings)
    app.services.workspace.replace_dataset(dataset, source="test", fmt="sample")
    base = calibrate(dataset, date(2024, 12, 31))
    app.services.workspace.save_document("scenario", "Plan 2025", {"name": "Plan 2025", "scenario": base.model_dump(mode="json")})

    dash_duo.start_server(app)
    dash_duo.wait_for_element("#shell-nav a[href='/review']").click()
    dash_duo.wait_for_contains_text("#review-status", "Run review", timeout=15)
    dash_duo.select_dcc_dropdown("#review-source", "Scenario: Plan 2025")
    dash_duo.select_dcc_dropdown("#review-replications", "50")
    click(dash_duo, "#review-run")
    dash_duo.wait_for_contains_text("#review-status", "Scenario: Plan 2025, from 2025-01, actuals as of 2025-06-30", timeout=90)

    dash_duo.wait_for_element("[data-testid='review-month-table'] tbody tr", timeout=15)
    chart = _figure(dash_duo, "review-chart")
    names = [trace.get("name") or "" for trace in chart]
    assert "Actual" in names
    assert any(n.endswith("P50") and "Re-forecast" in n for n in names)
    actual = next(tr for tr in chart if tr.get("name") == "Actual")
    assert len(actual["x"]) == 6
    drivers = _figure(dash_duo, "review-drivers")
    assert drivers[0]["type"] == "waterfall" and "Conversion" in drivers[0]["x"]
    dash_duo.wait_for_contains_text("[data-testid='review-driver-text']", "explains the most")
    dash_duo.wait_for_contains_text("[data-testid='review-kpi-reforecast']", "2025-07")
    assert "Against the band" in dash_duo.find_element("[data-testid='review-month-table']").text
    dash_duo.driver.set_window_size(1440, 2000)
    dash_duo.driver.set_window_size(1440, 1000)
    dash_duo.driver.execute_script("document.getElementById('review-scope').scrollIntoView({block: 'center'});")

    # another scope and metric: no re-run, the same results sliced differently
    rep = dataset.reps.loc[dataset.reps["rep_id"] == "R0001", "rep_name"].iloc[0]
    dash_duo.select_dcc_dropdown("#review-scope", f"Rep: {rep}")
    click(dash_duo, "#review-metric label[for$='activities']")
    dash_duo.wait_for_contains_text("#review-chart", f"Activities (count), Rep: {rep}", timeout=15)

    switch_language(dash_duo, "zh")
    dash_duo.wait_for_contains_text("#review-status", "情景：Plan 2025", timeout=20)
    dash_duo.wait_for_contains_text("[data-testid='review-driver-text']", "影响最大", timeout=20)
    dash_duo.wait_for_contains_text("#review-source", "情景：Plan 2025", timeout=10)
    assert dash_duo.get_logs() == []
