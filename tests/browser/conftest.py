"""Browser-test helpers: click what a user clicks, after bringing it into view."""

from __future__ import annotations

import time

import pytest
from selenium.common.exceptions import WebDriverException


def click(dash_duo, selector: str, timeout: float = 15) -> None:
    """Scroll the element to the middle of the window, then click it like a user."""
    element = dash_duo.wait_for_element(selector, timeout=timeout)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.click()


@pytest.fixture
def clicker(dash_duo):
    return lambda selector, timeout=15: click(dash_duo, selector, timeout)


@pytest.fixture(autouse=True)
def _desktop_window(dash_duo):
    """A laptop-sized window: the default 780×580 hides controls behind one another."""
    dash_duo.driver.set_window_size(1440, 1000)
    yield


def switch_language(dash_duo, lang: str) -> None:
    """Click the navbar's English / 中文 switch."""
    click(dash_duo, f"#shell-lang-switch label[for$='{lang}']")


def wait_until(condition, timeout: float) -> None:
    """Poll ``condition`` until it holds (selenium errors while the page re-renders
    count as "not yet")."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if condition():
                return
        except WebDriverException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout} s")
