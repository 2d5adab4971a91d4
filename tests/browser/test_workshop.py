"""Workshop mode in a real browser: presentation, shared links, snapshots, decision log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from app import create_app
from crm.sample import generate_sample
from tests.browser.conftest import click, switch_language

pytestmark = pytest.mark.browser


@pytest.fixture
def app(settings):
    app = create_app(settings)
    app.services.workspace.replace_dataset(generate_sample(seed=2, reps=6), source="test", fmt="sample")
    return app


def _body_font_px(dash_duo) -> float:
    return float(dash_duo.driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)"))


def test_presentation_mode_by_key_enlarges_type_and_hides_editing(dash_duo, app) -> None:
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#shell-nav a[href='/workshop']").click()
    dash_duo.wait_for_element("#workshop-decision-add")
    assert _body_font_px(dash_duo) < 20
    dash_duo.find_element("body").send_keys("p")
    dash_duo.wait_for_element("body.presentation")
    assert _body_font_px(dash_duo) >= 20
    assert not dash_duo.find_element("#workshop-decision-add").is_displayed()
    dash_duo.find_element("body").send_keys("p")
    dash_duo.wait_for_no_elements("body.presentation")
    assert dash_duo.find_element("#workshop-decision-add").is_displayed()


@pytest.fixture
def fresh_browser():
    """A second, separate headless Chromium: no storage shared with dash_duo's."""
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--window-size=1440,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    yield driver
    driver.quit()


def test_a_shared_link_reopens_the_same_view_in_a_fresh_browser(dash_duo, fresh_browser, app) -> None:
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#shell-nav a[href='/data']").click()
    dash_duo.wait_for_element("#data-table")
    select = dash_duo.find_element("#data-table")
    select.send_keys("Reps")  # the native select jumps to the option by typing its label
    select.send_keys(Keys.ENTER)
    dash_duo.wait_for_contains_text("#data-grid", "R0001", timeout=10)
    switch_language(dash_duo, "zh")
    dash_duo.wait_for_contains_text("#shell-page h2", "数据")
    click(dash_duo, "#shell-share")
    dash_duo.wait_for_element("#shell-share-modal #shell-share-url")
    link = dash_duo.find_element("#shell-share-url").get_attribute("value")
    assert "/data?" in link and "table=reps" in link and "lang=zh" in link
    assert dash_duo.driver.current_url.endswith(link.split(dash_duo.server_url)[-1])

    fresh_browser.get(link)
    wait = WebDriverWait(fresh_browser, 15)
    wait.until(lambda d: "数据" in d.find_element(By.CSS_SELECTOR, "#shell-page h2").text)
    assert fresh_browser.find_element(By.CSS_SELECTOR, "#data-table").get_attribute("value") == "reps"
    wait.until(lambda d: "R0001" in d.find_element(By.CSS_SELECTOR, "#data-grid").text)


def test_snapshot_and_decision_log(dash_duo, app) -> None:
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#shell-nav a[href='/data']").click()
    click(dash_duo, "#shell-share")
    dash_duo.wait_for_element("#shell-snap-name").send_keys("Q1 baseline data")
    click(dash_duo, "#shell-snap-save")
    dash_duo.wait_for_contains_text("#shell-snap-status", "Q1 baseline data")
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)
    dash_duo.driver.get(dash_duo.server_url + "/workshop")
    dash_duo.wait_for_contains_text("#workshop-snapshots", "Q1 baseline data")
    click(dash_duo, "#workshop-decision-add")
    dash_duo.wait_for_contains_text("#workshop-decision-status", "Not saved")
    dash_duo.find_element("#workshop-decision-what").send_keys("Adopt plan B from January")
    click(dash_duo, "#workshop-decision-add")
    dash_duo.wait_for_contains_text("#workshop-decisions", "Adopt plan B from January")
    link = dash_duo.find_element("#workshop-snapshots a").get_attribute("href")
    assert "/data?" in link and link.endswith("lang=en")


def test_workshop_pack_downloads_and_opens_offline(dash_duo, fresh_browser, settings) -> None:
    app = create_app(settings.with_(cache_type="filesystem"))
    app.services.workspace.replace_dataset(generate_sample(seed=2, reps=6, as_of=date(2026, 6, 15)), source="test", fmt="sample")
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/workshop?as_of=2026-06-15")
    click(dash_duo, "#workshop-pack-build")
    dash_duo.wait_for_contains_text("#workshop-pack-status", "downloaded", timeout=120)
    folder = Path(dash_duo.download_path)
    packs = list(folder.glob("territory-planner-pack-2026-06-15-en.html"))
    assert packs, list(folder.iterdir())
    text = packs[0].read_text(encoding="utf-8")
    assert "State of the Union" in text and "Daily Pipe Gen" in text and "Plans compared" in text
    assert "<script src=" not in text and "<link " not in text  # nothing loaded from elsewhere
    fresh_browser.get(packs[0].as_uri())  # a file on disk: nothing but the file itself
    WebDriverWait(fresh_browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg")) >= 8)


def test_plans_and_scenario_views_live_in_the_url(dash_duo, fresh_browser, app) -> None:
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/plans")
    dash_duo.wait_for_element("#plans-tabs")
    tab = next(a for a in dash_duo.driver.find_elements(By.CSS_SELECTOR, "#plans-tabs .nav-link") if a.text == "Compare plans")
    tab.click()
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "tab=compare" in d.current_url)
    link = dash_duo.driver.current_url
    fresh_browser.get(link)
    WebDriverWait(fresh_browser, 15).until(
        lambda d: any(a.text == "Compare plans" and "active" in a.get_attribute("class") for a in d.find_elements(By.CSS_SELECTOR, "#plans-tabs .nav-link"))
    )

    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/scenario?as_of=2026-01-31")
    WebDriverWait(dash_duo.driver, 15).until(lambda d: "as_of=2026-01-31" in d.current_url and "lang=en" in d.current_url)
