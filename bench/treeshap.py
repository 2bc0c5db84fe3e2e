"""Benchmark: exact TreeSHAP through explicable against the tree library itself and against shap.

For an XGBoost and a LightGBM binary classifier trained on the same synthetic data, time on the same rows
``explicable.explain(model, X, method="tree")``, the library's own contributions (``pred_contribs`` /
``pred_contrib``) and ``shap.TreeExplainer(model).shap_values(X)``.

Each call is timed whole (adapter, DMatrix or explainer construction included), once as a warm-up and then
``--repeats`` times, the libraries interleaved in rotating order so that drift in machine speed hits them
alike; the tables report medians. explicable's values are checked against the native contributions and shap
in the same run. explicable's own time is also measured inside each of its calls (:class:`LibraryClock`).

A second table times one row per call (``--latency-repeats``), and a ``TreeShap`` explainer fitted once. A
third part times a scikit-learn RandomForestClassifier, whose TreeSHAP explicable computes itself (numba,
every core), against shap: path-dependent, and interventional against 100 background rows; with the targets
(4x, 5x shap's rows/s), the agreement with shap and the kernels' first-call time with a cold and a warm cache.

Run ``python bench/treeshap.py`` (3-4 minutes on 2 cores) or ``--rows 1000 --repeats 2`` for a quick look;
``--only sklearn`` or ``--only boosters`` runs one part.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lightgbm
import numba
import numpy as np
import shap
import xgboost
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

import explicable
from explicable.explainers import TreeShap

#: The acceptance target: explicable's median time over the native one, minus one, in percent.
OVERHEAD_TARGET_PCT = 5.0
#: explicable must equal the native contributions to this (both are the same float32 numbers).
NATIVE_TOLERANCE = 1e-7
#: shap must agree with explicable to this.
SHAP_TOLERANCE = 1e-5
#: explicable's values plus base must give the model's margin to this (the libraries' own float32 sums miss
#: it by a few ulps; explicable folds that residual into the base value).
ADDITIVITY_TOLERANCE = 1e-6

#: scikit-learn forest: targets (explicable's rows/s over shap's); agreement with shap; additivity (probability).
SKLEARN_TARGETS, SKLEARN_SHAP_TOLERANCE, SKLEARN_ADDITIVITY = {"path-dependent": 4.0, "interventional": 5.0}, 1e-6, 1e-8

Call = Callable[[np.ndarray], Any]


class LibraryClock:
    """Time spent inside a booster's contributions call, to split explicable's time into the library's and its own.

    Wraps ``booster.predict`` on the instance; calls with ``pred_contribs``/``pred_contrib`` are timed, other
    calls (explicable's XGBoost margin pass) count as explicable's own time. Robust to machine noise where the
    ratio of two separately timed medians is not: both parts come from the same call.
    """

    def __init__(self, booster: Any) -> None:
        self.inside = 0.0
        self.own: list[float] = []
        self.library: list[float] = []
        original = booster.predict

        def predict(*args: Any, **kwargs: Any) -> Any:
            if not (kwargs.get("pred_contribs") or kwargs.get("pred_contrib")):
                return original(*args, **kwargs)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.inside += time.perf_counter() - start

        booster.predict = predict

    def around(self, call: Call) -> Call:
        """``call``, recording its time inside and outside the library on each use."""

        def timed(Z: np.ndarray) -> Any:
            self.inside = 0.0
            start = time.perf_counter()
            out = call(Z)
            self.own.append(time.perf_counter() - start - self.inside)
            self.library.append(self.inside)
            return out

        return timed


@dataclass(frozen=True)
class Case:
    """One trained model and the ways of explaining it, keyed by library."""

    name: str
    model: Any
    calls: dict[str, Call]
    margin: Call
    clock: LibraryClock

    def latency_calls(self) -> dict[str, Call]:
        """The calls again, plus a TreeShap explainer fitted once and reused (model fingerprint paid once)."""
        fitted = TreeShap(self.model).fit()
        return {**self.calls, "explicable, fitted once": fitted.explain}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line settings."""
    parser = argparse.ArgumentParser(description="TreeSHAP: explicable vs the native library vs shap.")
    parser.add_argument("--rows", type=int, default=5_000, help="rows to explain (default 5000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats after one warm-up (default 5)")
    parser.add_argument("--latency-repeats", type=int, default=50,
                        help="timed one-row calls per library, after one warm-up (default 50; 0 skips)")
    parser.add_argument("--train-rows", type=int, default=10_000, help="training rows (default 10000)")
    parser.add_argument("--features", type=int, default=20, help="numeric features (default 20)")
    parser.add_argument("--trees", type=int, default=200, help="trees per model (default 200)")
    parser.add_argument("--depth", type=int, default=6, help="maximum tree depth (default 6)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the models (default 0)")
    parser.add_argument("--sklearn-rows", type=int, default=1_000, help="scikit-learn part: rows, path-dependent; "
                        "a fifth of them interventional (default 1000)")
    parser.add_argument("--sklearn-trees", type=int, default=200, help="scikit-learn part: trees (default 200)")
    parser.add_argument("--sklearn-repeats", type=int, default=3, help="scikit-learn part: repeats (default 3)")
    parser.add_argument("--only", choices=["all", "boosters", "sklearn"], default="all", help="which part to run")
    args = parser.parse_args(argv)
    for name in ("rows", "repeats", "train_rows", "features", "trees", "depth", "sklearn_trees", "sklearn_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.features < 4 or args.sklearn_rows < 5:
        parser.error("--features must be at least 4 and --sklearn-rows at least 5")
    return args


def make_data(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training rows, training labels and the rows to explain (float64, C-contiguous)."""
    X, y = make_classification(
        n_samples=args.train_rows + args.rows, n_features=args.features, n_informative=args.features // 2,
        n_redundant=args.features // 4, random_state=args.seed,
    )
    X = np.ascontiguousarray(X, dtype="float64")
    return X[: args.train_rows], y[: args.train_rows], np.ascontiguousarray(X[args.train_rows:])


def xgboost_case(X: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> Case:
    """An XGBoost binary classifier and its three explainers."""
    model = xgboost.XGBClassifier(n_estimators=args.trees, max_depth=args.depth, tree_method="hist",
                                  random_state=args.seed).fit(X, y)
    booster = model.get_booster()
    clock = LibraryClock(booster)
    return Case("xgboost", model, {
        "explicable": clock.around(lambda Z: explicable.explain(model, Z, method="tree")),
        "native": lambda Z: booster.predict(xgboost.DMatrix(Z), pred_contribs=True),
        "shap": lambda Z: shap.TreeExplainer(model).shap_values(Z),
    }, margin=lambda Z: booster.predict(xgboost.DMatrix(Z), output_margin=True), clock=clock)


def lightgbm_case(X: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> Case:
    """A LightGBM binary classifier (trees as deep as XGBoost's: 2**depth leaves) and its three explainers."""
    model = lightgbm.LGBMClassifier(n_estimators=args.trees, max_depth=args.depth, num_leaves=2**args.depth,
                                    random_state=args.seed, verbose=-1).fit(X, y)
    booster = model.booster_
    clock = LibraryClock(booster)
    return Case("lightgbm", model, {
        "explicable": clock.around(lambda Z: explicable.explain(model, Z, method="tree")),
        "native": lambda Z: booster.predict(Z, pred_contrib=True),
        "shap": lambda Z: shap.TreeExplainer(model).shap_values(Z),
    }, margin=lambda Z: booster.predict(Z, raw_score=True), clock=clock)


def measure(calls: dict[str, Call], X: np.ndarray, repeats: int) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """Seconds per call for each library (interleaved, after one warm-up each), and each warm-up's result."""
    results = {name: call(X) for name, call in calls.items()}
    times: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls)
    for r in range(repeats):
        # Rotate the order so that no library always runs first (after another's cache churn) or last.
        for name in order[r % len(order):] + order[: r % len(order)]:
            start = time.perf_counter()
            calls[name](X)
            times[name].append(time.perf_counter() - start)
    return times, results


def positive_class(shap_values: Any) -> np.ndarray:
    """shap's values for the positive class as (n, d), whatever layout this shap version returns."""
    if isinstance(shap_values, list):
        return np.asarray(shap_values[-1], dtype="float64")
    arr = np.asarray(shap_values, dtype="float64")
    return arr[:, :, -1] if arr.ndim == 3 else arr


def differences(results: dict[str, Any], margin: np.ndarray) -> dict[str, float]:
    """Max abs differences: explicable vs native and vs shap, and how far each misses the model's margin.

    Parameters
    ----------
    results : dict
        Each library's result for the same rows.
    margin : array of shape (n_rows,)
        The model's own margin (log-odds of the positive class) for those rows.
    """
    exp = results["explicable"]
    native = np.asarray(results["native"], dtype="float64")
    values = exp.values[:, :, -1]  # binary: explicable reports both classes, [-m, m]; the native margin is m
    margin = np.asarray(margin, dtype="float64").reshape(-1)
    return {
        "native values": float(np.max(np.abs(values - native[:, :-1]))),
        "native bias": float(np.max(np.abs(exp.base_values[:, -1] - native[:, -1]))),
        "shap values": float(np.max(np.abs(values - positive_class(results["shap"])))),
        "explicable additivity": float(np.max(np.abs(exp.output_totals[:, -1] - margin))),
        "native additivity": float(np.max(np.abs(native.sum(axis=1) - margin))),
    }


def checks_pass(diffs: dict[str, float]) -> bool:
    """Values equal to the native ones, close to shap's, and explicable's adding up to the margin."""
    return diffs["native values"] <= NATIVE_TOLERANCE and diffs["shap values"] <= SHAP_TOLERANCE \
        and diffs["explicable additivity"] <= ADDITIVITY_TOLERANCE


def machine() -> list[str]:
    """Lines describing the machine and the library versions."""
    cpu = platform.processor() or "unknown"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return [
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}; "
        f"load average at start {load}",
        f"versions: explicable {explicable.__version__} ({source_state()}), xgboost {xgboost.__version__}, "
        f"lightgbm {lightgbm.__version__}, shap {shap.__version__}, numpy {np.__version__}",
    ]


def source_state() -> str:
    """The git commit of the explicable checkout being measured, and whether its src/ has local changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "commit unknown"
    return f"commit {commit}" + (", src/ modified" if dirty else "")


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    """Median seconds per library."""
    return {name: statistics.median(ts) for name, ts in times.items()}


def paired_ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    """Median over repeats of ``a``'s time over ``b``'s in the same repeat (robust to slow drift)."""
    return statistics.median(x / y for x, y in zip(times[a], times[b], strict=True))


def table_rows(case: str, times: dict[str, list[float]], rows: int, unit: float) -> list[str]:
    """Markdown rows: model, library, median, min, rows/s, time / native, time / explicable."""
    med = medians(times)
    return [
        f"| {case} | {name} | {med[name] * unit:.4g} | {min(ts) * unit:.4g} | {rows / med[name]:,.0f} | "
        f"{med[name] / med['native']:.3f} | {med[name] / med['explicable']:.3f} |"
        for name, ts in times.items()
    ]


def summary(case: Case, times: dict[str, list[float]], diffs: dict[str, float]) -> list[str]:
    """The overhead verdict, explicable's own time and the agreement checks for one model."""
    med = medians(times)
    own = statistics.median(case.clock.own[1:])  # the first is the warm-up
    share = statistics.median(o / lib for o, lib in zip(case.clock.own[1:], case.clock.library[1:], strict=True))
    overhead = (med["explicable"] / med["native"] - 1) * 100
    paired = (paired_ratio(times, "explicable", "native") - 1) * 100
    verdict = "PASS" if overhead < OVERHEAD_TARGET_PCT else "FAIL"
    if verdict == "FAIL" and share * 100 < OVERHEAD_TARGET_PCT:
        verdict = "over on the medians, but explicable's own time is under it: machine noise, rerun"
    verdicts = {"native values": NATIVE_TOLERANCE, "shap values": SHAP_TOLERANCE,
                "explicable additivity": ADDITIVITY_TOLERANCE}
    checked = [f"{k} {diffs[k]:.3g} (<= {tol:g}: {'PASS' if diffs[k] <= tol else 'FAIL'})"
               for k, tol in verdicts.items()]
    name = case.name
    return [
        f"- {name}: explicable overhead over native {overhead:+.1f}% of the median (paired per repeat "
        f"{paired:+.1f}%, of the minimum {(min(times['explicable']) / min(times['native']) - 1) * 100:+.1f}%; "
        f"target < {OVERHEAD_TARGET_PCT:g}%: {verdict}); shap / explicable time {med['shap'] / med['explicable']:.2f}x",
        f"- {name}: explicable's own time per call (outside the library's contributions call, same call): "
        f"median {own * 1000:.1f} ms = {share * 100:.2f}% of the library's time",
        f"- {name}: max abs diff explicable vs {'; '.join(checked)}",
        f"- {name}: (not checked) explicable base vs native bias {diffs['native bias']:.3g}; native values + bias "
        f"vs margin {diffs['native additivity']:.3g}",
    ]


def header(first: str, unit: str) -> list[str]:
    """A markdown table header."""
    return [f"| model | library | median {unit} | min {unit} | {first} | time / native | time / explicable |",
            "|---|---|---:|---:|---:|---:|---:|"]


def sklearn_forest(args: argparse.Namespace) -> tuple[list[str], bool]:
    """The scikit-learn part: explicable's own TreeSHAP vs shap on a RandomForestClassifier, both algorithms."""
    n = args.train_rows
    X, y = make_classification(n_samples=n + args.sklearn_rows, n_features=30, n_informative=15, n_redundant=7,
                               random_state=args.seed)
    model = RandomForestClassifier(n_estimators=args.sklearn_trees, max_depth=8, random_state=args.seed,
                                   n_jobs=-1).fit(X[:n], y[:n])
    lines, notes, ok = ["| algorithm | library | rows | median s | min s | rows/s | speed-up |",
                        "|---|---|---:|---:|---:|---:|---:|"], [], True
    for mode, rows, bg in (("path-dependent", args.sklearn_rows, None),
                           ("interventional", args.sklearn_rows // 5, X[:100])):
        calls: dict[str, Call] = {  # each call whole, shap's explainer built in it (as above)
            "explicable": lambda Z, bg=bg: explicable.explain(model, Z, background=bg),
            "shap": lambda Z, bg=bg: shap.TreeExplainer(model, data=bg, feature_perturbation="interventional" if bg
                                                        is not None else "tree_path_dependent").shap_values(Z)}
        Z = np.ascontiguousarray(X[n: n + rows])
        times, results = measure(calls, Z, args.sklearn_repeats)
        med = medians(times)
        lines += [f"| {mode} | {name} | {rows:,} | {med[name]:.4g} | {min(ts):.4g} | {rows / med[name]:,.0f} | "
                  f"{med[name] / med['explicable']:.2f}x |" for name, ts in times.items()]
        speedup, target = med["shap"] / med["explicable"], SKLEARN_TARGETS[mode]
        diff = float(np.max(np.abs(results["explicable"].values - np.asarray(results["shap"]))))
        additivity = float(np.max(np.abs(results["explicable"].output_totals - model.predict_proba(Z))))
        passed = diff <= SKLEARN_SHAP_TOLERANCE and additivity <= SKLEARN_ADDITIVITY
        ok = ok and passed
        notes.append(f"- {mode}: explicable {speedup:.2f}x shap's rows/s (paired per repeat "
                     f"{1 / paired_ratio(times, 'explicable', 'shap'):.2f}x; target >= {target:g}x: "
                     f"{'PASS' if speedup >= target else 'FAIL'}); max abs diff vs shap {diff:.3g}, additivity "
                     f"{additivity:.3g} ({'PASS' if passed else 'FAIL'})")
    cold, warm = first_call_seconds()
    notes.append(f"- first call of both kernels in a fresh process: {cold:.1f} s with an empty numba cache "
                 f"(compiling), {warm:.2f} s with it filled")
    return [*lines, "", *notes], ok


def first_call_seconds() -> tuple[float, ...]:
    """Seconds for a first path-dependent and interventional explanation in a new process: cold, then warm cache."""
    code = ("import time, numpy as np, explicable; from sklearn.ensemble import RandomForestClassifier as F; "
            "X = np.random.default_rng(0).normal(size=(200, 4)); m = F(3, max_depth=3).fit(X, X[:, 0] > 0); "
            "t = time.perf_counter(); explicable.explain(m, X[:5]); explicable.explain(m, X[:5], background=X[:20]); "
            "print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        return tuple(float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                          check=True).stdout) for _ in range(2))


def main(argv: list[str] | None = None) -> int:
    """Train, time, check and print; exit status 1 if a value check fails (the overhead is only reported)."""
    args = parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning, module="shap")
    print("# TreeSHAP: explicable vs native vs shap", *machine(), sep="\n")
    ok = boosters(args) if args.only != "sklearn" else True
    if args.only != "boosters":
        lines, sklearn_ok = sklearn_forest(args)
        print(f"\n## scikit-learn RandomForestClassifier: {args.sklearn_trees} trees of depth 8, 30 features, trained "
              f"on {args.train_rows:,} rows; explicable on {numba.get_num_threads()} threads; median of "
              f"{args.sklearn_repeats} repeats after 1 warm-up", *lines, sep="\n")
        ok = ok and sklearn_ok
    return 0 if ok else 1


def boosters(args: argparse.Namespace) -> bool:
    """The XGBoost and LightGBM part; whether its value checks pass."""
    X_train, y_train, X = make_data(args)
    latency = f"; one-row latency: median of {args.latency_repeats} calls" if args.latency_repeats > 0 else ""
    print(f"setup: {args.rows:,} rows explained x {args.features} float64 features; binary classifiers, {args.trees} "
          f"trees, depth {args.depth}, trained on {args.train_rows:,} rows; median of {args.repeats} repeats after 1 "
          f"warm-up{latency}\n")
    batch, one_rows, notes, ok = header("rows/s", "s"), header("calls/s", "ms"), [], True
    for build in (xgboost_case, lightgbm_case):
        case = build(X_train, y_train, args)
        times, results = measure(case.calls, X, args.repeats)
        diffs = differences(results, case.margin(X))
        batch += table_rows(case.name, times, args.rows, 1.0)
        notes += summary(case, times, diffs)
        ok = ok and checks_pass(diffs)
        if args.latency_repeats > 0:
            one_row, _ = measure(case.latency_calls(), X[:1], args.latency_repeats)
            one_rows += table_rows(case.name, one_row, 1, 1000.0)
    print(f"## {args.rows:,} rows per call", *batch, "", *notes, *(["", "## one row per call", *one_rows] if
                                                                     args.latency_repeats > 0 else []), sep="\n")
    return ok


if __name__ == "__main__":
    sys.exit(main())
