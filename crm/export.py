"""CSV out of the app: the canonical folder writer and formula-safe downloads.

Why one module: every CSV the app hands to a person may be opened in a spreadsheet,
so every export goes through :func:`csv_safe` (a cell such as ``=cmd|' /C calc'!A0``
would otherwise run as a formula), and every value is written the one way the
canonical importer reads back (contracts §1): dates ``YYYY-MM-DD``, booleans
``true``/``false``, plain decimals, and an empty cell for a missing value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crm.dataset import Dataset
from crm.schema import TABLES

# A cell starting with one of these is run as a formula by Excel, LibreOffice, Sheets.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
# …except a negative number, which spreadsheets read as the number it is.
_PLAIN_NEGATIVE = r"-(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def _is_text(s: pd.Series) -> bool:
    return bool(
        pd.api.types.is_string_dtype(s.dtype)
        or s.dtype == object
        or isinstance(s.dtype, pd.CategoricalDtype)
    )


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Text cells starting with ``= + - @``, a tab or a carriage return get a leading
    apostrophe (the spreadsheet convention for "this is text"), except negative
    numbers such as ``-5`` or ``-1.25``, which stay numbers. Numeric, date and boolean
    columns are left alone: they cannot hold a formula.
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if not _is_text(s):
            continue
        text = s.astype("str")
        first = text.str.slice(0, 1)
        risky = first.isin(FORMULA_TRIGGERS) & s.notna()
        if not risky.any():
            continue
        risky &= ~text.str.fullmatch(_PLAIN_NEGATIVE).fillna(False).astype(bool)
        if not risky.any():
            continue
        fixed = text.where(~risky, "'" + text)
        out[col] = fixed.where(s.notna(), None).astype("str")
    return out


def _decimals(values: np.ndarray) -> int | None:
    """The fewest decimals (0–6) that print every value exactly, if any do."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 0
    if np.abs(finite).max() >= 1e15:
        return None
    for d in range(7):
        if np.array_equal(np.round(finite, d), finite):
            return d
    return None


def _float_text(values: np.ndarray) -> np.ndarray:
    """Plain decimal text (never ``1e+06``), exact for what a CRM stores."""
    missing = ~np.isfinite(values)
    d = _decimals(values)
    filled = np.where(missing, 0.0, values)
    if d == 0:
        text = np.round(filled).astype(np.int64).astype(str).astype(object)
    elif d is not None:
        text = np.array([f"{v:.{d}f}" for v in filled], dtype=object)
    else:
        text = np.array(
            [np.format_float_positional(v, trim="-") for v in filled], dtype=object
        )
    return np.where(missing, "", text)


def _date_text(s: pd.Series) -> np.ndarray:
    """``YYYY-MM-DD`` (or ``YYYY-MM-DDTHH:MM:SS`` when a time is set), formatting
    each distinct value once: millions of activities share a few hundred dates."""
    codes, uniques = pd.factorize(s.to_numpy(dtype="datetime64[ns]"))
    values = np.asarray(uniques, dtype="datetime64[ns]")
    days = values.astype("datetime64[D]")
    if np.array_equal(days.astype("datetime64[ns]"), values):
        text = np.datetime_as_string(days, unit="D").astype(object)
    else:
        text = np.datetime_as_string(values.astype("datetime64[s]"), unit="s").astype(object)
    return np.append(text, "")[codes]  # code -1 (NaT) picks the trailing ""


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text the canonical format writes (empty for a null)."""
    cols: dict[str, np.ndarray | pd.Series] = {}
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            cols[col] = _date_text(s)
        elif pd.api.types.is_bool_dtype(s.dtype):
            missing = s.isna().to_numpy()
            flags = s.fillna(False).to_numpy(dtype=bool)
            cols[col] = np.where(missing, "", np.where(flags, "true", "false")).astype(object)
        elif pd.api.types.is_integer_dtype(s.dtype):
            missing = s.isna().to_numpy()
            ints = s.fillna(0).to_numpy(dtype=np.int64)
            cols[col] = np.where(missing, "", ints.astype(str).astype(object))
        elif pd.api.types.is_float_dtype(s.dtype):
            cols[col] = _float_text(s.to_numpy(dtype=float, na_value=np.nan))
        elif pd.api.types.is_string_dtype(s.dtype):
            cols[col] = s.fillna("")
        else:
            cols[col] = s.astype("str").fillna("")
    return pd.DataFrame(cols, index=frame.index)


def write_canonical(
    dataset: Dataset, out_dir: Path, *, formula_safe: bool = False
) -> list[Path]:
    """Write every table as ``<table>.csv`` in ``out_dir`` (contracts §1); return paths.

    Columns are the canonical ones in canonical order; files are UTF-8 without a BOM
    and with ``\\n`` line ends. The canonical folder is a data-interchange format that
    must re-import to the same values, so cells are written as they are by default;
    with ``formula_safe`` text cells that a spreadsheet would run as a formula get a
    leading apostrophe (see ``csv_safe``), as every download meant for a spreadsheet does.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in TABLES:
        frame = getattr(dataset, spec.name)[list(spec.column_names)]
        if formula_safe:
            frame = csv_safe(frame)
        path = out_dir / spec.file_name
        as_text(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A browser download: formula-safe CSV in UTF-8 with a BOM (so Excel reads 中文)."""
    text = as_text(csv_safe(frame)).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")
