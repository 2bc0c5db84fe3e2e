"""Random single tamperings of an audit store are all detected, and the first bad record is named.

Uses the mutation engine of ``bench/audit_tamper.py`` (the bench runs 10,000 trials; the suite 1,500 in
memory plus 30 on database files through ``explicable.audit.verify``, and the same on a store that has
gone through retention).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from explicable.audit import open_store

BENCH = Path(__file__).resolve().parents[2] / "bench" / "audit_tamper.py"


@pytest.fixture(scope="module")
def tamper():
    spec = importlib.util.spec_from_file_location("audit_tamper_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def base(tamper, tmp_path_factory):
    path = tmp_path_factory.mktemp("tamper") / "audit.db"
    tamper.build_store(path, records=64, every=16, seed=3)
    return path


def _assert_all(counts):
    for kind, c in counts.items():
        assert c["trials"] > 0, kind
        assert c["detected"] == c["trials"], f"{kind}: {c['trials'] - c['detected']} tamperings missed"
        assert c["named"] == c["trials"], f"{kind}: wrong first bad record in {c['trials'] - c['named']} trials"


def test_every_random_mutation_is_detected_and_located(tamper, base):
    log = tamper.load_log(base)
    assert tamper.verify_log(log.rows, log.checkpoints, log.anchor, log.head, log.public_key).ok
    _assert_all(tamper.run_memory(log, 1500, seed=11))


def test_mutations_of_the_database_file_are_detected(tamper, base, tmp_path):
    _assert_all({"sql": tamper.run_sql(base, 30, seed=5, workdir=tmp_path)})


def test_mutations_after_retention_are_detected(tamper, tmp_path):
    path = tmp_path / "kept.db"
    url = tamper.build_store(path, records=64, every=16, seed=4)
    # The records are stamped 2026-01-01T00:MM:SS (one second apart): keep those from second 40 on.
    first_kept = dt.datetime(2026, 1, 1, 0, 0, 40, tzinfo=dt.UTC)
    with open_store(url) as store:
        assert store.apply_retention(dt.datetime.now(dt.UTC) - first_kept) == 32
    log = tamper.load_log(path)
    assert log.anchor is not None and log.rows[0].seq == 33
    assert tamper.verify_log(log.rows, log.checkpoints, log.anchor, log.head, log.public_key).ok
    counts = tamper.run_memory(log, 400, seed=12)
    _assert_all(counts)
    assert sum(counts.values(), Counter())["trials"] == 400
