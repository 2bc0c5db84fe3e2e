"""Benchmark: partial dependence / ICE against scikit-learn, and ALE on 100,000 rows.

Partial dependence. On the same 10,000 rows (10 numeric features, fixed seed) and two scikit-learn models, a
``HistGradientBoostingRegressor`` (100 iterations) and a ``RandomForestClassifier`` (50 trees of depth 10),
explicable's ``partial_dependence(model, X, j, kind=...)`` is timed against
``sklearn.inspection.partial_dependence(model, X, [j], method="brute", kind=...)``, both on the default
100-point grid (for one pair of features: a 20 x 20 grid). "brute" is the method whose values explicable's
equal (the check: the same grid, and values within 1e-9); scikit-learn's default for the regressor is
"recursion", a tree traversal over the training rows whose values differ (it leaves out the model's constant
and averages over other rows): it is timed too, for information, as "sklearn default". Each call is timed
whole (wrapping and fingerprinting the model included), one warm-up, then ``--repeats`` calls per library in
rotating order; the table gives medians and the ratio explicable / sklearn (target: at most 1.0 for the
average and for ICE).

ALE. ``ale(model, X, j)`` (20 bins, 100 bootstrap resamples for the error bar) on 100,000 rows for each of 3
features of the gradient boosting model, timed per feature (target: under 2 s). No peer: the check is that
the curve's mean over the rows' bins is 0 and that it follows the model's own shape (correlation with the
partial dependence at the bin edges, a sanity check on an additive-looking model, printed).

Run ``python bench/global.py`` (about 7 minutes on 2 cores) or ``--quick`` (1,000 and 20,000 rows, 2 repeats:
a few seconds). The exit status is 1 when a value check fails.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.inspection import partial_dependence as sk_partial_dependence

import explicable
from explicable.explainers.perturbation import ale, partial_dependence

#: explicable's PD must equal scikit-learn's brute PD to this (absolute).
VALUE_TOLERANCE = 1e-9
#: Targets: explicable's median time over scikit-learn's at most this; ALE seconds per feature under this.
TARGET_RATIO = 1.0
TARGET_ALE_SECONDS = 2.0


def make_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 10))
    y = np.sin(X[:, 0]) * 2 + X[:, 1] * X[:, 2] + X[:, 3] ** 2 + 0.5 * X[:, 4:].sum(axis=1) + rng.normal(size=n) * 0.3
    return X, y


def train_models(X: np.ndarray, y: np.ndarray, seed: int) -> dict[str, Any]:
    return {
        "hist gradient boosting (regressor)":
            HistGradientBoostingRegressor(max_iter=100, random_state=seed).fit(X, y),
        "random forest (classifier)":
            RandomForestClassifier(n_estimators=50, max_depth=10, random_state=seed, n_jobs=1).fit(X, y > np.median(y)),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def sk_columns(values: np.ndarray, k: int) -> np.ndarray:
    """scikit-learn's outputs (first axis) moved last; a binary classifier's one curve is the positive class."""
    moved = np.moveaxis(values, 0, -1)
    return moved if moved.shape[-1] == k else np.concatenate([1 - moved, moved], axis=-1)


def pd_case(model: Any, X: np.ndarray, features: list[int], kind: str, resolution: int,
            repeats: int) -> tuple[dict[str, float], float]:
    """Median seconds per library, and the largest difference between explicable's and sklearn's brute values."""
    calls: dict[str, Callable[[], Any]] = {
        "explicable": lambda: partial_dependence(model, X, features, kind=kind, grid_resolution=resolution),
        "sklearn brute": lambda: sk_partial_dependence(model, X, features, kind=kind, method="brute",
                                                       grid_resolution=resolution),
    }
    if kind == "average":
        calls["sklearn default"] = lambda: sk_partial_dependence(model, X, features, kind=kind,
                                                                 grid_resolution=resolution)
    ours = calls["explicable"]()
    theirs = calls["sklearn brute"]()
    calls.get("sklearn default", lambda: None)()
    k = ours.n_outputs
    same_grid = all(np.array_equal(a, b) for a, b in zip(ours.grid, theirs["grid_values"], strict=True))
    diff = float(np.abs(ours.average - sk_columns(theirs["average"], k)).max()) if same_grid else float("inf")
    if kind != "average" and same_grid:
        diff = max(diff, float(np.abs(ours.individual - sk_columns(theirs["individual"], k)).max()))
    times: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(timed(calls[name])[0])
    return {name: statistics.median(t) for name, t in times.items()}, diff


def run_pd(args: argparse.Namespace, models: dict[str, Any], X: np.ndarray) -> bool:
    print(f"\n## Partial dependence and ICE on {X.shape[0]:,} rows x {X.shape[1]} features (median of "
          f"{args.repeats}, seconds)\n")
    print("| model | features | kind | grid | explicable | sklearn brute | explicable / sklearn brute | "
          "sklearn default | max abs diff |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    cases = [([0], "average", 100), ([0], "both", 100)] + ([] if args.quick else [([1, 2], "average", 20)])
    for name, model in models.items():
        for features, kind, resolution in cases:
            med, diff = pd_case(model, X, features, kind, resolution, args.repeats)
            ok &= diff <= VALUE_TOLERANCE
            ratio = med["explicable"] / med["sklearn brute"]
            default = f"{med['sklearn default']:.3f}" if "sklearn default" in med else "-"
            grid = "x".join([str(resolution)] * len(features))
            print(f"| {name} | {features} | {kind} | {grid} | {med['explicable']:.3f} | {med['sklearn brute']:.3f} "
                  f"| **{ratio:.2f}**{'' if ratio <= TARGET_RATIO else ' (over target)'} | {default} | {diff:.1e} |")
    return ok


def run_ale(args: argparse.Namespace, model: Any, seed: int) -> bool:
    X, _ = make_data(args.ale_rows, seed + 1)
    print(f"\n## ALE on {X.shape[0]:,} rows (20 bins, 100 bootstrap resamples; median of {args.repeats}, seconds)\n")
    print("| feature | seconds | under 2 s | centred (weighted mean) | corr. with PD at the edges |")
    print("|---|---|---|---|---|")
    ok = True
    for j in (0, 3, 4):
        times = []
        for _ in range(args.repeats):
            seconds, effect = timed(lambda j=j: ale(model, X, j, random_state=0))
            times.append(seconds)
        middle = (effect.average[:-1, 0] + effect.average[1:, 0]) / 2
        centred = float((effect.counts * middle).sum() / effect.counts.sum())
        pd = partial_dependence(model, X[:2000], j, custom_values={j: effect.grid[0]})
        corr = float(np.corrcoef(effect.average[:, 0], pd.average[:, 0])[0, 1])
        ok &= abs(centred) < 1e-9
        med = statistics.median(times)
        print(f"| x{j} | {med:.3f} | {'yes' if med < TARGET_ALE_SECONDS else 'NO'} | {centred:.1e} | {corr:.3f} |")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 PD rows, 20,000 ALE rows, 2 repeats")
    parser.add_argument("--rows", type=int, default=10_000, help="rows for partial dependence")
    parser.add_argument("--ale-rows", type=int, default=100_000, help="rows for ALE")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.ale_rows, args.repeats = 1_000, 20_000, 2
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    print(f"python {platform.python_version()}, explicable {explicable.__version__}, scikit-learn "
          f"{sklearn.__version__}, numpy {np.__version__}; {os.cpu_count()} cores, load average at start {load}")
    X, y = make_data(args.rows, args.seed)
    models = train_models(X, y, args.seed)
    ok = run_pd(args, models, X)
    ok &= run_ale(args, models["hist gradient boosting (regressor)"], args.seed)
    print(f"\nvalue checks: {'pass' if ok else 'FAIL'}; load average at end "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
