"""TreeSHAP for scikit-learn trees: closed forms, brute force over coalitions, additivity, NaN, threads, routing.

The brute-force references use scikit-learn's own trees and predictions, not explicable's extraction: the
path-dependent game walks ``tree_`` (cover-weighted average over the features outside the coalition), the
interventional game averages the model's predictions over hybrid rows ``(x_S, b_rest)``.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable

import numba
import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.compose import ColumnTransformer
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
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import explicable
from explicable import InvalidDataError, UnsupportedModelError, wrap
from explicable.explainers import ExactShap, TreeShap
from explicable.models.sklearn import SklearnAdapter, SklearnTreeAdapter

Game = Callable[[np.ndarray], np.ndarray]


def shapley(game: Game, d: int) -> np.ndarray:
    """Exact Shapley values (d, k) of ``game(mask (d,) bool) -> (k,)`` by enumerating all coalitions."""
    value = {S: np.asarray(game(np.array(S, dtype=bool)), dtype="float64") for S in itertools.product((0, 1), repeat=d)}
    phi = np.zeros((d, len(value[(0,) * d])))
    for S, v in value.items():
        for i in (i for i in range(d) if not S[i]):
            s = sum(S)
            with_i = (*S[:i], 1, *S[i + 1:])
            phi[i] += math.factorial(s) * math.factorial(d - s - 1) / math.factorial(d) * (value[with_i] - v)
    return phi


def interventional_game(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, background: np.ndarray) -> Game:
    def game(mask: np.ndarray) -> np.ndarray:
        hybrid = background.copy()
        hybrid[:, mask] = x[mask]
        return np.asarray(predict(hybrid), dtype="float64").reshape(len(background), -1).mean(axis=0)
    return game


def path_game(trees: list[tuple[object, float, int]], x: np.ndarray, k: int, classifier: bool) -> Game:
    """Lundberg et al.'s EXPVALUE summed over ``(tree_, scale, output column)``; x compared as float32."""
    x32 = x.astype(np.float32).astype("float64")

    def expected(t: object, node: int, mask: np.ndarray) -> np.ndarray:
        if t.children_left[node] < 0:  # type: ignore[attr-defined]
            v = t.value[node, 0] if classifier else t.value[node, :, 0]  # type: ignore[attr-defined]
            return v / v.sum() if classifier else v
        j, left, right = t.feature[node], t.children_left[node], t.children_right[node]  # type: ignore[attr-defined]
        if mask[j]:
            xj = x32[j]
            goes_left = t.missing_go_to_left[node] if np.isnan(xj) else xj <= t.threshold[node]  # type: ignore[attr-defined]
            return expected(t, left if goes_left else right, mask)
        w = t.weighted_n_node_samples  # type: ignore[attr-defined]
        return (w[left] * expected(t, left, mask) + w[right] * expected(t, right, mask)) / w[node]

    def game(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(k)
        for t, scale, col in trees:
            v = expected(t, 0, mask) * scale
            out[col:col + len(v)] += v
        return out
    return game


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 4))
    return X, X[:, 0] * 2 - X[:, 1] + X[:, 2] * X[:, 3] + 0.2 * rng.normal(size=400)


