"""``python -m app plan ...``: balance, fairness and compare on a small workspace."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from crm.sample import generate_sample
from crm.store import Workspace
from territory.files import load_plan, save_plan
from territory.plan import current_plan

AS_OF = date(2026, 6, 15)


@pytest.fixture
def workspace(settings):
    dataset = generate_sample(seed=1, reps=10, as_of=AS_OF)
    Workspace(settings.database_url).replace_dataset(dataset, source="test", fmt="sample")
    return dataset


def test_balance_prints_the_plan_and_a_summary(settings, workspace, capsys) -> None:
    assert main(["plan", "balance", "--territories", "5", "--by", "state", "--as-of", AS_OF.isoformat()], settings) == 0
    out = capsys.readouterr()
    plan = json.loads(out.out)
    assert len(plan["territories"]) == 5
    assert "Gini" in out.err and "5 territories" in out.err


def test_balance_writes_a_file_that_fairness_reads(settings, workspace, tmp_path: Path, capsys) -> None:
    path = tmp_path / "plan.json"
    assert main(["plan", "balance", "--territories", "4", "--out", str(path), "--as-of", "2026-06-15"], settings) == 0
    assert capsys.readouterr().out == ""
    assert len(load_plan(path).territories) == 4
    assert main(["plan", "fairness", str(path), "--json", "--as-of", "2026-06-15"], settings) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("gini_potential", "max_min_ratio", "cv_potential"):
        assert key in report
    assert report["gini_potential"] < 0.1
    assert main(["plan", "fairness", str(path)], settings) == 0
    assert "Gini" in capsys.readouterr().out


def test_compare_puts_fairness_disruption_and_outcomes_side_by_side(settings, workspace, tmp_path: Path, capsys) -> None:
    current = tmp_path / "current.json"
    save_plan(current_plan(workspace, name="Current"), current)
    balanced = tmp_path / "balanced.json"
    main(["plan", "balance", "--territories", "7", "--by", "state", "--out", str(balanced), "--as-of", "2026-06-15"], settings)
    capsys.readouterr()
    args = ["plan", "compare", str(current), str(balanced), "--replications", "12", "--seed", "3", "--months", "3", "--as-of", "2026-06-15"]
    assert main([*args, "--json"], settings) == 0
    result = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in result["plans"]][0] == "Current"
    first, second = result["plans"]
    assert first["disruption"]["accounts_moved"] == 0 and second["disruption"]["accounts_moved"] > 0
    assert second["fairness"]["gini_potential"] < first["fairness"]["gini_potential"]
    for p in result["plans"]:
        assert len(p["outcomes"]["team"]["closed_won_acv"]["p50"]) == len(result["months"]) == 4
        assert p["fairness"]["outcomes"]["p_hit_annual_quota"]["max"] <= 1
    assert main(args, settings) == 0
    assert "team ACV P50" in capsys.readouterr().out


def test_bad_plan_files_exit_2_with_every_problem(settings, workspace, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "", "territories": [{"territory_id": "T1"}], "extra": 1}))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["plan", "compare", str(bad), str(broken), "--replications", "2"], settings) == 2
    err = capsys.readouterr().err
    assert "start_date" in err and "territories[0].owner" in err and "extra" in err
    assert "broken.json" in err and "not valid JSON" in err
    assert main(["plan", "fairness", str(tmp_path / "missing.json")], settings) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["plan", "compare", str(bad)], settings) == 2
    assert "2 to 4" in capsys.readouterr().err


def test_an_empty_workspace_is_a_clear_error(settings, capsys) -> None:
    assert main(["plan", "balance", "--territories", "3"], settings) == 2
    assert "import a dataset" in capsys.readouterr().err
