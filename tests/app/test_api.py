"""The events API: token, validation, atomic batches, and the data version moving."""

from __future__ import annotations

from datetime import date

import pytest

from app import create_app
from crm.sample import generate_sample

AS_OF = date(2026, 6, 15)


@pytest.fixture
def client_app(settings):
    app = create_app(settings)
    app.services.workspace.replace_dataset(generate_sample(seed=3, reps=8, as_of=AS_OF), source="t", fmt="sample")
    return app


def _opportunity(rep_id: str, opp_id: str = "EV-1", amount: object = 50000.0) -> dict:
    return {
        "opportunity_id": opp_id,
        "owner_id": rep_id,
        "type": "New Business",
        "stage": "Closed Won",
        "amount": amount,
        "created_date": "2026-06-01",
        "close_date": "2026-06-14",
        "is_closed": True,
        "is_won": True,
    }


def _rep(app) -> str:
    return str(app.services.dataset().reps["rep_id"].iloc[0])


def test_events_need_the_token(client_app) -> None:
    client = client_app.server.test_client()
    body = {"opportunities": [_opportunity(_rep(client_app))]}
    assert client.post("/api/v1/events", json=body).status_code == 401
    wrong = client.post("/api/v1/events", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert client_app.services.version() == 1


def test_events_disabled_without_a_configured_token(settings) -> None:
    app = create_app(settings.with_(api_token=""))
    response = app.server.test_client().post("/api/v1/events", json={}, headers={"Authorization": "Bearer "})
    assert response.status_code == 503
    assert "TP_API_TOKEN" in response.get_json()["error"]


def test_a_valid_batch_is_stored_and_moves_the_version(client_app) -> None:
    client = client_app.server.test_client()
    rep = _rep(client_app)
    body = {
        "opportunities": [_opportunity(rep)],
        "activities": [{"activity_id": "EV-A1", "owner_id": rep, "activity_type": "Call", "activity_date": "2026-06-15"}],
    }
    response = client.post("/api/v1/events", json=body, headers={"Authorization": "Bearer test-token"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["stored"] == {"opportunities": 1, "activities": 1}
    assert client_app.services.version() == 2
    opps = client_app.services.dataset().opportunities
    assert opps.loc[opps["opportunity_id"] == "EV-1", "amount"].item() == 50000.0


def test_a_partly_bad_batch_stores_nothing(client_app) -> None:
    client = client_app.server.test_client()
    before = client_app.services.dataset().opportunities.copy()
    rep = _rep(client_app)
    body = {"opportunities": [_opportunity(rep, "EV-OK"), _opportunity(rep, "EV-BAD", amount="lots"), _opportunity("nobody", "EV-X")]}
    response = client.post("/api/v1/events", json=body, headers={"Authorization": "Bearer test-token"})
    assert response.status_code == 422
    problems = response.get_json()["problems"]
    assert any("opportunities[1]" in p and "amount" in p for p in problems)
    assert any("opportunities[2]" in p and "owner_id" in p for p in problems)
    assert client_app.services.version() == 1
    assert client_app.services.dataset().opportunities.equals(before)


def test_a_body_that_is_not_json_gets_a_clear_400(client_app) -> None:
    client = client_app.server.test_client()
    response = client.post("/api/v1/events", data="not json", headers={"Authorization": "Bearer test-token"})
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]
