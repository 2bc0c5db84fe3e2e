"""The output directory's ``_manifest.json``: one entry per partition, what was explained and from which rows."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from explicable.core.errors import InvalidParameterError

__all__ = ["MANIFEST", "prepare_out_dir", "read_manifest", "write_manifest"]

MANIFEST = "_manifest.json"
VERSION = 1


def read_manifest(out_dir: Path) -> dict[int, dict[str, Any]]:
    """Partition entries by index from a previous run; empty when there is none or it is unreadable."""
    file = out_dir / MANIFEST
    try:
        payload = json.loads(file.read_text())
        return {int(key): dict(entry) for key, entry in payload["partitions"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        # a manifest cut short by a crash only costs recomputation, never a wrong skip
        return {}


def write_manifest(out_dir: Path, header: dict[str, Any], entries: dict[int, dict[str, Any]]) -> None:
    """Write the manifest atomically (a temporary file renamed over the old one)."""
    payload = {"version": VERSION, **header, "partitions": {str(i): entries[i] for i in sorted(entries)}}
    partial = out_dir / f".{MANIFEST}.tmp"
    partial.write_text(json.dumps(payload, indent=1, sort_keys=True))
    os.replace(partial, out_dir / MANIFEST)


def prepare_out_dir(out_path: str | Path, keep: set[str]) -> Path:
    """Create the output directory; remove part files of an earlier, differently split run and temporaries.

    Raises
    ------
    InvalidParameterError
        ``out_path`` is an existing file.
    """
    out = Path(out_path)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(parameter="out_path", expected="a directory (one Parquet file per partition "
                                    "is written into it)", got=str(out))
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("part-*.parquet"):
        if stale.name not in keep:
            stale.unlink()
    for partial in out.glob(".part-*.tmp"):
        partial.unlink()
    return out
