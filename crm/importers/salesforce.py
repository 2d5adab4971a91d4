"""Salesforce exports: the standard objects' API field names (Data Loader, Workbench,
``sf data export``) mapped onto the canonical tables.

Mapping choices (picklist values, datetimes, roles, teams) are documented in
docs/importing.md, "Salesforce"; each assumption that touches rows is reported as a
warning with its count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath

import numpy as np
import pandas as pd

from crm.importers.parsing import enum_key, map_uniques
from crm.importers.problems import Collector
from crm.importers.reading import RawFile, header_key
from crm.importers.validate import SourceTable
from crm.schema import (
    ACCOUNTS,
    ACTIVITIES,
    OPPORTUNITIES,
    OPPORTUNITY_HISTORY,
    REPS,
    Table,
)

OBJECTS = {
    "user": "User",
    "users": "User",
    "account": "Account",
    "accounts": "Account",
    "opportunity": "Opportunity",
    "opportunities": "Opportunity",
    "opportunityhistory": "OpportunityHistory",
    "opportunityhistories": "OpportunityHistory",
    "task": "Task",
    "tasks": "Task",
    "event": "Event",
    "events": "Event",
}
FILE_HINTS = {
    "reps": "User.csv",
    "accounts": "Account.csv",
    "opportunities": "Opportunity.csv",
}

SF_TYPES = {
    "newcustomer": "New Business",
    "newbusiness": "New Business",
    "new": "New Business",
    "existingcustomerupgrade": "Add-On",
    "existingcustomeraddon": "Add-On",
    "existingcustomerupsell": "Add-On",
    "existingcustomerexpansion": "Add-On",
    "addon": "Add-On",
    "upsell": "Add-On",
    "upgrade": "Add-On",
    "existingcustomerreplacement": "Renewal",
    "existingcustomerrenewal": "Renewal",
    "existingcustomerdowngrade": "Renewal",
    "renewal": "Renewal",
}

_MANAGER_RE = re.compile(
    r"\b(manager|director|vp|vice president|head of|chief|cro)\b", re.I
)
_ACCOUNT_MANAGER_RE = re.compile(r"\baccount manager\b", re.I)
_SDR_RE = re.compile(r"\b(sdr|bdr|sales development|business development)\b", re.I)
_SE_RE = re.compile(
    r"\b(se|sales engineer(ing)?|solutions? engineer(ing)?|solutions? consultant|pre-?sales)\b",
    re.I,
)


def recognised_stems() -> set[str]:
    return set(OBJECTS)


def classify_role(text: str) -> str:
    """AE unless the role or title says SDR/BDR, SE or a manager (not "Account Manager")."""
    if _MANAGER_RE.search(text) and not _ACCOUNT_MANAGER_RE.search(text):
        return "Manager"
    if _SDR_RE.search(text):
        return "SDR"
    if _SE_RE.search(text):
        return "SE"
    return "AE"


def _blank(raw: RawFile) -> pd.Series:
    return pd.Series(np.nan, index=raw.frame.index, dtype="str")


def _col(raw: RawFile, *names: str) -> pd.Series:
    s = raw.column(*names)
    return _blank(raw) if s is None else s


def _source(
    spec: Table, raw: RawFile, columns: dict[str, tuple[pd.Series, str]]
) -> SourceTable:
    """Build a SourceTable; columns map canonical name → (values, SF header)."""
    frame = pd.DataFrame(
        {k: v for k, (v, _h) in columns.items()}, index=raw.frame.index
    )
    headers = {k: h for k, (_v, h) in columns.items()}
    return SourceTable(
        spec,
        raw.name,
        frame,
        raw.lines,
        headers,
        comma_decimal=raw.comma_decimal,
        day_first=raw.comma_decimal,
    )


def _field(raw: RawFile, *names: str) -> tuple[pd.Series, str] | None:
    """(values, header as written) for the first SF field present, else None."""
    s = raw.column(*names)
    return None if s is None else (s, raw.header_of(*names))


def _put(
    columns: dict[str, tuple[pd.Series, str]],
    name: str,
    value: tuple[pd.Series, str] | None,
) -> None:
    if value is not None:
        columns[name] = value


def _drop_absent(
    columns: dict[str, tuple[pd.Series, str]],
    raw: RawFile,
    needed: dict[str, tuple[str, ...]],
) -> None:
    """Remove columns whose SF fields are all absent, so the missing column is reported."""
    for canon, names in needed.items():
        if canon in columns and all(raw.find(n) is None for n in names):
            del columns[canon]


def _examples(raw: RawFile, mask: np.ndarray, s: pd.Series) -> list[str]:
    return [
        f"{raw.name}:{int(raw.lines[p])}: {s.iloc[p]!r}"
        for p in np.flatnonzero(mask)[:5]
    ]


def map_salesforce(raws: dict[str, RawFile], collector: Collector) -> list[SourceTable]:
    """One SourceTable per recognised object file (Task and Event both → activities)."""
    out: list[SourceTable] = []
    ignored = []
    for name, raw in raws.items():
        obj = OBJECTS.get(header_key(PurePath(name).stem))
        if obj == "User":
            out.append(_users(raw, collector))
        elif obj == "Account":
            out.append(_accounts(raw))
        elif obj == "Opportunity":
            out.append(_opportunities(raw, collector))
        elif obj == "OpportunityHistory":
            out.append(_history(raw))
        elif obj in ("Task", "Event"):
            out.append(_activities(raw, obj, collector))
        else:
            ignored.append(name)
    if ignored:
        collector.notice(
            "ignored_files",
            "files that are not User, Account, Opportunity, OpportunityHistory, Task or Event were ignored",
            len(ignored),
            ignored,
        )
    return out


def _users(raw: RawFile, collector: Collector) -> SourceTable:
    ids = _col(raw, "Id")
    name = raw.column("Name")
    if name is None:
        first, last = _col(raw, "FirstName"), _col(raw, "LastName")
        name = (first.fillna("") + " " + last.fillna("")).str.strip()
        name = name.mask(name == "")
    role_text = _col(raw, "UserRole.Name", "UserRoleName", "UserRole", "Role")
    title = _col(raw, "Title")
    label = role_text.fillna(title)
    role = map_uniques(label, classify_role).fillna("AE")
    names_by_id = pd.Series(name.to_numpy(), index=ids.to_numpy()).loc[
        lambda x: ~x.index.duplicated()
    ]
    manager_id = _col(raw, "ManagerId", "Manager.Id")
    manager = raw.column("Manager.Name")
    if manager is None:
        manager = manager_id.map(names_by_id).astype("str")
    team = manager.fillna(role_text)
    no_team = team.isna().to_numpy()
    if no_team.any():
        collector.notice(
            "sf_no_team",
            f"{raw.name}: users with neither a manager nor a role were put in team 'Unassigned'",
            int(no_team.sum()),
            _examples(raw, no_team, ids),
        )
        team = team.fillna("Unassigned")
    created = _col(raw, "CreatedDate")
    collector.notice(
        "sf_hire_date_from_created",
        f"{raw.name}: User has no hire date; hire_date = the user's CreatedDate",
        int(ids.notna().sum()),
    )
    columns: dict[str, tuple[pd.Series, str]] = {
        "rep_id": (ids, raw.header_of("Id")),
        "rep_name": (name, raw.header_of("Name")),
        "team": (team, raw.header_of("ManagerId")),
        "manager": (manager, raw.header_of("ManagerId")),
        "role": (role, raw.header_of("UserRole.Name", "Title")),
        "hire_date": (created, raw.header_of("CreatedDate")),
    }
    active = raw.column("IsActive")
    modified = raw.column("LastModifiedDate")
    if active is not None and modified is not None:
        inactive = (
            active.str.lower()
            .isin(["false", "0", "no"])
            .fillna(False)
            .to_numpy(dtype=bool)
        )
        if inactive.any():
            collector.notice(
                "sf_inactive_users",
                f"{raw.name}: inactive users get end_date = their LastModifiedDate",
                int(inactive.sum()),
                _examples(raw, inactive, ids),
            )
        columns["end_date"] = (
            modified.where(inactive),
            raw.header_of("LastModifiedDate"),
        )
    _put(columns, "region", _field(raw, "Division", "Region"))
    _drop_absent(
        columns,
        raw,
        {
            "rep_id": ("Id",),
            "rep_name": ("Name", "FirstName", "LastName"),
            "hire_date": ("CreatedDate",),
        },
    )
    src = _source(REPS, raw, columns)
    headers = {"rep_id": "Id", "rep_name": "Name", "hire_date": "CreatedDate"}
    return SourceTable(
        src.table, src.file, src.frame, src.lines, headers | dict(src.headers)
    )


def _accounts(raw: RawFile) -> SourceTable:
    columns: dict[str, tuple[pd.Series, str]] = {}
    for canon, names in {
        "account_id": ("Id",),
        "account_name": ("Name",),
        "industry": ("Industry",),
        "country": ("BillingCountry",),
        "state": ("BillingState",),
        "city": ("BillingCity",),
        "employees": ("NumberOfEmployees",),
        "annual_revenue": ("AnnualRevenue",),
        "owner_id": ("OwnerId",),
        "parent_account_id": ("ParentId",),
        "region": ("Region", "Region__c"),
    }.items():
        found = _field(raw, *names)
        columns[canon] = found if found is not None else (_blank(raw), names[0])
        if found is None and canon not in ACCOUNTS.required_columns:
            del columns[canon]
    return _source(ACCOUNTS, raw, columns)


def _sf_type(value: str) -> str | None:
    return SF_TYPES.get(enum_key(value))


def _opportunities(raw: RawFile, collector: Collector) -> SourceTable:
    columns: dict[str, tuple[pd.Series, str]] = {}
    for canon, names in {
        "opportunity_id": ("Id",),
        "account_id": ("AccountId",),
        "owner_id": ("OwnerId",),
        "opportunity_name": ("Name",),
        "stage": ("StageName",),
        "created_date": ("CreatedDate",),
        "close_date": ("CloseDate",),
        "is_closed": ("IsClosed",),
        "is_won": ("IsWon",),
        "forecast_category": ("ForecastCategoryName", "ForecastCategory"),
        "next_step": ("NextStep",),
        "last_activity_date": ("LastActivityDate",),
        "probability": ("Probability",),
    }.items():
        _put(columns, canon, _field(raw, *names))

    type_text = _col(raw, "Type")
    mapped = map_uniques(type_text, _sf_type)
    blank = type_text.isna().to_numpy()
    unknown = (type_text.notna() & mapped.isna()).to_numpy()
    if blank.any():
        collector.notice(
            "sf_blank_type",
            f"{raw.name}: opportunities with no Type were imported as New Business",
            int(blank.sum()),
            _examples(raw, blank, _col(raw, "Id")),
        )
    if unknown.any():
        collector.notice(
            "sf_unknown_type",
            f"{raw.name}: Type values with no canonical match were imported as New Business",
            int(unknown.sum()),
            _examples(raw, unknown, type_text),
        )
    columns["type"] = (mapped.fillna("New Business"), raw.header_of("Type"))

    amount = raw.column("Amount")
    if amount is not None:
        missing = amount.isna().to_numpy()
        if missing.any():
            collector.notice(
                "sf_missing_amount",
                f"{raw.name}: opportunities with a blank Amount were imported with amount 0 "
                "(Clean Your Room flags them)",
                int(missing.sum()),
                _examples(raw, missing, _col(raw, "Id")),
            )
        columns["amount"] = (amount.fillna("0"), raw.header_of("Amount"))

    stage = raw.column("StageName")
    if stage is not None and ("is_closed" not in columns or "is_won" not in columns):
        low = stage.str.lower()
        won = low.str.contains("won", regex=False).fillna(False).to_numpy(dtype=bool)
        lost = low.str.contains("lost", regex=False).fillna(False).to_numpy(dtype=bool)
        derived = pd.Series(
            np.where(won | lost, "true", "false"), index=stage.index, dtype="str"
        )
        columns.setdefault("is_closed", (derived, "StageName"))
        columns.setdefault(
            "is_won",
            (
                pd.Series(
                    np.where(won, "true", "false"), index=stage.index, dtype="str"
                ),
                "StageName",
            ),
        )
        collector.notice(
            "sf_closed_from_stage",
            f"{raw.name}: no IsClosed/IsWon columns; derived from StageName (won / lost in the name)",
            len(stage),
        )
    headers_missing = {
        "opportunity_id": "Id",
        "owner_id": "OwnerId",
        "stage": "StageName",
        "amount": "Amount",
        "created_date": "CreatedDate",
        "close_date": "CloseDate",
        "is_closed": "IsClosed",
        "is_won": "IsWon",
    }
    src = _source(OPPORTUNITIES, raw, columns)
    return SourceTable(
        src.table,
        src.file,
        src.frame,
        src.lines,
        headers_missing | dict(src.headers),
        src.comma_decimal,
        src.day_first,
    )


def _history(raw: RawFile) -> SourceTable:
    columns: dict[str, tuple[pd.Series, str]] = {}
    for canon, names in {
        "opportunity_id": ("OpportunityId",),
        "changed_date": ("CreatedDate",),
        "stage": ("StageName",),
        "amount": ("Amount",),
        "close_date": ("CloseDate",),
        "forecast_category": ("ForecastCategory", "ForecastCategoryName"),
    }.items():
        _put(columns, canon, _field(raw, *names))
    src = _source(OPPORTUNITY_HISTORY, raw, columns)
    headers = {
        "opportunity_id": "OpportunityId",
        "changed_date": "CreatedDate",
        "stage": "StageName",
    }
    return SourceTable(
        src.table, src.file, src.frame, src.lines, headers | dict(src.headers)
    )


def _activity_type(default: str) -> Callable[[str], str]:
    def classify(text: str) -> str:
        low = text.lower()
        for word, kind in (
            ("demo", "Demo"),
            ("meeting", "Meeting"),
            ("call", "Call"),
            ("email", "Email"),
        ):
            if word in low:
                return kind
        return default

    return classify


def _activities(raw: RawFile, obj: str, collector: Collector) -> SourceTable:
    default = "Meeting" if obj == "Event" else "Other"
    kind_text = _col(raw, "Type").fillna(_col(raw, "TaskSubtype", "EventSubtype"))
    kind = map_uniques(kind_text, _activity_type(default)).fillna(default)

    what = _col(raw, "WhatId")
    opportunity = what.where(what.str.startswith("006"))
    account = _col(raw, "AccountId").fillna(what.where(what.str.startswith("001")))

    date = _col(raw, "ActivityDate")
    fallback = _col(raw, "ActivityDateTime", "StartDateTime", "CreatedDate")
    filled = (date.isna() & fallback.notna()).to_numpy()
    if filled.any():
        collector.notice(
            "sf_activity_date_fallback",
            f"{raw.name}: rows without ActivityDate dated by ActivityDateTime/StartDateTime/CreatedDate",
            int(filled.sum()),
            _examples(raw, filled, _col(raw, "Id")),
        )
    columns: dict[str, tuple[pd.Series, str]] = {
        "activity_id": (_col(raw, "Id"), raw.header_of("Id")),
        "owner_id": (_col(raw, "OwnerId"), raw.header_of("OwnerId")),
        "activity_type": (kind, raw.header_of("Type", "TaskSubtype", "EventSubtype")),
        "activity_date": (date.fillna(fallback), raw.header_of("ActivityDate")),
        "account_id": (account, raw.header_of("AccountId", "WhatId")),
        "opportunity_id": (opportunity, raw.header_of("WhatId")),
    }
    _put(columns, "subject", _field(raw, "Subject"))
    _drop_absent(
        columns,
        raw,
        {
            "activity_id": ("Id",),
            "owner_id": ("OwnerId",),
            "activity_date": (
                "ActivityDate",
                "ActivityDateTime",
                "StartDateTime",
                "CreatedDate",
            ),
        },
    )
    src = _source(ACTIVITIES, raw, columns)
    headers = {
        "activity_id": "Id",
        "owner_id": "OwnerId",
        "activity_date": "ActivityDate",
    }
    return SourceTable(
        src.table, src.file, src.frame, src.lines, headers | dict(src.headers)
    )
