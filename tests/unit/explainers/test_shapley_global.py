"""Shapley global importance (mean |phi| with intervals) and dependence data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

import explicable
from explicable import Explanation, InvalidDataError, InvalidParameterError
from explicable.core import DependenceData, FeatureImportance
from explicable.explainers.shapley import shapley_dependence, shapley_importance

COEF = np.array([2.0, -1.0, 0.0])


def _linear_explanation(rng: np.random.Generator, n: int) -> Explanation:
    """Exact interventional Shapley values of a linear model against a zero-mean background: c * x."""
    X = rng.normal(size=(n, 3))
    return Explanation((X * COEF)[:, :, None], np.zeros((n, 1)), ["a", "b", "c"], ["y"], data=X)


def test_importance_is_mean_absolute_attribution() -> None:
    exp = _linear_explanation(np.random.default_rng(0), 200)
    imp = shapley_importance(exp)
    np.testing.assert_allclose(imp.importances, np.abs(exp.values).mean(axis=0))
    np.testing.assert_allclose(imp.stderr, np.abs(exp.values).std(axis=0, ddof=1) / np.sqrt(200))
    assert imp.ranking().tolist() == ["a", "b", "c"] and imp.importances[2, 0] == 0.0
    assert imp.provenance.method == "shapley_importance"
    assert FeatureImportance.from_json(imp.to_json()) == imp


def test_interval_covers_the_population_value() -> None:
    # |c x| for standard normal x has mean |c| sqrt(2 / pi)
    truth = np.abs(COEF[:2]) * np.sqrt(2 / np.pi)
    rng = np.random.default_rng(1)
    trials = 400
    covered = np.zeros(2)
    for _ in range(trials):
        imp = shapley_importance(_linear_explanation(rng, 100), confidence=0.9)
        covered += (imp.ci_low[:2, 0] <= truth) & (truth <= imp.ci_high[:2, 0])
    # 90% intervals over 800 trials (two features): 3.5 binomial standard deviations is 0.037
    assert abs(covered.sum() / (2 * trials) - 0.9) < 0.037


def test_estimation_error_is_added_to_the_spread_over_rows() -> None:
    # the same |phi| in every row: no spread, so the whole standard error is the attributions' own (0.3)
    values = np.array([[[1.0], [-2.0]], [[-1.0], [2.0]], [[1.0], [2.0]]])
    exp = Explanation(values, np.zeros((3, 1)), ["a", "b"], ["y"], stderr=np.full((3, 2, 1), 0.3))
    imp = shapley_importance(exp)
    np.testing.assert_allclose(imp.stderr, 0.3)
    np.testing.assert_allclose(imp.importances[:, 0], [1.0, 2.0])


def test_with_an_explainer_and_several_outputs(binary_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = binary_data
    model = LinearRegression().fit(X, y)
    exp = explicable.explain(model, X[:50], background=X[:100])
    imp = shapley_importance(exp)
    assert imp.shape == (5, 1) and imp.feature_names == exp.feature_names
    np.testing.assert_allclose(imp.importances[:, 0], np.abs(exp.values[:, :, 0]).mean(axis=0))


def test_dependence_data() -> None:
    exp = _linear_explanation(np.random.default_rng(2), 30)
    dep = shapley_dependence(exp, "b")
    np.testing.assert_array_equal(dep.values, exp.data[:, 1])
    np.testing.assert_array_equal(dep.attributions, exp.values[:, 1, :])
    np.testing.assert_allclose(dep.attributions[:, 0], -dep.values)  # phi_b = -x_b
    assert dep.stderr is None and dep.provenance == exp.provenance
    assert list(dep.to_frame().columns) == ["row", "b", "output", "attribution", "stderr"]
    assert DependenceData.from_dict(dep.to_dict()) == dep
    assert shapley_dependence(exp, 1) == dep


def test_bad_input() -> None:
    exp = _linear_explanation(np.random.default_rng(3), 5)
    with pytest.raises(InvalidParameterError):
        shapley_importance(exp.values)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError):
        shapley_importance(exp, confidence=95)
    with pytest.raises(InvalidParameterError):
        shapley_dependence(exp, "z")
    bare = Explanation(exp.values, exp.base_values, exp.feature_names, exp.output_names)
    with pytest.raises(InvalidDataError):
        shapley_dependence(bare, "a")
