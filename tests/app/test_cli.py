"""The command line contracts (§3): sample, import (all or nothing), exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.services import open_workspace


def test_sample_then_import_round_trip(settings, tmp_path: Path, capsys) -> None:
    out = tmp_path / "sample"
    assert main(["sample", "--out", str(out), "--seed", "5", "--reps", "6", "--as-of", "2026-03-31"], settings) == 0
    assert {p.name for p in out.glob("*.csv")} >= {"reps.csv", "accounts.csv", "opportunities.csv"}
    assert main(["import", str(out), "--format", "canonical"], settings) == 0
    stored = open_workspace(settings).load_dataset()
    assert len(stored.reps) == 6
    assert "data version 1" in capsys.readouterr().out


def test_a_bad_import_exits_2_names_the_lines_and_changes_nothing(settings, tmp_path: Path, capsys) -> None:
    good = tmp_path / "good"
    main(["sample", "--out", str(good), "--seed", "5", "--reps", "6", "--as-of", "2026-03-31"], settings)
    main(["import", str(good)], settings)
    workspace = open_workspace(settings)
    before = workspace.load_dataset().opportunities.copy()
    version = workspace.data_version()

    bad = tmp_path / "bad"
    bad.mkdir()
    for f in good.glob("*.csv"):
        (bad / f.name).write_bytes(f.read_bytes())
    lines = (bad / "opportunities.csv").read_text().splitlines()
    header = lines[0].split(",")
    row3 = lines[2].split(",")
    row3[header.index("created_date")] = "not-a-date"
    lines[2] = ",".join(row3)
    row5 = lines[4].split(",")
    row5[header.index("amount")] = "twelve"
    lines[4] = ",".join(row5)
    (bad / "opportunities.csv").write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert main(["import", str(bad), "--format", "canonical"], settings) == 2
    err = capsys.readouterr().err
    assert "opportunities.csv:3:" in err and "created_date" in err
    assert "opportunities.csv:5:" in err and "amount" in err
    assert workspace.data_version() == version
    assert workspace.load_dataset().opportunities.equals(before)


def test_import_of_a_missing_folder_is_a_clear_error(settings, capsys) -> None:
    assert main(["import", "/nonexistent/folder"], settings) == 2
    assert "not a folder" in capsys.readouterr().err


def test_bad_arguments_exit_2(settings) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["sample", "--out", "x", "--reps", "0"], settings)
    assert exc.value.code == 2
