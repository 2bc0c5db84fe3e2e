"""Attention rollout against a hand-computed two-layer example, matrix products and closed cases."""

from __future__ import annotations

import numpy as np
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.explainers.attention import (
    attention_rollout,
    augmented_attention,
    fuse_heads,
    raw_attention,
)

# A tiny two-layer, two-head transformer over T = 3 tokens. Row i of a map: what position i attends to.
LAYER_1 = np.array([
    [[1 / 2, 1 / 4, 1 / 4], [0, 1, 0], [1 / 2, 0, 1 / 2]],  # head a
    [[1 / 2, 1 / 4, 1 / 4], [0, 0, 1], [1 / 2, 1 / 2, 0]],  # head b
])
LAYER_2 = np.array([
    [[0, 1, 0], [1 / 2, 1 / 2, 0], [0, 0, 1]],
    [[0, 0, 1], [1 / 2, 1 / 2, 0], [0, 0, 1]],
])
ATTENTION = np.stack([LAYER_1, LAYER_2])  # (layers=2, heads=2, T=3, T=3)

# By hand. Head means: layer 1 [[1/2, 1/4, 1/4], [0, 1/2, 1/2], [1/2, 1/4, 1/4]],
# layer 2 [[0, 1/2, 1/2], [1/2, 1/2, 0], [0, 0, 1]]. With the residual 0.5: A_hat = I/2 + mean/2:
HAND_A1 = np.array([[3 / 4, 1 / 8, 1 / 8], [0, 3 / 4, 1 / 4], [1 / 4, 1 / 8, 5 / 8]])
HAND_A2 = np.array([[1 / 2, 1 / 4, 1 / 4], [1 / 4, 3 / 4, 0], [0, 0, 1]])
# R_2 = A_hat_2 @ A_hat_1, row by row:
# row 0 = 1/2 [3/4, 1/8, 1/8] + 1/4 [0, 3/4, 1/4] + 1/4 [1/4, 1/8, 5/8] = [7/16, 9/32, 9/32]
# row 1 = 1/4 [3/4, 1/8, 1/8] + 3/4 [0, 3/4, 1/4]                      = [3/16, 19/32, 7/32]
# row 2 = 1 [1/4, 1/8, 5/8]                                             = [1/4, 1/8, 5/8]
HAND_ROLLOUT = np.array([[7 / 16, 9 / 32, 9 / 32], [3 / 16, 19 / 32, 7 / 32], [1 / 4, 1 / 8, 5 / 8]])


def random_attention(rng: np.random.Generator, layers: int = 4, heads: int = 3, size: int = 6) -> np.ndarray:
    return rng.dirichlet(np.ones(size), size=(layers, heads, size))


def test_rollout_equals_the_hand_computed_two_layer_example():
    rolled = attention_rollout(ATTENTION)
    assert rolled.shape == (2, 3, 3)
    np.testing.assert_allclose(augmented_attention(ATTENTION), np.stack([HAND_A1, HAND_A2]), atol=1e-15)
    np.testing.assert_allclose(rolled[0], HAND_A1, atol=1e-15)
    np.testing.assert_allclose(rolled[1], HAND_ROLLOUT, atol=1e-15)
    # the [CLS] row: the first token keeps 7/16 of position 0's final representation
    np.testing.assert_allclose(rolled[-1][0], [0.4375, 0.28125, 0.28125], atol=1e-15)


def test_rollout_without_residual_is_the_product_of_head_means():
    # hand: mean_2 @ mean_1, row 0 = 1/2 [0, 1/2, 1/2] + 1/2 [1/2, 1/4, 1/4] = [1/4, 3/8, 3/8]
    rolled = attention_rollout(ATTENTION, residual=0.0)
    np.testing.assert_allclose(rolled[-1][0], [1 / 4, 3 / 8, 3 / 8], atol=1e-15)


def test_max_fusion_renormalises_rows_by_hand():
    # layer 2 heads' max: [[0, 1, 1], [1/2, 1/2, 0], [0, 0, 1]]; row 0 sums to 2 -> residual 0: [0, 1/2, 1/2]
    mixing = augmented_attention(ATTENTION, head_fusion="max", residual=0.0)
    np.testing.assert_allclose(mixing[1][0], [0, 1 / 2, 1 / 2], atol=1e-15)
    # with the residual 0.5: (I/2 + max/2) row 0 = [1/2, 1/2, 1/2], renormalised to thirds
    mixing = augmented_attention(ATTENTION, head_fusion="max")
    np.testing.assert_allclose(mixing[1][0], [1 / 3, 1 / 3, 1 / 3], atol=1e-15)
    np.testing.assert_allclose(fuse_heads(ATTENTION, "min")[1][0], [0, 0, 0], atol=0)


