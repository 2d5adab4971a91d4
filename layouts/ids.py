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
    PRESENT = "shell-present"  # dcc.Store(session): presentation mode on the shared screen
    PRESENT_SWITCH = "shell-present-switch"
    PRESENT_SINK = "shell-present-sink"
    VIEW_QUERY = "shell-view-query"  # dcc.Store: the current page's view as a URL query
    URL_SINK = "shell-url-sink"
    SHARE = "shell-share"
    SHARE_MODAL = "shell-share-modal"
    SHARE_TITLE = "shell-share-title"
    SHARE_URL = "shell-share-url"
    SHARE_HELP = "shell-share-help"
    SNAP_NAME = "shell-snap-name"
    SNAP_NAME_LABEL = "shell-snap-name-label"
    SNAP_NOTE_LABEL = "shell-snap-note-label"
    SNAP_NOTE = "shell-snap-note"
    SNAP_SAVE = "shell-snap-save"
    SNAP_STATUS = "shell-snap-status"


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
    EXPORT = "data-export"
    DOWNLOAD = "data-download"
    HISTORY = "data-history"


class Sotu(StrEnum):
    """State of the Union dashboard. The shared filter bar and drill-down use the same member names on every page."""

    AS_OF = "sotu-as-of"
    TEAM = "sotu-team"
    MANAGER = "sotu-manager"
    REGION = "sotu-region"
    REP = "sotu-rep"
    LINK = "sotu-link"
    VIEW = "sotu-view"  # dcc.Store: the as-of date and filters last rendered
    KPIS = "sotu-kpis"
    DRILL_TARGET = "sotu-drill-target"
    DRILL_KIND = "sotu-drill-kind"
    DRILL_TITLE = "sotu-drill-title"
    DRILL_GRID = "sotu-drill-grid"
    TOPS = "sotu-tops"
    FORECAST = "sotu-forecast"
    SIM_RANGE = "sotu-sim-range"  # the calibrated model's month-end P10–P90
    NOTABLE_OPEN = "sotu-notable-open"
    NOTABLE_CLOSED = "sotu-notable-closed"
    LEADERBOARD = "sotu-leaderboard"
    TEAMS = "sotu-teams"
    TREND = "sotu-trend"


class Amp(StrEnum):
    """AMP dashboard: activities, meetings, pipeline. The shared filter bar and drill-down use the same member names on every page."""

    AS_OF = "amp-as-of"
    TEAM = "amp-team"
    MANAGER = "amp-manager"
    REGION = "amp-region"
    REP = "amp-rep"
    LINK = "amp-link"
    VIEW = "amp-view"  # dcc.Store: the as-of date and filters last rendered
    KPIS = "amp-kpis"
    DRILL_TARGET = "amp-drill-target"
    DRILL_KIND = "amp-drill-kind"
    DRILL_TITLE = "amp-drill-title"
    DRILL_GRID = "amp-drill-grid"
    FUNNEL = "amp-funnel"
    COMPARE = "amp-compare"
    WEEKLY = "amp-weekly"
    QUADRANT = "amp-quadrant"
    REP_GRID = "amp-rep-grid"
    TEAMS = "amp-teams"
    FLAGGED = "amp-flagged"


class PipeGen(StrEnum):
    """Daily Pipe Gen dashboard. The shared filter bar and drill-down use the same member names on every page."""

    AS_OF = "pipegen-as-of"
    TEAM = "pipegen-team"
    MANAGER = "pipegen-manager"
    REGION = "pipegen-region"
    REP = "pipegen-rep"
    LINK = "pipegen-link"
    VIEW = "pipegen-view"  # dcc.Store: the as-of date and filters last rendered
    KPIS = "pipegen-kpis"
    DRILL_TARGET = "pipegen-drill-target"
    DRILL_KIND = "pipegen-drill-kind"
    DRILL_TITLE = "pipegen-drill-title"
    DRILL_GRID = "pipegen-drill-grid"
    DAILY = "pipegen-daily"
    TEAMS = "pipegen-teams"
    REPS = "pipegen-reps"
    MIX = "pipegen-mix"


