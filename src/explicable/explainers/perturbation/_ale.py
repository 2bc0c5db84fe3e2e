"""Accumulated local effects (Apley & Zhu 2020), 1-D and 2-D, for numeric and ordinal features."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from explicable.core.effects import FeatureEffect
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.random import make_rng
from explicable.core.validation import check_int, check_random_state
from explicable.explainers.perturbation._ale_math import ale_curve_1d, ale_surface_2d
from explicable.explainers.perturbation._common import (
    DEFAULT_BATCH_ROWS,
    check_batch_rows,
    make_provenance,
    prepare,
    resolve_features,
    resolve_outputs,
)
from explicable.explainers.perturbation._grid import is_categorical_column
from explicable.models.base import ModelAdapter

__all__ = ["ale", "bin_edges"]


def ale(
    model: Any,
    X: Any,
    features: Any,
    *,
    bins: int = 20,
    target: Any = None,
    n_bootstrap: int = 100,
    random_state: int | None = None,
    max_batch_rows: int = DEFAULT_BATCH_ROWS,
) -> FeatureEffect:
    """Accumulated local effects of one numeric or ordinal feature (a curve) or a pair (a surface).

    The feature's range is cut into bins at its quantiles; within each bin the model's change from the bin's
    lower to its upper edge is averaged over the rows that fall in it, and these local effects are accumulated
    from the lowest edge. Unlike partial dependence, only realistic rows are evaluated (each row moves within
    its own bin), so correlated features do not bias the curve. For a pair, the second-order effect is the
    accumulated local cross-difference with both features' main effects removed.

    Parameters
    ----------
    model : model object or ModelAdapter
    X : array of shape (n_rows, n_features) or DataFrame
    features : str or int, or a sequence of 1 or 2 of them
        Numeric or ordinal (integer-coded) features; nominal ones have no order to accumulate along (use
        :func:`partial_dependence`).
    bins : int, default 20
        Bins per feature: edges at the ``bins + 1`` quantiles of the feature (inverse empirical CDF, so every
        edge is a value of the data and every bin holds rows), merged where they coincide. A feature with at
        most ``bins + 1`` distinct values (ordinal) gets one edge per value.
    target : str, int or list, optional
        Keep only these outputs.
    n_bootstrap : int, default 100
        Bootstrap resamples of the rows for ``stderr`` (0 for none). The bins and the model evaluations are kept
        (the resamples re-weight each row's local effect), so the standard error is of the averaging over rows
        given the bins; it costs no model calls.
    random_state : int, optional
        Seed of the bootstrap; drawn and recorded when None.
    max_batch_rows : int, default 262144
        Most rows per predict call.

    Returns
    -------
    FeatureEffect
        ``kind="ale"``, ``grid`` the bin edges (K + 1 per feature), ``average`` the effect at the edges,
        (K + 1, k) or (K0 + 1, K1 + 1, k), ``counts`` the rows per bin or cell, ``stderr`` from the bootstrap.

    Notes
    -----
    The curve is centred as in the authors' ALEPlot package: the mean over the rows of the effect at the
    middle of the row's bin (the mean of its two edges) is 0; surfaces likewise with the four corners of a
    cell. Empty cells of a surface take the local effect of the nearest non-empty cell (as ALEPlot). Rows
    with a missing value in an ALE feature are left out.

    References
    ----------
    Apley, D. W. and Zhu, J. (2020). Visualizing the effects of predictor variables in black box supervised
    learning models. JRSS B 82(4), 1059-1086.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import FunctionModel
    >>> model = FunctionModel(lambda X: 3.0 * X[:, 0], feature_names=["a"])
    >>> effect = ale(model, np.array([[0.0], [1.0], [2.0]]), "a", n_bootstrap=0)
    >>> effect.grid[0].tolist(), effect.average[:, 0].tolist()
    ([0.0, 1.0, 2.0], [-2.5, 0.5, 3.5])
    """
    start = time.perf_counter()
    adapter, table = prepare(model, X)
    columns = adapter.feature_names or table.columns
    positions = resolve_features(features, columns)
    bins = check_int(bins, "bins", low=1)
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=0)
    seed = check_random_state(random_state)
    max_batch_rows = check_batch_rows(max_batch_rows)
    outputs = resolve_outputs(target, adapter.output_names)
    names = [columns[j] for j in positions]
    numbers = [_numeric(table.values[:, j], name) for j, name in zip(positions, names, strict=True)]
    keep = np.all([~np.isnan(x) for x in numbers], axis=0)
    if not keep.any():
        raise InvalidDataError(parameter="X", expected=f"rows with values in {names}", got="only missing values")
    rows, numbers = table.values[keep], [x[keep] for x in numbers]
    edges = [bin_edges(x, bins, name) for x, name in zip(numbers, names, strict=True)]
    index = [np.clip(np.searchsorted(e, x, side="left"), 1, len(e) - 1) - 1
             for e, x in zip(edges, numbers, strict=True)]
    effects = _local_effects(adapter, rows, positions, edges, index, max_batch_rows)[:, outputs]
    curve = ale_curve_1d if len(positions) == 1 else ale_surface_2d
    sizes = [len(e) - 1 for e in edges]
    average, counts, means = curve(effects, index, sizes, np.ones(rows.shape[0]))
    stderr = None
    if n_bootstrap > 0:
        rng, seed = make_rng(seed)
        stderr = _bootstrap(curve, effects, index, sizes, means, n_bootstrap, rng)
    params = {"features": names, "bins": bins, "n_bootstrap": n_bootstrap, "n_rows": int(rows.shape[0])}
    return FeatureEffect(
        kind="ale", features=tuple(names), grid=tuple(edges), average=average, stderr=stderr, counts=counts,
        output_names=tuple(adapter.output_names[o] for o in outputs), centered=True,
        provenance=make_provenance("ale", params, adapter, table, start, seed=seed if n_bootstrap else None,
                                   budget=int(rows.shape[0]) * 2 ** len(positions)))


def bin_edges(x: np.ndarray, bins: int, name: str) -> np.ndarray:
    """ALE bin edges of one feature: its distinct values if at most ``bins + 1``, else its quantiles."""
    uniques = np.unique(x)
    if uniques.size < 2:
        raise InvalidDataError(parameter="X", expected=f"at least two distinct values in column '{name}' for ALE",
                               got=f"only {uniques[0]:g}")
    if uniques.size <= bins + 1:
        return uniques
    return np.unique(np.quantile(x, np.linspace(0.0, 1.0, bins + 1), method="inverted_cdf"))


def _numeric(column: np.ndarray, name: str) -> np.ndarray:
    if is_categorical_column(column):
        raise InvalidParameterError(
            f"ALE needs a numeric or ordinal (integer-coded) feature, and '{name}' holds non-numeric values; "
            "encode its order as numbers, or use partial_dependence for a nominal feature.",
            parameter="features", expected="a numeric feature", got=name)
    return column.astype("float64")


def _local_effects(adapter: ModelAdapter, rows: np.ndarray, positions: list[int], edges: list[np.ndarray],
                   index: list[np.ndarray], max_batch_rows: int) -> np.ndarray:
    """Each row's finite difference across its bin (1-D) or its cell's second-order difference (2-D), (n, k)."""
    corners = [(1,), (0,)] if len(positions) == 1 else [(1, 1), (0, 1), (1, 0), (0, 0)]
    signs = [1.0, -1.0] if len(positions) == 1 else [1.0, -1.0, -1.0, 1.0]
    total = np.zeros((rows.shape[0], len(adapter.output_names)))
    for corner, sign in zip(corners, signs, strict=True):
        for r0 in range(0, rows.shape[0], max_batch_rows):
            batch = rows[r0:r0 + max_batch_rows].copy()
            for c, j in enumerate(positions):
                batch[:, j] = edges[c][index[c][r0:r0 + max_batch_rows] + corner[c]]
            total[r0:r0 + batch.shape[0]] += sign * adapter.predict(batch)
    return total


def _bootstrap(curve: Any, effects: np.ndarray, index: list[np.ndarray], sizes: list[int], means: np.ndarray,
               n_bootstrap: int, rng: np.random.Generator) -> np.ndarray:
    """Standard deviation of the curve over resamples of the rows (the same local effects, re-weighted)."""
    n = effects.shape[0]
    replicates = []
    for _ in range(n_bootstrap):
        weights = np.bincount(rng.integers(0, n, n), minlength=n).astype("float64")
        replicates.append(curve(effects, index, sizes, weights, means)[0])
    stacked = np.stack(replicates)
    return stacked.std(axis=0, ddof=1) if n_bootstrap > 1 else np.full(stacked.shape[1:], np.nan)
