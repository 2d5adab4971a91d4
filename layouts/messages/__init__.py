"""Message catalogs, one module per area, each exposing ``MESSAGES = {key: {"en", "zh"}}``."""
