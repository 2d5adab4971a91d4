"""Live event batches: same column rules as imports, per-record problem paths."""

from __future__ import annotations

from typing import Any

import pytest

from crm.events import EventBatchError, validate_event_batch


def _opp(**over: Any) -> dict[str, Any]:
    base = {
        "opportunity_id": "O1",
        "owner_id": "R1",
        "type": "New Business",
        "stage": "Discovery",
        "amount": 1200.5,
        "created_date": "2024-03-01",
        "close_date": "2024-04-01",
        "is_closed": False,
        "is_won": False,
    }
    return base | over


def _problems(payload: object, reps: set[str] | None = None) -> list[str]:
    with pytest.raises(EventBatchError) as info:
        validate_event_batch(payload, reps or {"R1"})
    return info.value.problems


def test_valid_batch_gives_canonical_frames() -> None:
    batch = validate_event_batch(
        {
            "opportunities": [_opp(), _opp(opportunity_id="007", amount="1,000")],
            "activities": [
                {
                    "activity_id": "A1",
                    "owner_id": "R1",
                    "activity_type": "call",
                    "activity_date": "2024-03-02",
                }
            ],
        },
        {"R1"},
    )
    opps = batch.opportunities
    assert list(opps["opportunity_id"]) == ["O1", "007"]
    assert list(opps["amount"]) == [1200.5, 1000.0]
    assert opps["created_date"].dtype == "datetime64[ns]"
    assert batch.activities["activity_type"].tolist() == ["Call"]
    assert set(batch.frames()) == {"opportunities", "activities"}


def test_every_problem_is_reported_with_its_path() -> None:
    problems = _problems(
        {
            "opportunities": [
                _opp(),
                _opp(opportunity_id="O2", owner_id="RX", amount="abc"),
                _opp(created_date="x", is_closed="maybe"),
            ],
            "activities": ["junk"],
        }
    )
    assert "opportunities[1].amount: must be a number: 'abc'" in problems
    assert "opportunities[1].owner_id: unknown rep 'RX'" in problems
    assert "opportunities[2].created_date: not a date (use YYYY-MM-DD): 'x'" in problems
    assert any(p.startswith("opportunities[2].is_closed:") for p in problems)
    assert "opportunities[2].opportunity_id: repeats opportunities[0]" in problems
    assert "activities[0]: must be an object" in problems
    assert not any(p.startswith("activities[0].") for p in problems)


def test_required_fields_and_types() -> None:
    problems = _problems({"opportunities": [_opp(amount=None, stage=["x"])]})
    assert "opportunities[0].amount: required value is missing" in problems
    assert "opportunities[0].stage: must be a string or a number" in problems


def test_envelope_and_size_limit() -> None:
    assert _problems({"opps": []}) == ["opps: Extra inputs are not permitted"]
    with pytest.raises(EventBatchError, match="at most 2"):
        validate_event_batch({"opportunities": [_opp()] * 3}, {"R1"}, max_records=2)
