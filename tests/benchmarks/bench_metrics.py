"""Benchmark of ``metrics``: prepare (cold) and each dashboard (warm) on a 500-rep
workspace (~200k opportunities, ~2M activities).

Run: ``.venv/bin/python tests/benchmarks/bench_metrics.py [--reps 500] [--repeat 7]``.
Targets: each dashboard < 300 ms warm; prepare + first dashboard < 2 s. The synthetic
workspace is drawn with NumPy directly (``crm.sample`` is used instead when present and
``--sample`` is given), so the figures do not depend on another package's generator.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from metrics.dashboards import (  # noqa: E402
    amp,
    clean_your_room,
    daily_pipe_gen,
    dashboards_json,
    deals,
    state_of_the_union,
)
from metrics.prepare import Filters, prepare  # noqa: E402
from tests.metrics.synthetic import synthetic_dataset  # noqa: E402


def _warm(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--sample", action="store_true", help="use crm.sample")
    args = parser.parse_args()
    as_of = date(2026, 6, 15)

    t0 = time.perf_counter()
    if args.sample:
        from crm.sample import generate_sample

        dataset = generate_sample(seed=7, reps=args.reps, as_of=as_of)
    else:
        dataset = synthetic_dataset(reps=args.reps, as_of=as_of)
    print(f"generate: {time.perf_counter() - t0:.2f} s  {dataset.counts()}")

    t0 = time.perf_counter()
    prep = prepare(dataset)
    t_prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    state_of_the_union(prep, as_of)
    t_first = time.perf_counter() - t0
    print(
        f"prepare (cold): {t_prep * 1000:.0f} ms; first dashboard {t_first * 1000:.0f} ms"
    )
    print(f"prepare + first dashboard: {t_prep + t_first:.2f} s (target < 2 s)")

    team = Filters(teams=(str(prep.teams[0]),))
    cases: dict[str, Callable[[], object]] = {
        "state_of_the_union": lambda: state_of_the_union(prep, as_of),
        "amp": lambda: amp(prep, as_of),
        "daily_pipe_gen": lambda: daily_pipe_gen(prep, as_of),
        "clean_your_room": lambda: clean_your_room(prep, as_of),
        "deals(open)": lambda: deals(prep, as_of, kind="open", limit=200),
        "state_of_the_union(team)": lambda: state_of_the_union(prep, as_of, team),
        "clean_your_room(team)": lambda: clean_your_room(prep, as_of, team),
        "dashboards_json (all four)": lambda: dashboards_json(prep, as_of),
    }
    for name, fn in cases.items():
        ms = _warm(fn, args.repeat)
        print(
            f"{name:28s} {ms:8.1f} ms warm (median of {args.repeat}); {ms / 300:.2f} of 300 ms"
        )


if __name__ == "__main__":
    main()
