"""Permutation feature importance with repeats and Student-t confidence intervals."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from explicable.core.groups import normalize_groups
from explicable.core.importance import FeatureImportance, t_interval
from explicable.core.random import make_rng
from explicable.core.validation import Table, check_fraction, check_int, check_random_state
from explicable.explainers.perturbation._common import DEFAULT_BATCH_ROWS, check_batch_rows, make_provenance, prepare
from explicable.explainers.perturbation._scoring import Scorer, default_scoring, make_scorer
from explicable.models.base import ModelAdapter
from explicable.models.sklearn import SklearnAdapter

__all__ = ["permutation_importance"]


def permutation_importance(
    model: Any,
    X: Any,
    y: Any,
    *,
    scoring: Any = None,
    n_repeats: int = 5,
    confidence: float = 0.95,
    random_state: int | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    max_batch_rows: int = DEFAULT_BATCH_ROWS,
) -> FeatureImportance:
    """How much the model's score drops when a feature's values are shuffled across the rows (Breiman 2001).

    Each feature (or group of features, shuffled together) is permuted ``n_repeats`` times; its importance is
    the mean drop of the score from the unpermuted baseline, with a Student-t interval over the repeats.

    Parameters
    ----------
    model : model object or ModelAdapter
    X : array of shape (n_rows, n_features) or DataFrame
        Held-out rows, ideally (importance on training rows rewards overfitting).
    y : array of shape (n_rows,) or (n_rows, n_outputs)
        The truth: class labels (matching the model's output names) or numeric targets.
    scoring : str or callable, optional
        Higher is better, scikit-learn's names: "neg_log_loss" or "accuracy" for classifiers,
        "neg_mean_squared_error", "r2" or "neg_mean_absolute_error" for regression, or ``scoring(y, pred)``
        with ``pred`` the model's (n, k) outputs. Default: "neg_log_loss" for probability outputs (a proper
        score, sensitive where accuracy is flat), "accuracy" for other class scores, and
        "neg_mean_squared_error" for regression, whose importance is the rise of the MSE in the target's
        units squared (``2 coef^2 var(x)`` for a linear model on independent features).
    n_repeats : int, default 5
        Permutations per feature; at least 2 for an interval.
    confidence : float, default 0.95
        Coverage of the interval.
    random_state : int, optional
        Seed; drawn and recorded when None.
    groups : mapping of str to list of str, optional
        Features permuted together (one-hot columns, strongly correlated features).
    max_batch_rows : int, default 262144
        Most rows per predict call (explicable's own path).

    Returns
    -------
    FeatureImportance
        ``importances`` (n_features, 1): the one output is the score, named by ``scoring``; ``samples`` the
        drops per repeat; ``baseline`` the unpermuted score.

    Notes
    -----
    scikit-learn estimators (without ``groups`` and with a named score) go through
    :func:`sklearn.inspection.permutation_importance` with the same seed; other models through explicable's
    path, which evaluates many permuted copies per predict call. The interval covers the randomness of the
    permutations given ``X``, not the sampling of ``X`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import FunctionModel
    >>> X = np.random.default_rng(0).normal(size=(500, 2))
    >>> model = FunctionModel(lambda X: 3.0 * X[:, 0], feature_names=["a", "b"])
    >>> imp = permutation_importance(model, X, 3.0 * X[:, 0], random_state=0)
    >>> imp.ranking().tolist(), float(imp.importances[1, 0])
    (['a', 'b'], 0.0)
    """
    start = time.perf_counter()
    adapter, table = prepare(model, X)
    n_repeats = check_int(n_repeats, "n_repeats", low=1)
    confidence = check_fraction(confidence, "confidence")
    seed = check_random_state(random_state)
    max_batch_rows = check_batch_rows(max_batch_rows)
    names = adapter.feature_names or table.columns
    layout = normalize_groups(groups or {}, names)
    name = default_scoring(adapter) if scoring is None else scoring
    scorer = make_scorer(name, adapter, y, table.n_rows)
    _, seed = make_rng(seed)
    if groups is None and isinstance(name, str) and isinstance(adapter, SklearnAdapter):
        baseline, drops = _sklearn(adapter, table, y, name, n_repeats, seed)
        backend = "scikit-learn"
    else:
        baseline, drops = _own(adapter, table, scorer, layout, n_repeats, seed, max_batch_rows)
        backend = "explicable"
    mean = drops.mean(axis=1, keepdims=True)
    stderr = drops.std(axis=1, ddof=1, keepdims=True) / np.sqrt(n_repeats) if n_repeats > 1 \
        else np.full_like(mean, np.nan)
    low, high = t_interval(mean, stderr, n_repeats - 1, confidence)
    params = {"scoring": scorer.name, "n_repeats": n_repeats, "backend": backend, "n_rows": table.n_rows,
              "groups": {g: [names[j] for j in members] for g, members in layout if len(members) > 1} or None}
    return FeatureImportance(
        importances=mean, stderr=stderr, ci_low=low, ci_high=high, feature_names=tuple(g for g, _ in layout),
        output_names=(scorer.name,), confidence=confidence, samples=drops[:, None, :], baseline=np.array([baseline]),
        provenance=make_provenance("permutation_importance", params, adapter, table, start, seed=seed,
                                   budget=table.n_rows * (1 + len(layout) * n_repeats)))


def _own(adapter: ModelAdapter, table: Table, scorer: Scorer, layout: list[tuple[str, list[int]]], n_repeats: int,
         seed: int, max_batch_rows: int) -> tuple[float, np.ndarray]:
    """Baseline score and drops (n_groups, n_repeats); many permuted copies of X per predict call."""
    values = table.values
    n, k = values.shape[0], len(adapter.output_names)
    baseline = scorer(_predict(adapter, values, max_batch_rows))
    rng = np.random.default_rng(seed)
    # permutations drawn in (feature, repeat) order whatever the batching, so results do not depend on it
    tasks = [(g, r) for g in range(len(layout)) for r in range(n_repeats)]
    drops = np.empty((len(layout), n_repeats))
    per_call = max(1, max_batch_rows // n)
    for t0 in range(0, len(tasks), per_call):
        chunk = tasks[t0:t0 + per_call]
        batch = np.tile(values, (len(chunk), 1))
        for c, (g, _) in enumerate(chunk):
            members = np.asarray(layout[g][1], dtype=np.intp)
            batch[c * n:(c + 1) * n, members] = values[np.ix_(rng.permutation(n), members)]
        pred = _predict(adapter, batch, max_batch_rows).reshape(len(chunk), n, k)
        for c, (g, r) in enumerate(chunk):
            drops[g, r] = baseline - scorer(pred[c])
    return baseline, drops


def _predict(adapter: ModelAdapter, rows: np.ndarray, max_batch_rows: int) -> np.ndarray:
    if rows.shape[0] <= max_batch_rows:
        return adapter.predict(rows)
    return np.concatenate([adapter.predict(rows[i:i + max_batch_rows])
                           for i in range(0, rows.shape[0], max_batch_rows)])


def _sklearn(adapter: ModelAdapter, table: Table, y: Any, scoring: str, n_repeats: int,
             seed: int) -> tuple[float, np.ndarray]:
    """scikit-learn's own permutation importance, with its scorer of the same name."""
    from sklearn.inspection import permutation_importance as sk_permutation_importance
    from sklearn.metrics import get_scorer

    native = adapter.native_input(table.values)
    truth = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    result = sk_permutation_importance(adapter.model, native, truth, scoring=scoring, n_repeats=n_repeats,
                                       random_state=seed)
    baseline = float(get_scorer(scoring)(adapter.model, native, truth))
    return baseline, np.asarray(result.importances, dtype="float64")
