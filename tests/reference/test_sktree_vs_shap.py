"""explicable's TreeSHAP for scikit-learn trees against shap.TreeExplainer (installed with the bench extra).

Path-dependent values must equal shap's to 1e-6, interventional ones (``feature_perturbation="interventional"``
with the same background) too. shap only reaches these where it supports the model: it has no multiclass
GradientBoostingClassifier, and its interventional HistGradientBoosting values fail its own additivity check
(0.51), so those cases are compared with brute force over coalitions in tests/unit/explainers/test_sktree_shap.py.
shap draws at most 100 background rows, so the backgrounds here are smaller.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import explicable

shap = pytest.importorskip("shap")

CLASSIFIERS: dict[str, Callable[[], object]] = {
    "tree": lambda: DecisionTreeClassifier(max_depth=6, random_state=0),
    "forest": lambda: RandomForestClassifier(n_estimators=15, max_depth=6, random_state=0),
    "extra": lambda: ExtraTreesClassifier(n_estimators=15, max_depth=6, random_state=0),
    "gb": lambda: GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0),
    "hgb": lambda: HistGradientBoostingClassifier(max_iter=15, max_depth=4),
}
REGRESSORS: dict[str, Callable[[], object]] = {
    "tree": lambda: DecisionTreeRegressor(max_depth=6, random_state=0),
    "forest": lambda: RandomForestRegressor(n_estimators=15, max_depth=6, random_state=0),
    "extra": lambda: ExtraTreesRegressor(n_estimators=15, max_depth=6, random_state=0),
    "gb": lambda: GradientBoostingRegressor(n_estimators=15, max_depth=3, random_state=0),
    "hgb": lambda: HistGradientBoostingRegressor(max_iter=15, max_depth=4),
}
SHAP_LACKS = {("gb", "multiclass", "path"), ("gb", "multiclass", "interventional"),
              ("hgb", "binary", "interventional"), ("hgb", "multiclass", "interventional"),
              ("hgb", "regression", "interventional")}


def shap_values(model: object, X: np.ndarray, background: np.ndarray | None) -> np.ndarray:
    explainer = shap.TreeExplainer(model) if background is None else \
        shap.TreeExplainer(model, data=background, feature_perturbation="interventional")
    values = np.asarray(explainer.shap_values(X))
    return values[:, :, None] if values.ndim == 2 else values


@pytest.mark.parametrize("perturbation", ["path", "interventional"])
@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
@pytest.mark.parametrize("family", list(CLASSIFIERS))
def test_values_equal_shap(family: str, kind: str, perturbation: str, request: pytest.FixtureRequest) -> None:
    if (family, kind, perturbation) in SHAP_LACKS:
        pytest.skip("shap has no correct values for this case; brute force covers it in the unit tests")
    X, y = request.getfixturevalue(f"{kind}_data")
    model = (REGRESSORS if kind == "regression" else CLASSIFIERS)[family]().fit(X[:250], y[:250])  # type: ignore[attr-defined]
    background = X[250:] if perturbation == "interventional" else None
    exp = explicable.explain(model, X[:60], background=background)
    reference = shap_values(model, X[:60], background)
    # shap gives a binary boosted model's positive class only (its margin); explicable both columns [-m, m]
    ours = exp.values[:, :, 1:] if reference.shape[2] == 1 and exp.shape[2] == 2 else exp.values
    np.testing.assert_allclose(ours, reference, atol=1e-6, rtol=0)


@pytest.mark.parametrize("perturbation", ["path", "interventional"])
def test_values_with_missing_values_equal_shap(perturbation: str,
                                               binary_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = binary_data
    X = X.copy()
    X[np.random.default_rng(5).random(X.shape) < 0.1] = np.nan
    model = RandomForestClassifier(n_estimators=15, max_depth=6, random_state=0).fit(X[:250], y[:250])
    background = X[250:] if perturbation == "interventional" else None
    exp = explicable.explain(model, X[:60], background=background)
    np.testing.assert_allclose(exp.values, shap_values(model, X[:60], background), atol=1e-6, rtol=0)
