"""The HTTP API beside the app: health, data version, and the live events feed.

``POST /api/v1/events`` takes JSON batches of new or changed opportunities and
activities (canonical field names), validated like an import and stored atomically:
on any problem the answer is 4xx with every problem listed and nothing is stored.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Flask, jsonify, request

from app.services import Services
from crm.store import Workspace

MAX_EVENT_BYTES = 5 * 1024 * 1024


def _authorised(token: str) -> bool:
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.headers.get("X-API-Token", "")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def store_events(workspace: Workspace, payload: Any) -> tuple[int, dict[str, Any]]:
    """Validate a batch and store it in one transaction: (HTTP status, JSON body)."""
    from crm.events import EventBatchError, validate_event_batch

    known = set(workspace.load_dataset().reps["rep_id"].astype(str))
    try:
        batch = validate_event_batch(payload, known_rep_ids=known)
    except EventBatchError as exc:
        return 422, {"error": "invalid batch: nothing was stored", "problems": list(exc.problems)}
    frames = batch.frames()
    version = workspace.upsert_rows(frames)
    stored = {name: int(len(frame)) for name, frame in frames.items()}
    return 200, {"stored": stored, "warnings": list(batch.warnings), "data_version": version}


def register_api(server: Flask, services: Services) -> None:
    @server.get("/api/v1/health")
    def _health() -> Any:
        return jsonify({"status": "ok"})

    @server.get("/api/v1/version")
    def _version() -> Any:
        return jsonify({"data_version": services.version()})

    @server.post("/api/v1/events")
    def _events() -> Any:
        if not services.settings.api_token:
            return jsonify({"error": "the events API is disabled: set TP_API_TOKEN to enable it"}), 503
        if not _authorised(services.settings.api_token):
            return jsonify({"error": "missing or wrong API token (send 'Authorization: Bearer <token>')"}), 401
        if (request.content_length or 0) > MAX_EVENT_BYTES:
            return jsonify({"error": f"batch too large (limit {MAX_EVENT_BYTES // 1024 // 1024} MiB)"}), 413
        payload = request.get_json(silent=True)
        if payload is None:
            return jsonify({"error": "the body must be a JSON object (Content-Type: application/json)"}), 400
        status, body = store_events(services.workspace, payload)
        return jsonify(body), status
