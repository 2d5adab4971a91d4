"""A workspace summary for the Data and home pages (counts, roles, stages, date range)."""

from __future__ import annotations

from typing import Any

from crm.dataset import Dataset


def summarize(dataset: Dataset, version: int, quarantined: int = 0) -> dict[str, Any]:
    """JSON-able summary: counts per table, teams, reps by role, opportunities by stage × type."""
    start, end = dataset.date_range()
    opps = dataset.opportunities
    by_stage: list[dict[str, Any]] = []
    if len(opps):
        pivot = opps.pivot_table(index="stage", columns="type", values="opportunity_id", aggfunc="count", fill_value=0)
        order = opps.groupby("stage")["created_date"].count().sort_values(ascending=False).index
        for stage in order:
            row: dict[str, Any] = {"stage": str(stage)}
            row.update({str(c): int(pivot.loc[stage, c]) for c in pivot.columns})
            by_stage.append(row)
    return {
        "version": version,
        "counts": dataset.counts(),
        "teams": int(dataset.reps["team"].nunique()),
        "by_role": {str(k): int(v) for k, v in dataset.reps["role"].value_counts().items()},
        "by_stage": by_stage,
        "start": None if start is None else start.strftime("%Y-%m-%d"),
        "end": None if end is None else end.strftime("%Y-%m-%d"),
        "quarantined": quarantined,
    }
