"""LIME against lime 0.2.0.1 and closed forms, on models where the answer is known."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import spearmanr

from explicable import FunctionModel, LowFidelityWarning
from explicable.explainers.surrogate import LimeTabular

lime_tabular = pytest.importorskip("lime.lime_tabular")

rng = np.random.default_rng(11)
X = rng.normal(size=(500, 5)) * [1.0, 2.0, 0.5, 3.0, 1.0] + [1.0, -1.0, 0.0, 2.0, 0.0]
W = np.array([2.0, -0.5, 3.0, 0.2, -1.0])


def linear(A: np.ndarray) -> np.ndarray:
    return A @ W + 1.0


def lime_weights(row: np.ndarray, *, discretize: bool, predict: object = linear) -> tuple[np.ndarray, float]:
    explainer = lime_tabular.LimeTabularExplainer(X, mode="regression", discretize_continuous=discretize,
                                                  random_state=0)
    exp = explainer.explain_instance(row, predict, num_features=5, num_samples=5000)
    weights = np.zeros(5)
    for j, w in exp.as_map()[1]:  # lime keeps a regression under label 1 (label 0 is its mirror image)
        weights[j] = w
    return weights, float(exp.intercept[1])


@pytest.mark.parametrize("i", [0, 1, 2])
def test_continuous_linear_model_matches_lime_and_the_closed_form(i: int) -> None:
    """Both fit w_j * std_j on standardised features; times z_j(x) that is w_j * (x_j - mean_j)."""
    row = X[i]
    closed = W * (row - X.mean(axis=0))
    theirs, _ = lime_weights(row, discretize=False)
    theirs_attr = theirs * (row - X.mean(axis=0)) / X.std(axis=0)
    model = FunctionModel(linear, n_features=5)
    ours = LimeTabular(model, mode="continuous", random_state=0).fit(X).explain(X[i:i + 1])
    # lime's ridge (alpha 1) shrinks by alpha / sum of weights; so does ours: both within 1% of the closed form
    np.testing.assert_allclose(theirs_attr, closed, rtol=0.01, atol=1e-3)
    np.testing.assert_allclose(ours.values[0, :, 0], closed, rtol=0.01, atol=1e-3)


@pytest.mark.parametrize("i", [3, 4])
def test_quartile_mode_agrees_with_lime_in_sign_and_order(i: int) -> None:
    """Same quartiles, same kernel, same ridge: the coefficients agree in sign and rank; sizes within noise."""
    theirs, _ = lime_weights(X[i], discretize=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowFidelityWarning)
        ours = LimeTabular(FunctionModel(linear, n_features=5), random_state=0).fit(X).explain(X[i:i + 1])
    v = ours.values[0, :, 0]
    big = np.abs(theirs) > 0.2
    np.testing.assert_array_equal(np.sign(v[big]), np.sign(theirs[big]))
    assert spearmanr(np.abs(v), np.abs(theirs)).statistic > 0.8
    se = ours.stderr[0, :, 0]
    # lime samples values inside a bin from a truncated normal, we from the data: a small systematic gap
    assert np.all(np.abs(v - theirs) < 4 * se + 0.1 * np.abs(theirs) + 0.05)


def test_quartile_coefficients_equal_lime_on_a_model_of_the_bins() -> None:
    """f = sum c_j [x_j <= q25_j], row in the bottom quartiles: both recover c (up to lime's ridge shrinkage)."""
    q1 = np.percentile(X, 25, axis=0)
    c = np.array([1.0, -2.0, 0.5, 0.0, 3.0])

    def bins(A: np.ndarray) -> np.ndarray:
        return (q1 >= A) @ c

    row = np.minimum(X[0], q1 - 0.01)
    theirs, _ = lime_weights(row, discretize=True, predict=bins)
    ours = LimeTabular(FunctionModel(bins, n_features=5), random_state=0).fit(X).explain(row[None])
    np.testing.assert_allclose(theirs, c, atol=0.01)
    np.testing.assert_allclose(ours.values[0, :, 0], c, atol=0.01)
