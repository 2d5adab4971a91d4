"""Dashboard metrics (contracts §2 and §3) as pure functions of the actuals.

``metrics.prepare.prepare`` builds a ``Prepared`` once per data version; the functions
of ``metrics.dashboards`` take it with an as-of date and ``Filters``. Definitions are
in ``metrics.definitions`` and documented in ``docs/metrics.md``. Nothing here imports
Dash, Flask or Plotly. (No re-exports: ``metrics.prepare`` must stay the module.)
"""
