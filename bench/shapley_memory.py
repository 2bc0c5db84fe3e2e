"""Benchmark: peak memory and throughput of Kernel SHAP on many rows (10,000 x 30 features, 100-row background).

Each configuration runs in a fresh subprocess (this script with ``--child``), so its peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own: imports, data, model and the explain call. The
child also reports its resident set just before the call, so the call's own share shows. Configurations:

- a linear ``FunctionModel`` (``X @ w``) on 1,000 and on 10,000 rows: how memory grows with the rows;
- a scikit-learn ``Ridge`` on 10,000 rows (the same, through the scikit-learn adapter).

All use ``explicable.explain(model, X, background=bg, method="kernel", budget=256, random_state=0)``. A linear
model's Shapley values are known in closed form, ``w_j (x_j - mean(bg_j))``, and Kernel SHAP recovers them
exactly (an additive game fits the regression with no residual); the check is printed.

Run ``python bench/shapley_memory.py`` (under a minute on 2 cores; target: peak RSS under 2 GiB).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

#: The acceptance target: peak resident set of the explaining process.
TARGET_GIB = 2.0


def child(args: argparse.Namespace) -> None:
    """Explain in this process and print one JSON line: RSS before and at peak (MiB), seconds, check."""
    import explicable

    rng = np.random.default_rng(args.seed)
    w = rng.normal(size=args.features)
    X = rng.normal(size=(args.rows, args.features))
    background = rng.normal(size=(args.background, args.features))
    if args.model == "ridge":
        from sklearn.linear_model import Ridge

        train = rng.normal(size=(500, args.features))
        model = Ridge(alpha=1e-6).fit(train, train @ w)
        w = model.coef_
    else:
        model = explicable.FunctionModel(lambda Z: Z @ w, n_features=args.features)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    exp = explicable.explain(model, X, background=background, method="kernel", budget=args.budget,
                             random_state=args.seed)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    closed_form = (X - background.mean(axis=0)) * w
    print(json.dumps({"before_mib": before, "peak_mib": peak, "seconds": seconds,
                      "max_abs_diff": float(np.abs(exp.values[:, :, 0] - closed_form).max()),
                      "budget_used": exp.provenance.budget_used}))


def run_child(args: argparse.Namespace, model: str, rows: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", "--model", model, "--rows", str(rows),
               "--features", str(args.features), "--background", str(args.background),
               "--budget", str(args.budget), "--seed", str(args.seed)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Kernel SHAP on many rows: peak RSS and rows/s.")
    parser.add_argument("--rows", type=int, default=10_000, help="explained rows (default 10000)")
    parser.add_argument("--features", type=int, default=30, help="features (default 30)")
    parser.add_argument("--background", type=int, default=100, help="background rows (default 100)")
    parser.add_argument("--budget", type=int, default=256, help="coalitions per explained row (default 256)")
    parser.add_argument("--seed", type=int, default=0, help="seed of data and sampling (default 0)")
    parser.add_argument("--model", choices=["function", "ridge"], default="function", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args)
        return 0
    import explicable

    print(f"python {platform.python_version()}, explicable {explicable.__version__}, numpy {np.__version__}; "
          f"{os.cpu_count()} cores, load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"\nKernel SHAP, {args.features} features, {args.background}-row background, budget {args.budget}, "
          "one fresh process per line\n")
    print("| model | rows | peak RSS MiB | RSS before explain MiB | explain's increase MiB | per row KiB | s | rows/s "
          "| max abs diff vs closed form |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for model, rows in (("function", max(1, args.rows // 10)), ("function", args.rows), ("ridge", args.rows)):
        r = run_child(args, model, rows)
        grown = r["peak_mib"] - r["before_mib"]
        print(f"| {model} | {rows:,} | {r['peak_mib']:.0f} | {r['before_mib']:.0f} | {grown:.0f} "
              f"| {1024 * grown / rows:.1f} | {r['seconds']:.1f} | {rows / r['seconds']:,.0f} "
              f"| {r['max_abs_diff']:.2g} |")
        if rows == args.rows:
            worst = max(worst, r["peak_mib"] / 1024)
    verdict = "PASS" if worst < TARGET_GIB else "FAIL"
    print(f"\n- peak RSS at {args.rows:,} rows: {worst:.2f} GiB (< {TARGET_GIB} GiB: {verdict})")
    print(f"- load average at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if worst < TARGET_GIB else 1


if __name__ == "__main__":
    sys.exit(main())
