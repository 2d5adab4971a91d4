"""The canonical folder format (contracts §1): one CSV per table, canonical headers.

Headers match ignoring case, spaces and punctuation (``Rep ID`` = ``rep_id``), so a
file touched in Excel or written by hand still maps; columns we do not know are
reported once as a notice and otherwise ignored.
"""

from __future__ import annotations

from pathlib import PurePath

import pandas as pd

from crm.importers.problems import Collector
from crm.importers.reading import RawFile, header_key
from crm.importers.validate import SourceTable
from crm.schema import TABLES, Table

TABLE_KEYS = {header_key(t.name): t for t in TABLES}


def table_for_file(name: str) -> Table | None:
    return TABLE_KEYS.get(header_key(PurePath(name).stem))


def source_from_raw(raw: RawFile, spec: Table, collector: Collector) -> SourceTable:
    """Map a canonical file's headers onto ``spec``'s columns."""
    by_key = {header_key(c): c for c in spec.column_names}
    columns: dict[str, pd.Series] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for pos, header in enumerate(raw.header):
        canon = by_key.get(header_key(header))
        if canon is None:
            ignored.append(header or f"(column {pos + 1} has no header)")
            continue
        if canon in columns:
            collector.error(
                raw.name,
                1,
                header,
                f"duplicate column: {headers[canon]!r} already maps to {canon}",
            )
            continue
        columns[canon] = raw.frame[f"c{pos}"]
        headers[canon] = header
    if ignored:
        collector.notice(
            "ignored_columns",
            f"{raw.name}: columns not in the canonical format were ignored",
            len(ignored),
            ignored,
        )
    frame = pd.DataFrame(columns, index=raw.frame.index)
    return SourceTable(
        spec,
        raw.name,
        frame,
        raw.lines,
        headers,
        comma_decimal=raw.comma_decimal,
        day_first=raw.comma_decimal,
    )


def map_canonical(raws: dict[str, RawFile], collector: Collector) -> list[SourceTable]:
    """One SourceTable per recognised file; other files are reported and ignored."""
    out = []
    ignored = []
    for name, raw in raws.items():
        spec = table_for_file(name)
        if spec is None:
            ignored.append(name)
            continue
        out.append(source_from_raw(raw, spec, collector))
    if ignored:
        collector.notice(
            "ignored_files",
            "files that are not canonical tables were ignored",
            len(ignored),
            ignored,
        )
    return out
