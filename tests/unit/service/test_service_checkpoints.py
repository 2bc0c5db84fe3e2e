"""The service signs checkpoints on a timer, so records before an idle spell are covered without new requests."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from explicable.audit import open_store
from explicable.service._checkpoints import CheckpointTimer


def test_timer_covers_the_last_records_while_idle(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'audit.db'}", checkpoint_every=1000, checkpoint_seconds=0.2)
    for i in range(3):
        store.append({"decision_id": f"d{i}", "time": datetime.now(UTC).isoformat(), "status": "ok"})
    assert store.verify().checkpoints == 0  # 3 records, no 1000 yet, no append since: nothing signed
    timer = CheckpointTimer(store, store.checkpoint_seconds)
    timer.start()
    deadline = time.monotonic() + 5
    while timer.signed == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    timer.stop()
    report = store.verify()
    assert timer.signed == 1 and report.ok and report.checkpoints == 1  # one checkpoint: nothing new after it
    store.close()
