"""Benchmark: accuracy, error bars and speed of sampled Shapley values against shap and shapiq.

For three models on synthetic data (fixed seeds), with ``M`` features in {12, 16, 20}, a 50-row background
and budgets of 512, 2048 and 8192 coalitions per explained row, every method estimates the Shapley values of
the same interventional game ``v_x(S) = mean_b f(x_S, b_notS)`` over the 50 background rows:

- ``explicable``: ``explicable.explain(model, X, background=bg, method="kernel", budget=b, random_state=seed,
  size_weights=...)`` with ``size_weights`` "leverage" (the default) and "shapley", and ``method="permutation"``;
- ``shap``: ``shap.KernelExplainer(f, bg).shap_values(X, nsamples=b, l1_reg=False)`` and with shap's default
  ``l1_reg`` (in shap 0.51: ``"num_features(10)"``), ``np.random`` seeded;
- ``shapiq``: ``shapiq.KernelSHAP(n=M, random_state=seed).approximate(b, game)`` per row, with a game that
  builds the same interventional rows and averages the model over the background.

The reference is the exact Shapley value of that game:

- the known function (linear terms plus 2- and 3-way products and ``sin(x_i + x_j)``) is a sum of terms on at
  most 3 features, so its exact value is a sum over terms of brute force over the term's own 2^|T| coalitions
  (features outside a term are null players of it);
- the gradient boosting model (XGBoost) gets interventional TreeSHAP, ``shap.TreeExplainer(model, data=bg,
  feature_perturbation="interventional")``, exact for trees;
- the MLP (scikit-learn) gets brute force over all 2^M coalitions (explicable's ``ExactShap``): 3.3M model rows
  per explained row at M=16, so M=20 (52M model rows, an estimated minute per row on 2 cores) is left out.

Both shortcuts are checked against ``ExactShap`` (all 2^M coalitions) at M=12 in every run.

Metric: relative L2 error ``||phi_hat - phi_exact|| / ||phi_exact||`` per row, averaged over rows and seeds;
wall time per explained row (each library's call on all explained rows, divided by their number; the median
over seeds). Calibration: the share of exact values within 2 standard errors of explicable's estimate, over
every sampled (not fully enumerated) run.

Run ``python bench/shapley_accuracy.py`` (4-7 minutes on 2 cores), ``--quick`` for a look, or
``--profile`` for where explicable's time goes on one configuration.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from itertools import combinations
from math import factorial
from typing import Any

import numpy as np
import shap
import shapiq
import xgboost
from sklearn.neural_network import MLPRegressor

import explicable
from explicable import FunctionModel
from explicable.explainers import ExactShap

#: Targets of the issue: explicable's error over shap's without l1 regularisation, over shap's default, its
#: time over shap's, and the share of exact values inside +/- 2 stderr.
TARGET_VS_SHAP = 0.5
TARGET_VS_SHAP_DEFAULT = 0.25
TARGET_TIME = 1.0
TARGET_COVERAGE = 0.9
#: Relative errors below this count as exact (XGBoost predicts in float32: ~1e-7 relative).
EXACT_FLOOR = 1e-5
#: Calibration counts an error within this share of the row's ||phi_exact|| as covered (float rounding).
CALIBRATION_SLACK = 1e-6
#: The shortcuts (term-wise and TreeSHAP references) must match brute force to this, relative.
REFERENCE_TOLERANCE = 1e-5

METHODS = ("kernel leverage", "kernel shapley", "permutation", "shap l1 off", "shap default", "shapiq")
EXPLICABLE = {"kernel leverage": ("kernel", {"size_weights": "leverage"}),
              "kernel shapley": ("kernel", {"size_weights": "shapley"}),
              "permutation": ("permutation", {})}

Predict = Callable[[np.ndarray], np.ndarray]


# --- the known function: a sum of terms on at most 3 features -------------------------------------------------

@dataclass(frozen=True)
class Term:
    """``coef * g(x[support])`` with ``g`` one of "linear", "product" (2- or 3-way) or "sin" (of the sum)."""

    kind: str
    support: tuple[int, ...]
    coef: float

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        """Values for ``Z`` (..., len(support)): the term's own columns."""
        if self.kind == "sin":
            return self.coef * np.sin(Z.sum(axis=-1))
        return self.coef * Z.prod(axis=-1)


