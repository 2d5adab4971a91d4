from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from simulation.scenario import PlannedHire, Scenario


def test_json_round_trip_is_exact(small: Scenario) -> None:
    text = small.to_json()
    back = Scenario.from_json(text)
    assert back == small
    assert json.loads(back.to_json()) == json.loads(text)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("deal_types", 0, "win_rate"), float("nan"), "deal_types.0.win_rate"),
        (("deal_types", 1, "size_median_usd"), -5.0, "deal_types.1.size_median_usd"),
        (("reps", 2, "activities_per_day"), float("inf"), "reps.2.activities_per_day"),
        (("recarve_month",), 13, "recarve_month"),
        (("attrition_base_monthly_hazard",), 1.5, "attrition_base_monthly_hazard"),
    ],
)
def test_bad_values_name_the_field(
    small: Scenario, path: tuple, value: float, field: str
) -> None:
    data = small.model_dump(mode="json")
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError) as err:
        Scenario.model_validate(data)
    locs = {".".join(str(p) for p in e["loc"]) for e in err.value.errors()}
    assert field in locs


def test_cross_field_errors_are_clear(small: Scenario) -> None:
    data = small.model_dump()
    data["territories"][0]["owner_rep_id"] = "nobody"
    with pytest.raises(ValidationError, match=r"territories\.0\.owner_rep_id"):
        Scenario.model_validate(data)


def test_model_copy_what_if_and_revalidation(small: Scenario) -> None:
    hire = PlannedHire(hire_id="h1", team="Team A", start_date=date(2026, 2, 1))
    what_if = small.model_copy(update={"planned_hires": [hire], "precarve": False})
    assert what_if.validated().planned_hires[0].hire_id == "h1"
    bad = small.model_copy(update={"win_rate_multiplier": -1.0})
    with pytest.raises(ValidationError, match="win_rate_multiplier"):
        bad.validated()


def test_deal_mix_override_is_normalised(small: Scenario) -> None:
    mix = small.model_copy(update={"deal_mix_override": {"add_on": 0.9}}).deal_mix()
    assert sum(mix.values()) == pytest.approx(1.0)
    assert mix["add_on"] > small.deal_mix()["add_on"]
