"""Attention flow against hand-computed flows, brute-force minimum cuts, networkx and rollout bounds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.explainers.attention import MAX_FLOW_EDGES, attention_flow, attention_rollout, augmented_attention

# The two-layer, two-head, T = 3 example of test_attention_rollout: with the residual 0.5,
# A_hat_1 = [[3/4, 1/8, 1/8], [0, 3/4, 1/4], [1/4, 1/8, 5/8]] and A_hat_2 row 0 = [1/2, 1/4, 1/4].
ATTENTION = np.stack([
    np.array([[[1 / 2, 1 / 4, 1 / 4], [0, 1, 0], [1 / 2, 0, 1 / 2]],
              [[1 / 2, 1 / 4, 1 / 4], [0, 0, 1], [1 / 2, 1 / 2, 0]]]),
    np.array([[[0, 1, 0], [1 / 2, 1 / 2, 0], [0, 0, 1]],
              [[0, 0, 1], [1 / 2, 1 / 2, 0], [0, 0, 1]]]),
])
# By hand: from input j, the routes j -> (layer 1, i) -> (layer 2, 0) are disjoint, each carrying
# min(A_hat_1[i, j], A_hat_2[0, i]):
#   j = 0: min(3/4, 1/2) + min(0, 1/4) + min(1/4, 1/4)   = 3/4
#   j = 1: min(1/8, 1/2) + min(3/4, 1/4) + min(1/8, 1/4) = 1/2
#   j = 2: min(1/8, 1/2) + min(1/4, 1/4) + min(5/8, 1/4) = 5/8
HAND_FLOW = np.array([3 / 4, 1 / 2, 5 / 8])
# Rounding of capacities to multiples of 2**-30: a few edges of error 2**-31 each.
TOL = 1e-8


def brute_force_flow(mixing: np.ndarray, source: int, target: int) -> float:
    """Max flow as the minimum cut, by enumerating every cut of the layered graph (tiny graphs only)."""
    layers, size = mixing.shape[0], mixing.shape[-1]
    edges = [((layer - 1) * size + j, layer * size + i, mixing[layer - 1][i, j])
             for layer in range(1, layers + 1) for i in range(size) for j in range(size)]
    src, sink = source, layers * size + target
    others = [v for v in range((layers + 1) * size) if v not in (src, sink)]
    best = np.inf
    for bits in itertools.product((False, True), repeat=len(others)):
        side = {src} | {v for v, b in zip(others, bits, strict=True) if b}
        best = min(best, sum(c for u, v, c in edges if u in side and v not in side))
    return float(best)


def test_flow_equals_the_hand_computed_example():
    np.testing.assert_allclose(attention_flow(ATTENTION), HAND_FLOW, atol=TOL)
    np.testing.assert_allclose(attention_flow(ATTENTION, normalize=True), HAND_FLOW / HAND_FLOW.sum(), atol=TOL)


def test_flow_of_one_layer_is_the_target_row():
    rng = np.random.default_rng(0)
    attention = rng.dirichlet(np.ones(5), size=(1, 2, 5))
    mixing = augmented_attention(attention)
    for target in range(5):
        np.testing.assert_allclose(attention_flow(attention, target_position=target), mixing[0][target], atol=TOL)


@pytest.mark.parametrize("seed", range(3))
def test_flow_equals_the_brute_force_minimum_cut(seed):
    rng = np.random.default_rng(seed)
    layers, size = (2, 3) if seed < 2 else (3, 3)
    # sparse-ish maps (Dirichlet 0.5) so that cuts differ from the trivial ones
    attention = rng.dirichlet(np.full(size, 0.5), size=(layers, 2, size))
    mixing = augmented_attention(attention, residual=0.3)
    flows = attention_flow(attention, residual=0.3, target_position=1)
    expected = [brute_force_flow(mixing, j, 1) for j in range(size)]
    np.testing.assert_allclose(flows, expected, atol=TOL)


def test_flow_agrees_with_networkx_edmonds_karp():
    nx = pytest.importorskip("networkx")
    rng = np.random.default_rng(4)
    layers, size = 3, 6
    attention = rng.dirichlet(np.full(size, 0.4), size=(layers, 4, size))
    mixing = augmented_attention(attention, head_fusion="max")
    graph = nx.DiGraph()
    for layer in range(1, layers + 1):
        for i in range(size):
            for j in range(size):
                graph.add_edge((layer - 1, j), (layer, i), capacity=float(mixing[layer - 1][i, j]))
    expected = [nx.maximum_flow_value(graph, (0, j), (layers, 0), flow_func=nx.algorithms.flow.edmonds_karp)
                for j in range(size)]
    np.testing.assert_allclose(attention_flow(attention, head_fusion="max"), expected, atol=TOL)
    # "mean": a sink fed by every top position through capacity 1/T
    for i in range(size):
        graph.add_edge((layers, i), "sink", capacity=1 / size)
    expected = [nx.maximum_flow_value(graph, (0, j), "sink") for j in range(size)]
    np.testing.assert_allclose(attention_flow(attention, head_fusion="max", target_position="mean"), expected,
                               atol=TOL)


@pytest.mark.parametrize("residual", [0.0, 0.5, 0.8])
def test_flow_is_between_rollout_and_one(residual):
    # path products form a feasible flow (each edge carries at most its weight), so flow >= rollout
    rng = np.random.default_rng(5)
    attention = rng.dirichlet(np.full(8, 0.3), size=(4, 2, 8))
    for target in (0, 3):
        flows = attention_flow(attention, residual=residual, target_position=target)
        rolled = attention_rollout(attention, residual=residual)[-1][target]
        assert (flows >= rolled - TOL).all()
        assert (flows <= 1 + TOL).all()
        # and at most what leaves the token at the first layer, or enters the target at the last
        mixing = augmented_attention(attention, residual=residual)
        assert (flows <= mixing[0].sum(axis=0) + TOL).all()


def test_flow_refuses_graphs_past_the_limit():
    size = int(np.sqrt(MAX_FLOW_EDGES)) + 1
    attention = np.full((1, 1, size, size), 1.0 / size)
    with pytest.raises(InvalidParameterError, match="attention flow") as err:
        attention_flow(attention)
    assert err.value.parameter == "attention"


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"target_position": 3}, "target_position"),
    ({"target_position": "cls"}, "target_position"),
    ({"target_position": 1.0}, "target_position"),
    ({"normalize": 1}, "normalize"),
    ({"residual": 2}, "residual"),
    ({"head_fusion": "median"}, "head_fusion"),
])
def test_bad_parameters_are_refused(kwargs, parameter):
    with pytest.raises(InvalidParameterError) as err:
        attention_flow(ATTENTION, **kwargs)
    assert err.value.parameter == parameter


def test_bad_attention_is_refused():
    with pytest.raises(InvalidDataError):
        attention_flow(np.ones((2, 3)))
