"""Vectorised parsers for text cells: dates, numbers, booleans, months and enums.

Every parser takes a ``str`` Series (NaN = empty cell) and returns the parsed values
plus a boolean mask of cells that are present but unparseable, so validation can report
every failing row of a column in one step. Low-cardinality columns (dates, flags,
enums) are parsed once per distinct value and mapped back with ``pd.factorize``: two
million activity dates hold only a few hundred distinct strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
MIN_DATE = pd.Timestamp("1900-01-01")
MAX_DATE = pd.Timestamp("2199-12-31")

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
        )
    )
}
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp][Mm])?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?)?"
_ISO_RE = rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}$"
_COMPACT_RE = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_NUMERIC_DMY_RE = rf"^(?P<a>\d{{1,2}})(?P<sep>[/.\-])(?P<b>\d{{1,2}})[/.\-](?P<y>\d{{4}}|\d{{2}}){_TIME}$"
_NAMED_DMY_RE = (
    r"^(?P<d>\d{1,2})[- ](?P<mon>[A-Za-z]{3})[A-Za-z]*\.?[- ,]+(?P<y>\d{4}|\d{2})$"
)
_NAMED_MDY_RE = r"^(?P<mon>[A-Za-z]{3})[A-Za-z]*\.? (?P<d>\d{1,2}),? (?P<y>\d{4})$"
_SERIAL_RE = r"^\d{1,7}(?:\.\d+)?$"


def _factorize(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    codes, uniques = pd.factorize(s)
    return codes, pd.Series(np.asarray(uniques, dtype=object), dtype="str")


def _expand(codes: np.ndarray, parsed: np.ndarray, fill: object) -> np.ndarray:
    """Map per-unique results back to rows; ``fill`` where the cell was empty."""
    out = np.empty(len(codes), dtype=parsed.dtype)
    present = codes >= 0
    out[present] = parsed[codes[present]]
    out[~present] = fill
    return out


def _year(y: pd.Series) -> pd.Series:
    """Two-digit years as Excel reads them: 00-29 → 2000s, 30-99 → 1900s."""
    y = pd.to_numeric(y, errors="coerce")
    return y.where(y >= 100, np.where(y < 30, 2000 + y, 1900 + y))


def _ymd(y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    parts = pd.DataFrame(
        {
            "year": pd.to_numeric(y, errors="coerce"),
            "month": pd.to_numeric(m, errors="coerce"),
            "day": pd.to_numeric(d, errors="coerce"),
        }
    )
    ok = parts.notna().all(axis=1)
    result = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[ns]")
    if ok.any():
        sub = parts.loc[ok].astype("int64")
        valid = sub["month"].between(1, 12) & sub["day"].between(1, 31)
        sub = sub.loc[valid]
        if len(sub):
            result.loc[sub.index] = pd.to_datetime(sub, errors="coerce")
    return result


@dataclass(frozen=True)
class DateParse:
    """Parsed dates plus what the parser had to decide, for the import's notices."""

    values: np.ndarray  # datetime64[ns], NaT where empty or bad
    bad: np.ndarray  # bool: present but not a date
    excel_serials: int = 0  # rows written as Excel serial day numbers
    ambiguous_order: str | None = None  # "month/day" or "day/month" when guessed
    ambiguous_rows: int = 0


