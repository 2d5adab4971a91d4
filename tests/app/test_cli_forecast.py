"""``python -m app forecast`` and ``backtest`` (contracts §3): shape, columns,
determinism for a seed, argument validation. Small replications, so seconds."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from crm.sample import generate_sample
from crm.store import Workspace

AS_OF = date(2026, 6, 15)
COLUMNS = ["month", "scope", "metric", "p10", "p50", "p90", "mean"]


@pytest.fixture(scope="module")
def sample():
    return generate_sample(seed=1, reps=8, as_of=AS_OF)


@pytest.fixture
def stored(settings, sample):
    Workspace(settings.database_url).replace_dataset(sample, source="test", fmt="sample")
    return settings


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_forecast_csv_has_the_contract_columns_scopes_and_metrics(stored, capsys) -> None:
    assert main(["forecast", "--as-of", "2026-06-15", "--months", "3", "--replications", "12", "--seed", "4"], stored) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split(",") == COLUMNS
    rows = _rows(text)
    months = sorted({r["month"] for r in rows})
    assert months[0] == "2026-06" and len(months) in (3, 4)
    assert all(len(r["month"]) == 7 and r["month"][4] == "-" for r in rows)
    scopes = {r["scope"] for r in rows}
    assert "team" in scopes and any(s.startswith("rep:") for s in scopes) and any(s.startswith("territory:") for s in scopes)
    metrics = {r["metric"] for r in rows}
    assert {"closed_won_acv", "pipeline_created_acv", "activities", "meetings", "attainment"} <= metrics
    for r in rows:
        if r["p50"]:
            assert float(r["p10"]) <= float(r["p50"]) <= float(r["p90"])
    team_won = [r for r in rows if r["scope"] == "team" and r["metric"] == "closed_won_acv"]
    assert all(float(r["mean"]) >= 0 for r in team_won)


def test_forecast_is_deterministic_for_a_seed_and_writes_out(stored, tmp_path: Path, capsys) -> None:
    args = ["forecast", "--as-of", "2026-06-15", "--months", "2", "--replications", "10"]
    out_a, out_b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert main([*args, "--seed", "7", "--out", str(out_a)], stored) == 0
    assert main([*args, "--seed", "7", "--out", str(out_b)], stored) == 0
    assert capsys.readouterr().out == ""
    assert out_a.read_text() == out_b.read_text()
    assert main([*args, "--seed", "8"], stored) == 0
    assert capsys.readouterr().out != out_a.read_text()


def test_backtest_json_has_the_contract_shape(stored, capsys) -> None:
    assert main(["backtest", "--train-end", "2025-12-31", "--months", "3", "--replications", "12", "--json"], stored) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"months", "coverage_p10_p90", "mape_p50"}
    assert [m["month"] for m in result["months"]] == ["2026-01", "2026-02", "2026-03"]
    for m in result["months"]:
        assert set(m) == {"month", "actual", "p10", "p50", "p90"}
        assert m["actual"] >= 0 and m["p10"] <= m["p50"] <= m["p90"]
    assert 0.0 <= result["coverage_p10_p90"] <= 1.0
    inside = sum(m["p10"] <= m["actual"] <= m["p90"] for m in result["months"]) / 3
    assert result["coverage_p10_p90"] == pytest.approx(inside)
    assert result["mape_p50"] is None or result["mape_p50"] >= 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["forecast", "--as-of", "2026-06-15", "--months", "0"], "out of range (1..36)"),
        (["forecast", "--as-of", "2026-06-15", "--months", "37"], "out of range (1..36)"),
        (["forecast", "--as-of", "2026-06-15", "--months", "3", "--replications", "5001"], "out of range (1..5000)"),
        (["forecast", "--as-of", "June", "--months", "3"], "is not a date"),
        (["backtest", "--train-end", "2025-12-31", "--months", "x", "--json"], "is not a whole number"),
        (["backtest", "--train-end", "2025-12-31", "--months", "3", "--replications", "0", "--json"], "out of range (1..5000)"),
        (["forecast", "--months", "3"], "--as-of"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(stored, capsys, argv, message) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv, stored)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_an_empty_workspace_is_a_clear_error(settings, capsys) -> None:
    assert main(["forecast", "--as-of", "2026-06-15", "--months", "2", "--replications", "5"], settings) == 2
    assert "import a dataset first" in capsys.readouterr().err
