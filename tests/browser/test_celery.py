"""Scaled out for real: simulations run on a Celery worker through Redis, data in PostgreSQL.

The web app and the worker are separate processes built from the same environment;
the Scenario page's Run button must come back with bands computed by the worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import create_app
from app.cache import make_celery
from crm.sample import generate_sample
from tests.browser.conftest import click, wait_until
from tests.browser.test_scenario import AS_OF, _fills, _set

pytestmark = [pytest.mark.browser, pytest.mark.services]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scaled_settings(settings, pg_url: str, redis_url: str):
    return settings.with_(database_url=pg_url, cache_type="redis", redis_url=redis_url, celery_broker_url=redis_url, background="celery")


@pytest.fixture
def celery_worker(scaled_settings, tmp_path: Path):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=scaled_settings.database_url,
        TP_CACHE="redis",
        REDIS_URL=scaled_settings.redis_url,
        CELERY_BROKER_URL=scaled_settings.celery_broker_url,
        TP_BACKGROUND="celery",
        TP_DATA_DIR=str(scaled_settings.data_dir),
        TP_SEED_DEMO="false",
    )
    log_path = tmp_path / "celery.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "app.worker:celery_app", "worker", "--pool=solo", "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    celery_app = make_celery(scaled_settings)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            pytest.fail(f"the Celery worker exited: {log_path.read_text(errors='replace')[-2000:]}")
        if celery_app.control.ping(timeout=1.0):
            break
    else:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
        pytest.fail("the Celery worker did not answer a ping within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    celery_app.close()


def test_scenario_runs_on_a_celery_worker(dash_duo, scaled_settings, celery_worker) -> None:
    app = create_app(scaled_settings)
    assert type(app._background_manager).__name__ == "CeleryManager"
    app.services.workspace.replace_dataset(generate_sample(seed=1, reps=10, as_of=AS_OF), source="test", fmt="sample")
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/scenario?as_of={AS_OF.isoformat()}")
    dash_duo.wait_for_contains_text("#scenario-baseline-info", AS_OF.isoformat(), timeout=30)
    _set(dash_duo, "replications", "20")
    wait_until(lambda: dash_duo.find_element("#scenario-run").is_enabled(), 10)
    click(dash_duo, "#scenario-run")
    dash_duo.wait_for_contains_text("#scenario-bands .gtitle", AS_OF.isoformat(), timeout=90)
    wait_until(lambda: _fills(dash_duo, "#scenario-bands") >= 1, 30)
    assert celery_worker.poll() is None
