"""Simulated-vs-actual callbacks without a browser: requests, defaults, caching per
data version, renders in both languages, empty states and error states."""

from __future__ import annotations

import json
from datetime import date

import pytest

from app import create_app
from app.settings import Settings
from callbacks import review as cb
from crm.sample import generate_sample
from layouts import review as page
from layouts.i18n import LANGS
from simulation.calibrate import calibrate

AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="module")
def sample():
    return generate_sample(seed=1, reps=10, as_of=AS_OF)


@pytest.fixture
def services(settings, sample):
    app = create_app(settings)
    svc = app.services
    svc.workspace.replace_dataset(sample, source="test", fmt="sample")
    base = calibrate(sample, date(2024, 12, 31))
    svc.workspace.save_document("scenario", "Plan 2025", {"name": "Plan 2025", "scenario": base.model_dump(mode="json")})
    return svc


def test_seed_controls_read_the_query() -> None:
    seeded = page.seed_controls({"scenario": "A", "start": "2025-02", "as_of": "2025-06-30", "scope": "rep:R1", "metric": "meetings"})
    assert seeded == {"source": "scenario:A", "start": "2025-02", "as_of": "2025-06-30", "scope": "rep:R1", "metric": "meetings"}
    bad = page.seed_controls({"plan": "P", "start": "Feb", "as_of": "nope", "metric": "x"})
    assert bad["source"] == "plan:P" and bad["start"] is None and bad["as_of"] is None and bad["metric"] == "closed_won_acv"


def test_defaults_and_link() -> None:
    assert cb.default_start("plan", {"start_date": "2025-04-01"}, AS_OF) == "2025-04"
    assert cb.default_start("baseline", None, AS_OF) == "2025-01"
    assert cb.default_start("baseline", None, date(2025, 1, 15)) == "2024-01"
    assert cb.parse_source("scenario:My plan") == ("scenario", "My plan")
    assert cb.parse_source("scenario:") == ("baseline", "")
    req = cb.make_request("scenario:My plan", "2025-01", AS_OF, 50)
    assert cb.view_link(req, "rep:R1", "activities") == "/review?scenario=My+plan&start=2025-01&as_of=2025-06-30&scope=rep%3AR1&metric=activities"
    assert cb.view_link({"error": "x"}, None, None) == "/review"


def test_run_render_and_cache(services, sample) -> None:
    req = cb.run_review(services, "scenario:Plan 2025", None, "2025-06-30", 10, "en")
    assert req == {"source": "scenario:Plan 2025", "start": "2025-01", "as_of": "2025-06-30", "replications": 10, "seed": 0}
    json.dumps(req)
    calls: list[str] = []
    real = cb.review

    def spy(*args, **kwargs):
        calls.append("review")
        return real(*args, **kwargs)

    cb.review = spy
    try:
        for lang in LANGS:
            out = cb.render(services, req, "team", "closed_won_acv", lang, "light")
            assert len(out) == len(cb.RENDER_OUTPUTS)
            json.dumps(out[3]), json.dumps(out[5])
            assert out[3]["data"] and out[5]["data"][0]["type"] == "waterfall"
            assert "2025" in out[3]["layout"]["title"]["text"]
        assert calls == []  # both renders were cache hits
        services.workspace.replace_dataset(sample, source="again", fmt="sample")
        cb.render(services, req, "team", "closed_won_acv", "en", "light")
        assert calls == ["review"]  # a new data version recomputes
    finally:
        cb.review = real
    out = cb.render(services, req, "rep:R0001", "activities", "en", "dark")
    assert "R0001" in json.dumps(out[1]) and out[3]["data"]
    assert out[8].startswith("/review?scenario=Plan+2025")


def test_render_flags_outside_months_in_chart_and_table(services) -> None:
    rosy = calibrate(services.dataset(), date(2024, 12, 31)).model_copy(update={"activity_rate_multiplier": 3.0})
    services.workspace.save_document("scenario", "Rosy", {"scenario": rosy.model_dump(mode="json")})
    req = cb.run_review(services, "scenario:Rosy", "2025-01", "2025-06-30", 10, "en")
    out = cb.render(services, req, "team", "activities", "en", "light")
    names = [tr.get("name") for tr in out[3]["data"]]
    assert "Outside the band" in names and any("Re-forecast" in (n or "") for n in names)
    table = json.dumps(out[4].to_plotly_json(), default=str)
    assert table.count("table-danger") == 6 and "below P10" in table


def test_empty_and_error_states(services, settings) -> None:
    out = cb.render(services, None, None, None, "zh", "light")
    assert out[0] == "请选择计划及其起始月份，然后点击“运行复盘”。"
    assert out[3]["data"] == [] and out[3]["layout"]["annotations"]
    missing = cb.run_review(services, "plan:Gone", None, "2025-06-30", 10, "en")
    assert "no longer exists" in missing["error"]
    assert cb.render(services, missing, "team", "closed_won_acv", "en", "light")[0] == missing["error"]
    early = cb.run_review(services, "baseline", "2025-06", "2025-06-20", 10, "en")
    out = cb.render(services, early, "team", "closed_won_acv", "en", "light")
    assert "No complete month" in json.dumps(out[5])
    fresh = Settings(data_dir=settings.data_dir.parent / "empty", cache_type="simple", seed_demo=False)
    empty = create_app(fresh).services
    assert "no data" in cb.run_review(empty, "baseline", None, None, 20, "en")["error"]
