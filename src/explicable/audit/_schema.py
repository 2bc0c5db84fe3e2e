"""The audit tables (SQLAlchemy Core); the Alembic migrations create exactly these on every backend.

``audit_records``  one row per request: seq (1, 2, ...), indexed columns copied from the record, the
                   canonical record text and its chain hash.
``audit_checkpoints``  signed Merkle checkpoints, each over a contiguous run of records, with the record
                   hashes it covers (``leaves``, hex); the signed root authenticates them, and with them
                   ``verify`` names the exact record that differs from what was signed.
``audit_anchors``  signed retention anchors: records up to ``pruned_through`` were removed on purpose.
``audit_head``     one row: the last seq and hash, and the last checkpoint; updated in the append
                   transaction, so that concurrent writers (threads, processes) serialise on it.
``audit_meta``     key/value: the public key the store is signed with.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Index, Integer, MetaData, String, Table, Text

__all__ = ["anchors", "checkpoints", "head", "meta", "metadata", "records"]

metadata = MetaData()

records = Table(
    "audit_records",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("decision_id", String(128), nullable=False),
    Column("time", String(64), nullable=False),
    Column("ts", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("record_hash", String(64), nullable=False),
    Index("ix_audit_records_decision_id", "decision_id"),
    Index("ix_audit_records_ts", "ts"),
)

checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("first_seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("root", String(64), nullable=False),
    Column("head_hash", String(64), nullable=False),
    Column("time", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
    Column("leaves", Text, nullable=False),
)

anchors = Table(
    "audit_anchors",
    metadata,
    Column("pruned_through", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("head_hash", String(64), nullable=False),
    Column("time", String(64), nullable=False),
    Column("signature", String(128), nullable=False),
)

head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("record_hash", String(64), nullable=False),
    Column("checkpoint_seq", BigInteger, nullable=False),
    Column("checkpoint_ts", Float, nullable=False),
)

meta = Table(
    "audit_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
