"""`explicable audit verify|export|prune` on a real SQLite store, untouched and tampered with."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from explicable.audit import open_store
from explicable.cli.main import main, route


def store_with(path: Path, n: int) -> str:
    url = f"sqlite:///{path}"
    store = open_store(url, checkpoint_every=4)
    for i in range(n):
        store.append({"decision_id": f"d{i}", "time": datetime(2026, 1, 1, 0, i, tzinfo=UTC).isoformat(),
                      "status": "ok", "output": [i / 10]})
    store.close()
    return url


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_passes_then_names_the_edited_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = store_with(tmp_path / "audit.db", 10)
    code, out, _ = run(["audit", "verify", url], capsys)
    assert code == 0 and "10" in out
    with sqlite3.connect(tmp_path / "audit.db") as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
        table = next(t for t in tables if "record" in t)
        columns = [r[1] for r in db.execute(f"pragma table_info({table})")]
        body = next(c for c in columns if c in ("record", "body", "payload", "canonical", "data"))
        row = db.execute(f"select rowid, {body} from {table} order by rowid limit 1 offset 5").fetchone()
        db.execute(f"update {table} set {body} = ? where rowid = ?", (row[1].replace("0.5", "0.9"), row[0]))
    code, out, _ = run(["audit", "verify", url], capsys)
    assert code == 3 and "record 6:" in out  # seq counts from 1: the sixth record


def test_export_jsonl_and_bad_since(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = store_with(tmp_path / "audit.db", 6)
    out_file = tmp_path / "export.jsonl"
    code, out, err = run(["audit", "export", url, "--out", str(out_file), "--since", "2026-01-01T00:03:00+00:00"],
                         capsys)
    assert code == 0, err
    ids = [json.loads(line)["decision_id"] for line in out_file.read_text().splitlines()]
    assert ids == ["d3", "d4", "d5"] and "3 records" in out
    code, _, err = run(["audit", "export", url, "--out", str(out_file), "--since", "yesterday"], capsys)
    assert code == 2 and "--since" in err
    code, _, err = run(["audit", "verify", f"sqlite:///{tmp_path / 'missing.db'}"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_route_keeps_the_report_form() -> None:
    assert route(["audit", "model.json", "data.csv"]) == ["audit", "report", "model.json", "data.csv"]
    assert route(["audit", "verify", "sqlite:///x"]) == ["audit", "verify", "sqlite:///x"]
    assert route(["explain", "m", "d"]) == ["explain", "m", "d"]


def test_auditor_verifies_with_the_published_public_key_only(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    url = store_with(tmp_path / "audit.db", 8)
    store = open_store(url)
    published = store.public_key
    store.close(checkpoint=False)
    (tmp_path / "audit.db.key").rename(tmp_path / "elsewhere.key")  # the auditor has no private key
    code, out, err = run(["audit", "verify", url, "--public-key", published], capsys)
    assert code == 0, err
    # someone with write access re-creates the store under a key of their own: it verifies with its own key, but
    # not against the operator's published one
    (tmp_path / "audit.db").unlink()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"audit.db{suffix}").unlink(missing_ok=True)
    forged = store_with(tmp_path / "audit.db", 8)
    assert run(["audit", "verify", forged], capsys)[0] == 0
    code, out, _ = run(["audit", "verify", forged, "--public-key", published], capsys)
    assert code == 3 and "NOT verified" in out
    code, _, err = run(["audit", "verify", forged, "--public-key", "not-a-key"], capsys)
    assert code == 2 and "public_key" in err
