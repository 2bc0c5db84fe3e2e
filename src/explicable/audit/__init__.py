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

from explicable.audit._signing import read_public_key
from explicable.audit.chain import VerifyReport
from explicable.audit.store import AuditReceipt, AuditStore, open_store, verify_read_only
from explicable.core.errors import InvalidParameterError

__all__ = ["AuditReceipt", "AuditStore", "VerifyReport", "export", "open_store", "verify"]


def _existing_database(url: str) -> str | None:
    """The SQLite file of ``url`` (which must exist), or None for other databases."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidParameterError(parameter="url", expected="a database URL", got=url) from exc
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if not Path(database).is_file():
        raise InvalidParameterError(parameter="url", expected="an existing audit database", got=url)
    return database


def _open_existing(url: str, signing_key: Any) -> AuditStore:
    # verify/export must never create an empty store (and a fresh key) where the auditor mistyped a path.
    database = _existing_database(url)
    if database is not None and signing_key is None and not Path(database + ".key").is_file():
        raise InvalidParameterError(parameter="signing_key", expected=f"the store's key ({database}.key)", got=None)
    return open_store(url, signing_key=signing_key)


def verify(url: str, *, signing_key: Any = None, public_key: str | os.PathLike[str] | None = None) -> VerifyReport:
    """Verify the audit store at ``url`` (for ``explicable audit verify``).

    With ``public_key`` (the operator's published Ed25519 public key: raw hex, or a PEM file) the store is only
    read and no private key is needed: what an external auditor runs. Otherwise the store's signing key is used.
    """
    if public_key is not None:
        _existing_database(url)
        return verify_read_only(url, read_public_key(public_key))
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
