"""Import orchestration: bytes in, a validated canonical Dataset (or every problem) out.

An import is all or nothing (contracts §1): ``import_files`` never stores anything,
it returns an ``ImportResult`` that either carries a Dataset or the full list of
problems; ``store_import`` refuses results with errors, and the store writes in one
transaction, so a refused import leaves the workspace as it was.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from crm.dataset import Dataset
from crm.importers import canonical, maven, salesforce
from crm.importers.problems import Collector, Notice, Problem
from crm.importers.reading import (
    DecodeFailure,
    RawFile,
    decode_bytes,
    header_key,
    read_csv_text,
)
from crm.importers.validate import FILE, LINE, SourceTable, apply_rules, parse_table
from crm.schema import TABLES
from crm.store import Workspace

logger = logging.getLogger(__name__)

FORMATS = ("canonical", "salesforce", "maven")
MAX_FILE_BYTES = 1 << 30
MAX_ROWS = 10_000_000

Mapper = Callable[[dict[str, RawFile], Collector], list[SourceTable]]
MAPPERS: dict[str, Mapper] = {
    "canonical": canonical.map_canonical,
    "salesforce": salesforce.map_salesforce,
    "maven": maven.map_maven,
}


@dataclass(frozen=True)
class ImportResult:
    """What an import found: a dataset, or the problems that stop it, and notices."""

    dataset: Dataset | None
    errors: list[Problem]
    warnings: list[Notice]
    encodings: dict[str, str]
    quarantine: list[tuple[str, str, dict[str, Any]]]
    format: str
    files: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.dataset is not None and not self.errors

    def summary(self) -> dict[str, Any]:
        """JSON-ready facts about the import, stored with it as the import report."""
        first, last = (
            (None, None) if self.dataset is None else self.dataset.date_range()
        )
        reasons = Counter(f"{t}: {r}" for t, r, _ in self.quarantine)
        return {
            "format": self.format,
            "ok": self.ok,
            "files": list(self.files),
            "counts": {} if self.dataset is None else self.dataset.counts(),
            "date_range": [
                None if first is None else first.date().isoformat(),
                None if last is None else last.date().isoformat(),
            ],
            "errors": len(self.errors),
            "warnings": [n.as_dict() for n in self.warnings],
            "quarantined": dict(sorted(reasons.items())),
            "encodings": dict(self.encodings),
        }

    def report_text(self) -> str:
        """What the command line prints: every problem, or the summary and warnings."""
        lines: list[str] = []
        if not self.ok:
            n = len(self.errors)
            lines.append(
                f"Import refused ({self.format}): {n} problem{'s' if n != 1 else ''} found, "
                "nothing stored."
            )
            lines += [str(p) for p in self.errors]
        else:
            s = self.summary()
            lines.append(f"Import OK ({self.format}).")
            lines += [
                f"  {name}: {count:,} rows" for name, count in s["counts"].items()
            ]
            first, last = s["date_range"]
            if first:
                lines.append(f"  dates: {first} to {last}")
            if self.quarantine:
                lines.append(f"  quarantined: {len(self.quarantine):,} rows")
                lines += [f"    {k}: {v:,}" for k, v in s["quarantined"].items()]
        if self.warnings:
            lines.append(f"Warnings ({len(self.warnings)}):")
            lines += [f"  - [{w.code}] {w}" for w in self.warnings]
        if self.encodings:
            lines.append(
                "Encodings: "
                + ", ".join(f"{f}: {e}" for f, e in self.encodings.items())
            )
        return "\n".join(lines)


def detect_format(names: list[str], headers: Mapping[str, tuple[str, ...]]) -> str:
    """Guess the format from file names, then from headers (canonical by default)."""
    stems = {header_key(PurePath(n).stem) for n in names}
    if {"salespipeline", "salesteams"} & stems:
        return "maven"
    canonical_only = {
        header_key(t.name) for t in TABLES
    } - salesforce.recognised_stems()
    salesforce_only = salesforce.recognised_stems() - {
        header_key(t.name) for t in TABLES
    }
    keys = {header_key(h) for hs in headers.values() for h in hs}
    if {"dealstage", "salesagent"} & keys:
        return "maven"
    if canonical_only & stems and not salesforce_only & stems:
        return "canonical"
    if salesforce_only & stems:
        return "salesforce"
    if {"stagename", "ownerid", "isclosed"} & keys:
        return "salesforce"
    return "canonical"


def import_files(
    files: Mapping[str, bytes],
    fmt: str = "auto",
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_ROWS,
) -> ImportResult:
    """Validate uploaded CSV files (keyed by file name) into a canonical Dataset.

    ``fmt`` is ``canonical``, ``salesforce``, ``maven`` or ``auto`` (detected from
    file names and headers). Files over ``max_file_bytes`` or with more than
    ``max_rows`` rows are refused with a problem rather than read.
    """
    if fmt not in (*FORMATS, "auto"):
        raise ValueError(
            f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)} or auto"
        )
    collector = Collector()
    encodings: dict[str, str] = {}
    raws: dict[str, RawFile] = {}
    skipped = []
    for path_name, data in files.items():
        name = PurePath(path_name).name
        if not name.lower().endswith((".csv", ".txt")):
            skipped.append(name)
            continue
        if len(data) > max_file_bytes:
            collector.error(
                name,
                None,
                "",
                f"the file is {len(data) / 2**20:,.0f} MiB; the limit is "
                f"{max_file_bytes / 2**20:,.0f} MiB",
            )
            continue
        try:
            text, encoding = decode_bytes(data)
        except DecodeFailure as exc:
            collector.error(name, None, "", str(exc))
            continue
        encodings[name] = encoding
        raw = read_csv_text(name, text, encoding, collector, max_rows=max_rows)
        del text
        if raw is not None:
            raws[name] = raw
    if skipped:
        collector.notice(
            "ignored_files",
            "files that are not CSV were ignored",
            len(skipped),
            skipped,
        )
    if fmt == "auto":
        fmt = detect_format(list(raws), {n: r.header for n, r in raws.items()})
    sources = MAPPERS[fmt](raws, collector)
    return _finish(sources, collector, encodings, fmt, tuple(raws))


def import_directory(
    path: Path,
    fmt: str = "auto",
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_ROWS,
) -> ImportResult:
    """Import the ``*.csv`` files of a folder (sizes checked before reading)."""
    path = Path(path)
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a folder")
    files: dict[str, bytes] = {}
    oversized: list[Problem] = []
    for file in sorted(path.iterdir()):
        if not file.is_file() or file.suffix.lower() != ".csv":
            continue
        size = file.stat().st_size
        if size > max_file_bytes:
            oversized.append(
                Problem(
                    file.name,
                    None,
                    "",
                    f"the file is {size / 2**20:,.0f} MiB; the limit is "
                    f"{max_file_bytes / 2**20:,.0f} MiB",
                )
            )
            continue
        files[file.name] = file.read_bytes()
    result = import_files(files, fmt, max_file_bytes=max_file_bytes, max_rows=max_rows)
    if not oversized:
        return result
    return ImportResult(
        None,
        oversized + result.errors,
        result.warnings,
        result.encodings,
        [],
        result.format,
        result.files,
    )


def _finish(
    sources: list[SourceTable],
    collector: Collector,
    encodings: dict[str, str],
    fmt: str,
    files: tuple[str, ...],
) -> ImportResult:
    parsed: dict[str, list[pd.DataFrame]] = {}
    for src in sources:
        parsed.setdefault(src.table.name, []).append(parse_table(src, collector))
    for spec in TABLES:
        if spec.required and spec.name not in parsed:
            collector.error(
                MAPPERS_FILE_HINT.get(fmt, {}).get(spec.name, spec.file_name),
                None,
                "",
                f"required table {spec.name} is missing",
            )
    if collector.has_errors:
        errors = sorted(collector.errors, key=lambda p: (p.file, p.line or 0))
        return ImportResult(
            None, errors, collector.warnings(), encodings, [], fmt, files
        )
    frames = {
        name: parts[0] if len(parts) == 1 else _concat(parts)
        for name, parts in parsed.items()
    }
    outcome = apply_rules(frames, collector)
    dataset = Dataset.from_frames(
        {n: df.drop(columns=[FILE, LINE]) for n, df in outcome.frames.items()}
    )
    logger.info("imported %s data: %s", fmt, dataset.counts())
    return ImportResult(
        dataset, [], collector.warnings(), encodings, outcome.quarantine, fmt, files
    )


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    files = [str(f) for p in parts for f in p[FILE].cat.categories]
    parts = [p.assign(**{FILE: p[FILE].astype("str")}) for p in parts]
    df = pd.concat(parts, ignore_index=True)
    df[FILE] = pd.Categorical(df[FILE], categories=list(dict.fromkeys(files)))
    return df


MAPPERS_FILE_HINT: dict[str, dict[str, str]] = {
    "salesforce": salesforce.FILE_HINTS,
    "maven": maven.FILE_HINTS,
}


def store_import(workspace: Workspace, result: ImportResult, source: str) -> int:
    """Replace the workspace's actuals with an accepted import; returns the data version.

    Raises ``ValueError`` (storing nothing) when the result has errors.
    """
    if not result.ok or result.dataset is None:
        shown = "; ".join(str(p) for p in result.errors[:5])
        raise ValueError(
            f"import has {len(result.errors)} problem(s), nothing stored: {shown}"
        )
    return workspace.replace_dataset(
        result.dataset,
        source=source,
        fmt=result.format,
        report=result.summary(),
        quarantine=result.quarantine,
    )
