"""Validation of live event batches (new or changed opportunities and activities).

Why the import rules: an opportunity posted to the events API and one imported from a
CSV end up in the same tables and feed the same dashboards, so they must pass the same
column rules. The differences are deliberate: a batch is small and comes from a
program, so anything the importer would quarantine (an unknown owner, a repeated id)
is an error here, reported per record as ``opportunities[3].amount: must be a number``
so the caller can fix and resend.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pydantic

from crm.dataset import coerce_frame
from crm.importers.problems import Collector, Problem
from crm.importers.validate import FILE, LINE, SourceTable, parse_table
from crm.schema import ACTIVITIES, OPPORTUNITIES, Kind, Table

MAX_RECORDS = 10_000


class EventBatchError(ValueError):
    """A refused batch; ``problems`` lists every problem found, one string each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the event batch: " + "; ".join(problems[:5])
        )
        self.problems = problems


@dataclass(frozen=True)
class EventBatch:
    """Validated rows in canonical dtypes, ready for ``Workspace.upsert_rows``."""

    opportunities: pd.DataFrame
    activities: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"opportunities": self.opportunities, "activities": self.activities}


class _Envelope(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    opportunities: list[Any] = []
    activities: list[Any] = []


def _where(problem: Problem) -> str:
    column = f".{problem.column}" if problem.column else ""
    return f"{problem.file}[{problem.line}]{column}: {problem.message}"


def _cell(kind: Kind, value: Any) -> tuple[str | None, str | None]:
    """JSON value → (text for the shared parsers, or a type problem)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        if kind == Kind.BOOL:
            return ("true" if value else "false"), None
        return None, "must not be a true/false value"
    if isinstance(value, int | float):
        if kind in (Kind.DECIMAL, Kind.INT, Kind.ID, Kind.BOOL):
            return (repr(value) if isinstance(value, float) else str(value)), None
        return None, "must be a string"
    if isinstance(value, str):
        return value, None
    return None, "must be a string or a number"


def _frame(
    spec: Table, records: list[dict[str, Any]], errors: list[str]
) -> pd.DataFrame:
    columns: dict[str, list[str | None]] = {c.name: [] for c in spec.columns}
    for i, record in enumerate(records):
        for col in spec.columns:
            text, problem = _cell(col.kind, record.get(col.name))
            if problem:
                errors.append(f"{spec.name}[{i}].{col.name}: {problem}")
            columns[col.name].append(None if text is None else text.strip() or None)
    return pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})


def validate_event_batch(
    payload: object, known_rep_ids: Set[str], *, max_records: int = MAX_RECORDS
) -> EventBatch:
    """Validate ``{"opportunities": [...], "activities": [...]}``; raise on any problem.

    Records use the canonical column names (contracts §1). ``known_rep_ids`` are the
    workspace's reps: every ``owner_id`` must be one of them. Raises
    ``EventBatchError`` carrying every problem found.
    """
    try:
        envelope = _Envelope.model_validate(payload)
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            where = str(loc[0]) + "".join(f"[{p}]" for p in loc[1:])
            problems.append(f"{where}: {err['msg']}")
        raise EventBatchError(problems) from None
    total = len(envelope.opportunities) + len(envelope.activities)
    if total > max_records:
        raise EventBatchError(
            [
                f"batch has {total:,} records; at most {max_records:,} are accepted per batch"
            ]
        )
    errors: list[str] = []
    warnings: list[str] = []
    out: dict[str, pd.DataFrame] = {}
    for spec, items in (
        (OPPORTUNITIES, envelope.opportunities),
        (ACTIVITIES, envelope.activities),
    ):
        records = []
        not_objects = set()
        for i, item in enumerate(items):
            if isinstance(item, dict):
                records.append(item)
            else:
                errors.append(f"{spec.name}[{i}]: must be an object")
                not_objects.add(i)
                records.append({})
        frame = _frame(spec, records, errors)
        collector = Collector()
        src = SourceTable(spec, spec.name, frame, np.arange(len(frame)))
        parsed = parse_table(src, collector)
        errors += [_where(p) for p in collector.errors if p.line not in not_objects]
        warnings += [str(n) for n in collector.warnings()]
        errors += _batch_rules(spec, parsed, known_rep_ids)
        if spec is OPPORTUNITIES and len(parsed):
            early = (parsed["close_date"] < parsed["created_date"]).to_numpy()
            if early.any():
                warnings.append(
                    f"{int(early.sum())} opportunities closed before they were created: "
                    "created_date set to close_date"
                )
                parsed["created_date"] = parsed["created_date"].where(
                    ~early, parsed["close_date"]
                )
            parsed["is_closed"] = parsed["is_closed"] | parsed["is_won"]
        out[spec.name] = parsed.drop(columns=[FILE, LINE])
    if errors:
        raise EventBatchError(errors)
    return EventBatch(
        coerce_frame(OPPORTUNITIES, out["opportunities"]),
        coerce_frame(ACTIVITIES, out["activities"]),
        warnings,
    )


def _batch_rules(
    spec: Table, parsed: pd.DataFrame, known_rep_ids: Set[str]
) -> list[str]:
    problems = []
    key = spec.key[0]
    ids = parsed[key]
    dup = (ids.notna() & ids.duplicated(keep="first")).to_numpy()
    first_of = {v: i for i, v in reversed(list(enumerate(ids))) if isinstance(v, str)}
    for i in np.flatnonzero(dup):
        problems.append(
            f"{spec.name}[{i}].{key}: repeats {spec.name}[{first_of[ids.iloc[i]]}]"
        )
    owners = parsed["owner_id"]
    unknown = (owners.notna() & ~owners.isin(list(known_rep_ids))).to_numpy()
    for i in np.flatnonzero(unknown):
        problems.append(f"{spec.name}[{i}].owner_id: unknown rep {owners.iloc[i]!r}")
    return problems
