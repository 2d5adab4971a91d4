"""flask-caching and the background-callback manager, chosen from settings."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_caching import Cache

from app.settings import Settings


def cache_config(settings: Settings) -> dict[str, Any]:
    kind = settings.cache_type
    if kind == "redis":
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url, "CACHE_KEY_PREFIX": "tp:"}
    if kind == "simple":
        return {"CACHE_TYPE": "SimpleCache"}
    if kind == "null":
        return {"CACHE_TYPE": "NullCache"}
    if kind == "filesystem":
        path = settings.cache_dir / "flask"
        path.mkdir(parents=True, exist_ok=True)
        return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(path), "CACHE_THRESHOLD": 2000}
    raise ValueError(f"TP_CACHE must be filesystem, redis, simple or null, not {kind!r}")


def make_cache(server: Flask, settings: Settings) -> Cache:
    return Cache(server, config=cache_config(settings))


def make_celery(settings: Settings) -> Any:
    """The Celery app for background callbacks when scaled out (Redis broker and backend)."""
    from celery import Celery

    return Celery(
        "territory_planner",
        broker=settings.celery_broker_url,
        backend=settings.celery_broker_url,
    )


def background_manager(settings: Settings, celery_app: Any | None = None) -> Any:
    """DiskcacheManager on one machine (default), CeleryManager with Redis when scaled out."""
    from dash import CeleryManager, DiskcacheManager

    if settings.background == "celery":
        return CeleryManager(celery_app or make_celery(settings))
    if settings.background == "diskcache":
        import diskcache

        path = settings.cache_dir / "jobs"
        path.mkdir(parents=True, exist_ok=True)
        return DiskcacheManager(diskcache.Cache(str(path)))
    raise ValueError(f"TP_BACKGROUND must be diskcache or celery, not {settings.background!r}")