def make_terms(M: int, seed: int) -> list[Term]:
    """Linear terms on every feature, M/2 pairwise and M/4 three-way products, M/4 ``sin(x_i + x_j)``."""
    rng = np.random.default_rng(seed)
    terms = [Term("linear", (j,), float(c)) for j, c in enumerate(rng.normal(0, 0.5, M))]
    for kind, size, count in (("product", 2, M // 2), ("product", 3, M // 4), ("sin", 2, M // 4)):
        for _ in range(count):
            support = tuple(sorted(int(j) for j in rng.choice(M, size, replace=False)))
            terms.append(Term(kind, support, float(rng.choice([-1, 1]) * rng.uniform(0.5, 1.5))))
    return terms


class ModelClock:
    """Seconds spent inside a model function, to split a library's time into the model's and its own."""

    def __init__(self) -> None:
        self.inside = 0.0

    def around(self, f: Predict) -> Predict:
        def timed(X: np.ndarray) -> np.ndarray:
            start = time.perf_counter()
            try:
                return f(X)
            finally:
                self.inside += time.perf_counter() - start

        return timed


CLOCK = ModelClock()


def function_of(terms: list[Term]) -> Predict:
    """The plain python model ``f(X) -> (n,)`` (timed by :data:`CLOCK`)."""

    def f(X: np.ndarray) -> np.ndarray:
        out = np.zeros(len(X))
        for term in terms:
            out += term(X[:, list(term.support)])
        return out

    return CLOCK.around(f)


def exact_terms(terms: list[Term], X: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Exact interventional Shapley values (n, M) of a sum of terms: brute force inside each term's support."""
    values = np.zeros(X.shape)
    for term in terms:
        T = list(term.support)
        t = len(T)
        for pos, j in enumerate(T):
            others = [q for q in range(t) if q != pos]
            for size in range(t):
                weight = factorial(size) * factorial(t - size - 1) / factorial(t)
                for subset in combinations(others, size):
                    inside = np.zeros(t, dtype=bool)
                    inside[list(subset)] = True
                    without = np.where(inside, X[:, None, T], background[None, :, T])  # (n, b, t)
                    inside[pos] = True
                    with_j = np.where(inside, X[:, None, T], background[None, :, T])
                    values[:, j] += weight * (term(with_j) - term(without)).mean(axis=1)
    return values


# --- cases: a model, how each library calls it, and its exact values -------------------------------------------

@dataclass
class Case:
    """One model at one ``M``: what explicable takes, the plain predict for shap and shapiq, the data."""

    name: str
    M: int
    model: Any
    predict: Predict
    background: np.ndarray
    X: np.ndarray
    exact: np.ndarray
    reference: str
    results: dict[tuple[int, str], list[dict[str, Any]]] = field(default_factory=dict)


def make_data(M: int, n: int, seed: int) -> np.ndarray:
    """Standard normal features with a mild correlation (a random mixing), fixed by ``seed``."""
    rng = np.random.default_rng(seed)
    mix = np.eye(M) + rng.normal(0, 0.15, (M, M))
    return rng.normal(size=(n, M)) @ mix


def build_cases(args: argparse.Namespace, M: int, *, check: bool) -> tuple[list[Case], list[str]]:
    """The models at ``M`` features, their exact values and (``check``) the shortcuts against brute force."""
    seed = args.seed + M
    X_all = make_data(M, args.train_rows + args.background + args.rows, seed)
    train = X_all[: args.train_rows]
    background = X_all[args.train_rows: args.train_rows + args.background]
    X = X_all[args.train_rows + args.background:]
    terms = make_terms(M, seed)
    fn = function_of(terms)
    y = fn(train) + np.random.default_rng(seed).normal(0, 0.1, len(train))
    cases, checks = [], []
    if "function" in args.models:
        model = FunctionModel(fn, n_features=M)
        cases.append(Case("function", M, model, fn, background, X, exact_terms(terms, X, background), "term-wise"))
    if "gbm" in args.models:
        gbm = xgboost.XGBRegressor(n_estimators=100, max_depth=6, learning_rate=0.1, random_state=seed,
                                   n_jobs=args.threads).fit(train, y)
        tree = shap.TreeExplainer(gbm, data=background, feature_perturbation="interventional")
        exact = np.asarray(tree.shap_values(X), dtype="float64")
        cases.append(Case("gbm", M, gbm, gbm.predict, background, X, exact, "interventional TreeSHAP"))
    if "mlp" in args.models and args.mlp_max_features >= M:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: the fit need not be perfect
            mlp = MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=300, random_state=seed).fit(train, y)
        exact = ExactShap(mlp, budget=2**M).fit(background).explain(X).values[:, :, 0]
        cases.append(Case("mlp", M, mlp, mlp.predict, background, X, exact, "brute force 2^M"))
    if check:
        for case in cases:
            if case.name != "mlp":
                brute = ExactShap(case.model, budget=2**M).fit(background).explain(X).values[:, :, 0]
                dev = np.abs(brute - case.exact).max() / np.abs(brute).max()
                ok = dev <= REFERENCE_TOLERANCE
                checks.append(f"{case.name}, M={M}: {case.reference} vs brute force over 2^{M} coalitions: max abs "
                              f"diff / max |phi| = {dev:.2g} (<= {REFERENCE_TOLERANCE:g}: {'PASS' if ok else 'FAIL'})")
    return cases, checks


# --- the methods ---------------------------------------------------------------------------------------------

def run_explicable(case: Case, budget: int, seed: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    name, options = EXPLICABLE[method]
    exp = explicable.explain(case.model, case.X, background=case.background, method=name, budget=budget,
                             random_state=seed, **options)
    return exp.values[:, :, 0], exp.stderr[:, :, 0]


def run_shap(case: Case, budget: int, seed: int, l1_off: bool) -> np.ndarray:
    np.random.seed(seed)
    explainer = shap.KernelExplainer(case.predict, case.background)
    options: dict[str, Any] = {"l1_reg": False} if l1_off else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(explainer.shap_values(case.X, nsamples=budget, silent=True, **options), dtype="float64")


def interventional_game(predict: Predict, x: np.ndarray, background: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """shapiq's game: ``v(S) = mean_b f(x_S, b_notS)`` for boolean coalitions (c, M)."""

    def game(coalitions: np.ndarray) -> np.ndarray:
        coalitions = np.asarray(coalitions, dtype=bool)
        out = np.empty(len(coalitions))
        step = max(1, 65536 // len(background))
        for a in range(0, len(coalitions), step):
            data = np.where(coalitions[a: a + step, None, :], x, background[None])
            out[a: a + step] = predict(data.reshape(-1, x.size)).reshape(len(data), -1).mean(axis=1)
        return out

    return game


def run_shapiq(case: Case, budget: int, seed: int) -> np.ndarray:
    values = np.empty(case.X.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Not all budget is required due to the border-trick."
        for i, x in enumerate(case.X):
            approximator = shapiq.KernelSHAP(n=case.M, random_state=seed)
            result = approximator.approximate(budget, interventional_game(case.predict, x, case.background))
            values[i] = result.get_n_order_values(1)
    return values


def run_method(case: Case, budget: int, seed: int, method: str) -> dict[str, Any]:
    """One method on all explained rows: values, stderr (explicable), time per row, relative errors per row."""
    stderr = None
    CLOCK.inside = 0.0
    start = time.perf_counter()
    if method in EXPLICABLE:
        values, stderr = run_explicable(case, budget, seed, method)
    elif method == "shapiq":
        values = run_shapiq(case, budget, seed)
    else:
        values = run_shap(case, budget, seed, l1_off=method == "shap l1 off")
    seconds = (time.perf_counter() - start) / len(case.X)
    model_seconds = CLOCK.inside / len(case.X)  # only the function model is timed inside
    errors = np.linalg.norm(values - case.exact, axis=1) / np.linalg.norm(case.exact, axis=1)
    return {"values": values, "stderr": stderr, "seconds": seconds, "model_seconds": model_seconds,
            "error": float(errors.mean())}


# --- reporting -------------------------------------------------------------------------------------------------

def fmt(x: float) -> str:
    if x == 0 or not np.isfinite(x):
        return str(x)
    return f"{x:.3g}" if abs(x) >= 1e-3 else f"{x:.2e}"


def ratio(a: float, b: float) -> tuple[str, bool | None]:
    """``a / b`` as text and whether it is meaningful; both below :data:`EXACT_FLOOR` reads 'exact'."""
    if a < EXACT_FLOOR and b < EXACT_FLOOR:
        return "exact", None
    if b < EXACT_FLOOR:
        return "inf", False
    return f"{a / b:.3f}", True


def mean_error(runs: list[dict[str, Any]]) -> float:
    return float(np.mean([r["error"] for r in runs]))


def median_ms(runs: list[dict[str, Any]]) -> float:
    return 1000 * statistics.median(r["seconds"] for r in runs)


def print_tables(cases: list[Case], budgets: list[int]) -> dict[str, list[bool]]:
    """Error, ratio and time tables; returns the pass/fail of each target over the meaningful configurations."""
    verdicts: dict[str, list[bool]] = {"vs shap l1 off": [], "vs shap default": [], "time": []}
    print("\n### Relative L2 error, mean over rows and seeds\n")
    print("| model | M | budget | " + " | ".join(METHODS) + " |")
    print("|---|---:|---:|" + "---:|" * len(METHODS))
    for case in cases:
        for b in budgets:
            print(f"| {case.name} | {case.M} | {b} | "
                  + " | ".join(fmt(mean_error(case.results[b, m])) for m in METHODS) + " |")
    print("\n### Ratios against the targets (explicable kernel, leverage = default | shapley)\n")
    print("| model | M | budget | err / shap l1 off (<= 0.5) | err / shap default (<= 0.25) "
          "| time / shap l1 off (<= 1.0) | of the minimum times | shapley: err / shap l1 off "
          "| permutation: err / shap l1 off |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for case in cases:
        for b in budgets:
            err = {m: mean_error(case.results[b, m]) for m in METHODS}
            cells = []
            for key, other, target in (("vs shap l1 off", "shap l1 off", TARGET_VS_SHAP),
                                       ("vs shap default", "shap default", TARGET_VS_SHAP_DEFAULT)):
                text, meaningful = ratio(err["kernel leverage"], err[other])
                if meaningful is not None:
                    verdicts[key].append(meaningful and err["kernel leverage"] / err[other] <= target)
                cells.append(text)
            t = median_ms(case.results[b, "kernel leverage"]) / median_ms(case.results[b, "shap l1 off"])
            verdicts["time"].append(t <= TARGET_TIME)
            fastest = [min(r["seconds"] for r in case.results[b, m]) for m in ("kernel leverage", "shap l1 off")]
            cells += [f"{t:.3f}", f"{fastest[0] / fastest[1]:.3f}"]
            cells += [ratio(err[m], err["shap l1 off"])[0] for m in ("kernel shapley", "permutation")]
            print(f"| {case.name} | {case.M} | {b} | " + " | ".join(cells) + " |")
    print("\n### Wall time per explained row, ms (median over seeds)\n")
    print("| model | M | budget | " + " | ".join(METHODS) + " |")
    print("|---|---:|---:|" + "---:|" * len(METHODS))
    for case in cases:
        for b in budgets:
            print(f"| {case.name} | {case.M} | {b} | "
                  + " | ".join(fmt(median_ms(case.results[b, m])) for m in METHODS) + " |")
    return verdicts


def coverage(cases: list[Case], method: str, budgets: list[int]) -> tuple[int, int, int, float]:
    """Over the sampled runs: values, values within 2 and within 1 stderr, RMS of error / stderr (ideal 1)."""
    inside2 = inside1 = total = 0
    z2: list[np.ndarray] = []
    for case in cases:
        for b in budgets:
            for run in case.results[b, method]:
                if not (run["stderr"] > 0).any():
                    continue  # every coalition enumerated: exact, no error bar to check
                dev = np.abs(run["values"] - case.exact)
                # Rounding slack: a value estimated without variance (e.g. a feature only in linear terms, for
                # permutations) has stderr ~1e-17 and an error ~1e-16; the slack is far below any sampling error.
                slack = CALIBRATION_SLACK * np.linalg.norm(case.exact, axis=1, keepdims=True)
                inside2 += int((dev <= 2 * run["stderr"] + slack).sum())
                inside1 += int((dev <= run["stderr"] + slack).sum())
                total += dev.size
                random = run["stderr"] > slack
                z2.append((dev[random] / run["stderr"][random]) ** 2)
    rms_z = float(np.sqrt(np.concatenate(z2).mean())) if z2 else float("nan")
    return total, inside2, inside1, rms_z


def print_calibration(cases: list[Case], budgets: list[int]) -> dict[str, float]:
    """Share of exact values within +/- 2 stderr, per explicable method (all budgets, then each)."""
    print("\n### Calibration: exact value within +/- 2 stderr of explicable's estimate (sampled runs only)\n")
    print("| method | budget | values | within 2 stderr | share | within 1 stderr | RMS of error / stderr |")
    print("|---|---|---:|---:|---:|---:|---:|")
    shares = {}
    for method in EXPLICABLE:
        for label, chosen in [("all", budgets)] + [(str(b), [b]) for b in budgets]:
            total, inside2, inside1, spread = coverage(cases, method, chosen)
            share = inside2 / max(total, 1)
            if label == "all":
                shares[method] = share
            print(f"| {method} | {label} | {total} | {inside2} | {share:.3f} | {inside1 / max(total, 1):.3f} "
                  f"| {spread:.3f} |")
    return shares


def print_model_time(cases: list[Case], budgets: list[int]) -> None:
    """For the python function (the same callable for every library): time outside the model per row."""
    chosen = [c for c in cases if c.name == "function"]
    if not chosen:
        return
    print("\n### Function model: time outside the model, ms per row (median over seeds)\n")
    print("The model is the same python callable for every library; its own time is measured inside each call "
          "and taken out.\n")
    print("| M | budget | " + " | ".join(METHODS) + " | kernel leverage: model share |")
    print("|---:|---:|" + "---:|" * (len(METHODS) + 1))
    for case in chosen:
        for b in budgets:
            own = [1000 * statistics.median(r["seconds"] - r["model_seconds"] for r in case.results[b, m])
                   for m in METHODS]
            runs = case.results[b, "kernel leverage"]
            share = statistics.median(r["model_seconds"] / r["seconds"] for r in runs)
            print(f"| {case.M} | {b} | " + " | ".join(fmt(x) for x in own) + f" | {share:.2f} |")


def print_verdicts(verdicts: dict[str, list[bool]], shares: dict[str, float]) -> None:
    print()
    names = {"vs shap l1 off": f"error / shap l1 off <= {TARGET_VS_SHAP}",
             "vs shap default": f"error / shap default <= {TARGET_VS_SHAP_DEFAULT}",
             "time": f"time / shap l1 off <= {TARGET_TIME}"}
    for key, passed in verdicts.items():
        where = "configurations" if key == "time" else "configurations where not both are exact"
        print(f"- kernel leverage, {names[key]}: {sum(passed)} of {len(passed)} {where}")
    for method, share in shares.items():
        verdict = "PASS" if share >= TARGET_COVERAGE else "FAIL"
        print(f"- {method}: calibration {share:.3f} (>= {TARGET_COVERAGE}: {verdict})")


# --- main ------------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Sampled Shapley values: accuracy and speed vs shap and shapiq.")
    parser.add_argument("--features", type=int, nargs="+", default=[12, 16, 20], help="M values (default 12 16 20)")
    parser.add_argument("--budgets", type=int, nargs="+", default=[512, 2048, 8192],
                        help="coalitions per explained row (default 512 2048 8192)")
    parser.add_argument("--models", nargs="+", default=["function", "gbm", "mlp"],
                        choices=["function", "gbm", "mlp"], help="models (default all three)")
    parser.add_argument("--rows", type=int, default=4, help="explained rows per configuration (default 4)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per configuration (default 5)")
    parser.add_argument("--background", type=int, default=50, help="background rows (default 50)")
    parser.add_argument("--train-rows", type=int, default=2000, help="training rows (default 2000)")
    parser.add_argument("--mlp-max-features", type=int, default=16,
                        help="largest M for the MLP, whose exact values are brute force (default 16)")
    parser.add_argument("--threads", type=int, default=1,
                        help="XGBoost predict threads (default 1: steadier timings on a shared machine)")
    parser.add_argument("--seed", type=int, default=0, help="seed of data, models and the first run (default 0)")
    parser.add_argument("--quick", action="store_true", help="M=12 16, 2 rows, 2 seeds: a quick look")
    parser.add_argument("--profile", action="store_true",
                        help="profile explicable and shap on the last model, M, budget instead of the tables")
    args = parser.parse_args(argv)
    if args.quick:
        args.features, args.rows, args.seeds = [12, 16], 2, 2
    if min(args.features) < 4 or min(args.budgets) < 4 or args.rows < 1 or args.seeds < 1:
        parser.error("--features and --budgets must be at least 4, --rows and --seeds at least 1")
    return args


def profile(args: argparse.Namespace) -> None:
    """cProfile explicable's kernel (leverage) and shap's KernelExplainer on one configuration."""
    M, budget = args.features[-1], args.budgets[-1]
    args.models = args.models[-1:]
    cases, _ = build_cases(args, M, check=False)
    case = cases[0]
    run_method(case, budget, args.seed, "kernel leverage")  # warm-up
    for method in ("kernel leverage", "shap l1 off"):
        profiler = cProfile.Profile()
        profiler.enable()
        run = run_method(case, budget, args.seed, method)
        profiler.disable()
        print(f"\n## {method}: {case.name}, M={M}, budget {budget}, {args.rows} rows: "
              f"{1000 * run['seconds']:.1f} ms per row, error {run['error']:.3g}\n")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(14)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"python {platform.python_version()}, explicable {explicable.__version__}, shap {shap.__version__}, "
          f"shapiq {version('shapiq')}, xgboost {xgboost.__version__}, numpy {np.__version__}; "
          f"{os.cpu_count()} cores, load average at start {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.profile:
        profile(args)
        return 0
    start = time.perf_counter()
    cases: list[Case] = []
    checks: list[str] = []
    for M in args.features:
        built, notes = build_cases(args, M, check=min(args.features) == M)
        checks += notes
        for case in built:
            for b in args.budgets:
                for s in range(args.seeds):
                    seed = args.seed + s
                    order = METHODS[s % len(METHODS):] + METHODS[: s % len(METHODS)]  # rotate against drift
                    for method in order:
                        case.results.setdefault((b, method), []).append(run_method(case, b, seed, method))
            cases.append(case)
            print(f"  {case.name} M={M}: done at {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    seeds = f"{args.seed}..{args.seed + args.seeds - 1}"
    print(f"\n{args.rows} explained rows, {args.background}-row background, seeds {seeds}; references: "
          + "; ".join(sorted({f"{c.name}: {c.reference}" for c in cases})))
    for line in checks:
        print(f"- {line}")
    verdicts = print_tables(cases, args.budgets)
    print_model_time(cases, args.budgets)
    shares = print_calibration(cases, args.budgets)
    print_verdicts(verdicts, shares)
    print(f"\ntotal {time.perf_counter() - start:.0f} s, load average at end "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if any("FAIL" in line for line in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
