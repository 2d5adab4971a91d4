"""The Salesforce importer on a small export with the standard objects' field names."""

from __future__ import annotations

import pandas as pd
import pytest

from crm.importers import ImportResult, import_directory, import_files
from crm.importers.salesforce import classify_role
from tests.crm.helpers import FIXTURES, folder_files


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return import_directory(FIXTURES / "salesforce")


def test_detected_and_imported(result: ImportResult) -> None:
    assert result.ok, result.report_text()
    assert result.format == "salesforce"
    assert result.dataset.counts() | {} == {
        "reps": 4,
        "accounts": 2,
        "opportunities": 4,
        "activities": 5,
        "opportunity_history": 2,
        "quotas": 0,
    }


def test_users_to_reps(result: ImportResult) -> None:
    reps = result.dataset.reps.set_index("rep_id")
    ana = reps.loc["0055g00000AAAAAAA2"]
    assert ana["team"] == "Maria Chen" and ana["manager"] == "Maria Chen"
    assert ana["hire_date"] == pd.Timestamp("2023-01-09")  # from a +0000 datetime
    assert reps.loc["0055g00000AAAAAAA3", "role"] == "SDR"
    assert reps.loc["0055g00000AAAAAAA1", "role"] == "Manager"
    raj = reps.loc["0055g00000AAAAAAA4"]
    assert raj["role"] == "SE" and raj["end_date"] == pd.Timestamp("2024-05-31")


def test_opportunity_picklists(result: ImportResult) -> None:
    opps = result.dataset.opportunities.set_index("opportunity_id")
    assert opps.loc["0065g00000CCCCCCC1", "type"] == "Add-On"
    assert opps.loc["0065g00000CCCCCCC2", "type"] == "New Business"
    assert opps.loc["0065g00000CCCCCCC3", "type"] == "Renewal"
    assert opps.loc["0065g00000CCCCCCC4", "type"] == "New Business"  # blank, warned
    assert (
        opps.loc["0065g00000CCCCCCC2", "forecast_category"] == "Best Case"
    )  # BestCase
    assert opps.loc["0065g00000CCCCCCC2", "amount"] == 0.0  # blank, warned
    assert opps.loc["0065g00000CCCCCCC1", "created_date"] == pd.Timestamp("2024-01-05")
    codes = {w.code for w in result.warnings}
    assert {"sf_blank_type", "sf_missing_amount", "sf_hire_date_from_created"} <= codes


def test_tasks_and_events(result: ImportResult) -> None:
    acts = result.dataset.activities.set_index("activity_id")
    assert acts.loc["00T5g1", "activity_type"] == "Call"
    assert acts.loc["00T5g1", "opportunity_id"] == "0065g00000CCCCCCC1"
    assert (
        acts.loc["00T5g2", "account_id"] == "0015g00000BBBBBBB2"
    )  # WhatId is an account
    assert acts.loc["00T5g3", "activity_type"] == "Other"
    assert acts.loc["00U5g1", "activity_type"] == "Demo"
    assert acts.loc["00U5g2", "activity_type"] == "Meeting"  # an Event with no type
    assert acts.loc["00U5g2", "activity_date"] == pd.Timestamp("2024-02-07")


def test_plural_and_lowercase_file_names() -> None:
    files = {
        k.lower().replace("user", "users"): v
        for k, v in folder_files("salesforce").items()
    }
    result = import_files(files, "salesforce")
    assert result.ok, result.report_text()
    assert len(result.dataset.reps) == 4


def test_errors_name_salesforce_fields() -> None:
    files = folder_files("salesforce")
    files["Opportunity.csv"] = files["Opportunity.csv"].replace(b",25000,", b",lots,")
    assert [str(p) for p in import_files(files).errors] == [
        "Opportunity.csv:2: Amount: must be a number: 'lots'"
    ]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Account Executive", "AE"),
        ("Senior Account Manager", "AE"),
        ("BDR", "SDR"),
        ("Sales Development Representative", "SDR"),
        ("Solutions Engineer", "SE"),
        ("VP Sales", "Manager"),
        ("SDR Manager", "Manager"),
    ],
)
def test_role_classification(text: str, role: str) -> None:
    assert classify_role(text) == role
