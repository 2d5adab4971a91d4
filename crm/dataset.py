"""The in-memory canonical dataset: one pandas DataFrame per canonical table.

Why a single typed container: metrics, the simulation and territory plans all take
"the actuals" as one argument, and the dtypes are fixed here (ids and text as ``str``,
dates as ``datetime64[ns]`` normalised to midnight, amounts as ``float64``, flags as
``bool``, ``employees`` as nullable ``Int64``) so no consumer has to re-parse.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from crm.schema import TABLES, TABLES_BY_NAME, Kind, Table


def empty_frame(table: Table) -> pd.DataFrame:
    """An empty DataFrame with the table's canonical columns and dtypes."""
    return coerce_frame(table, pd.DataFrame({c: [] for c in table.column_names}))


def coerce_frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns in canonical dtypes.

    Missing optional columns are added as nulls (or the column default); values must
    already be parseable (importers validate first, this only fixes dtypes).
    """
    out = {}
    n = len(frame)
    for col in table.columns:
        if col.name in frame.columns:
            s = frame[col.name]
        else:
            s = pd.Series([col.default] * n if col.default else [None] * n, dtype=object)
        s = s.reset_index(drop=True)
        if col.kind in (Kind.ID, Kind.TEXT, Kind.ENUM, Kind.MONTH):
            s = s.astype("str").where(s.notna(), None).astype("str")
            if col.default:
                s = s.fillna(col.default)
        elif col.kind == Kind.DATE:
            s = pd.to_datetime(s, errors="raise").astype("datetime64[ns]").dt.normalize()
        elif col.kind == Kind.DECIMAL:
            s = pd.to_numeric(s, errors="raise").astype("float64")
        elif col.kind == Kind.INT:
            s = pd.to_numeric(s, errors="raise").round().astype("Int64")
        elif col.kind == Kind.BOOL:
            s = s.fillna(False).astype(bool)
        out[col.name] = s
    return pd.DataFrame(out, index=pd.RangeIndex(n))


@dataclass(frozen=True)
class Dataset:
    """The canonical tables of one workspace (or one import before it is stored)."""

    reps: pd.DataFrame
    accounts: pd.DataFrame
    opportunities: pd.DataFrame
    activities: pd.DataFrame
    opportunity_history: pd.DataFrame
    quotas: pd.DataFrame

    @classmethod
    def empty(cls) -> Dataset:
        return cls(**{t.name: empty_frame(t) for t in TABLES})

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> Dataset:
        """Build from raw frames (any missing table becomes empty), coercing dtypes."""
        parts = {}
        for t in TABLES:
            f = frames.get(t.name)
            parts[t.name] = empty_frame(t) if f is None else coerce_frame(t, f)
        return cls(**parts)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def with_table(self, name: str, frame: pd.DataFrame) -> Dataset:
        return replace(self, **{name: coerce_frame(TABLES_BY_NAME[name], frame)})

    def counts(self) -> dict[str, int]:
        return {name: int(len(df)) for name, df in self.tables().items()}

    def date_range(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last dated event in the data (opportunity and activity dates)."""
        parts = [
            self.opportunities["created_date"],
            self.opportunities["close_date"].where(self.opportunities["is_closed"]),
            self.activities["activity_date"],
        ]
        values = pd.concat([p.dropna() for p in parts if len(p)], ignore_index=True) if any(
            len(p) for p in parts
        ) else pd.Series([], dtype="datetime64[ns]")
        if values.empty:
            return None, None
        return values.min(), values.max()

    def last_date(self) -> pd.Timestamp | None:
        return self.date_range()[1]


def month_key(dates: pd.Series) -> pd.Series:
    """Integer month key (year*12 + month-1): fast to group on, unlike pd.Grouper."""
    return (dates.dt.year * 12 + dates.dt.month - 1).astype("int64")


def bool_series(values: np.ndarray) -> pd.Series:
    return pd.Series(values.astype(bool))
