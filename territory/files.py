"""Plan files: a plan as JSON (the whole plan) or CSV (just who owns which account).

JSON is the lossless format (owners, TBH seats, rules, locks); CSV
``account_id,territory_id`` is what a spreadsheet or a CRM mass-update wants, so it
carries membership only and borrows owners and names from a base plan on import.
Both loaders collect every problem they find and raise one :class:`PlanFileError`
that lists them as ``where: message`` lines, so a user fixes the file in one pass.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from crm.dataset import Dataset
from territory.plan import Plan, Territory, resolve


class PlanFileError(ValueError):
    """A plan file that cannot be used; ``problems`` lists each one as ``where: what``."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(
            f"{source}: invalid plan file ({len(problems)} problem"
            f"{'s' if len(problems) != 1 else ''}):\n"
            + "\n".join(f"- {p}" for p in problems)
        )


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("rep", "tbh"):  # discriminator tags add nothing for a reader
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(plan)"


def _validation_problems(error: ValidationError) -> list[str]:
    return [f"{_loc(e['loc'])}: {e['msg']}" for e in error.errors()]


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data (dates as ISO strings, owner a string or a seat)."""
    return plan.model_dump(mode="json")


def plan_from_dict(data: Any, *, source: str = "plan") -> Plan:
    """Validate plan data (parsed JSON); raise :class:`PlanFileError` on any problem."""
    if not isinstance(data, dict):
        raise PlanFileError(
            source, [f"(plan): expected a JSON object, got {type(data).__name__}"]
        )
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(source, _validation_problems(exc)) from None


def plan_to_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"


def plan_from_json(text: str, *, source: str = "plan") -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            source,
            [f"line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"],
        ) from None
    return plan_from_dict(data, source=source)


def save_plan(plan: Plan, path: str | Path) -> None:
    Path(path).write_text(plan_to_json(plan), encoding="utf-8")


def load_plan(path: str | Path) -> Plan:
    """Read a JSON plan file (UTF-8, a BOM allowed)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanFileError(
            str(p), [f"cannot read the file ({exc.strerror})"]
        ) from None
    except UnicodeDecodeError:
        raise PlanFileError(str(p), ["the file is not UTF-8 text"]) from None
    return plan_from_json(text, source=str(p))


def assignment_to_csv(plan: Plan, dataset: Dataset) -> str:
    """``account_id,territory_id`` for every account (empty territory when unassigned)."""
    frame = resolve(plan, dataset)
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def export_assignment_csv(plan: Plan, dataset: Dataset, path: str | Path) -> None:
    Path(path).write_text(assignment_to_csv(plan, dataset), encoding="utf-8")


def plan_from_assignment_csv(
    text: str,
    *,
    base: Plan | None = None,
    dataset: Dataset | None = None,
    name: str | None = None,
    start_date: dt.date | None = None,
    source: str = "assignment.csv",
) -> Plan:
    """Build a plan whose territories list exactly the accounts of the CSV.

    Owners and names come from ``base`` for territories it has (its locks are kept
    when the CSV keeps the account in the same territory). A territory the base
    lacks is owned by the rep whose ``rep_id`` (or ``T-<rep_id>``) equals its id, if
    ``dataset`` has that rep; otherwise it is a problem. An empty ``territory_id`` makes
    the account explicitly unassigned. Rules are not carried over: the CSV is the
    complete assignment.
    """
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [f.strip() for f in (reader.fieldnames or [])]
    missing = [c for c in ("account_id", "territory_id") if c not in fields]
    if missing:
        raise PlanFileError(source, [f"line 1: missing column(s) {missing}"])
    members: dict[str, list[str]] = {}
    unassigned: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        account, territory = row["account_id"], row["territory_id"]
        if not account:
            problems.append(f"line {line}: account_id: blank")
            continue
        if account in seen:
            problems.append(
                f"line {line}: account_id: {account!r} already listed on line {seen[account]}"
            )
            continue
        seen[account] = line
        if territory:
            members.setdefault(territory, []).append(account)
        else:
            unassigned.append(account)

    base_by_id = {t.territory_id: t for t in base.territories} if base else {}
    rep_ids = set(dataset.reps["rep_id"]) if dataset is not None else set()
    territories: list[Territory] = []
    order = list(base_by_id) + [t for t in members if t not in base_by_id]
    for tid in order:
        accounts = members.get(tid, [])
        if tid in base_by_id:
            old = base_by_id[tid]
            keep = set(accounts)
            locked = tuple(a for a in old.locked_account_ids if a in keep)
            territories.append(
                old.model_copy(
                    update={
                        "rules": (),
                        "locked_account_ids": locked,
                        "account_ids": tuple(
                            a for a in accounts if a not in set(locked)
                        ),
                    }
                )
            )
            continue
        rep = tid[2:] if tid.startswith("T-") and tid[2:] in rep_ids else tid
        if rep not in rep_ids:
            problems.append(
                f"territory_id: {tid!r} is not in the base plan and is not a rep id, "
                "so it has no owner"
            )
            continue
        territories.append(
            Territory(territory_id=tid, owner=rep, account_ids=tuple(accounts))
        )
    if problems:
        raise PlanFileError(source, problems)
    start = start_date or (base.start_date if base else None)
    if start is None:
        raise PlanFileError(source, ["start_date: give a start date or a base plan"])
    try:
        return Plan(
            name=name or (base.name if base else Path(source).stem),
            start_date=start,
            lock_months=base.lock_months if base else 12,
            territories=tuple(territories),
            unassigned_account_ids=tuple(unassigned),
        )
    except ValidationError as exc:
        raise PlanFileError(source, _validation_problems(exc)) from None


def import_assignment_csv(
    path: str | Path,
    *,
    base: Plan | None = None,
    dataset: Dataset | None = None,
    name: str | None = None,
    start_date: dt.date | None = None,
) -> Plan:
    """Read an ``account_id,territory_id`` CSV file; see :func:`plan_from_assignment_csv`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanFileError(
            str(p), [f"cannot read the file ({exc.strerror})"]
        ) from None
    return plan_from_assignment_csv(
        text,
        base=base,
        dataset=dataset,
        name=name,
        start_date=start_date,
        source=str(p),
    )
