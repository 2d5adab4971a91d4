"""What callbacks and API routes share: settings, the workspace, the cache.

Why an object built by the factory (not module globals): tests create many apps with
their own databases, and several server workers each hold their own instance; the
only shared state is in the database and the configured cache.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask_caching import Cache

from app.settings import Settings
from crm.dataset import Dataset
from crm.store import Workspace

T = TypeVar("T")


def open_workspace(settings: Settings) -> Workspace:
    """The workspace the settings name, with its per-version snapshot folder."""
    return Workspace(settings.database_url, snapshot_dir=settings.cache_dir / "snapshots")


def canonical_key(name: str, params: Any) -> str:
    """A stable cache key: the name and a SHA-256 of the parameters' canonical JSON."""
    text = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return f"{name}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


@dataclass
class Services:
    settings: Settings
    workspace: Workspace
    cache: Cache
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _derived: dict[str, tuple[int, Any]] = field(default_factory=dict, repr=False)
    _building: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    def version(self) -> int:
        return self.workspace.data_version()

    def dataset(self) -> Dataset:
        return self.workspace.load_dataset()

    def derived(self, name: str, build: Callable[[Dataset], T]) -> T:
        """A value computed once per data version from the dataset (e.g. prepared metrics).

        Kept in this process because it holds DataFrames, which must never be pickled into
        a shared cache on every request; it is rebuilt when the data version moves.
        """
        version = self.version()
        with self._lock:
            hit = self._derived.get(name)
            if hit is not None and hit[0] == version:
                return hit[1]
            build_lock = self._building.setdefault(name, threading.Lock())
        # One build per name at a time: page callbacks that fire together after a data
        # change wait for the first build instead of each repeating it.
        with build_lock:
            with self._lock:
                hit = self._derived.get(name)
                if hit is not None and hit[0] == version:
                    return hit[1]
            value = build(self.dataset())
            with self._lock:
                self._derived[name] = (version, value)
        return value

    def cached(self, name: str, params: Any, compute: Callable[[], T], timeout: int = 3600) -> T:
        """Memoise a JSON-able result keyed by name, parameters and the data version."""
        key = canonical_key(name, {"params": params, "version": self.version()})
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        value = compute()
        self.cache.set(key, value, timeout=timeout)
        return value
