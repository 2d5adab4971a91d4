"""The Plans page in a real browser: carve a plan, rebalance it, compare it with the
current one (a background callback with progress), export it; both languages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app import create_app
from crm.sample import generate_sample
from crm.store import Workspace
from tests.browser.conftest import switch_language, wait_until

pytestmark = pytest.mark.browser

AS_OF = date(2026, 6, 15)


@pytest.fixture
def dash_app(settings):
    Workspace(settings.database_url).replace_dataset(
        generate_sample(seed=1, reps=10, as_of=AS_OF), source="test", fmt="sample"
    )
    return create_app(settings)




def _type(dash_duo, selector: str, text: str) -> None:
    box = dash_duo.wait_for_element(selector)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text)


def _close_menu(dash_duo) -> None:
    ActionChains(dash_duo.driver).send_keys(Keys.ESCAPE).perform()


def test_carve_rebalance_compare_and_export(dash_duo, dash_app, clicker) -> None:
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/plans")
    dash_duo.wait_for_contains_text("[data-testid='plans-as-of']", "2026-06-15", timeout=15)
    dash_duo.wait_for_contains_text("#plans-fairness .gtitle", "2026-06-15", timeout=10)

    _type(dash_duo, "#plans-carve-name", "FY27")
    _type(dash_duo, "#plans-carve-k", "7")
    clicker("#plans-carve")
    dash_duo.wait_for_contains_text("#plans-status", "FY27", timeout=15)
    wait_until(lambda: "Starts" in dash_duo.find_element("#plans-readonly").text, 10)

    tabs = dash_duo.find_elements("#plans-tabs .nav-link")
    dash_duo.driver.execute_script("arguments[0].click();", tabs[2])
    _type(dash_duo, "#plans-reb-accounts", "20")
    _type(dash_duo, "#plans-reb-name", "FY27 tuned")
    clicker("#plans-rebalance")
    dash_duo.wait_for_contains_text("[data-testid='plans-reb-done']", "FY27 tuned", timeout=20)
    wait_until(lambda: len(dash_duo.find_elements("#plans-moves .ag-center-cols-container .ag-row")) > 0, 10)

    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_elements("#plans-tabs .nav-link")[4])
    dash_duo.select_dcc_dropdown("#plans-cmp-plans", value="Current (from CRM ownership)")
    _close_menu(dash_duo)
    dash_duo.select_dcc_dropdown("#plans-cmp-plans", value="FY27 tuned")
    _close_menu(dash_duo)
    _type(dash_duo, "#plans-cmp-reps", "20")
    clicker("#plans-cmp-run")
    dash_duo.wait_for_element("[data-testid='plans-compare-table']", timeout=60)
    table = dash_duo.find_element("[data-testid='plans-compare-table']").text
    assert "Current (from CRM ownership)" in table and "FY27 tuned" in table and "Gini" in table
    dash_duo.wait_for_contains_text("#plans-cmp-team .gtitle", "2026-06-15", timeout=10)
    assert len(dash_duo.find_elements("#plans-cmp-team .scatterlayer .trace")) >= 4

    clicker("#plans-export-json")
    download = Path(dash_duo.download_path) / "FY27-tuned.json"
    wait_until(download.exists, 10)
    assert json.loads(download.read_text())["name"] == "FY27 tuned"

    switch_language(dash_duo, "zh")
    dash_duo.wait_for_text_to_equal("#shell-page h2", "销售区域规划", timeout=10)
    # The view survives the language switch: still on the comparison tab.
    wait_until(lambda: "active" in dash_duo.find_elements("#plans-tabs .nav-link")[4].get_attribute("class"), 10)
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_elements("#plans-tabs .nav-link")[0])
    dash_duo.wait_for_contains_text("#plans-fairness .gtitle", "2026年6月15日", timeout=10)
    dash_duo.wait_for_contains_text("[data-testid='plans-as-of']", "FY27 tuned", timeout=10)
    # The map's outlines are served by the app itself: it draws offline, with no errors.
    assert dash_duo.driver.find_elements("css selector", "#plans-map .choroplethlocation")
    logs = dash_duo.get_logs()
    assert logs == [], "\n".join(str(x["message"])[:300] for x in logs)
