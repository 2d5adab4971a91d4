"""The Scenario page in a real browser, on a small generated workspace.

One journey, kept fast (few replications): the baseline runs and shows its band and
probability charts; a lever changes and the re-run shows the comparison; the
scenario is saved by name and loaded back. Background callbacks run in job
processes, so the cache is the shared filesystem one (a per-process SimpleCache
would hide the job's results from the page).
"""

from __future__ import annotations

from datetime import date

import pytest
from selenium.webdriver.common.keys import Keys

from app import create_app
from crm.sample import generate_sample
from tests.browser.conftest import click, switch_language, wait_until

pytestmark = pytest.mark.browser

AS_OF = date(2026, 6, 15)
LEVER = "input[id*='\"key\":\"{}\"']"


@pytest.fixture
def scenario_app(settings):
    app = create_app(settings.with_(cache_type="filesystem"))
    app.services.workspace.replace_dataset(generate_sample(seed=1, reps=10, as_of=AS_OF), source="test", fmt="sample")
    return app




def _set(dash_duo, key: str, value: str) -> None:
    element = dash_duo.wait_for_element(LEVER.format(key), timeout=15)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(value, Keys.TAB)


def _fills(dash_duo, graph: str) -> int:
    return len(dash_duo.driver.find_elements("css selector", f"{graph} .js-fill"))


def test_run_compare_save_and_load(dash_duo, scenario_app) -> None:
    dash_duo.start_server(scenario_app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/scenario?as_of={AS_OF.isoformat()}")
    dash_duo.wait_for_contains_text("#scenario-baseline-info", "2026-06-15", timeout=20)
    _set(dash_duo, "replications", "20")
    wait_until(lambda: dash_duo.find_element("#scenario-run").is_enabled(), 10)

    click(dash_duo, "#scenario-run")
    dash_duo.wait_for_contains_text("#scenario-bands .gtitle", "2026-06-15", timeout=30)
    wait_until(lambda: "20" in dash_duo.find_element("#scenario-status").text, 30)
    wait_until(lambda: _fills(dash_duo, "#scenario-bands") >= 1, 15)
    wait_until(lambda: len(dash_duo.driver.find_elements("css selector", "#scenario-prob .bars path")) >= 5, 15)
    assert "%" in dash_duo.find_element("[data-testid='scenario-kpi-team-p'] .kpi-value").text

    # A bad value is refused next to its field and nothing can run.
    _set(dash_duo, "win_rate_multiplier", "-1")
    wait_until(lambda: "is-invalid" in dash_duo.find_element(LEVER.format("win_rate_multiplier")).get_attribute("class"), 10)
    assert not dash_duo.find_element("#scenario-run").is_enabled()
    _set(dash_duo, "opportunity_conversion_multiplier", "1.5")
    _set(dash_duo, "win_rate_multiplier", "1")
    wait_until(lambda: dash_duo.find_element("#scenario-run").is_enabled(), 10)

    click(dash_duo, "#scenario-run")
    wait_until(lambda: _fills(dash_duo, "#scenario-delta") >= 1, 40)
    wait_until(lambda: _fills(dash_duo, "#scenario-bands") >= 2, 15)  # scenario and baseline bands

    name = dash_duo.find_element("#scenario-name")
    name.send_keys("More conversion")
    click(dash_duo, "#scenario-save")
    dash_duo.wait_for_contains_text("#scenario-save-status", "More conversion", timeout=10)

    # A fresh page load starts from the baseline; loading the saved scenario brings the lever back.
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/scenario?as_of={AS_OF.isoformat()}&scenario=More%20conversion")
    wait_until(lambda: dash_duo.find_element(LEVER.format("opportunity_conversion_multiplier")).get_attribute("value") == "1.5", 20)
    switch_language(dash_duo, "zh")
    dash_duo.wait_for_contains_text("h2", "情景模拟", timeout=10)
    wait_until(lambda: dash_duo.find_element(LEVER.format("opportunity_conversion_multiplier")).get_attribute("value") == "1.5", 20)
    click(dash_duo, "#scenario-run")
    dash_duo.wait_for_contains_text("#scenario-bands .gtitle", "2026年6月15日", timeout=40)
    logs = [x for x in dash_duo.get_logs() if "favicon" not in str(x.get("message"))]
    assert logs == [], "\n".join(str(x["message"])[:300] for x in logs)
