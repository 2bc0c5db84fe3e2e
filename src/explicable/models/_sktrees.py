"""scikit-learn tree models as flat arrays, and their exact TreeSHAP values through the numba kernels.

Supported: DecisionTree, ExtraTree, RandomForest and ExtraTrees (classifiers in probability space, the mean of
the trees' class fractions; regressors, also multi-output, in raw space), GradientBoosting and
HistGradientBoosting (the decision function: the init estimator's or baseline constant plus the trees; "log-odds"
for binary log-loss classifiers, "raw" otherwise). Binary classifiers are computed for the positive class only
and reported as two columns: ``[1 - p, p]`` or ``[-m, m]``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, UnsupportedModelError

__all__ = ["Background", "TreeEnsemble", "background_bits", "extract_trees", "prepare_background", "tree_shap"]


@dataclass(frozen=True)
class TreeEnsemble:
    """Trees as flat arrays: ``prediction = offset + sum over trees of value[leaf reached]``.

    Attributes
    ----------
    left, right : int64 arrays (n_nodes,)
        Global child indices; -1 at leaves.
    feature : int64 array (n_nodes,)
        Split feature (-1 at leaves).
    threshold : float64 array (n_nodes,)
        A row goes left when ``x[feature] <= threshold``.
    missing_left : bool array (n_nodes,)
        Where a NaN goes.
    cover : float64 array (n_nodes,)
        Training weight through the node (``weighted_n_node_samples``, or HistGradientBoosting's ``count``).
    value : float64 array (n_nodes, v)
        Each node's contribution to the output columns ``columns[t] .. columns[t] + v - 1``.
    roots, depths, columns : int64 arrays (n_trees,)
        Each tree's root node, depth and first output column.
    offset : float64 array (n_outputs,)
        The constant part (GradientBoosting's init estimator, HistGradientBoosting's baseline).
    n_features : int
        Columns the trees take.
    float32_input : bool
        The model compares float32 copies of the inputs (scikit-learn's own trees do).
    layout : {"plain", "binary_margin", "binary_probability"}
        How the n_outputs columns become the model's outputs: as they are, ``[-m, m]`` or ``[1 - p, p]``.
    output_space : {"probability", "log-odds", "raw"}
    """

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    cover: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depths: np.ndarray
    columns: np.ndarray
    offset: np.ndarray
    n_features: int
    float32_input: bool
    layout: str
    output_space: str

    @property
    def n_outputs(self) -> int:
        """Columns the kernels compute (one for binary models)."""
        return int(self.offset.shape[0])

    def expected_value(self) -> np.ndarray:
        """The cover-weighted mean prediction, (n_outputs,): the base of path-dependent TreeSHAP."""
        base = self.offset.copy()
        is_leaf = self.left < 0
        tree_of = np.repeat(np.arange(len(self.roots)), np.diff(np.append(self.roots, len(self.left))))
        share = np.where(is_leaf, self.cover / self.cover[self.roots][tree_of], 0.0)
        for v in range(self.value.shape[1]):
            np.add.at(base, self.columns[tree_of] + v, share * self.value[:, v])
        return base


# ---- extraction ---------------------------------------------------------------------------------------------
def _estimator_kind(model: Any) -> str:
    names = {cls.__name__ for cls in type(model).__mro__ if cls.__module__.startswith("sklearn.")}
    for kind in ("HistGradientBoosting", "GradientBoosting", "RandomForest", "ExtraTrees", "DecisionTree",
                 "ExtraTree"):
        if any(name.startswith(kind) for name in names):
            return kind
    raise UnsupportedModelError(f"TreeSHAP does not support {type(model).__name__}.", parameter="model", got=model)


def _sklearn_tree_arrays(tree: Any, classifier: bool) -> dict[str, Any]:
    left = tree.children_left.astype(np.int64)
    value = np.asarray(tree.value, dtype="float64")
    if classifier:  # class fractions, normalised as predict_proba does
        value = value[:, 0, :]
        total = value.sum(axis=1, keepdims=True)
        value = value / np.where(total == 0.0, 1.0, total)
    else:
        value = value[:, :, 0]
    missing = getattr(tree, "missing_go_to_left", None)
    return {"left": left, "right": tree.children_right.astype(np.int64), "feature": np.where(left < 0, -1,
            tree.feature).astype(np.int64), "threshold": tree.threshold.astype("float64"),
            "missing_left": np.zeros(len(left), bool) if missing is None else np.asarray(missing, bool),
            "cover": tree.weighted_n_node_samples.astype("float64"), "value": value, "depth": int(tree.max_depth)}


def _hgb_tree_arrays(predictor: Any) -> dict[str, Any]:
    nodes = predictor.nodes
    leaf = nodes["is_leaf"].astype(bool)
    if np.any(nodes["is_categorical"][~leaf]):
        raise UnsupportedModelError(
            "TreeSHAP does not support HistGradientBoosting models with categorical splits: such a split sends a "
            "set of categories left, which the path algorithms don't model. Explain it with a model-agnostic "
            "Shapley method, or one-hot or ordinal encode the categories before the model.", parameter="model")
    return {"left": np.where(leaf, -1, nodes["left"].astype(np.int64)),
            "right": np.where(leaf, -1, nodes["right"].astype(np.int64)),
            "feature": np.where(leaf, -1, nodes["feature_idx"]).astype(np.int64),
            "threshold": nodes["num_threshold"].astype("float64"), "missing_left": nodes["missing_go_to_left"] == 1,
            "cover": nodes["count"].astype("float64"), "value": nodes["value"].astype("float64")[:, None],
            "depth": int(nodes["depth"].max())}


def _concatenate(parts: list[dict[str, Any]], scale: float, columns: list[int], offset: np.ndarray,
                 n_features: int, float32_input: bool, layout: str, space: str) -> TreeEnsemble:
    sizes = np.array([len(p["left"]) for p in parts], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    shift = np.repeat(starts, sizes)

    def cat(key: str) -> np.ndarray:
        return np.concatenate([p[key] for p in parts])

    left, right = cat("left"), cat("right")
    return TreeEnsemble(
        left=np.where(left < 0, -1, left + shift), right=np.where(right < 0, -1, right + shift),
        feature=cat("feature"), threshold=cat("threshold"), missing_left=cat("missing_left"), cover=cat("cover"),
        value=np.ascontiguousarray(cat("value") * scale), roots=starts,
        depths=np.array([p["depth"] for p in parts], dtype=np.int64), columns=np.array(columns, dtype=np.int64),
        offset=np.asarray(offset, dtype="float64"), n_features=n_features, float32_input=float32_input,
        layout=layout, output_space=space)


def _forest(model: Any, kind: str) -> TreeEnsemble:
    from sklearn.base import is_classifier

    trees = [model] if kind in ("DecisionTree", "ExtraTree") else list(model.estimators_)
    classifier = bool(is_classifier(model))
    if classifier and int(getattr(model, "n_outputs_", 1)) != 1:
        raise UnsupportedModelError("TreeSHAP does not support multi-output classifiers.", parameter="model",
                                    got=model)
    parts = [_sklearn_tree_arrays(t.tree_, classifier) for t in trees]
    width = parts[0]["value"].shape[1]
    layout, space = ("plain", "raw") if not classifier else \
        ("binary_probability" if width == 2 else "plain", "probability")
    if layout == "binary_probability":  # p0 = 1 - p1: explain the positive class only
        for p in parts:
            p["value"] = p["value"][:, 1:]
        width = 1
    return _concatenate(parts, 1.0 / len(trees), [0] * len(parts), np.zeros(width), int(model.n_features_in_),
                        True, layout, space)


def _gradient_boosting(model: Any) -> TreeEnsemble:
    from sklearn.dummy import DummyClassifier, DummyRegressor

    if not (isinstance(model.init_, str) and model.init_ == "zero") and \
            not isinstance(model.init_, (DummyClassifier, DummyRegressor)):
        raise UnsupportedModelError(
            f"TreeSHAP supports GradientBoosting models whose init estimator is constant (the default, 'zero' or a "
            f"Dummy estimator); got {type(model.init_).__name__}.", parameter="model", got=model)
    n_features = int(model.n_features_in_)
    offset = np.asarray(model._raw_predict_init(np.zeros((1, n_features), dtype=np.float32)), "float64")[0]
    estimators = model.estimators_
    parts = [_sklearn_tree_arrays(estimators[i, k].tree_, False) for i in range(estimators.shape[0])
             for k in range(estimators.shape[1])]
    columns = [k for _ in range(estimators.shape[0]) for k in range(estimators.shape[1])]
    layout, space = _boosting_space(model, estimators.shape[1])
    return _concatenate(parts, float(model.learning_rate), columns, offset, n_features, True, layout, space)


def _hist_gradient_boosting(model: Any) -> TreeEnsemble:
    if model.is_categorical_ is not None and np.any(model.is_categorical_):
        raise UnsupportedModelError(
            "TreeSHAP does not support HistGradientBoosting models with categorical features: their categorical "
            "splits send a set of categories left, which the path algorithms don't model. Explain it with a "
            "model-agnostic Shapley method, or one-hot or ordinal encode the categories before the model.",
            parameter="model", got=model)
    link = type(getattr(model._loss, "link", None)).__name__
    if link not in ("IdentityLink", "LogitLink", "MultinomialLogit"):
        raise UnsupportedModelError(
            f"TreeSHAP supports HistGradientBoosting regressors with an identity link only; loss={model.loss!r} "
            "predicts exp(raw), which no output space here describes.", parameter="model", got=model)
    per_iter = len(model._predictors[0])
    parts = [_hgb_tree_arrays(p) for stage in model._predictors for p in stage]
    columns = [k for _ in model._predictors for k in range(per_iter)]
    offset = np.asarray(model._baseline_prediction, dtype="float64").reshape(-1)
    layout, space = _boosting_space(model, per_iter)
    return _concatenate(parts, 1.0, columns, offset, int(model.n_features_in_), False, layout, space)


def _boosting_space(model: Any, per_iter: int) -> tuple[str, str]:
    from sklearn.base import is_classifier

    if not is_classifier(model):
        return "plain", "raw"
    if per_iter > 1:
        return "plain", "raw"
    return "binary_margin", "log-odds" if getattr(model, "loss", "log_loss") == "log_loss" else "raw"


def extract_trees(model: Any) -> TreeEnsemble:
    """Flat arrays of a fitted scikit-learn tree model.

    Raises
    ------
    UnsupportedModelError
        Categorical HistGradientBoosting splits, multi-output classifiers, non-constant GradientBoosting init
        estimators, non-identity HistGradientBoosting regression links.
    """
    kind = _estimator_kind(model)
    if kind == "HistGradientBoosting":
        return _hist_gradient_boosting(model)
    if kind == "GradientBoosting":
        return _gradient_boosting(model)
    return _forest(model, kind)


# ---- values -------------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _gauss_legendre(q_max: int) -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = np.zeros((q_max, q_max)), np.zeros((q_max, q_max))
    for q in range(1, q_max + 1):
        x, w = np.polynomial.legendre.leggauss(q)
        nodes[q - 1, :q], weights[q - 1, :q] = (x + 1.0) / 2.0, w / 2.0
    return nodes, weights


@lru_cache(maxsize=8)
def _beta_weights(depth: int) -> np.ndarray:
    """``w[a, c] = a! c! / (a + c + 1)!``, correctly rounded."""
    f = math.factorial
    return np.array([[float(Fraction(f(a) * f(c), f(a + c + 1))) for c in range(depth + 1)]
                     for a in range(depth + 1)])


def _as_matrix(Z: Any, ens: TreeEnsemble, name: str) -> np.ndarray:
    arr = Z.toarray() if hasattr(Z, "toarray") else Z
    try:
        arr = np.asarray(arr, dtype="float64")
    except (TypeError, ValueError):
        raise InvalidDataError(parameter=name, expected="numeric columns for the tree model", got=Z) from None
    if arr.ndim != 2 or arr.shape[1] != ens.n_features:
        raise InvalidDataError(parameter=name, expected=f"a 2-D array with {ens.n_features} columns", got=arr)
    if ens.float32_input:  # scikit-learn's trees compare float32 copies of the inputs with the thresholds
        arr = arr.astype(np.float32).astype("float64")
    return np.ascontiguousarray(arr)


def _expand(values: np.ndarray, base: np.ndarray, layout: str) -> tuple[np.ndarray, np.ndarray]:
    if layout == "plain":
        return values, base
    complement = 1.0 - base if layout == "binary_probability" else -base
    return np.concatenate([-values, values], axis=2), np.concatenate([complement, base], axis=1)


@dataclass(frozen=True)
class Background:
    """Background rows made ready for interventional TreeSHAP (built once, reused by every explanation).

    Attributes
    ----------
    n_rows : int
    bits : uint64 array (n_nodes, words)
        Bit ``r`` of word ``w`` is set when background row ``64 w + r`` goes left at the node.
    base : float64 array (n_outputs,)
        The mean output of the trees over the rows: the interventional base value.
    """

    n_rows: int
    bits: np.ndarray
    base: np.ndarray


def prepare_background(ens: TreeEnsemble, background: Any, outputs: np.ndarray) -> Background:
    """The :class:`Background` of ``background`` (m, d) rows, whose tree outputs are ``outputs`` (m, n_outputs).

    Raises
    ------
    InvalidDataError
        No rows, or not the trees' columns.
    """
    bg = _as_matrix(background, ens, "background")
    if bg.shape[0] == 0:
        raise InvalidDataError(parameter="background", expected="at least one row", got=bg)
    base = np.asarray(outputs, dtype="float64").reshape(bg.shape[0], -1).mean(axis=0)
    return Background(bg.shape[0], background_bits(bg, ens), base)


def tree_shap(ens: TreeEnsemble, Z: Any, background: Background | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact TreeSHAP values (n, d, k) and base values (n, k) in the model's output columns.

    Parameters
    ----------
    ens : TreeEnsemble
    Z : array of shape (n, d)
        Rows, in the trees' columns.
    background : Background, optional
        Interventional TreeSHAP against these rows (:func:`prepare_background`); path-dependent when None.
    """
    from explicable.models import _treeshap_numba as kernels

    X = _as_matrix(Z, ens, "X")
    out = np.zeros((X.shape[0], X.shape[1], ens.n_outputs))
    trees = (ens.left, ens.right, ens.feature, ens.threshold, ens.missing_left)
    if background is None:
        base = ens.expected_value()
        gl_nodes, gl_weights = _gauss_legendre(max(1, (int(ens.depths.max()) + 1) // 2))

        def run(lo: int, hi: int) -> None:
            kernels.path_dependent(X, lo, hi, *trees, ens.cover, ens.value, ens.roots, ens.depths, ens.columns,
                                   gl_nodes, gl_weights, out)

        _in_threads(kernels.path_dependent, run, X.shape[0], 64)
    else:
        bg, weights = background, _beta_weights(int(ens.depths.max()) + 1)

        def run(lo: int, hi: int) -> None:
            kernels.interventional(X, lo, hi, bg.bits, bg.n_rows, *trees, ens.value, ens.roots, ens.depths,
                                   ens.columns, weights, out)

        _in_threads(kernels.interventional, run, X.shape[0], 1)
        base = bg.base
    return _expand(out, np.tile(base, (X.shape[0], 1)), ens.layout)


def background_bits(bg: np.ndarray, ens: TreeEnsemble) -> np.ndarray:
    """(n_nodes, words) uint64: bit ``r`` of word ``w`` is set when background row ``64 w + r`` goes left."""
    m = bg.shape[0]
    words = (m + 63) // 64
    bits = np.zeros((len(ens.left), words), dtype=np.uint64)
    internal = np.flatnonzero(ens.left >= 0)
    step = max(1, (1 << 24) // m)  # bound the boolean matrix to 16 MB
    for start in range(0, len(internal), step):
        nodes = internal[start:start + step]
        z = bg[:, ens.feature[nodes]]
        left = (z <= ens.threshold[nodes]) | (np.isnan(z) & ens.missing_left[nodes])
        packed = np.zeros((words * 8, len(nodes)), dtype=np.uint8)
        packed[: (m + 7) // 8] = np.packbits(left, axis=0, bitorder="little")
        bits[nodes] = np.ascontiguousarray(packed.T).view("<u8")
    return bits


def _in_threads(kernel: Any, run: Callable[[int, int], None], n: int, granule: int) -> None:
    """Call ``run(lo, hi)`` (which calls ``kernel``) on disjoint row ranges covering ``range(n)``, in threads.

    As many threads as numba's setting (``numba.set_num_threads``). The kernels release the GIL; each row's
    arithmetic is the same whatever the split, so the result does not depend on the number of threads.
    """
    import numba

    from explicable.models._treeshap_numba import COMPILE_WARNINGS

    if not kernel.signatures:  # compile (or load numba's cache) in this thread, where the filter applies
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", COMPILE_WARNINGS)
            run(0, 0)
    threads = int(numba.get_num_threads())
    size = -(-n // (4 * threads)) if threads > 1 else n  # a few ranges per thread balance uneven rows
    size = max(granule, -(-size // granule) * granule)
    ranges = [(lo, min(n, lo + size)) for lo in range(0, n, size)]
    if threads == 1 or len(ranges) < 2:
        for lo, hi in ranges:
            run(lo, hi)
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(run, lo, hi) for lo, hi in ranges]:
            future.result()
