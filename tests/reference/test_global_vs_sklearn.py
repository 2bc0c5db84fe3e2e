"""Whole-model explanations against scikit-learn: partial dependence (brute and recursion), permutation importance."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.inspection import partial_dependence as sk_partial_dependence
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeRegressor
from threadpoolctl import threadpool_limits

from explicable import FunctionModel, wrap
from explicable.explainers.perturbation import partial_dependence, permutation_importance

TOL = 1e-10


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    # scikit-learn's brute method makes one small predict call per grid point; on a busy 2-core machine
    # HistGradientBoosting's OpenMP threads then wait on each other far longer than they compute
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))
    y = X[:, 0] ** 2 + X[:, 1] * X[:, 2] + np.sin(X[:, 3]) + 5.0
    return X, y


@pytest.fixture(scope="module")
def models(data: tuple[np.ndarray, np.ndarray]) -> dict[str, object]:
    X, y = data
    labels = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    return {
        "hgb": HistGradientBoostingRegressor(max_iter=30, random_state=0).fit(X, y),
        "forest_clf": RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0).fit(X, y > np.median(y)),
        "logistic_3": LogisticRegression(max_iter=500).fit(X, labels),
    }


def _sk_columns(sk: np.ndarray, k: int) -> np.ndarray:
    """sklearn's outputs (its first axis) moved last; a binary classifier's one curve is the positive class."""
    values = np.moveaxis(sk, 0, -1)
    return values if values.shape[-1] == k else np.concatenate([1 - values, values], axis=-1)


@pytest.mark.parametrize("name", ["hgb", "forest_clf", "logistic_3"])
@pytest.mark.parametrize("features", [[0], [1, 2]])
def test_brute_partial_dependence_equals_sklearn(models: dict[str, object], data: tuple[np.ndarray, np.ndarray],
                                                 name: str, features: list[int]) -> None:
    X, _ = data
    model = models[name]
    k = len(wrap(model).output_names)
    resolution = 100 if len(features) == 1 else 6
    ours = partial_dependence(model, X, features, kind="both", grid_resolution=resolution)
    sk = sk_partial_dependence(model, X, features, kind="both", method="brute", grid_resolution=resolution)
    for mine, theirs in zip(ours.grid, sk["grid_values"], strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_allclose(ours.average, _sk_columns(sk["average"], k), rtol=0, atol=TOL)
    np.testing.assert_allclose(ours.individual, _sk_columns(sk["individual"], k), rtol=0, atol=TOL)


def test_partial_dependence_on_a_frame_with_few_distinct_values_uses_them(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["d"] = np.round(frame["d"])  # a handful of distinct values: the grid is those values
    model = RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0).fit(frame, y)
    ours = partial_dependence(model, frame, "d")
    sk = sk_partial_dependence(model, frame, ["d"], method="brute")
    np.testing.assert_array_equal(ours.grid[0], np.unique(frame["d"]))
    np.testing.assert_allclose(ours.average[:, 0], sk["average"][0], rtol=0, atol=TOL)


@pytest.mark.parametrize("features", [[0], [0, 3]])
def test_recursion_equals_sklearn_for_a_decision_tree(data: tuple[np.ndarray, np.ndarray], features: list[int]) -> None:
    X, y = data
    tree = DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, y)
    ours = partial_dependence(tree, X, features, method="recursion", grid_resolution=20)
    sk = sk_partial_dependence(tree, X, features, method="recursion", grid_resolution=20)
    np.testing.assert_allclose(ours.average[..., 0], sk["average"][0], rtol=0, atol=TOL)


def test_recursion_for_boosting_adds_back_the_constant_sklearn_leaves_out(models: dict[str, object],
                                                                         data: tuple[np.ndarray, np.ndarray]) -> None:
    X, _ = data
    hgb = models["hgb"]
    ours = partial_dependence(hgb, X, 0, method="recursion")
    sk = sk_partial_dependence(hgb, X, [0], method="recursion")
    np.testing.assert_allclose(ours.average[:, 0] - sk["average"][0], hgb._baseline_prediction[0, 0], atol=TOL)
    # with that constant, recursion on the training rows is close to the brute curve (the model's output)
    brute = partial_dependence(hgb, X, 0)
    assert np.abs(ours.average - brute.average).max() < 0.25 * np.ptp(brute.average)


def test_recursion_for_a_boosting_classifier_in_log_odds(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    gbc = GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(X, y > np.median(y))
    adapter = wrap(gbc, output_space="log-odds")
    ours = partial_dependence(adapter, X, 1, method="recursion")
    sk = sk_partial_dependence(gbc, X, [1], method="recursion")
    constant = gbc._raw_predict_init(X[:1])[0, 0]
    np.testing.assert_allclose(ours.average[:, 1], sk["average"][0] + constant, atol=TOL)
    np.testing.assert_allclose(ours.average[:, 0], -ours.average[:, 1], atol=TOL)


def test_permutation_importance_of_a_sklearn_model_is_sklearns(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    model = LinearRegression().fit(X, y)
    ours = permutation_importance(model, X, y, n_repeats=4, random_state=7)
    sk = sk_permutation_importance(model, X, y, scoring="neg_mean_squared_error", n_repeats=4, random_state=7)
    assert ours.provenance.parameters["backend"] == "scikit-learn"
    np.testing.assert_array_equal(ours.samples[:, 0, :], sk.importances)
    np.testing.assert_allclose(ours.importances[:, 0], sk.importances_mean, rtol=1e-12)


def test_own_permutation_path_agrees_with_sklearn_within_the_intervals(models: dict[str, object],
                                                                      data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    model = models["forest_clf"]
    labels = y > np.median(y)
    as_function = FunctionModel(model.predict_proba, output_names=["False", "True"], output_space="probability")
    ours = permutation_importance(as_function, X, labels, n_repeats=10, random_state=1)
    theirs = permutation_importance(model, X, labels, n_repeats=10, random_state=2)
    assert ours.provenance.parameters["backend"] == "explicable"
    assert ours.output_names == theirs.output_names == ("neg_log_loss",)
    assert ours.baseline[0] == pytest.approx(theirs.baseline[0], rel=1e-9)
    gap = np.abs(ours.importances - theirs.importances)
    assert (gap <= 4 * np.hypot(ours.stderr, theirs.stderr) + 1e-9).all()
