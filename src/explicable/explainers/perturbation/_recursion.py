"""scikit-learn's 'recursion' partial dependence for its tree models, put back in the model's output space."""

from __future__ import annotations

from typing import Any

import numpy as np

from explicable.core.errors import UnsupportedModelError
from explicable.core.validation import Table
from explicable.models.base import ModelAdapter
from explicable.models.sklearn import SklearnAdapter

__all__ = ["recursion_applies", "recursion_average"]


def recursion_applies(adapter: ModelAdapter) -> bool:
    """True when scikit-learn's tree traversal gives this adapter's outputs (up to the constant added back here).

    The estimator (not a Pipeline) is gradient boosting without an ``init`` model, histogram gradient boosting,
    or a decision tree or random forest regressor; the adapter's outputs are its decision function (regressors
    with an identity link; classifiers wrapped with their decision space, not probabilities).
    """
    if not isinstance(adapter, SklearnAdapter):
        return False
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.ensemble._gb import BaseGradientBoosting
    from sklearn.ensemble._hist_gradient_boosting.gradient_boosting import BaseHistGradientBoosting
    from sklearn.tree import DecisionTreeRegressor

    est = adapter.model
    if isinstance(est, BaseGradientBoosting):
        supported = est.init is None
    else:
        supported = isinstance(est, (BaseHistGradientBoosting, DecisionTreeRegressor, RandomForestRegressor))
    if not supported or adapter.output_space == "probability":
        return False
    link = getattr(getattr(est, "_loss", None), "link", None)
    return adapter.is_classifier or link is None or type(link).__name__ == "IdentityLink"


def recursion_average(adapter: ModelAdapter, table: Table, positions: list[int], grid: list[np.ndarray]) -> np.ndarray:
    """Partial dependence on ``grid`` by tree traversal, shape (g0, [g1,] n_outputs).

    scikit-learn leaves the boosting models' constant (initial prediction) out of its recursion values; it is
    added back so that the curve is in the model's decision space, as the brute method's is.
    """
    from sklearn.inspection import partial_dependence as sk_partial_dependence

    est = adapter.model
    try:
        result = sk_partial_dependence(est, adapter.native_input(table.values[:1]), features=positions,
                                       method="recursion", custom_values=dict(zip(positions, grid, strict=True)))
    except (NotImplementedError, ValueError) as exc:
        raise UnsupportedModelError(f"scikit-learn's recursion method can't run on this model: {exc}",
                                    parameter="method", got="recursion") from None
    raw = np.asarray(result["average"], dtype="float64")  # (n_targets, g0, [g1])
    raw = raw + _constant(est, adapter.native_input(table.values[:1])).reshape(-1, *([1] * len(grid)))
    values = np.moveaxis(raw, 0, -1)
    if values.shape[-1] == 1 and len(adapter.output_names) == 2:
        # a binary classifier's one margin m: the adapter's two columns are (-m, m)
        values = np.concatenate([-values, values], axis=-1)
    return values


def _constant(est: Any, probe: Any) -> np.ndarray:
    if hasattr(est, "_baseline_prediction"):
        return np.asarray(est._baseline_prediction, dtype="float64").reshape(-1)
    if hasattr(est, "_raw_predict_init"):  # gradient boosting: a constant init model, so any row will do
        return np.asarray(est._raw_predict_init(probe), dtype="float64").reshape(-1)
    return np.zeros(1)
