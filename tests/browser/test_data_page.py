"""The Data page in a real browser: upload the sample dataset, import it, see its summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.cli import main
from tests.browser.conftest import click, switch_language

pytestmark = pytest.mark.browser


def _upload(dash_duo, folder: Path) -> None:
    files = sorted(str(p) for p in folder.glob("*.csv"))
    dash_duo.find_element("#data-upload input[type=file]").send_keys("\n".join(files))


def test_upload_validate_import_and_summary_in_both_languages(dash_duo, settings, tmp_path: Path) -> None:
    folder = tmp_path / "sample"
    assert main(["sample", "--out", str(folder), "--seed", "11", "--reps", "9", "--as-of", "2026-05-20"], settings) == 0
    app = create_app(settings)
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#shell-nav a[href='/data']").click()
    dash_duo.wait_for_text_to_equal("#data-summary p", "The workspace is empty.")

    _upload(dash_duo, folder)
    dash_duo.wait_for_contains_text("#data-report", "The files are valid", timeout=30)
    click(dash_duo, "#data-import:not([disabled])")
    dash_duo.wait_for_contains_text("#data-status", "data version 1", timeout=30)
    dash_duo.wait_for_text_to_equal("[data-testid='data.summary.reps']", "9", timeout=15)
    assert app.services.version() == 1

    switch_language(dash_duo, "zh")
    dash_duo.wait_for_contains_text("#data-summary", "销售人员", timeout=10)
    dash_duo.wait_for_text_to_equal("[data-testid='data.summary.reps']", "9")
    dash_duo.wait_for_contains_text("#data-history", "版本 1")


def test_a_bad_upload_is_reported_and_cannot_be_imported(dash_duo, settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "reps.csv").write_text("rep_id,rep_name,team,hire_date\nR1,Ann,East,2024-13-45\n")
    (bad / "accounts.csv").write_text("account_id,account_name\nA1,Acme\n")
    (bad / "opportunities.csv").write_text(
        "opportunity_id,owner_id,type,stage,amount,created_date,close_date,is_closed,is_won\n"
    )
    app = create_app(settings)
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#shell-nav a[href='/data']").click()
    _upload(dash_duo, bad)
    dash_duo.wait_for_contains_text("#data-report", "reps.csv:2:", timeout=30)
    assert dash_duo.find_element("#data-import").get_attribute("disabled") is not None
    assert app.services.version() == 0
