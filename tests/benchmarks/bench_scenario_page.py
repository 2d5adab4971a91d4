"""The Scenario page's interactive targets, measured on the callback path.

Run: ``python -m tests.benchmarks.bench_scenario_page`` (or the file). It times what
the page's background job does after Run, minus the browser: the baseline read from
the cache, the levers applied and validated, the variant's first block turned into a
figure (what ``set_progress`` pushes), and the whole run with its comparison and
summary. Targets on this 2-core machine: first bands < 1 s, 200 replications < 5 s.
The page adds its poll interval (``callbacks.scenario.POLL_MS``) and the job
process start on top.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from callbacks import scenario as cb  # noqa: E402
from layouts import scenario_figures as figs  # noqa: E402
from simulation.demo import demo_scenario  # noqa: E402


def measure(replications: int = 200, lever: dict | None = None) -> dict[str, float]:
    base = demo_scenario()
    shown = cb.baseline_values(base) | {"replications": replications, "seed": 0} | (lever or {})
    started = time.perf_counter()
    levers, errors = cb.validate_form(base, shown, None, [], "en")
    assert not errors, errors
    first: list[float] = []

    def progress(done: int, total: int, summary: dict) -> None:
        if not first:
            figs.band_figure(summary, "team", {}, "team", "en", "light")
            first.append(time.perf_counter() - started)

    summary = cb.simulate(base, levers, progress, cb.workers())
    total = time.perf_counter() - started
    for fig in (figs.band_figure(summary, "team", {}, "team", "en", "light"), figs.prob_figure(summary, {}, "en", "light")):
        assert fig["data"]
    return {"first_bands_s": first[0] if first else total, "total_s": total}


def main() -> None:
    print(f"40-rep demo scenario, {cb.workers()} workers")
    for label, lever in (("baseline only", None), ("a lever changed (variant + baseline, compared)", {"opportunity_conversion_multiplier": 1.2})):
        m = measure(200, lever)
        print(
            f"  {label}: first bands {m['first_bands_s']:.2f} s (target < 1 s, ratio {m['first_bands_s'] / 1.0:.2f}); "
            f"200 replications {m['total_s']:.2f} s (target < 5 s, ratio {m['total_s'] / 5.0:.2f})"
        )


if __name__ == "__main__":
    main()
