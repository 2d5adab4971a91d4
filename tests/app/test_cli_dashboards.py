"""`python -m app dashboards --as-of DATE --json`: the contract's shape (§3), end to end."""

from __future__ import annotations

import json
from datetime import date

from app.cli import main
from app.services import open_workspace
from crm.sample import generate_sample

AS_OF = "2026-04-17"


def _run(settings, capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["dashboards", "--as-of", AS_OF, "--json", *args], settings) == 0
    return json.loads(capsys.readouterr().out)


def test_dashboards_json_has_the_contract_shape(settings, capsys) -> None:
    open_workspace(settings).replace_dataset(generate_sample(seed=9, reps=8, as_of=date(2026, 4, 17)), source="t", fmt="sample")
    out = _run(settings, capsys)
    assert out["as_of"] == AS_OF
    sotu = out["state_of_the_union"]
    assert sotu["month"] == "2026-04"
    for key in ("closed_won_acv", "quota", "open_pipeline_acv"):
        assert isinstance(sotu[key], float)
    assert isinstance(sotu["closed_won_count"], int)
    if sotu["quota"]:
        assert abs(sotu["attainment"] - sotu["closed_won_acv"] / sotu["quota"]) < 1e-9
    assert sotu["top_rep"] is None or set(sotu["top_rep"]) >= {"rep_id", "closed_won_acv"}
    assert sotu["top_team"] is None or set(sotu["top_team"]) >= {"team", "closed_won_acv"}
    assert all(set(d) >= {"opportunity_id", "amount"} for d in sotu["notable_open"] + sotu["notable_closed"])

    amp = out["amp"]
    assert (amp["period_start"], amp["period_end"]) == ("2026-04-01", AS_OF)
    assert all(set(r) >= {"rep_id", "activities", "meetings", "opportunities_created", "pipeline_created_acv"} for r in amp["by_rep"])

    pipe = out["daily_pipe_gen"]
    assert pipe["month"] == "2026-04" and [d["date"] for d in pipe["days"]] == [f"2026-04-{d:02d}" for d in range(1, 18)]
    cumulative = 0.0
    for day in pipe["days"]:
        cumulative += day["pipeline_created_acv"]
        assert abs(day["cumulative_acv"] - cumulative) < 1e-6
    assert pipe["days"][-1]["target_cumulative_acv"] <= pipe["month_target_acv"] + 1e-6

    room = out["clean_your_room"]
    assert room["flagged"] and all(f["rules"] for f in room["flagged"])
    for row in room["by_rep"]:
        flagged = sum(1 for f in room["flagged"] if f["owner_id"] == row["rep_id"])
        expected = 100.0 if not row["open_opportunities"] else 100 * (1 - flagged / row["open_opportunities"])
        assert abs(row["hygiene_score"] - expected) < 1e-6


def test_a_team_filter_narrows_every_dashboard(settings, capsys) -> None:
    dataset = generate_sample(seed=9, reps=16, as_of=date(2026, 4, 17))
    open_workspace(settings).replace_dataset(dataset, source="t", fmt="sample")
    team = str(dataset.reps["team"].iloc[0])
    everyone = _run(settings, capsys)
    one_team = _run(settings, capsys, "--team", team)
    members = set(dataset.reps.loc[dataset.reps["team"] == team, "rep_id"])
    assert {r["rep_id"] for r in one_team["amp"]["by_rep"]} <= members
    assert one_team["state_of_the_union"]["quota"] < everyone["state_of_the_union"]["quota"]