@pytest.mark.parametrize("fusion", ["mean", "max", "min"])
@pytest.mark.parametrize("residual", [0.0, 0.3, 0.5, 0.9])
def test_rollout_rows_sum_to_one_and_equal_explicit_matrix_products(fusion, residual):
    rng = np.random.default_rng(7)
    attention = random_attention(rng)
    rolled = attention_rollout(attention, head_fusion=fusion, residual=residual)
    np.testing.assert_allclose(rolled.sum(axis=-1), 1.0, atol=1e-12)
    assert (rolled >= 0).all()
    # explicit: fuse, add the residual, renormalise, multiply from the last layer down
    fused = {"mean": attention.mean(axis=1), "max": attention.max(axis=1), "min": attention.min(axis=1)}[fusion]
    mats = residual * np.eye(6) + (1 - residual) * fused
    mats = mats / mats.sum(axis=-1, keepdims=True)
    for layer in range(4):
        expected = np.linalg.multi_dot([*mats[layer::-1], np.eye(6)])
        np.testing.assert_allclose(rolled[layer], expected, atol=1e-12)


def test_identity_attention_rolls_out_to_the_identity():
    identity = np.broadcast_to(np.eye(5), (3, 2, 5, 5))
    for residual in (0.0, 0.5, 1.0):
        np.testing.assert_allclose(attention_rollout(identity, residual=residual), np.broadcast_to(np.eye(5),
                                   (3, 5, 5)), atol=0)


def test_full_residual_ignores_attention():
    rng = np.random.default_rng(1)
    np.testing.assert_allclose(attention_rollout(random_attention(rng), residual=1.0)[-1], np.eye(6), atol=0)


def test_start_layer_skips_the_first_layers():
    rng = np.random.default_rng(2)
    attention = random_attention(rng)
    rolled = attention_rollout(attention, start_layer=2)
    np.testing.assert_allclose(rolled[:2], np.broadcast_to(np.eye(6), (2, 6, 6)), atol=0)
    np.testing.assert_allclose(rolled[-1], attention_rollout(attention[2:])[-1], atol=1e-14)


def test_three_dimensional_input_is_one_head():
    rng = np.random.default_rng(3)
    attention = random_attention(rng, heads=1)
    np.testing.assert_allclose(attention_rollout(attention[:, 0]), attention_rollout(attention), atol=0)


def test_raw_attention_reads_one_layer_row():
    np.testing.assert_allclose(raw_attention(ATTENTION), [0, 1 / 2, 1 / 2], atol=0)
    np.testing.assert_allclose(raw_attention(ATTENTION, layer=0, target_position=1), [0, 1 / 2, 1 / 2], atol=0)
    np.testing.assert_allclose(raw_attention(ATTENTION, layer=0, head_fusion="max"), [1 / 2, 1 / 4, 1 / 4], atol=0)
    np.testing.assert_allclose(raw_attention(ATTENTION, target_position="mean"), [1 / 6, 1 / 3, 1 / 2], atol=1e-15)


@pytest.mark.parametrize(("attention", "match"), [
    (np.ones((2, 3, 4)), "shape"),
    (np.ones((3, 3)), "shape"),
    (np.zeros((0, 1, 3, 3)), "shape"),
    (-np.ones((1, 1, 2, 2)), "non-negative"),
    (np.full((1, 1, 2, 2), np.nan), "finite"),
    ("abc", "attention"),
])
def test_bad_attention_is_refused(attention, match):
    with pytest.raises(InvalidDataError, match=match):
        attention_rollout(attention)


def test_zero_rows_need_the_residual():
    attention = np.zeros((1, 1, 2, 2))
    np.testing.assert_allclose(attention_rollout(attention)[-1], np.eye(2))
    with pytest.raises(InvalidDataError, match="rows with some weight"):
        attention_rollout(attention, residual=0.0)


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"head_fusion": "sum"}, "head_fusion"),
    ({"residual": 1.5}, "residual"),
    ({"residual": -0.1}, "residual"),
    ({"start_layer": 2}, "start_layer"),
    ({"start_layer": -1}, "start_layer"),
])
def test_bad_parameters_are_refused(kwargs, parameter):
    with pytest.raises(InvalidParameterError) as err:
        attention_rollout(ATTENTION, **kwargs)
    assert err.value.parameter == parameter


def test_raw_attention_parameters_are_checked():
    with pytest.raises(InvalidParameterError, match="layer"):
        raw_attention(ATTENTION, layer=2)
    with pytest.raises(InvalidParameterError, match="target_position"):
        raw_attention(ATTENTION, target_position=3)
    with pytest.raises(InvalidParameterError, match="target_position"):
        raw_attention(ATTENTION, target_position="cls")
