"""Global surrogates: a glassbox model (a shallow tree or an EBM) distilled from the black box's predictions."""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError, LowFidelityWarning, MethodNotAvailableError
from explicable.core.provenance import Provenance
from explicable.core.random import make_rng
from explicable.core.validation import Table, check_choice, check_fraction, check_int, check_number, check_random_state
from explicable.explainers.perturbation._common import make_provenance, prepare, resolve_outputs
from explicable.explainers.perturbation._scoring import is_classifier

__all__ = ["GlobalSurrogate", "distill"]

KINDS = ("tree", "ebm")
TASKS = ("auto", "regression", "classification")


@dataclass(frozen=True)
class GlobalSurrogate:
    """A glassbox model fitted to a black box's predictions, and how faithful it is on held-out rows.

    Attributes
    ----------
    surrogate : estimator
        The fitted scikit-learn ``DecisionTreeRegressor``/``DecisionTreeClassifier`` or interpret EBM; it
        predicts the black box's outputs (regression) or its predicted class (classification).
    kind : {"tree", "ebm"}
    task : {"regression", "classification"}
    fidelity : float
        On the held-out rows: R² against the black box's outputs (averaged over them) for regression, the
        share of rows where the surrogate predicts the black box's class for classification.
    fidelity_metric : {"r2", "agreement"}
    train_fidelity : float
        The same on the rows the surrogate was fitted on (much higher than ``fidelity``: overfitting).
    min_fidelity : float
        Below this, ``low_fidelity`` is set and a :class:`LowFidelityWarning` was issued.
    low_fidelity : bool
    rules : str
        The tree as text (``sklearn.tree.export_text``), or the EBM's terms by importance.
    feature_names, output_names : tuple of str
        The surrogate's inputs; the black-box outputs it mimics (all class names for classification).
    n_train, n_test : int
    provenance : Provenance
    """

    surrogate: Any
    kind: str
    task: str
    fidelity: float
    fidelity_metric: str
    train_fidelity: float
    min_fidelity: float
    low_fidelity: bool
    rules: str
    feature_names: tuple[str, ...]
    output_names: tuple[str, ...]
    n_train: int
    n_test: int
    provenance: Provenance = field(default_factory=Provenance)

    def __repr__(self) -> str:
        flag = ", LOW FIDELITY" if self.low_fidelity else ""
        return (f"GlobalSurrogate(kind={self.kind!r}, task={self.task!r}, {self.fidelity_metric}="
                f"{self.fidelity:.3f} on {self.n_test} held-out rows{flag})")


