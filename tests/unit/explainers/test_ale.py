"""ALE against values derived by hand (Apley & Zhu 2020, centred as the authors' ALEPlot)."""

from __future__ import annotations

import numpy as np
import pytest

from explicable import FunctionModel, InvalidDataError, InvalidParameterError
from explicable.core import FeatureEffect
from explicable.explainers.perturbation import ale


def _kinked(t: np.ndarray) -> np.ndarray:
    """Piecewise linear: slope 2 up to 0.5, then slope -4."""
    return np.where(t <= 0.5, 2.0 * t, 1.0 - 4.0 * (t - 0.5))


@pytest.fixture(scope="module")
def grid_data() -> np.ndarray:
    # x0 = 0, 0.01, ..., 1 (101 rows): with 4 bins the quantile edges are 0, .25, .5, .75, 1 and the bins hold
    # 26 (0 to .25, the lowest edge included), 25, 25 and 25 rows
    x0 = np.linspace(0.0, 1.0, 101)
    return np.column_stack([x0, np.random.default_rng(0).normal(size=101)])


def test_additive_piecewise_linear_model(grid_data: np.ndarray) -> None:
    model = FunctionModel(lambda X: _kinked(X[:, 0]) + 3.0 * X[:, 1], feature_names=["a", "b"])
    effect = ale(model, grid_data, "a", bins=4, n_bootstrap=0)
    np.testing.assert_allclose(effect.grid[0], [0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(effect.counts, [26, 25, 25, 25])
    # h at the edges: 0, .5, 1, 0, -1; bin middles .25, .75, .5, -.5; their row-weighted mean
    # (26 * .25 + 25 * (.75 + .5 - .5)) / 101 = 25.25 / 101 = .25 is taken off
    np.testing.assert_allclose(effect.average[:, 0], [-0.25, 0.25, 0.75, -0.25, -1.25], atol=1e-12)
    assert effect.kind == "ale" and effect.centered and effect.stderr is None


def test_interaction_with_a_correlated_feature_uses_only_the_rows_in_each_bin(grid_data: np.ndarray) -> None:
    X = np.column_stack([grid_data[:, 0], grid_data[:, 0]])  # x1 = x0: PD would extrapolate, ALE does not
    model = FunctionModel(lambda X: X[:, 0] * X[:, 1], feature_names=["a", "b"])
    effect = ale(model, X, "a", bins=4, n_bootstrap=0)
    # bin k's local effect is 0.25 * (mean of x1 over the bin's rows): 0.125, 0.38, 0.63, 0.88
    local = 0.25 * np.array([0.125, 0.38, 0.63, 0.88])
    uncentred = np.concatenate([[0.0], np.cumsum(local)])
    middles = (uncentred[:-1] + uncentred[1:]) / 2
    centre = (26 * middles[0] + 25 * middles[1:].sum()) / 101
    np.testing.assert_allclose(effect.average[:, 0], uncentred - centre, atol=1e-12)


def test_ordinal_feature_gets_one_edge_per_level() -> None:
    levels = np.array([1.0, 2.0, 2.0, 3.0, 5.0, 5.0])
    model = FunctionModel(lambda X: X[:, 0] ** 2, feature_names=["grade"])
    effect = ale(model, levels[:, None], "grade", bins=10, n_bootstrap=0)
    np.testing.assert_array_equal(effect.grid[0], [1.0, 2.0, 3.0, 5.0])
    np.testing.assert_array_equal(effect.counts, [3, 1, 2])  # 1 and 2 fall in the first bin
    uncentred = np.array([1.0, 4.0, 9.0, 25.0]) - 1.0
    middles = (uncentred[:-1] + uncentred[1:]) / 2
    np.testing.assert_allclose(effect.average[:, 0], uncentred - (middles @ [3, 1, 2]) / 6, atol=1e-12)


def test_second_order_effect_of_an_additive_model_is_zero(grid_data: np.ndarray) -> None:
    model = FunctionModel(lambda X: _kinked(X[:, 0]) + np.sin(X[:, 1]), feature_names=["a", "b"])
    effect = ale(model, grid_data, ["a", "b"], bins=5, n_bootstrap=0)
    assert effect.average.shape == (6, 6, 1) and effect.counts.shape == (5, 5)
    np.testing.assert_allclose(effect.average, 0.0, atol=1e-12)


def test_second_order_effect_of_a_product_by_hand() -> None:
    # full factorial of x0, x1 in {0, 1, 2}: edges 0, 1, 2 per feature; values 0 and 1 fall in the first bin,
    # so the cells hold [[4, 2], [2, 1]] rows. Every cell's cross-difference of x0 * x1 is 1, so the
    # accumulated surface is i * j. Its main effect along x0 is the count-weighted mean of the steps
    # ((0 + 1) / 2 * 4 + (1 + 2) / 2 * 2) / 6 = 5/6 per bin, i.e. [0, 5/6, 10/6], and the same along x1.
    # Removing both leaves [[0, -5, -10], [-5, -4, -3], [-10, -3, 4]] / 6; its cells' corner means are
    # -14/24, -22/24, -22/24, -6/24 with weights 4, 2, 2, 1, a mean of -150/216, which is taken off.
    x = np.array([(a, b) for a in (0.0, 1.0, 2.0) for b in (0.0, 1.0, 2.0)])
    model = FunctionModel(lambda X: X[:, 0] * X[:, 1], feature_names=["a", "b"])
    effect = ale(model, x, ["a", "b"], bins=2, n_bootstrap=0)
    np.testing.assert_array_equal(effect.counts, [[4, 2], [2, 1]])
    expected = np.array([[0, -5, -10], [-5, -4, -3], [-10, -3, 4]]) / 6 + 150 / 216
    np.testing.assert_allclose(effect.average[..., 0], expected, atol=1e-12)


def test_empty_cells_take_the_nearest_cells_effect() -> None:
    # x1 = x0 on a diagonal: only the diagonal cells have rows
    x = np.column_stack([np.arange(6.0), np.arange(6.0)])
    model = FunctionModel(lambda X: X[:, 0] * X[:, 1], feature_names=["a", "b"])
    effect = ale(model, x, ["a", "b"], bins=5, n_bootstrap=0)
    assert (np.diag(effect.counts) > 0).all() and effect.counts.sum() == 6
    assert np.isfinite(effect.average).all()


def test_bootstrap_stderr_is_seeded_and_shrinks_with_more_rows() -> None:
    def run(n: int, seed: int) -> FeatureEffect:
        rng = np.random.default_rng(n)
        X = np.column_stack([rng.uniform(size=n), rng.normal(size=n)])
        model = FunctionModel(lambda X: X[:, 0] * X[:, 1], feature_names=["a", "b"])
        return ale(model, X, "a", bins=5, n_bootstrap=50, random_state=seed)

    small, again, other, large = run(400, 1), run(400, 1), run(400, 2), run(6400, 1)
    np.testing.assert_array_equal(small.stderr, again.stderr)
    assert not np.array_equal(small.stderr, other.stderr)
    assert small.provenance.random_state == 1
    ratio = np.median(large.stderr[1:] / small.stderr[1:])
    assert 0.15 < ratio < 0.4  # ~ 1/4 for 16 times the rows


def test_nominal_and_constant_features_are_refused() -> None:
    X = np.array([["a", 1.0], ["b", 1.0]], dtype=object)
    model = FunctionModel(lambda Z: Z[:, 1].astype(float), feature_names=["c", "x"], accepts_strings=True)
    with pytest.raises(InvalidParameterError) as info:
        ale(model, X, "c")
    assert info.value.parameter == "features"
    with pytest.raises(InvalidDataError):
        ale(model, X, "x")


def test_json_round_trip(grid_data: np.ndarray) -> None:
    model = FunctionModel(lambda X: X[:, 0] * X[:, 1], feature_names=["a", "b"])
    effect = ale(model, grid_data, ["a", "b"], bins=3, n_bootstrap=5, random_state=0)
    assert FeatureEffect.from_json(effect.to_json()) == effect
