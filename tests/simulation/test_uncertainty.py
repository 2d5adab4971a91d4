"""Parameter uncertainty: calibrated evidence, the per-replication draws, wider and
still reproducible bands, and coverage of a generated backtest."""

from __future__ import annotations

from datetime import date

import numpy as np
import pydantic
import pytest

from simulation.calibrate import calibrate
from simulation.forecast import backtest
from simulation.model import compile_scenario, draw_parameters
from simulation.reference import expected_closed_won_acv
from simulation.runner import REPLICATIONS_PER_BLOCK, run
from simulation.scenario import PlannedHire, Scenario

sample = pytest.importorskip("crm.sample")


def uncertain(s: Scenario, strength: float = 1.0) -> Scenario:
    """The scenario with evidence worth a small org's year (weaker when ``strength`` < 1)."""
    types = [
        t.model_copy(
            update={
                "win_rate_evidence_deals": 40.0 * strength,
                "size_log_mean_se": 0.12 / np.sqrt(strength),
                "cycle_log_mean_se": 0.1 / np.sqrt(strength),
            }
        )
        for t in s.deal_types
    ]
    return s.model_copy(
        update={
            "deal_types": types,
            "activity_rate_evidence_count": 150.0 * strength,
            "opportunity_rate_evidence_count": 60.0 * strength,
        }
    ).validated()


def totals(s: Scenario, n: int = 60, seed: int = 3, workers: int = 1) -> np.ndarray:
    return run(s, n, seed, workers=workers).metric("closed_won_acv").sum(axis=1)


def test_defaults_mean_no_uncertainty_and_bad_evidence_is_refused(
    small: Scenario,
) -> None:
    c = compile_scenario(small)
    draw = draw_parameters(c, np.random.default_rng(0), 5)
    assert np.array_equal(draw.act, np.ones(5)) and np.array_equal(draw.opp, draw.act)
    assert (
        (draw.win == 1.0).all() and (draw.size == 0).all() and (draw.cycle == 0).all()
    )
    bad = small.model_dump()
    bad["deal_types"][0]["win_rate_evidence_deals"] = -1
    with pytest.raises(pydantic.ValidationError, match="win_rate_evidence_deals"):
        Scenario.model_validate(bad)
    bad = small.model_dump()
    bad["activity_rate_evidence_count"] = -5
    with pytest.raises(pydantic.ValidationError, match="activity_rate_evidence"):
        Scenario.model_validate(bad)


def test_draws_follow_their_posteriors(small: Scenario) -> None:
    s = uncertain(small)
    c = compile_scenario(s)
    d = draw_parameters(c, np.random.default_rng(1), 40_000)
    assert d.act.mean() == pytest.approx(1.0, abs=0.01)
    assert d.act.std() == pytest.approx(1 / np.sqrt(150.0), rel=0.05)
    assert d.opp.std() == pytest.approx(1 / np.sqrt(60.0), rel=0.05)
    p, n = c.type_win, c.type_win_evidence
    assert d.win.mean(axis=0) == pytest.approx(np.ones(len(p)), abs=0.01)
    beta_sd = np.sqrt(p * (1 - p) / (n + 1)) / p
    assert d.win.std(axis=0) == pytest.approx(beta_sd, rel=0.05)
    assert d.size.std(axis=0) == pytest.approx(c.type_size_se, rel=0.05)
    # the switch turns every draw off, whatever the evidence
    off = compile_scenario(s.model_copy(update={"parameter_uncertainty": False}))
    d0 = draw_parameters(off, np.random.default_rng(1), 10)
    assert (d0.win == 1).all() and (d0.act == 1).all() and (d0.cycle == 0).all()


def test_switched_off_it_reproduces_the_known_parameter_run(small: Scenario) -> None:
    calm = small.model_copy(update={"attrition_base_monthly_hazard": 0.0})
    off = uncertain(calm).model_copy(update={"parameter_uncertainty": False})
    assert np.array_equal(
        run(off, 20, 2).values, run(calm, 20, 2).values, equal_nan=True
    )