def parse_dates(s: pd.Series, *, day_first: bool = False) -> DateParse:
    """Dates in the formats documented in docs/importing.md.

    ``YYYY-MM-DD`` (also with ``/`` or ``.``, and with a time part, which is dropped:
    the date is taken as written), ``YYYYMMDD``, ``M/D/YYYY`` or ``D/M/YYYY`` (the
    order is inferred from the column: a first number above 12 means day first, a
    second above 12 means month first; otherwise ``day_first`` decides and the
    guess is reported), ``D.M.YYYY`` (always day first), ``7-Mar-2024``,
    ``Mar 7, 2024`` and Excel serial day numbers (``45358`` = 2024-03-07).
    """
    codes, u = _factorize(s)
    result = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    done = pd.Series(False, index=u.index)
    serial_mask = pd.Series(False, index=u.index)
    order: str | None = None
    ambiguous_uniques = pd.Series(False, index=u.index)

    if len(u):
        iso = u.str.extract(_ISO_RE)
        hit = iso["y"].notna()
        if hit.any():
            result[hit] = _ymd(iso.loc[hit, "y"], iso.loc[hit, "m"], iso.loc[hit, "d"])
            done |= hit

        rest = ~done
        if rest.any():
            comp = u[rest].str.extract(_COMPACT_RE)
            hit = comp["y"].notna()
            idx = comp.index[hit]
            if len(idx):
                result[idx] = _ymd(
                    comp.loc[idx, "y"], comp.loc[idx, "m"], comp.loc[idx, "d"]
                )
                done[idx] = True

        rest = ~done
        if rest.any():
            num = u[rest].str.extract(_NUMERIC_DMY_RE)
            num = num.loc[num["a"].notna()]
            if len(num):
                a = pd.to_numeric(num["a"])
                b = pd.to_numeric(num["b"])
                dotted = num["sep"] == "."
                slash = ~dotted
                if (slash & (a > 12)).any():
                    first_is_day = True
                elif (slash & (b > 12)).any():
                    first_is_day = False
                else:
                    first_is_day = day_first
                    if slash.any():
                        order = "day/month" if day_first else "month/day"
                        ambiguous_uniques[num.index[slash]] = True
                day = np.where(dotted | first_is_day, a, b)
                month = np.where(dotted | first_is_day, b, a)
                result[num.index] = _ymd(
                    _year(num["y"]),
                    pd.Series(month, index=num.index),
                    pd.Series(day, index=num.index),
                )
                done[num.index] = True

        rest = ~done
        if rest.any():
            for pattern in (_NAMED_DMY_RE, _NAMED_MDY_RE):
                named = u[~done].str.extract(pattern)
                named = named.loc[named["y"].notna()]
                if len(named):
                    month = named["mon"].str.lower().map(_MONTHS)
                    result[named.index] = _ymd(_year(named["y"]), month, named["d"])
                    done[named.index] = True

        rest = ~done
        if rest.any():
            cand = u[rest]
            hit = cand.str.match(_SERIAL_RE)
            idx = cand.index[hit.to_numpy(dtype=bool)]
            if len(idx):
                days = np.floor(pd.to_numeric(cand[idx]).to_numpy(dtype="float64"))
                ok = (days >= 1) & (days <= 2958465)
                good = idx[ok]
                result[good] = EXCEL_EPOCH + pd.to_timedelta(days[ok], unit="D")
                serial_mask[good] = True
                done[good] = True

        out_of_range = result.notna() & ((result < MIN_DATE) | (result > MAX_DATE))
        result[out_of_range] = pd.NaT

    parsed = result.to_numpy(dtype="datetime64[ns]")
    values = _expand(codes, parsed, np.datetime64("NaT", "ns"))
    bad = (codes >= 0) & np.isnat(values)
    serial_rows = (
        int(_expand(codes, serial_mask.to_numpy(), False).sum())
        if serial_mask.any()
        else 0
    )
    ambiguous_rows = (
        int(_expand(codes, ambiguous_uniques.to_numpy(), False).sum()) if order else 0
    )
    return DateParse(values, bad, serial_rows, order, ambiguous_rows)


_SPACES_RE = r"[\s\u00a0\u202f']"


def _decimal_separator(t: pd.Series, comma_decimal: bool) -> str:
    """Infer a column's decimal separator (documented in docs/importing.md)."""
    has_dot = t.str.contains(".", regex=False)
    has_comma = t.str.contains(",", regex=False)
    both = t[has_dot & has_comma]
    if len(both):
        comma_last = both.str.rfind(",") > both.str.rfind(".")
        return "," if comma_last.mean() >= 0.5 else "."
    if comma_decimal:
        dot_decimal = t[has_dot].str.contains(r"\.(?!\d{3}(?:\D|$))", regex=True)
        if not has_comma.any() and dot_decimal.any():
            return "."
        return ","
    return "."


