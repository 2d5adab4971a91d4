"""Shared fixtures: isolated settings (a temporary workspace and cache) per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded defaults in a temporary folder: SQLite workspace, simple cache, no demo."""
    return Settings(data_dir=tmp_path / "data", cache_type="simple", seed_demo=False, api_token="test-token")


PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_TEST_URL = "redis://127.0.0.1:6379/9"


def _unavailable(what: str, exc: Exception) -> None:
    """Services run on every developer machine and in CI: there, missing is a failure."""
    message = f"{what} is not reachable: {exc}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A throw-away PostgreSQL database (created, then dropped with its connections)."""
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"tp_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        _unavailable("PostgreSQL at 127.0.0.1:5432", exc)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Redis database 9, emptied before and after the test."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as exc:
        _unavailable("Redis at 127.0.0.1:6379", exc)
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()
