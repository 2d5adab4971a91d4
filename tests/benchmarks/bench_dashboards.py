"""Speed of the four dashboard callbacks on a generated 500-rep workspace.

Run: ``.venv/bin/python -m tests.benchmarks.bench_dashboards [--reps N]``. Not collected
by pytest (``bench_*``). For each dashboard it prints, in milliseconds:

- ``warm``: the median of repeated callback calls with nothing changed (cache hit +
  rendering the components and figures), the case of the 2-second data-version poll;
- ``new view``: the median over several filter choices never asked before (metrics
  computed on the cached ``Prepared`` + rendering), the case of a user changing a filter;
- ``after change``: the first call after a write bumped the data version, split into
  reloading the dataset from the database, ``prepare`` and the dashboard itself.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from app import create_app
from app.settings import Settings
from callbacks import dashboards as cb
from crm.sample import generate_sample

AS_OF = date(2026, 6, 15)


def _ms(fn, repeat: int = 1) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), out


def callback(services, page: cb.DashboardPage, view: dict) -> list:
    """What the page's render callback does, minus Dash's own (de)serialisation."""
    return cb.render_outputs(page, cb.dashboard_json(services, page, view), view, "en", "light")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), cache_type="simple", seed_demo=False, api_token="bench")
        app = create_app(settings)
        services = app.services
        t_gen, ds = _ms(lambda: generate_sample(seed=1, reps=args.reps, as_of=AS_OF))
        print(f"workspace: {args.reps} reps, {ds.counts()} (generated in {t_gen / 1000:.1f} s)")
        t_store, _ = _ms(lambda: services.workspace.replace_dataset(ds, source="bench", fmt="sample"))
        print(f"stored in {t_store / 1000:.1f} s")

        teams = sorted(ds.reps["team"].unique())
        views = [cb.make_view(AS_OF)] + [cb.make_view(AS_OF, team=[tm]) for tm in teams[:5]]
        owner = ds.reps["rep_id"].iloc[0]
        print(f"{'dashboard':<22}{'warm':>10}{'new view':>12}{'load':>10}{'prepare':>10}{'first':>10}")
        for n, page in enumerate(cb.DASHBOARDS):
            deal = pd.DataFrame(
                [
                    {
                        "opportunity_id": f"BENCH-{n}",
                        "owner_id": owner,
                        "type": "New Business",
                        "stage": "Closed Won",
                        "amount": 10_000.0,
                        "created_date": AS_OF - timedelta(days=20),
                        "close_date": AS_OF,
                        "is_closed": True,
                        "is_won": True,
                    }
                ]
            )
            services.workspace.upsert_rows({"opportunities": deal})
            t_load, _ = _ms(services.dataset)
            t_prep, _ = _ms(lambda: cb.prepared(services))
            t_first, _ = _ms(lambda page=page: callback(services, page, views[0]))
            t_warm, _ = _ms(lambda page=page: callback(services, page, views[0]), repeat=15)
            fresh = [_ms(lambda page=page, v=v: callback(services, page, v))[0] for v in views[1:]]
            print(
                f"{page.name:<22}{t_warm:>10.1f}{statistics.median(fresh):>12.1f}"
                f"{t_load:>10.0f}{t_prep:>10.0f}{t_first:>10.1f}"
            )
        print("ms; 'first' = the dashboard call after load + prepare (the Prepared is shared by all four pages)")


if __name__ == "__main__":
    main()
