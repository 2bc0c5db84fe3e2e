"""Attention flow (Abnar & Zuidema 2020): the maximum flow from each input token to a position at the top layer.

The attention graph is a layered DAG: one node per (layer, position), layer 0 being the input tokens; the
node of position ``j`` at layer ``l - 1`` feeds the node of position ``i`` at layer ``l`` through an edge of
capacity ``A_hat_l[i, j]``, the residual-augmented, head-fused attention of :func:`augmented_attention`.
Where rollout multiplies weights along paths and sums the paths, flow treats the weights as capacities and
asks how much can pass at once from an input token to the explained position, so a token's score is limited
by the narrowest layer of its routes instead of shrinking with every layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from explicable.core.errors import InvalidParameterError
from explicable.core.validation import check_int
from explicable.explainers.attention._rollout import augmented_attention

__all__ = ["FLOW_SCALE", "MAX_FLOW_EDGES", "attention_flow"]

#: Capacities are scaled by this and rounded to integers (scipy's solver is exact on int32 capacities): each
#: edge is off by at most 2**-31, so a flow is off by at most (edges in its minimum cut) * 2**-31 (below 1e-6
#: for any cut of fewer than 2,000 edges). 2**30 keeps every capacity and the flow (at most 1) in int32.
FLOW_SCALE = 2**30

#: The largest graph (layers * T**2 edges) :func:`attention_flow` accepts. Flow solves one maximum-flow
#: problem per token, so its cost grows like layers * T**3; measured on one CPU core with dense random maps:
#: 6 layers at T = 128 (98,304 edges) 0.4 s, 12 layers at T = 128 1.2 s, the limit (12 layers at T = 256)
#: 12 s. Past it, rollout (cost layers * T**3 in one matrix product per layer, milliseconds) is the tool.
MAX_FLOW_EDGES = 786_432


def attention_flow(attention: Any, *, head_fusion: str = "mean", residual: float = 0.5,
                   target_position: int | str = 0, normalize: bool = False) -> np.ndarray:
    """Maximum flow from each input token to the target position's node at the top layer (shape (T,)).

    Parameters
    ----------
    attention : array of shape (layers, heads, T, T) or (layers, T, T)
        Attention weights per layer (and head); row ``i`` of a map is what position ``i`` attends to.
    head_fusion : {"mean", "max", "min"}, default "mean"
        How the heads of a layer are combined (see :func:`fuse_heads`).
    residual : float in [0, 1], default 0.5
        Weight of the residual connection in each layer's capacities (see :func:`augmented_attention`).
    target_position : int or "mean", default 0
        The explained position at the top layer (0: [CLS]). "mean" adds a sink fed by every top-layer
        position through an edge of capacity 1/T (the flow into a mean-pooled representation).
    normalize : bool, default False
        Divide the flows by their sum, as the paper's code does to compare positions; the raw values are in
        [0, 1] (the target node's incoming capacities sum to 1).

    Returns
    -------
    ndarray of shape (T,)
        ``flow[j]``: the maximum flow value from input token ``j`` to the target node. It is at least the
        rollout ``attention_rollout(...)[-1][target_position, j]`` (the path products form a feasible flow)
        and at most 1 (both up to the rounding described in the notes).

    Raises
    ------
    InvalidParameterError
        When the graph has more than :data:`MAX_FLOW_EDGES` edges (layers * T**2): the cost grows like
        layers * T**3; explain shorter texts or fewer layers (``attention[:k]``).

    Notes
    -----
    Capacities are scaled by :data:`FLOW_SCALE` (2**30) and rounded, and each maximum flow is solved exactly
    on the integers by scipy's Dinic algorithm: the result is within (edges of the minimum cut) * 2**-31 of
    the real-valued flow.

    References
    ----------
    S. Abnar and W. Zuidema, "Quantifying Attention Flow in Transformers", ACL 2020, arXiv:2005.00928.

    Examples
    --------
    One layer: a token's flow to position 0 is the weight position 0 gives it.

    >>> a = np.array([[[0.8, 0.2], [0.1, 0.9]]])
    >>> attention_flow(a, residual=0.0).round(6).tolist()
    [0.8, 0.2]
    """
    if not isinstance(normalize, bool):
        raise InvalidParameterError(parameter="normalize", expected="True or False", got=normalize)
    mixing = augmented_attention(attention, head_fusion=head_fusion, residual=residual)
    layers, size = mixing.shape[0], mixing.shape[-1]
    if layers * size * size > MAX_FLOW_EDGES:
        raise InvalidParameterError(
            parameter="attention", expected=f"at most {MAX_FLOW_EDGES:,} edges (layers * T**2) for attention flow, "
            "whose cost grows like layers * T**3; use rollout, a shorter text or fewer layers",
            got=f"{layers} layers of {size} tokens ({layers * size * size:,} edges)")
    graph, sink = _graph(mixing, _target(target_position, size))
    flows = np.array([maximum_flow(graph, source, sink).flow_value for source in range(size)],
                     dtype="float64") / FLOW_SCALE
    if normalize:
        total = flows.sum()
        return flows / total if total > 0 else flows
    return flows


def _target(target_position: int | str, size: int) -> int | None:
    """The explained top-layer position, or None for "mean"."""
    if isinstance(target_position, str):
        if target_position != "mean":
            raise InvalidParameterError(parameter="target_position", expected="a position or 'mean'",
                                        got=target_position)
        return None
    return check_int(target_position, "target_position", low=-size, high=size - 1) % size


def _graph(mixing: np.ndarray, target: int | None) -> tuple[csr_array, int]:
    """The layered attention graph as integer capacities, with the sink's index.

    Node ``l * T + i`` is position ``i`` after layer ``l`` (layer 0: the inputs). A target position is
    itself the sink, and the other top-layer nodes (which cannot reach it) get no edges; for "mean" (target
    None) an extra node collects every top-layer position through edges of capacity 1/T.
    """
    layers, size = mixing.shape[0], mixing.shape[-1]
    positions = np.arange(size)
    rows, cols, caps = [], [], []
    for layer in range(1, layers + 1):
        # edge (layer - 1, j) -> (layer, i) with capacity A_hat_layer[i, j]
        receivers = positions if layer < layers or target is None else np.array([target])
        rows.append(np.tile((layer - 1) * size + positions, receivers.size))
        cols.append(np.repeat(layer * size + receivers, size))
        caps.append(mixing[layer - 1][receivers].ravel())
    nodes = (layers + 1) * size
    if target is None:
        rows.append(layers * size + positions)
        cols.append(np.full(size, nodes))
        caps.append(np.full(size, 1.0 / size))
        sink, nodes = nodes, nodes + 1
    else:
        sink = layers * size + target
    capacity = np.rint(np.concatenate(caps) * FLOW_SCALE).astype(np.int32)
    keep = capacity > 0
    graph = csr_array((capacity[keep], (np.concatenate(rows)[keep], np.concatenate(cols)[keep])),
                      shape=(nodes, nodes))
    return graph, sink