def distill(
    model: Any,
    X: Any,
    *,
    kind: str = "tree",
    max_depth: int = 4,
    test_size: float = 0.25,
    min_fidelity: float = 0.9,
    task: str = "auto",
    target: Any = None,
    random_state: int | None = None,
    ebm_options: Mapping[str, Any] | None = None,
) -> GlobalSurrogate:
    """Fit a glassbox model to the black box's predictions on ``X`` and measure its fidelity on held-out rows.

    Parameters
    ----------
    model : model object or ModelAdapter
    X : array of shape (n_rows, n_features) or DataFrame
        Rows to distil on (the more, the better the surrogate; no labels needed).
    kind : {"tree", "ebm"}, default "tree"
        A depth-limited CART tree, or an Explainable Boosting Machine (the ``glassbox`` extra: ``pip install
        explicable[glassbox]``). Both take numeric and categorical features: the tree sees a categorical column
        as one indicator per level (``column=level``), the EBM as it is.
    max_depth : int, default 4
        Depth of the tree (unused by the EBM).
    test_size : float, default 0.25
        Share of the rows held out to measure fidelity.
    min_fidelity : float, default 0.9
        Fidelity below this is flagged (``low_fidelity``) with a :class:`LowFidelityWarning`.
    task : {"auto", "regression", "classification"}, default "auto"
        "classification" fits the black box's predicted class (the arg-max output); "regression" its output
        values. "auto": classification for class outputs (probabilities, log-odds, a classifier's scores).
    target : str, int or list, optional
        Regression: the outputs to mimic (all by default; an EBM takes one).
    random_state : int, optional
        Seed of the split and of the surrogate's fit; drawn and recorded when None.
    ebm_options : mapping, optional
        Passed to the EBM's constructor (``outer_bags``, ``interactions``, ``max_rounds``, ...).

    Returns
    -------
    GlobalSurrogate

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import FunctionModel
    >>> X = np.random.default_rng(0).integers(0, 10, size=(400, 2)).astype(float)
    >>> model = FunctionModel(lambda X: np.where(X[:, 0] > 4.5, 2.0, 0.0), feature_names=["a", "b"])
    >>> result = distill(model, X, max_depth=1, random_state=0)
    >>> result.fidelity, result.low_fidelity
    (1.0, False)
    """
    start = time.perf_counter()
    adapter, table = prepare(model, X)
    check_choice(kind, "kind", KINDS)
    check_choice(task, "task", TASKS)
    max_depth = check_int(max_depth, "max_depth", low=1)
    test_size = check_fraction(test_size, "test_size")
    min_fidelity = check_number(min_fidelity, "min_fidelity", low=0, high=1)
    _, seed = make_rng(check_random_state(random_state))
    names = adapter.feature_names or table.columns
    task = ("classification" if is_classifier(adapter) else "regression") if task == "auto" else task
    if task == "classification" and target is not None:
        raise InvalidParameterError(parameter="target", expected="None for a classification surrogate (it mimics "
                                    "the predicted class over all outputs)", got=target)
    outputs = resolve_outputs(target, adapter.output_names)
    predictions = adapter.predict(table.values)
    truth = np.asarray(adapter.output_names, dtype=object)[predictions.argmax(axis=1)] \
        if task == "classification" else predictions[:, outputs]
    train, test = _split(table.n_rows, test_size, seed)
    features, names = _inputs(kind, table, tuple(names))
    surrogate = _fit(kind, task, features, names, truth, train, max_depth, seed, ebm_options)
    fidelity = _fidelity(task, surrogate, features[test], truth[test])
    low = fidelity < min_fidelity
    if low:
        remedy = "a deeper tree or kind='ebm'" if kind == "tree" else "more interactions in ebm_options"
        warnings.warn(f"The {kind} surrogate reproduces the model poorly on held-out rows: fidelity "
                      f"{fidelity:.3f} < min_fidelity {min_fidelity}. Its rules do not describe the model; try "
                      f"{remedy}.", LowFidelityWarning, stacklevel=2)
    params = {"kind": kind, "task": task, "max_depth": max_depth if kind == "tree" else None,
              "test_size": test_size, "min_fidelity": min_fidelity,
              "ebm_options": dict(ebm_options) if ebm_options else None}
    return GlobalSurrogate(
        surrogate=surrogate, kind=kind, task=task, fidelity=fidelity,
        fidelity_metric="agreement" if task == "classification" else "r2",
        train_fidelity=_fidelity(task, surrogate, features[train], truth[train]), min_fidelity=min_fidelity,
        low_fidelity=bool(low), rules=_rules(kind, surrogate, names), feature_names=tuple(names),
        output_names=adapter.output_names if task == "classification" else
        tuple(adapter.output_names[o] for o in outputs),
        n_train=int(train.size), n_test=int(test.size),
        provenance=make_provenance("global_surrogate", params, adapter, table, start, seed=seed,
                                   budget=table.n_rows))


