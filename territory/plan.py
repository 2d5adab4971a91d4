"""Territory plans: who owns which accounts for the plan year, and how that is resolved.

A plan is carved once at the start of the year (including seats for reps not hired
yet) and then locked for ``lock_months`` (domain, Unit 1), so it is a plain immutable
value: every edit is a pure function that returns a new plan, which makes "what if"
copies, undo and side-by-side comparison free.

Accounts reach a territory either by an explicit list or by rules (region, country,
state, industry, size). Resolution order, so that every account ends up in exactly
one territory or explicitly unassigned:

1. locked accounts, then explicit account lists, in territory order (first listing
   wins; a second listing is reported as a conflict);
2. the plan's explicit ``unassigned_account_ids`` (they are kept out of every rule);
3. rules, in territory order and rule order: the first matching rule wins (accounts
   matched by rules of several territories are reported as overlaps);
4. whatever is left is reported as unmatched (and is unassigned).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from crm.dataset import Dataset

# Named size segments by employee count: (name, lower bound inclusive, upper exclusive).
# A tuple, not a dict, so nothing at module level can be mutated.
SIZE_SEGMENTS: tuple[tuple[str, int, int | None], ...] = (
    ("SMB", 0, 100),
    ("Mid-Market", 100, 1000),
    ("Enterprise", 1000, None),
)
SEGMENT_NAMES: tuple[str, ...] = tuple(s[0] for s in SIZE_SEGMENTS)

_RULE_TEXT_FIELDS = ("region", "country", "state", "industry")


class PlanEditError(ValueError):
    """An edit that would break the plan (unknown territory, moving a locked account)."""


def size_segment(employees: pd.Series) -> pd.Series:
    """The named size segment of each account (NaN where employees are unknown)."""
    emp = pd.to_numeric(employees, errors="coerce").astype("float64")
    out = pd.Series(np.nan, index=employees.index, dtype="object")
    for name, lo, hi in SIZE_SEGMENTS:
        mask = emp >= lo
        if hi is not None:
            mask &= emp < hi
        out[mask.fillna(False).to_numpy(bool)] = name
    return out.astype("str")


class _Frozen(BaseModel):
    # extra="forbid": a typo in a plan file ("ownr") is an error, not a silent default.
    model_config = ConfigDict(frozen=True, extra="forbid")


class AccountRule(_Frozen):
    """Accounts matching every given criterion; within one criterion, any listed value.

    Text criteria compare case-insensitively, ignoring surrounding spaces. Bounds are
    ``min <= value < max``. An account with an unknown value never matches a criterion
    on that value. A rule with no criteria matches every account (a catch-all).
    """

    region: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    min_employees: int | None = Field(default=None, ge=0)
    max_employees: int | None = Field(default=None, ge=0)
    min_revenue_usd: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    max_revenue_usd: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @field_validator("segment")
    @classmethod
    def _known_segments(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in SEGMENT_NAMES]
        if unknown:
            raise ValueError(
                f"unknown size segment(s) {unknown}; use one of {list(SEGMENT_NAMES)}"
            )
        return value

    @model_validator(mode="after")
    def _bounds_ordered(self) -> AccountRule:
        for lo, hi in (
            (self.min_employees, self.max_employees),
            (self.min_revenue_usd, self.max_revenue_usd),
        ):
            if lo is not None and hi is not None and lo >= hi:
                raise ValueError(f"minimum {lo} must be below maximum {hi}")
        return self

    def mask(self, accounts: pd.DataFrame) -> np.ndarray:
        """Boolean array: which rows of the canonical accounts table match."""
        m = np.ones(len(accounts), dtype=bool)
        for name in _RULE_TEXT_FIELDS:
            wanted = getattr(self, name)
            if wanted:
                values = accounts[name].str.strip().str.casefold()
                keys = [w.strip().casefold() for w in wanted]
                m &= values.isin(keys).to_numpy(bool)
        if self.segment:
            m &= size_segment(accounts["employees"]).isin(self.segment).to_numpy(bool)
        for col, lo, hi in (
            ("employees", self.min_employees, self.max_employees),
            ("annual_revenue", self.min_revenue_usd, self.max_revenue_usd),
        ):
            if lo is None and hi is None:
                continue
            v = pd.to_numeric(accounts[col], errors="coerce").astype("float64")
            v = v.to_numpy(dtype="float64", na_value=np.nan)
            ok = ~np.isnan(v)
            if lo is not None:
                ok &= v >= lo
            if hi is not None:
                ok &= v < hi
            m &= ok
        return m


class TbhSeat(_Frozen):
    """A seat for a rep to be hired: planned start date and who covers it until then."""

    tbh: Literal[True] = True
    start_date: dt.date
    covering_rep_id: str = Field(min_length=1)


def _owner_kind(value: Any) -> str:
    if isinstance(value, dict | TbhSeat):
        return "tbh"
    return "rep"


Owner = Annotated[
    Annotated[str, Tag("rep")] | Annotated[TbhSeat, Tag("tbh")],
    Discriminator(_owner_kind),
]


class Territory(_Frozen):
    """One territory: its owner (a rep id or a TBH seat) and how its accounts are chosen.

    ``locked_account_ids`` are members too (they need not be repeated in
    ``account_ids``); the balancer never moves them and edits refuse to.
    """

    territory_id: str = Field(min_length=1)
    name: str = ""
    owner: Owner
    rules: tuple[AccountRule, ...] = ()
    account_ids: tuple[str, ...] = ()
    locked_account_ids: tuple[str, ...] = ()

    @field_validator("territory_id")
    @classmethod
    def _strip_id(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("territory_id must not be blank")
        return value

    @field_validator("owner")
    @classmethod
    def _owner_not_blank(cls, value: str | TbhSeat) -> str | TbhSeat:
        if isinstance(value, str) and not value.strip():
            raise ValueError("owner must be a rep id or a TBH seat, not blank")
        return value.strip() if isinstance(value, str) else value

    @field_validator("account_ids", "locked_account_ids")
    @classmethod
    def _no_duplicates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        dup = sorted({a for a in value if a in seen or seen.add(a)})
        if dup:
            raise ValueError(f"account ids listed twice: {dup[:5]}")
        return value

    @property
    def is_tbh(self) -> bool:
        return isinstance(self.owner, TbhSeat)

    @property
    def owner_rep_id(self) -> str | None:
        """The owning rep, or None for a seat not filled yet."""
        return None if isinstance(self.owner, TbhSeat) else self.owner

    @property
    def covering_rep_id(self) -> str | None:
        return self.owner.covering_rep_id if isinstance(self.owner, TbhSeat) else None

    @property
    def tbh_start_date(self) -> dt.date | None:
        return self.owner.start_date if isinstance(self.owner, TbhSeat) else None

    @property
    def display_name(self) -> str:
        return self.name or self.territory_id

    def members(self) -> tuple[str, ...]:
        """Explicit members: locked accounts first, then the account list."""
        locked = set(self.locked_account_ids)
        return self.locked_account_ids + tuple(
            a for a in self.account_ids if a not in locked
        )


class Plan(_Frozen):
    """A territory plan for one plan year."""

    name: str = Field(min_length=1)
    start_date: dt.date
    lock_months: int = Field(default=12, ge=0, le=60)
    territories: tuple[Territory, ...] = ()
    unassigned_account_ids: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _unique_territories(self) -> Plan:
        ids = [t.territory_id for t in self.territories]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"territory ids used more than once: {dup}")
        return self

    @property
    def lock_until(self) -> dt.date:
        """First day the plan may change again (start date + lock months)."""
        return (
            pd.Timestamp(self.start_date) + pd.DateOffset(months=self.lock_months)
        ).date()

    @property
    def territory_ids(self) -> tuple[str, ...]:
        return tuple(t.territory_id for t in self.territories)

    def territory(self, territory_id: str) -> Territory:
        for t in self.territories:
            if t.territory_id == territory_id:
                return t
        raise KeyError(territory_id)

    def locked_accounts(self) -> dict[str, str]:
        """account_id -> territory_id of every locked account (first lock wins)."""
        out: dict[str, str] = {}
        for t in self.territories:
            for a in t.locked_account_ids:
                out.setdefault(a, t.territory_id)
        return out


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving a plan against the accounts of a dataset.

    ``assignment`` has one row per account: ``account_id``, ``territory_id`` (NaN when
    unassigned) and ``source`` (``locked``, ``explicit``, ``rule``, ``unassigned`` for
    the plan's explicit list, ``unmatched`` when nothing claimed it). ``conflicts`` has
    ``account_id``, ``kind`` (``listed_twice``, ``listed_and_unassigned``,
    ``rule_overlap``), ``territory_ids`` (comma-joined, in plan order) and ``winner``.
    """

    assignment: pd.DataFrame
    conflicts: pd.DataFrame
    unmatched_account_ids: tuple[str, ...]
    unknown_account_ids: tuple[str, ...]

    @property
    def unassigned_account_ids(self) -> tuple[str, ...]:
        a = self.assignment
        return tuple(a.loc[a["territory_id"].isna(), "account_id"])


