"""Mitigation with fairlearn: disparities fall, the table's numbers are the models' own, the model wraps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import explicable
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.fairness import MitigationResult, mitigate


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 500
    sex = rng.choice(["f", "m"], n)
    x1 = rng.normal(size=n) + 1.2 * (sex == "m")  # a feature that tracks sex: the model's decisions do too
    x2 = rng.normal(size=n)
    y = (x1 + x2 + rng.normal(size=n) > 0.5).astype(int)
    return pd.DataFrame({"x1": x1, "x2": x2, "sex": pd.Categorical(sex)}), y


def _pipeline() -> Pipeline:
    encode = ColumnTransformer([("onehot", OneHotEncoder(sparse_output=False), ["sex"])], remainder="passthrough")
    return Pipeline([("encode", encode), ("lr", LogisticRegression())])


def _row(result: MitigationResult, metric: str, attribute: str = "sex") -> pd.Series:
    t = result.to_frame()
    return t[(t["metric"] == metric) & (t["attribute"] == attribute)].iloc[0]


def test_threshold_optimizer_closes_the_demographic_parity_gap(data):
    X, y = data
    fitted = _pipeline().fit(X, y)
    result = mitigate(fitted, X, y, "sex", method="threshold", random_state=0)
    dp = _row(result, "demographic_parity_difference")
    assert dp["before"] > 0.15
    assert dp["after"] < 0.05
    assert dp["change"] == pytest.approx(dp["after"] - dp["before"])
    # the "before" column is the fitted model's own accuracy and gap
    pred = fitted.predict(X)
    assert _row(result, "accuracy", "all")["before"] == pytest.approx(np.mean(pred == y))
    rates = pd.Series(pred).groupby(X["sex"].astype(str).to_numpy()).mean()
    assert dp["before"] == pytest.approx(rates.max() - rates.min())
    assert result.method == "threshold" and result.random_state == 0


def test_the_mitigated_model_wraps_and_its_decisions_follow_its_probabilities(data):
    X, y = data
    result = mitigate(_pipeline(), X, y, "sex", method="threshold", random_state=0)
    adapter = explicable.wrap(result.model)
    proba = adapter.predict(X.iloc[:50])
    assert proba.shape == (50, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba, result.model.predict_proba(X.iloc[:50]))
    decided = result.model.predict(X)
    certain = result.model.predict_proba(X)[:, 1]
    assert np.all(decided[certain == 1.0] == 1) and np.all(decided[certain == 0.0] == 0)
    # after-metrics in the table are those of these decisions
    assert _row(result, "selection_rate", "all")["after"] == pytest.approx(decided.mean())


def test_exponentiated_gradient_reduces_the_equalized_odds_gap(data):
    X, y = data
    result = mitigate(_pipeline(), X, y, "sex", method="exponentiated_gradient", constraint="equalized_odds",
                      max_iter=8, random_state=0)
    eo = _row(result, "equalized_odds_difference")
    assert eo["after"] < eo["before"]
    proba = explicable.wrap(result.model).predict(X.iloc[:5])
    assert proba.shape == (5, 2)


def test_same_seed_same_table(data):
    X, y = data
    a = mitigate(_pipeline(), X, y, "sex", random_state=3).to_frame()
    b = mitigate(_pipeline(), X, y, "sex", random_state=3).to_frame()
    pd.testing.assert_frame_equal(a, b)


def test_sensitive_given_as_values_needs_them_to_predict(data):
    X, y = data
    features = X[["x1", "x2"]]
    sex = X["sex"].astype(str).to_numpy()
    half = len(y) // 2
    result = mitigate(LogisticRegression(), features.iloc[:half], y[:half], sex[:half], X_eval=features.iloc[half:],
                      y_eval=y[half:], sensitive_eval=sex[half:], random_state=0)
    assert result.details["evaluated_on"] == "X_eval" and result.details["n_eval"] == len(y) - half
    with pytest.raises(InvalidParameterError) as err:
        result.model.predict_proba(features.iloc[:3])
    assert err.value.parameter == "sensitive_features"
    assert result.model.predict_proba(features.iloc[:3], sensitive_features=sex[:3]).shape == (3, 2)
    with pytest.raises(InvalidDataError):
        mitigate(LogisticRegression(), features, y, sex, X_eval=features, y_eval=y)


def test_bad_settings_name_the_parameter(data):
    X, y = data
    with pytest.raises(InvalidParameterError) as err:
        mitigate(_pipeline(), X, y, "sex", method="reweighing")
    assert err.value.parameter == "method"
    with pytest.raises(InvalidParameterError) as err:
        mitigate(_pipeline(), X, y, "sex", constraint="calibration")
    assert err.value.parameter == "constraint"
    with pytest.raises(InvalidParameterError) as err:
        mitigate(_pipeline(), X, y, "sex", method="exponentiated_gradient", eps="small")
    assert err.value.parameter == "eps"
    with pytest.raises(InvalidParameterError) as err:
        mitigate(_pipeline(), X, y, "gender")
    assert err.value.parameter == "sensitive"
