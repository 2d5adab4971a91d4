"""Problems (fatal) and notices (non-fatal) found while importing.

Why a collector object: validation runs column by column over whole columns, so each
check finds *all* failing rows at once. The collector receives those row positions in
bulk and turns them into located messages only for what will be shown, which keeps a
two-million-row import from building millions of Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

MAX_EXAMPLES = 5
MAX_ERRORS_PER_CHECK = 1000


@dataclass(frozen=True)
class Problem:
    """A fatal problem at one place: ``str()`` gives ``file:line: column: message``.

    ``line`` is the 1-based physical line in the file (the header is line 1) or None
    for a problem with the file as a whole (a missing file); ``column`` is the column
    header as written in the file, or "" when the problem is not about one column.
    """

    file: str
    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.column}: {self.message}"
            if self.column
            else f"{where}: {self.message}"
        )


@dataclass(frozen=True)
class Notice:
    """A non-fatal problem: what happened, how often, a few examples and what we did."""

    code: str
    message: str
    count: int
    examples: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.message} ({self.count:,} {'row' if self.count == 1 else 'rows'})"
        if self.examples:
            text += "; e.g. " + "; ".join(self.examples)
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "examples": list(self.examples),
        }


Locator = Callable[[int], tuple[str, int | None]]
"""Maps a row position of the table being checked to (file, line)."""


@dataclass
class Collector:
    """Accumulates problems and notices for one import (or one event batch)."""

    errors: list[Problem] = field(default_factory=list)
    notices: dict[tuple[str, str], Notice] = field(default_factory=dict)
    suppressed: int = 0

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or self.suppressed > 0

    def error(self, file: str, line: int | None, column: str, message: str) -> None:
        self.errors.append(Problem(file, line, column, message))

    def row_errors(
        self,
        rows: np.ndarray,
        locate: Locator,
        column: str,
        message: str,
        values: Sequence[object] | None = None,
    ) -> None:
        """One problem per failing row, capped so a broken column cannot flood memory.

        ``values`` (aligned with ``rows``) are quoted after the message, so the user
        sees what was in the cell.
        """
        rows = np.asarray(rows)
        if not len(rows):
            return
        shown = rows[:MAX_ERRORS_PER_CHECK]
        for i, pos in enumerate(shown):
            file, line = locate(int(pos))
            text = message if values is None else f"{message}: {values[i]!r}"
            self.errors.append(Problem(file, line, column, text))
        hidden = len(rows) - len(shown)
        if hidden:
            file, line = locate(int(rows[len(shown)]))
            self.suppressed += hidden
            self.errors.append(
                Problem(
                    file,
                    line,
                    column,
                    f"{message} (and {hidden:,} more rows with this problem, not listed)",
                )
            )

    def notice(
        self, code: str, message: str, count: int, examples: Sequence[str] = ()
    ) -> None:
        """Record a non-fatal problem; the same code and message add up."""
        if count <= 0:
            return
        key = (code, message)
        if key in self.notices:
            old = self.notices[key]
            merged = (*old.examples, *examples)[:MAX_EXAMPLES]
            self.notices[key] = Notice(code, message, old.count + count, merged)
        else:
            self.notices[key] = Notice(
                code, message, count, tuple(examples)[:MAX_EXAMPLES]
            )

    def warnings(self) -> list[Notice]:
        return list(self.notices.values())