def parse_decimals(
    s: pd.Series, *, comma_decimal: bool = False, percent: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers as written by people and spreadsheets; returns (float64, bad mask).

    Accepts ``1234.56``, ``"1,234.56"``, ``1.234,56`` and ``1 234,56`` (the decimal
    separator is inferred per column), a leading sign, ``.5`` and ``1.5E+06``.
    Thousands separators must group by three, so ``1,5`` in a comma-decimal-point
    column is refused rather than guessed. ``percent`` allows a trailing ``%``.
    """
    values = np.full(len(s), np.nan)
    bad = np.zeros(len(s), dtype=bool)
    present = s.notna().to_numpy()
    if not present.any():
        return values, bad
    t = s[present].str.replace(_SPACES_RE, "", regex=True)
    if percent:
        t = t.str.removesuffix("%")
    dec = _decimal_separator(t, comma_decimal)
    thou = "," if dec == "." else "."
    d, th = re.escape(dec), re.escape(thou)
    pattern = rf"^[+-]?(?:\d{{1,3}}(?:{th}\d{{3}})+|\d+)?(?:{d}\d+)?$"
    sci = r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$"
    ok = t.str.match(pattern) & t.str.contains(r"\d", regex=True)
    if dec == ".":
        ok |= t.str.match(sci)
    ok = ok.to_numpy(dtype=bool).copy()
    cleaned = t.str.replace(thou, "", regex=False)
    if dec == ",":
        cleaned = cleaned.str.replace(",", ".", regex=False)
    nums = pd.to_numeric(cleaned.where(ok), errors="coerce").to_numpy(dtype="float64")
    ok &= np.isfinite(nums)
    idx = np.flatnonzero(present)
    values[idx[ok]] = nums[ok]
    bad[idx[~ok]] = True
    return values, bad


TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})


def parse_bools(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """true/false, 1/0, yes/no in any case; returns (values, present, bad)."""
    codes, u = _factorize(s)
    low = u.str.lower()
    t = low.isin(TRUE_WORDS).to_numpy()
    f = low.isin(FALSE_WORDS).to_numpy()
    values = _expand(codes, t, False)
    known = _expand(codes, t | f, False)
    present = codes >= 0
    return values, present, present & ~known


def parse_months(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY-MM`` (also ``YYYY/MM`` or a full date); returns (``YYYY-MM`` text, bad)."""
    codes, u = _factorize(s)
    m = u.str.extract(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?$")
    month = pd.to_numeric(m[1], errors="coerce")
    ok = m[0].notna() & month.between(1, 12)
    text = (
        m[0] + "-" + month.fillna(0).astype("int64").astype("str").str.zfill(2)
    ).where(ok)
    parsed = text.to_numpy(dtype=object)
    values = _expand(codes, parsed, None)
    bad = (codes >= 0) & ~_expand(codes, ok.to_numpy(), False)
    return values, bad


def enum_key(value: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", value.lower())


def parse_enum(
    s: pd.Series, choices: tuple[str, ...], aliases: Mapping[str, str] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Match values to ``choices`` ignoring case, spaces and punctuation.

    ``aliases`` maps extra normalised keys (see ``enum_key``) to a choice. Returns
    (canonical text or None, unknown mask).
    """
    table = {enum_key(c): c for c in choices}
    for key, value in (aliases or {}).items():
        table[enum_key(key)] = value
    codes, u = _factorize(s)
    mapped = u.map(lambda v: table.get(enum_key(v)))
    parsed = mapped.to_numpy(dtype=object)
    values = _expand(codes, parsed, None)
    unknown = (codes >= 0) & pd.isna(values)
    return values, unknown


def map_uniques(s: pd.Series, func: Callable[[str], str | None]) -> pd.Series:
    """Apply a Python function once per distinct value (NaN stays NaN)."""
    codes, u = _factorize(s)
    parsed = np.asarray([func(v) for v in u], dtype=object)
    return pd.Series(_expand(codes, parsed, None), index=s.index, dtype="str")
