"""The shell in a real browser: navigation and the language switch, kept per browser."""

from __future__ import annotations

import pytest

from app import create_app
from tests.browser.conftest import switch_language

pytestmark = pytest.mark.browser


def test_language_switch_translates_and_persists(dash_duo, settings) -> None:
    app = create_app(settings)
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal("#shell-brand", "Territory Planner")
    switch_language(dash_duo, "zh")
    dash_duo.wait_for_text_to_equal("#shell-brand", "销售区域规划")
    dash_duo.driver.refresh()
    dash_duo.wait_for_text_to_equal("#shell-brand", "销售区域规划")
    dash_duo.find_element("#shell-nav a[href='/data']").click()
    dash_duo.wait_for_contains_text("#shell-page h2", "数据")