# ---- closed forms and brute force ---------------------------------------------------------------------------
def test_stump_gives_the_whole_difference_to_its_feature(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    stump = DecisionTreeRegressor(max_depth=1).fit(X, y)
    j = int(stump.tree_.feature[0])
    f, rows, background = stump.predict, X[:7], X[200:260]
    path = explicable.explain(stump, rows)
    expected = np.zeros((7, 4))
    expected[:, j] = f(rows) - y.mean()  # the cover-weighted mean of a regression tree is the training mean
    np.testing.assert_allclose(path.values[:, :, 0], expected, atol=1e-12)
    np.testing.assert_allclose(path.base_values[:, 0], y.mean(), atol=1e-12)
    inter = explicable.explain(stump, rows, background=background)
    expected[:, j] = f(rows) - f(background).mean()
    np.testing.assert_allclose(inter.values[:, :, 0], expected, atol=1e-12)
    np.testing.assert_allclose(inter.base_values[:, 0], f(background).mean(), atol=1e-12)


@pytest.mark.parametrize("features", [4, 2])  # two features at depth 3: every path repeats a feature
def test_depth3_tree_equals_brute_force(features: int, data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data[0][:, :features], data[1]
    tree = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y)
    rows, background = X[:6], X[100:140]
    path = explicable.explain(tree, rows).values[:, :, 0]
    inter = explicable.explain(tree, rows, background=background).values[:, :, 0]
    for r, x in enumerate(rows):
        np.testing.assert_allclose(path[r], shapley(path_game([(tree.tree_, 1.0, 0)], x, 1, False), features)[:, 0],
                                   atol=1e-12)
        np.testing.assert_allclose(inter[r], shapley(interventional_game(tree.predict, x, background), features)[:, 0],
                                   atol=1e-12)


def test_multiclass_boosting_equals_brute_force(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    y3 = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    model = GradientBoostingClassifier(n_estimators=4, max_depth=2, random_state=0).fit(X, y3)
    rows, background = X[:3], X[100:130]
    path = explicable.explain(model, rows)
    inter = explicable.explain(model, rows, background=background)
    assert path.provenance.output_space == inter.provenance.output_space == "raw"
    trees = [(model.estimators_[i, c].tree_, model.learning_rate, c) for i in range(4) for c in range(3)]
    for r, x in enumerate(rows):
        np.testing.assert_allclose(path.values[r], shapley(path_game(trees, x, 3, False), 4), atol=1e-12)
        np.testing.assert_allclose(inter.values[r], shapley(interventional_game(model.decision_function, x,
                                                                                background), 4), atol=1e-12)


def test_deep_forest_with_three_background_words(data: tuple[np.ndarray, np.ndarray]) -> None:
    # unlimited depth (long paths, many repeated features) and 150 background rows (bitsets of 3 words)
    X, _ = data
    noise = np.random.default_rng(1).integers(0, 2, size=len(X))  # labels trees can only memorise: deep trees
    model = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, noise)
    assert max(e.tree_.max_depth for e in model.estimators_) >= 15  # 5 bit planes for a_z, 8 quadrature points
    rows, background = X[:2], X[200:350]
    inter = explicable.explain(model, rows, background=background)
    path = explicable.explain(model, rows)
    trees = [(e.tree_, 1 / 3, 0) for e in model.estimators_]
    for r, x in enumerate(rows):
        np.testing.assert_allclose(inter.values[r], shapley(interventional_game(model.predict_proba, x, background),
                                                            4), atol=1e-12)
        np.testing.assert_allclose(path.values[r], shapley(path_game(trees, x, 2, True), 4), atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: DecisionTreeClassifier(max_depth=3, random_state=0),
    lambda: RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0),
    lambda: HistGradientBoostingClassifier(max_iter=3, max_depth=3),
])
def test_missing_values_follow_the_trees(make: Callable[[], object], data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    X = X.copy()
    X[np.random.default_rng(0).random(X.shape) < 0.15] = np.nan
    model = make().fit(X, y > 0)  # type: ignore[attr-defined]
    rows, background = X[:8], X[100:140]
    assert np.isnan(rows).any() and np.isnan(background).any()
    space = "probability" if "Hist" not in type(model).__name__ else "log-odds"
    for bg in (None, background):
        exp = explicable.explain(model, rows, background=bg)
        np.testing.assert_allclose(exp.output_totals, wrap(model, output_space=space).predict(rows), atol=1e-8)
    predict = model.predict_proba if space == "probability" else model.decision_function
    exp = explicable.explain(model, rows[:3], background=background)
    for r, x in enumerate(rows[:3]):
        reference = shapley(interventional_game(predict, x, background), 4)[:, -1]
        np.testing.assert_allclose(exp.values[r, :, 1], reference, atol=1e-12)
    if space == "probability":
        trees = [(t.tree_, 1 / len(ts), 0) for ts in [getattr(model, "estimators_", [model])] for t in ts]
        exp = explicable.explain(model, rows[:3])
        for r, x in enumerate(rows[:3]):
            np.testing.assert_allclose(exp.values[r], shapley(path_game(trees, x, 2, True), 4), atol=1e-12)


# ---- every family: additivity in its space ------------------------------------------------------------------
FAMILIES = {
    "tree": (lambda: DecisionTreeClassifier(max_depth=4, random_state=0),
             lambda: DecisionTreeRegressor(max_depth=4, random_state=0)),
    "forest": (lambda: RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0),
               lambda: RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0)),
    "extra": (lambda: ExtraTreesClassifier(n_estimators=5, max_depth=4, random_state=0),
              lambda: ExtraTreesRegressor(n_estimators=5, max_depth=4, random_state=0)),
    "gb": (lambda: GradientBoostingClassifier(n_estimators=5, max_depth=3, random_state=0),
           lambda: GradientBoostingRegressor(n_estimators=5, max_depth=3, random_state=0)),
    "hgb": (lambda: HistGradientBoostingClassifier(max_iter=5, max_depth=3),
            lambda: HistGradientBoostingRegressor(max_iter=5, max_depth=3)),
}


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_additive_in_the_reported_space(family: str, kind: str, data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    target = {"binary": y > 0, "multiclass": np.digitize(y, [-1.0, 1.0]), "regression": y}[kind]
    model = FAMILIES[family][kind == "regression"]().fit(X, target)  # type: ignore[attr-defined]
    boosted = family in ("gb", "hgb")
    space = {"binary": "log-odds" if boosted else "probability", "multiclass": "raw" if boosted else "probability",
             "regression": "raw"}[kind]
    k = {"binary": 2, "multiclass": 3, "regression": 1}[kind]
    for background in (None, X[300:]):
        exp = explicable.explain(model, X[:25], background=background)
        assert exp.provenance.method == "tree" and exp.provenance.output_space == space and exp.shape == (25, 4, k)
        np.testing.assert_allclose(exp.output_totals, wrap(model, output_space=space).predict(X[:25]), atol=1e-8)
        if background is not None:  # the interventional base is the mean output over the background
            mean = wrap(model, output_space=space).predict(X[300:]).mean(axis=0)
            np.testing.assert_allclose(exp.base_values, np.tile(mean, (25, 1)), atol=1e-12)


def test_multioutput_regression(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    model = RandomForestRegressor(n_estimators=4, max_depth=3, random_state=0).fit(X, np.column_stack([y, -2 * y]))
    exp = explicable.explain(model, X[:10], background=X[200:230])
    assert exp.shape == (10, 4, 2)
    np.testing.assert_allclose(exp.output_totals, model.predict(X[:10]), atol=1e-8)


# ---- determinism and threads ---------------------------------------------------------------------------------
def test_same_values_on_one_and_two_threads(data: tuple[np.ndarray, np.ndarray]) -> None:
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two numba threads")
    X, y = data
    model = RandomForestClassifier(n_estimators=6, max_depth=5, random_state=0).fit(X, y > 0)
    before = numba.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 2):
            numba.set_num_threads(threads)
            results.append([explicable.explain(model, X, background=bg).values for bg in (None, X[:70])])
    finally:
        numba.set_num_threads(before)
    for other in results[1:]:
        for a, b in zip(results[0], other, strict=True):
            assert a.tobytes() == b.tobytes()


# ---- routing, provenance, errors ------------------------------------------------------------------------------
def test_wrap_routing_and_provenance(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    forest = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y > 0)
    assert type(wrap(forest)) is SklearnTreeAdapter
    pipe = Pipeline([("scale", "passthrough"), ("forest", forest)]).fit(X, y > 0)
    assert type(wrap(pipe)) is SklearnAdapter and type(wrap(pipe).decompose().inner) is SklearnTreeAdapter
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "background is not used" warning for scikit-learn trees
        exp = explicable.explain(pipe, X[:3], background=X[:40])
    assert exp.provenance.parameters == {"feature_perturbation": "interventional", "background_rows": 40}
    assert explicable.explain(forest, X[:3]).provenance.parameters == {"feature_perturbation": "tree_path_dependent"}
    booster = xgboost.XGBRegressor(n_estimators=3).fit(X, y)
    with pytest.warns(UserWarning, match="path-dependent"):
        explicable.explain(booster, X[:3], background=X[:40])


def test_pipeline_is_reported_per_original_feature() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=300), "city": rng.choice(["x", "y", "z"], size=300),
                          "b": rng.normal(size=300)})
    y = (frame["a"] + (frame["city"] == "y") > 0.5).astype(int)
    encode = ColumnTransformer([("onehot", OneHotEncoder(), ["city"])], remainder="passthrough")
    model = Pipeline([("encode", encode), ("gb", HistGradientBoostingClassifier(max_iter=5))]).fit(frame, y)
    for background in (None, frame.iloc[100:150]):
        exp = explicable.explain(model, frame.iloc[:6], background=background)
        assert exp.feature_names == ("a", "city", "b") and exp.provenance.output_space == "log-odds"
        # the pipeline's own adapter offers log-odds through the final model's space
        np.testing.assert_allclose(exp.output_totals, wrap(model, output_space="log-odds").predict(frame.iloc[:6]),
                                   atol=1e-8)