def resolve_report(plan: Plan, dataset: Dataset) -> Resolution:
    """Resolve every account of ``dataset`` to one territory (see module docstring)."""
    accounts = dataset.accounts
    ids = accounts["account_id"]
    n = len(accounts)
    index = pd.Index(ids)
    terr = np.full(n, -1, dtype=np.int64)
    source = np.full(n, "unmatched", dtype=object)
    conflicts: list[pd.DataFrame] = []
    tids = np.array(plan.territory_ids, dtype=object)

    # 1. locked + explicit lists, locked first so a lock beats a plain listing elsewhere.
    rows = []
    for k, t in enumerate(plan.territories):
        locked = set(t.locked_account_ids)
        rows.extend((a, k, a in locked) for a in t.members())
    listed = pd.DataFrame(rows, columns=["account_id", "k", "locked"])
    listed["pos"] = index.get_indexer(listed["account_id"]) if len(listed) else []
    unknown = set(listed.loc[listed["pos"] < 0, "account_id"])
    listed = listed[listed["pos"] >= 0].sort_values(
        ["locked", "k"], ascending=[False, True], kind="stable"
    )
    if len(listed):
        first = listed.drop_duplicates("pos")
        terr[first["pos"].to_numpy()] = first["k"].to_numpy()
        source[first["pos"].to_numpy()] = np.where(
            first["locked"], "locked", "explicit"
        )
        twice = listed[listed.duplicated("pos", keep=False)]
        if len(twice):
            conflicts.append(_conflict_frame(twice, tids, "listed_twice"))

    # 2. explicitly unassigned.
    un_pos = index.get_indexer(list(plan.unassigned_account_ids))
    unknown |= {
        a for a, p in zip(plan.unassigned_account_ids, un_pos, strict=True) if p < 0
    }
    un_pos = un_pos[un_pos >= 0]
    clash = un_pos[terr[un_pos] >= 0]
    if len(clash):
        conflicts.append(
            pd.DataFrame(
                {
                    "account_id": ids.to_numpy()[clash],
                    "kind": "listed_and_unassigned",
                    "territory_ids": tids[terr[clash]],
                    "winner": tids[terr[clash]],
                }
            )
        )
    free_un = un_pos[terr[un_pos] < 0]
    source[free_un] = "unassigned"

    # 3. rules, in territory and rule order.
    eligible = (terr < 0) & (source != "unassigned")
    with_rules = [k for k, t in enumerate(plan.territories) if t.rules]
    if with_rules and eligible.any():
        sub = accounts[eligible]
        matched = np.zeros((len(with_rules), len(sub)), dtype=bool)
        for row, k in enumerate(with_rules):
            for rule in plan.territories[k].rules:
                matched[row] |= rule.mask(sub)
        any_match = matched.any(axis=0)
        first_row = matched.argmax(axis=0)
        pos = np.flatnonzero(eligible)
        hit = pos[any_match]
        winners = np.array(with_rules, dtype=np.int64)[first_row[any_match]]
        terr[hit] = winners
        source[hit] = "rule"
        overlap = matched.sum(axis=0) > 1
        if overlap.any():
            ks = np.array(with_rules, dtype=np.int64)
            names = [",".join(tids[ks[matched[:, j]]]) for j in np.flatnonzero(overlap)]
            conflicts.append(
                pd.DataFrame(
                    {
                        "account_id": ids.to_numpy()[pos[overlap]],
                        "kind": "rule_overlap",
                        "territory_ids": names,
                        "winner": tids[terr[pos[overlap]]],
                    }
                )
            )

    tid_values = np.full(n, None, dtype=object)
    tid_values[terr >= 0] = tids[terr[terr >= 0]]
    assignment = pd.DataFrame(
        {
            "account_id": ids.reset_index(drop=True),
            "territory_id": pd.Series(tid_values, dtype="str"),
            "source": pd.Series(source, dtype="str"),
        }
    )
    conflict_frame = (
        pd.concat(conflicts, ignore_index=True)
        if conflicts
        else pd.DataFrame(
            {
                c: pd.Series(dtype="str")
                for c in ("account_id", "kind", "territory_ids", "winner")
            }
        )
    )
    return Resolution(
        assignment=assignment,
        conflicts=conflict_frame.astype("str"),
        unmatched_account_ids=tuple(
            assignment.loc[source == "unmatched", "account_id"]
        ),
        unknown_account_ids=tuple(sorted(unknown)),
    )


