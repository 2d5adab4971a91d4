"""Server-side paging, sorting and filtering of a table for AG Grid's infinite row model.

Why on the server: a workspace can hold millions of activities; the browser gets one
block of rows at a time, and sort and filter run in pandas over the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


def _text_mask(s: pd.Series, op: str, value: str) -> pd.Series:
    text = s.astype("str").fillna("").str.lower()
    v = str(value or "").lower()
    ops = {
        "contains": lambda: text.str.contains(v, regex=False),
        "notContains": lambda: ~text.str.contains(v, regex=False),
        "equals": lambda: text == v,
        "notEqual": lambda: text != v,
        "startsWith": lambda: text.str.startswith(v),
        "endsWith": lambda: text.str.endswith(v),
        "blank": lambda: s.isna(),
        "notBlank": lambda: s.notna(),
    }
    return ops.get(op, ops["contains"])()


def _number_mask(s: pd.Series, op: str, a: Any, b: Any) -> pd.Series:
    x = pd.to_numeric(s, errors="coerce")
    ops = {
        "equals": lambda: x == a,
        "notEqual": lambda: x != a,
        "greaterThan": lambda: x > a,
        "greaterThanOrEqual": lambda: x >= a,
        "lessThan": lambda: x < a,
        "lessThanOrEqual": lambda: x <= a,
        "inRange": lambda: (x >= a) & (x <= b),
        "blank": lambda: x.isna(),
        "notBlank": lambda: x.notna(),
    }
    return ops.get(op, ops["equals"])()


def _date_mask(s: pd.Series, op: str, a: Any, b: Any) -> pd.Series:
    da = pd.Timestamp(str(a)[:10]) if a else None
    db = pd.Timestamp(str(b)[:10]) if b else None
    ops = {
        "equals": lambda: s == da,
        "notEqual": lambda: s != da,
        "greaterThan": lambda: s > da,
        "lessThan": lambda: s < da,
        "inRange": lambda: (s >= da) & (s <= db),
        "blank": lambda: s.isna(),
        "notBlank": lambda: s.notna(),
    }
    return ops.get(op, ops["equals"])()


def _condition_mask(s: pd.Series, cond: Mapping[str, Any]) -> pd.Series:
    kind = cond.get("filterType", "text")
    op = cond.get("type", "contains")
    if kind == "number":
        return _number_mask(s, op, cond.get("filter"), cond.get("filterTo"))
    if kind == "date":
        return _date_mask(s, op, cond.get("dateFrom"), cond.get("dateTo"))
    return _text_mask(s, op, cond.get("filter", ""))


def filter_frame(frame: pd.DataFrame, filter_model: Mapping[str, Any] | None) -> pd.DataFrame:
    """Apply an AG Grid filter model (simple and combined AND/OR conditions)."""
    if not filter_model:
        return frame
    mask = pd.Series(True, index=frame.index)
    for column, spec in filter_model.items():
        if column not in frame.columns:
            continue
        s = frame[column]
        if "conditions" in spec:
            parts = [_condition_mask(s, c) for c in spec["conditions"]]
            combined = parts[0]
            for p in parts[1:]:
                combined = combined | p if spec.get("operator") == "OR" else combined & p
            mask &= combined.fillna(False).astype(bool)
        else:
            mask &= _condition_mask(s, spec).fillna(False).astype(bool)
    return frame[mask]


def sort_frame(frame: pd.DataFrame, sort_model: Sequence[Mapping[str, Any]] | None) -> pd.DataFrame:
    if not sort_model:
        return frame
    cols = [s["colId"] for s in sort_model if s.get("colId") in frame.columns]
    if not cols:
        return frame
    asc = [s.get("sort", "asc") == "asc" for s in sort_model if s.get("colId") in frame.columns]
    return frame.sort_values(cols, ascending=asc, kind="stable", na_position="last")


def to_json_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-able dicts: dates as YYYY-MM-DD, nulls as None."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d")
    records = out.astype(object).where(out.notna(), None).to_dict("records")
    for row in records:
        for k, v in row.items():
            if isinstance(v, np.generic):
                row[k] = v.item()
    return records


def query_rows(
    frame: pd.DataFrame,
    start: int,
    end: int,
    sort_model: Sequence[Mapping[str, Any]] | None = None,
    filter_model: Mapping[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One block of rows after filtering and sorting, and the filtered row count."""
    view = sort_frame(filter_frame(frame, filter_model), sort_model)
    start = max(0, int(start))
    end = max(start, min(int(end), start + 1000))
    return to_json_rows(view.iloc[start:end]), int(len(view))
