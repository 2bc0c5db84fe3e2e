"""Checks on a record before it is appended, and its canonical form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from explicable.audit._canonical import canonical_bytes
from explicable.audit.chain import parse_time
from explicable.core.errors import InvalidDataError

__all__ = ["STATUSES", "Prepared", "prepare"]

STATUSES = ("ok", "rejected", "failed", "timeout")
_RESERVED = ("seq", "record_hash")


@dataclass(frozen=True)
class Prepared:
    decision_id: str
    time: str
    ts: float
    status: str
    body: bytes


def prepare(record: Any) -> Prepared:
    """Validate ``record`` and encode it canonically; raise :class:`InvalidDataError` naming the field."""
    if not isinstance(record, Mapping):
        raise InvalidDataError(parameter="record", expected="a mapping", got=type(record).__name__)
    decision_id = record.get("decision_id")
    if not isinstance(decision_id, str) or not 0 < len(decision_id) <= 128:
        raise InvalidDataError(
            parameter="record.decision_id", expected="a string of 1 to 128 characters", got=decision_id
        )
    when = record.get("time")
    try:
        ts = parse_time(when) if isinstance(when, str) else None
    except ValueError:
        ts = None
    if ts is None or not isinstance(when, str):
        raise InvalidDataError(parameter="record.time", expected="an ISO-8601 time with a UTC offset", got=when)
    status = record.get("status")
    if status not in STATUSES:
        raise InvalidDataError(parameter="record.status", expected="one of " + ", ".join(STATUSES), got=status)
    for key in _RESERVED:
        if key in record:
            raise InvalidDataError(parameter=f"record.{key}", expected="absent (the store assigns it)", got=record[key])
    return Prepared(decision_id, when, ts, str(status), canonical_bytes(dict(record)))