def _conflict_frame(twice: pd.DataFrame, tids: np.ndarray, kind: str) -> pd.DataFrame:
    grouped = twice.groupby("account_id", sort=True)["k"]
    return pd.DataFrame(
        {
            "account_id": grouped.first().index,
            "kind": kind,
            "territory_ids": [",".join(tids[sorted(ks)]) for ks in grouped.agg(list)],
            "winner": tids[grouped.first().to_numpy()],
        }
    )


def resolve(plan: Plan, dataset: Dataset) -> pd.DataFrame:
    """``DataFrame[account_id, territory_id]``: one row per account, NaN when unassigned."""
    return resolve_report(plan, dataset).assignment[["account_id", "territory_id"]]


def current_plan(
    dataset: Dataset,
    *,
    name: str = "Current ownership",
    start_date: dt.date | None = None,
) -> Plan:
    """The plan implied by today's account ownership: one territory per owning rep.

    Territory ids are ``T-<rep_id>`` (the balancer uses the same ids, so moves between
    the current plan and a balanced one compare territory by territory). Accounts
    without an owner are listed as explicitly unassigned. ``start_date`` defaults to the
    first day of the month after the data's last dated event (or today without data).
    """
    accounts = dataset.accounts
    if start_date is None:
        start_date = _next_month_start(dataset.last_date())
    rep_names = dict(zip(dataset.reps["rep_id"], dataset.reps["rep_name"], strict=True))
    owned = accounts[accounts["owner_id"].notna()]
    territories = [
        Territory(
            territory_id=f"T-{rep_id}",
            name=str(rep_names.get(rep_id, rep_id)),
            owner=str(rep_id),
            account_ids=tuple(group["account_id"]),
        )
        for rep_id, group in owned.groupby("owner_id", sort=True)
    ]
    return Plan(
        name=name,
        start_date=start_date,
        territories=tuple(territories),
        unassigned_account_ids=tuple(
            accounts.loc[accounts["owner_id"].isna(), "account_id"]
        ),
    )


