"""The canonical CRM tables (contracts §1), described once.

Every importer produces these tables and everything downstream (metrics, simulation,
territory plans, the workspace store) reads them, so the column names, kinds and
required flags live here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a column's text is parsed and stored."""

    ID = "id"  # text that must stay text (leading zeros, long digits)
    TEXT = "text"
    DATE = "date"  # YYYY-MM-DD (importers also accept Excel serials and a few others)
    MONTH = "month"  # YYYY-MM
    DECIMAL = "decimal"
    INT = "int"
    BOOL = "bool"
    ENUM = "enum"


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind, whether it is required, allowed values."""

    name: str
    kind: Kind
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    references: str | None = None  # "table.column" this id points to


@dataclass(frozen=True)
class Table:
    """One canonical table: file name stem, columns, primary key, required flag."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ROLES = ("AE", "SDR", "SE", "Manager")
OPPORTUNITY_TYPES = ("New Business", "Add-On", "Renewal")
ACV_TYPES = ("New Business", "Add-On")
FORECAST_CATEGORIES = ("Pipeline", "Best Case", "Commit", "Closed", "Omitted")
ACTIVITY_TYPES = ("Call", "Email", "Meeting", "Demo", "Other")
MEETING_TYPES = ("Meeting", "Demo")

REPS = Table(
    "reps",
    (
        Column("rep_id", Kind.ID, required=True),
        Column("rep_name", Kind.TEXT, required=True),
        Column("team", Kind.TEXT, required=True),
        Column("manager", Kind.TEXT),
        Column("role", Kind.ENUM, choices=ROLES, default="AE"),
        Column("hire_date", Kind.DATE, required=True),
        Column("end_date", Kind.DATE),
        Column("annual_quota", Kind.DECIMAL),
        Column("region", Kind.TEXT),
    ),
    key=("rep_id",),
    required=True,
)

ACCOUNTS = Table(
    "accounts",
    (
        Column("account_id", Kind.ID, required=True),
        Column("account_name", Kind.TEXT, required=True),
        Column("industry", Kind.TEXT),
        Column("region", Kind.TEXT),
        Column("country", Kind.TEXT),
        Column("state", Kind.TEXT),
        Column("city", Kind.TEXT),
        Column("employees", Kind.INT),
        Column("annual_revenue", Kind.DECIMAL),
        Column("owner_id", Kind.ID, references="reps.rep_id"),
        Column("parent_account_id", Kind.ID, references="accounts.account_id"),
    ),
    key=("account_id",),
    required=True,
)

OPPORTUNITIES = Table(
    "opportunities",
    (
        Column("opportunity_id", Kind.ID, required=True),
        Column("account_id", Kind.ID, references="accounts.account_id"),
        Column("owner_id", Kind.ID, required=True, references="reps.rep_id"),
        Column("opportunity_name", Kind.TEXT),
        Column("type", Kind.ENUM, required=True, choices=OPPORTUNITY_TYPES),
        Column("stage", Kind.TEXT, required=True),
        Column("amount", Kind.DECIMAL, required=True),
        Column("created_date", Kind.DATE, required=True),
        Column("close_date", Kind.DATE, required=True),
        Column("is_closed", Kind.BOOL, required=True),
        Column("is_won", Kind.BOOL, required=True),
        Column("forecast_category", Kind.ENUM, choices=FORECAST_CATEGORIES),
        Column("next_step", Kind.TEXT),
        Column("last_activity_date", Kind.DATE),
        Column("probability", Kind.DECIMAL),
    ),
    key=("opportunity_id",),
    required=True,
)

ACTIVITIES = Table(
    "activities",
    (
        Column("activity_id", Kind.ID, required=True),
        Column("owner_id", Kind.ID, required=True, references="reps.rep_id"),
        Column("activity_type", Kind.ENUM, required=True, choices=ACTIVITY_TYPES),
        Column("activity_date", Kind.DATE, required=True),
        Column("account_id", Kind.ID, references="accounts.account_id"),
        Column("opportunity_id", Kind.ID, references="opportunities.opportunity_id"),
        Column("subject", Kind.TEXT),
    ),
    key=("activity_id",),
)

OPPORTUNITY_HISTORY = Table(
    "opportunity_history",
    (
        Column(
            "opportunity_id",
            Kind.ID,
            required=True,
            references="opportunities.opportunity_id",
        ),
        Column("changed_date", Kind.DATE, required=True),
        Column("stage", Kind.TEXT, required=True),
        Column("amount", Kind.DECIMAL),
        Column("close_date", Kind.DATE),
        Column("forecast_category", Kind.ENUM, choices=FORECAST_CATEGORIES),
    ),
    key=(),  # history rows have no natural key; the store adds a surrogate
)

QUOTAS = Table(
    "quotas",
    (
        Column("rep_id", Kind.ID, required=True, references="reps.rep_id"),
        Column("month", Kind.MONTH, required=True),
        Column("quota", Kind.DECIMAL, required=True),
    ),
    key=("rep_id", "month"),
)

TABLES: tuple[Table, ...] = (
    REPS,
    ACCOUNTS,
    OPPORTUNITIES,
    ACTIVITIES,
    OPPORTUNITY_HISTORY,
    QUOTAS,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
