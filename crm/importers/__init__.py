"""Importers: CRM exports (canonical folder, Salesforce, Maven CRM) → canonical tables.

Public API: ``import_files`` / ``import_directory`` validate without storing and return
an ``ImportResult``; ``store_import`` writes an accepted result to a workspace. See
docs/importing.md for the formats and how every problem is handled.
"""

from crm.importers.core import (
    FORMATS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    ImportResult,
    detect_format,
    import_directory,
    import_files,
    store_import,
)
from crm.importers.problems import Notice, Problem

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportResult",
    "Notice",
    "Problem",
    "detect_format",
    "import_directory",
    "import_files",
    "store_import",
]
