"""Every page opens without an error in the browser, on generated data and on the real
Maven CRM export (no activities, no history, dates in 2017), in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from crm.importers import import_directory, store_import
from crm.sample import generate_sample
from layouts.pages import PAGES
from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

MAVEN = Path(__file__).resolve().parents[3] / "shared" / "data" / "maven-crm"


def _visit_every_page(dash_duo, lang: str) -> None:
    for page in PAGES:
        dash_duo.driver.get(f"{dash_duo.server_url}{page.path}?lang={lang}")
        dash_duo.wait_for_element("#shell-page h1, #shell-page h2", timeout=15)
        # querySelector, not find_elements: the driver's implicit wait would pause on "none found"
        wait_until(lambda: not dash_duo.driver.execute_script("return document.querySelector(\"[data-dash-is-loading='true']\")"), 30)
    logs = [entry for entry in dash_duo.get_logs() if entry.get("level") == "SEVERE"]
    assert logs == [], "\n".join(str(x["message"])[:300] for x in logs)


def test_every_page_on_generated_data(dash_duo, settings) -> None:
    app = create_app(settings.with_(cache_type="filesystem"))
    app.services.workspace.replace_dataset(generate_sample(seed=12, reps=8), source="test", fmt="sample")
    dash_duo.start_server(app)
    _visit_every_page(dash_duo, "zh")


@pytest.mark.skipif(not MAVEN.is_dir(), reason="the shared Maven CRM dataset is not beside the project")
def test_every_page_on_the_maven_export(dash_duo, settings) -> None:
    app = create_app(settings.with_(cache_type="filesystem"))
    result = import_directory(MAVEN, "maven")
    store_import(app.services.workspace, result, source="maven")
    dash_duo.start_server(app)
    _visit_every_page(dash_duo, "en")
