"""Workshop records: shareable view links, snapshots of a view, and the decision log.

Why in the workspace database: a planning workshop must be able to reproduce exactly
what the room saw and what it decided, from any machine, later. A snapshot keeps the
view's link (page, filters, as-of date, scenario or plan, language) and the data
version it was taken at; the decision log keeps when, what changed and a note.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crm.store import Workspace

SNAPSHOT = "snapshot"
DECISION = "decision"


def view_link(path: str | None, view_query: str | None, lang: str | None) -> str:
    """The app-relative link that reopens a view: path, the page's query, and lang."""
    params = [(k, v) for k, v in parse_qsl((view_query or "").lstrip("?")) if k != "lang"]
    if lang:
        params.append(("lang", lang))
    query = urlencode(params)
    return (path or "/") + (f"?{query}" if query else "")


class Snapshot(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=80)
    link: str = Field(min_length=1, max_length=4000)
    note: str = Field(default="", max_length=2000)
    data_version: int = Field(ge=0)
    taken_at: str

    @field_validator("link")
    @classmethod
    def _relative(cls, value: str) -> str:
        if not value.startswith("/") or value.startswith("//"):
            raise ValueError("must be a link inside the app (starting with /)")
        return value


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    what: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=2000)
    link: str = Field(default="", max_length=4000)
    data_version: int = Field(ge=0)
    decided_at: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def problems_of(exc: ValidationError) -> list[str]:
    """Pydantic errors as `field: message` lines for the user."""
    return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]


def save_snapshot(workspace: Workspace, name: str, link: str, note: str = "") -> Snapshot:
    """Validate and store a snapshot (a name already used is overwritten)."""
    snap = Snapshot(name=name or "", link=link or "", note=note or "", data_version=workspace.data_version(), taken_at=_now())
    workspace.save_document(SNAPSHOT, snap.name, snap.model_dump())
    return snap


def add_decision(workspace: Workspace, what: str, note: str = "", link: str = "") -> Decision:
    """Append an entry to the decision log; entries are never overwritten."""
    decision = Decision(what=what or "", note=note or "", link=link or "", data_version=workspace.data_version(), decided_at=_now())
    key = f"{decision.decided_at} #{len(workspace.list_documents(DECISION)) + 1}"
    workspace.save_document(DECISION, key, decision.model_dump())
    return decision


def _records(workspace: Workspace, kind: str) -> list[dict[str, Any]]:
    out = []
    for doc in workspace.list_documents(kind):
        payload = workspace.get_document(kind, doc["name"])
        if payload is not None:
            out.append(payload)
    return out


def snapshots(workspace: Workspace) -> list[dict[str, Any]]:
    """Snapshots, newest first."""
    return sorted(_records(workspace, SNAPSHOT), key=lambda s: s["taken_at"], reverse=True)


def decisions(workspace: Workspace) -> list[dict[str, Any]]:
    """The decision log, newest first."""
    return sorted(_records(workspace, DECISION), key=lambda d: d["decided_at"], reverse=True)
