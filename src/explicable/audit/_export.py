"""Writing audit records out for auditors: JSON Lines or Parquet."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from explicable.audit.chain import Row
from explicable.core.errors import InvalidParameterError

__all__ = ["FORMATS", "write_export"]

FORMATS = ("jsonl", "parquet")


def write_export(rows: Iterable[Row], target: str | os.PathLike[str], fmt: str) -> int:
    """Write ``rows`` to ``target``; return how many were written.

    JSON Lines: one object per line, the record as appended plus ``seq`` and ``record_hash``.
    Parquet: columns seq, decision_id, time, status, record_hash and ``record`` (the canonical JSON text,
    since the records are free-form).
    """
    if fmt not in FORMATS:
        raise InvalidParameterError(parameter="format", expected="one of " + ", ".join(FORMATS), got=fmt)
    path = Path(target)
    if not path.parent.is_dir():
        raise InvalidParameterError(parameter="target", expected="a path in an existing folder", got=str(target))
    if fmt == "jsonl":
        return _write_jsonl(rows, path)
    return _write_parquet(rows, path)


def _write_jsonl(rows: Iterable[Row], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            record: dict[str, Any] = json.loads(row.body)
            record.update(seq=row.seq, record_hash=row.record_hash)
            handle.write(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def _write_parquet(rows: Iterable[Row], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("seq", pa.int64()),
            ("decision_id", pa.string()),
            ("time", pa.string()),
            ("status", pa.string()),
            ("record_hash", pa.string()),
            ("record", pa.string()),
        ]
    )
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[Row] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 10_000:
                count += _write_batch(writer, schema, batch)
                batch = []
        count += _write_batch(writer, schema, batch)
    return count


def _write_batch(writer: Any, schema: Any, batch: list[Row]) -> int:
    import pyarrow as pa

    columns = {
        "seq": [r.seq for r in batch],
        "decision_id": [r.decision_id for r in batch],
        "time": [r.time for r in batch],
        "status": [r.status for r in batch],
        "record_hash": [r.record_hash for r in batch],
        "record": [r.body for r in batch],
    }
    writer.write_table(pa.table(columns, schema=schema))
    return len(batch)
