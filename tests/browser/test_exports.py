"""Exports in a real browser: tables to formula-safe CSV, charts to PNG."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.action_chains import ActionChains

from app import create_app
from crm.sample import generate_sample
from tests.browser.conftest import click

pytestmark = pytest.mark.browser

AS_OF = date.today()
EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture
def export_app(settings):
    app = create_app(settings)
    ds = generate_sample(seed=5, reps=6, as_of=AS_OF)
    app.services.workspace.replace_dataset(ds, source="test", fmt="sample")
    rep = str(ds.reps.loc[ds.reps["role"] == "AE", "rep_id"].iloc[0])
    evil = {
        "opportunity_id": "EVIL-1",
        "owner_id": rep,
        "opportunity_name": EVIL,
        "type": "New Business",
        "stage": "Negotiation",
        "amount": 9_000_000.0,
        "created_date": AS_OF.replace(day=1).isoformat(),
        "close_date": AS_OF.isoformat(),
        "is_closed": False,
        "is_won": False,
        "forecast_category": "Commit",
    }
    app.services.workspace.upsert_rows({"opportunities": pd.DataFrame([evil])})
    return app


def _downloaded(folder: Path, suffix: str, timeout: float = 15) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file downloaded into {folder}")


def test_grid_csv_is_formula_safe_and_chart_saves_as_png(dash_duo, export_app) -> None:
    dash_duo.start_server(export_app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/state-of-the-union")
    dash_duo.wait_for_contains_text("#sotu-notable-open", EVIL, timeout=20)
    click(dash_duo, "[data-testid='csv-sotu-notable-open']")
    folder = Path(dash_duo.download_path)
    text = _downloaded(folder, ".csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    assert f"\"'{EVIL}\"" in text or f"'{EVIL}" in text
    assert f",{EVIL}" not in text and f'"{EVIL}' not in text

    graph = dash_duo.wait_for_element("#sotu-trend .main-svg")
    ActionChains(dash_duo.driver).move_to_element(graph).perform()
    click(dash_duo, "#sotu-trend .modebar-btn[data-title*='png' i]")
    png = _downloaded(folder, ".png", timeout=20)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_data_table_csv_is_the_whole_table(dash_duo, export_app) -> None:
    dash_duo.start_server(export_app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/data?table=opportunities")
    dash_duo.wait_for_element("#data-grid .ag-row", timeout=20)
    click(dash_duo, "#data-export")
    path = _downloaded(Path(dash_duo.download_path), ".csv")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    stored = export_app.services.dataset().opportunities
    assert len(frame) == len(stored)
    assert frame.loc[frame["opportunity_id"] == "EVIL-1", "opportunity_name"].item() == "'" + EVIL
