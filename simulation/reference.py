"""Yardsticks for the SimPy model: a closed-form expectation and a pure NumPy funnel.

Both describe the model with every constraint off (no SE queues, no open-deal
crowd-out, unlimited accounts, no attrition, no hires, no open deals at the start).
The tests hold the SimPy model to the closed form; the benchmark times it against
the NumPy funnel, which draws the whole horizon for all replications at once.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from simulation.model import DAYS_PER_MONTH, compile_scenario, ramp_curve
from simulation.scenario import Scenario


def _daily_opportunity_rates(scenario: Scenario) -> tuple[np.ndarray, object]:
    """Expected new opportunities per (working day, territory) with constraints off."""
    c = compile_scenario(scenario)
    s = scenario
    owner = c.terr_owner
    slots = np.where(owner >= 0, owner, 0)
    tenure = (c.day_cal[:, None] - c.slot_hire_cal[slots][None, :]) / DAYS_PER_MONTH
    prod = ramp_curve(tenure, c.slot_ramp[slots], s.ramp_start_productivity)
    prod = np.where((owner >= 0) & c.slot_active0[slots], prod, 0.0)
    base = prod * c.terr_share[None, :] * c.season_day[:, None]
    if s.funnel == "activities":
        pm = np.clip(
            c.slot_pm[slots] * s.meeting_conversion_multiplier * c.terr_meet, 0, 1
        )
        po = np.clip(c.slot_po[slots] * s.opportunity_conversion_multiplier, 0, 1)
        lam_act = base * c.slot_act[slots] * s.activity_rate_multiplier
        return lam_act, (c, pm, po)
    lam = (
        base * c.slot_opd[slots] * c.terr_meet * s.activity_rate_multiplier
        * s.meeting_conversion_multiplier * s.opportunity_conversion_multiplier
    )  # fmt: skip
    return lam, (c, None, None)


def expected_closed_won_acv(scenario: Scenario) -> float:
    """Closed form: E[team closed-won ACV over the horizon] with constraints off.

    Sum over days and territories of expected new deals x mix x win rate x mean size
    x P(the deal closes before the last working day of the horizon).
    """
    lam, (c, pm, po) = _daily_opportunity_rates(scenario)
    s = scenario
    opps = lam * pm * po if pm is not None else lam
    remaining = c.day_cal[-1] - c.day_cal  # calendar days left after each day
    total = 0.0
    mix = s.deal_mix()
    for t in s.deal_types:
        win = min(t.win_rate * s.win_rate_multiplier, 1.0)
        size = t.size_median_usd * np.exp(t.size_sigma**2 / 2) * s.deal_size_multiplier
        per_terr = opps * c.terr_size[None, :] * size
        mu = np.log(t.cycle_median_days * s.cycle_length_multiplier)
        sig = max(t.cycle_sigma, 1e-9)
        p_close = ndtr((np.log(np.maximum(remaining, 1e-9)) - mu) / sig)
        total += mix[t.name] * win * float((per_terr.sum(axis=1) * p_close).sum())
    return total


def numpy_funnel(scenario: Scenario, replications: int, seed: int) -> np.ndarray:
    """The same funnel as pure array code: team closed-won ACV, (replications, months).

    One call per step for the whole horizon and all replications; no SimPy, no
    state. Valid only with constraints off (see the module docstring).
    """
    lam, (c, pm, po) = _daily_opportunity_rates(scenario)
    s = scenario
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n_days, n_terr = lam.shape
    if pm is not None:
        acts = rng.poisson(np.broadcast_to(lam, (replications, n_days, n_terr)))
        meets = rng.binomial(acts, pm)
        opps = rng.binomial(meets, po)
    else:
        opps = rng.poisson(np.broadcast_to(lam, (replications, n_days, n_terr)))
    cell = np.repeat(np.arange(opps.size), opps.ravel())
    rep = cell // (n_days * n_terr)
    day = (cell // n_terr) % n_days
    terr = cell % n_terr
    n = len(cell)
    u = rng.random((n, 2))
    z = rng.standard_normal((n, 2))
    kind = np.minimum(
        np.searchsorted(c.type_cum_mix, u[:, 0], side="right"), len(c.type_names) - 1
    )
    amount = np.exp(c.type_mu_size[kind] + c.type_sig_size[kind] * z[:, 0])
    amount *= s.deal_size_multiplier * c.terr_size[terr]
    won = u[:, 1] < np.clip(c.type_win[kind] * s.win_rate_multiplier, 0.0, 1.0)
    cycle = np.exp(c.type_mu_cycle[kind] + c.type_sig_cycle[kind] * z[:, 1])
    cycle *= s.cycle_length_multiplier * np.where(won, 1.0, c.type_lost[kind])
    close = np.maximum(
        np.searchsorted(c.day_cal, c.day_cal[day] + cycle, side="left"), day + 1
    )
    ok = won & (close < n_days)
    month = c.day_month[close[ok]]
    n_months = c.n_months
    out = np.bincount(
        rep[ok] * n_months + month,
        weights=amount[ok],
        minlength=replications * n_months,
    )
    return out.reshape(replications, n_months)
