"""The pure functions behind the dashboard callbacks, without a browser."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from app.services import Services
from callbacks import dashboards as cb
from callbacks.shell import parse_query
from crm.dataset import Dataset
from crm.sample import generate_sample
from layouts.dashboards import amp, charts, common, pipegen, sotu
from layouts.i18n import t
from layouts.ids import Amp, Clean, Sotu
from metrics.prepare import Filters, Prepared, prepare

AS_OF = date(2026, 6, 15)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate_sample(seed=1, reps=12, as_of=AS_OF)


@pytest.fixture(scope="module")
def prep(dataset: Dataset) -> Prepared:
    return prepare(dataset)


def _figures(values: dict) -> list[dict]:
    return [v for v in values.values() if isinstance(v, dict) and "data" in v and "layout" in v]


def _text(component) -> str:
    """A component tree as JSON text (Chinese kept readable)."""
    return json.dumps(component.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def _title(fig: dict) -> str:
    return fig["layout"]["title"]["text"]


# ---------------------------------------------------------------------------- views


def test_view_is_canonical_and_its_link_reopens_the_same_view() -> None:
    view = cb.make_view(AS_OF, team=["West", "East", "East"], manager=None, region="North", rep=[])
    assert view == {"as_of": "2026-06-15", "team": ["East", "West"], "manager": [], "region": ["North"], "rep": []}
    link = cb.view_link("/amp", view)
    path, _, query = link.partition("?")
    assert path == "/amp"
    seeded = common.seed_controls(parse_query(query))
    again = cb.make_view(date.fromisoformat(seeded["as_of"]), seeded["team"], seeded["manager"], seeded["region"], seeded["rep"])
    assert again == view
    assert cb.view_filters(view) == Filters(teams=("East", "West"), regions=("North",))


def test_seeded_controls_ignore_a_bad_date_and_blank_values() -> None:
    seeded = common.seed_controls({"as_of": "2026-13-40", "team": " A, ,B ", "rep": ""})
    assert seeded == {"as_of": None, "team": ["A", "B"], "manager": [], "region": [], "rep": []}


def test_as_of_is_the_picked_date_or_the_default() -> None:
    default = date(2026, 1, 31)
    assert cb.resolve_as_of("2026-06-15", default) == AS_OF
    assert cb.resolve_as_of("2026-06-15T00:00:00", default) == AS_OF
    assert cb.resolve_as_of(None, default) == default
    assert cb.resolve_as_of("nonsense", default) == default


def test_filter_options_come_from_the_workspace(prep: Prepared, dataset: Dataset) -> None:
    options = cb.filter_options(prep)
    assert [o["value"] for o in options["team"]] == sorted(dataset.reps["team"].unique())
    assert [o["value"] for o in options["region"]] == sorted(dataset.reps["region"].dropna().unique())
    assert {o["value"] for o in options["rep"]} == set(dataset.reps["rep_id"])
    labels = [o["label"] for o in options["rep"]]
    assert labels == sorted(labels)


# ---------------------------------------------------------------------------- drill-down


def test_drill_target_reads_chart_clicks_and_grid_rows() -> None:
    click = {"points": [{"y": "Ann", "customdata": ["rep", "R1", "Ann"]}]}
    assert cb.drill_target(click) == {"kind": "rep", "key": "R1", "label": "Ann"}
    team = {"points": [{"customdata": ["team", "East"]}]}
    assert cb.drill_target(team) == {"kind": "team", "key": "East", "label": "East"}
    assert cb.drill_target([{"rep_id": "R2", "rep_name": "Bo"}]) == {"kind": "rep", "key": "R2", "label": "Bo"}
    assert cb.drill_target([{"opportunity_id": "O1", "owner_id": "R3", "rep_name": "Cy"}])["key"] == "R3"
    for junk in (None, {}, {"points": [{"customdata": ["other", "x"]}]}, [], "x"):
        assert cb.drill_target(junk) is None


def test_drill_filters_narrow_the_page_scope(prep: Prepared) -> None:
    base = Filters(regions=("East",))
    assert cb.drill_filters(base, {"kind": "rep", "key": "R1"}) == Filters(regions=("East",), rep_ids=("R1",))
    assert cb.drill_filters(base, {"kind": "team", "key": "T"}) == Filters(teams=("T",), regions=("East",))


def test_drilling_into_a_rep_lists_exactly_that_reps_deals(prep: Prepared) -> None:
    from metrics.dashboards import deals, state_of_the_union

    res = state_of_the_union(prep, AS_OF, Filters())
    top = res["leaderboard"][0]
    target = cb.drill_target({"points": [{"customdata": ["rep", top["rep_id"], top["rep_name"]]}]})
    won = deals(prep, AS_OF, cb.drill_filters(Filters(), target), "won")
    assert won["count"] == top["closed_won_count"] > 0
    assert {d["owner_id"] for d in won["deals"]} == {top["rep_id"]}
    assert won["total_acv"] == pytest.approx(top["closed_won_acv"])
    title = cb.drill_title(won, target, "zh")
    assert top["rep_name"] in title and t("dash.drill.kind.won", "zh") in title


# ---------------------------------------------------------------------------- pages


@pytest.mark.parametrize("page", cb.DASHBOARDS, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_renders_its_outputs_with_dated_titles(page: cb.DashboardPage, lang: str, prep: Prepared) -> None:
    res = page.compute(prep, AS_OF, Filters())
    view = cb.make_view(AS_OF)
    values = page.render(res, lang, "light")
    assert list(values) == [cid for cid, _ in page.outputs]
    out = cb.render_outputs(page, res, view, lang, "dark")
    assert out[-1] == view and out[-2].startswith(page.path + "?as_of=2026-06-15")
    figures = _figures(values)
    assert figures, "every page has charts"
    day = "2026-06-15" if lang == "en" else "2026年6月15日"
    for fig in figures:
        json.dumps(fig)
        assert day in _title(fig), _title(fig)
        assert fig["data"], f"the sample has data for {_title(fig)}"
    kpis = _text(values[page.ids["KPIS"]])
    assert day in kpis


@pytest.mark.parametrize("page", cb.DASHBOARDS, ids=lambda p: p.name)
def test_every_chart_has_an_explicit_empty_state(page: cb.DashboardPage) -> None:
    empty = prepare(Dataset.empty())
    res = page.compute(empty, AS_OF, Filters())
    for lang in ("en", "zh"):
        figures = _figures(page.render(res, lang, "light"))
        for fig in figures:
            assert fig["data"] == []
            texts = [a["text"] for a in fig["layout"].get("annotations", [])]
            assert texts and all(texts), _title(fig)


def test_a_filter_changes_the_numbers(prep: Prepared, dataset: Dataset) -> None:
    page = cb.BY_NAME["state-of-the-union"]
    whole = page.compute(prep, AS_OF, Filters())
    teams = sorted(dataset.reps["team"].unique())
    parts = [page.compute(prep, AS_OF, Filters(teams=(team,))) for team in teams]
    assert sum(p["closed_won_acv"] for p in parts) == pytest.approx(whole["closed_won_acv"])
    assert all(p["closed_won_acv"] < whole["closed_won_acv"] for p in parts)
    kpi = sotu.kpis(parts[0], "en", "")
    text = _text(kpi)
    assert sotu.fmt_money(parts[0]["closed_won_acv"], "en") in text
    assert sotu.fmt_money(whole["closed_won_acv"], "en") not in text


def test_the_language_switch_translates_the_page(prep: Prepared) -> None:
    page = cb.BY_NAME["state-of-the-union"]
    res = page.compute(prep, AS_OF, Filters())
    zh = page.render(res, "zh", "light")
    assert t("sotu.trend", "zh") in _title(zh[Sotu.TREND])
    assert "万" in _text(zh[Sotu.KPIS])
    tree = _text(sotu.layout("zh", {}))
    assert t("sotu.title", "zh") in tree and "State of the Union" not in tree


def test_team_leaderboard_sums_the_reps() -> None:
    board = [
        {"team": "B", "closed_won_acv": 10.0, "quota": 20.0},
        {"team": "A", "closed_won_acv": 5.0, "quota": 0.0},
        {"team": "B", "closed_won_acv": 5.0, "quota": 10.0},
        {"team": "C", "closed_won_acv": 15.0, "quota": 10.0},
    ]
    rows = sotu.team_rows(board)
    assert [r["team"] for r in rows] == ["B", "C", "A"]  # ties broken by name
    assert rows[0]["closed_won_acv"] == 15.0 and rows[0]["attainment"] == pytest.approx(0.5)
    assert rows[2]["attainment"] is None


def test_bars_carry_what_the_drill_down_needs(prep: Prepared) -> None:
    res = cb.BY_NAME["state-of-the-union"].compute(prep, AS_OF, Filters())
    fig = sotu.leaderboard(res, "en", "light", "period")
    first = fig["data"][0]["customdata"][0]
    assert cb.drill_target({"points": [{"customdata": first}]})["key"] == res["leaderboard"][0]["rep_id"]
    assert len(fig["data"][0]["y"]) == min(len(res["leaderboard"]), charts.LEADERBOARD_LIMIT)


def test_rep_labels_disambiguate_shared_names() -> None:
    rows = [{"rep_name": "Ann", "rep_id": "R1"}, {"rep_name": "Ann", "rep_id": "R2"}, {"rep_name": "Bo", "rep_id": "R3"}]
    assert charts.rep_labels(rows) == ["Ann (R1)", "Ann (R2)", "Bo"]


def _amp_result(prep: Prepared) -> dict:
    res = cb.BY_NAME["amp"].compute(prep, AS_OF, Filters())
    by_rep = [dict(r) for r in res["by_rep"]]
    by_rep[0]["activity_quality_flag"] = True
    return {**res, "by_rep": by_rep}


def test_amp_makes_busy_reps_without_meetings_stand_out(prep: Prepared) -> None:
    res = _amp_result(prep)
    flagged = res["by_rep"][0]
    rows = amp.grid_rows(res, "en")
    assert [r["flag_text"] for r in rows].count(t("dash.yes", "en")) == sum(r["activity_quality_flag"] for r in res["by_rep"])
    fig = amp.quadrant_figure(res, "en", "light", "period")
    red = [tr for tr in fig["data"] if tr["marker"]["color"] == amp.TARGET_COLOR]
    assert red and ["rep", flagged["rep_id"], flagged["rep_name"]] in red[0]["customdata"]
    assert fig["layout"]["shapes"], "median lines split the quadrants"


def test_amp_compares_this_month_with_the_previous_ones_oldest_first(prep: Prepared) -> None:
    res = cb.BY_NAME["amp"].compute(prep, AS_OF, Filters())
    rows = amp.compare_rows(res)
    assert [r["month"] for r in rows] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert rows[-1]["activities"] == res["totals"]["activities"]


def test_pipe_gen_says_ahead_or_behind_and_draws_the_target_dashed(prep: Prepared) -> None:
    res = cb.BY_NAME["daily-pipe-gen"].compute(prep, AS_OF, Filters())
    fig = pipegen.daily_figure(res, "en", "light", "p")
    dashed = [tr for tr in fig["data"] if tr.get("line", {}).get("dash") == "dash"]
    assert len(dashed) == 1 and dashed[0]["y"] == [d["target_cumulative_acv"] for d in res["days"]]
    assert len(fig["data"][0]["x"]) == AS_OF.day
    assert pipegen.status_text("ahead", 1500.0, "en") == "Ahead by $1.5K"
    assert pipegen.status_text("behind", -1500.0, "zh") == "落后 $1,500"
    behind = {**res, "status": "behind", "gap": -10.0}
    text = _text(pipegen.kpis(behind, "en", ""))
    assert "Behind by $10" in text and "text-danger" in text


# ---------------------------------------------------------------------------- CSV


def test_work_queue_csv_is_safe_against_formula_injection(prep: Prepared) -> None:
    res = cb.BY_NAME["clean-your-room"].compute(prep, AS_OF, Filters())
    assert res["flagged"]
    evil = {**res["flagged"][0], "opportunity_name": "=HYPERLINK(\"http://x\",\"y\")", "account_name": "@SUM(A1)"}
    res = {**res, "flagged": [evil, *res["flagged"][1:]]}
    data = cb.queue_csv(res, "zh")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == list(cb.QUEUE_CSV_COLUMNS)
    assert len(rows) == len(res["flagged"])
    assert rows[0]["opportunity_name"].startswith("'=") and rows[0]["account_name"].startswith("'@")
    assert rows[0]["rules"] == ";".join(evil["rules"])
    assert t(f"clean.rule.{evil['rules'][0]}", "zh", days=30).split("（")[0][:2] in rows[0]["reasons"]
    assert all(not r[c].startswith(("=", "+", "@")) for r in rows for c in r)


# ---------------------------------------------------------------------------- services


def test_results_are_cached_per_data_version(settings, dataset: Dataset) -> None:
    from app import create_app

    app = create_app(settings)
    services: Services = app.services
    services.workspace.replace_dataset(dataset, source="test", fmt="sample")
    calls: list[date] = []
    base = cb.BY_NAME["state-of-the-union"]

    def counting(prep: Prepared, as_of: date, filters: Filters) -> dict:
        calls.append(as_of)
        return base.compute(prep, as_of, filters)

    page = replace(base, compute=counting)
    view = cb.make_view(AS_OF)
    first = cb.dashboard_json(services, page, view)
    assert cb.dashboard_json(services, page, view) == first and len(calls) == 1
    prep_before = cb.prepared(services)

    owner = dataset.reps["rep_id"].iloc[0]
    won = pd.DataFrame(
        [
            {
                "opportunity_id": "BIG-WIN",
                "owner_id": owner,
                "type": "New Business",
                "stage": "Closed Won",
                "amount": 5_000_000.0,
                "created_date": AS_OF - timedelta(days=40),
                "close_date": AS_OF,
                "is_closed": True,
                "is_won": True,
            }
        ]
    )
    services.workspace.upsert_rows({"opportunities": won})
    second = cb.dashboard_json(services, page, view)
    assert len(calls) == 2
    assert second["closed_won_acv"] == pytest.approx(first["closed_won_acv"] + 5_000_000.0)
    assert cb.prepared(services) is not prep_before
    assert cb.prepared(services) is cb.prepared(services)


def test_default_as_of_is_the_data_last_date_when_older(settings, dataset: Dataset) -> None:
    from app import create_app

    services: Services = create_app(settings).services
    services.workspace.replace_dataset(dataset, source="test", fmt="sample")
    assert cb.default_as_of(services, date(2030, 1, 1)) <= AS_OF
    assert cb.default_as_of(services, date(2026, 1, 2)) == date(2026, 1, 2)


def test_ids_used_by_the_callbacks_exist_on_their_pages() -> None:
    for page, module in zip(cb.DASHBOARDS, (sotu, amp, pipegen, cb.clean), strict=True):
        tree = _text(module.layout("en", {}))
        for cid, _ in (*page.outputs, *page.drill_sources):
            assert f'"{cid}"' in tree, cid
    assert Clean.DOWNLOAD.value in _text(cb.clean.layout("en", {}))
    assert Amp.REP_GRID in [cid for cid, _ in cb.BY_NAME["amp"].drill_sources]


def test_the_work_queue_sent_to_the_browser_is_capped_but_the_csv_is_whole(prep: Prepared) -> None:
    res = cb.BY_NAME["clean-your-room"].compute(prep, AS_OF, Filters())
    many = {**res, "flagged": res["flagged"] * (cb.clean.QUEUE_LIMIT // len(res["flagged"]) + 2)}
    shown = cb.clean.render(many, "en", "light")[Clean.QUEUE]
    assert len(shown) == cb.clean.QUEUE_LIMIT and shown[0]["opportunity_id"] == many["flagged"][0]["opportunity_id"]
    assert "the CSV has them all" in _text(cb.clean.kpis(many, "en"))
    assert data_rows(cb.queue_csv(many, "en")) == len(many["flagged"])


def data_rows(data: bytes) -> int:
    return len(list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")))))


def test_scope_rep_ids_follow_the_filters() -> None:
    import pandas as pd

    from callbacks.dashboards import scope_rep_ids
    from metrics.prepare import Filters

    reps = pd.DataFrame({"rep_id": ["A", "B", "C"], "team": ["East", "East", "West"], "manager": ["M1", "M2", "M2"], "region": ["E", "E", "W"]})
    assert scope_rep_ids(reps, Filters()) is None
    assert scope_rep_ids(reps, Filters(teams=("East",))) == ["A", "B"]
    assert scope_rep_ids(reps, Filters(teams=("East",), managers=("M2",))) == ["B"]
    assert scope_rep_ids(reps, Filters(regions=("Nowhere",))) == []


def test_the_simulated_month_end_range_brackets_the_actual_and_reads_in_both_languages() -> None:
    from datetime import date

    from crm.sample import generate_sample
    from layouts.dashboards.sotu import sim_range
    from simulation.monthend import month_end_range

    dataset = generate_sample(seed=3, reps=10, as_of=date(2026, 6, 10))
    result = month_end_range(dataset, date(2026, 6, 10), closed_to_date=250_000.0, replications=40)
    assert result is not None and result["month"] == "2026-06"
    assert 250_000.0 <= result["p10"] <= result["p50"] <= result["p90"]
    assert month_end_range(dataset, date(2026, 6, 30), 1.0) is None
    one_rep = month_end_range(dataset, date(2026, 6, 10), 0.0, rep_ids=[str(dataset.reps["rep_id"].iloc[0])], replications=40)
    assert one_rep["p50"] <= result["p50"] - 250_000.0  # one rep's rest of month is part of the team's
    english = str(sim_range(result, 1_000_000.0, "en").to_plotly_json())
    chinese = str(sim_range(result, 1_000_000.0, "zh").to_plotly_json())
    assert "P10–P90" in english and "of the month's quota" in english
    assert "模拟的月末结果" in chinese


def test_filter_options_are_faceted_by_the_other_choices() -> None:
    from datetime import date

    from callbacks.dashboards import filter_options
    from crm.sample import generate_sample
    from metrics.prepare import prepare

    dataset = generate_sample(seed=4, reps=20, as_of=date(2026, 6, 15))
    prep = prepare(dataset)
    everything = filter_options(prep)
    team = everything["team"][0]["value"]
    members = set(dataset.reps.loc[dataset.reps["team"] == team, "rep_id"])
    narrowed = filter_options(prep, {"team": [team]})
    assert {o["value"] for o in narrowed["rep"]} == members
    assert narrowed["team"] == everything["team"]  # a list never narrows itself
    outsider = next(r for r in dataset.reps["rep_id"] if r not in members)
    kept = filter_options(prep, {"team": [team], "rep": [outsider]})
    assert outsider in {o["value"] for o in kept["rep"]}  # a chosen value never disappears
    assert len(narrowed["manager"]) <= len(everything["manager"])
