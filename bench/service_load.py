"""Benchmark: ``explicable serve`` under load on loopback, every decision durably audited before its answer.

Targets (2 cores, SQLite WAL with synchronous=FULL): a tree model (XGBoost, 8 features, 50 trees of depth 3,
exact TreeSHAP) at >= 200 explained decisions/s with p99 <= 50 ms; a 16-feature model through the kernel
estimator (Kernel SHAP, budget 512, 100 background rows) at 10 requests/s with p99 <= 250 ms. Each scenario
runs against SQLite and, when ``EXPLICABLE_PG_URL`` is set (postgresql+psycopg://...), against PostgreSQL.

The generator is open-loop and bounded: requests are scheduled at a fixed rate and sent by a fixed pool of
keep-alive connections; latency counts from the scheduled time, so a server that falls behind shows it
(no coordinated omission). Every answer must be 200 with one result; at the end the store's chain is verified
and must hold every acknowledged decision.

Run ``python bench/service_load.py`` (about 1 minute per store) or ``--quick`` (a few seconds per scenario).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from explicable.service._process import ServerProcess, write_xgboost_model

KEY = "bench-key"


@dataclass(frozen=True)
class Scenario:
    name: str
    n_features: int
    rate: float  # requests per second offered
    seconds: float
    p99_target_ms: float
    min_throughput: float
    extra: tuple[str, ...] = ()
    background: bool = False


def _scenarios(directory: Path, quick: bool) -> list[tuple[Scenario, Path, Path]]:
    scale = 0.2 if quick else 1.0
    tree = Scenario("tree (TreeSHAP, 8 features)", 8, 220.0, 15.0 * scale, 50.0, 200.0)
    kernel = Scenario("kernel (Kernel SHAP, 16 features)", 16, 10.0, 30.0 * scale, 250.0, 9.5,
                      ("--method", "kernel", "--budget", "512"), background=True)
    out = []
    for scenario in (tree, kernel):
        model, background = write_xgboost_model(directory, n_features=scenario.n_features)
        out.append((scenario, model, background))
    return out


def _worker(port: int, jobs: queue.Queue[Any], rows: list[bytes], out: list[tuple[float, int, str]]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "X-API-Key": KEY}
    while True:
        job = jobs.get()
        if job is None:
            break
        scheduled, i = job
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        conn.request("POST", "/v1/explain", body=rows[i % len(rows)], headers=headers)
        response = conn.getresponse()
        body = response.read()
        decision = json.loads(body).get("decision_id", "") if response.status == 200 else ""
        out.append((time.perf_counter() - scheduled, response.status, decision))
    conn.close()


def run_load(port: int, scenario: Scenario, *, workers: int = 8, seed: int = 0) -> dict[str, Any]:
    """Offer ``scenario.rate`` requests/s for ``scenario.seconds``; latency percentiles and throughput."""
    rng = np.random.default_rng(seed)
    names = [f"f{j}" for j in range(scenario.n_features)]
    rows = [json.dumps({"row": dict(zip(names, map(float, rng.normal(size=len(names))), strict=True))}).encode()
            for _ in range(256)]
    n = int(scenario.rate * scenario.seconds)
    jobs: queue.Queue[Any] = queue.Queue()
    results: list[tuple[float, int, str]] = []
    start = time.perf_counter() + 0.2
    for i in range(n):
        jobs.put((start + i / scenario.rate, i))
    for _ in range(workers):
        jobs.put(None)
    threads = [threading.Thread(target=_worker, args=(port, jobs, rows, results)) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latency = np.array([r[0] for r in results]) * 1000.0
    ok = [r[2] for r in results if r[1] == 200]
    return {"requests": n, "ok": len(ok), "ids": ok, "throughput": len(ok) / elapsed,
            "p50": float(np.percentile(latency, 50)), "p95": float(np.percentile(latency, 95)),
            "p99": float(np.percentile(latency, 99))}


def _check_store(url: str, ids: list[str]) -> tuple[bool, int]:
    from explicable.audit import open_store

    store = open_store(url)
    try:
        missing = sum(store.get(d) is None for d in ids)
        return bool(store.verify().ok) and missing == 0, missing
    finally:
        store.close()


def bench_store(label: str, url: str, directory: Path, quick: bool) -> bool:
    """Both scenarios against one store; prints a table row per scenario; True when every target is met."""
    met = True
    for scenario, model, background in _scenarios(directory, quick):
        reference = ["--background", str(background)] if scenario.background else []
        server = ServerProcess([f"m={model}", *reference, "--audit-url", url, *scenario.extra], api_key=KEY).start()
        try:
            run_load(server.port, Scenario(scenario.name, scenario.n_features, 20.0, 1.0, 0, 0))  # warm-up
            result = run_load(server.port, scenario)
        finally:
            server.stop()
        chain_ok, missing = _check_store(url, result["ids"])
        good = (result["ok"] == result["requests"] and result["p99"] <= scenario.p99_target_ms
                and result["throughput"] >= scenario.min_throughput and chain_ok)
        met &= good
        print(f"| {label} | {scenario.name} | {scenario.rate:.0f}/s | {result['throughput']:.1f}/s | "
              f"{result['p50']:.1f} | {result['p95']:.1f} | {result['p99']:.1f} (target {scenario.p99_target_ms:.0f}) "
              f"| {result['ok']}/{result['requests']} | {'verified' if chain_ok else f'FAILED ({missing} missing)'} "
              f"| {'met' if good else 'MISSED'} |", flush=True)
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Short runs: a smoke test, not the figures.")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print("| store | scenario | offered | throughput | p50 ms | p95 ms | p99 ms | 200s | chain | target |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        met &= bench_store("SQLite FULL", f"sqlite:///{Path(tmp) / 'audit.db'}", Path(tmp), args.quick)
        pg = os.environ.get("EXPLICABLE_PG_URL")
        if pg:
            met &= bench_store("PostgreSQL", pg, Path(tmp), args.quick)
        else:
            print("PostgreSQL: skipped (set EXPLICABLE_PG_URL=postgresql+psycopg://... to run it)")
    return 0 if met or args.quick else 1


if __name__ == "__main__":
    raise SystemExit(main())