def _next_month_start(day: pd.Timestamp | None) -> dt.date:
    ts = (
        pd.Timestamp(dt.date.today())
        if day is None or pd.isna(day)
        else pd.Timestamp(day)
    )
    return (ts.normalize() + pd.offsets.MonthBegin(1)).date()


# --- edits: pure functions returning a new plan -------------------------------------


def _replace_territories(
    plan: Plan, territories: list[Territory], **changes: Any
) -> Plan:
    # Built through the constructor so plan-level checks (unique ids) run again.
    return Plan(**{**dict(plan), "territories": tuple(territories), **changes})


def move_accounts(
    plan: Plan, account_ids: list[str] | tuple[str, ...], to_territory_id: str | None
) -> Plan:
    """Move accounts explicitly into a territory (or to unassigned with ``None``).

    Explicit listing beats rules, so this works whether the accounts came by list or by
    rule. Accounts locked in another territory are refused: unlock them first.
    """
    moving = list(dict.fromkeys(account_ids))
    if to_territory_id is not None and to_territory_id not in plan.territory_ids:
        raise PlanEditError(f"unknown territory {to_territory_id!r}")
    locks = plan.locked_accounts()
    refused = [a for a in moving if a in locks and locks[a] != to_territory_id]
    if refused:
        raise PlanEditError(
            f"{len(refused)} account(s) are locked in another territory "
            f"(e.g. {refused[:3]}); unlock them first"
        )
    move_set = set(moving)
    territories = []
    for t in plan.territories:
        kept = tuple(a for a in t.account_ids if a not in move_set)
        if t.territory_id == to_territory_id:
            present = set(kept) | set(t.locked_account_ids)
            kept += tuple(a for a in moving if a not in present)
        territories.append(t.model_copy(update={"account_ids": kept}))
    unassigned = tuple(a for a in plan.unassigned_account_ids if a not in move_set)
    if to_territory_id is None:
        unassigned += tuple(moving)
    return _replace_territories(plan, territories, unassigned_account_ids=unassigned)


