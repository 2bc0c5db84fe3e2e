"""Output spaces: log-odds and raw margins equal the library's own raw scores; bad spaces and objectives fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import catboost
import lightgbm
import numpy as np
import pytest
import xgboost
from scipy.special import expit, softmax
from sklearn.linear_model import LinearRegression, LogisticRegression

from explicable import ExplicableError, InvalidParameterError, UnsupportedModelError, wrap

CLASSIFIERS: dict[str, Callable[[], Any]] = {
    "xgboost": lambda: xgboost.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1),
    "lightgbm": lambda: lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, n_jobs=1, verbose=-1),
    "catboost": lambda: catboost.CatBoostClassifier(iterations=5, depth=3, thread_count=1, verbose=0,
                                                    allow_writing_files=False),
    "logistic": lambda: LogisticRegression(max_iter=1000),
}


def _margin(model: Any, X: Any) -> np.ndarray:
    """The library's own raw score (margin) for ``X``."""
    if isinstance(model, xgboost.XGBModel):
        out = model.predict(X, output_margin=True)
    elif isinstance(model, lightgbm.LGBMModel):
        out = model.predict(X, raw_score=True)
    elif isinstance(model, catboost.CatBoost):
        out = model.predict(X, prediction_type="RawFormulaVal")
    else:
        out = model.decision_function(X)
    return np.asarray(out, dtype="float64")


@pytest.fixture(scope="module")
def binary_models(numeric_data) -> dict[str, Any]:
    return {name: build().fit(numeric_data.frame, numeric_data.binary) for name, build in CLASSIFIERS.items()}


@pytest.fixture(scope="module")
def multiclass_models(numeric_data) -> dict[str, Any]:
    return {name: build().fit(numeric_data.frame, numeric_data.multiclass) for name, build in CLASSIFIERS.items()}


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_binary_log_odds_are_minus_and_plus_the_margin(binary_models, numeric_data, name):
    model = binary_models[name]
    adapter = wrap(model, output_space="log-odds")
    assert adapter.output_space == "log-odds"
    assert adapter.output_names == ("0", "1")
    out = adapter.predict(numeric_data.frame)
    margin = _margin(model, numeric_data.frame)
    assert out.shape == (200, 2)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, np.column_stack([-margin, margin]), rtol=1e-6, atol=1e-6)
    # the margin is the log-odds of the class-1 probability the library reports
    np.testing.assert_allclose(expit(out[:, 1]), model.predict_proba(numeric_data.frame)[:, 1], atol=1e-6)


@pytest.mark.parametrize("name", ["xgboost", "lightgbm", "catboost", "logistic"])
def test_multiclass_raw_is_the_margins(multiclass_models, numeric_data, name):
    model = multiclass_models[name]
    adapter = wrap(model, output_space="raw")
    out = adapter.predict(numeric_data.frame)
    margin = _margin(model, numeric_data.frame)
    assert out.shape == margin.shape == (200, 3)
    np.testing.assert_allclose(out, margin, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(softmax(out, axis=1), model.predict_proba(numeric_data.frame), atol=1e-6)


@pytest.mark.parametrize("name", ["xgboost", "lightgbm", "catboost", "logistic"])
def test_multiclass_has_no_log_odds(multiclass_models, name):
    with pytest.raises(InvalidParameterError, match="output_space") as info:
        wrap(multiclass_models[name], output_space="log-odds")
    assert info.value.parameter == "output_space"


def test_lightgbm_sigmoid_scales_the_log_odds(numeric_data):
    """With ``sigmoid=2`` LightGBM's probability is expit(2 * raw score): the log-odds are twice the raw score."""
    model = lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, sigmoid=2.0, n_jobs=1, verbose=-1)
    model.fit(numeric_data.frame, numeric_data.binary)
    raw = model.predict(numeric_data.frame, raw_score=True)
    out = wrap(model, output_space="log-odds").predict(numeric_data.frame)
    np.testing.assert_allclose(out[:, 1], 2.0 * raw, rtol=1e-9)
    np.testing.assert_allclose(wrap(model).predict(numeric_data.frame), model.predict_proba(numeric_data.frame),
                               atol=1e-9)


@pytest.mark.parametrize("space", ["prob", "logit", "margin", "", "Probability", 3])
@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_invalid_space_names_the_parameter(binary_models, name, space):
    with pytest.raises(InvalidParameterError, match="'output_space'") as info:
        wrap(binary_models[name], output_space=space)
    assert info.value.parameter == "output_space"
    assert isinstance(info.value, ExplicableError)


def test_regressor_is_only_raw(numeric_data):
    model = LinearRegression().fit(numeric_data.frame, numeric_data.regression)
    np.testing.assert_allclose(wrap(model, output_space="raw").predict(numeric_data.frame)[:, 0],
                               model.predict(numeric_data.frame))
    for space in ("probability", "log-odds"):
        with pytest.raises(InvalidParameterError, match="output_space"):
            wrap(model, output_space=space)


@pytest.mark.parametrize(
    ("build", "objective"),
    [
        (lambda: xgboost.XGBRegressor(objective="count:poisson", n_estimators=3, n_jobs=1), "count:poisson"),
        (lambda: xgboost.XGBRegressor(objective="reg:gamma", n_estimators=3, n_jobs=1), "reg:gamma"),
        (lambda: lightgbm.LGBMRegressor(objective="poisson", n_estimators=3, n_jobs=1, verbose=-1), "poisson"),
        (lambda: lightgbm.LGBMRegressor(objective="tweedie", n_estimators=3, n_jobs=1, verbose=-1), "tweedie"),
        (lambda: catboost.CatBoostRegressor(loss_function="Poisson", iterations=3, thread_count=1, verbose=0,
                                            allow_writing_files=False), "Poisson"),
    ],
    ids=["xgboost-poisson", "xgboost-gamma", "lightgbm-poisson", "lightgbm-tweedie", "catboost-poisson"],
)
def test_unsupported_objective_is_named(numeric_data, build, objective):
    counts = np.random.default_rng(0).poisson(np.exp(0.5 * numeric_data.array[:, 0])) + 1
    model = build().fit(numeric_data.frame, counts)
    with pytest.raises(UnsupportedModelError, match=f"'{objective}'") as info:
        wrap(model)
    assert info.value.got == objective
