"""The SQLite audit store: records, durability settings, checkpoints, keys, threads, retention, export."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import stat
import threading

import pyarrow.parquet as pq
import pytest

from explicable.audit import export, open_store, verify
from explicable.audit._canonical import canonical_bytes
from explicable.core.errors import InvalidDataError, InvalidParameterError


def _record(i, *, time="2026-03-01T12:00:00+00:00", **extra):
    return {"decision_id": f"d-{i}", "time": time, "status": "ok", "output": [i / 7], "caller": "k1", **extra}


@pytest.fixture
def db(tmp_path):
    return tmp_path / "audit.db"


def test_append_returns_the_chain_hash_and_get_gives_the_record_back(db):
    with open_store(f"sqlite:///{db}") as store:
        first = store.append(_record(1, input={"age": 41, "name": "Ann"}))
        second = store.append(_record(2))
        # Closed form of the chain: SHA-256(previous || seq (8 bytes) || canonical record), from 32 zero bytes.
        h1 = hashlib.sha256(
            bytes(32) + (1).to_bytes(8, "big") + canonical_bytes(_record(1, input={"age": 41, "name": "Ann"}))
        )
        h2 = hashlib.sha256(h1.digest() + (2).to_bytes(8, "big") + canonical_bytes(_record(2)))
        assert (first.seq, first.record_hash) == (1, h1.hexdigest())
        assert (second.seq, second.record_hash) == (2, h2.hexdigest())
        got = store.get("d-1")
        assert got == {**_record(1, input={"age": 41, "name": "Ann"}), "seq": 1, "record_hash": h1.hexdigest()}
        assert store.get("nope") is None
        assert store.verify().ok


def test_sqlite_runs_in_wal_mode_with_synchronous_full(db):
    store = open_store(f"sqlite:///{db}")
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    store.close()


def test_a_record_is_committed_when_append_returns(db):
    store = open_store(f"sqlite:///{db}")
    receipt = store.append(_record(1))
    other = sqlite3.connect(db)  # a separate connection sees only committed data
    assert other.execute("SELECT record_hash FROM audit_records WHERE seq = 1").fetchone() == (receipt.record_hash,)
    other.close()
    store.close()


@pytest.mark.parametrize(
    ("record", "parameter"),
    [
        ({"time": "2026-01-01T00:00:00Z", "status": "ok"}, "record.decision_id"),
        ({"decision_id": "a", "time": "2026-01-01T00:00:00", "status": "ok"}, "record.time"),
        ({"decision_id": "a", "time": "yesterday", "status": "ok"}, "record.time"),
        ({"decision_id": "a", "time": "2026-01-01T00:00:00Z", "status": "done"}, "record.status"),
        ({"decision_id": "a", "time": "2026-01-01T00:00:00Z", "status": "ok", "seq": 3}, "record.seq"),
        ({"decision_id": "a", "time": "2026-01-01T00:00:00Z", "status": "ok", "x": float("nan")}, "record.x"),
    ],
)
def test_invalid_records_are_refused_and_nothing_is_written(record, parameter):
    store = open_store("sqlite://")
    with pytest.raises(InvalidDataError) as info:
        store.append(record)
    assert info.value.parameter == parameter
    assert store.verify().records == 0
    store.close()


def test_checkpoints_every_n_records_and_after_t_seconds(db, monkeypatch):
    store = open_store(f"sqlite:///{db}", checkpoint_every=4, checkpoint_seconds=1000.0)
    for i in range(10):
        store.append(_record(i))
    with store._engine.connect() as conn:
        ranges = conn.exec_driver_sql("SELECT first_seq, last_seq FROM audit_checkpoints ORDER BY 1").fetchall()
    assert ranges == [(1, 4), (5, 8)]
    import explicable.audit.store as store_module

    real = store_module._time.time
    monkeypatch.setattr(store_module._time, "time", lambda: real() + 2000.0)
    store.append(_record(10))  # 3 records since the last checkpoint, but 2000 s have passed
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT max(last_seq) FROM audit_checkpoints").scalar() == 11
    monkeypatch.undo()
    store.append(_record(11))
    store.close()  # a closing checkpoint covers the rest
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT max(last_seq), count(*) FROM audit_checkpoints").fetchone() == (12, 4)
    report = verify(f"sqlite:///{db}")
    assert (report.ok, report.records, report.checkpoints) == (True, 12, 4)


def test_signing_key_is_created_private_and_a_different_key_is_refused(db, tmp_path):
    open_store(f"sqlite:///{db}").close()
    key_file = tmp_path / "audit.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in key_file.read_bytes()
    with pytest.raises(InvalidParameterError) as info:
        open_store(f"sqlite:///{db}", signing_key=bytes(32))
    assert info.value.parameter == "signing_key"


def test_a_forged_checkpoint_signature_is_detected(db):
    store = open_store(f"sqlite:///{db}", checkpoint_every=3)
    for i in range(6):
        store.append(_record(i))
    with store._engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE audit_checkpoints SET signature = replace(signature, substr(signature, 1, 2), "
            "CASE WHEN substr(signature, 1, 2) = 'aa' THEN 'bb' ELSE 'aa' END) WHERE first_seq = 4"
        )
    report = store.verify()
    assert (report.ok, report.first_bad) == (False, 4)
    assert "signature" in report.problem
    store.close(checkpoint=False)


def test_threads_append_concurrently_without_gaps(db):
    store = open_store(f"sqlite:///{db}", checkpoint_every=25)
    receipts = []

    def work(t):
        receipts.extend(store.append(_record(100 * t + i)) for i in range(30))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.seq for r in receipts) == list(range(1, 121))
    report = store.verify()
    assert (report.ok, report.records) == (True, 120)
    store.close()


def _iso(moment):
    return moment.isoformat()


def test_retention_removes_whole_checkpoints_and_the_log_still_verifies(db):
    now = dt.datetime.now(dt.UTC)
    store = open_store(f"sqlite:///{db}", checkpoint_every=5)
    for i in range(23):  # records 1..12 are 40 days old, 13..23 are 1 day old
        store.append(_record(i, time=_iso(now - dt.timedelta(days=40 if i < 12 else 1))))
    removed = store.apply_retention(dt.timedelta(days=30))
    assert removed == 10  # checkpoints end at 5, 10, 15, 20: only 1..10 lie wholly before record 13
    assert store.get("d-0") is None and store.get("d-10")["seq"] == 11
    report = store.verify()
    assert (report.ok, report.records) == (True, 13)
    assert store.apply_retention(dt.timedelta(days=30)) == 0
    with store._engine.begin() as conn:  # removing the anchor makes the removal look like tampering
        conn.exec_driver_sql("DELETE FROM audit_anchors")
    report = store.verify()
    assert (report.ok, report.first_bad) == (False, 1)
    with pytest.raises(InvalidParameterError):
        store.apply_retention(30)
    store.close(checkpoint=False)


def test_export_jsonl_and_parquet_with_since(db, tmp_path):
    store = open_store(f"sqlite:///{db}")
    times = ["2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00", "2026-03-01T01:00:00+01:00"]
    for i, when in enumerate(times):
        store.append(_record(i, time=when, reasons=["income"]))
    store.close()
    assert export(f"sqlite:///{db}", tmp_path / "all.jsonl") == 3
    lines = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    reopened = open_store(f"sqlite:///{db}")
    assert lines == [reopened.get(f"d-{i}") for i in range(3)]
    # since is inclusive; 2026-03-01T01:00+01:00 is 2026-03-01T00:00Z
    assert reopened.export(tmp_path / "late.parquet", since="2026-02-01T00:00:00Z", format="parquet") == 2
    table = pq.read_table(tmp_path / "late.parquet")
    assert table.column("seq").to_pylist() == [2, 3]
    assert [json.loads(t)["decision_id"] for t in table.column("record").to_pylist()] == ["d-1", "d-2"]
    assert reopened.export(tmp_path / "none.jsonl", since=dt.datetime(2026, 3, 1, 0, 0, 1)) == 0
    with pytest.raises(InvalidParameterError) as info:
        reopened.export(tmp_path / "x.csv", format="csv")
    assert info.value.parameter == "format"
    reopened.close()


def test_cli_functions_refuse_a_missing_store(tmp_path):
    with pytest.raises(InvalidParameterError) as info:
        verify(f"sqlite:///{tmp_path / 'missing.db'}")
    assert info.value.parameter == "url"
    assert not (tmp_path / "missing.db").exists()


def test_open_store_checks_its_parameters(tmp_path, monkeypatch):
    monkeypatch.delenv("EXPLICABLE_AUDIT_KEY", raising=False)
    for kwargs, parameter in [
        ({"checkpoint_every": 0}, "checkpoint_every"),
        ({"checkpoint_seconds": -1}, "checkpoint_seconds"),
    ]:
        with pytest.raises(InvalidParameterError) as info:
            open_store("sqlite://", **kwargs)
        assert info.value.parameter == parameter
    with pytest.raises(InvalidParameterError) as info:
        open_store("postgresql+psycopg://u@127.0.0.1:1/db")
    assert info.value.parameter == "signing_key"
    with pytest.raises(InvalidParameterError) as info:
        open_store("not a url")
    assert info.value.parameter == "url"
