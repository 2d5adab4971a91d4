"""Import benchmark: ~500 reps and ~2 million activities, validated and stored in SQLite.

Run: ``.venv/bin/python tests/benchmarks/bench_import.py [--activities N] [--reps N]``.
Builds a canonical folder with NumPy (seeded), then imports it in a fresh process so
the peak memory (max RSS) measured is the import's, not the generator's. Prints the
timings and their ratio to the targets (60 s, 2 GiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TARGET_SECONDS = 60.0
TARGET_BYTES = 2 * 2**30


def build(out: Path, reps: int, activities: int, seed: int = 11) -> None:
    """Write reps, accounts, opportunities and activities CSVs to ``out``."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    out.mkdir(parents=True, exist_ok=True)
    rep_ids = np.char.add("R", np.arange(reps).astype(str))
    pd.DataFrame(
        {
            "rep_id": rep_ids,
            "rep_name": np.char.add("Rep ", np.arange(reps).astype(str)),
            "team": np.char.add("Team ", (np.arange(reps) // 8).astype(str)),
            "role": "AE",
            "hire_date": "2022-01-03",
            "annual_quota": 600000,
        }
    ).to_csv(out / "reps.csv", index=False)
    n_acc = reps * 40
    acc_ids = np.char.add("A", np.arange(n_acc).astype(str).astype("U8"))
    pd.DataFrame(
        {
            "account_id": acc_ids,
            "account_name": np.char.add("Company ", np.arange(n_acc).astype(str)),
            "industry": rng.choice(["Retail", "Software", "Finance"], n_acc),
            "employees": rng.integers(5, 5000, n_acc),
            "owner_id": rep_ids[rng.integers(0, reps, n_acc)],
        }
    ).to_csv(out / "accounts.csv", index=False)
    n_opp = reps * 200
    created = pd.Timestamp("2023-01-01") + pd.to_timedelta(
        rng.integers(0, 700, n_opp), "D"
    )
    closed = rng.random(n_opp) < 0.7
    opp_ids = np.char.add("O", np.arange(n_opp).astype(str))
    pd.DataFrame(
        {
            "opportunity_id": opp_ids,
            "account_id": acc_ids[rng.integers(0, n_acc, n_opp)],
            "owner_id": rep_ids[rng.integers(0, reps, n_opp)],
            "type": rng.choice(["New Business", "Add-On", "Renewal"], n_opp),
            "stage": np.where(closed, "Closed Won", "Discovery"),
            "amount": np.round(rng.lognormal(10, 1, n_opp), 2),
            "created_date": created.strftime("%Y-%m-%d"),
            "close_date": (
                created + pd.to_timedelta(rng.integers(1, 120, n_opp), "D")
            ).strftime("%Y-%m-%d"),
            "is_closed": closed,
            "is_won": closed & (rng.random(n_opp) < 0.3),
        }
    ).to_csv(out / "opportunities.csv", index=False)
    dates = pd.date_range("2023-01-01", periods=730).strftime("%Y-%m-%d").to_numpy()
    linked = rng.random(activities) < 0.3
    pd.DataFrame(
        {
            "activity_id": np.char.add("X", np.arange(activities).astype(str)),
            "owner_id": rep_ids[rng.integers(0, reps, activities)],
            "activity_type": rng.choice(
                ["Call", "Email", "Meeting", "Demo", "Other"], activities
            ),
            "activity_date": dates[rng.integers(0, len(dates), activities)],
            "account_id": acc_ids[rng.integers(0, n_acc, activities)],
            "opportunity_id": np.where(
                linked, opp_ids[rng.integers(0, n_opp, activities)], ""
            ),
            "subject": rng.choice(
                ["Intro call", "Follow-up", "Pricing", ""], activities
            ),
        }
    ).to_csv(out / "activities.csv", index=False)


def run(folder: Path) -> dict[str, float]:
    """Import and store ``folder``; timings and peak RSS of this process."""
    from crm.importers import import_directory, store_import
    from crm.store import Workspace

    t0 = time.perf_counter()
    result = import_directory(folder)
    t1 = time.perf_counter()
    if not result.ok:
        raise SystemExit(result.report_text())
    workspace = Workspace(f"sqlite:///{folder / 'bench.sqlite'}")
    store_import(workspace, result, source=str(folder))
    t2 = time.perf_counter()
    workspace.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {
        "import_s": t1 - t0,
        "store_s": t2 - t1,
        "total_s": t2 - t0,
        "peak_rss_bytes": float(peak),
        "activities": float(
            result.dataset.counts()["activities"] if result.dataset else 0
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--activities", type=int, default=2_000_000)
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        sys.stdout.write(json.dumps(run(args.run)) + "\n")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "canonical"
        t = time.perf_counter()
        build(folder, args.reps, args.activities)
        size = sum(p.stat().st_size for p in folder.glob("*.csv"))
        sys.stdout.write(
            f"built {args.reps} reps, {args.activities:,} activities "
            f"({size / 2**20:.0f} MiB of CSV) in {time.perf_counter() - t:.1f} s\n"
        )
        root = Path(__file__).resolve().parents[2]
        proc = subprocess.run(
            [sys.executable, __file__, "--run", str(folder)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(root)},
            cwd=root,
        )
        if proc.returncode:
            raise SystemExit(proc.stderr or proc.stdout)
        m = json.loads(proc.stdout.strip().splitlines()[-1])
    sys.stdout.write(
        f"import (validate) {m['import_s']:.1f} s, store (SQLite) {m['store_s']:.1f} s, "
        f"total {m['total_s']:.1f} s = {m['total_s'] / TARGET_SECONDS:.2f} x the 60 s target\n"
        f"peak RSS {m['peak_rss_bytes'] / 2**30:.2f} GiB = "
        f"{m['peak_rss_bytes'] / TARGET_BYTES:.2f} x the 2 GiB target\n"
    )


if __name__ == "__main__":
    main()
