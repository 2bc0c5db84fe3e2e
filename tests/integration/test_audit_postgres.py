"""The audit store on a real PostgreSQL server: same schema (Alembic), chain, checkpoints, verification.

The server is ``$EXPLICABLE_PG_URL`` if set; otherwise a throwaway one is started from the PostgreSQL 15
binaries (``initdb``/``pg_ctl`` as the ``postgres`` user, since they refuse to run as root) on a free
loopback port. Without either the tests are skipped, saying why (``.ci/run`` installs PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from explicable.audit import open_store

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    if os.environ.get("EXPLICABLE_PG_URL"):
        yield os.environ["EXPLICABLE_PG_URL"]
        return
    if not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"no PostgreSQL: set EXPLICABLE_PG_URL or install PostgreSQL 15 ({PG_BIN} is missing)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("no PostgreSQL: running as root without runuser to start it as the postgres user")
    tmp = Path(tempfile.mkdtemp(prefix="explicable-pg-"))
    data = tmp / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    try:
        subprocess.run(
            _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_postgres(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(tmp / "log"),
                "-w",
                "-o",
                f"-p {port} -c listen_addresses=127.0.0.1 -k {tmp}",
                "start",
            ),
            check=True,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc}")
    try:
        subprocess.run(
            _as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "audit"),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/audit"
    finally:
        subprocess.run(
            _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"), capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text

    yield pg_server
    engine = create_engine(pg_server)
    with engine.begin() as conn:  # each test starts from an empty database
        for name in (
            "audit_records",
            "audit_checkpoints",
            "audit_anchors",
            "audit_head",
            "audit_meta",
            "alembic_version",
        ):
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    engine.dispose()


@pytest.fixture
def key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _record(i: int, when: str = "2026-05-01T10:00:00+00:00") -> dict[str, object]:
    return {"decision_id": f"d-{i}", "time": when, "status": "ok", "output": [i * 0.1], "reasons": ["r"]}


def test_postgres_store_chains_checkpoints_and_verifies(pg_url: str, key: bytes) -> None:
    store = open_store(pg_url, signing_key=key, checkpoint_every=5)
    receipts = [store.append(_record(i)) for i in range(12)]
    assert [r.seq for r in receipts] == list(range(1, 13))
    assert store.get("d-3") == {**_record(3), "seq": 4, "record_hash": receipts[3].record_hash}
    store.close()
    reopened = open_store(pg_url, signing_key=key)  # the migrations run again as a no-op
    report = reopened.verify()
    assert (report.ok, report.records, report.checkpoints) == (True, 12, 3)
    with reopened._engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_records SET body = replace(body, '\"r\"', '\"s\"') WHERE seq = 7")
    report = reopened.verify()
    assert (report.ok, report.first_bad) == (False, 7)
    reopened.close(checkpoint=False)


def test_postgres_same_hashes_as_sqlite(pg_url: str, key: bytes, tmp_path: Path) -> None:
    pg = open_store(pg_url, signing_key=key)
    lite = open_store(f"sqlite:///{tmp_path / 'a.db'}", signing_key=key)
    for i in range(5):
        assert pg.append(_record(i)) == lite.append(_record(i))
    pg.close()
    lite.close()


def test_postgres_concurrent_appends_and_retention(pg_url: str, key: bytes) -> None:
    store = open_store(pg_url, signing_key=key, checkpoint_every=10)
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=100)).isoformat()

    def work(t: int) -> None:
        for i in range(25):
            store.append(_record(100 * t + i, old))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.append(_record(999))
    assert store.apply_retention(dt.timedelta(days=30)) == 100
    report = store.verify()
    assert (report.ok, report.records) == (True, 1)
    store.close()