def move_by_rule(
    plan: Plan,
    dataset: Dataset,
    rule: AccountRule,
    to_territory_id: str | None,
    *,
    from_territory_id: str | None = None,
) -> Plan:
    """Bulk move: every account matching ``rule`` (optionally only those now in
    ``from_territory_id``) moves to ``to_territory_id``; locked accounts stay put."""
    assignment = resolve(plan, dataset)
    mask = rule.mask(dataset.accounts)
    if from_territory_id is not None:
        mask &= (
            (assignment["territory_id"] == from_territory_id)
            .fillna(False)
            .to_numpy(bool)
        )
    locks = plan.locked_accounts()
    chosen = [a for a in assignment.loc[mask, "account_id"] if a not in locks]
    return move_accounts(plan, chosen, to_territory_id)


def add_tbh_seat(
    plan: Plan,
    territory_id: str,
    *,
    start_date: dt.date,
    covering_rep_id: str,
    name: str = "",
    account_ids: list[str] | tuple[str, ...] = (),
) -> Plan:
    """Add a territory for a rep to be hired, optionally moving accounts into it."""
    if territory_id in plan.territory_ids:
        raise PlanEditError(f"territory {territory_id!r} already exists")
    seat = Territory(
        territory_id=territory_id,
        name=name,
        owner=TbhSeat(start_date=start_date, covering_rep_id=covering_rep_id),
    )
    added = _replace_territories(plan, [*plan.territories, seat])
    return move_accounts(added, account_ids, territory_id) if account_ids else added


def rename_plan(plan: Plan, name: str) -> Plan:
    return Plan(**{**dict(plan), "name": name})


def rename_territory(plan: Plan, territory_id: str, name: str) -> Plan:
    if territory_id not in plan.territory_ids:
        raise PlanEditError(f"unknown territory {territory_id!r}")
    return _replace_territories(
        plan,
        [
            t.model_copy(update={"name": name}) if t.territory_id == territory_id else t
            for t in plan.territories
        ],
    )


def duplicate_plan(plan: Plan, name: str) -> Plan:
    """A copy to edit as a scenario; it must carry a different name to be compared."""
    if name == plan.name:
        raise PlanEditError("a duplicate needs a name of its own")
    return rename_plan(plan, name)


def lock_accounts(
    plan: Plan, territory_id: str, account_ids: list[str] | tuple[str, ...]
) -> Plan:
    """Move accounts into ``territory_id`` and lock them there."""
    moved = move_accounts(plan, account_ids, territory_id)
    territories = []
    for t in moved.territories:
        if t.territory_id == territory_id:
            extra = tuple(
                a for a in dict.fromkeys(account_ids) if a not in t.locked_account_ids
            )
            t = t.model_copy(
                update={"locked_account_ids": t.locked_account_ids + extra}
            )
        territories.append(t)
    return _replace_territories(moved, territories)


def unlock_accounts(plan: Plan, account_ids: list[str] | tuple[str, ...]) -> Plan:
    """Unlock accounts; they stay in their territory as plain explicit members."""
    drop = set(account_ids)
    territories = []
    for t in plan.territories:
        freed = tuple(a for a in t.locked_account_ids if a in drop)
        if freed:
            t = t.model_copy(
                update={
                    "locked_account_ids": tuple(
                        a for a in t.locked_account_ids if a not in drop
                    ),
                    "account_ids": t.account_ids
                    + tuple(a for a in freed if a not in t.account_ids),
                }
            )
        territories.append(t)
    return _replace_territories(plan, territories)
