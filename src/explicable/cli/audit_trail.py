"""``explicable audit verify|export|prune STORE``: the audit trail for auditors and operators."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from explicable import audit as trail
from explicable.core.errors import InvalidParameterError

__all__ = ["TAMPERED_EXIT", "export", "prune", "verify"]

#: Exit status when verification finds tampering (0 ok, 1 internal error, 2 bad input).
TAMPERED_EXIT = 3

_STORE = typer.Argument(help="The store: sqlite:///path/audit.db or postgresql+psycopg://user@host/db.")
_KEY = typer.Option(help="Ed25519 signing key (PEM file); default: beside a SQLite file, or $EXPLICABLE_AUDIT_KEY.")


def verify(
    store: Annotated[str, _STORE],
    key: Annotated[Path | None, _KEY] = None,
    public_key: Annotated[str | None, typer.Option(help="The operator's published public key (hex or PEM file): "
                                                  "verify read-only, without the private key.")] = None,
) -> None:
    """Recompute the hash chain and every signed checkpoint; exit 3 and name the first bad record if tampered."""
    report = trail.verify(store, signing_key=key, public_key=public_key)
    Console(highlight=False).print(str(report), markup=False)
    if not report.ok:
        raise typer.Exit(TAMPERED_EXIT)


def export(
    store: Annotated[str, _STORE],
    out: Annotated[Path, typer.Option(help="File to write.")],
    since: Annotated[str | None, typer.Option(help="Only records at or after this ISO-8601 time.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="jsonl or parquet")] = "jsonl",
    key: Annotated[Path | None, _KEY] = None,
) -> None:
    """Export the records (for auditors), oldest first."""
    start = None
    if since is not None:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            raise InvalidParameterError(parameter="--since", expected="an ISO-8601 time", got=since) from None
    written = trail.export(store, out, start, output_format, signing_key=key)
    Console(highlight=False).print(f"{written} records written to {out}", markup=False)


def prune(
    store: Annotated[str, _STORE],
    older_than_days: Annotated[float, typer.Option(help="Retention: remove checkpointed records older than this.")],
    key: Annotated[Path | None, _KEY] = None,
) -> None:
    """Apply the retention period; the remaining chain still verifies (a signed anchor replaces what is removed)."""
    if older_than_days <= 0:
        raise InvalidParameterError(parameter="--older-than-days", expected="a positive number", got=older_than_days)
    opened = trail.open_store(store, signing_key=key)
    try:
        removed = opened.apply_retention(timedelta(days=older_than_days))
    finally:
        opened.close()
    Console(highlight=False).print(f"{removed} records removed", markup=False)
