"""The audit store: one durable, hash-chained record per request, on SQLite or PostgreSQL.

SQLite (the default) runs in WAL mode with ``synchronous=FULL``: a commit returns only after the WAL is
on disk. Each :meth:`AuditStore.append` is one transaction, so a record is durable when ``append``
returns. The one-row ``audit_head`` table is updated first in that transaction; the row lock it takes
(SQLite's write lock, PostgreSQL's row lock) serialises writers from several processes as well.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import threading
import time as _time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from explicable.audit import _schema as tables
from explicable.audit._export import write_export
from explicable.audit._merkle import merkle_root
from explicable.audit._migrate import upgrade
from explicable.audit._records import prepare
from explicable.audit._signing import load_signing_key, public_hex, sign
from explicable.audit.chain import (
    GENESIS,
    Anchor,
    Checkpoint,
    Head,
    Row,
    VerifyReport,
    anchor_message,
    checkpoint_message,
    record_hash,
    verify_log,
)
from explicable.core.errors import InvalidParameterError

__all__ = ["AuditReceipt", "AuditStore", "open_store"]

KEY_ENV = "EXPLICABLE_AUDIT_KEY"


@dataclass(frozen=True)
class AuditReceipt:
    """Proof that a record was stored: its position and chain hash."""

    seq: int
    decision_id: str
    record_hash: str


def _now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds")


def open_store(
    url: str,
    *,
    signing_key: Any = None,
    checkpoint_every: int = 1000,
    checkpoint_seconds: float = 60.0,
) -> AuditStore:
    """Open (creating and migrating if needed) the audit store at ``url``.

    Parameters
    ----------
    url : str
        ``sqlite:///path/audit.db`` (default backend) or ``postgresql+psycopg://user@host:port/db``.
    signing_key : bytes, str, path or None
        Ed25519 private key (32 raw bytes, PEM bytes or a PEM file). None: for SQLite, ``<db>.key`` beside
        the database, created if absent; for other backends the PEM file named by ``$EXPLICABLE_AUDIT_KEY``.
    checkpoint_every : int, default 1000
        Records between signed checkpoints.
    checkpoint_seconds : float, default 60.0
        A checkpoint is also written by the first append after this many seconds.

    Examples
    --------
    >>> store = open_store("sqlite://")
    >>> store.append({"decision_id": "d1", "time": "2026-01-01T00:00:00+00:00", "status": "ok"}).seq
    1
    >>> store.verify().ok
    True
    >>> store.close()
    """
    if not isinstance(url, str):
        raise InvalidParameterError(parameter="url", expected="a database URL string", got=url)
    if not isinstance(checkpoint_every, int) or isinstance(checkpoint_every, bool) or checkpoint_every < 1:
        raise InvalidParameterError(parameter="checkpoint_every", expected="an int >= 1", got=checkpoint_every)
    if not isinstance(checkpoint_seconds, (int, float)) or not checkpoint_seconds > 0:
        raise InvalidParameterError(parameter="checkpoint_seconds", expected="a number > 0", got=checkpoint_seconds)
    engine, default_key, is_sqlite = _engine(url)
    if signing_key is None and not is_sqlite:
        signing_key = os.environ.get(KEY_ENV)
        if signing_key is None:
            engine.dispose()
            raise InvalidParameterError(
                parameter="signing_key", expected=f"a key (or ${KEY_ENV}) for a non-SQLite store", got=None
            )
    key = load_signing_key(signing_key, default_key)
    return AuditStore(engine, key, checkpoint_every=checkpoint_every, checkpoint_seconds=float(checkpoint_seconds))


def _engine(url: str) -> tuple[Engine, Path | None, bool]:
    """The engine, the default key file (SQLite files only) and whether the backend is SQLite."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidParameterError(parameter="url", expected="a database URL", got=url) from exc
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True), None, False
    database = parsed.database
    if not database or database == ":memory:":
        engine = create_engine(parsed, poolclass=StaticPool, connect_args={"check_same_thread": False})
        default_key = None
    else:
        if not Path(database).parent.is_dir():
            raise InvalidParameterError(parameter="url", expected="a SQLite file in an existing folder", got=url)
        engine = create_engine(parsed, connect_args={"timeout": 30.0})
        default_key = Path(database + ".key")
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine, default_key, True


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class AuditStore:
    """A hash-chained audit log; open one with :func:`open_store`. Thread-safe."""

    def __init__(
        self, engine: Engine, key: Ed25519PrivateKey, *, checkpoint_every: int, checkpoint_seconds: float
    ) -> None:
        self._engine = engine
        self._key = key
        self._public = public_hex(key)
        self._every = checkpoint_every
        self._seconds = checkpoint_seconds
        self._lock = threading.Lock()
        with engine.begin() as conn:
            upgrade(conn)
            self._initialise(conn)

    def _initialise(self, conn: Connection) -> None:
        if conn.execute(select(tables.head.c.id)).first() is None:
            conn.execute(
                insert(tables.head).values(
                    id=1, seq=0, record_hash=GENESIS, checkpoint_seq=0, checkpoint_ts=_time.time()
                )
            )
        stored = conn.execute(select(tables.meta.c.value).where(tables.meta.c.key == "public_key")).scalar()
        if stored is None:
            conn.execute(insert(tables.meta).values(key="public_key", value=self._public))
        elif stored != self._public:
            raise InvalidParameterError(
                parameter="signing_key",
                expected="the key this audit store was created with",
                got=f"a key with public part {self._public[:16]}...",
            )

    @property
    def public_key(self) -> str:
        """The Ed25519 public key (raw, hex) that checkpoints are signed with."""
        return self._public

    def append(self, record: Mapping[str, Any]) -> AuditReceipt:
        """Store ``record`` (see the module docs for the fields); return once it is committed."""
        item = prepare(record)
        with self._lock, self._engine.begin() as conn:
            bumped = tables.head.c.seq + 1
            head = conn.execute(
                update(tables.head)
                .where(tables.head.c.id == 1)
                .values(seq=bumped)
                .returning(
                    tables.head.c.seq,
                    tables.head.c.record_hash,
                    tables.head.c.checkpoint_seq,
                    tables.head.c.checkpoint_ts,
                )
            ).one()
            seq = int(head.seq)
            digest = record_hash(head.record_hash, seq, item.body)
            conn.execute(
                insert(tables.records).values(
                    seq=seq,
                    decision_id=item.decision_id,
                    time=item.time,
                    ts=item.ts,
                    status=item.status,
                    body=item.body.decode(),
                    record_hash=digest,
                )
            )
            conn.execute(update(tables.head).where(tables.head.c.id == 1).values(record_hash=digest))
            due = seq - head.checkpoint_seq >= self._every or _time.time() - head.checkpoint_ts >= self._seconds
            if due:
                self._write_checkpoint(conn, int(head.checkpoint_seq) + 1, seq, digest)
        return AuditReceipt(seq, item.decision_id, digest)

    def _write_checkpoint(self, conn: Connection, first: int, last: int, head_hash: str) -> None:
        leaves = (
            conn.execute(
                select(tables.records.c.record_hash)
                .where(tables.records.c.seq.between(first, last))
                .order_by(tables.records.c.seq)
            )
            .scalars()
            .all()
        )
        root = merkle_root([bytes.fromhex(h) for h in leaves]).hex()
        when = _now_iso()
        signature = sign(self._key, checkpoint_message(first, last, root, head_hash, when))
        conn.execute(
            insert(tables.checkpoints).values(
                first_seq=first,
                last_seq=last,
                root=root,
                head_hash=head_hash,
                time=when,
                signature=signature,
                leaves="".join(leaves),
            )
        )
        conn.execute(
            update(tables.head).where(tables.head.c.id == 1).values(checkpoint_seq=last, checkpoint_ts=_time.time())
        )

    @property
    def checkpoint_seconds(self) -> float:
        """Most seconds between checkpoints while records arrive (a service also checkpoints on a timer)."""
        return self._seconds

    def checkpoint(self) -> bool:
        """Sign a checkpoint over the records not yet covered; False when there were none."""
        with self._lock, self._engine.begin() as conn:
            head = conn.execute(select(tables.head).where(tables.head.c.id == 1)).one()
            if head.seq <= head.checkpoint_seq:
                return False
            self._write_checkpoint(conn, int(head.checkpoint_seq) + 1, int(head.seq), head.record_hash)
        return True

    def get(self, decision_id: str) -> dict[str, Any] | None:
        """The first record with ``decision_id`` as appended, plus ``seq`` and ``record_hash``; None if absent."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(tables.records.c.seq, tables.records.c.body, tables.records.c.record_hash)
                .where(tables.records.c.decision_id == decision_id)
                .order_by(tables.records.c.seq)
                .limit(1)
            ).first()
        if row is None:
            return None
        record: dict[str, Any] = json.loads(row.body)
        record.update(seq=int(row.seq), record_hash=row.record_hash)
        return record

    def verify(self) -> VerifyReport:
        """Recompute the chain and every checkpoint; see :func:`explicable.audit.chain.verify_log`."""
        # Appends from this process wait meanwhile, so that the head read here matches the rows read.
        with self._lock, self._engine.connect() as conn:
            return verify_connection(conn, self._public)

    @staticmethod
    def _rows(conn: Connection, since: float | None = None) -> Iterator[Row]:
        return log_rows(conn, since)

    def export(self, target: str | os.PathLike[str], *, since: Any = None, format: str = "jsonl") -> int:
        """Write the records (from ``since``, a datetime or ISO-8601 string, on) as JSON Lines or Parquet."""
        start = _since(since)
        with self._engine.connect() as conn:
            return write_export(self._rows(conn, start), target, format)

    def apply_retention(self, older_than: _dt.timedelta) -> int:
        """Remove records older than ``older_than``, whole checkpoints at a time; return how many went.

        Only records already covered by a signed checkpoint go, and a signed anchor records the hash
        they ended on, so that the rest of the log still verifies.
        """
        if not isinstance(older_than, _dt.timedelta) or older_than < _dt.timedelta(0):
            raise InvalidParameterError(parameter="older_than", expected="a non-negative timedelta", got=older_than)
        cutoff = _time.time() - older_than.total_seconds()
        with self._lock, self._engine.begin() as conn:
            young = conn.execute(select(func.min(tables.records.c.seq)).where(tables.records.c.ts >= cutoff)).scalar()
            pruned = conn.execute(select(func.max(tables.anchors.c.pruned_through))).scalar() or 0
            query = select(tables.checkpoints).where(tables.checkpoints.c.last_seq > pruned)
            if young is not None:
                query = query.where(tables.checkpoints.c.last_seq < young)
            cp = conn.execute(query.order_by(tables.checkpoints.c.last_seq.desc()).limit(1)).first()
            if cp is None:
                return 0
            when = _now_iso()
            signature = sign(self._key, anchor_message(int(cp.last_seq), cp.head_hash, when))
            conn.execute(
                insert(tables.anchors).values(
                    pruned_through=cp.last_seq, head_hash=cp.head_hash, time=when, signature=signature
                )
            )
            removed = conn.execute(delete(tables.records).where(tables.records.c.seq <= cp.last_seq))
            return int(removed.rowcount)

    def close(self, *, checkpoint: bool = True) -> None:
        """Release the database connections; first sign a checkpoint over uncovered records unless told not to.

        ``checkpoint=False`` is for readers (verify, export) that must not write.
        """
        if checkpoint:
            self.checkpoint()
        self._engine.dispose()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _since(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidParameterError(parameter="since", expected="an ISO-8601 time", got=value) from exc
    if not isinstance(value, _dt.datetime):
        raise InvalidParameterError(parameter="since", expected="a datetime or an ISO-8601 string", got=value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)  # a time without an offset is taken as UTC
    return value.timestamp()


def log_rows(conn: Connection, since: float | None = None) -> Iterator[Row]:
    """The records in seq order (from ``since``, a POSIX time, when given)."""
    query = select(tables.records).order_by(tables.records.c.seq)
    if since is not None:
        query = query.where(tables.records.c.ts >= since)
    for r in conn.execution_options(yield_per=2000).execute(query):
        yield Row(int(r.seq), r.decision_id, r.time, float(r.ts), r.status, r.body, r.record_hash)


def verify_connection(conn: Connection, public_key: str) -> VerifyReport:
    """Verify the log readable through ``conn`` against ``public_key`` (raw Ed25519, hex)."""
    head_row = conn.execute(select(tables.head).where(tables.head.c.id == 1)).first()
    head = None if head_row is None else Head(int(head_row.seq), head_row.record_hash)
    cps = [
        Checkpoint(int(r.first_seq), int(r.last_seq), r.root, r.head_hash, r.time, r.signature, r.leaves)
        for r in conn.execute(select(tables.checkpoints).order_by(tables.checkpoints.c.first_seq))
    ]
    anchor_row = conn.execute(select(tables.anchors).order_by(tables.anchors.c.pruned_through.desc()).limit(1)).first()
    anchor = (
        None
        if anchor_row is None
        else Anchor(int(anchor_row.pruned_through), anchor_row.head_hash, anchor_row.time, anchor_row.signature)
    )
    return verify_log(log_rows(conn), cps, anchor, head, public_key)


def verify_read_only(url: str, public_key: str) -> VerifyReport:
    """Verify the store at ``url`` with only the operator's published public key: no private key, no writes.

    An auditor should take the public key from the operator, not from the database: whoever can rewrite the
    database could also re-sign it with a key of their own.
    """
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return verify_connection(conn, public_key)
    finally:
        engine.dispose()
