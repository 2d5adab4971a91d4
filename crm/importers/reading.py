"""Turn uploaded bytes into a table of text cells with exact physical line numbers.

Why two passes: Python's ``csv`` module gives, for every record, its field count and
the physical line it ends on (quoted newlines and blank lines included), which is what
a user needs to find a problem in their file; pandas' C parser then reads the values
several times faster than building Python rows. When the two disagree (ragged rows,
stray quotes) the values are taken from the ``csv`` module alone, which is slower but
exact. Every cell stays text: ids like ``007`` or 18-digit numbers are never inferred.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from array import array
from dataclasses import dataclass

import charset_normalizer
import numpy as np
import pandas as pd

from crm.importers.problems import Collector

DELIMITERS = (",", ";", "\t", "|")
FALLBACK_ENCODINGS = ("gb18030", "cp1252")

_KEY_RE = re.compile(r"[^0-9a-z]+")


def header_key(name: str) -> str:
    """Normalise a header for matching: ``Rep ID``, `` rep_id ``, ``REP_ID`` → ``repid``."""
    return _KEY_RE.sub("", name.strip().lower())


class DecodeFailure(ValueError):
    """The bytes are not text in any encoding we accept."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` and name the encoding used.

    Order (documented in docs/importing.md): a BOM decides (UTF-8 or UTF-16, as Excel's
    "Unicode text" writes); else valid UTF-8 is UTF-8; else charset-normalizer chooses
    between GB18030 (a superset of GBK/GB2312) and cp1252 (Excel on Western Windows).
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(
        data, cp_isolation=list(FALLBACK_ENCODINGS)
    ).best()
    candidates = list(FALLBACK_ENCODINGS)
    if best is not None:
        chosen = codecs.lookup(best.encoding).name
        for name in FALLBACK_ENCODINGS:
            if codecs.lookup(name).name == chosen:
                candidates.remove(name)
                candidates.insert(0, name)
    for name in candidates:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise DecodeFailure("the file is not UTF-8, GB18030/GBK or cp1252 text")


def detect_delimiter(header_line: str) -> str:
    """The most frequent of , ; tab | in the header line (comma when none occurs)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class RawFile:
    """One CSV file read as text: stripped cells, NaN where the cell was empty."""

    name: str
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    frame: pd.DataFrame  # positional columns "c0".."cN" of str dtype
    lines: np.ndarray  # physical line of each row of ``frame``

    def find(self, *keys: str) -> int | None:
        """Position of the first header matching one of ``keys`` (normalised)."""
        wanted = [header_key(k) for k in keys]
        normalised = [header_key(h) for h in self.header]
        for key in wanted:
            if key in normalised:
                return normalised.index(key)
        return None

    def column(self, *keys: str) -> pd.Series | None:
        pos = self.find(*keys)
        return None if pos is None else self.frame[f"c{pos}"]

    def header_of(self, *keys: str) -> str:
        pos = self.find(*keys)
        return keys[0] if pos is None else self.header[pos]

    @property
    def comma_decimal(self) -> bool:
        """Files separated by ``;`` come from locales that write ``1.234,56``."""
        return self.delimiter == ";"


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip cells and turn empty ones into NaN: only truly empty cells are missing."""
    out = {}
    for name in frame.columns:
        s = frame[name].astype("str").str.strip()
        out[name] = s.mask(s == "")
    return pd.DataFrame(out, index=frame.index)


def read_csv_text(
    name: str, text: str, encoding: str, collector: Collector, *, max_rows: int
) -> RawFile | None:
    """Parse decoded CSV text; ragged rows and size problems go to ``collector``."""
    text = _normalise_newlines(text)
    stripped = text.lstrip("\n")
    offset = len(text) - len(stripped)
    text = stripped
    if not text.strip():
        collector.error(name, None, "", "the file is empty (no header row)")
        return None
    first_line = text.split("\n", 1)[0]
    delimiter = detect_delimiter(first_line)

    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    lens = array("q")
    ends = array("q")
    try:
        for row in itertools.islice(reader, max_rows + 2):
            n = len(row)
            if n == 1 and not row[0].strip():
                n = 0
            lens.append(n)
            ends.append(reader.line_num)
    except csv.Error as exc:
        collector.error(name, reader.line_num + offset, "", f"unreadable CSV: {exc}")
        return None
    if len(lens) > max_rows + 1:
        collector.error(
            name,
            None,
            "",
            f"the file has more than {max_rows:,} rows, the most one import accepts",
        )
        return None

    header_row = next(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"'))
    header = tuple(h.strip() for h in header_row)
    if header and header[0].startswith("\ufeff"):
        header = (header[0].lstrip("\ufeff"), *header[1:])
    ncols = len(header)
    lens_np = np.frombuffer(lens, dtype=np.int64)[1:]
    ends_np = np.frombuffer(ends, dtype=np.int64)
    starts = ends_np[:-1] + 1 + offset  # physical start line of each data record

    ragged = np.flatnonzero((lens_np != ncols) & (lens_np != 0))
    for pos in ragged[:1000]:
        n = int(lens_np[pos])
        collector.error(
            name,
            int(starts[pos]),
            "",
            f"row has {n} field{'s' if n != 1 else ''} but the header has {ncols}",
        )
    if len(ragged) > 1000:
        collector.error(
            name,
            int(starts[ragged[1000]]),
            "",
            f"and {len(ragged) - 1000:,} more ragged rows",
        )

    names = [f"c{i}" for i in range(ncols)]
    frame: pd.DataFrame | None = None
    if not len(ragged):
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                quotechar='"',
                header=0,
                names=names,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                engine="c",
            )
        except (pd.errors.ParserError, ValueError):
            frame = None
        if frame is not None and len(frame) != len(lens_np):
            frame = None
    if frame is None:
        frame = _read_exact(text, delimiter, ncols, names)
        keep = lens_np == ncols
    else:
        keep = lens_np != 0
    frame = frame.loc[keep]
    lines = starts[keep]
    frame = _clean(frame.reset_index(drop=True))
    nonblank = frame.notna().any(axis=1).to_numpy()
    if not nonblank.all():
        frame = frame.loc[nonblank].reset_index(drop=True)
        lines = lines[nonblank]
    return RawFile(name, encoding, delimiter, header, frame, lines)


def _read_exact(
    text: str, delimiter: str, ncols: int, names: list[str]
) -> pd.DataFrame:
    """Slow exact path: every record from the csv module, wrong-width rows kept blank."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    next(reader)
    blank = [""] * ncols
    rows = [row if len(row) == ncols else blank for row in reader]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame(
        {
            n: pd.Series(list(col), dtype="str")
            for n, col in zip(names, columns, strict=True)
        }
    )