class Clean(StrEnum):
    """Clean Your Room dashboard: CRM hygiene. The shared filter bar and drill-down use the same member names on every page."""

    AS_OF = "clean-as-of"
    TEAM = "clean-team"
    MANAGER = "clean-manager"
    REGION = "clean-region"
    REP = "clean-rep"
    LINK = "clean-link"
    VIEW = "clean-view"  # dcc.Store: the as-of date and filters last rendered
    KPIS = "clean-kpis"
    DRILL_TARGET = "clean-drill-target"
    DRILL_KIND = "clean-drill-kind"
    DRILL_TITLE = "clean-drill-title"
    DRILL_GRID = "clean-drill-grid"
    LEADERBOARD = "clean-leaderboard"
    RULES = "clean-rules"
    QUEUE = "clean-queue"
    DOWNLOAD_BUTTON = "clean-download-button"
    DOWNLOAD = "clean-download"


class Workshop(StrEnum):
    SNAPSHOTS = "workshop-snapshots"
    DECISIONS = "workshop-decisions"
    DEC_WHAT = "workshop-decision-what"
    DEC_NOTE = "workshop-decision-note"
    DEC_ADD = "workshop-decision-add"
    DEC_STATUS = "workshop-decision-status"
    PACK = "workshop-pack"
    PACK_AS_OF = "workshop-pack-as-of"
    PACK_BUILD = "workshop-pack-build"
    PACK_CANCEL = "workshop-pack-cancel"
    PACK_PROGRESS = "workshop-pack-progress"
    PACK_DOWNLOAD = "workshop-pack-download"
    PACK_STATUS = "workshop-pack-status"


class Scenario(StrEnum):
    """The Scenario page: levers, runs, results, saved scenarios.

    ``LEVER`` and ``LEVER_FEEDBACK`` are pattern-matching types: each lever input is
    ``lever_id(key)`` (``{"type": "scenario-lever", "key": "ramp_months"}``), so one
    validation callback reads every lever, including those that exist per deal type
    or per team, and marks the bad ones next to the field.
    """

    AS_OF = "scenario-as-of"
    SAVED = "scenario-saved"
    LOAD = "scenario-load"
    DUPLICATE = "scenario-duplicate"
    NAME = "scenario-name"
    NAME_FEEDBACK = "scenario-name-feedback"
    SAVE = "scenario-save"
    SAVE_STATUS = "scenario-save-status"
    LOADED = "scenario-loaded"  # dcc.Store: the saved scenario to apply to the form
    BASELINE_INFO = "scenario-baseline-info"
    FORM = "scenario-form"
    LEVER = "scenario-lever"
    LEVER_FEEDBACK = "scenario-lever-feedback"
    SEASONALITY = "scenario-seasonality"
    HIRE_TEAM = "scenario-hire-team"
    HIRE_START = "scenario-hire-start"
    HIRE_RAMP = "scenario-hire-ramp"
    HIRE_ADD = "scenario-hire-add"
    HIRE_REMOVE = "scenario-hire-remove"
    HIRE_FEEDBACK = "scenario-hire-feedback"
    HIRES = "scenario-hires"
    ERRORS = "scenario-errors"
    LEVERS = "scenario-levers"  # dcc.Store: the validated levers (small JSON)
    RUN = "scenario-run"
    CANCEL = "scenario-cancel"
    PROGRESS = "scenario-progress"
    STATUS = "scenario-status"
    RESULT = "scenario-result"  # dcc.Store: the inputs of the last run (its cache key)
    SCOPE = "scenario-scope"
    KPIS = "scenario-kpis"
    BANDS = "scenario-bands"
    DELTA = "scenario-delta"
    HISTOGRAM = "scenario-histogram"
    PROB = "scenario-prob"
    PROB_GRID = "scenario-prob-grid"


def lever_id(key: str) -> dict[str, str]:
    """The pattern-matching id of one lever input (``key`` names the lever)."""
    return {"type": Scenario.LEVER.value, "key": key}


def lever_feedback_id(key: str) -> dict[str, str]:
    """The id of the message shown under a lever's input when its value is refused."""
    return {"type": Scenario.LEVER_FEEDBACK.value, "key": key}


