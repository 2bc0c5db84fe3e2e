"""The Alembic migrations build the schema the code uses; acknowledged records survive SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from explicable.audit import _schema, open_store, verify


def test_migrated_database_matches_the_table_definitions(tmp_path):
    open_store(f"sqlite:///{tmp_path / 'a.db'}").close()
    engine = create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == "0001"
        assert compare_metadata(context, _schema.metadata) == []
    engine.dispose()


WRITER = textwrap.dedent(
    """
    import sys
    from explicable.audit import open_store
    store = open_store(sys.argv[1], checkpoint_every=7)
    i = 0
    while True:
        record = {"decision_id": f"{sys.argv[2]}-{i}", "time": "2026-01-01T00:00:00Z", "status": "ok", "x": [i] * 20}
        r = store.append(record)
        print(r.seq, r.decision_id, r.record_hash, flush=True)
        i += 1
    """
)


def test_records_acknowledged_before_sigkill_are_all_there_and_verify(tmp_path):
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    open_store(url).close()  # create it (and the key) before the race
    for round_ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, url, f"r{round_}"], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        acknowledged = [proc.stdout.readline() for _ in range(20 + 15 * round_)]
        time.sleep(0.01 * round_)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        acknowledged += proc.stdout.read().splitlines(keepends=True)  # receipts printed before the kill landed
        store = open_store(url)
        # a receipt is acknowledged only when its whole line arrived: the kill can cut the last one short
        for line in (a.strip() for a in acknowledged if a.endswith("\n")):
            seq, decision_id, digest = line.split()
            got = store.get(decision_id)
            assert got is not None and (got["seq"], got["record_hash"]) == (int(seq), digest)
        store.close(checkpoint=False)
        report = verify(url)
        assert report.ok, str(report)
