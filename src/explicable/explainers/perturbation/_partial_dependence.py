"""Partial dependence and ICE curves, 1-D and 2-D: few large predict calls, bounded memory."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from explicable.core.effects import FeatureEffect
from explicable.core.errors import InvalidParameterError
from explicable.core.validation import check_choice, check_int
from explicable.explainers.perturbation._common import (
    DEFAULT_BATCH_ROWS,
    check_batch_rows,
    make_provenance,
    prepare,
    resolve_features,
    resolve_outputs,
)
from explicable.explainers.perturbation._grid import check_percentiles, custom_for, feature_grid
from explicable.explainers.perturbation._recursion import recursion_applies, recursion_average
from explicable.models.base import ModelAdapter

__all__ = ["partial_dependence"]

KINDS = ("average", "individual", "both")
METHODS = ("auto", "brute", "recursion")


def partial_dependence(
    model: Any,
    X: Any,
    features: Any,
    *,
    grid_resolution: int = 100,
    percentiles: tuple[float, float] = (0.05, 0.95),
    kind: str = "average",
    centered: bool = False,
    target: Any = None,
    method: str = "auto",
    custom_values: Mapping[Any, Any] | None = None,
    max_batch_rows: int = DEFAULT_BATCH_ROWS,
) -> FeatureEffect:
    """Partial dependence (PD) and individual conditional expectation (ICE) of one feature or a pair.

    For each grid point ``v``, every row of ``X`` gets ``features`` set to ``v`` and the model's outputs are
    recorded: the ICE curves; their mean over the rows is the PD (Friedman 2001; Goldstein et al. 2015).

    Parameters
    ----------
    model : model object or ModelAdapter
        Anything :func:`explicable.wrap` takes.
    X : array of shape (n_rows, n_features) or DataFrame
        The rows the curves are averaged over (and the grid is taken from).
    features : str or int, or a sequence of 1 or 2 of them
        The feature, or the pair for a 2-D surface.
    grid_resolution : int, default 100
        Points per feature, unless it has fewer distinct values (then those values are the grid).
    percentiles : (float, float), default (0.05, 0.95)
        The grid spans these percentiles of each numeric feature. Categorical features use their categories.
    kind : {"average", "individual", "both"}, default "average"
        "average" returns PD only (``kind="pdp"``); "individual" and "both" return the ICE curves and their
        average (``kind="ice"``).
    centered : bool, default False
        Shift every curve (and the average) to 0 at the first grid point: centred ICE (c-ICE).
    target : str, int or list, optional
        Keep only these outputs; all by default.
    method : {"auto", "brute", "recursion"}, default "auto"
        "brute" (what "auto" means) evaluates the model on the rows of ``X``: the exact PD over those rows, in
        the adapter's output space, equal to :func:`sklearn.inspection.partial_dependence` with
        ``method="brute"``. "recursion" uses scikit-learn's tree traversal instead, much faster but an average
        over the *training* data (the rows in each node), for the estimators scikit-learn supports (gradient
        boosting, histogram gradient boosting, decision tree and random forest regressors) in their decision
        space (regressors, or classifiers wrapped with ``output_space="log-odds"``/"raw"). scikit-learn's
        recursion values leave out boosting's initial constant; it is added back here, so the curve is the
        model's output. "auto" does not pick recursion by itself, unlike scikit-learn's default, because its
        values differ from the brute ones (another averaging set, an offset).
    custom_values : mapping, optional
        Feature (name or position) -> the grid to use for it.
    max_batch_rows : int, default 262144
        Most rows per predict call.

    Returns
    -------
    FeatureEffect
        ``average`` (g, k) or (g0, g1, k); ``individual`` (n_rows, g, k) or (n_rows, g0, g1, k) for ICE;
        ``stderr`` the standard error of the mean over the rows (brute only).

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import FunctionModel
    >>> model = FunctionModel(lambda X: X[:, 0] * X[:, 1], feature_names=["a", "b"])
    >>> X = np.array([[0.0, 1.0], [1.0, 3.0]])
    >>> partial_dependence(model, X, "a").average[:, 0].tolist()
    [0.0, 2.0]
    """
    start = time.perf_counter()
    adapter, table = prepare(model, X)
    columns = adapter.feature_names or table.columns
    positions = resolve_features(features, columns)
    grid_resolution = check_int(grid_resolution, "grid_resolution", low=2)
    percentiles = check_percentiles(percentiles)
    check_choice(kind, "kind", KINDS)
    check_choice(method, "method", METHODS)
    max_batch_rows = check_batch_rows(max_batch_rows)
    outputs = resolve_outputs(target, adapter.output_names)
    names = [columns[j] for j in positions]
    grid = [feature_grid(table.values[:, j], name, grid_resolution=grid_resolution, percentiles=percentiles,
                         custom=custom_for(custom_values, name, j)) for j, name in zip(positions, names, strict=True)]
    algorithm = _choose(method, adapter, kind, grid)
    individual = stderr = None
    if algorithm == "recursion":
        average = recursion_average(adapter, table, positions, grid)
        budget = None
    else:
        average, stderr, individual = _brute(adapter, table.values, positions, grid, keep=kind != "average",
                                             centered=centered, max_batch_rows=max_batch_rows)
        budget = table.n_rows * int(np.prod([len(g) for g in grid]))
    if centered:
        average = average - average[(0,) * len(grid)]
    params = {"features": names, "grid_resolution": grid_resolution, "percentiles": list(percentiles),
              "kind": kind, "centered": bool(centered), "method": method, "algorithm": algorithm,
              "n_rows": table.n_rows}
    return FeatureEffect(
        kind="pdp" if kind == "average" else "ice", features=tuple(names), grid=tuple(grid),
        average=average[..., outputs], output_names=tuple(adapter.output_names[o] for o in outputs),
        individual=None if individual is None else individual[..., outputs],
        stderr=None if stderr is None else stderr[..., outputs], centered=centered,
        provenance=make_provenance("partial_dependence", params, adapter, table, start, budget=budget))


def _choose(method: str, adapter: ModelAdapter, kind: str, grid: list[np.ndarray]) -> str:
    if method != "recursion":
        return "brute"
    if kind != "average" or any(g.dtype == object for g in grid) or not recursion_applies(adapter):
        raise InvalidParameterError(
            "The 'recursion' method needs kind='average', numeric features and a scikit-learn tree model that "
            "supports it (gradient boosting, histogram gradient boosting, or decision tree and random forest "
            f"regressors) in its decision-function space; got kind={kind!r} and {adapter!r}.",
            parameter="method", got=method)
    return "recursion"


def _brute(adapter: ModelAdapter, values: np.ndarray, positions: list[int], grid: list[np.ndarray], *, keep: bool,
           centered: bool, max_batch_rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """PD, its standard error over the rows, and the ICE curves when ``keep``: grid-major blocks of rows."""
    sizes = tuple(len(g) for g in grid)
    points = np.stack([a.reshape(-1) for a in np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij")], axis=1)
    n, n_points, k = values.shape[0], points.shape[0], len(adapter.output_names)
    mean, m2 = np.zeros((n_points, k)), np.zeros((n_points, k))
    individual = np.empty((n, n_points, k)) if keep else None
    block_rows = min(n, max_batch_rows)
    for r0 in range(0, n, block_rows):
        block = values[r0:r0 + block_rows]
        b = block.shape[0]
        per_call = max(1, max_batch_rows // b)
        first: np.ndarray | None = None
        for g0 in range(0, n_points, per_call):
            pts = points[g0:g0 + per_call]
            batch = np.tile(block, (len(pts), 1))
            for c, j in enumerate(positions):
                batch[:, j] = np.repeat(grid[c][pts[:, c]], b)
            pred = adapter.predict(batch).reshape(len(pts), b, k)
            if centered:
                # every row's curve is shifted by its own value at the first grid point (c-ICE)
                first = pred[0].copy() if first is None else first
                pred -= first
            _merge_moments(mean[g0:g0 + len(pts)], m2[g0:g0 + len(pts)], pred, r0)
            if individual is not None:
                individual[r0:r0 + b, g0:g0 + len(pts)] = pred.transpose(1, 0, 2)
    stderr = np.sqrt(m2 / (n - 1) / n) if n > 1 else np.full_like(mean, np.nan)
    return (mean.reshape(*sizes, k), stderr.reshape(*sizes, k),
            None if individual is None else individual.reshape(n, *sizes, k))


def _merge_moments(mean: np.ndarray, m2: np.ndarray, pred: np.ndarray, seen: int) -> None:
    """Fold a block of rows (axis 1 of ``pred``) into running means and sums of squares (Chan et al.)."""
    b = pred.shape[1]
    block_mean = pred.mean(axis=1)
    block_m2 = ((pred - block_mean[:, None, :]) ** 2).sum(axis=1)
    total = seen + b
    delta = block_mean - mean
    mean += delta * (b / total)
    m2 += block_m2 + delta**2 * (seen * b / total)
