"""Small scenarios shared by the simulation tests (fast: a handful of reps)."""

from __future__ import annotations

import pytest

from simulation.demo import demo_scenario
from simulation.scenario import Scenario


@pytest.fixture(scope="session")
def small() -> Scenario:
    """Eight reps in two teams, every constraint on."""
    return demo_scenario(n_reps=8, n_teams=2, horizon_months=6)


@pytest.fixture(scope="session")
def unconstrained() -> Scenario:
    """Twelve fully ramped reps with every constraint off (closed form applies).

    Parameter uncertainty is off: the closed form is for known parameters.
    """
    return demo_scenario(n_reps=12, n_teams=2, constraints=False).model_copy(
        update={"ramp_months": 0.0, "parameter_uncertainty": False}
    )
