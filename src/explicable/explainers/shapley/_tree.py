"""Exact TreeSHAP from the model library's own implementation (XGBoost, LightGBM, CatBoost).

The libraries compute path-dependent TreeSHAP (Lundberg et al., 2020, "From local explanations to global
understanding with explainable AI for trees") in multithreaded C++; this explainer converts their output
into an Explanation, in margin space, and back to the original features for pipelines.
"""

from __future__ import annotations

import warnings
from typing import Any, Self

from explicable.core.errors import UnsupportedModelError
from explicable.core.validation import Table
from explicable.explainers._derived import to_original_features
from explicable.explainers.base import Attribution, Explainer
from explicable.models.base import ModelAdapter, TreeContributions

__all__ = ["TreeShap", "has_native_treeshap"]


def has_native_treeshap(model: ModelAdapter) -> bool:
    """True when the model (or a pipeline's final estimator) has native TreeSHAP."""
    return isinstance(model.decompose().inner, TreeContributions)


class TreeShap(Explainer):
    """Exact path-dependent TreeSHAP values from the tree library.

    Values are in the model's margin space: "log-odds" for binary classifiers, "raw" for regressors and
    multiclass (softmax logits); they add up exactly to the margin. No background is used: the path-dependent
    algorithm takes the reference distribution from the trees' training cover.

    Parameters
    ----------
    model : XGBoost, LightGBM or CatBoost model, or a scikit-learn Pipeline ending in one

    Examples
    --------
    >>> import numpy as np, xgboost
    >>> X = np.random.default_rng(0).normal(size=(100, 3)); y = X[:, 0] + X[:, 1]
    >>> exp = TreeShap(xgboost.XGBRegressor(n_estimators=5).fit(X, y)).fit().explain(X[:2])
    >>> exp.shape
    (2, 3, 1)
    """

    method = "tree"

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        if not has_native_treeshap(self.model):
            raise UnsupportedModelError(
                f"Native TreeSHAP needs an XGBoost, LightGBM or CatBoost model (or a Pipeline ending in one); got "
                f"{type(self.model.model).__name__}.", parameter="model", got=self.model.model)

    def get_params(self) -> dict[str, Any]:
        return {"feature_perturbation": "tree_path_dependent"}

    def fit(self, background: Any = None) -> Self:
        if background is not None:
            warnings.warn("Native TreeSHAP is path-dependent and does not use the background; interventional "
                          "TreeSHAP with a background arrives with the Shapley engine.", UserWarning, stacklevel=2)
        self.fingerprint_ = self.model.fingerprint()
        return self

    def _attribute(self, model: ModelAdapter, table: Table) -> Attribution:
        d = model.decompose()
        Z = d.transform(table.values)
        values, base, space = d.inner.tree_contributions(Z)  # type: ignore[attr-defined]
        values, names, data = to_original_features(values, d, table, Z)
        return Attribution(values, base, names, data, space)
