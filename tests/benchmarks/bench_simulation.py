"""Speed of the SimPy model against a pure NumPy funnel, and the demo's latency.

Run: ``python -m tests.benchmarks.bench_simulation`` (or the file directly). Prints
the SimPy / NumPy ratio for 100 reps x 12 months x 100 replications with constraints
off (target: within 5x), the same with parameter uncertainty drawn (calibration-like
evidence, same target), then the 40-rep demo's time to first bands and to 200
replications on 2 workers (targets: < 1 s and < 5 s).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from simulation.demo import demo_scenario  # noqa: E402
from simulation.reference import numpy_funnel  # noqa: E402
from simulation.runner import run, run_iter  # noqa: E402


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    big = demo_scenario(n_reps=100, n_teams=10, constraints=False).model_copy(
        update={"ramp_months": 0.0}
    )
    t_simpy = _best(lambda: run(big, 100, seed=1, workers=1))
    t_numpy = _best(lambda: numpy_funnel(big, 100, seed=1))
    sim_mean = run(big, 100, seed=1).metric("closed_won_acv").sum(axis=1).mean()
    np_mean = numpy_funnel(big, 100, seed=1).sum(axis=1).mean()
    print("100 reps x 12 months x 100 replications, constraints off")
    print(f"  SimPy model  {t_simpy:6.3f} s   mean annual ACV {sim_mean:,.0f}")
    print(f"  NumPy funnel {t_numpy:6.3f} s   mean annual ACV {np_mean:,.0f}")
    print(f"  ratio SimPy / NumPy = {t_simpy / t_numpy:.2f}x (target <= 5x)")
    types = [
        t.model_copy(
            update={
                "win_rate_evidence_deals": 500.0,
                "size_log_mean_se": 0.03,
                "cycle_log_mean_se": 0.03,
            }
        )
        for t in big.deal_types
    ]
    unsure = big.model_copy(
        update={
            "deal_types": types,
            "activity_rate_evidence_count": 10_000.0,
            "opportunity_rate_evidence_count": 2_000.0,
        }
    )
    t_unsure = _best(lambda: run(unsure, 100, seed=1, workers=1))
    print(
        f"  with parameter uncertainty {t_unsure:6.3f} s: "
        f"ratio {t_unsure / t_numpy:.2f}x (target <= 5x)"
    )

    demo = demo_scenario(n_reps=40)
    t0 = time.perf_counter()
    first = None
    for res in run_iter(demo, 200, seed=3, workers=2):
        if first is None:
            res.bands()
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    res.bands()
    res.prob_quota()
    with_bands = time.perf_counter() - t0
    print("40-rep demo (constraints on), 2 workers")
    print(f"  first bands after {first:.3f} s (target < 1 s)")
    print(
        f"  200 replications in {total:.3f} s, with bands {with_bands:.3f} s (target < 5 s)"
    )


if __name__ == "__main__":
    main()