class Plans(StrEnum):
    """The Plans page: pick, carve, edit, rebalance, compare and simulate plans."""

    REVISION = "plans-revision"  # dcc.Store: bumped after every save, refreshes the views
    SELECT = "plans-select"
    READONLY = "plans-readonly"
    NAME = "plans-name"
    DUPLICATE = "plans-duplicate"
    RENAME = "plans-rename"
    DELETE = "plans-delete"
    EXPORT_JSON = "plans-export-json"
    EXPORT_CSV = "plans-export-csv"
    DOWNLOAD = "plans-download"
    UPLOAD = "plans-upload"
    STATUS = "plans-status"
    CARVE_NAME = "plans-carve-name"
    CARVE_K = "plans-carve-k"
    CARVE_BY = "plans-carve-by"
    CARVE = "plans-carve"
    KPIS = "plans-kpis"
    TABS = "plans-tabs"
    FAIRNESS = "plans-fairness"
    MAP = "plans-map"
    GRID = "plans-grid"
    BULK_FIELD = "plans-bulk-field"
    BULK_VALUE = "plans-bulk-value"
    BULK_TO = "plans-bulk-to"
    BULK_MOVE = "plans-bulk-move"
    REB_BY = "plans-reb-by"
    REB_ACCOUNTS = "plans-reb-accounts"
    REB_PIPELINE = "plans-reb-pipeline"
    REB_NAME = "plans-reb-name"
    REBALANCE = "plans-rebalance"
    REB_SUMMARY = "plans-reb-summary"
    MOVES = "plans-moves"
    TBH_ID = "plans-tbh-id"
    TBH_NAME = "plans-tbh-name"
    TBH_START = "plans-tbh-start"
    TBH_COVER = "plans-tbh-cover"
    TBH_ADD = "plans-tbh-add"
    TBH_TABLE = "plans-tbh-table"
    CMP_PLANS = "plans-cmp-plans"
    CMP_REPS = "plans-cmp-reps"
    CMP_SEED = "plans-cmp-seed"
    CMP_RUN = "plans-cmp-run"
    CMP_CANCEL = "plans-cmp-cancel"
    CMP_PROGRESS = "plans-cmp-progress"
    CMP_STATUS = "plans-cmp-status"
    CMP_TABLE = "plans-cmp-table"
    CMP_TEAM = "plans-cmp-team"
    CMP_CHANCE = "plans-cmp-chance"
    CMP_ATTRITION = "plans-cmp-attrition"
    MID_NOW = "plans-mid-now"
    MID_NEW = "plans-mid-new"
    MID_MONTH = "plans-mid-month"
    MID_REPS = "plans-mid-reps"
    MID_SEED = "plans-mid-seed"
    MID_RUN = "plans-mid-run"
    MID_CANCEL = "plans-mid-cancel"
    MID_PROGRESS = "plans-mid-progress"
    MID_SUMMARY = "plans-mid-summary"
    MID_FIGURE = "plans-mid-figure"
    CHOSEN = "plans-chosen"  # dcc.Store(session): the plan last picked, kept across a language switch


class Review(StrEnum):
    """Simulated vs actual: the monthly review of a plan against reality."""

    SOURCE = "review-source"
    START = "review-start"
    AS_OF = "review-as-of"
    REPLICATIONS = "review-replications"
    RUN = "review-run"
    CANCEL = "review-cancel"
    PROGRESS = "review-progress"
    STATUS = "review-status"
    REQUEST = "review-request"  # dcc.Store (session): the parameters of the last run
    SCOPE = "review-scope"
    METRIC = "review-metric"
    LINK = "review-link"
    KPIS = "review-kpis"
    CHART = "review-chart"
    TABLE = "review-table"
    DRIVERS = "review-drivers"
    DRIVER_TEXT = "review-driver-text"
    DRIVER_TABLE = "review-driver-table"


def all_ids() -> list[str]:
    """Every id value declared here (the wiring test checks uniqueness)."""
    values: list[str] = []
    for enum in (Shell, Home, Data, Sotu, Amp, PipeGen, Clean, Plans, Workshop, Scenario, Review):
        values.extend(member.value for member in enum)
    return values
