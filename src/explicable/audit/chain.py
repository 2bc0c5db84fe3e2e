"""Tamper evidence: the hash chain, signed Merkle checkpoints, and their verification.

Each record's hash is ``SHA-256(previous hash || seq as 8 big-endian bytes || canonical record)``, starting
from 32 zero bytes; putting ``seq`` in the hash pins every record to its position. Every N records (or T
seconds) a checkpoint signs, with Ed25519, the RFC 6962 Merkle root of the record hashes since the last
checkpoint together with the chain head. Because the head commits to all earlier records, a signed
checkpoint vouches for the whole log up to it; an attacker who edits a record and recomputes the chain
after it still cannot reproduce the signed root. Each checkpoint also keeps the record hashes it covers; they
are checked against the signed root, and each record is then compared with its signed hash, which is what
lets verification name the exact record that differs (an inserted record that chains correctly from its
predecessor, a rewritten chain).

:func:`verify_log` detects a modified, deleted, inserted or reordered record (the chain breaks there),
a log shorter than its last checkpoint covers (truncation), a rewritten chain (a checkpoint root no
longer matches) and forged or altered checkpoints (bad signature), and names the first bad record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from explicable.audit._canonical import canonical_bytes
from explicable.audit._merkle import merkle_root
from explicable.audit._signing import verify_signature
from explicable.core.errors import InvalidDataError

__all__ = [
    "GENESIS",
    "Anchor",
    "Checkpoint",
    "Head",
    "Row",
    "VerifyReport",
    "anchor_message",
    "checkpoint_message",
    "parse_time",
    "record_hash",
    "verify_log",
]

GENESIS = "00" * 32


def record_hash(previous: str, seq: int, body: bytes) -> str:
    """The chain hash of the record ``seq`` whose canonical encoding is ``body`` (hex in, hex out)."""
    return hashlib.sha256(bytes.fromhex(previous) + seq.to_bytes(8, "big") + body).hexdigest()


def parse_time(text: str) -> float:
    """POSIX seconds of an ISO-8601 time that carries a UTC offset; raises ValueError otherwise."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("time without a UTC offset")
    return moment.timestamp()


def checkpoint_message(first_seq: int, last_seq: int, root: str, head_hash: str, time: str) -> bytes:
    """The bytes a checkpoint signature covers."""
    return canonical_bytes(
        {
            "kind": "checkpoint",
            "first_seq": first_seq,
            "last_seq": last_seq,
            "root": root,
            "head": head_hash,
            "time": time,
        }
    )


def anchor_message(pruned_through: int, head_hash: str, time: str) -> bytes:
    """The bytes a retention anchor signature covers."""
    return canonical_bytes({"kind": "retention", "pruned_through": pruned_through, "head": head_hash, "time": time})


@dataclass(frozen=True)
class Row:
    """A stored record as read back: columns and the canonical text."""

    seq: int
    decision_id: str
    time: str
    ts: float
    status: str
    body: str
    record_hash: str


@dataclass(frozen=True)
class Checkpoint:
    first_seq: int
    last_seq: int
    root: str
    head_hash: str
    time: str
    signature: str
    leaves: str
    """The record hashes covered, hex, concatenated (authenticated by ``root``)."""


@dataclass(frozen=True)
class Anchor:
    pruned_through: int
    head_hash: str
    time: str
    signature: str


