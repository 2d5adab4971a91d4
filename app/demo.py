"""The demo workspace: seeded on first run with the generated sample, dated up to today."""

from __future__ import annotations

import logging
from datetime import date

from app.settings import Settings
from crm.store import Workspace

log = logging.getLogger(__name__)

DEMO_FORMAT = "sample"


def ensure_demo(workspace: Workspace, settings: Settings, today: date | None = None) -> int | None:
    """Seed (or refresh) the demo dataset; returns the new data version, or None if untouched.

    The demo is refreshed when the workspace still holds a demo generated on an earlier
    day, so the dashboards always have a live current month; imported data is never
    replaced.
    """
    from crm.sample import generate_sample

    today = today or date.today()
    if not settings.seed_demo:
        return None
    if not workspace.is_empty():
        last = workspace.imports(1)
        if not last or last[0]["format"] != DEMO_FORMAT:
            return None
        if last[0]["report"].get("as_of") == today.isoformat():
            return None
    dataset = generate_sample(seed=7, reps=settings.demo_reps, as_of=today)
    version = workspace.replace_dataset(
        dataset,
        source=f"demo sample (seed 7, {settings.demo_reps} reps)",
        fmt=DEMO_FORMAT,
        report={"as_of": today.isoformat(), "counts": dataset.counts()},
    )
    log.info("demo workspace seeded for %s (data version %s)", today, version)
    return version
