"""Benchmark: does ``verify`` catch every single tampering of an audit store, and name the first bad record?

A small SQLite store (``--records`` records, a signed checkpoint every ``--every``) is built once through
``explicable.audit.open_store``. Each trial applies one random mutation that someone with write access to
the database (but not the signing key) could make, and checks that verification fails and names the
expected record:

* edit     a column of one record (body, hash, decision id, time, status) changed;
* forge    a record's body changed and the whole chain after it recomputed (only the signed checkpoints,
           and the record hashes they list, can catch this);
* delete   one record removed;
* insert   a fabricated record inserted in the middle (later records renumbered) or after the end;
* reorder  two records swapped;
* truncate the log cut short inside the signed part, the head row rewritten to match;
* checkpoint  a checkpoint's root, range or listed hashes altered, or a middle checkpoint removed.

Most trials mutate the tables read into memory (what ``AuditStore.verify`` reads) and call
:func:`explicable.audit.chain.verify_log`; ``--sql-trials`` of them mutate a copy of the database file with
SQL and run :func:`explicable.audit.verify` on it end to end. Run ``python bench/audit_tamper.py``
(10,000 trials) or ``--quick``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from explicable.audit import open_store, verify
from explicable.audit._canonical import canonical_bytes
from explicable.audit.chain import Anchor, Checkpoint, Head, Row, record_hash, verify_log

KINDS = ("edit", "forge", "delete", "insert", "reorder", "truncate", "checkpoint")


@dataclass
class Log:
    rows: list[Row]
    checkpoints: list[Checkpoint]
    anchor: Anchor | None
    head: Head
    public_key: str


def build_store(path: Path, *, records: int, every: int, seed: int) -> str:
    """A store at ``path`` with ``records`` random records; returns its URL."""
    rng = np.random.default_rng(seed)
    url = f"sqlite:///{path}"
    store = open_store(url, checkpoint_every=every, checkpoint_seconds=1e9)
    for i in range(records):
        store.append(
            {
                "decision_id": f"d-{i:05d}",
                "time": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
                "status": str(rng.choice(["ok", "ok", "ok", "rejected", "failed", "timeout"])),
                "model": "credit",
                "output": [float(rng.random())],
                "input": {"age": int(rng.integers(18, 90))},
                "reasons": ["income", "debt"][: int(rng.integers(0, 3))],
            }
        )
    store.close()
    return url


def load_log(path: Path) -> Log:
    """The tables of the store at ``path``, read with plain sqlite3."""
    con = sqlite3.connect(path)
    try:
        rows = [
            Row(*r)
            for r in con.execute(
                "SELECT seq, decision_id, time, ts, status, body, record_hash FROM audit_records ORDER BY seq"
            )
        ]
        cps = [
            Checkpoint(*r)
            for r in con.execute(
                "SELECT first_seq, last_seq, root, head_hash, time, signature, leaves "
                "FROM audit_checkpoints ORDER BY first_seq"
            )
        ]
        anchor_row = con.execute(
            "SELECT pruned_through, head_hash, time, signature FROM audit_anchors ORDER BY pruned_through DESC LIMIT 1"
        ).fetchone()
        seq, digest = con.execute("SELECT seq, record_hash FROM audit_head").fetchone()
        key = con.execute("SELECT value FROM audit_meta WHERE key = 'public_key'").fetchone()[0]
    finally:
        con.close()
    return Log(rows, cps, None if anchor_row is None else Anchor(*anchor_row), Head(seq, digest), key)


def _changed_body(row: Row, rng: np.random.Generator) -> str:
    record = json.loads(row.body)
    record["output"] = [record["output"][0] + float(rng.choice([-1, 1])) * 10.0 ** -int(rng.integers(1, 12))]
    return canonical_bytes(record).decode()


def _rechain(rows: list[Row], start: int, previous: str) -> list[Row]:
    out = rows[:start]
    for row in rows[start:]:
        previous = record_hash(previous, row.seq, row.body.encode())
        out.append(replace(row, record_hash=previous))
    return out


def _previous_hash(log: Log, index: int) -> str:
    if index > 0:
        return log.rows[index - 1].record_hash
    return log.anchor.head_hash if log.anchor is not None else "00" * 32


def _edit(log: Log, rng: np.random.Generator) -> tuple[Log, int]:
    i = int(rng.integers(len(log.rows)))
    row = log.rows[i]
    field = str(rng.choice(["body", "record_hash", "decision_id", "time", "ts", "status"]))
    value: object = {
        "body": _changed_body(row, rng),
        "record_hash": f"{int(rng.integers(16)):x}" + row.record_hash[1:],
        "decision_id": row.decision_id + "x",
        "time": row.time.replace("+00:00", "+00:01"),
        "ts": row.ts + 1.0,
        "status": "ok" if row.status != "ok" else "failed",
    }[field]
    if value == getattr(row, field):  # the hex digit drawn was the one already there
        value = ("f" if row.record_hash[0] != "f" else "0") + row.record_hash[1:]
    rows = list(log.rows)
    rows[i] = replace(row, **{field: value})
    return replace(log, rows=rows), row.seq


def _forge(log: Log, rng: np.random.Generator) -> tuple[Log, int]:
    i = int(rng.integers(len(log.rows)))
    rows = list(log.rows)
    rows[i] = replace(rows[i], body=_changed_body(rows[i], rng))
    rows = _rechain(rows, i, _previous_hash(log, i))
    head = Head(log.head.seq, rows[-1].record_hash)
    return replace(log, rows=rows, head=head), rows[i].seq


def _delete(log: Log, rng: np.random.Generator) -> tuple[Log, int]:
    i = int(rng.integers(len(log.rows)))
    return replace(log, rows=log.rows[:i] + log.rows[i + 1 :]), log.rows[i].seq


def _insert(log: Log, rng: np.random.Generator) -> tuple[Log, int]:
    i = int(rng.integers(len(log.rows) + 1))
    template = log.rows[min(i, len(log.rows) - 1)]
    seq = template.seq if i < len(log.rows) else template.seq + 1
    body = canonical_bytes({**json.loads(template.body), "decision_id": "forged"}).decode()
    fake = Row(
        seq,
        "forged",
        template.time,
        template.ts,
        template.status,
        body,
        record_hash(_previous_hash(log, i), seq, body.encode()),
    )
    later = [replace(r, seq=r.seq + 1) for r in log.rows[i:]]
    return replace(log, rows=[*log.rows[:i], fake, *later]), seq


def _reorder(log: Log, rng: np.random.Generator) -> tuple[Log, int]:
    i, j = sorted(int(k) for k in rng.choice(len(log.rows), size=2, replace=False))
    rows = list(log.rows)
    if rng.random() < 0.5:  # swap the contents, each keeping its seq
        rows[i], rows[j] = replace(rows[j], seq=rows[i].seq), replace(rows[i], seq=rows[j].seq)
    else:  # swap the rows as stored
        rows[i], rows[j] = rows[j], rows[i]
    return replace(log, rows=rows), log.rows[i].seq


def _truncate(log: Log, rng: np.random.Generator) -> tuple[Log, int]:
    i = int(rng.integers(len(log.rows)))
    rows = log.rows[:i]
    head = Head(rows[-1].seq, rows[-1].record_hash) if rows else Head(log.rows[0].seq - 1, _previous_hash(log, 0))
    return replace(log, rows=rows, head=head), log.rows[i].seq


def _checkpoint(log: Log, rng: np.random.Generator) -> tuple[Log, int]:
    live = [k for k, c in enumerate(log.checkpoints) if log.anchor is None or c.last_seq > log.anchor.pruned_through]
    k = int(rng.choice(live))
    cps = list(log.checkpoints)
    cp = cps[k]
    how = int(rng.integers(4))
    if how == 3 and k == len(cps) - 1:
        how = 2  # removing the last checkpoint looks like a log not yet checkpointed: not a tampering sign
    if how == 2:
        cps[k] = replace(cp, leaves=cp.leaves[64:] + cp.leaves[:64])  # its listed hashes rotated
    elif how == 0:
        cps[k] = replace(cp, root=("0" if cp.root[0] != "0" else "1") + cp.root[1:])
    elif how == 1:
        cps[k] = replace(cp, last_seq=cp.last_seq - 1)
    else:
        del cps[k]
    return replace(log, checkpoints=cps), cp.first_seq


MUTATIONS: dict[str, Callable[[Log, np.random.Generator], tuple[Log, int]]] = {
    "edit": _edit,
    "forge": _forge,
    "delete": _delete,
    "insert": _insert,
    "reorder": _reorder,
    "truncate": _truncate,
    "checkpoint": _checkpoint,
}


def run_memory(log: Log, trials: int, seed: int) -> dict[str, Counter[str]]:
    """Apply ``trials`` random mutations to ``log`` in memory; count detected / named right per kind."""
    rng = np.random.default_rng(seed)
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for _ in range(trials):
        kind = str(rng.choice(KINDS))
        bad, expected = MUTATIONS[kind](dataclasses.replace(log), rng)
        report = verify_log(bad.rows, bad.checkpoints, bad.anchor, bad.head, bad.public_key)
        counts[kind]["trials"] += 1
        counts[kind]["detected"] += not report.ok
        counts[kind]["named"] += report.first_bad == expected
    return counts


def _sql_mutation(con: sqlite3.Connection, kind: str, rng: np.random.Generator, n: int) -> int:
    seq = int(rng.integers(1, n + 1))
    if kind == "edit":
        con.execute(
            'UPDATE audit_records SET body = replace(body, \'"model":"credit"\', \'"model":"debit"\') WHERE seq = ?',
            (seq,),
        )
    elif kind == "delete":
        con.execute("DELETE FROM audit_records WHERE seq = ?", (seq,))
    elif kind == "reorder":
        other = seq % n + 1
        con.execute("UPDATE audit_records SET seq = -1 WHERE seq = ?", (seq,))
        con.execute("UPDATE audit_records SET seq = ? WHERE seq = ?", (seq, other))
        con.execute("UPDATE audit_records SET seq = ? WHERE seq = -1", (other,))
        seq = min(seq, other)
    else:  # truncate, the head rewritten to match
        con.execute("DELETE FROM audit_records WHERE seq >= ?", (seq,))
        con.execute(
            "UPDATE audit_head SET seq = ?, record_hash = coalesce("
            "(SELECT record_hash FROM audit_records WHERE seq = ?), record_hash)",
            (seq - 1, seq - 1),
        )
    return seq


def run_sql(base: Path, trials: int, seed: int, workdir: Path) -> Counter[str]:
    """Mutate copies of the database file with SQL and verify them through ``explicable.audit.verify``."""
    rng = np.random.default_rng(seed)
    n = len(load_log(base).rows)
    counts: Counter[str] = Counter()
    for t in range(trials):
        copy = workdir / f"trial-{t}.db"
        shutil.copyfile(base, copy)
        shutil.copyfile(str(base) + ".key", str(copy) + ".key")
        con = sqlite3.connect(copy)
        with con:
            expected = _sql_mutation(con, str(rng.choice(["edit", "delete", "reorder", "truncate"])), rng, n)
        con.close()
        report = verify(f"sqlite:///{copy}")
        counts["trials"] += 1
        counts["detected"] += not report.ok
        counts["named"] += report.first_bad == expected
        copy.unlink()
        Path(str(copy) + ".key").unlink()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--sql-trials", type=int, default=200)
    parser.add_argument("--records", type=int, default=64)
    parser.add_argument("--every", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="300 trials, 10 through SQL")
    args = parser.parse_args(argv)
    if args.quick:
        args.trials, args.sql_trials = 300, 10
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "audit.db"
        build_store(base, records=args.records, every=args.every, seed=args.seed)
        log = load_log(base)
        start = time.perf_counter()
        counts = run_memory(log, args.trials, args.seed)
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        sql = run_sql(base, args.sql_trials, args.seed, Path(tmp))
        sql_elapsed = time.perf_counter() - start
    total = sum((c for c in counts.values()), Counter())
    print("| kind | trials | detected | first bad record named |\n|---|---|---|---|")
    for kind, c in [*counts.items(), ("all (in memory)", total), ("all (SQL on file)", sql)]:
        print(
            f"| {kind} | {c['trials']} | {c['detected'] / max(c['trials'], 1):.2%} | "
            f"{c['named'] / max(c['trials'], 1):.2%} |"
        )
    print(
        f"\n{args.records} records, checkpoint every {args.every}; in memory {elapsed:.1f} s "
        f"({elapsed / max(args.trials, 1) * 1e3:.2f} ms/trial), SQL {sql_elapsed:.1f} s"
    )
    ok = total["detected"] == total["trials"] and sql["detected"] == sql["trials"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
