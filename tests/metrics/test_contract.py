"""The ``dashboards --json`` contract (contracts §3) and internal consistency on
generated workspaces (the NumPy-drawn one and, when present, ``crm.sample``)."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import pytest

from crm.dataset import Dataset
from metrics.dashboards import dashboards_json, deals
from metrics.prepare import Filters, Prepared, prepare
from tests.metrics.builders import D, build, rep
from tests.metrics.synthetic import synthetic_dataset

SHAPE: dict[str, Any] = {
    "as_of": str,
    "state_of_the_union": {
        "month": str,
        "closed_won_acv": float,
        "closed_won_count": int,
        "quota": float,
        "attainment": (float, None),
        "open_pipeline_acv": float,
        "top_rep": ({"rep_id": str, "closed_won_acv": float}, None),
        "top_team": ({"team": str, "closed_won_acv": float}, None),
        "notable_open": [{"opportunity_id": str, "amount": (float, None)}],
        "notable_closed": [{"opportunity_id": str, "amount": (float, None)}],
    },
    "amp": {
        "period_start": str,
        "period_end": str,
        "by_rep": [
            {
                "rep_id": str,
                "activities": int,
                "meetings": int,
                "opportunities_created": int,
                "pipeline_created_acv": float,
            }
        ],
    },
    "daily_pipe_gen": {
        "month": str,
        "month_target_acv": float,
        "days": [
            {
                "date": str,
                "pipeline_created_acv": float,
                "opportunities_created": int,
                "cumulative_acv": float,
                "target_cumulative_acv": float,
            }
        ],
    },
    "clean_your_room": {
        "by_rep": [
            {
                "rep_id": str,
                "open_opportunities": int,
                "past_due": int,
                "stale": int,
                "missing_next_step": int,
                "missing_amount": int,
                "hygiene_score": float,
            }
        ],
        "flagged": [{"opportunity_id": str, "rules": [str]}],
    },
}


def _check_shape(value: Any, shape: Any, path: str) -> None:
    if isinstance(shape, tuple):
        if value is None and None in shape:
            return
        _check_shape(value, next(s for s in shape if s is not None), path)
    elif isinstance(shape, dict):
        assert isinstance(value, dict), path
        for key, sub in shape.items():
            assert key in value, f"{path}.{key} missing"
            _check_shape(value[key], sub, f"{path}.{key}")
    elif isinstance(shape, list):
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            _check_shape(item, shape[0], f"{path}[{i}]")
    elif shape is float:
        assert type(value) is float and math.isfinite(value), f"{path}: {value!r}"
    elif shape is int:
        assert type(value) is int, f"{path}: {value!r}"
    else:
        assert type(value) is shape, f"{path}: {value!r}"


def _plain(value: Any, path: str = "") -> None:
    """Only JSON-native Python types (no NumPy scalars), no NaN anywhere."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert type(k) is str, path
            _plain(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _plain(v, f"{path}[{i}]")
    else:
        assert value is None or type(value) in (str, int, float, bool), (path, value)
        if type(value) is float:
            assert math.isfinite(value), path


def _assert_contract(out: dict[str, Any]) -> None:
    _check_shape(out, SHAPE, "")
    _plain(out)
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text) == out


@pytest.fixture(scope="module")
def synthetic() -> Prepared:
    return prepare(synthetic_dataset(reps=20, opps_per_rep=120, activities_per_rep=300))


@pytest.fixture(scope="module")
def sample() -> Prepared:
    mod = pytest.importorskip("crm.sample")
    return prepare(mod.generate_sample(seed=11, reps=30, as_of=D))


def test_contract_shape_on_a_generated_workspace(synthetic: Prepared) -> None:
    out = dashboards_json(synthetic, D)
    assert out["as_of"] == "2026-06-15"
    assert set(out) == {"as_of", "state_of_the_union", "amp", "daily_pipe_gen",
                        "clean_your_room"}
    _assert_contract(out)
    assert out["state_of_the_union"]["notable_open"]
    assert out["clean_your_room"]["flagged"]


def test_contract_shape_on_an_empty_workspace() -> None:
    for dataset in (Dataset.empty(), build([rep("R0")])):
        out = dashboards_json(prepare(dataset), D)
        _assert_contract(out)
        sotu = out["state_of_the_union"]
        assert sotu["top_rep"] is None and sotu["top_team"] is None
        assert len(out["daily_pipe_gen"]["days"]) == 15


def test_contract_shape_under_a_filter_matching_nobody(synthetic: Prepared) -> None:
    _assert_contract(dashboards_json(synthetic, D, Filters(teams=("nobody",))))


