"""Partial dependence and ICE: hand-computed curves, centring, the error bar, batching, the result type."""

from __future__ import annotations

import numpy as np
import pytest

from explicable import FunctionModel, InvalidParameterError
from explicable.core import FeatureEffect
from explicable.explainers.perturbation import partial_dependence


def _product_model() -> FunctionModel:
    return FunctionModel(lambda X: np.column_stack([X[:, 0] * X[:, 1], X[:, 0] + X[:, 2]]),
                         output_names=["prod", "sum"], feature_names=["a", "b", "c"])


@pytest.fixture(scope="module")
def X() -> np.ndarray:  # noqa: N802 - the data, named as everywhere else
    return np.random.default_rng(0).normal(size=(60, 3))


def test_pd_of_a_product_is_the_grid_times_the_mean(X: np.ndarray) -> None:
    effect = partial_dependence(_product_model(), X, "a", grid_resolution=7, percentiles=(0, 1))
    grid = np.linspace(X[:, 0].min(), X[:, 0].max(), 7)
    np.testing.assert_allclose(effect.grid[0], grid, atol=1e-12)
    np.testing.assert_allclose(effect.average[:, 0], grid * X[:, 1].mean(), atol=1e-12)
    np.testing.assert_allclose(effect.average[:, 1], grid + X[:, 2].mean(), atol=1e-12)
    assert effect.kind == "pdp" and effect.individual is None and effect.average.shape == (7, 2)


def test_two_way_pd_surface(X: np.ndarray) -> None:
    effect = partial_dependence(_product_model(), X, ["a", "b"], grid_resolution=5, target="prod")
    a, b = effect.grid
    np.testing.assert_allclose(effect.average[..., 0], np.outer(a, b), atol=1e-12)
    assert effect.average.shape == (5, 5, 1) and effect.output_names == ("prod",)


def test_ice_curves_and_centring(X: np.ndarray) -> None:
    effect = partial_dependence(_product_model(), X, 0, kind="individual", grid_resolution=4, centered=True)
    grid = effect.grid[0]
    expected = X[:, 1:2] * (grid - grid[0])  # each row's curve x_b * (v - v_0)
    np.testing.assert_allclose(effect.individual[..., 0], expected, atol=1e-12)
    np.testing.assert_allclose(effect.average, effect.individual.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(effect.average[0], 0.0, atol=1e-15)
    assert effect.kind == "ice" and effect.centered


def test_stderr_is_the_spread_of_the_ice_curves_over_the_rows(X: np.ndarray) -> None:
    effect = partial_dependence(_product_model(), X, "a", kind="both", grid_resolution=6)
    expected = effect.individual.std(axis=0, ddof=1) / np.sqrt(X.shape[0])
    np.testing.assert_allclose(effect.stderr, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("batch", [1, 7, 59, 61, 1000])
def test_results_do_not_depend_on_the_batch_size(X: np.ndarray, batch: int) -> None:
    model = _product_model()
    reference = partial_dependence(model, X, ["a", "c"], kind="both", grid_resolution=5, centered=True)
    model.reset_counts()
    batched = partial_dependence(model, X, ["a", "c"], kind="both", grid_resolution=5, centered=True,
                                 max_batch_rows=batch)
    np.testing.assert_allclose(batched.individual, reference.individual, rtol=0, atol=1e-12)
    np.testing.assert_allclose(batched.average, reference.average, rtol=0, atol=1e-12)
    np.testing.assert_allclose(batched.stderr, reference.stderr, rtol=1e-9, atol=1e-12)
    assert model.n_rows == X.shape[0] * 25  # every (row, grid point) evaluated once


def test_few_calls_on_large_batches(X: np.ndarray) -> None:
    model = _product_model()
    partial_dependence(model, X, "a", grid_resolution=50)
    assert model.n_calls == 1 and model.n_rows == 60 * 50


def test_categorical_feature_uses_its_categories() -> None:
    X = np.array([["red", 1.0], ["blue", 2.0], ["red", 3.0], ["green", 6.0]], dtype=object)
    model = FunctionModel(lambda Z: np.where(Z[:, 0] == "red", 10.0, 0.0) + Z[:, 1].astype(float),
                          feature_names=["colour", "x"], accepts_strings=True)
    effect = partial_dependence(model, X, "colour")
    assert effect.grid[0].tolist() == ["blue", "green", "red"]
    np.testing.assert_allclose(effect.average[:, 0], [3.0, 3.0, 13.0])
    assert effect.to_frame()["colour"].tolist() == ["blue", "green", "red"]


def test_custom_grid(X: np.ndarray) -> None:
    effect = partial_dependence(_product_model(), X, "a", custom_values={"a": [-1.0, 0.0, 2.0]})
    np.testing.assert_allclose(effect.average[:, 0], np.array([-1.0, 0.0, 2.0]) * X[:, 1].mean(), atol=1e-12)


def test_bad_settings_name_the_parameter(X: np.ndarray) -> None:
    model = _product_model()
    cases = [({"features": "nope"}, "features"), ({"features": ["a", "b", "c"]}, "features"),
             ({"features": "a", "kind": "mean"}, "kind"), ({"features": "a", "grid_resolution": 1}, "grid_resolution"),
             ({"features": "a", "percentiles": (0.9, 0.1)}, "percentiles"),
             ({"features": "a", "method": "recursion"}, "method"), ({"features": "a", "target": "z"}, "target")]
    for kwargs, parameter in cases:
        with pytest.raises(InvalidParameterError) as info:
            partial_dependence(model, X, **kwargs)
        assert info.value.parameter == parameter


def test_result_round_trips_through_json_and_is_read_only(X: np.ndarray) -> None:
    effect = partial_dependence(_product_model(), X, ["a", "b"], kind="both", grid_resolution=3)
    again = FeatureEffect.from_json(effect.to_json())
    assert again == effect
    with pytest.raises(ValueError):
        effect.average[0, 0, 0] = 1.0
    assert effect.provenance.method == "partial_dependence"
    assert effect.provenance.budget_used == 60 * 9
    frame = effect.to_frame()
    assert frame.shape == (3 * 3 * 2, 5) and list(frame.columns) == ["a", "b", "output", "value", "stderr"]
