"""The Plans page's pure helpers: names, edits, files, figures and comparisons."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from flask import Flask

from app.cache import make_cache
from app.services import Services, open_workspace
from callbacks import plans as cb
from crm.sample import generate_sample
from layouts import plans as view
from layouts import plans_figures as figs
from layouts.i18n import catalog
from layouts.ids import Plans
from territory.files import PlanFileError
from territory.plan import resolve

AS_OF = date(2026, 6, 15)


@pytest.fixture
def services(settings) -> Services:
    workspace = open_workspace(settings)
    workspace.replace_dataset(generate_sample(seed=1, reps=10, as_of=AS_OF), source="test", fmt="sample")
    return Services(settings=settings, workspace=workspace, cache=make_cache(Flask(__name__), settings))


def _upload(text: str) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(text.encode()).decode()


def test_names_are_checked_in_the_users_language() -> None:
    assert cb.check_name("  FY27 ", [], "en") == "FY27"
    with pytest.raises(cb.FormError, match="name"):
        cb.check_name(" ", [], "en")
    with pytest.raises(cb.FormError, match="已存在"):
        cb.check_name("A", ["A"], "zh")
    assert cb.check_name("A", ["A"], "en", allow="A") == "A"
    with pytest.raises(cb.FormError, match="reserved"):
        cb.check_name(cb.CURRENT_NAME, [], "en")
    with pytest.raises(cb.FormError, match="80"):
        cb.check_name("x" * 81, [], "en")
    assert cb.unique_name("A", ["A", "A (2)"]) == "A (3)"
    assert cb.unique_name("B", ["A"]) == "B"


def test_whole_numbers_are_validated_with_the_field_named() -> None:
    assert cb.whole_number("5", 1, 10, "en", "K") == 5
    assert cb.whole_number(None, 0, None, "en", "K", optional=True) is None
    for bad in ("x", 0, 11, 2.5):
        with pytest.raises(cb.FormError, match="K"):
            cb.whole_number(bad, 1, 10, "en", "K")
    with pytest.raises(cb.FormError, match="K"):
        cb.whole_number(None, 1, 10, "en", "K")


def test_the_current_plan_is_read_only_and_always_there(services) -> None:
    dataset = services.dataset()
    plan = cb.load_plan(services, dataset, view.CURRENT_KEY)
    assert plan.name == cb.CURRENT_NAME and len(plan.territories) == 7
    with pytest.raises(cb.FormError, match="read-only"):
        cb.require_editable(view.CURRENT_KEY, "en")
    with pytest.raises(KeyError):
        cb.load_plan(services, dataset, "missing")
    out = cb.overview(services, view.CURRENT_KEY, "en", "light")
    assert not any(c.get("editable") for c in out["columns"])
    assert "Read-only" in out[Plans.READONLY]
    assert len(out[Plans.GRID]) == len(dataset.accounts)
    assert out[Plans.MAP]["data"][0]["locationmode"] == "USA-states"
    assert "2026-06-15" in out[Plans.FAIRNESS]["layout"]["title"]["text"]


def test_carve_edit_and_bulk_move_a_saved_plan(services) -> None:
    dataset = services.dataset()
    plan = cb.carve(dataset, "FY27", 5, "state")
    cb.save(services, plan)
    assert cb.saved_names(services) == ["FY27"]
    out = cb.overview(services, "FY27", "en", "light")
    territory = next(c for c in out["columns"] if c["field"] == "territory_id")
    assert territory["editable"] and territory["cellEditorParams"]["values"][1:] == list(plan.territory_ids)

    row = out[Plans.GRID][0]
    target = next(t for t in plan.territory_ids if t != row["territory_id"])
    edited = cb.grid_changes(plan, [{"colId": "territory_id", "rowId": row["account_id"], "data": row, "value": target}])
    assignment = resolve(edited, dataset).set_index("account_id")["territory_id"]
    assert assignment[row["account_id"]] == target

    state = dataset.accounts["state"].iloc[0]
    moved, n = cb.bulk_move(edited, dataset, "state", [state], plan.territory_ids[0], "en")
    after = resolve(moved, dataset)
    in_state = dataset.accounts["state"].to_numpy() == state
    assert set(after.loc[in_state, "territory_id"]) == {plan.territory_ids[0]}
    assert n >= 0
    with pytest.raises(cb.FormError, match="move to"):
        cb.bulk_move(plan, dataset, "state", [state], None, "en")


def test_rebalance_respects_the_budget_and_lists_the_moves(services) -> None:
    dataset = services.dataset()
    base = cb.load_plan(services, dataset, view.CURRENT_KEY)
    plan, rows, summary = cb.rebalance(base, dataset, "account", 15, None, "Rebalanced")
    assert len(rows) <= 15 and len(rows) == summary["disruption"]["accounts_moved"] > 0
    assert summary["after"]["gini"] < summary["before"]["gini"]
    assert {"account_name", "from_territory_id", "to_territory_id"} <= set(rows[0])
    assert plan.name == "Rebalanced"
    text = str(cb.rebalance_summary(summary, plan.name, "zh").children.children)
    assert "基尼系数" in text


def test_tbh_seats_are_added_with_their_dates(services) -> None:
    dataset = services.dataset()
    plan = cb.rename_plan(cb.load_plan(services, dataset, view.CURRENT_KEY), "With seat")
    cover = cb.rep_options(dataset)[0]["value"]
    seated = cb.add_seat(plan, "TBH-01", "North", "2026-09-01", cover, "en")
    cb.save(services, seated)
    rows = cb.overview(services, "With seat", "en", "light")[Plans.TBH_TABLE]
    assert rows == [
        {
            "territory_id": "TBH-01",
            "name": "North",
            "start_date": "2026-09-01",
            "covering": f"{dict(zip(dataset.reps['rep_id'], dataset.reps['rep_name'], strict=True))[cover]} · {cover}",
            "account_count": 0,
            "potential_usd": 0.0,
        }
    ]
    with pytest.raises(cb.FormError, match="TBH-01"):
        cb.add_seat(seated, "TBH-01", "", "2026-09-01", cover, "en")
    with pytest.raises(cb.FormError, match="Planned start"):
        cb.add_seat(plan, "TBH-02", "", None, cover, "en")


def test_export_and_import_round_trip_and_bad_files_save_nothing(services) -> None:
    dataset = services.dataset()
    plan = cb.carve(dataset, "FY27", 4, "region")
    sent = cb.export_json(plan)
    assert sent["filename"] == "FY27.json"
    back = cb.import_upload(_upload(sent["content"]), "FY27.json", dataset, plan, ["FY27"])
    assert back.name == "FY27 (2)" and back.territories == plan.territories

    csv = cb.export_csv(plan, dataset)
    raw = base64.b64decode(csv["content"]).decode("utf-8-sig")
    assert raw.splitlines()[0].startswith("account_id,territory_id")
    from_csv = cb.import_upload(_upload(raw), "fy27-assignment.csv", dataset, plan, [])
    assert from_csv.name == "fy27-assignment"
    assert resolve(from_csv, dataset).equals(resolve(plan, dataset))

    bad = json.dumps({"name": "X", "territories": [{"territory_id": "T1"}], "oops": 1})
    with pytest.raises(PlanFileError) as err:
        cb.import_upload(_upload(bad), "bad.json", dataset, plan, [])
    problems = err.value.problems
    assert any("start_date" in p for p in problems) and any("oops" in p for p in problems)
    assert "bad.json" in str(cb.problems_view(err.value, "en").children.children[0].children)
    with pytest.raises(PlanFileError, match="json"):
        cb.import_upload(_upload("x"), "plan.xlsx", dataset, plan, [])
    with pytest.raises(PlanFileError, match="UTF-8"):
        cb.import_upload("data:;base64,//79", "plan.json", dataset, plan, [])


def test_csv_export_is_formula_safe(services) -> None:
    dataset = services.dataset()
    plan = cb.load_plan(services, dataset, view.CURRENT_KEY)
    dataset.accounts.loc[0, "account_name"] = "=HYPERLINK(\"x\")"
    raw = base64.b64decode(cb.export_csv(plan, dataset)["content"]).decode("utf-8-sig")
    assert ",=HYPERLINK" not in raw and "'=HYPERLINK" in raw


def test_compare_table_and_figures(services) -> None:
    dataset = services.dataset()
    cb.save(services, cb.carve(dataset, "FY27", 7, "state"))
    keys = cb.compare_keys([view.CURRENT_KEY, "FY27"], "en")
    seen: list[float] = []
    result = cb.compare_result(services, keys, 12, 1, seen.append)
    assert seen and json.dumps(result)
    again = cb.compare_result(services, keys, 12, 1)  # memoised: same numbers
    assert again == result
    status, table, team, chance, attrition = cb.compare_outputs(result, "en", "light")
    assert status is None
    text = json.dumps(table.to_plotly_json(), default=str)
    assert "Current (from CRM ownership)" in text and "FY27" in text and "Gini of potential" in text
    assert sum(1 for tr in team["data"] if tr.get("fill") == "tonexty") == 2
    assert [d["name"] for d in chance["data"]] == ["Current (from CRM ownership)", "FY27"]
    assert len(attrition["data"][0]["y"]) == 2
    for fig in (team, chance, attrition):
        assert "2026-06-15" in fig["layout"]["title"]["text"]
    zh = cb.compare_outputs(result, "zh", "dark")
    assert "当前（按 CRM 客户归属）" in json.dumps(zh[1].to_plotly_json(), default=str, ensure_ascii=False)
    with pytest.raises(cb.FormError, match="2 to 4"):
        cb.compare_keys(["FY27", "FY27"], "en")
    with pytest.raises(cb.FormError, match="Runs"):
        cb.run_parameters(5, 1, "en")


def test_midyear_summary_and_figure(services) -> None:
    dataset = services.dataset()
    cb.save(services, cb.carve(dataset, "FY27", 7, "state"))
    result = cb.midyear_result(services, view.CURRENT_KEY, "FY27", 3, 12, 2)
    assert result["names"] == [cb.CURRENT_NAME, "FY27"]
    summary = str(cb.midyear_summary(result, "en").children.children)
    assert "Switching from Current (from CRM ownership) to FY27" in summary
    fig = figs.midyear_figure(result, ("Current", "FY27"), "zh", "light")
    assert fig["layout"]["shapes"][0]["x0"] == "2026年8月"
    assert "截至 2026年6月15日" in fig["layout"]["title"]["text"]


def test_map_falls_back_to_countries_then_to_an_empty_state(services) -> None:
    dataset = services.dataset()
    plan = cb.load_plan(services, dataset, view.CURRENT_KEY)
    acct = cb.potential_frame(services)
    dataset.accounts["country"] = "Germany"
    states, countries = cb.map_rows(plan, dataset, acct)
    assert states == [] and countries[0]["location"] == "Germany"
    fig = figs.map_figure(states, countries, list(plan.territory_ids), "2026-06-15", "en", "light")
    assert fig["data"][0]["locationmode"] == "country names"
    empty = figs.map_figure([], [], [], "2026-06-15", "en", "light")
    assert empty["data"] == [] and "No map" in empty["layout"]["annotations"][0]["text"]


def test_seed_from_the_url_and_every_message_in_both_languages() -> None:
    assert view.seed({}) == {"plan": view.CURRENT_KEY, "compare": [], "tab": "overview"}
    seeded = view.seed({"plan": "FY27", "compare": "__current__,FY27"})
    assert seeded == {"plan": "FY27", "compare": ["__current__", "FY27"], "tab": "compare"}
    for lang in ("en", "zh"):
        view.layout(lang, {"plan": "FY27", "compare": "a,b"})
    keys = [k for k in catalog() if k.startswith("plans.")]
    assert len(keys) > 100 and all(catalog()[k]["en"] and catalog()[k]["zh"] for k in keys)


def test_the_picked_plan_survives_a_language_switch() -> None:
    from dash import no_update

    assert cb.restore_choice(Plans.SELECT, "FY27", None, ["FY27"]) == (no_update, "FY27")
    # Re-rendered page: the selector falls back to the current plan, the session remembers FY27.
    assert cb.restore_choice(None, view.CURRENT_KEY, "FY27", ["FY27"]) == ("FY27", no_update)
    assert cb.restore_choice(None, view.CURRENT_KEY, "gone", ["FY27"]) == (no_update, view.CURRENT_KEY)
    # A plan named in the URL wins.
    assert cb.restore_choice(None, "Other", "FY27", ["FY27", "Other"]) == (no_update, "Other")
