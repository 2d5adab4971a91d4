"""Plans: rule and list resolution, conflicts, current ownership, pure edits."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm.dataset import Dataset
from territory.plan import (
    AccountRule,
    Plan,
    PlanEditError,
    TbhSeat,
    Territory,
    add_tbh_seat,
    current_plan,
    duplicate_plan,
    lock_accounts,
    move_accounts,
    move_by_rule,
    rename_plan,
    rename_territory,
    resolve,
    resolve_report,
    size_segment,
    unlock_accounts,
)
from tests.territory.factory import make_dataset

START = dt.date(2026, 1, 1)


@pytest.fixture
def small() -> Dataset:
    return Dataset.from_frames(
        {
            "reps": pd.DataFrame(
                {
                    "rep_id": ["r1", "r2"],
                    "rep_name": ["Ann", "Bo"],
                    "team": ["t", "t"],
                    "hire_date": ["2024-01-01", "2024-01-01"],
                }
            ),
            "accounts": pd.DataFrame(
                {
                    "account_id": ["a1", "a2", "a3", "a4", "a5"],
                    "account_name": list("vwxyz"),
                    "industry": ["Retail", "Software", "Retail", None, "Software"],
                    "region": ["West", "East", "West", "East", "West"],
                    "state": ["CA", "NY", " ca", "NY", None],
                    "employees": [50, 500, 5000, None, 150],
                    "annual_revenue": [1e6, 5e7, 9e8, None, 2e7],
                    "owner_id": ["r1", "r2", "r1", None, "r2"],
                }
            ),
        }
    )


def _plan(*territories: Territory, unassigned: tuple[str, ...] = ()) -> Plan:
    return Plan(
        name="p",
        start_date=START,
        territories=territories,
        unassigned_account_ids=unassigned,
    )


def test_rules_assign_every_account_exactly_once() -> None:
    ds = make_dataset(300, 4)
    plan = _plan(
        Territory(
            territory_id="W", owner="r00", rules=(AccountRule(region=("West",)),)
        ),
        Territory(
            territory_id="ENT",
            owner="r01",
            rules=(AccountRule(segment=("Enterprise",)),),
        ),
        Territory(
            territory_id="FIN", owner="r02", rules=(AccountRule(industry=("finance",)),)
        ),
        Territory(territory_id="REST", owner="r03", rules=(AccountRule(),)),
    )
    out = resolve(plan, ds)
    assert list(out.columns) == ["account_id", "territory_id"]
    assert len(out) == len(ds.accounts)
    assert out["account_id"].is_unique
    assert out["territory_id"].notna().all()
    acc = ds.accounts.set_index("account_id")
    west = acc.loc[out.loc[out["territory_id"] == "W", "account_id"], "region"]
    assert (west == "West").all()
    # first matching rule wins: no western account lands anywhere else
    assert set(
        out.loc[
            acc.loc[out["account_id"], "region"].to_numpy() == "West", "territory_id"
        ]
    ) == {"W"}
    assert resolve_report(plan, ds).unmatched_account_ids == ()


def test_explicit_lists_win_over_rules_and_conflicts_are_reported(
    small: Dataset,
) -> None:
    plan = _plan(
        Territory(territory_id="W", owner="r1", rules=(AccountRule(state=("CA",)),)),
        Territory(
            territory_id="E",
            owner="r2",
            rules=(AccountRule(region=("West", "East")),),
            account_ids=("a1", "nope"),
        ),
        Territory(territory_id="X", owner="r2", account_ids=("a1",)),
        unassigned=("a4",),
    )
    rep = resolve_report(plan, small)
    got = dict(
        zip(rep.assignment["account_id"], rep.assignment["territory_id"], strict=True)
    )
    assert got["a1"] == "E"  # listed beats the CA rule; first listing beats X
    assert got["a3"] == "W"  # " ca" matches CA: case and spaces ignored
    assert pd.isna(got["a4"])  # explicitly unassigned beats E's catch-all region rule
    assert got["a5"] == "E"
    kinds = set(zip(rep.conflicts["account_id"], rep.conflicts["kind"], strict=True))
    assert ("a1", "listed_twice") in kinds
    assert ("a3", "rule_overlap") in kinds
    assert rep.unknown_account_ids == ("nope",)
    assert rep.unassigned_account_ids == ("a4",)
    src = dict(zip(rep.assignment["account_id"], rep.assignment["source"], strict=True))
    assert src == {
        "a1": "explicit",
        "a2": "rule",
        "a3": "rule",
        "a4": "unassigned",
        "a5": "rule",
    }


def test_unmatched_accounts_are_reported(small: Dataset) -> None:
    plan = _plan(
        Territory(territory_id="W", owner="r1", rules=(AccountRule(state=("CA",)),))
    )
    rep = resolve_report(plan, small)
    assert set(rep.unmatched_account_ids) == {"a2", "a4", "a5"}


def test_size_bands_and_segments(small: Dataset) -> None:
    assert list(size_segment(small.accounts["employees"]).fillna("-")) == [
        "SMB",
        "Mid-Market",
        "Enterprise",
        "-",
        "Mid-Market",
    ]
    rule = AccountRule(min_employees=100, max_employees=1000, min_revenue_usd=3e7)
    assert list(rule.mask(small.accounts)) == [False, True, False, False, False]
    with pytest.raises(ValueError, match="below maximum"):
        AccountRule(min_employees=10, max_employees=5)
    with pytest.raises(ValueError, match="unknown size segment"):
        AccountRule(segment=("Huge",))


def test_locked_account_beats_a_plain_listing_elsewhere(small: Dataset) -> None:
    plan = _plan(
        Territory(territory_id="A", owner="r1", account_ids=("a2",)),
        Territory(territory_id="B", owner="r2", locked_account_ids=("a2",)),
    )
    got = resolve(plan, small).set_index("account_id")["territory_id"]
    assert got["a2"] == "B"


def test_current_plan_has_one_territory_per_owner(small: Dataset) -> None:
    plan = current_plan(small, start_date=START)
    assert plan.territory_ids == ("T-r1", "T-r2")
    assert plan.territory("T-r1").name == "Ann"
    assert set(plan.territory("T-r2").account_ids) == {"a2", "a5"}
    assert plan.unassigned_account_ids == ("a4",)
    assert plan.lock_until == dt.date(2027, 1, 1)
    out = resolve(plan, small)
    owners = small.accounts["owner_id"]
    assert (out["territory_id"].fillna("") == ("T-" + owners).fillna("")).all()


def test_edits_are_pure_and_keep_locks(small: Dataset) -> None:
    plan = current_plan(small, start_date=START)
    moved = move_accounts(plan, ["a1"], "T-r2")
    assert "a1" in plan.territory("T-r1").account_ids  # original untouched
    assert resolve(moved, small).set_index("account_id")["territory_id"]["a1"] == "T-r2"
    to_none = move_accounts(plan, ["a1"], None)
    assert "a1" in to_none.unassigned_account_ids
    back = move_accounts(to_none, ["a1"], "T-r1")
    assert "a1" not in back.unassigned_account_ids
    with pytest.raises(PlanEditError, match="unknown territory"):
        move_accounts(plan, ["a1"], "T-zz")

    locked = lock_accounts(plan, "T-r2", ["a1"])
    assert locked.territory("T-r2").locked_account_ids == ("a1",)
    with pytest.raises(PlanEditError, match="locked"):
        move_accounts(locked, ["a1"], "T-r1")
    assert (
        "a1"
        in move_by_rule(locked, small, AccountRule(state=("CA",)), "T-r2")
        .territory("T-r2")
        .members()
    )
    bulk = move_by_rule(locked, small, AccountRule(state=("CA",)), "T-r1")
    assert resolve(bulk, small).set_index("account_id")["territory_id"]["a1"] == "T-r2"
    unlocked = unlock_accounts(locked, ["a1"])
    assert unlocked.territory("T-r2").locked_account_ids == ()
    assert "a1" in unlocked.territory("T-r2").account_ids

    seat = add_tbh_seat(
        plan,
        "TBH-1",
        start_date=dt.date(2026, 4, 1),
        covering_rep_id="r1",
        account_ids=["a3"],
    )
    t = seat.territory("TBH-1")
    assert t.is_tbh and t.owner_rep_id is None and t.covering_rep_id == "r1"
    assert resolve(seat, small).set_index("account_id")["territory_id"]["a3"] == "TBH-1"
    with pytest.raises(PlanEditError, match="already exists"):
        add_tbh_seat(seat, "TBH-1", start_date=START, covering_rep_id="r1")

    assert rename_plan(plan, "Next year").name == "Next year"
    assert (
        rename_territory(plan, "T-r1", "West").territory("T-r1").display_name == "West"
    )
    copy = duplicate_plan(plan, "Scenario B")
    assert copy.name == "Scenario B" and copy.territories == plan.territories
    with pytest.raises(PlanEditError):
        duplicate_plan(plan, plan.name)


def test_plan_validation() -> None:
    with pytest.raises(ValueError, match="more than once"):
        _plan(
            Territory(territory_id="A", owner="r1"),
            Territory(territory_id="A", owner="r2"),
        )
    with pytest.raises(ValueError, match="listed twice"):
        Territory(territory_id="A", owner="r1", account_ids=("a1", "a1"))
    with pytest.raises(ValueError):
        Territory(territory_id="A", owner=" ")
    seat = Territory.model_validate(
        {
            "territory_id": "S",
            "owner": {"tbh": True, "start_date": "2026-03-01", "covering_rep_id": "r1"},
        }
    )
    assert isinstance(seat.owner, TbhSeat) and seat.tbh_start_date == dt.date(
        2026, 3, 1
    )