def test_fitted_once_explains_frames_and_arrays_alike(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    frame = pd.DataFrame(X, columns=list("pqrs"))
    model = GradientBoostingRegressor(n_estimators=4, max_depth=2).fit(frame, y)
    explainer = TreeShap(model).fit(frame.iloc[:50])
    a, b = explainer.explain(frame.iloc[:5]), explainer.explain(X[:5])
    assert a.values.tobytes() == b.values.tobytes() and a.feature_names == ("p", "q", "r", "s")
    with pytest.raises(InvalidDataError, match="background"):
        TreeShap(model).fit(frame.drop(columns=["q"]))


def test_unsupported_trees_say_why(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    frame = pd.DataFrame({"a": X[:, 0], "c": pd.Categorical(np.where(X[:, 1] > 0, "u", "v"))})
    categorical = HistGradientBoostingClassifier(max_iter=3, categorical_features="from_dtype").fit(frame, y > 0)
    with pytest.raises(UnsupportedModelError, match="categorical"):
        explicable.explain(categorical, frame.iloc[:2], method="tree")
    poisson = HistGradientBoostingRegressor(max_iter=3, loss="poisson").fit(X, np.exp(y / 4))
    with pytest.raises(UnsupportedModelError, match="identity link"):
        explicable.explain(poisson, X[:2], method="tree")
    custom_init = GradientBoostingClassifier(n_estimators=3, init=LogisticRegression()).fit(X, y > 0)
    with pytest.raises(UnsupportedModelError, match="init estimator"):
        explicable.explain(custom_init, X[:2], method="tree")
    multi = RandomForestClassifier(n_estimators=2, max_depth=2).fit(X, np.column_stack([y > 0, y > 1]))
    with pytest.raises(UnsupportedModelError, match="multi-output"):
        TreeShap(multi).fit()


def test_auto_explains_unsupported_trees_model_agnostically(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    poisson = HistGradientBoostingRegressor(max_iter=5, loss="poisson").fit(X, np.exp(y / 4))
    exp = explicable.explain(poisson, X[:3], background=X[:20])
    assert exp.provenance.method == "exact"  # 4 features: all 16 coalitions, not TreeSHAP
    brute = ExactShap(poisson).fit(X[:20]).explain(X[:3])
    np.testing.assert_allclose(exp.values, brute.values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(exp.values.sum(axis=1) + exp.base_values, poisson.predict(X[:3])[:, None], atol=1e-9)
