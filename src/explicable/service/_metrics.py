"""Prometheus metrics of one app (its own registry, so several apps can live in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["Metrics"]

_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Requests by endpoint and status, request latency, decisions by model, audit-write latency."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("explicable_requests", "API requests", ["endpoint", "status"], registry=self.registry)
        self.latency = Histogram("explicable_request_seconds", "Request latency, audit write included",
                                 ["endpoint"], buckets=_BUCKETS, registry=self.registry)
        self.decisions = Counter("explicable_decisions", "Rows explained", ["model"], registry=self.registry)
        self.audit_seconds = Histogram("explicable_audit_write_seconds", "Durable audit append latency",
                                       buckets=_BUCKETS, registry=self.registry)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
