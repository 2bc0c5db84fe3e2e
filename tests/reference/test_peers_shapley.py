"""Reference tests against shap (installed with the bench extra, as in `make test`).

TreeSHAP: explicable's values equal shap.TreeExplainer's (path-dependent) to 1e-5. Linear: equal
shap.LinearExplainer's interventional values, which use the same closed form.
"""

from __future__ import annotations

import lightgbm
import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.linear_model import LinearRegression, LogisticRegression

import explicable

shap = pytest.importorskip("shap")


@pytest.mark.parametrize("kind", ["binary", "regression", "multiclass"])
@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_treeshap_matches_shap(kind: str, library: str, request: pytest.FixtureRequest) -> None:
    X, y = request.getfixturevalue(f"{kind}_data")
    if library == "xgboost":
        cls = xgboost.XGBRegressor if kind == "regression" else xgboost.XGBClassifier
        model = cls(n_estimators=40, max_depth=4).fit(X, y)
    else:
        cls = lightgbm.LGBMRegressor if kind == "regression" else lightgbm.LGBMClassifier
        model = cls(n_estimators=40, num_leaves=12, verbose=-1).fit(X, y)
    exp = explicable.explain(model, X[:60])
    reference = np.asarray(shap.TreeExplainer(model).shap_values(X[:60]))
    if reference.ndim == 2:
        reference = reference[:, :, None]
    ours = exp.values[:, :, 1:] if kind == "binary" else exp.values  # shap gives the positive class only
    np.testing.assert_allclose(ours, reference, atol=1e-5, rtol=0)


def test_treeshap_matches_shap_on_german_credit(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    numeric = X.select_dtypes("number")
    model = xgboost.XGBClassifier(n_estimators=100, max_depth=3).fit(numeric, y)
    exp = explicable.explain(model, numeric.iloc[:100])
    reference = shap.TreeExplainer(model).shap_values(numeric.iloc[:100])
    np.testing.assert_allclose(exp.values[:, :, 1], reference, atol=1e-5, rtol=0)
    margin = model.predict(numeric.iloc[:100], output_margin=True)
    np.testing.assert_allclose(exp.output_totals[:, 1], margin, atol=1e-6, rtol=0)


@pytest.mark.parametrize("make", [LinearRegression, lambda: LogisticRegression(max_iter=500)])
def test_linear_matches_shap(make: object, binary_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = binary_data
    model = make().fit(X, y)  # type: ignore[operator]
    exp = explicable.explain(model, X[:50], background=X)
    reference = shap.LinearExplainer(model, shap.maskers.Independent(X, max_samples=len(X))).shap_values(X[:50])
    column = 1 if exp.shape[2] == 2 else 0
    np.testing.assert_allclose(exp.values[:, :, column], reference, atol=1e-10)
