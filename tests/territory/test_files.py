"""Plan files: JSON and CSV round trips, and clear errors for bad files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from territory.files import (
    PlanFileError,
    assignment_to_csv,
    export_assignment_csv,
    import_assignment_csv,
    load_plan,
    plan_from_assignment_csv,
    plan_from_json,
    plan_to_dict,
    save_plan,
)
from territory.plan import (
    AccountRule,
    add_tbh_seat,
    current_plan,
    lock_accounts,
    move_accounts,
    resolve,
)
from tests.territory.factory import make_dataset


@pytest.fixture(scope="module")
def ds():
    return make_dataset(120, 4)


@pytest.fixture(scope="module")
def plan(ds):
    p = current_plan(ds, start_date=dt.date(2026, 1, 1))
    p = add_tbh_seat(
        p,
        "TBH-01",
        start_date=dt.date(2026, 4, 1),
        covering_rep_id="r00",
        account_ids=["A00001"],
    )
    p = lock_accounts(p, "T-r01", ["A00002"])
    t = p.territory("T-r02").model_copy(update={"rules": (AccountRule(state=("CA",)),)})
    return p.model_copy(
        update={
            "territories": tuple(
                t if x.territory_id == "T-r02" else x for x in p.territories
            )
        }
    )


def test_json_round_trip(tmp_path: Path, plan, ds) -> None:
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["name"] == plan.name and data["start_date"] == "2026-01-01"
    seat = next(t for t in data["territories"] if t["territory_id"] == "TBH-01")
    assert seat["owner"] == {
        "tbh": True,
        "start_date": "2026-04-01",
        "covering_rep_id": "r00",
    }
    assert (
        next(t for t in data["territories"] if t["territory_id"] == "T-r00")["owner"]
        == "r00"
    )
    loaded = load_plan(path)
    assert loaded == plan
    assert resolve(loaded, ds).equals(resolve(plan, ds))


def test_minimal_json_uses_defaults() -> None:
    p = plan_from_json(
        '{"name": "n", "start_date": "2026-01-01", "territories": '
        '[{"territory_id": "T1", "owner": "r1", "account_ids": ["a"]}]}'
    )
    assert p.lock_months == 12 and p.territory("T1").account_ids == ("a",)


def test_csv_round_trip(tmp_path: Path, plan, ds) -> None:
    path = tmp_path / "assignment.csv"
    export_assignment_csv(plan, ds, path)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == "account_id,territory_id"
    back = import_assignment_csv(path, base=plan)
    assert resolve(back, ds).equals(resolve(plan, ds))
    assert back.territory("TBH-01").is_tbh
    assert back.territory("T-r01").locked_account_ids == ("A00002",)
    assert back.territory("T-r02").rules == ()


def test_csv_without_base_takes_owners_from_rep_ids(ds) -> None:
    text = "\ufeffaccount_id,territory_id\nA00000,T-r00\nA00001,r01\nA00002,\n"
    p = plan_from_assignment_csv(
        text, dataset=ds, start_date=dt.date(2026, 1, 1), name="x"
    )
    assert p.territory("T-r00").owner == "r00"
    assert p.territory("r01").owner == "r01"
    assert p.unassigned_account_ids == ("A00002",)


def test_bad_json_plan_lists_every_problem() -> None:
    bad = {
        "name": "",
        "start_date": "someday",
        "territories": [
            {"territory_id": "T1", "owner": {"tbh": True, "start_date": "2026-01-01"}},
            {"territory_id": "T2", "owner": "r2", "acount_ids": []},
        ],
    }
    with pytest.raises(PlanFileError) as info:
        plan_from_json(json.dumps(bad), source="bad.json")
    text = str(info.value)
    assert text.startswith("bad.json: invalid plan file")
    problems = info.value.problems
    assert any(p.startswith("name:") for p in problems)
    assert any(p.startswith("start_date:") for p in problems)
    assert any(p.startswith("territories[0].owner.covering_rep_id:") for p in problems)
    assert any(p.startswith("territories[1].acount_ids:") for p in problems)


def test_bad_json_syntax_and_shape(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match="line 1 column 2: not valid JSON"):
        plan_from_json("{oops}")
    with pytest.raises(PlanFileError, match="expected a JSON object"):
        plan_from_json("[1, 2]")
    with pytest.raises(PlanFileError, match="cannot read the file"):
        load_plan(tmp_path / "missing.json")
    dup = {
        "name": "n",
        "start_date": "2026-01-01",
        "territories": [
            {"territory_id": "A", "owner": "r1"},
            {"territory_id": "A", "owner": "r2"},
        ],
    }
    with pytest.raises(PlanFileError, match="used more than once"):
        plan_from_json(json.dumps(dup))


def test_bad_csv_lists_every_problem(plan, ds) -> None:
    with pytest.raises(PlanFileError, match="missing column"):
        plan_from_assignment_csv("account,territory\n", base=plan)
    text = (
        "account_id,territory_id\nA00000,T-r00\nA00000,T-r01\n,T-r00\nA00003,T-nobody\n"
    )
    with pytest.raises(PlanFileError) as info:
        plan_from_assignment_csv(text, base=plan, dataset=ds)
    problems = info.value.problems
    assert any("line 3" in p and "already listed on line 2" in p for p in problems)
    assert any(p.startswith("line 4: account_id: blank") for p in problems)
    assert any("'T-nobody'" in p and "no owner" in p for p in problems)
    with pytest.raises(PlanFileError, match="start date"):
        plan_from_assignment_csv("account_id,territory_id\nA00000,T-r00\n", dataset=ds)


def test_assignment_csv_marks_unassigned_with_an_empty_territory(ds) -> None:
    p = current_plan(ds, start_date=dt.date(2026, 1, 1))
    text = assignment_to_csv(move_accounts(p, ["A00005"], None), ds)
    assert "\nA00005,\n" in text
    assert plan_to_dict(p)["lock_months"] == 12
