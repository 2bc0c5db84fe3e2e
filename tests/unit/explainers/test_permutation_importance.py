"""Permutation importance: the closed form for linear models, groups, scores, determinism, the result type."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from explicable import FunctionModel, InvalidDataError, InvalidParameterError
from explicable.core import FeatureImportance
from explicable.explainers.perturbation import permutation_importance

COEF = np.array([1.5, -0.7, 0.3])
SCALE = np.array([1.0, 2.0, 3.0])


@pytest.fixture(scope="module")
def linear() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(0).normal(size=(3000, 3)) * SCALE
    return X, X @ COEF + 0.5


def _closed_form(X: np.ndarray) -> np.ndarray:
    # mean((c x - c x_perm)^2) over a uniformly random permutation is 2 c^2 var(x) (population variance)
    return 2 * COEF**2 * X.var(axis=0)


@pytest.mark.parametrize("kind", ["function", "sklearn"])
def test_linear_model_matches_the_closed_form(linear: tuple[np.ndarray, np.ndarray], kind: str) -> None:
    X, y = linear
    model = FunctionModel(lambda Z: Z @ COEF + 0.5, feature_names=["a", "b", "c"]) if kind == "function" \
        else LinearRegression().fit(X, y)
    imp = permutation_importance(model, X, y, n_repeats=20, random_state=0)
    truth = _closed_form(X)
    assert imp.output_names == ("neg_mean_squared_error",)
    assert ((imp.ci_low[:, 0] <= truth) & (truth <= imp.ci_high[:, 0])).all()
    np.testing.assert_allclose(imp.importances[:, 0], truth, rtol=0.05)
    assert imp.baseline[0] == pytest.approx(0.0, abs=1e-12)


def test_interval_is_a_t_interval_over_the_repeats(linear: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = linear
    model = FunctionModel(lambda Z: Z @ COEF, feature_names=["a", "b", "c"])
    imp = permutation_importance(model, X, y - 0.5, n_repeats=4, confidence=0.9, random_state=3)
    drops = imp.samples[:, 0, :]
    se = drops.std(axis=1, ddof=1) / 2
    np.testing.assert_allclose(imp.stderr[:, 0], se)
    np.testing.assert_allclose(imp.ci_high[:, 0] - imp.importances[:, 0], 2.353363434801823 * se)  # t(0.95, 3)


def test_grouped_features_are_permuted_together(linear: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = linear
    model = FunctionModel(lambda Z: Z @ COEF + 0.5, feature_names=["a", "b", "c"])
    imp = permutation_importance(model, X, y, groups={"ab": ["a", "b"]}, n_repeats=20, random_state=0)
    assert imp.feature_names == ("ab", "c")
    truth = 2 * np.var(X[:, :2] @ COEF[:2])
    assert imp.ci_low[0, 0] <= truth <= imp.ci_high[0, 0]


def test_same_seed_same_result_whatever_the_batching(linear: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = linear
    model = FunctionModel(lambda Z: np.tanh(Z @ COEF), feature_names=["a", "b", "c"])
    one = permutation_importance(model, X[:200], y[:200], random_state=5)
    model.reset_counts()
    two = permutation_importance(model, X[:200], y[:200], random_state=5, max_batch_rows=300)
    np.testing.assert_array_equal(one.samples, two.samples)
    assert model.n_rows == 200 * (1 + 3 * 5)
    assert not np.array_equal(permutation_importance(model, X[:200], y[:200], random_state=6).samples, one.samples)


def test_classification_scores() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 2))
    labels = np.where(X[:, 0] > 0, "yes", "no")

    def proba(Z: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-4 * Z[:, 0]))
        return np.column_stack([1 - p, p])

    model = FunctionModel(proba, output_names=["no", "yes"], output_space="probability", feature_names=["a", "b"])
    default = permutation_importance(model, X, labels, random_state=0)
    assert default.output_names == ("neg_log_loss",)
    assert default.importances[0, 0] > 0.5 and default.importances[1, 0] == 0.0
    accuracy = permutation_importance(model, X, labels, scoring="accuracy", random_state=0)
    assert accuracy.baseline[0] == 1.0 and 0.3 < accuracy.importances[0, 0] < 0.7  # shuffled: right half the time
    custom = permutation_importance(model, X, labels, scoring=lambda y, p: -np.mean(p[:, 1]), random_state=0)
    assert custom.output_names == ("<lambda>",)


def test_bad_input_names_the_parameter(linear: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = linear
    model = FunctionModel(lambda Z: Z @ COEF, feature_names=["a", "b", "c"])
    for kwargs, parameter in [({"scoring": "f1"}, "scoring"), ({"scoring": "neg_log_loss"}, "scoring"),
                              ({"n_repeats": 0}, "n_repeats"), ({"confidence": 1.5}, "confidence"),
                              ({"random_state": -1}, "random_state"), ({"groups": {"g": ["z"]}}, "groups['g']")]:
        with pytest.raises(InvalidParameterError) as info:
            permutation_importance(model, X, y, **kwargs)
        assert info.value.parameter == parameter
    with pytest.raises(InvalidDataError):
        permutation_importance(model, X, y[:10])
    proba = FunctionModel(lambda Z: np.full((len(Z), 2), 0.5), output_names=["no", "yes"],
                          output_space="probability")
    with pytest.raises(InvalidDataError):
        permutation_importance(proba, X, np.full(len(X), "maybe"))


def test_one_repeat_has_no_interval_and_the_result_round_trips(linear: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = linear
    model = FunctionModel(lambda Z: Z @ COEF, feature_names=["a", "b", "c"])
    imp = permutation_importance(model, X[:100], y[:100], n_repeats=1, random_state=0)
    assert np.isnan(imp.stderr).all() and np.isnan(imp.ci_low).all()
    again = FeatureImportance.from_json(imp.to_json())
    assert again == imp and again.provenance.random_state == 0
    assert list(imp.to_frame().columns) == ["feature", "output", "importance", "stderr", "ci_low", "ci_high"]
    assert imp.ranking().tolist() == ["a", "b", "c"]  # 2 c^2 var(x): 4.5, 3.92, 1.62
