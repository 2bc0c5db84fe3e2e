"""Benchmark: ``explain_batch`` on Dask, a LocalCluster of 2 workers against 1 worker.

1,000,000 rows x 30 features (synthetic, seeded) in one Parquet file (row groups of 100,000 rows), explained
with exact path-dependent TreeSHAP on a scikit-learn RandomForestRegressor of 100 trees, ``max_depth=8``
(moderate: about 9,000 rows/s per core here, so the 1-worker run takes about two minutes on this machine),
trained on 20,000 rows. Each worker is a process with one thread, and each partition's numba kernels run on
one thread: 2 workers on 2 cores is the best case, the cores being otherwise idle.

Reported: throughput (rows/s) of each run after a warm-up (so that loading numba's compiled kernels is not
timed), the ratio (target >= 1.8x), each worker's peak resident memory (``ru_maxrss`` of the worker process,
read with ``client.run``; target <= 2 GiB) and whether the two runs' output files are byte-identical in
values (compared file by file, never all in memory). Exit status 1 when a target is missed.

Run ``.venv/bin/python bench/batch.py`` (about 4 minutes on 2 cores) or ``--rows 200000`` for a quick look.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from distributed import Client, LocalCluster
from sklearn.ensemble import RandomForestRegressor

from explicable.scale import explain_batch

THROUGHPUT_TARGET = 1.8
MEMORY_TARGET_BYTES = 2 * 1024**3


def make_dataset(path: Path, rows: int, features: int, chunk: int = 100_000) -> None:
    """Write the rows in row groups of ``chunk`` without holding more than one group in memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [f"x{j:02d}" for j in range(features)]
    rng = np.random.default_rng(0)
    with pq.ParquetWriter(path, pa.schema([(n, pa.float64()) for n in names])) as writer:
        for start in range(0, rows, chunk):
            block = rng.normal(size=(min(chunk, rows - start), features))
            writer.write_table(pa.Table.from_pandas(pd.DataFrame(block, columns=names), preserve_index=False))


def make_model(features: int, trees: int, depth: int) -> RandomForestRegressor:
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(20_000, features)), columns=[f"x{j:02d}" for j in range(features)])
    y = X.x00 + X.x01 * X.x02 - np.sin(X.x03) + 0.5 * X.x04**2 + rng.normal(scale=0.3, size=len(X))
    return RandomForestRegressor(n_estimators=trees, max_depth=depth, random_state=0, n_jobs=-1).fit(X, y)


def _peak_rss() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # kilobytes on Linux


def run(model: Any, dataset: Path, warmup: Path, out: Path, workers: int, partition_rows: int) -> dict[str, Any]:
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        explain_batch(model, warmup, out / "warmup", scheduler=client, partition_rows=1000, progress=False)
        started = time.perf_counter()
        result = explain_batch(model, dataset, out / "run", scheduler=client, partition_rows=partition_rows,
                               progress=False, resume=False)
        elapsed = time.perf_counter() - started
        peaks = client.run(_peak_rss)
    return {"workers": workers, "seconds": elapsed, "rows_per_s": result.n_rows / elapsed,
            "peak_rss": max(peaks.values()), "files": result.files}


def identical(a: tuple[Path, ...], b: tuple[Path, ...]) -> bool:
    for fa, fb in zip(a, b, strict=True):
        ta, tb = pd.read_parquet(fa), pd.read_parquet(fb)
        if list(ta.columns) != list(tb.columns) or ta.to_numpy().tobytes() != tb.to_numpy().tobytes():
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=30)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--max-depth", type=int, default=8)
    parser.add_argument("--partition-rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_dataset(root / "data.parquet", args.rows, args.features)
        make_dataset(root / "warmup.parquet", 2000, args.features)
        model = make_model(args.features, args.trees, args.max_depth)
        one = run(model, root / "data.parquet", root / "warmup.parquet", root / "w1", 1, args.partition_rows)
        two = run(model, root / "data.parquet", root / "warmup.parquet", root / "w2", 2, args.partition_rows)
        same = identical(one["files"], two["files"])
    ratio = two["rows_per_s"] / one["rows_per_s"]
    print(f"explain_batch: {args.rows:,} rows x {args.features} features, RandomForestRegressor "
          f"{args.trees} trees max_depth={args.max_depth}, TreeSHAP path-dependent, partitions of "
          f"{args.partition_rows:,} rows; {platform.processor() or platform.machine()}")
    print(f"{'workers':>8} {'seconds':>9} {'rows/s':>10} {'peak RSS/worker':>16}")
    for r in (one, two):
        print(f"{r['workers']:>8} {r['seconds']:>9.1f} {r['rows_per_s']:>10,.0f} {r['peak_rss'] / 2**20:>12,.0f} MiB")
    print(f"throughput ratio 2 vs 1 worker: {ratio:.2f}x (target >= {THROUGHPUT_TARGET}x)")
    print(f"peak memory per worker: {max(one['peak_rss'], two['peak_rss']) / 2**30:.2f} GiB (target <= 2 GiB)")
    print(f"output identical (1 vs 2 workers): {same}")
    ok = same and ratio >= THROUGHPUT_TARGET and max(one["peak_rss"], two["peak_rss"]) <= MEMORY_TARGET_BYTES
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
