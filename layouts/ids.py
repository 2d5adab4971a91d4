"""Every component id of the app, in one place (kebab-case values).

Why: ids typed twice drift apart; a wiring test checks these are unique and that every
callback's inputs and outputs exist in the validation layout.
"""

from __future__ import annotations

from enum import StrEnum


class Shell(StrEnum):
    URL = "shell-url"
    LANG = "shell-lang"  # dcc.Store(storage_type="local"): the language, kept per browser
    LANG_SWITCH = "shell-lang-switch"
    THEME = "shell-theme"
    THEME_SWITCH = "shell-theme-switch"
    NAV = "shell-nav"
    BRAND = "shell-brand"
    PAGE = "shell-page"
    VERSION = "shell-data-version"  # dcc.Store: the workspace data version last seen
    VERSION_POLL = "shell-version-poll"
    TOAST = "shell-toast"
    THEME_SINK = "shell-theme-sink"


class Home(StrEnum):
    SUMMARY = "home-summary"


class Data(StrEnum):
    UPLOAD = "data-upload"
    FORMAT = "data-format"
    FILES = "data-files"
    REPORT = "data-report"
    IMPORT = "data-import"
    STATUS = "data-status"
    SUMMARY = "data-summary"
    TABLE = "data-table"
    GRID = "data-grid"
    GRID_WRAP = "data-grid-wrap"
    HISTORY = "data-history"


def all_ids() -> list[str]:
    """Every id value declared here (the wiring test checks uniqueness)."""
    values: list[str] = []
    for enum in (Shell, Home, Data):
        values.extend(member.value for member in enum)
    return values
