"""The canonical folder importer: quirks of real exports, rules and line numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from crm.importers import ImportResult, import_directory, import_files
from tests.crm.helpers import FIXTURES, folder_files, quirk


def _errors(result: ImportResult) -> list[str]:
    return [str(p) for p in result.errors]


def _codes(result: ImportResult) -> set[str]:
    return {w.code for w in result.warnings}


def test_good_folder_imports_with_canonical_dtypes() -> None:
    result = import_directory(FIXTURES / "canonical")
    assert result.ok, result.report_text()
    assert result.format == "canonical"
    opps = result.dataset.opportunities
    assert opps["amount"].dtype == "float64"
    assert opps["created_date"].dtype == "datetime64[ns]"
    assert opps["is_closed"].dtype == bool
    assert set(result.encodings.values()) == {"utf-8"}


def test_ids_and_text_stay_text() -> None:
    d = import_directory(FIXTURES / "canonical").dataset
    assert "007" in set(d.reps["rep_id"])
    assert "000123456789012345" in set(d.accounts["account_id"])
    # a company literally named NA or NULL is a name, not a missing value
    assert {"NA", "NULL"} <= set(d.accounts["account_name"])
    assert (
        d.accounts.loc[
            d.accounts.account_id == "000123456789012345", "annual_revenue"
        ].item()
        == 12_500_000.0
    )
    name = d.opportunities.set_index("opportunity_id").loc["O1", "opportunity_name"]
    assert name == "Big deal\nsecond line"


def test_booleans_enums_and_defaults_are_normalised() -> None:
    d = import_directory(FIXTURES / "canonical").dataset
    opps = d.opportunities.set_index("opportunity_id")
    assert opps.loc["O1", "is_won"] and opps.loc["O1", "is_closed"]  # yes / TRUE
    assert opps.loc["O2", "type"] == "Renewal"  # "renewal"
    assert opps.loc["O2", "forecast_category"] == "Best Case"  # "best case"
    reps = d.reps.set_index("rep_id")
    assert reps.loc["R2", "role"] == "SDR"  # "sdr"
    assert reps.loc["R3", "role"] == "AE"  # blank → default


def test_non_fatal_rules_quarantine_and_warn() -> None:
    result = import_directory(FIXTURES / "canonical")
    d = result.dataset
    opps = d.opportunities.set_index("opportunity_id")
    # orphan account: opportunity kept, account cleared, a copy quarantined
    assert pd.isna(opps.loc["O3", "account_id"])
    # unknown owner: quarantined (owner is required)
    assert "O4" not in opps.index
    # duplicate id: first kept
    assert opps.loc["O1", "opportunity_name"].startswith("Big deal")
    # close before created: created moved to close
    assert opps.loc["O5", "created_date"] == opps.loc["O5", "close_date"]
    # unknown forecast category blanked, unknown activity type → Other
    assert pd.isna(opps.loc["O3", "forecast_category"])
    acts = d.activities.set_index("activity_id")
    assert acts.loc["X3", "activity_type"] == "Other"
    assert "X4" not in acts.index
    # the activity on the quarantined opportunity loses its link but stays
    assert pd.isna(acts.loc["X5", "opportunity_id"])
    reasons = {(t, r) for t, r, _ in result.quarantine}
    assert {
        ("opportunities", "duplicate_id"),
        ("opportunities", "unknown_account_id"),
        ("opportunities", "unknown_owner_id"),
        ("activities", "unknown_owner_id"),
        ("accounts", "unknown_owner_id"),
    } <= reasons
    dup = next(rec for t, r, rec in result.quarantine if r == "duplicate_id")
    assert dup["source_line"] == 8 and dup["opportunity_name"] == "Duplicate"
    assert {
        "duplicate_id",
        "close_before_created",
        "unknown_account_id",
        "unknown_owner_id",
        "unknown_forecast_category",
        "unknown_activity_type",
    } <= _codes(result)
    for w in result.warnings:
        assert w.count >= 1 and len(w.examples) <= 5


def test_bad_date_and_amount_reported_with_physical_lines() -> None:
    result = import_directory(FIXTURES / "canonical_bad")
    assert not result.ok and result.dataset is None
    # the quoted three-line name and a blank line shift the physical lines
    assert _errors(result) == [
        "opportunities.csv:6: created_date: not a date (use YYYY-MM-DD): '2024-13-45'",
        "opportunities.csv:7: amount: must be a number: 'lots'",
    ]
    assert "opportunities.csv:6" in result.report_text()


def test_ragged_rows_are_errors_at_their_line() -> None:
    files = folder_files("canonical") | {
        "opportunities.csv": quirk("opportunities_ragged.csv")
    }
    result = import_files(files)
    assert _errors(result) == [
        "opportunities.csv:3: row has 11 fields but the header has 10",
        "opportunities.csv:4: row has 7 fields but the header has 10",
    ]


def test_excel_saved_file_bom_crlf_headers_and_dates() -> None:
    files = folder_files("canonical") | {"reps.csv": quirk("reps_excel.csv")}
    result = import_files(files)
    assert result.ok, result.report_text()
    assert result.encodings["reps.csv"] == "utf-8-sig"
    reps = result.dataset.reps.set_index("rep_id")
    assert reps.loc["007", "hire_date"] == pd.Timestamp(
        "2023-03-07"
    )  # 3/7/2023, US order
    assert reps.loc["R2", "hire_date"] == pd.Timestamp(
        "2023-01-01"
    )  # Excel serial 44927
    assert reps.loc["R3", "hire_date"] == pd.Timestamp("2022-06-15")  # 2022/06/15
    assert reps.loc["007", "annual_quota"] == 600_000.0
    assert {"excel_serial_dates", "ambiguous_date_order"} <= _codes(result)


def test_gbk_file_with_chinese_names() -> None:
    files = folder_files("canonical") | {"reps.csv": quirk("reps_gbk.csv")}
    result = import_files(files)
    assert result.ok, result.report_text()
    assert result.encodings["reps.csv"] == "gb18030"
    assert set(result.dataset.reps["rep_name"]) == {"张伟", "王芳", "李娜"}
    assert set(result.dataset.reps["team"]) == {"华东区", "华南区"}


def test_cp1252_file() -> None:
    files = folder_files("canonical") | {"accounts.csv": quirk("accounts_cp1252.csv")}
    result = import_files(files)
    assert result.ok, result.report_text()
    assert result.encodings["accounts.csv"] == "cp1252"
    assert "Société Générale" in set(result.dataset.accounts["account_name"])


def test_semicolon_file_with_decimal_commas() -> None:
    files = folder_files("canonical") | {
        "opportunities.csv": quirk("opportunities_semicolon.csv")
    }
    result = import_files(files)
    assert result.ok, result.report_text()
    opps = result.dataset.opportunities.set_index("opportunity_id")
    assert opps.loc["O1", "amount"] == pytest.approx(1234.56)
    assert opps.loc["O3", "amount"] == pytest.approx(12.5)
    assert opps.loc["O2", "probability"] == pytest.approx(60.5)
    assert opps.loc["O1", "created_date"] == pd.Timestamp("2024-01-05")  # 05.01.2024


def _opps(rows: str) -> dict[str, bytes]:
    header = "opportunity_id,owner_id,type,stage,amount,created_date,close_date,is_closed,is_won\n"
    return folder_files("canonical") | {"opportunities.csv": (header + rows).encode()}


def test_negative_amount_and_unknown_type_are_errors() -> None:
    result = _opps(
        "O1,007,New Business,Discovery,-5,2024-01-01,2024-02-01,false,false\n"
        "O2,007,Partnership,Discovery,5,2024-01-01,2024-02-01,false,false\n"
    )
    result = import_files(result)
    assert _errors(result) == [
        "opportunities.csv:2: amount: must not be negative: '-5'",
        "opportunities.csv:3: type: must be one of New Business, Add-On, Renewal: 'Partnership'",
    ]


def test_missing_required_value_column_and_table() -> None:
    result = import_files(
        _opps("O1,007,New Business,Discovery,,2024-01-01,2024-02-01,false,false\n")
    )
    assert _errors(result) == ["opportunities.csv:2: amount: required value is missing"]
    files = folder_files("canonical")
    files["opportunities.csv"] = b"opportunity_id,owner_id\nO1,007\n"
    missing_col = _errors(import_files(files))
    assert "opportunities.csv:1: stage: required column is missing" in missing_col
    del files["reps.csv"]
    assert "reps.csv: required table reps is missing" in _errors(import_files(files))


def test_unknown_columns_are_ignored_not_errors() -> None:
    files = folder_files("canonical")
    files["quotas.csv"] = b"rep_id,month,quota,comment\n007,2024-01,100,hello\n"
    result = import_files(files)
    assert result.ok
    assert "ignored_columns" in _codes(result)


def test_size_limits_are_errors_not_crashes() -> None:
    files = folder_files("canonical")
    too_big = import_files(files, max_file_bytes=100)
    assert not too_big.ok
    assert any("the limit is" in str(p) for p in too_big.errors)
    too_long = import_files(files, max_rows=2)
    assert any("more than 2 rows" in str(p) for p in too_long.errors)


def test_summary_and_report_text() -> None:
    result = import_directory(FIXTURES / "canonical")
    summary = result.summary()
    assert summary["counts"]["opportunities"] == 4
    assert summary["date_range"] == ["2024-01-05", "2024-03-01"]
    assert summary["warnings"] and summary["encodings"]["reps.csv"] == "utf-8"
    text = result.report_text()
    assert (
        "Import OK (canonical)" in text
        and "duplicate_id" in text
        and "Encodings" in text
    )


def test_unknown_format_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown import format"):
        import_files({}, fmt="excel")
