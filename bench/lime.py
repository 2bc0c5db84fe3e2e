"""Benchmark: explicable's LIME against lime 0.2.0.1 on breast cancer: speed, and the same top-5 across seeds.

scikit-learn's ``load_breast_cancer`` (569 rows, 30 numeric features) is split 70/30 with a fixed seed; two
binary classifiers are trained on the 70%: XGBoost (100 trees of depth 4) and a scikit-learn MLP (64, 32)
behind a ``StandardScaler``. The training rows are the background of both libraries; the first ``--rows``
test rows are explained, each with ``--seeds`` seeds, the probability of class 1:

- ``lime``: ``LimeTabularExplainer(X_train, mode="classification", random_state=seed)`` (quartile
  discretisation, its default) and ``explain_instance(x, model.predict_proba, num_features=30,
  num_samples=5000, labels=(1,))``, one row per call (lime has no batch call);
- ``explicable``: ``LimeTabular(model, n_samples=5000, random_state=seed).fit(X_train).explain(rows)``: the
  same quartile representation, kernel and ridge, 5120 samples (10 groups of 512 Sobol' points);
- ``explicable one row``: the same, one row per call (a service's latency);
- ``explicable stable``: ``stable_top_k=5, max_samples=163840``: samples double until the top-5 set of each
  row is separated from the rest by its standard error (at 99%), or the cap is reached.

Time: each library's call(s) on all rows divided by the rows, the median over seeds (construction and ``fit``
included for explicable; lime's explainer is built once per seed and not timed). Stability: the share of rows
whose set of 5 features with the largest ``|attribution|`` is the same for every seed. Fidelity: the median
weighted R² of the surrogate on its samples (lime's ``score``).

Targets (the issue): explicable >= 3x faster per explanation than lime; in the stable mode, no slower than
lime and the same top-5 set across seeds for >= 90% of rows.

Run ``python bench/lime.py`` (about 2-4 minutes on 2 cores) or ``--quick`` (5 rows, 3 seeds: about 20 s).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import numpy as np
import xgboost
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from explicable import LowFidelityWarning
from explicable.explainers.surrogate import LimeTabular


def _lime_explainer() -> Any:
    # This script is bench/lime.py: run as a script, its folder comes first on sys.path and "lime" would import
    # it instead of the lime package.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    from lime.lime_tabular import LimeTabularExplainer

    return LimeTabularExplainer


TARGET_SPEEDUP = 3.0
TARGET_AGREEMENT = 0.9
TOP = 5
METHODS = ("lime", "explicable", "explicable one row", "explicable stable")


@dataclass
class Run:
    """One method on one model: per seed, the time per row and the top-5 sets; fidelities; samples."""

    ms: list[float] = field(default_factory=list)
    tops: list[list[frozenset[int]]] = field(default_factory=list)
    fidelity: list[float] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)
    weights: list[np.ndarray] = field(default_factory=list)
    flagged: list[list[bool]] = field(default_factory=list)


def top_set(values: np.ndarray) -> frozenset[int]:
    return frozenset(int(j) for j in np.argsort(-np.abs(values), kind="stable")[:TOP])


def run_lime(predict: Callable[[np.ndarray], np.ndarray], X_train: np.ndarray, rows: np.ndarray, seed: int,
             samples: int, out: Run) -> None:
    explainer = _lime_explainer()(X_train, mode="classification", random_state=seed)
    weights = np.zeros(rows.shape)
    start = time.perf_counter()
    for i, row in enumerate(rows):
        exp = explainer.explain_instance(row, predict, num_features=X_train.shape[1], num_samples=samples,
                                         labels=(1,))
        for j, w in exp.as_map()[1]:
            weights[i, j] = w
        out.fidelity.append(float(exp.score))
    out.ms.append((time.perf_counter() - start) / len(rows) * 1e3)
    out.tops.append([top_set(w) for w in weights])
    out.weights.append(weights)
    out.samples.append(samples)


def run_ours(model: Any, X_train: np.ndarray, rows: np.ndarray, seed: int, samples: int, out: Run, *,
             one_row: bool = False, **options: Any) -> None:
    values = []
    flags: list[bool] = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowFidelityWarning)  # quartile LIME fits these models with R^2 ~ 0.2
        batches = [rows[i:i + 1] for i in range(len(rows))] if one_row else [rows]
        for batch in batches:
            exp = LimeTabular(model, n_samples=samples, random_state=seed, **options).fit(X_train).explain(
                batch, target=1)
            values.append(exp.values[:, :, 0])
            diag = exp.provenance.parameters["diagnostics"]
            out.fidelity.extend(r[0] for r in diag["fidelity"])
            flags.extend(bool(r[0]) for r in diag.get("stable", []))
            out.samples.extend(diag["samples"])
    out.ms.append((time.perf_counter() - start) / len(rows) * 1e3)
    stacked = np.concatenate(values)
    out.tops.append([top_set(v) for v in stacked])
    if flags:
        out.flagged.append(flags)
    out.weights.append(stacked)


def agreement(run: Run) -> float:
    n = len(run.tops[0])
    return float(np.mean([len({tops[i] for tops in run.tops}) == 1 for i in range(n)]))


def make_models(seed: int) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=seed)
    models = {
        "xgboost": xgboost.XGBClassifier(n_estimators=100, max_depth=4, n_jobs=1, random_state=seed),
        "mlp": make_pipeline(StandardScaler(), MLPClassifier((64, 32), max_iter=500, random_state=seed)),
    }
    for model in models.values():
        model.fit(X_train, y_train)
    return models, X_train, X_test


def bench_model(model: Any, X_train: np.ndarray, rows: np.ndarray, args: argparse.Namespace) -> dict[str, Run]:
    runs = {name: Run() for name in METHODS}
    for s in range(args.seeds):
        seed = args.seed + s
        # rotate the order so a slow stretch of the machine does not hit one method only
        order = METHODS[s % len(METHODS):] + METHODS[:s % len(METHODS)]
        for name in order:
            if name == "lime":
                run_lime(model.predict_proba, X_train, rows, seed, args.samples, runs[name])
            elif name == "explicable stable":
                run_ours(model, X_train, rows, seed, args.samples, runs[name], stable_top_k=TOP,
                         max_samples=args.max_samples)
            elif name == "explicable one row":
                if s < args.latency_seeds:
                    run_ours(model, X_train, rows, seed, args.samples, runs[name], one_row=True)
            else:
                run_ours(model, X_train, rows, seed, args.samples, runs[name])
    return runs


def print_table(name: str, runs: dict[str, Run]) -> dict[str, bool]:
    lime_ms = statistics.median(runs["lime"].ms)
    print(f"\n### {name}\n")
    print("| method | ms / explanation | lime / method | samples per row (mean) | same top-5 across seeds "
          "| median fidelity (R^2) |")
    print("|---|---:|---:|---:|---:|---:|")
    for method, run in runs.items():
        if not run.ms:
            continue
        ms = statistics.median(run.ms)
        share = f"{agreement(run):.0%}" if len(run.tops) > 1 else "-"
        print(f"| {method} | {ms:.2f} | {lime_ms / ms:.1f}x | {np.mean(run.samples):.0f} | {share} | "
              f"{np.median(run.fidelity):.3f} |")
    rho = [spearmanr(np.abs(a), np.abs(b)).statistic
           for A, B in zip(runs["lime"].weights, runs["explicable"].weights, strict=True) for a, b in zip(A, B,
                                                                                                          strict=True)]
    print(f"\nrank agreement of |attributions|, explicable vs lime (Spearman, median over rows and seeds): "
          f"{np.median(rho):.2f}")
    stable = runs["explicable stable"]
    if stable.flagged:
        # The stable mode's own claim: rows it calls settled (in every seed) should report the same top-5 set.
        settled = [i for i in range(len(stable.tops[0])) if all(flags[i] for flags in stable.flagged)]
        same = [len({tops[i] for tops in stable.tops}) == 1 for i in settled]
        print(f"explicable stable: {len(settled)} of {len(stable.tops[0])} rows flagged stable in every seed; "
              f"of these, {np.mean(same) if same else float('nan'):.0%} have the same top-{TOP} set across seeds")
    return {
        "speed": lime_ms / statistics.median(runs["explicable"].ms) >= TARGET_SPEEDUP,
        "stable time": statistics.median(stable.ms) <= lime_ms,
        "stable agreement": agreement(stable) >= TARGET_AGREEMENT,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="LIME: explicable vs lime 0.2.0.1 on breast cancer.")
    parser.add_argument("--rows", type=int, default=30, help="test rows explained (default 30)")
    parser.add_argument("--seeds", type=int, default=10, help="seeds per row (default 10)")
    parser.add_argument("--samples", type=int, default=5000, help="samples per explanation (default 5000)")
    parser.add_argument("--max-samples", type=int, default=163840,
                        help="cap of the stable mode per row (default 163840 = 32 x 5120)")
    parser.add_argument("--latency-seeds", type=int, default=2, help="seeds for the one-row-per-call timing")
    parser.add_argument("--models", nargs="+", default=["xgboost", "mlp"], choices=["xgboost", "mlp"])
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, the models and the first run")
    parser.add_argument("--quick", action="store_true", help="5 rows, 3 seeds: a quick look")
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.seeds, args.latency_seeds = 5, 3, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"# LIME benchmark: {args.rows} rows x {args.seeds} seeds, {args.samples} samples\n")
    print(f"python {platform.python_version()}, numpy {version('numpy')}, lime {version('lime')}, "
          f"xgboost {xgboost.__version__}, scikit-learn {version('scikit-learn')}, explicable "
          f"{version('explicable')}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    models, X_train, X_test = make_models(args.seed)
    rows = X_test[:args.rows]
    verdicts: dict[str, list[bool]] = {}
    for name in args.models:
        for key, ok in print_table(name, bench_model(models[name], X_train, rows, args)).items():
            verdicts.setdefault(key, []).append(ok)
    print("\n## Verdicts\n")
    print(f"- explicable >= {TARGET_SPEEDUP:.0f}x faster than lime per explanation: "
          f"{'yes' if all(verdicts['speed']) else 'no'}")
    print(f"- stable mode no slower than lime: {'yes' if all(verdicts['stable time']) else 'no'}")
    print(f"- stable mode, same top-{TOP} set across seeds for >= {TARGET_AGREEMENT:.0%} of rows: "
          f"{'yes' if all(verdicts['stable agreement']) else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
