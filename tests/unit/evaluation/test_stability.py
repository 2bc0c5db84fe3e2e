"""Top-k stability across seeds and noise, and max-sensitivity, on explainers whose behaviour is known."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pytest

import explicable
from explicable import InvalidParameterError
from explicable.core.validation import Table
from explicable.evaluation import max_sensitivity, stability
from explicable.explainers.base import Attribution, Explainer
from explicable.models.base import ModelAdapter

# rows 0-4: feature 0 leads by far; rows 5-9: features 0 and 1 tie, so seeded noise decides the top-1
BASE = np.array([[5.0, 1.0, 0.5]] * 5 + [[3.0, 3.0, 0.5]] * 5)


def noisy_factory(seed: int) -> Any:
    noise = np.random.default_rng(seed).normal(scale=0.01, size=BASE.shape)
    return lambda X: BASE + noise


class NoisyExplainer(Explainer):
    """An Explainer whose attributions are BASE plus noise drawn from its seed."""

    method = "noisy"

    def __init__(self, model: Any, *, random_state: int | None = None) -> None:
        super().__init__(model)
        self.random_state = random_state

    def fit(self, background: Any = None) -> Self:
        self.seed_ = self.random_state
        self.fingerprint_ = "none"
        return self

    def _attribute(self, model: ModelAdapter, table: Table) -> Attribution:
        noise = np.random.default_rng(self.seed_).normal(scale=0.01, size=BASE.shape)
        return Attribution((BASE + noise)[:, :, None], np.zeros((10, 1)), ("a", "b", "c"), table.values, "raw")


def test_tied_rows_are_unstable_and_the_others_stable() -> None:
    result = stability(noisy_factory, np.zeros((10, 3)), seeds=10, k=1, random_state=0)
    np.testing.assert_array_equal(result.per_row, [1.0] * 5 + [0.0] * 5)
    assert result.value == 0.5 and not result.passed
    assert stability(noisy_factory, np.zeros((10, 3)), seeds=10, k=1, threshold=0.5, random_state=0).passed
    # the top-2 sets are {0, 1} in every run
    assert stability(noisy_factory, np.zeros((10, 3)), seeds=10, k=2, random_state=0).value == 1.0


def test_an_explainer_is_refitted_with_each_seed() -> None:
    model = explicable.FunctionModel(lambda X: X.sum(axis=1), feature_names=["a", "b", "c"])
    explainer = NoisyExplainer(model, random_state=7).fit()
    result = stability(explainer, np.zeros((10, 3)), seeds=[1, 2, 3, 4, 5, 6], k=1, background=np.zeros((1, 3)))
    assert result.value == 0.5 and result.details["seeds"] == [1, 2, 3, 4, 5, 6]
    assert explainer.random_state == 7 and explainer.seed_ == 7
    with pytest.raises(InvalidParameterError, match="background"):
        stability(explainer, np.zeros((10, 3)), seeds=3)


def test_mean_jaccard_closed_form() -> None:
    # seed parity decides the top-2 set: {0, 1} or {0, 2}; their Jaccard index is 1/3
    def factory(seed: int) -> Any:
        return lambda X: np.array([[5.0, 2.0, 1.0]]) if seed % 2 else np.array([[5.0, 1.0, 2.0]])

    result = stability(factory, np.zeros((1, 3)), seeds=[1, 2], k=2)
    assert result.value == 0.0 and result.details["mean_jaccard"] == pytest.approx(1 / 3)
    three = stability(factory, np.zeros((1, 3)), seeds=[1, 2, 3], k=2)  # pairs: 1/3, 1, 1/3
    assert three.details["mean_jaccard"] == pytest.approx(5 / 9)


def test_noise_flips_rows_near_a_tie_only() -> None:
    X = np.array([[10.0, 0.0, 1.0], [0.0, 10.0, 2.0], [5.0, 5.001, 3.0], [5.0, 5.0, 4.0]])
    deterministic = lambda seed: (lambda Z: Z[:, :2])  # noqa: E731 (attribution = the first two inputs)
    assert stability(deterministic, X, seeds=5, k=1, random_state=0).value == 1.0
    noisy = stability(deterministic, X, seeds=10, k=1, noise=0.05, random_state=0)
    np.testing.assert_array_equal(noisy.per_row, [1.0, 1.0, 0.0, 0.0])


def test_linear_shapley_values_are_stable() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 6))
    model = explicable.FunctionModel(lambda Z: Z @ np.arange(1.0, 7.0), feature_names=list("abcdef"))
    factory = lambda seed: (lambda Z: explicable.explain(model, Z, background=X, method="permutation",  # noqa: E731
                                                         random_state=seed))
    result = stability(factory, X[:8], seeds=3, random_state=0)
    assert result.passed and result.value == 1.0 and result.details["k"] == 5


def test_stability_bad_parameters() -> None:
    with pytest.raises(InvalidParameterError, match="seeds"):
        stability(noisy_factory, np.zeros((10, 3)), seeds=1)
    with pytest.raises(InvalidParameterError, match="noise"):
        stability(noisy_factory, np.zeros((10, 3)), noise=-0.1)
    with pytest.raises(InvalidParameterError, match="explainer"):
        stability(lambda seed: 3, np.zeros((10, 3)))
    with pytest.raises(InvalidParameterError, match="k"):
        stability(noisy_factory, np.zeros((10, 3)), k=4)


def test_max_sensitivity_bounds() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(15, 4))
    constant = max_sensitivity(lambda Z: np.ones_like(Z), X, random_state=0)
    assert constant.value == 0.0 and constant.passed
    identity = max_sensitivity(lambda Z: Z, X, radius=0.05, scale=1.0, random_state=0)
    typical = np.linalg.norm(X, axis=1).mean()
    # |delta_j| <= 0.05, so ||delta|| <= 0.05 * sqrt(4) and never 0
    assert np.all(identity.per_row <= 0.1 / typical + 1e-12) and np.all(identity.per_row > 0)
    again = max_sensitivity(lambda Z: Z, X, radius=0.05, scale=1.0, random_state=0)
    np.testing.assert_array_equal(identity.per_row, again.per_row)


def test_max_sensitivity_flags_a_jumpy_explainer() -> None:
    X = np.array([[0.5, 1.0], [-0.5, 1.0], [0.001, 1.0]])
    jumpy = lambda Z: np.sign(Z) * 10.0  # noqa: E731
    result = max_sensitivity(jumpy, X, scale=1.0, n_samples=20, random_state=0)
    np.testing.assert_allclose(result.per_row[:2], 0.0)
    assert result.per_row[2] == pytest.approx(20.0 / np.linalg.norm([10.0, 10.0]))
    assert not result.passed
