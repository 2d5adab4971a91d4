"""The four dashboards in a real browser, on a small generated workspace.

Few and fast on purpose: one test per behaviour the pure tests cannot show (the
pages render with numbers, a filter changes them, the language switch translates
them, and new data reaches an open page without a reload).
"""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import date, timedelta

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from app import create_app
from crm.sample import generate_sample
from crm.store import Workspace
from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

AS_OF = date(2026, 6, 15)
KPI = "[data-testid='{}'] .kpi-value"


@pytest.fixture
def dash_app(settings):
    """An app whose workspace holds a 12-rep sample ending on ``AS_OF``."""
    Workspace(settings.database_url).replace_dataset(
        generate_sample(seed=1, reps=12, as_of=AS_OF), source="test", fmt="sample"
    )
    return create_app(settings)


def _settle(dash_duo) -> None:
    """Wait until no callback is in flight, so the server stops between requests."""
    def idle() -> bool:  # querySelector: find_elements would sit out the implicit wait
        return not dash_duo.driver.execute_script("return document.querySelector(\"[data-dash-is-loading='true']\")")

    wait_until(idle, timeout=30)
    time.sleep(0.5)
    wait_until(idle, timeout=30)


def _open(dash_duo, path: str) -> None:
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}?as_of={AS_OF.isoformat()}")




def _kpi(dash_duo, testid: str) -> str:
    return dash_duo.find_element(KPI.format(testid)).text


def test_every_dashboard_renders_with_numbers_and_titled_charts(dash_duo, dash_app) -> None:
    dash_duo.start_server(dash_app)
    for path, testid, graph in (
        ("/state-of-the-union", "sotu-kpi-closed-won", "#sotu-trend"),
        ("/amp", "amp-kpi-activities", "#amp-funnel"),
        ("/pipe-gen", "pipegen-kpi-created", "#pipegen-daily"),
        ("/clean-your-room", "clean-kpi-open", "#clean-leaderboard"),
    ):
        _open(dash_duo, path)
        dash_duo.wait_for_element(KPI.format(testid), timeout=10)
        dash_duo.wait_for_contains_text(f"{graph} .gtitle", "2026-06-15", timeout=10)
        assert _kpi(dash_duo, testid) not in ("", "—")
        if path == "/state-of-the-union":  # the calibrated model's month-end range joins the forecast
            dash_duo.wait_for_contains_text("[data-testid='sotu-sim-range']", "P10–P90", timeout=20)
    logs = dash_duo.get_logs()
    assert logs == [], "\n".join(str(x["message"])[:300] for x in logs)


def test_filter_drill_down_and_language(dash_duo, dash_app) -> None:
    dash_duo.start_server(dash_app)
    _open(dash_duo, "/state-of-the-union")
    dash_duo.wait_for_contains_text("#sotu-trend .gtitle", "2026-06-15", timeout=10)
    whole = _kpi(dash_duo, "sotu-kpi-closed-won")

    dash_duo.select_dcc_dropdown("#sotu-team", value="West A")
    dash_duo.find_element("#shell-page h2").click()  # close the menu
    wait_until(lambda: _kpi(dash_duo, "sotu-kpi-closed-won") != whole, timeout=10)
    filtered = _kpi(dash_duo, "sotu-kpi-closed-won")
    assert "West+A" in dash_duo.find_element("#sotu-link").get_attribute("href")

    bar = dash_duo.find_element("#sotu-leaderboard .bars path")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", bar)
    ActionChains(dash_duo.driver).move_to_element(bar).click().perform()
    dash_duo.wait_for_contains_text("#sotu-drill-title", "deals", timeout=10)
    wait_until(lambda: len(dash_duo.find_elements("#sotu-drill-grid .ag-center-cols-container .ag-row")) > 0, timeout=10)

    zh = dash_duo.find_element("label[for*='zh'], #shell-lang-switch label:nth-of-type(2)")
    dash_duo.driver.execute_script("arguments[0].click();", zh)
    dash_duo.wait_for_text_to_equal("#shell-page h2", "业务全景", timeout=10)
    wait_until(lambda: "万" in _kpi(dash_duo, "sotu-kpi-closed-won"), timeout=10)
    assert "赢单" in dash_duo.find_element("[data-testid='sotu-kpi-closed-won']").text
    assert filtered != whole
    _settle(dash_duo)


def test_an_open_page_shows_new_data_without_reload(dash_duo, dash_app) -> None:
    dash_duo.start_server(dash_app)
    _open(dash_duo, "/state-of-the-union")
    dash_duo.wait_for_contains_text("#sotu-trend .gtitle", "2026-06-15", timeout=10)
    before = _kpi(dash_duo, "sotu-kpi-closed-won")
    owner = dash_app.services.workspace.load_dataset().reps["rep_id"].iloc[0]
    deal = {
        "opportunity_id": "LIVE-BIG-WIN",
        "owner_id": owner,
        "type": "New Business",
        "stage": "Closed Won",
        "amount": 50_000_000.0,
        "created_date": (AS_OF - timedelta(days=30)).isoformat(),
        "close_date": AS_OF.isoformat(),
        "is_closed": True,
        "is_won": True,
    }
    # Posted by a CRM integration to the running app's events API, as in production.
    request = urllib.request.Request(
        f"{dash_duo.server_url}/api/v1/events",
        data=json.dumps({"opportunities": [deal]}).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer test-token"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["stored"]["opportunities"] == 1
    wait_until(lambda: _kpi(dash_duo, "sotu-kpi-closed-won") != before, timeout=6)
    after = _kpi(dash_duo, "sotu-kpi-closed-won")
    assert after.endswith("M") and float(after.strip("$M")) > 50
    # The simulated month-end range is recomputed for the new data too.
    dash_duo.wait_for_contains_text("[data-testid='sotu-sim-range']", "P10–P90", timeout=20)
    _settle(dash_duo)
