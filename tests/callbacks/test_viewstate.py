"""A page's controls become the URL query that reopens the same view."""

from __future__ import annotations

from callbacks.viewstate import view_query
from layouts.plans import CURRENT_KEY


def test_values_become_a_query_without_defaults_or_blanks() -> None:
    keys = ["plan", "compare", "tab"]
    assert view_query(keys, [CURRENT_KEY, [], "overview"]) == "tab=overview"
    assert view_query(keys, ["FY27 B", ["__current__", "FY27 B"], "compare"]) == "plan=FY27+B&compare=__current__%2CFY27+B&tab=compare"


def test_dates_are_trimmed_and_team_scope_is_the_default() -> None:
    assert view_query(["as_of", "scenario", "scope"], ["2026-06-15T00:00:00", None, "team"]) == "as_of=2026-06-15"
    assert view_query(["as_of", "scenario", "scope"], ["2026-06-15", "Two hires", "rep:R0001"]) == "as_of=2026-06-15&scenario=Two+hires&scope=rep%3AR0001"


def test_a_link_property_hands_over_its_own_query() -> None:
    assert view_query([None], ["/review?scenario=Q1&start=2026-01"]) == "scenario=Q1&start=2026-01"
    assert view_query([None], [None]) == ""