@dataclass(frozen=True)
class Head:
    seq: int
    record_hash: str


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of a verification.

    Attributes
    ----------
    ok : bool
    records : int
        Records checked.
    checkpoints : int
        Checkpoints whose signature and root were checked.
    first_bad : int or None
        The seq of the first record found bad (missing, altered, out of place), None when ``ok``.
    problem : str
        What is wrong, in words ("" when ``ok``).
    """

    ok: bool
    records: int
    checkpoints: int
    first_bad: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit log verified: {self.records} records, {self.checkpoints} checkpoints"
        return f"audit log NOT verified: record {self.first_bad}: {self.problem}"


class _BadRecordError(Exception):
    def __init__(self, seq: int | None, problem: str) -> None:
        super().__init__(problem)
        self.seq = seq
        self.problem = problem


def verify_log(
    rows: Iterable[Row],
    checkpoints: Sequence[Checkpoint],
    anchor: Anchor | None,
    head: Head | None,
    public_key: str,
) -> VerifyReport:
    """Check a whole log: ``rows`` in seq order, the checkpoints, the retention anchor and the head row."""
    state = _State(checkpoints, anchor, public_key)
    try:
        state.check_signatures()
        for row in rows:
            state.feed(row)
        state.finish(head)
    except _BadRecordError as bad:
        return VerifyReport(False, state.records, state.checked, bad.seq, bad.problem)
    return VerifyReport(True, state.records, state.checked)


class _State:
    def __init__(self, checkpoints: Sequence[Checkpoint], anchor: Anchor | None, public_key: str) -> None:
        self.checkpoints = sorted(checkpoints, key=lambda c: c.first_seq)
        self.anchor = anchor
        self.public_key = public_key
        self.start = anchor.pruned_through if anchor is not None else 0
        self.expected = self.start + 1
        self.previous = anchor.head_hash if anchor is not None else GENESIS
        self.pending = [c for c in self.checkpoints if c.last_seq > self.start]
        self.signed = list(self.pending)
        self.leaves: list[bytes] = []
        self.records = 0
        self.checked = 0

    def check_signatures(self) -> None:
        following = 1
        for cp in self.checkpoints:
            message = checkpoint_message(cp.first_seq, cp.last_seq, cp.root, cp.head_hash, cp.time)
            if not verify_signature(self.public_key, message, cp.signature):
                raise _BadRecordError(
                    cp.first_seq, f"checkpoint over records {cp.first_seq}..{cp.last_seq} has a bad signature"
                )
            if _leaves(cp) is None:
                raise _BadRecordError(
                    cp.first_seq,
                    f"checkpoint over records {cp.first_seq}..{cp.last_seq} lists hashes that do not match its root",
                )
            if cp.first_seq != following or cp.last_seq < cp.first_seq:
                raise _BadRecordError(following, f"checkpoints are not contiguous: one starts at {cp.first_seq}")
            following = cp.last_seq + 1
        if self.anchor is not None:
            self._check_anchor(self.anchor)

    def _check_anchor(self, anchor: Anchor) -> None:
        message = anchor_message(anchor.pruned_through, anchor.head_hash, anchor.time)
        if not verify_signature(self.public_key, message, anchor.signature):
            raise _BadRecordError(anchor.pruned_through + 1, "the retention anchor has a bad signature")
        if not any(c.last_seq == anchor.pruned_through and c.head_hash == anchor.head_hash for c in self.checkpoints):
            raise _BadRecordError(anchor.pruned_through + 1, "the retention anchor matches no checkpoint")

    def feed(self, row: Row) -> None:
        if row.seq != self.expected:
            what = "is missing" if row.seq > self.expected else "is duplicated or out of order"
            raise _BadRecordError(self.expected, f"record {self.expected} {what} (found seq {row.seq})")
        _check_columns(row)
        digest = record_hash(self.previous, row.seq, row.body.encode())
        if self._signed_hash(row.seq) not in ("", digest):
            raise _BadRecordError(row.seq, "the record differs from the one its checkpoint signed")
        if digest != row.record_hash:
            raise _BadRecordError(row.seq, "the record's content does not match its chain hash")
        self.previous = digest
        self.records += 1
        self.expected += 1
        self.leaves.append(bytes.fromhex(digest))
        if self.pending and self.pending[0].last_seq == row.seq:
            self._close_checkpoint(self.pending.pop(0))

    def _signed_hash(self, seq: int) -> str:
        """The hash a checkpoint signed for record ``seq``; "" if none covers it."""
        while self.signed and self.signed[0].last_seq < seq:
            self.signed.pop(0)
        if not self.signed or self.signed[0].first_seq > seq:
            return ""
        cp = self.signed[0]
        start = (seq - cp.first_seq) * 64
        return cp.leaves[start : start + 64]

    def _close_checkpoint(self, cp: Checkpoint) -> None:
        if merkle_root(self.leaves).hex() != cp.root or self.previous != cp.head_hash:
            raise _BadRecordError(
                cp.first_seq, f"records {cp.first_seq}..{cp.last_seq} do not match their signed checkpoint"
            )
        self.leaves = []
        self.checked += 1

    def finish(self, head: Head | None) -> None:
        last = self.expected - 1
        if self.pending:
            cp = self.pending[0]
            raise _BadRecordError(
                self.expected,
                f"truncated: the signed checkpoint covers records up to {cp.last_seq}, the log ends at {last}",
            )
        if head is not None and head.seq != last:
            raise _BadRecordError(min(head.seq, last) + 1, f"the log ends at {last} but its head says {head.seq}")
        if head is not None and head.seq > self.start and head.record_hash != self.previous:
            raise _BadRecordError(last, "the last record does not match the head hash")
        self.checked += sum(1 for c in self.checkpoints if c.last_seq <= self.start)


def _check_columns(row: Row) -> None:
    try:
        record = json.loads(row.body)
    except ValueError:
        raise _BadRecordError(row.seq, "the stored record is not valid JSON") from None
    try:
        canonical = isinstance(record, dict) and canonical_bytes(record).decode() == row.body
    except InvalidDataError:
        canonical = False
    if not canonical:
        raise _BadRecordError(row.seq, "the stored record is not in canonical form")
    columns = {"decision_id": row.decision_id, "time": row.time, "status": row.status}
    if any(record.get(name) != value for name, value in columns.items()):
        raise _BadRecordError(row.seq, "the indexed columns differ from the record")
    try:
        ts = parse_time(row.time)
    except ValueError:
        raise _BadRecordError(row.seq, "the record's time is not ISO-8601 UTC") from None
    if ts != row.ts:
        raise _BadRecordError(row.seq, "the indexed time differs from the record")


def _leaves(cp: Checkpoint) -> list[bytes] | None:
    """The checkpoint's record hashes if they are well formed and match its root, else None."""
    count = cp.last_seq - cp.first_seq + 1
    if count < 1 or len(cp.leaves) != 64 * count:
        return None
    try:
        leaves = [bytes.fromhex(cp.leaves[i : i + 64]) for i in range(0, len(cp.leaves), 64)]
    except ValueError:
        return None
    return leaves if merkle_root(leaves).hex() == cp.root else None
