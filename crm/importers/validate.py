"""Column rules and cross-table rules shared by every importer and the events API.

Why here and not in each importer: the canonical tables are one contract, so "what is
a valid amount" or "what happens to an opportunity whose account is unknown" must have
one answer whichever CRM the data came from. Importers only map their source's names
and values onto canonical text columns; this module parses, checks and repairs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm.importers.parsing import (
    parse_bools,
    parse_dates,
    parse_decimals,
    parse_enum,
    parse_months,
)
from crm.importers.problems import Collector
from crm.schema import TABLES_BY_NAME, Column, Kind, Table

FILE = "_file"
LINE = "_line"

# Spellings people use for the enum values, keyed by the normalised form (enum_key).
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "type": {
        "new": "New Business",
        "newcustomer": "New Business",
        "newlogo": "New Business",
        "addon": "Add-On",
        "upsell": "Add-On",
        "upgrade": "Add-On",
        "expansion": "Add-On",
        "crosssell": "Add-On",
        "renew": "Renewal",
    },
    "role": {
        "accountexecutive": "AE",
        "salesdevelopmentrep": "SDR",
        "salesdevelopmentrepresentative": "SDR",
        "bdr": "SDR",
        "solutionengineer": "SE",
        "solutionsengineer": "SE",
        "salesengineer": "SE",
        "salesmanager": "Manager",
        "mgr": "Manager",
    },
    "activity_type": {
        "phone": "Call",
        "phonecall": "Call",
        "mail": "Email",
        "emails": "Email",
        "listemail": "Email",
        "visit": "Meeting",
        "meetings": "Meeting",
        "demonstration": "Demo",
    },
    "forecast_category": {"bestcase": "Best Case", "closedwon": "Closed"},
}

# What an unknown enum value does: an error, blank it, or fall back to a value.
ENUM_POLICY: dict[str, tuple[str, str | None]] = {
    "type": ("error", None),
    "role": ("default", "AE"),
    "activity_type": ("default", "Other"),
    "forecast_category": ("blank", None),
}

NON_NEGATIVE = frozenset(
    {"amount", "annual_quota", "quota", "annual_revenue", "employees"}
)


@dataclass(frozen=True)
class SourceTable:
    """Canonically named text columns from one source, with their physical lines."""

    table: Table
    file: str
    frame: pd.DataFrame
    lines: np.ndarray
    headers: Mapping[str, str] = field(default_factory=dict)
    comma_decimal: bool = False
    day_first: bool = False

    def locate(self, pos: int) -> tuple[str, int | None]:
        return self.file, int(self.lines[pos])

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def _where(df: pd.DataFrame, pos: int) -> str:
    return f"{df[FILE].iloc[pos]}:{int(df[LINE].iloc[pos])}"


def examples(
    df: pd.DataFrame, mask: np.ndarray, detail: str | None = None
) -> list[str]:
    """Up to five ``file:line: column=value`` strings for the masked rows."""
    out = []
    for pos in np.flatnonzero(mask)[:5]:
        text = _where(df, int(pos))
        if detail is not None:
            text += f": {detail}={df[detail].iloc[pos]!s}"
        out.append(text)
    return out


def _check_enum(
    src: SourceTable, col: Column, s: pd.Series, header: str, collector: Collector
) -> np.ndarray:
    values, unknown = parse_enum(s, col.choices, ENUM_ALIASES.get(col.name))
    if not unknown.any():
        return values
    policy, fallback = ENUM_POLICY.get(col.name, ("error", None))
    rows = np.flatnonzero(unknown)
    allowed = ", ".join(col.choices)
    if policy == "error":
        collector.row_errors(
            rows,
            src.locate,
            header,
            f"must be one of {allowed}",
            s.iloc[rows[:1000]].tolist(),
        )
        return values
    values = values.copy()
    values[unknown] = fallback
    action = f"set to {fallback}" if fallback else "left blank"
    collector.notice(
        f"unknown_{col.name}",
        f"{src.file}: {header} values outside {allowed} were {action}",
        int(unknown.sum()),
        [f"{src.file}:{int(src.lines[p])}: {s.iloc[p]!r}" for p in rows[:5]],
    )
    return values


def parse_table(src: SourceTable, collector: Collector) -> pd.DataFrame:
    """Parse and check every column of one source table; problems go to ``collector``.

    Returns the parsed frame (canonical names and dtypes, plus ``_file``/``_line``);
    it is only meaningful when the collector holds no errors.
    """
    spec = src.table
    frame = src.frame
    for name in spec.required_columns:
        if name not in frame.columns:
            collector.error(src.file, 1, src.header(name), "required column is missing")
    out: dict[str, Any] = {}
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        s = frame[col.name]
        header = src.header(col.name)
        missing = s.isna().to_numpy()
        if col.required and missing.any():
            collector.row_errors(
                np.flatnonzero(missing), src.locate, header, "required value is missing"
            )
        if col.kind in (Kind.ID, Kind.TEXT):
            out[col.name] = s
        elif col.kind == Kind.ENUM:
            out[col.name] = pd.Series(
                _check_enum(src, col, s, header, collector), dtype="str"
            )
        elif col.kind == Kind.DATE:
            out[col.name] = _check_dates(src, s, header, collector)
        elif col.kind == Kind.MONTH:
            values, bad = parse_months(s)
            _bad(src, s, bad, header, "not a month (use YYYY-MM)", collector)
            out[col.name] = pd.Series(values, dtype="str")
        elif col.kind == Kind.BOOL:
            values, _present, bad = parse_bools(s)
            _bad(
                src,
                s,
                bad,
                header,
                "not a true/false value (use true/false, 1/0 or yes/no)",
                collector,
            )
            out[col.name] = values
        elif col.kind in (Kind.DECIMAL, Kind.INT):
            out[col.name] = _check_numbers(src, col, s, header, collector)
    df = pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
    df[FILE] = pd.Categorical.from_codes(
        np.zeros(len(frame), dtype=np.int8), [src.file]
    )
    df[LINE] = np.asarray(src.lines, dtype=np.int64)
    return df


def _bad(
    src: SourceTable,
    s: pd.Series,
    bad: np.ndarray,
    header: str,
    message: str,
    collector: Collector,
) -> None:
    if bad.any():
        rows = np.flatnonzero(bad)
        collector.row_errors(
            rows, src.locate, header, message, s.iloc[rows[:1000]].tolist()
        )


def _check_dates(
    src: SourceTable, s: pd.Series, header: str, collector: Collector
) -> pd.Series:
    parsed = parse_dates(s, day_first=src.day_first)
    _bad(src, s, parsed.bad, header, "not a date (use YYYY-MM-DD)", collector)
    if parsed.excel_serials:
        collector.notice(
            "excel_serial_dates",
            f"{src.file}: {header} holds Excel serial day numbers, read as dates",
            parsed.excel_serials,
        )
    if parsed.ambiguous_order:
        collector.notice(
            "ambiguous_date_order",
            f"{src.file}: {header} has dates like 3/7/2024 with no day above 12; "
            f"read as {parsed.ambiguous_order}",
            parsed.ambiguous_rows,
        )
    return pd.Series(parsed.values, dtype="datetime64[ns]")


def _check_numbers(
    src: SourceTable, col: Column, s: pd.Series, header: str, collector: Collector
) -> np.ndarray:
    is_probability = col.name == "probability"
    values, bad = parse_decimals(
        s, comma_decimal=src.comma_decimal, percent=is_probability
    )
    _bad(src, s, bad, header, "must be a number", collector)
    finite = np.isfinite(values)
    if col.kind == Kind.INT:
        fractional = finite & (np.floor(values) != values)
        _bad(src, s, fractional, header, "must be a whole number", collector)
    if col.name in NON_NEGATIVE:
        _bad(src, s, finite & (values < 0), header, "must not be negative", collector)
    if is_probability:
        _bad(
            src,
            s,
            finite & ((values < 0) | (values > 100)),
            header,
            "must be between 0 and 100",
            collector,
        )
    return values


# -- cross-table rules --------------------------------------------------------------

SINGULAR = {"reps": "rep", "accounts": "account", "opportunities": "opportunity"}
LOAD_ORDER = (
    "reps",
    "accounts",
    "opportunities",
    "activities",
    "opportunity_history",
    "quotas",
)


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def quarantine_records(
    table: str, reason: str, df: pd.DataFrame, mask: np.ndarray
) -> list[tuple[str, str, dict[str, Any]]]:
    """The masked rows as (table, reason, record) with their file and line kept."""
    spec = TABLES_BY_NAME[table]
    rows = df.loc[mask]
    cols = [c for c in spec.column_names if c in rows.columns]
    out = []
    for rec in rows[[*cols, FILE, LINE]].to_dict("records"):
        clean = {k: _json_value(v) for k, v in rec.items() if k not in (FILE, LINE)}
        clean["source_file"] = str(rec[FILE])
        clean["source_line"] = int(rec[LINE])
        out.append((table, reason, clean))
    return out


@dataclass
class RuleOutcome:
    """Frames after the non-fatal repairs, and the rows set aside."""

    frames: dict[str, pd.DataFrame]
    quarantine: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def apply_rules(frames: dict[str, pd.DataFrame], collector: Collector) -> RuleOutcome:
    """Duplicates, contradictory flags, date order and references (docs/importing.md)."""
    outcome = RuleOutcome(dict(frames))
    for name in LOAD_ORDER:
        df = outcome.frames.get(name)
        if df is None:
            continue
        spec = TABLES_BY_NAME[name]
        df = df.reset_index(drop=True)
        if spec.key and all(k in df.columns for k in spec.key):
            dup = df.duplicated(subset=list(spec.key), keep="first").to_numpy()
            if dup.any():
                key = ", ".join(spec.key)
                collector.notice(
                    "duplicate_id",
                    f"{name}: rows repeating an earlier {key} were quarantined (the first is kept)",
                    int(dup.sum()),
                    examples(df, dup, spec.key[0]),
                )
                outcome.quarantine += quarantine_records(name, "duplicate_id", df, dup)
                df = df.loc[~dup].reset_index(drop=True)
        if name == "opportunities":
            df = _fix_opportunities(df, collector)
        df = _check_references(spec, df, outcome, collector)
        outcome.frames[name] = df
    return outcome


def _fix_opportunities(df: pd.DataFrame, collector: Collector) -> pd.DataFrame:
    if {"is_won", "is_closed"} <= set(df.columns):
        won_open = (df["is_won"] & ~df["is_closed"]).to_numpy()
        if won_open.any():
            collector.notice(
                "won_not_closed",
                "opportunities: is_won is true but is_closed false; treated as closed",
                int(won_open.sum()),
                examples(df, won_open, "opportunity_id"),
            )
            df["is_closed"] = df["is_closed"] | df["is_won"]
    if {"created_date", "close_date"} <= set(df.columns):
        early = (df["close_date"] < df["created_date"]).to_numpy()
        if early.any():
            collector.notice(
                "close_before_created",
                "opportunities: close_date before created_date; created_date set to close_date",
                int(early.sum()),
                examples(df, early, "opportunity_id"),
            )
            df["created_date"] = df["created_date"].where(~early, df["close_date"])
    return df


def _check_references(
    spec: Table, df: pd.DataFrame, outcome: RuleOutcome, collector: Collector
) -> pd.DataFrame:
    for col in spec.columns:
        if not col.references or col.name not in df.columns:
            continue
        target_table, target_col = col.references.split(".")
        target = df if target_table == spec.name else outcome.frames.get(target_table)
        known = pd.Series([], dtype="str") if target is None else target[target_col]
        s = df[col.name]
        orphan = (s.notna() & ~s.isin(known)).to_numpy()
        if not orphan.any():
            continue
        target_name = SINGULAR.get(target_table, target_table)
        reason = f"unknown_{col.name}"
        if col.required:
            collector.notice(
                reason,
                f"{spec.name}: {col.name} refers to an unknown {target_name}; "
                "rows quarantined (the column is required)",
                int(orphan.sum()),
                examples(df, orphan, col.name),
            )
            outcome.quarantine += quarantine_records(spec.name, reason, df, orphan)
            df = df.loc[~orphan].reset_index(drop=True)
        else:
            collector.notice(
                reason,
                f"{spec.name}: {col.name} refers to an unknown {target_name}; "
                "value cleared, a copy of the row quarantined",
                int(orphan.sum()),
                examples(df, orphan, col.name),
            )
            outcome.quarantine += quarantine_records(spec.name, reason, df, orphan)
            df[col.name] = s.mask(orphan)
    return df
