"""The audit middleware: every /v1 request writes exactly one record, and its response leaves only once durable.

A plain ASGI middleware: it holds back the response's messages, appends the record (the store returns once the
record is committed), then sends them, or a 503 in their place when the record could not be written.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from explicable.service._metrics import Metrics

__all__ = ["SCOPE_KEY", "AuditMiddleware", "note"]

SCOPE_KEY = "explicable.audit"
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]


def note(request: Request, **fields: Any) -> None:
    """Add ``fields`` to the audit record of ``request``."""
    request.scope.setdefault(SCOPE_KEY, {}).update(fields)


def _status(code: int, fields: dict[str, Any]) -> str:
    if code < 400:
        return "ok"
    if fields.get("timed_out"):
        return "timeout"
    return "failed" if code >= 500 else "rejected"


def _json(status: int, detail: str) -> list[Message]:
    body = json.dumps({"detail": detail}).encode()
    return [{"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]},
            {"type": "http.response.body", "body": body}]


class AuditMiddleware:
    """ASGI middleware around the app: records, then answers."""

    def __init__(self, app: Any, *, store: Any, metrics: Metrics) -> None:
        self.app = app
        self.store = store
        self.metrics = metrics

    async def __call__(self, scope: Message, receive: Callable[[], Awaitable[Message]], send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        decision_id = uuid.uuid4().hex
        fields: dict[str, Any] = scope.setdefault(SCOPE_KEY, {})
        fields["decision_id"] = decision_id
        start = time.perf_counter()
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        try:
            await self.app(scope, receive, hold)
        except Exception as exc:  # the endpoint crashed: still one record, and a 500 without internals
            fields["error"] = f"{type(exc).__name__}: {exc}"
            held = _json(500, "Internal error; the request was recorded.")
        code = int(held[0]["status"]) if held and held[0]["type"] == "http.response.start" else 500
        endpoint = getattr(scope.get("route"), "path", scope["path"])
        record = {"decision_id": decision_id, "time": datetime.now(UTC).isoformat(),
                  "status": _status(code, fields), "http_status": code, "endpoint": f"{scope['method']} {endpoint}",
                  "latency_ms": round((time.perf_counter() - start) * 1000.0, 3), "caller": None}
        record.update({k: v for k, v in fields.items() if k not in ("decision_id", "timed_out")})
        written = time.perf_counter()
        try:
            await run_in_threadpool(self.store.append, record)
        except Exception:  # never answer a request that is not on the record
            code, held = 503, _json(503, "The audit store could not record this request, so no result is "
                                         "returned; try again later.")
        else:
            self.metrics.audit_seconds.observe(time.perf_counter() - written)
            held[0]["headers"] = [*held[0].get("headers", []), (b"x-decision-id", decision_id.encode())]
        self.metrics.requests.labels(endpoint, str(code)).inc()
        self.metrics.latency.labels(endpoint).observe(time.perf_counter() - start)
        for message in held:
            await send(message)
