"""The four dashboards in a real browser, on a small generated workspace.

Few and fast on purpose: one test per behaviour the pure tests cannot show (the
pages render with numbers, a filter changes them, the language switch translates
them, and new data reaches an open page without a reload).
"""

from __future__ import annotations

from datetime import date

import pytest

from app import create_app
from crm.sample import generate_sample
from crm.store import Workspace

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
        dash_duo.driver.save_screenshot(f"/tmp/dash-{path.strip('/')}-en.png")
    logs = dash_duo.get_logs()
    assert logs == [], "\n".join(str(x["message"])[:300] for x in logs)
