"""Benchmark of ``crm.sample`` and ``crm.export``: time, peak memory and sizes.

Run: ``.venv/bin/python tests/benchmarks/bench_sample.py [--reps 40 500] [--export]``.
Targets (the task brief): 40 reps < 3 s; 500 reps well under a minute and < 2 GiB.
Prints one line per size with the ratio of the time to its target.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from crm.export import write_canonical  # noqa: E402
from crm.sample import generate_sample  # noqa: E402

TARGET_S = {40: 3.0, 500: 60.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, nargs="+", default=[40, 500])
    parser.add_argument("--export", action="store_true", help="also time write_canonical")
    args = parser.parse_args()
    as_of = date(2025, 6, 18)
    for reps in args.reps:
        t0 = time.perf_counter()
        ds = generate_sample(seed=7, reps=reps, as_of=as_of)
        took = time.perf_counter() - t0
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        target = TARGET_S.get(reps, 60.0)
        counts = ", ".join(f"{k}={v:,}" for k, v in ds.counts().items())
        print(
            f"reps={reps}: {took:.2f} s ({took / target:.2f} of the {target:.0f} s target), "
            f"peak RSS so far {peak_mib:,.0f} MiB; {counts}"
        )
        if args.export:
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                paths = write_canonical(ds, Path(tmp))
                size = sum(p.stat().st_size for p in paths) / 2**20
                print(f"  write_canonical: {time.perf_counter() - t0:.2f} s, {size:,.0f} MiB")


if __name__ == "__main__":
    main()
