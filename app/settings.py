"""Settings from the environment, with embedded defaults that need no service.

Why a frozen dataclass read once: the app factory takes one explicit settings object,
so tests build apps with their own database and cache and nothing leaks between them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to start; see the README's "Scaling out" section."""

    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str = ""
    cache_type: str = "filesystem"  # filesystem | redis | simple | null
    cache_dir: Path | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"
    background: str = "diskcache"  # diskcache | celery
    celery_broker_url: str = ""
    api_token: str = ""  # POST /api/v1/events needs it; empty disables the endpoint
    debug: bool = False
    seed_demo: bool = True
    demo_reps: int = 40
    secret_key: str = field(default="", repr=False)
    max_upload_mb: int = 200

    def __post_init__(self) -> None:
        if not self.database_url:
            url = f"sqlite:///{(self.data_dir / 'workspace.db').as_posix()}"
            object.__setattr__(self, "database_url", url)
        if self.cache_dir is None:
            object.__setattr__(self, "cache_dir", self.data_dir / "cache")
        if not self.celery_broker_url:
            object.__setattr__(self, "celery_broker_url", self.redis_url)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = dict(os.environ if env is None else env)
        data_dir = Path(e.get("TP_DATA_DIR", PROJECT_ROOT / "data"))
        return cls(
            data_dir=data_dir,
            database_url=e.get("DATABASE_URL", ""),
            cache_type=e.get("TP_CACHE", "filesystem"),
            cache_dir=Path(e["TP_CACHE_DIR"]) if e.get("TP_CACHE_DIR") else None,
            redis_url=e.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            background=e.get("TP_BACKGROUND", "diskcache"),
            celery_broker_url=e.get("CELERY_BROKER_URL", ""),
            api_token=e.get("TP_API_TOKEN", ""),
            debug=_bool(e.get("TP_DEBUG"), False),
            seed_demo=_bool(e.get("TP_SEED_DEMO"), True),
            demo_reps=int(e.get("TP_DEMO_REPS", "40")),
            secret_key=e.get("TP_SECRET_KEY", ""),
            max_upload_mb=int(e.get("TP_MAX_UPLOAD_MB", "200")),
        )

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)
