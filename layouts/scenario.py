"""The Scenario page: levers on the calibrated baseline, a background run with partial
bands, results per scope, the comparison with the baseline, saved scenarios.

Why the lever form is built by a callback (``lever_form``) and not by ``layout``:
the levers that exist depend on the baseline (one mix and size per deal type, one SE
count per team), and the baseline depends on the workspace and the as-of date, which
a pure layout cannot read. Every lever input has a pattern-matching id
(``layouts.ids.lever_id``) and ``persistence`` so an edit survives the language
switch, which re-renders the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from layouts.dashboards import common
from layouts.i18n import t
from layouts.ids import Scenario, lever_feedback_id, lever_id

DEFAULT_REPLICATIONS = 200
DEFAULT_SEED = 0
MAX_REPLICATIONS = 5000
NAME_MAX = 80


@dataclass(frozen=True)
class LeverSpec:
    """One numeric lever: the scenario field it sets and how it is shown.

    ``scale`` converts the model's unit to the one people read (a monthly hazard of
    0.015 is shown as 1.5 %); limits in error messages are scaled the same way.
    """

    key: str
    group: str
    step: float
    scale: float = 1.0
    integer: bool = False


SCALAR_LEVERS: tuple[LeverSpec, ...] = (
    LeverSpec("ramp_months", "people", 0.5),
    LeverSpec("attrition_base_monthly_hazard", "people", 0.1, scale=100.0),
    LeverSpec("attrition_behind_quota_multiplier", "people", 0.1),
    LeverSpec("backfill_delay_days", "people", 1.0),
    LeverSpec("activity_rate_multiplier", "funnel", 0.05),
    LeverSpec("meeting_conversion_multiplier", "funnel", 0.05),
    LeverSpec("opportunity_conversion_multiplier", "funnel", 0.05),
    LeverSpec("win_rate_multiplier", "funnel", 0.05),
    LeverSpec("deal_size_multiplier", "deals", 0.05),
    LeverSpec("cycle_length_multiplier", "deals", 0.05),
)
RUN_LEVERS: tuple[LeverSpec, ...] = (
    LeverSpec("replications", "run", 1.0, integer=True),
    LeverSpec("seed", "run", 1.0, integer=True),
)
MIX = LeverSpec("mix", "deals", 1.0, scale=100.0)
SIZE = LeverSpec("size", "deals", 1000.0)
SE = LeverSpec("se", "se", 1.0, integer=True)
DYNAMIC = {spec.key: spec for spec in (MIX, SIZE, SE)}
BY_KEY = {spec.key: spec for spec in SCALAR_LEVERS + RUN_LEVERS}


def spec_of(key: str) -> LeverSpec:
    """The spec of a lever key (``ramp_months``, ``mix:add_on``, ``se:Team A``)."""
    return BY_KEY.get(key) or DYNAMIC[key.split(":", 1)[0]]


def deal_label(name: str, lang: str) -> str:
    """A deal type's name for people (calibration's three types are translated)."""
    key = f"scen.deal.{name}"
    try:
        return t(key, lang)
    except KeyError:
        return name.replace("_", " ")


def lever_label(key: str, lang: str) -> str:
    kind, _, arg = key.partition(":")
    if kind == "mix":
        return t("scen.lever.mix", lang, deal=deal_label(arg, lang))
    if kind == "size":
        return t("scen.lever.size", lang, deal=deal_label(arg, lang))
    if kind == "se":
        return t("scen.lever.se", lang, team=arg)
    return t(f"scen.lever.{key}", lang)


def lever_input(key: str, value: Any, lang: str) -> Component:
    """A labelled number input with its feedback line (filled when refused)."""
    spec = spec_of(key)
    return dbc.Col(
        [
            dbc.Label(lever_label(key, lang), class_name="small mb-0"),
            dbc.Input(
                id=lever_id(key),
                type="number",
                value=value,
                step=spec.step if not spec.integer else 1,
                size="sm",
                debounce=True,
                persistence=True,
                persistence_type="session",
            ),
            dbc.FormFeedback("", id=lever_feedback_id(key), type="invalid"),
        ],
        xs=6,
        class_name="mb-2",
    )


def _group(title_key: str, inputs: Sequence[Component], lang: str, hint_key: str | None = None) -> Component:
    title = t(title_key, lang) + (f" · {t(hint_key, lang)}" if hint_key else "")
    return html.Div([html.Div(title, className="fw-bold small text-uppercase text-muted mt-2 mb-1"), dbc.Row(list(inputs), class_name="g-2")])


def lever_form(values: dict[str, Any], deal_types: Sequence[str], teams_with_se: Sequence[str], lang: str) -> Component:
    """Every lever of a baseline, seeded with the values to show (``values`` by key)."""
    def inputs(keys: Sequence[str]) -> list[Component]:
        return [lever_input(k, values.get(k), lang) for k in keys]

    people = [s.key for s in SCALAR_LEVERS if s.group == "people"]
    funnel = [s.key for s in SCALAR_LEVERS if s.group == "funnel"]
    deals = [s.key for s in SCALAR_LEVERS if s.group == "deals"]
    deals += [f"mix:{d}" for d in deal_types] + [f"size:{d}" for d in deal_types]
    se = [f"se:{team}" for team in teams_with_se]
    return html.Div(
        [
            _group("scen.group.people", inputs(people), lang),
            _group("scen.group.funnel", inputs(funnel), lang, "scen.hint.multiplier"),
            _group("scen.group.deals", inputs(deals), lang),
            _group("scen.group.se", inputs(se), lang) if se else html.P(t("scen.se.none", lang), className="small text-muted mt-2"),
            _group("scen.group.run", inputs([s.key for s in RUN_LEVERS]), lang),
        ]
    )


def hire_columns(lang: str) -> list[dict[str, Any]]:
    return [
        {"field": "hire", "headerName": t("scen.hire.id", lang), "maxWidth": 110, "checkboxSelection": True},
        {"field": "team", "headerName": t("scen.hire.team", lang)},
        {"field": "start_date", "headerName": t("scen.hire.start", lang)},
        {"field": "ramp_months", "headerName": t("scen.hire.ramp", lang), "type": "numericColumn"},
    ]


def hires_section(lang: str, query: dict[str, str]) -> Component:
    """Add a planned hire (team, start date, ramp) or remove the selected ones."""
    return html.Div(
        [
            html.Div(t("scen.group.hires", lang), className="fw-bold small text-uppercase text-muted mt-3 mb-1"),
            dbc.Row(
                [
                    dbc.Col([dbc.Label(t("scen.hire.team", lang), class_name="small mb-0"), dcc.Dropdown(id=Scenario.HIRE_TEAM, options=[], clearable=False)], xs=12, sm=5),
                    dbc.Col(
                        [
                            dbc.Label(t("scen.hire.start", lang), class_name="small mb-0 d-block"),
                            dcc.DatePickerSingle(id=Scenario.HIRE_START, display_format="YYYY-MM-DD", first_day_of_week=1),
                        ],
                        xs=7,
                        sm=4,
                    ),
                    dbc.Col([dbc.Label(t("scen.hire.ramp", lang), class_name="small mb-0"), dbc.Input(id=Scenario.HIRE_RAMP, type="number", step=0.5, size="sm")], xs=5, sm=3),
                ],
                class_name="g-2 align-items-end",
            ),
            html.Div(id=Scenario.HIRE_FEEDBACK, className="small text-danger my-1"),
            html.Div(
                [
                    dbc.Button(t("scen.hire.add", lang), id=Scenario.HIRE_ADD, size="sm", color="secondary", class_name="me-2"),
                    dbc.Button(t("scen.hire.remove", lang), id=Scenario.HIRE_REMOVE, size="sm", color="link"),
                ],
                className="mb-2",
            ),
            common.grid(Scenario.HIRES, hire_columns(lang), row_id="hire", height=170, selectable=True, empty=t("scen.hire.none", lang)),
        ]
    )


def toolbar(lang: str, query: dict[str, str]) -> Component:
    """As-of date, saved scenarios (load, duplicate), name and save."""
    as_of = common.parse_date(query.get("as_of"))
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(t("scen.as_of", lang), html_for=Scenario.AS_OF, class_name="small mb-0 d-block"),
                    dcc.DatePickerSingle(id=Scenario.AS_OF, date=as_of.isoformat() if as_of else None, display_format="YYYY-MM-DD", first_day_of_week=1),
                ],
                xs=12,
                sm=4,
                lg=2,
            ),
            dbc.Col(
                [
                    dbc.Label(t("scen.saved", lang), html_for=Scenario.SAVED, class_name="small mb-0"),
                    dcc.Dropdown(id=Scenario.SAVED, options=[query["scenario"]] if query.get("scenario") else [], value=query.get("scenario"), placeholder=t("scen.saved.none", lang)),
                ],
                xs=12,
                sm=8,
                lg=3,
            ),
            dbc.Col(
                [
                    dbc.Button(t("scen.load", lang), id=Scenario.LOAD, color="secondary", size="sm", class_name="me-2"),
                    dbc.Button(t("scen.duplicate", lang), id=Scenario.DUPLICATE, color="secondary", outline=True, size="sm"),
                ],
                xs="auto",
                class_name="pb-1",
            ),
            dbc.Col(
                [
                    dbc.Label(t("scen.name", lang), html_for=Scenario.NAME, class_name="small mb-0"),
                    dbc.InputGroup(
                        [
                            dbc.Input(id=Scenario.NAME, placeholder=t("scen.name.hint", lang), maxlength=NAME_MAX + 20, persistence=True, persistence_type="session"),
                            dbc.Button(t("scen.save", lang), id=Scenario.SAVE, color="primary"),
                        ],
                        size="sm",
                    ),
                    dbc.FormFeedback("", id=Scenario.NAME_FEEDBACK, type="invalid"),
                ],
                xs=12,
                lg=3,
            ),
            dbc.Col(html.Div(id=Scenario.SAVE_STATUS, className="small text-muted", role="status"), xs=12, lg=True, class_name="pb-1"),
        ],
        class_name="g-2 mb-3 align-items-end",
    )


def layout(lang: str, query: dict[str, str]) -> Component:
    """The page; seeded from the URL query: ``as_of``, ``scenario`` (a saved name),
    ``scope`` (``team``, ``rep:<id>`` or ``territory:<id>``)."""
    levers_card = dbc.Card(
        dbc.CardBody(
            [
                html.Div(t("scen.loading", lang), id=Scenario.BASELINE_INFO, className="small text-muted mb-2"),
                html.Div(
                    [
                        dbc.Button(t("scen.run", lang), id=Scenario.RUN, color="primary", class_name="me-2"),
                        dbc.Button(t("scen.cancel", lang), id=Scenario.CANCEL, color="secondary", outline=True, disabled=True),
                    ],
                    className="mt-1",
                ),
                dbc.Progress(id=Scenario.PROGRESS, value=0, label="", striped=True, class_name="mt-2", style={"height": "1.25rem"}),
                html.Div(t("scen.status.ready", lang), id=Scenario.STATUS, className="small text-muted mt-1", role="status"),
                html.Div(id=Scenario.ERRORS, className="small text-danger mt-2", role="alert"),
                html.Hr(),
                dcc.Loading(html.Div(id=Scenario.FORM), delay_show=300),
                dbc.Switch(id=Scenario.SEASONALITY, label=t("scen.seasonality", lang), value=True, class_name="mt-2 mb-1"),
                hires_section(lang, query),
            ]
        )
    )
    results = html.Div(
        [
            html.Div(id=Scenario.KPIS, className="mb-3"),
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label(t("scen.scope", lang), html_for=Scenario.SCOPE, class_name="small mb-0"),
                        dcc.Dropdown(id=Scenario.SCOPE, options=[{"label": t("scen.scope.team", lang), "value": "team"}], value=query.get("scope") or "team", clearable=False),
                    ],
                    xs=12,
                    md=6,
                ),
                class_name="mb-2",
            ),
            common.graph(Scenario.BANDS, 440),
            common.graph(Scenario.DELTA, 320),
            dbc.Row(
                [dbc.Col(common.graph(Scenario.HISTOGRAM, 380), lg=5), dbc.Col(common.graph(Scenario.PROB, 380), lg=7)],
                class_name="g-3 my-2",
            ),
            common.grid(Scenario.PROB_GRID, [], row_id="scope", height=360),
        ]
    )
    return html.Div(
        [
            html.H2(t("scen.title", lang)),
            html.P(t("scen.intro", lang), className="text-muted"),
            toolbar(lang, query),
            dbc.Row([dbc.Col(levers_card, lg=4), dbc.Col(results, lg=8)], class_name="g-3"),
            dcc.Store(id=Scenario.LOADED, data={"name": query.get("scenario")} if query.get("scenario") else None),
            dcc.Store(id=Scenario.LEVERS),
            dcc.Store(id=Scenario.RESULT, storage_type="session"),
        ]
    )
