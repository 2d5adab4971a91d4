"""Monte Carlo runner: replications in seeded blocks, bands per scope, progressive results.

Reproducibility: replications are simulated in fixed blocks (``FIRST_BLOCK``, then
``REPLICATIONS_PER_BLOCK`` each; the model draws a whole block's random numbers as
arrays, which is what makes SimPy fast here). Block ``i`` is seeded by the ``i``-th child of
``SeedSequence(seed).spawn(...)``, whose identity depends only on ``i``; the number of
workers and the progress chunk only decide *where* and *when* blocks run, never their
random numbers, so a seed gives identical results whatever the parallelism.

Common random numbers: two scenarios run with the same seed use the same block seeds
and the same named streams (activities, meetings, opportunities, deal attributes,
attrition, open deals), so a difference between them comes from the plan, not the
noise (see docs/simulation.md for how far this goes).

Bands are computed per scope from that scope's own per-replication totals, so a
team's P50 is the median of team totals, not the sum of its reps' medians.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from simulation.model import (
    BASE_METRICS,
    LEDGER,
    BlockResult,
    Compiled,
    compile_scenario,
    simulate_block,
)
from simulation.scenario import Scenario

REPLICATIONS_PER_BLOCK = 25
FIRST_BLOCK = 10
DERIVED_METRICS = ("attainment", "cum_closed_won_acv", "cum_quota", "cum_attainment")
BAND_COLUMNS = ["month", "scope", "metric", "p10", "p50", "p90", "mean"]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _quantiles(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """P10, P50, P90 and mean over axis 0, ignoring NaN (attainment without quota)."""
    if not np.isnan(values).any():
        p10, p50, p90 = np.percentile(values, [10, 50, 90], axis=0)
        return p10, p50, p90, values.mean(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        p10, p50, p90 = np.nanpercentile(values, [10, 50, 90], axis=0)
        return p10, p50, p90, np.nanmean(values, axis=0)


@dataclass(frozen=True)
class SimResults:
    """Per-replication monthly totals for every scope, and the summaries built on them.

    ``values`` has shape (replications, months, scopes, metrics). ``ledger`` has one
    row per replication with the opportunity accounting (``LEDGER`` columns):
    initial open + created = won + lost + open at the end.
    """

    scenario_name: str
    months: tuple[str, ...]
    scopes: tuple[str, ...]
    metrics: tuple[str, ...]
    values: np.ndarray
    ledger: np.ndarray
    seed: int
    requested: int = 0

    @property
    def replications(self) -> int:
        return int(self.values.shape[0])

    @property
    def complete(self) -> bool:
        """False for the partial results yielded while a run is still going."""
        return self.replications >= self.requested

    def metric(self, name: str, scope: str = "team") -> np.ndarray:
        """One metric of one scope: an array (replications, months)."""
        return self.values[:, :, self.scopes.index(scope), self.metrics.index(name)]

    @cached_property
    def tidy(self) -> pd.DataFrame:
        """Long table: replication, month, scope, metric, value (one row per number)."""
        r, m, k, q = self.values.shape
        idx = np.indices((r, m, k, q)).reshape(4, -1)
        return pd.DataFrame(
            {
                "replication": idx[0],
                "month": pd.Categorical.from_codes(
                    idx[1], categories=list(self.months)
                ),
                "scope": pd.Categorical.from_codes(
                    idx[2], categories=list(self.scopes)
                ),
                "metric": pd.Categorical.from_codes(
                    idx[3], categories=list(self.metrics)
                ),
                "value": self.values.reshape(-1),
            }
        )

    def ledger_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.ledger, columns=list(LEDGER))

    def bands(
        self, metrics: list[str] | None = None, scopes: list[str] | None = None
    ) -> pd.DataFrame:
        """P10/P50/P90 and mean per month, scope and metric, from per-scope totals."""
        qs = [self.metrics.index(x) for x in (metrics or self.metrics)]
        ks = [self.scopes.index(x) for x in (scopes or self.scopes)]
        cube = self.values[:, :, ks][:, :, :, qs]
        p10, p50, p90, mean = _quantiles(cube)
        m, k, q = p50.shape
        idx = np.indices((m, k, q)).reshape(3, -1)
        return pd.DataFrame(
            {
                "month": np.asarray(self.months, dtype=object)[idx[0]],
                "scope": np.asarray(self.scopes, dtype=object)[np.asarray(ks)[idx[1]]],
                "metric": np.asarray(self.metrics, dtype=object)[
                    np.asarray(qs)[idx[2]]
                ],
                "p10": p10.reshape(-1),
                "p50": p50.reshape(-1),
                "p90": p90.reshape(-1),
                "mean": mean.reshape(-1),
            }
        ).astype({"month": "str", "scope": "str", "metric": "str"})

    def annual_attainment(self) -> np.ndarray:
        """Horizon attainment per replication and scope: sum(won) / sum(quota)."""
        won = self.values[:, :, :, self.metrics.index("closed_won_acv")].sum(axis=1)
        quota = self.values[:, :, :, self.metrics.index("quota")].sum(axis=1)
        return _ratio(won, quota)

    def prob_quota(self) -> pd.DataFrame:
        """Each scope's chance of hitting its quota over the horizon, and its spread."""
        att = self.annual_attainment()
        p10, p50, p90, mean = _quantiles(att)
        valid = np.isfinite(att)
        with np.errstate(invalid="ignore", divide="ignore"):
            hit = np.where(
                valid.any(axis=0),
                (np.nan_to_num(att, nan=-1.0) >= 1.0).sum(axis=0) / valid.sum(axis=0),
                np.nan,
            )
        return pd.DataFrame(
            {
                "scope": list(self.scopes),
                "p_hit_annual_quota": hit,
                "attainment_p10": p10,
                "attainment_p50": p50,
                "attainment_p90": p90,
                "attainment_mean": mean,
            }
        ).astype({"scope": "str"})


