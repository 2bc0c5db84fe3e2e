"""Exact TreeSHAP: from the model library itself (XGBoost, LightGBM, CatBoost) or explicable's own kernels.

The libraries compute path-dependent TreeSHAP (Lundberg et al., 2020, "From local explanations to global
understanding with explainable AI for trees") in multithreaded C++. For scikit-learn's trees, forests and gradient
boosting, explicable computes it (numba kernels in ``_treeshap_numba``): path-dependent without a background, and
interventional TreeSHAP with one. This explainer converts either into an Explanation, back to the original
features for pipelines.
"""

from __future__ import annotations

import warnings
from typing import Any, Self

import pandas as pd

from explicable.core.errors import UnsupportedModelError
from explicable.core.validation import Table
from explicable.explainers._derived import to_original_features
from explicable.explainers.base import Attribution, Explainer
from explicable.models.base import Decomposition, ModelAdapter, TreeContributions
from explicable.models.sklearn import SklearnTreeAdapter

__all__ = ["TreeShap", "has_native_treeshap", "treeshap_reads"]


def has_native_treeshap(model: ModelAdapter) -> bool:
    """True when the model (or a pipeline's final estimator) has exact TreeSHAP."""
    return isinstance(model.decompose().inner, TreeContributions)


def treeshap_reads(model: ModelAdapter) -> bool:
    """True when TreeSHAP can read the model's trees: what ``method="auto"`` asks before choosing it.

    A scikit-learn tree model the kernels cannot read (categorical HistGradientBoosting splits, a Poisson link, a
    non-constant GradientBoosting init) goes to a model-agnostic estimator instead; ``method="tree"`` still
    says why it cannot explain it.
    """
    inner = model.decompose().inner
    if not isinstance(inner, SklearnTreeAdapter):
        return isinstance(inner, TreeContributions)
    try:
        inner.tree_ensemble()
    except UnsupportedModelError:
        return False
    return True


class TreeShap(Explainer):
    """Exact TreeSHAP values of tree models.

    Without a background, path-dependent TreeSHAP: the trees' training cover stands in for the data. With a
    background, scikit-learn tree models get interventional TreeSHAP: the exact Shapley values of the game
    ``v(S) = mean over background rows b of f(x_S, b_rest)``, whose base value is the mean prediction over the
    background. XGBoost, LightGBM and CatBoost have only their native path-dependent algorithm; they warn that
    the background is not used.

    Values are in the space the trees add up in: "probability" for scikit-learn forest and tree classifiers;
    "log-odds" for binary boosted classifiers; "raw" for regressors and multiclass boosting (softmax logits).
    They add up exactly to that output.

    Parameters
    ----------
    model : a tree model, or a scikit-learn Pipeline ending in one
        XGBoost, LightGBM, CatBoost, or scikit-learn DecisionTree, ExtraTree, RandomForest, ExtraTrees,
        GradientBoosting and HistGradientBoosting (classifiers and regressors).

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
                f"TreeSHAP needs a tree model (XGBoost, LightGBM, CatBoost, or a scikit-learn tree, forest or "
                f"gradient boosting model), or a Pipeline ending in one; got {type(self.model.model).__name__}.",
                parameter="model", got=self.model.model)

    def get_params(self) -> dict[str, Any]:
        n = getattr(self, "n_background_", None)
        if n is None:
            return {"feature_perturbation": "tree_path_dependent"}
        return {"feature_perturbation": "interventional", "background_rows": n}

    def fit(self, background: Any = None) -> Self:
        """Keep the background (scikit-learn trees: interventional TreeSHAP) and the model's fingerprint.

        Raises
        ------
        InvalidDataError
            The background does not have the model's columns.
        UnsupportedModelError
            A scikit-learn model whose trees can't be explained (categorical HistGradientBoosting splits).
        """
        self.decomposition_: Decomposition = self.model.decompose()
        self.background_: Any = None
        self.n_background_: int | None = None
        inner = self.decomposition_.inner
        if isinstance(inner, SklearnTreeAdapter):
            inner.tree_ensemble()  # unsupported trees fail here, and the arrays are built once
            if background is not None:
                table = self.model.check_data(background, name="background")
                self.background_ = inner.prepare_background(self._native(self.model, table, background))
                self.n_background_ = table.n_rows
        elif background is not None:
            warnings.warn("Native TreeSHAP is path-dependent and does not use the background; interventional "
                          "TreeSHAP with a background is available for scikit-learn tree models.", UserWarning,
                          stacklevel=2)
        self.fingerprint_ = self.model.fingerprint()
        return self

    @staticmethod
    def _native(model: ModelAdapter, table: Table, data: Any) -> Any:
        """Rows of ``table`` as the inner model's input (frames keep their dtypes, as in explain())."""
        if model.schema is None and isinstance(data, pd.DataFrame):
            model = model.with_schema(table.schema)
        return model.decompose().transform(table.values)

    def _attribute(self, model: ModelAdapter, table: Table) -> Attribution:
        d = self.decomposition_ if model is self.model else model.decompose()
        Z = d.transform(table.values)
        inner: TreeContributions = d.inner  # type: ignore[assignment]
        values, base, space = inner.tree_contributions(Z, background=self.background_)
        values, names, data = to_original_features(values, d, table, Z)
        return Attribution(values, base, names, data, space)
