"""The four dashboard pages: one module per page, plus the shared filter bar, KPI
cards, grids, drill-down and chart pieces in ``common`` and ``charts``."""