def test_uncertainty_widens_the_bands(small: Scenario) -> None:
    calm = small.model_copy(update={"attrition_base_monthly_hazard": 0.0})
    base = totals(calm)
    wide = totals(uncertain(calm))
    wider = totals(uncertain(calm, strength=0.25))

    def spread(x: np.ndarray) -> float:
        p10, p90 = np.percentile(x, [10, 90])
        return float((p90 - p10) / np.median(x))

    assert spread(wide) > 1.15 * spread(base)
    assert spread(wider) > 1.15 * spread(wide)
    # the draws are centred on the estimates: the mean moves far less than the spread
    assert wide.mean() == pytest.approx(base.mean(), rel=0.08)


def test_mean_still_agrees_with_closed_form(unconstrained: Scenario) -> None:
    s = uncertain(unconstrained.model_copy(update={"parameter_uncertainty": True}))
    sizes = np.array([t.size_log_mean_se for t in s.deal_types])
    # E[exp(se z)] = exp(se^2 / 2): the lognormal posterior of the size median
    expected = expected_closed_won_acv(s) * float(np.exp(sizes**2 / 2).mean())
    assert totals(s, n=150, seed=8).mean() == pytest.approx(expected, rel=0.05)


def test_seed_stable_and_workers_invariant_with_uncertainty(small: Scenario) -> None:
    s = uncertain(small)
    n = 2 * REPLICATIONS_PER_BLOCK + 3
    one = run(s, n, 9, workers=1)
    two = run(s, n, 9, workers=2, chunk=REPLICATIONS_PER_BLOCK)
    assert np.array_equal(one.values, two.values, equal_nan=True)
    assert np.array_equal(run(s, n, 9).values, one.values, equal_nan=True)
    assert not np.array_equal(run(s, n, 10).values, one.values, equal_nan=True)


def test_compare_keeps_exact_shifts_under_uncertainty(small: Scenario) -> None:
    calm = uncertain(small.model_copy(update={"attrition_base_monthly_hazard": 0.0}))
    bigger = calm.model_copy(update={"deal_size_multiplier": 1.2})
    assert np.allclose(totals(bigger, n=25), 1.2 * totals(calm, n=25))


@pytest.fixture(scope="module")
def generated():
    return sample.generate_sample(
        seed=5, reps=24, as_of=date(2025, 6, 30), history_months=18
    )


def test_calibration_records_the_evidence(generated) -> None:
    s = calibrate(generated, date(2024, 12, 31), horizon_months=6)
    assert s.parameter_uncertainty
    assert s.activity_rate_evidence_count > 1000
    assert 0 < s.opportunity_rate_evidence_count < s.activity_rate_evidence_count
    for t in s.deal_types:
        assert t.win_rate_evidence_deals > 20
        assert 0 < t.size_log_mean_se < 0.2 and 0 < t.cycle_log_mean_se < 0.2
    # the sample's SDRs source about a fifth of the AEs' new opportunities
    assert 0.1 < s.sdr_sourced_opportunity_share < 0.4


def test_new_seats_do_not_bring_sdr_opportunities(small: Scenario) -> None:
    hire = PlannedHire(
        hire_id="h1", team=small.reps[0].team, start_date=small.start_date
    )
    s = small.model_copy(update={"sdr_sourced_opportunity_share": 0.3})
    s = s.model_copy(update={"planned_hires": [*s.planned_hires, hire]}).validated()
    c = compile_scenario(s)
    c0 = compile_scenario(s.model_copy(update={"sdr_sourced_opportunity_share": 0.0}))
    i = c.slot_ids.index("hire:h1")
    assert c.slot_po[i] == pytest.approx(0.7 * c0.slot_po[i])
    assert np.array_equal(c.slot_po[: len(s.reps)], c0.slot_po[: len(s.reps)])


def test_backtest_bands_cover_the_actuals_across_seeds() -> None:
    """A calibrated 80% band should hold most months; collapsed bands hold almost none."""
    cover = []
    for seed in (1, 2, 3, 4):
        data = sample.generate_sample(
            seed=seed, reps=24, as_of=date(2025, 6, 30), history_months=18
        )
        out = backtest(data, date(2024, 12, 31), months=6, replications=40, seed=0)
        cover.append(out["coverage_p10_p90"])
        rows = out["months"]
        width = np.mean([(m["p90"] - m["p10"]) / m["p50"] for m in rows])
        assert width > 0.2
    assert np.mean(cover) >= 0.6
    assert min(cover) >= 0.3
