"""The scaled-out setup for real: a PostgreSQL workspace and a Redis cache behind the app."""

from __future__ import annotations

from datetime import date

import pytest
import redis

from app import create_app
from callbacks.data import workspace_summary
from crm.sample import generate_sample

pytestmark = pytest.mark.services

AS_OF = date(2026, 5, 20)


def test_app_on_postgres_and_redis(settings, pg_url: str, redis_url: str) -> None:
    app = create_app(settings.with_(database_url=pg_url, cache_type="redis", redis_url=redis_url))
    services = app.services
    assert services.workspace.engine.dialect.name == "postgresql"
    dataset = generate_sample(seed=8, reps=6, as_of=AS_OF)
    assert services.workspace.replace_dataset(dataset, source="t", fmt="sample") == 1

    summary = workspace_summary(services)
    assert summary["counts"]["reps"] == 6
    keys = redis.Redis.from_url(redis_url).keys("tp:*")
    assert keys, "the summary was not cached in Redis"

    # A write moves the version; the next summary is a new cache entry, not the old one.
    rep = str(dataset.reps["rep_id"].iloc[0])
    client = app.server.test_client()
    response = client.post(
        "/api/v1/events",
        json={"activities": [{"activity_id": "PG-A1", "owner_id": rep, "activity_type": "Call", "activity_date": "2026-05-20"}]},
        headers={"Authorization": "Bearer test-token"},
    )
    assert response.status_code == 200, response.get_json()
    after = workspace_summary(services)
    assert after["version"] == 2
    assert after["counts"]["activities"] == summary["counts"]["activities"] + 1
    assert len(redis.Redis.from_url(redis_url).keys("tp:*")) > len(keys)

    # A second app (another web worker) sees the same data through PostgreSQL.
    other = create_app(settings.with_(database_url=pg_url, cache_type="redis", redis_url=redis_url))
    assert other.services.version() == 2
    assert len(other.services.dataset().activities) == after["counts"]["activities"]
