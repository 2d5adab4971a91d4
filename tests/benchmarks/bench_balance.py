"""Benchmark: balancing speed at 10,000 accounts, and greedy vs MILP plan quality.

Run: ``.venv/bin/python -m tests.benchmarks.bench_balance`` (not collected by pytest).
Prints seconds per call, the ratio to the 5 s target, and the coefficient of variation
of territory potential (lower is fairer) reached by each solver.
"""

from __future__ import annotations

import time

from territory.balance import DisruptionBudget, balance
from territory.plan import current_plan
from tests.territory.factory import AS_OF, make_dataset

TARGET_S = 5.0


def _timed(label: str, **kwargs) -> None:
    start = time.perf_counter()
    result = balance(kwargs.pop("dataset"), AS_OF, **kwargs)
    elapsed = time.perf_counter() - start
    print(
        f"{label:<44} {elapsed:6.2f} s  ratio to target {elapsed / TARGET_S:5.2f}  "
        f"gini {result.before['gini']:.3f} -> {result.after['gini']:.3f}  "
        f"moved {result.disruption['accounts_moved']:>5}  ({result.method})"
    )


def speed() -> None:
    ds = make_dataset(10_000, 50, seed=11, skew=2.0)
    plan = current_plan(ds)
    print("10,000 accounts, 50 territories")
    _timed("carve by account", dataset=ds, territories=50, by="account")
    _timed("carve by state", dataset=ds, territories=50, by="state")
    _timed("rebalance by account", dataset=ds, plan=plan, by="account")
    _timed("rebalance by state", dataset=ds, plan=plan, by="state")
    _timed(
        "rebalance by account, budget 500 accounts",
        dataset=ds,
        plan=plan,
        by="account",
        budget=DisruptionBudget(max_accounts=500),
    )


def quality() -> None:
    print("\ngreedy (LPT/ownership seed + local search) vs MILP (HiGHS), carving")
    print(f"{'instance':<34} {'greedy cv':>9} {'s':>6} {'milp cv':>9} {'s':>6}  limit")
    for n_acc, k, by, limit in (
        (300, 3, "state", 2.0),
        (300, 5, "state", 2.0),
        (1500, 8, "state", 2.0),
        (1500, 8, "state", 10.0),
        (1500, 6, "region", 2.0),
        (1500, 4, "industry", 2.0),
        (120, 4, "account", 2.0),
        (400, 8, "account", 5.0),
    ):
        ds = make_dataset(n_acc, 8, seed=5, skew=2.0)
        row = []
        for method in ("greedy", "milp"):
            start = time.perf_counter()
            r = balance(
                ds, AS_OF, territories=k, by=by, method=method, time_limit_s=limit
            )
            row += [r.after["cv"], time.perf_counter() - start]
        print(
            f"{f'{n_acc} accounts, {k} territories by {by}':<34} "
            f"{row[0]:9.4f} {row[1]:6.2f} {row[2]:9.4f} {row[3]:6.2f}  {limit:.0f} s"
        )


if __name__ == "__main__":
    speed()
    quality()