def _block_cube(c: Compiled, r: BlockResult) -> np.ndarray:
    """Scopes in order: team, every rep slot, every territory; base metrics."""
    team = r.terr.sum(axis=2, keepdims=True)
    for name in ("quota", "headcount"):
        q = BASE_METRICS.index(name)
        team[:, :, 0, q] = r.rep[:, :, :, q].sum(axis=2)
    return np.concatenate([team, r.rep, r.terr], axis=2)


def _assemble(
    c: Compiled,
    cubes: list[np.ndarray],
    ledgers: list[np.ndarray],
    seed: int,
    requested: int,
) -> SimResults:
    cube = np.concatenate(cubes, axis=0)
    ledger = np.concatenate(ledgers, axis=0)
    n_slots = len(c.slot_ids)
    scopes = (
        ["team"]
        + [f"rep:{x}" for x in c.slot_ids]
        + [f"territory:{x}" for x in c.terr_ids]
    )
    keep = np.ones(len(scopes), dtype=bool)
    head = cube[:, :, 1 : 1 + n_slots, BASE_METRICS.index("headcount")].sum(axis=(0, 1))
    for i, kind in enumerate(c.slot_kind):
        if kind == "backfill" and head[i] == 0:
            keep[1 + i] = False
    for i, tid in enumerate(c.terr_ids):
        if tid.startswith("orphan:"):
            keep[1 + n_slots + i] = False
    cube = cube[:, :, keep]
    scopes = [s for s, k in zip(scopes, keep, strict=True) if k]
    won = cube[..., BASE_METRICS.index("closed_won_acv")]
    quota = cube[..., BASE_METRICS.index("quota")]
    cum_won = np.cumsum(won, axis=1)
    cum_quota = np.cumsum(quota, axis=1)
    derived = np.stack(
        [_ratio(won, quota), cum_won, cum_quota, _ratio(cum_won, cum_quota)], axis=-1
    )
    full = np.concatenate([cube, derived], axis=-1)
    metrics = list(BASE_METRICS + DERIVED_METRICS)
    if c.scenario.funnel == "opportunities":
        drop = [metrics.index("activities"), metrics.index("meetings")]
        full = np.delete(full, drop, axis=-1)
        metrics = [m for i, m in enumerate(metrics) if i not in drop]
    return SimResults(
        scenario_name=c.scenario.name,
        months=c.month_labels,
        scopes=tuple(scopes),
        metrics=tuple(metrics),
        values=full,
        ledger=ledger,
        seed=seed,
        requested=requested,
    )


def _run_block(
    c: Compiled, seed: np.random.SeedSequence, n: int
) -> tuple[np.ndarray, np.ndarray]:
    r = simulate_block(c, seed, n)
    return _block_cube(c, r), r.ledger


