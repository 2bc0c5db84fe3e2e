"""Crash test: ``explicable serve`` killed with SIGKILL at random moments under load, then restarted.

Every acknowledged decision (a 200 answer) must be in the store, and the chain must verify, after every kill.
The suite runs 20 kills; ``python tests/reliability/test_crash.py --runs 200`` is the benchmark's run.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from explicable.service._process import ServerProcess, write_xgboost_model

KEY = "crash-test-key"
ROW = {"f0": 0.3, "f1": -1.2, "f2": 0.5, "f3": 2.0}


def _load(url: str, acked: list[str], stop: threading.Event, seed: int) -> None:
    rng = np.random.default_rng(seed)
    with httpx.Client(base_url=url, headers={"X-API-Key": KEY}, timeout=5.0) as client:
        while not stop.is_set():
            row = {k: float(v + rng.normal()) for k, v in ROW.items()}
            try:
                r = client.post("/v1/explain", json={"row": row})
            except httpx.TransportError:
                return  # the server is gone
            if r.status_code == 200:
                acked.append(r.json()["decision_id"])


def crash_runs(runs: int, directory: Path, *, seed: int = 0, clients: int = 3) -> dict[str, Any]:
    """Kill the server ``runs`` times under load; return counts and the first missing id or failed verify."""
    from explicable.audit import open_store

    model, _ = write_xgboost_model(directory, n_features=4, n_trees=20)
    url = f"sqlite:///{directory / 'audit.db'}"
    rng = np.random.default_rng(seed)
    acked_total, problems = 0, []
    for run in range(runs):
        server = ServerProcess([f"m={model}", "--audit-url", url], api_key=KEY).start()
        acked: list[str] = []
        stop = threading.Event()
        threads = [threading.Thread(target=_load, args=(server.url, acked, stop, run * 10 + i)) for i in range(clients)]
        for t in threads:
            t.start()
        time.sleep(float(rng.uniform(0.05, 0.3)))
        server.kill()  # mid-request, with answers in flight
        stop.set()
        for t in threads:
            t.join()
        store = open_store(url)
        try:
            missing = [d for d in list(acked) if store.get(d) is None]
            report = store.verify()
        finally:
            store.close()
        acked_total += len(acked)
        if missing or not report.ok:
            problems.append(f"run {run}: {len(missing)} acknowledged missing; verify ok={report.ok} {report.problem}")
    return {"runs": runs, "acknowledged": acked_total, "problems": problems}


def test_sigkill_under_load_loses_no_acknowledged_decision(tmp_path: Path) -> None:
    result = crash_runs(20, tmp_path)
    assert result["problems"] == []
    assert result["acknowledged"] > 20  # the load did reach the server before the kills


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = crash_runs(args.runs, Path(tmp))
        print(f"{out['runs']} SIGKILL runs, {out['acknowledged']} acknowledged decisions, "
              f"{len(out['problems'])} runs with a problem, {time.perf_counter() - start:.0f} s")
        for line in out["problems"]:
            print(line)
        raise SystemExit(1 if out["problems"] else 0)