def _consistency(prep: Prepared, as_of: date) -> None:
    out = dashboards_json(prep, as_of)
    sotu, amp_, pg, room = (
        out["state_of_the_union"],
        out["amp"],
        out["daily_pipe_gen"],
        out["clean_your_room"],
    )
    approx = pytest.approx
    # State of the Union
    assert sum(r["closed_won_acv"] for r in sotu["leaderboard"]) == approx(
        sotu["closed_won_acv"]
    )
    assert sotu["trend"][-1]["closed_won_acv"] == approx(sotu["closed_won_acv"])
    assert sotu["trend"][-1]["quota"] == approx(sotu["quota"])
    assert sotu["open_pipeline_due_acv"] <= sotu["open_pipeline_acv"] + 1e-6
    if sotu["top_rep"] is not None:
        best = max(r["closed_won_acv"] for r in sotu["leaderboard"])
        assert sotu["top_rep"]["closed_won_acv"] == approx(best)
    amounts = [d["amount"] or 0.0 for d in sotu["notable_open"]]
    assert amounts == sorted(amounts, reverse=True)
    # AMP
    totals = amp_["totals"]
    for key in ("activities", "meetings", "opportunities_created"):
        assert sum(r[key] for r in amp_["by_rep"]) == totals[key]
        assert sum(t[key] for t in amp_["by_team"]) == totals[key]
    assert sum(r["pipeline_created_acv"] for r in amp_["by_rep"]) == approx(
        totals["pipeline_created_acv"]
    )
    assert totals["meetings"] <= totals["activities"]
    assert amp_["weekly"][-1]["week_end"] == amp_["period_end"]
    # Daily Pipe Gen agrees with AMP and with itself
    assert pg["days"][-1]["cumulative_acv"] == approx(totals["pipeline_created_acv"])
    assert pg["pipeline_created_acv"] == approx(totals["pipeline_created_acv"])
    assert sum(r["pipeline_created_acv"] for r in pg["by_rep"]) == approx(
        pg["pipeline_created_acv"]
    )
    assert sum(m["pipeline_created_acv"] for m in pg["mix"]) == approx(
        pg["pipeline_created_acv"]
    )
    targets = [d["target_cumulative_acv"] for d in pg["days"]]
    assert targets == sorted(targets)
    assert sum(t["month_target_acv"] for t in pg["by_team"]) == approx(
        pg["month_target_acv"]
    )
    # Clean Your Room
    assert sum(r["open_opportunities"] for r in room["by_rep"]) == room["open_opportunities"]
    assert sum(r["flagged"] for r in room["by_rep"]) == len(room["flagged"])
    for rule, count in room["rule_counts"].items():
        assert sum(r[rule] for r in room["by_rep"]) == count
        assert sum(rule in f["rules"] for f in room["flagged"]) == count
    assert all(0.0 <= r["hygiene_score"] <= 100.0 for r in room["by_rep"])
    scores = [r["hygiene_score"] for r in room["by_rep"]]
    assert scores == sorted(scores, reverse=True)
    # drill-down agrees with the dashboards
    assert deals(prep, as_of, kind="won")["total_acv"] == approx(sotu["closed_won_acv"])
    assert deals(prep, as_of, kind="open")["total_acv"] == approx(
        sotu["open_pipeline_acv"]
    )
    # a filter splits the workspace: team parts add up to the whole
    teams = [str(t) for t in prep.teams]
    parts = [
        dashboards_json(prep, as_of, Filters(teams=(t,)))["state_of_the_union"]
        for t in teams
    ]
    assert sum(p["closed_won_acv"] for p in parts) == approx(sotu["closed_won_acv"])
    assert sum(p["quota"] for p in parts) == approx(sotu["quota"])
    assert sum(p["open_pipeline_acv"] for p in parts) == approx(sotu["open_pipeline_acv"])


def test_internal_consistency_on_the_numpy_workspace(synthetic: Prepared) -> None:
    _consistency(synthetic, D)
    _consistency(synthetic, date(2026, 3, 31))


def test_internal_consistency_on_crm_sample(sample: Prepared) -> None:
    _consistency(sample, D)
    _consistency(sample, date(2026, 1, 20))
    out = dashboards_json(sample, D)
    _assert_contract(out)
    # a realistic org closes something, has pipeline and a measurable win rate
    sotu = out["state_of_the_union"]
    assert sotu["closed_won_count"] > 0 and sotu["open_pipeline_acv"] > 0
    assert 0.0 < sotu["win_rate"] < 1.0
    assert out["daily_pipe_gen"]["target_basis"] == "win_rate"
    assert list(sample.stages[:2]) == ["Prospecting", "Qualification"]
