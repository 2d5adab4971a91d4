"""The pure functions behind the Scenario page, without a browser."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app.cache import make_cache
from app.services import Services, open_workspace
from callbacks import scenario as cb
from crm.sample import generate_sample
from layouts import scenario as page
from layouts import scenario_figures as figs
from layouts.i18n import LANGS, t
from simulation.calibrate import calibrate
from simulation.scenario import Scenario

AS_OF = date(2026, 6, 15)
FAST = {"replications": 12, "seed": 3}


@pytest.fixture(scope="module")
def dataset():
    return generate_sample(seed=1, reps=8, as_of=AS_OF)


@pytest.fixture(scope="module")
def base(dataset) -> Scenario:
    return calibrate(dataset, AS_OF, horizon_months=cb.HORIZON_MONTHS)


@pytest.fixture(scope="module")
def shown(base) -> dict:
    return cb.baseline_values(base) | FAST


@pytest.fixture(scope="module")
def compared(base, shown) -> dict:
    levers, errors = cb.validate_form(base, shown | {"opportunity_conversion_multiplier": 1.5}, None, [], "en")
    assert errors == {}
    return cb.simulate(base, levers)


@pytest.fixture(scope="module")
def alone(base, shown) -> dict:
    levers, _ = cb.validate_form(base, shown, None, [], "en")
    return cb.simulate(base, levers)


# ---------------------------------------------------------------------------- levers


def test_the_baseline_form_validates_to_no_change(base, shown) -> None:
    levers, errors = cb.validate_form(base, shown, base.seasonality_enabled, [], "en")
    assert errors == {}
    assert levers == {"values": {}, "hires": [], **FAST}
    assert cb.is_baseline(cb.apply_levers(base, levers), base)


def test_changed_levers_reach_the_scenario_in_model_units(base, shown) -> None:
    deal = base.deal_types[0].name
    team = next(iter(base.se_capacity_per_team), None)
    edits = {"ramp_months": 8, "attrition_base_monthly_hazard": 2.5, f"mix:{deal}": 10, f"size:{deal}": 50_000, "activity_rate_multiplier": 1.2}
    if team:
        edits[f"se:{team}"] = 5
    levers, errors = cb.validate_form(base, shown | edits, not base.seasonality_enabled, [], "en")
    assert errors == {}
    assert set(levers["values"]) == set(edits)
    variant = cb.apply_levers(base, levers)
    assert variant.ramp_months == 8
    assert variant.attrition_base_monthly_hazard == pytest.approx(0.025)
    assert variant.deal_mix_override[deal] == pytest.approx(0.10)
    assert variant.deal_types[0].size_median_usd == 50_000
    assert variant.activity_rate_multiplier == pytest.approx(1.2)
    assert variant.seasonality_enabled is not base.seasonality_enabled
    if team:
        assert variant.se_capacity_per_team[team] == 5
    # The form shows the saved levers back in its own units.
    again = cb.form_values(base, levers)
    assert again["attrition_base_monthly_hazard"] == pytest.approx(2.5)
    assert again[f"mix:{deal}"] == pytest.approx(10)


@pytest.mark.parametrize("lang", LANGS)
def test_bad_values_are_refused_by_field_in_the_users_language(base, shown, lang) -> None:
    deal = base.deal_types[-1].name
    bad = shown | {"ramp_months": -1, "attrition_base_monthly_hazard": 150, f"mix:{deal}": None, "win_rate_multiplier": 500, "replications": 0, "seed": 1.5}
    levers, errors = cb.validate_form(base, bad, None, [], lang)
    assert levers is None
    assert set(errors) == {"ramp_months", "attrition_base_monthly_hazard", f"mix:{deal}", "win_rate_multiplier", "replications", "seed"}
    assert errors["ramp_months"] == t("scen.err.ge", lang, limit="0")
    # A share shown in percent is limited in percent, not as the model's 0..1.
    assert errors["attrition_base_monthly_hazard"] == t("scen.err.le", lang, limit="100")
    assert errors[f"mix:{deal}"] == t("scen.err.number", lang)
    assert errors["replications"] == t("scen.err.ge", lang, limit="1")
    assert errors["seed"] == t("scen.err.whole", lang)


def test_an_all_zero_deal_mix_is_named_on_every_mix_field(base, shown) -> None:
    zero = {k: 0 for k in shown if k.startswith("mix:")}
    levers, errors = cb.validate_form(base, shown | zero, None, [], "en")
    assert levers is None
    assert errors == dict.fromkeys(zero, t("scen.err.mix_zero", "en"))


def test_hires_are_added_validated_and_removed(base) -> None:
    team = base.reps[0].team
    hires, error = cb.add_hire([], team, "2026-09-01", 4, base, "en")
    assert error is None and hires == [{"hire": "new-1", "team": team, "start_date": "2026-09-01", "ramp_months": 4}]
    hires, error = cb.add_hire(hires, team, "2026-10-01", None, base, "en")
    assert error is None and [h["hire"] for h in hires] == ["new-1", "new-2"]
    unchanged, error = cb.add_hire(hires, "No such team", "2026-10-01", 3, base, "en")
    assert unchanged == hires and error == t("scen.hire.err.team", "en")
    _, error = cb.add_hire(hires, team, "2026-01-01", 3, base, "zh")
    assert error is not None and "2026年6月15日" in error
    _, error = cb.add_hire(hires, team, "2026-10-01", 99, base, "en")
    assert error == t("scen.hire.err.ramp", "en", message=t("scen.err.le", "en", limit="36"))
    variant = cb.apply_levers(base, {"values": {}, "hires": hires, **FAST})
    assert [h.hire_id for h in variant.planned_hires][-2:] == ["new-1", "new-2"]
    assert cb.remove_hires(hires, [{"hire": "new-1"}]) == [hires[1]]
    assert cb.next_hire_id(cb.remove_hires(hires, [{"hire": "new-1"}])) == "new-3"


# ---------------------------------------------------------------------------- results


def test_a_run_summary_is_small_json_with_bands_probabilities_and_a_histogram(alone, base) -> None:
    text = json.dumps(alone, allow_nan=False)
    assert len(text) < 200_000
    assert alone["replications"] == FAST["replications"] and "baseline" not in alone and "delta" not in alone
    assert set(alone["bands"]) >= {"team", *(f"rep:{r.rep_id}" for r in base.reps)}
    team = alone["bands"]["team"]
    assert len(team["p50"]) == len(alone["months"])
    assert all(a <= b <= c for a, b, c in zip(team["p10"], team["p50"], team["p90"], strict=True))
    assert team["p50"] == sorted(team["p50"])  # cumulative
    assert sum(alone["hist"]["share"]) == pytest.approx(1.0)
    assert all(0.0 <= (r["p_hit"] or 0.0) <= 1.0 for r in alone["prob"])


def test_a_conversion_lift_is_compared_on_common_random_numbers(compared, alone) -> None:
    assert compared["baseline"]["bands"]["team"] == alone["bands"]["team"]  # same seed, same baseline
    assert compared["bands"]["team"]["p50"][-1] > alone["bands"]["team"]["p50"][-1]
    delta = compared["delta"]["team"]
    assert delta["p50"][-1] > 0 and compared["delta_team_acv"]["p50"] > 0


def test_partial_results_are_pushed_before_the_full_run(base, shown) -> None:
    levers, _ = cb.validate_form(base, shown | {"replications": 70}, None, [], "en")
    pushed: list[tuple[int, int]] = []
    final = cb.simulate(base, levers, on_progress=lambda done, total, s: pushed.append((done, total, s["replications"])))
    assert pushed and pushed[0] == (10, 70, 10)
    assert all(done < total for done, total, _ in pushed)
    assert final["replications"] == 70


@pytest.mark.parametrize("lang", LANGS)
def test_figures_have_bands_titles_with_units_period_and_as_of(compared, base, dataset, lang) -> None:
    actual = cb.actuals_to_date(dataset, base)
    who = cb.names(dataset, base)
    labels = {s: cb.scope_label(s, who, lang) for s in compared["bands"]}
    as_of = "2026-06-15" if lang == "en" else "2026年6月15日"
    fig = figs.band_figure(compared, "team", actual, labels["team"], lang, "light")
    title = fig["layout"]["title"]["text"]
    assert "$" in title and as_of in title
    fills = [tr for tr in fig["data"] if tr.get("fill") == "tonexty"]
    assert len(fills) == 2  # the scenario's band and the baseline's
    actual_trace = next(tr for tr in fig["data"] if tr.get("name") == t("scen.series.actual", lang))
    assert actual_trace["y"][-1] == actual["won"]["team"][-1]
    p50 = next(tr for tr in fig["data"] if tr.get("name", "").endswith("P50") and tr["name"].startswith(t("scen.series.scenario", lang)))
    assert p50["y"][0] >= actual["won"]["team"][-1]  # anchored on the year to date
    rep = next(s for s in compared["bands"] if s.startswith("rep:"))
    assert figs.band_figure(compared, rep, actual, labels[rep], lang, "dark")["data"]
    delta = figs.delta_figure(compared, "team", labels["team"], lang, "light")
    assert any(tr.get("fill") == "tonexty" for tr in delta["data"])
    hist = figs.hist_figure(compared, lang, "light")
    assert len(hist["data"]) == 2 and "%" in hist["layout"]["title"]["text"]
    prob = figs.prob_figure(compared, labels, lang, "light")
    xs = prob["data"][0]["x"]
    assert xs == sorted(xs, reverse=True)
    rows = figs.prob_rows(compared, labels, who["rep_team"])
    assert rows and {"p_base", "p_delta"} <= set(rows[0])
    assert rows[0]["p_delta"] == pytest.approx(rows[0]["p_hit"] - rows[0]["p_base"])
    assert figs.kpis(compared, lang) is not None


def test_empty_states_say_what_to_do(alone) -> None:
    for lang in LANGS:
        empty = figs.empty_state(lang, "light")
        for fig in empty.values():
            assert fig["data"] == [] and fig["layout"]["annotations"][0]["text"] == t("scen.fig.empty", lang)
        same = figs.delta_figure(alone, "team", "x", lang, "light")
        assert same["layout"]["annotations"][0]["text"] == t("scen.fig.same", lang)


# ---------------------------------------------------------------------------- services


@pytest.fixture
def services(settings, dataset):
    import flask

    workspace = open_workspace(settings)
    workspace.replace_dataset(dataset, source="test", fmt="sample")
    return Services(settings=settings, workspace=workspace, cache=make_cache(flask.Flask("t"), settings))


def test_baseline_and_results_are_cached_per_inputs(services, shown) -> None:
    base, error = cb.baseline(services, AS_OF)
    assert error is None and base.start_date == AS_OF
    levers, _ = cb.validate_form(base, shown, None, [], "en")
    calls: list[int] = []
    first = cb.cached_summary(services, base, levers, lambda *a: calls.append(1))
    again = cb.cached_summary(services, base, levers, lambda *a: calls.append(2))
    assert again == first and 2 not in calls
    other = cb.cached_summary(services, base, levers | {"seed": 4})
    assert other["seed"] == 4 and other != first


def test_an_empty_workspace_has_no_baseline(settings) -> None:
    import flask

    services = Services(settings=settings, workspace=open_workspace(settings), cache=make_cache(flask.Flask("t"), settings))
    base, error = cb.baseline(services, AS_OF)
    assert base is None and error == "empty"


def test_save_load_and_duplicate_round_trip(services, shown) -> None:
    base, _ = cb.baseline(services, AS_OF)
    levers, _ = cb.validate_form(base, shown | {"win_rate_multiplier": 1.1}, None, [], "en")
    name, error = cb.validate_name("  Q3 push  ", "en")
    assert (name, error) == ("Q3 push", None)
    services.workspace.save_document("scenario", name, cb.scenario_document(name, base, levers))
    doc = services.workspace.get_document("scenario", name)
    assert doc["levers"] == levers and doc["as_of"] == "2026-06-15"
    assert Scenario.model_validate(doc["scenario"]).win_rate_multiplier == pytest.approx(1.1)
    assert cb.form_values(base, doc["levers"])["win_rate_multiplier"] == pytest.approx(1.1)
    copy = cb.duplicate(services, name, "en")
    assert copy == "Q3 push (copy)"
    assert cb.duplicate(services, name, "en") == "Q3 push (copy 2)"
    assert [o["value"] for o in cb.saved_options(services)] == ["Q3 push", "Q3 push (copy 2)", "Q3 push (copy)"]
    assert services.workspace.get_document("scenario", copy)["levers"] == levers
    assert cb.duplicate(services, "gone", "en") is None


@pytest.mark.parametrize(("raw", "key"), [("", "scen.name.blank"), ("   ", "scen.name.blank"), (None, "scen.name.blank"), ("x" * 81, "scen.name.long")])
def test_names_are_1_to_80_characters_and_not_blank(raw, key) -> None:
    name, error = cb.validate_name(raw, "zh")
    assert name is None and error == t(key, "zh", limit=page.NAME_MAX)
    assert cb.validate_name("x" * 80, "en") == ("x" * 80, None)


def test_the_layout_is_pure_and_seeded_from_the_query() -> None:
    tree = page.layout("zh", {"as_of": "2026-06-15", "scenario": "Q3 push", "scope": "rep:R0001"})
    text = json.dumps(tree.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
    assert "2026-06-15" in text and "Q3 push" in text and "rep:R0001" in text and t("scen.title", "zh") in text


def test_scope_labels_use_rep_names(base, dataset) -> None:
    who = cb.names(dataset, base)
    rep = base.reps[0].rep_id
    options = cb.scope_options(cb.baseline_scopes(base), who, "en")
    assert options[0] == {"label": t("scen.scope.team", "en"), "value": "team"}
    label = next(o["label"] for o in options if o["value"] == f"rep:{rep}")
    assert who["rep_name"][rep] in label
    assert cb.scope_label("rep:new-1", who, "en") == t("scen.scope.hire", "en", name="new-1")


@pytest.mark.parametrize("lang", LANGS)
def test_the_lever_form_has_an_input_and_feedback_per_lever(base, lang) -> None:
    values = cb.form_values(base, None)
    form = page.lever_form(values, [d.name for d in base.deal_types], cb.teams_with_se(base), lang)
    found: list[dict] = []

    def walk(component) -> None:
        cid = getattr(component, "id", None)
        if isinstance(cid, dict):
            found.append(cid | {"value": getattr(component, "value", None)})
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if hasattr(child, "to_plotly_json"):
                walk(child)

    walk(form)
    inputs = {c["key"]: c["value"] for c in found if c["type"] == "scenario-lever"}
    feedback = {c["key"] for c in found if c["type"] == "scenario-lever-feedback"}
    assert inputs == values and feedback == set(values)


def test_backfill_slots_stay_out_of_the_per_rep_results(compared, base) -> None:
    people = {r["scope"] for r in compared["prob"]} - {"team"}
    assert people and not any(s.startswith("rep:backfill:") for s in people)
    assert {f"rep:{r.rep_id}" for r in base.reps} <= people | {f"rep:{r.rep_id}" for r in base.reps if not r.annual_quota_usd}
    assert compared["horizon_months"] == base.horizon_months
