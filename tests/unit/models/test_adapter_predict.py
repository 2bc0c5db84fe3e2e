"""Every adapter: ``predict`` gives (n, k) float64 equal to the library's own predictions, for every container."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import catboost
import lightgbm
import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from explicable import wrap

CLASSIFIERS: dict[str, Callable[[], Any]] = {
    "logistic": lambda: LogisticRegression(max_iter=1000),
    "forest": lambda: RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0, n_jobs=1),
    "xgboost": lambda: xgboost.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1),
    "lightgbm": lambda: lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, n_jobs=1, verbose=-1),
    "catboost": lambda: catboost.CatBoostClassifier(iterations=5, depth=3, thread_count=1, verbose=0,
                                                    allow_writing_files=False),
}
REGRESSORS: dict[str, Callable[[], Any]] = {
    "linear": LinearRegression,
    "forest": lambda: RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0, n_jobs=1),
    "xgboost": lambda: xgboost.XGBRegressor(n_estimators=5, max_depth=2, n_jobs=1),
    "lightgbm": lambda: lightgbm.LGBMRegressor(n_estimators=5, num_leaves=4, n_jobs=1, verbose=-1),
    "catboost": lambda: catboost.CatBoostRegressor(iterations=5, depth=3, thread_count=1, verbose=0,
                                                   allow_writing_files=False),
}
CONTAINERS = ("array", "frame", "shuffled frame")


def _container(frame: pd.DataFrame, kind: str) -> Any:
    if kind == "array":
        return frame.to_numpy(dtype="float64")
    if kind == "frame":
        return frame
    return frame[list(reversed(frame.columns))]  # the adapter reorders by name


def _check(out: np.ndarray, expected: np.ndarray, names: tuple[str, ...], wanted_names: list[str]) -> None:
    assert isinstance(out, np.ndarray)
    assert out.dtype == np.float64
    assert out.shape == (expected.shape[0], len(wanted_names))
    assert names == tuple(wanted_names)
    np.testing.assert_allclose(out, expected.reshape(out.shape), rtol=1e-6, atol=1e-6)


@pytest.fixture(scope="module")
def fitted() -> dict[Any, Any]:
    return {}


def _fit(cache: dict[Any, Any], key: Any, build: Callable[[], Any]) -> Any:
    if key not in cache:
        cache[key] = build()
    return cache[key]


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("target", ["binary", "multiclass"])
@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_classifier_predict_equals_predict_proba(fitted, numeric_data, name, target, container):
    y = getattr(numeric_data, target)
    model = _fit(fitted, (name, target), lambda: CLASSIFIERS[name]().fit(numeric_data.frame, y))
    adapter = wrap(model)
    out = adapter.predict(_container(numeric_data.frame, container))
    _check(out, model.predict_proba(numeric_data.frame), adapter.output_names, [str(c) for c in model.classes_])
    assert adapter.output_space == "probability"
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("name", list(REGRESSORS))
def test_regressor_predict_equals_predict(fitted, numeric_data, name, container):
    model = _fit(fitted, (name, "regression"),
                 lambda: REGRESSORS[name]().fit(numeric_data.frame, numeric_data.regression))
    adapter = wrap(model)
    out = adapter.predict(_container(numeric_data.frame, container))
    _check(out, np.asarray(model.predict(numeric_data.frame)), adapter.output_names, ["prediction"])
    assert adapter.output_space == "raw"


@pytest.mark.parametrize("name", ["logistic", "xgboost", "lightgbm", "catboost"])
def test_models_trained_on_arrays_take_arrays(numeric_data, name):
    model = CLASSIFIERS[name]().fit(numeric_data.array, numeric_data.binary)
    out = wrap(model).predict(numeric_data.array[:50])
    _check(out, model.predict_proba(numeric_data.array[:50]), wrap(model).output_names, ["0", "1"])


@pytest.mark.parametrize("name", ["logistic", "lightgbm", "catboost"])
def test_string_class_labels_name_the_outputs(numeric_data, name):
    labels = np.array(["bad", "good"])[numeric_data.binary]
    model = CLASSIFIERS[name]().fit(numeric_data.frame, labels)
    adapter = wrap(model)
    assert adapter.output_names == ("bad", "good")
    np.testing.assert_allclose(adapter.predict(numeric_data.frame), model.predict_proba(numeric_data.frame),
                               atol=1e-9)


def test_xgboost_uses_the_best_iteration_like_its_own_predict(numeric_data):
    X, y = numeric_data.frame, numeric_data.binary
    model = xgboost.XGBClassifier(n_estimators=40, max_depth=2, learning_rate=0.5, early_stopping_rounds=2,
                                  n_jobs=1).fit(X[:150], y[:150], eval_set=[(X[150:], y[150:])], verbose=False)
    assert model.best_iteration < 39  # the check below is only meaningful if early stopping cut trees
    full = model.get_booster().predict(xgboost.DMatrix(X), iteration_range=(0, 0))
    out = wrap(model).predict(X)
    np.testing.assert_allclose(out, model.predict_proba(X), atol=1e-6)
    assert not np.allclose(out[:, 1], full, atol=1e-6)


# ---- frames with strings and categories ------------------------------------------------------------------
def _pipeline(data) -> Pipeline:
    pre = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), ["city", "job"]),
                             ("scale", StandardScaler(), ["age", "income"])])
    return Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=1000))]).fit(data.strings, data.binary)


CATEGORICAL: dict[str, Callable[[Any], tuple[Any, str]]] = {
    # name -> fit(data) -> (model, the frame it was trained on: "strings" or "categories")
    "sklearn pipeline": lambda d: (_pipeline(d), "strings"),
    "lightgbm": lambda d: (lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, min_child_samples=5, n_jobs=1,
                                                   verbose=-1).fit(d.categories, d.binary), "categories"),
    "xgboost": lambda d: (xgboost.XGBClassifier(n_estimators=5, max_depth=2, enable_categorical=True, n_jobs=1)
                          .fit(d.categories, d.binary), "categories"),
    "catboost": lambda d: (catboost.CatBoostClassifier(iterations=5, depth=3, cat_features=["city", "job"],
                                                       thread_count=1, verbose=0, allow_writing_files=False)
                           .fit(d.strings, d.binary), "strings"),
}


def _mixed_container(adapter: Any, data: Any, kind: str) -> Any:
    if kind == "strings":
        return data.strings
    if kind == "object strings":
        return data.strings.astype({"city": object, "job": object})
    if kind == "categories":
        return data.categories
    if kind == "shuffled categories":
        return data.categories[["job", "income", "city", "age"]]
    return adapter.check_data(data.strings).values  # "object array": what explainers pass around


@pytest.mark.parametrize("container", ["strings", "object strings", "categories", "shuffled categories",
                                       "object array"])
@pytest.mark.parametrize("name", list(CATEGORICAL))
def test_categorical_frames_match_the_library(fitted, mixed_data, name, container):
    model, trained_on = _fit(fitted, ("categorical", name), lambda: CATEGORICAL[name](mixed_data))
    adapter = wrap(model)
    assert adapter.accepts_strings
    out = adapter.predict(_mixed_container(adapter, mixed_data, container))
    expected = model.predict_proba(getattr(mixed_data, trained_on))
    _check(out, expected, adapter.output_names, ["0", "1"])
    np.testing.assert_allclose(out.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("name", ["lightgbm", "xgboost", "catboost"])
def test_categorical_regressors_match_the_library(mixed_data, name):
    if name == "lightgbm":
        model = lightgbm.LGBMRegressor(n_estimators=5, num_leaves=4, min_child_samples=5, n_jobs=1, verbose=-1)
        model.fit(mixed_data.categories, mixed_data.regression)
    elif name == "xgboost":
        model = xgboost.XGBRegressor(n_estimators=5, max_depth=2, enable_categorical=True, n_jobs=1)
        model.fit(mixed_data.categories, mixed_data.regression)
    else:
        model = catboost.CatBoostRegressor(iterations=5, depth=3, cat_features=["city", "job"], thread_count=1,
                                           verbose=0, allow_writing_files=False)
        model.fit(mixed_data.strings, mixed_data.regression)
    trained_on = mixed_data.strings if name == "catboost" else mixed_data.categories
    adapter = wrap(model)
    for frame in (mixed_data.strings, mixed_data.categories):
        _check(adapter.predict(frame), np.asarray(model.predict(trained_on)), adapter.output_names, ["prediction"])


def test_unseen_category_is_missing_for_lightgbm(mixed_data):
    """A city the model never saw is treated as LightGBM treats it in its own predict (as missing)."""
    model = lightgbm.LGBMClassifier(n_estimators=5, num_leaves=4, min_child_samples=5, n_jobs=1, verbose=-1)
    model.fit(mixed_data.categories, mixed_data.binary)
    rows = mixed_data.strings.head(5).assign(city="Atlantis")
    as_missing = mixed_data.categories.head(5).assign(
        city=pd.Categorical([None] * 5, categories=mixed_data.categories["city"].cat.categories))
    np.testing.assert_allclose(wrap(model).predict(rows), model.predict_proba(as_missing), atol=1e-12)


def test_predict_on_a_frame_leaves_the_adapter_unchanged(mixed_data):
    model, _ = CATEGORICAL["sklearn pipeline"](mixed_data)
    adapter = wrap(model)
    before = dict(vars(adapter))
    adapter.predict(mixed_data.categories)
    assert vars(adapter) == before


def test_hist_gradient_boosting_encodes_categories_itself(mixed_data):
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(max_iter=5, categorical_features="from_dtype")
    model.fit(mixed_data.categories, mixed_data.binary)
    adapter = wrap(model)
    assert adapter.accepts_strings
    expected = model.predict_proba(mixed_data.categories)
    for frame in (mixed_data.categories, mixed_data.strings):
        _check(adapter.predict(frame), expected, adapter.output_names, ["0", "1"])