def _blocks(replications: int, seed: int) -> list[tuple[np.random.SeedSequence, int]]:
    """The fixed block plan: a small first block (fast first bands), then full blocks.

    It depends on the number of replications only, never on workers or chunk.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    sizes = [min(FIRST_BLOCK, replications)]
    left = replications - sizes[0]
    while left > 0:
        sizes.append(min(REPLICATIONS_PER_BLOCK, left))
        left -= sizes[-1]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    return list(zip(seeds, sizes, strict=True))


def _forget_inherited_fork_server() -> None:
    """After a fork, drop the parent's fork-server handle (and its possibly held lock).

    A background job is a fork of the web server; if the server had started a fork
    server, the child inherits a handle to it that it cannot wait on, and a lock that
    another thread may have held at the fork. Forgetting it lets the child start its
    own fork server on its first parallel run instead of hanging.
    """
    from multiprocessing import forkserver

    server = forkserver._forkserver  # the module's singleton; no public reset exists
    if server._forkserver_alive_fd is not None:
        with contextlib.suppress(OSError):
            os.close(server._forkserver_alive_fd)
    server._lock = threading.Lock()
    server._forkserver_pid = None
    server._forkserver_address = None
    server._forkserver_alive_fd = None


os.register_at_fork(after_in_child=_forget_inherited_fork_server)


def run_iter(
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int = 1,
    chunk: int | None = None,
) -> Iterator[SimResults]:
    """Yield progressively larger results, one after each chunk of replications.

    The first item comes after the small first block (for a UI's first bands), then
    one roughly every ``chunk`` replications (rounded to whole blocks; default one
    block). The last item holds all ``replications``.
    """
    c = compile_scenario(scenario)
    plan = _blocks(replications, seed)
    step = chunk or REPLICATIONS_PER_BLOCK
    done = np.cumsum([n for _, n in plan])
    marks = {
        int(np.searchsorted(done, k, side="left"))
        for k in range(step, replications, step)
    }
    marks |= {0, len(plan) - 1}
    cubes: list[np.ndarray] = []
    ledgers: list[np.ndarray] = []

    def ready(i: int) -> bool:
        return i in marks

    if workers <= 1 or len(plan) == 1:
        for i, (ss, n) in enumerate(plan):
            cube, ledger = _run_block(c, ss, n)
            cubes.append(cube)
            ledgers.append(ledger)
            if ready(i):
                yield _assemble(c, cubes, ledgers, seed, replications)
        return
    # forkserver, not fork: the app is a threaded web server (and pytest runs threads);
    # forking a process that has threads can copy a held lock into a worker, which
    # then never starts. The fork server is single-threaded and reused across runs.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["simulation.runner"])  # workers start with the model loaded
    pool = ProcessPoolExecutor(max_workers=min(workers, len(plan) - 1), mp_context=context)
    try:
        # Starting the pool (the fork server's first start costs seconds) happens on a
        # helper thread while this one runs the small first block, so the first bands
        # never wait for worker processes.
        with ThreadPoolExecutor(max_workers=1) as starter:
            submitted = starter.submit(lambda: [pool.submit(_run_block, c, ss, n) for ss, n in plan[1:]])
            cube, ledger = _run_block(c, *plan[0])
            cubes.append(cube)
            ledgers.append(ledger)
            yield _assemble(c, cubes, ledgers, seed, replications)
            futures = submitted.result()
        for i, fut in enumerate(futures, start=1):
            cube, ledger = fut.result()
            cubes.append(cube)
            ledgers.append(ledger)
            if ready(i):
                yield _assemble(c, cubes, ledgers, seed, replications)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run(
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int = 1,
    chunk: int | None = None,
    on_progress: Callable[[SimResults], None] | None = None,
) -> SimResults:
    """Run ``replications`` of the scenario; ``on_progress`` sees each partial result."""
    last: SimResults | None = None
    for res in run_iter(scenario, replications, seed, workers=workers, chunk=chunk):
        last = res
        if on_progress is not None:
            on_progress(res)
    if last is None:
        raise RuntimeError("the run produced no results")
    return last


@dataclass(frozen=True)
class Comparison:
    """Two scenarios run on common random numbers, and their per-replication deltas."""

    baseline: SimResults
    variant: SimResults
    delta: SimResults

    def delta_bands(
        self, metrics: list[str] | None = None, scopes: list[str] | None = None
    ) -> pd.DataFrame:
        """Bands of (variant - baseline), replication by replication."""
        return self.delta.bands(metrics=metrics, scopes=scopes)


def compare(
    baseline: Scenario,
    variant: Scenario,
    replications: int,
    seed: int,
    workers: int = 1,
) -> Comparison:
    """Run both scenarios with the same seed; deltas on the scopes they share."""
    a = run(baseline, replications, seed, workers=workers)
    b = run(variant, replications, seed, workers=workers)
    return compare_results(a, b)


def compare_results(a: SimResults, b: SimResults) -> Comparison:
    """The comparison of two finished runs made with the same seed and replications.

    Why separate from :func:`compare`: a UI runs the variant progressively (partial
    bands on screen early) and the baseline once, then pairs them here without
    simulating either again.
    """
    if a.seed != b.seed or a.replications != b.replications:
        raise ValueError("baseline and variant must use the same seed and replications")
    if a.months != b.months:
        raise ValueError("baseline and variant must cover the same months")
    scopes = [s for s in a.scopes if s in set(b.scopes)]
    metrics = [m for m in a.metrics if m in set(b.metrics)]
    ia = np.ix_(
        range(a.replications),
        range(len(a.months)),
        [a.scopes.index(s) for s in scopes],
        [a.metrics.index(m) for m in metrics],
    )
    ib = np.ix_(
        range(b.replications),
        range(len(b.months)),
        [b.scopes.index(s) for s in scopes],
        [b.metrics.index(m) for m in metrics],
    )
    delta = SimResults(
        scenario_name=f"{b.scenario_name} - {a.scenario_name}",
        months=a.months,
        scopes=tuple(scopes),
        metrics=tuple(metrics),
        values=b.values[ib] - a.values[ia],
        ledger=b.ledger - a.ledger,
        seed=a.seed,
        requested=a.replications,
    )
    return Comparison(baseline=a, variant=b, delta=delta)
