"""The Maven CRM importer on the real dataset in ../shared/data/maven-crm."""

from __future__ import annotations

import pandas as pd
import pytest

from crm.importers import ImportResult, import_directory
from tests.crm.helpers import MAVEN_DIR

pytestmark = pytest.mark.skipif(
    not (MAVEN_DIR / "sales_pipeline.csv").exists(),
    reason=f"the Maven CRM dataset is not at {MAVEN_DIR}",
)


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return import_directory(MAVEN_DIR, "maven")


def test_counts(result: ImportResult) -> None:
    assert result.ok, result.report_text()
    counts = result.dataset.counts()
    assert (counts["opportunities"], counts["reps"], counts["accounts"]) == (
        8800,
        35,
        85,
    )
    assert counts["activities"] == 0
    assert result.quarantine == []


def test_auto_detects_maven() -> None:
    assert import_directory(MAVEN_DIR).format == "maven"


def test_quirks_are_warnings_with_counts(result: ImportResult) -> None:
    counts = {w.code: w.count for w in result.warnings}
    assert counts["maven_no_account"] == 1425
    assert counts["maven_created_date_assumed"] == 500
    assert counts["maven_product_renamed"] == 1480
    assert counts["maven_type_assumed"] == 8800
    assert counts["maven_agents_without_deals"] == 5
    assert counts["maven_amount_from_list_price"] == 2473 + 1589 + 500
    fixed = [w for w in result.warnings if w.code == "maven_spelling_fixed"]
    assert any("technolgy" in w.message and w.count == 12 for w in fixed)


def test_mapping(result: ImportResult) -> None:
    d = result.dataset
    opps = d.opportunities
    assert set(opps["type"]) == {"New Business"}
    assert "GTXPro" not in set(opps["opportunity_name"])
    won = opps[opps["is_won"]]
    assert (won["stage"] == "Closed Won").all() and won["is_closed"].all()
    assert (opps["amount"] > 0).all()  # lost/open deals priced from products.csv
    assert opps["close_date"].notna().all() and opps["created_date"].notna().all()
    assert (opps["close_date"] >= opps["created_date"]).all()
    open_ = opps[~opps["is_closed"]]
    assert (open_["close_date"] > open_["created_date"]).all()
    assert opps["account_id"].isna().sum() == 1425
    assert "technolgy" not in set(d.accounts["industry"])
    acme = d.accounts.set_index("account_id").loc["Acme Corporation"]
    assert acme["annual_revenue"] == pytest.approx(1100.04e6)
    reps = d.reps.set_index("rep_id")
    assert reps["team"].nunique() == 6 and set(reps["region"]) == {
        "Central",
        "East",
        "West",
    }
    assert reps.loc["Carl Lin", "hire_date"] == pd.Timestamp(
        "2016-10-01"
    )  # owns no deals
    assert (reps["hire_date"] <= pd.Timestamp("2017-12-31")).all()
