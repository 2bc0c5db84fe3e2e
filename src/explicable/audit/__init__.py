"""The audit trail: every decision recorded, hash-chained, signed and verifiable.

>>> from explicable.audit import open_store
>>> store = open_store("sqlite://")          # in memory; use sqlite:///path/audit.db in earnest
>>> receipt = store.append({"decision_id": "d-1", "time": "2026-01-01T00:00:00Z", "status": "ok", "output": [0.7]})
>>> store.get("d-1")["output"], receipt.seq
([0.7], 1)
>>> store.close()
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from explicable.audit.chain import VerifyReport
from explicable.audit.store import AuditReceipt, AuditStore, open_store
from explicable.core.errors import InvalidParameterError

__all__ = ["AuditReceipt", "AuditStore", "VerifyReport", "export", "open_store", "verify"]


def _open_existing(url: str, signing_key: Any) -> AuditStore:
    # verify/export must never create an empty store (and a fresh key) where the auditor mistyped a path.
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidParameterError(parameter="url", expected="a database URL", got=url) from exc
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        if not Path(database).is_file():
            raise InvalidParameterError(parameter="url", expected="an existing audit database", got=url)
        if signing_key is None and not Path(database + ".key").is_file():
            raise InvalidParameterError(parameter="signing_key", expected=f"the store's key ({database}.key)", got=None)
    return open_store(url, signing_key=signing_key)


def verify(url: str, *, signing_key: Any = None) -> VerifyReport:
    """Verify the audit store at ``url`` (for ``explicable audit verify``)."""
    store = _open_existing(url, signing_key)
    try:
        return store.verify()
    finally:
        store.close(checkpoint=False)  # verifying must not write


def export(
    url: str, target: str | os.PathLike[str], since: Any = None, format: str = "jsonl", *, signing_key: Any = None
) -> int:
    """Export the records of the store at ``url`` to ``target`` (for ``explicable audit export``)."""
    store = _open_existing(url, signing_key)
    try:
        return store.export(target, since=since, format=format)
    finally:
        store.close(checkpoint=False)
