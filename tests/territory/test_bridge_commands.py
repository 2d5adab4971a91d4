"""The simulation bridge and the CLI-ready commands, on synthetic and sample data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from territory.bridge import territory_inputs
from territory.commands import balance_command, compare_inputs, fairness_command
from territory.fairness import fairness_report
from territory.plan import add_tbh_seat, current_plan, resolve
from territory.potential import territory_potential
from tests.territory.factory import AS_OF, make_dataset

KEYS = {
    "territory_id",
    "owner_rep_id",
    "tbh_start_date",
    "covering_rep_id",
    "account_count",
    "potential_usd",
    "open_pipeline_usd",
    "account_ids",
}


@pytest.fixture(scope="module")
def ds():
    return make_dataset(400, 5)


def test_territory_inputs_shape_and_totals(ds) -> None:
    plan = add_tbh_seat(
        current_plan(ds, start_date=dt.date(2025, 7, 1)),
        "TBH-1",
        start_date=dt.date(2025, 9, 1),
        covering_rep_id="r01",
        account_ids=["A00000", "A00001"],
    )
    rows = territory_inputs(plan, ds, AS_OF)
    json.dumps(rows, allow_nan=False)
    assert [r["territory_id"] for r in rows] == list(plan.territory_ids)
    assert all(set(r) == KEYS for r in rows)
    seat = rows[-1]
    assert seat["owner_rep_id"] is None and seat["tbh_start_date"] == "2025-09-01"
    assert seat["covering_rep_id"] == "r01" and seat["account_ids"] == [
        "A00000",
        "A00001",
    ]
    assert rows[0]["owner_rep_id"] == "r00" and rows[0]["covering_rep_id"] is None
    assert sum(r["account_count"] for r in rows) == len(ds.accounts)
    assert all(r["account_count"] == len(r["account_ids"]) for r in rows)
    sums = territory_potential(plan, ds, AS_OF)
    assert [r["potential_usd"] for r in rows] == pytest.approx(
        list(sums["potential_usd"])
    )
    assigned = resolve(plan, ds).set_index("account_id")["territory_id"]
    assert all(assigned[a] == r["territory_id"] for r in rows for a in r["account_ids"])


def test_balance_and_fairness_commands(ds) -> None:
    plan = balance_command(ds, territories=5, by="account", as_of=AS_OF)
    assert len(plan.territories) == 5
    report = fairness_command(plan, ds, AS_OF)
    assert {"gini_potential", "max_min_ratio", "cv_potential", "territories"} <= set(
        report
    )
    json.dumps(report, allow_nan=False)
    current = fairness_command(current_plan(ds), ds, AS_OF)
    assert report["gini_potential"] < current["gini_potential"]
    with pytest.raises(ValueError, match="by must be"):
        balance_command(ds, territories=5, by="zip", as_of=AS_OF)


def test_compare_inputs_side_by_side(ds) -> None:
    base = current_plan(ds, start_date=dt.date(2025, 7, 1))
    balanced = balance_command(ds, territories=5, by="state", as_of=AS_OF)
    out = compare_inputs([base, balanced], ds, AS_OF)
    json.dumps(out, allow_nan=False)
    assert out["baseline"] == base.name
    assert [p["name"] for p in out["plans"]] == [base.name, balanced.name]
    assert out["plans"][0]["disruption"]["accounts_moved"] == 0
    assert out["plans"][1]["disruption"]["accounts_moved"] > 0
    assert (
        out["plans"][1]["fairness"]["gini_potential"]
        < out["plans"][0]["fairness"]["gini_potential"]
    )
    assert out["plans"][0]["fairness"]["gini_potential"] == pytest.approx(
        fairness_report(base, ds, AS_OF)["gini_potential"]
    )
    with pytest.raises(ValueError, match="2 to 4"):
        compare_inputs([base], ds, AS_OF)
    with pytest.raises(ValueError, match="distinct names"):
        compare_inputs([base, base], ds, AS_OF)


def test_on_the_generated_sample() -> None:
    sample = pytest.importorskip("crm.sample")
    as_of = dt.date(2025, 6, 30)
    data = sample.generate_sample(seed=3, reps=12, as_of=as_of)
    plan = current_plan(data)
    before = fairness_command(plan, data, as_of)
    n_aes = int((data.reps["role"] == "AE").sum())
    carved = balance_command(data, territories=n_aes + 1, by="state", as_of=as_of)
    assert sum(t.is_tbh for t in carved.territories) >= 1
    after = fairness_command(carved, data, as_of)
    assert after["unassigned_accounts"] == 0
    assert after["cv_potential"] <= before["cv_potential"] + 0.05
    rows = territory_inputs(carved, data, as_of)
    assert sum(r["account_count"] for r in rows) == len(data.accounts)