def _split(n: int, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    n_test = round(n * test_size)
    if n_test < 1 or n - n_test < 2:
        raise InvalidDataError(parameter="X", expected=f"enough rows for a held-out share of {test_size} (at least "
                               "one held-out row and two to fit on)", got=f"{n} rows")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def _inputs(kind: str, table: Table, names: tuple[str, ...]) -> tuple[Any, tuple[str, ...]]:
    """What the surrogate is fitted on, and its input names.

    An EBM takes the frame with its categories. A tree takes numbers: non-numeric columns become one indicator
    per level, named ``column=level``, so a rule ``column=level <= 0.5`` reads "column is not level".
    """
    if kind == "ebm":
        return _Rows(table.frame()), names
    if table.values.dtype != object:
        return table.values, names
    return _one_hot(table.frame(), names)


def _one_hot(frame: pd.DataFrame, names: tuple[str, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    parts, encoded = [], []
    for column, name in zip(frame.columns, names, strict=True):
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            levels = list(values.cat.categories)
        elif (numbers := _as_numbers(values)) is not None:
            parts.append(numbers[:, None])
            encoded.append(name)
            continue
        else:  # object or string columns: their levels in a fixed (string) order
            levels = sorted(values.dropna().unique().tolist(), key=str)
        raw = values.to_numpy(dtype=object)
        parts.append(np.column_stack([raw == level for level in levels]).astype("float64") if levels
                     else np.zeros((len(frame), 0)))
        encoded += [f"{name}={level}" for level in levels]
    return np.hstack(parts), tuple(encoded)


def _as_numbers(values: pd.Series) -> np.ndarray | None:
    """A numeric column (or an object column holding only numbers) as floats; None for categories or text."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype="float64")
    try:
        return pd.to_numeric(values, errors="raise").to_numpy(dtype="float64")
    except (TypeError, ValueError):
        return None


class _Rows:
    """A frame indexed by row positions like an array (``rows[idx]``)."""

    def __init__(self, frame: Any) -> None:
        self.frame = frame

    def __getitem__(self, index: np.ndarray) -> Any:
        return self.frame.iloc[index]


def _fit(kind: str, task: str, features: Any, names: Any, truth: np.ndarray, train: np.ndarray, max_depth: int,
         seed: int, ebm_options: Mapping[str, Any] | None) -> Any:
    y = truth[train]
    if kind == "tree":
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

        tree = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
        return tree(max_depth=max_depth, random_state=seed).fit(features[train], y.ravel() if y.shape[1:] == (1,)
                                                                  else y)
    try:
        from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor
    except ImportError:
        raise MethodNotAvailableError(
            "kind='ebm' needs the interpret library: pip install explicable[glassbox]",
            parameter="kind", got=kind) from None
    if task == "regression" and y.shape[1] != 1:
        raise InvalidParameterError(parameter="target", expected="one output for an EBM surrogate (it fits one)",
                                    got=f"{y.shape[1]} outputs")
    ebm = ExplainableBoostingClassifier if task == "classification" else ExplainableBoostingRegressor
    options = {"random_state": seed, "feature_names": list(names), **dict(ebm_options or {})}
    return ebm(**options).fit(features[train], y.ravel())


def _fidelity(task: str, surrogate: Any, rows: Any, truth: np.ndarray) -> float:
    predicted = np.asarray(surrogate.predict(rows))
    if task == "classification":
        return float(np.mean(predicted.astype(object) == truth))
    predicted = predicted.reshape(truth.shape)
    residual = ((truth - predicted) ** 2).sum(axis=0)
    total = ((truth - truth.mean(axis=0)) ** 2).sum(axis=0)
    # a constant model is reproduced perfectly or not at all
    per_output = np.where(total > 0, 1.0 - residual / np.where(total > 0, total, 1.0),
                          np.where(residual <= 1e-12 * max(1.0, float(np.abs(truth).max())), 1.0, 0.0))
    return float(per_output.mean())


def _rules(kind: str, surrogate: Any, names: Any) -> str:
    if kind == "tree":
        from sklearn.tree import export_text

        return str(export_text(surrogate, feature_names=[str(n) for n in names], decimals=4))
    importances = np.asarray(surrogate.term_importances(), dtype="float64")
    order = np.argsort(-importances, kind="stable")
    lines = [f"{surrogate.term_names_[i]}: {importances[i]:.6g}" for i in order]
    return "EBM terms by importance (mean absolute score):\n" + "\n".join(lines)
