"""The month-end range sums the chosen reps per replication, then takes quantiles."""

from __future__ import annotations

import pytest

from simulation.monthend import range_of


def test_a_view_range_is_of_the_per_replication_total_not_a_sum_of_ranges() -> None:
    rest = {"team": [5.0, 5.0, 5.0, 5.0], "rep:A": [0.0, 10.0, 0.0, 10.0], "rep:B": [10.0, 0.0, 10.0, 0.0]}
    both = range_of(rest, 100.0, ["A", "B"])
    assert both["p10"] == pytest.approx(110.0) and both["p90"] == pytest.approx(110.0)
    one = range_of(rest, 100.0, ["A"])
    assert one["p10"] == pytest.approx(100.0) and one["p90"] == pytest.approx(110.0)
    team = range_of(rest, 100.0, None)
    assert team["p50"] == pytest.approx(105.0) and team["replications"] == 4
    assert range_of(rest, 7.0, ["unknown"])["p50"] == pytest.approx(7.0)
