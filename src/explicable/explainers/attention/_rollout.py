"""Attention rollout (Abnar & Zuidema 2020): how much each input token reaches each position, layer by layer.

A transformer layer mixes its positions through attention *and* passes each position on through its residual
connection. Rollout models both as one row-stochastic matrix per layer, ``A_hat = residual * I + (1 - residual)
* fuse(A)`` with its rows renormalised, and composes the layers by matrix products. The helpers here work on
plain arrays (no torch): attention maps of shape (layers, heads, T, T), or (layers, T, T) already fused,
whose row ``i`` is the attention of position ``i`` over the positions it attends to.

Reference: S. Abnar and W. Zuidema, "Quantifying Attention Flow in Transformers", ACL 2020.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.validation import check_choice, check_int, check_number

__all__ = ["HEAD_FUSIONS", "attention_rollout", "augmented_attention", "check_attention", "fuse_heads",
           "raw_attention", "target_row"]

#: How the heads of a layer are combined: their mean (the paper), or the element-wise max or min (Gildenblat's
#: vit-explain variants, which sharpen or soften the maps).
HEAD_FUSIONS = ("mean", "max", "min")


def check_attention(attention: Any, name: str = "attention") -> np.ndarray:
    """``attention`` as a float64 array (layers, heads, T, T); a 3-D (layers, T, T) input gets a heads axis of 1.

    Weights must be finite and non-negative, with at least one layer and one position; rows need not sum to
    one (masked or pruned maps are accepted: rollout renormalises).
    """
    try:
        arr = np.asarray(attention, dtype="float64")
    except (TypeError, ValueError):
        raise InvalidDataError(parameter=name, expected="an array of attention weights of shape (layers, heads, "
                               "T, T) or (layers, T, T)", got=attention) from None
    if arr.ndim == 3:
        arr = arr[:, None]
    if arr.ndim != 4 or arr.shape[2] != arr.shape[3] or 0 in arr.shape:
        raise InvalidDataError(parameter=name, expected="an array of shape (layers, heads, T, T) or (layers, T, T) "
                               "with at least one layer, head and position", got=arr)
    bad, negative = int((~np.isfinite(arr)).sum()), int((arr < 0).sum())
    if bad or negative:
        raise InvalidDataError(parameter=name, expected="finite, non-negative attention weights",
                               got=f"{bad} non-finite and {negative} negative weights")
    return arr


def fuse_heads(attention: Any, head_fusion: str = "mean") -> np.ndarray:
    """Combine each layer's heads into one map (layers, T, T) by their ``head_fusion`` ("mean", "max", "min").

    >>> a = np.array([[[[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]]]])  # 1 layer, 2 heads
    >>> fuse_heads(a, "mean").tolist(), fuse_heads(a, "max").tolist()
    ([[[0.5, 0.5], [0.5, 0.5]]], [[[1.0, 1.0], [0.5, 0.5]]])
    """
    arr = check_attention(attention)
    fusion = check_choice(head_fusion, "head_fusion", HEAD_FUSIONS)
    if fusion == "max":
        return np.asarray(arr.max(axis=1))
    return np.asarray(arr.min(axis=1) if fusion == "min" else arr.mean(axis=1))


def augmented_attention(attention: Any, *, head_fusion: str = "mean", residual: float = 0.5) -> np.ndarray:
    """The per-layer mixing matrices ``A_hat_l = residual * I + (1 - residual) * fuse(A_l)``, rows summing to 1.

    Parameters
    ----------
    attention : array of shape (layers, heads, T, T) or (layers, T, T)
    head_fusion : {"mean", "max", "min"}, default "mean"
    residual : float in [0, 1], default 0.5
        The weight of the residual connection (the identity). The paper's 0.5 treats the skip path and the
        attention path of a layer as equal shares of its output.

    Returns
    -------
    ndarray of shape (layers, T, T)

    Raises
    ------
    InvalidDataError
        When a row has no weight at all (a zero attention row with ``residual=0``): it cannot be renormalised.
    """
    residual = check_number(residual, "residual", low=0, high=1)
    fused = fuse_heads(attention, head_fusion)
    size = fused.shape[-1]
    mixed = residual * np.eye(size)[None] + (1.0 - residual) * fused
    totals = mixed.sum(axis=-1, keepdims=True)
    if (totals <= 0).any():
        raise InvalidDataError(parameter="attention", expected="rows with some weight (or residual > 0)",
                               got=f"{int((totals <= 0).sum())} all-zero rows")
    # max/min fusion and masked maps leave rows off 1; renormalising keeps each layer a mixing of positions
    return np.asarray(mixed / totals)


def attention_rollout(attention: Any, *, head_fusion: str = "mean", residual: float = 0.5,
                      start_layer: int = 0) -> np.ndarray:
    """Attention rollout after each layer: ``R_l = A_hat_l @ R_{l-1}``, with ``R_{start_layer - 1} = I``.

    Row ``i`` of ``R_l`` says how much of position ``i``'s representation after layer ``l`` comes from each
    input token, when attention and the residual connection are taken as linear mixings of positions
    (Abnar & Zuidema 2020, eq. 1). The last matrix, ``R[-1]``, is the usual rollout; ``R[-1][0]`` the
    rollout of the [CLS] position. Each ``R_l`` is row-stochastic.

    Parameters
    ----------
    attention : array of shape (layers, heads, T, T) or (layers, T, T)
        Attention weights per layer (and head); row ``i`` of a map is what position ``i`` attends to.
    head_fusion : {"mean", "max", "min"}, default "mean"
        How the heads of a layer are combined before rollout (see :func:`fuse_heads`).
    residual : float in [0, 1], default 0.5
        Weight of the identity (residual connection) in each layer's mixing matrix (see
        :func:`augmented_attention`); 0 rolls out raw attention.
    start_layer : int, default 0
        First layer rolled out. Layers before it are skipped: their ``R_l`` is the identity.

    Returns
    -------
    ndarray of shape (layers, T, T)
        The cumulative rollout after each layer.

    References
    ----------
    S. Abnar and W. Zuidema, "Quantifying Attention Flow in Transformers", ACL 2020, arXiv:2005.00928.

    Examples
    --------
    Two layers, one head, two tokens; with ``residual=0`` rollout is the product of the maps:

    >>> a1 = np.array([[0.5, 0.5], [0.0, 1.0]])
    >>> a2 = np.array([[1.0, 0.0], [0.5, 0.5]])
    >>> attention_rollout(np.stack([a1, a2]), residual=0.0)[-1].tolist()
    [[0.5, 0.5], [0.25, 0.75]]
    >>> attention_rollout(np.stack([a1, a2]))[-1].round(4).tolist()  # the paper's residual of 0.5
    [[0.75, 0.25], [0.1875, 0.8125]]
    """
    mixing = augmented_attention(attention, head_fusion=head_fusion, residual=residual)
    layers, size = mixing.shape[0], mixing.shape[-1]
    start = check_int(start_layer, "start_layer", low=0, high=layers - 1)
    out = np.empty_like(mixing)
    current = np.eye(size)
    out[:start] = current
    for layer in range(start, layers):
        current = mixing[layer] @ current
        out[layer] = current
    return out


def raw_attention(attention: Any, *, layer: int = -1, head_fusion: str = "mean",
                  target_position: int | str = 0) -> np.ndarray:
    """The attention of the target position over the tokens at one layer, heads fused: shape (T,).

    Parameters
    ----------
    attention : array of shape (layers, heads, T, T) or (layers, T, T)
    layer : int, default -1
        The layer read (negative counts from the last).
    head_fusion : {"mean", "max", "min"}, default "mean"
    target_position : int or "mean", default 0
        The attending position (0: [CLS]); "mean" averages the rows of every position (for mean-pooled
        classifiers).

    Examples
    --------
    >>> a = np.array([[[0.5, 0.5], [0.0, 1.0]], [[0.9, 0.1], [0.5, 0.5]]])
    >>> raw_attention(a).tolist(), raw_attention(a, layer=0, target_position="mean").tolist()
    ([0.9, 0.1], [0.25, 0.75])
    """
    fused = fuse_heads(attention, head_fusion)
    layers = fused.shape[0]
    index = check_int(layer, "layer", low=-layers, high=layers - 1)
    return target_row(fused[index], target_position)


def target_row(matrix: np.ndarray, target_position: int | str) -> np.ndarray:
    """Row ``target_position`` of a (T, T) matrix, or the mean of its rows for "mean"."""
    size = matrix.shape[-1]
    if isinstance(target_position, str):
        if target_position != "mean":
            raise InvalidParameterError(parameter="target_position", expected="a position or 'mean'",
                                        got=target_position)
        return np.asarray(matrix.mean(axis=0))
    position = check_int(target_position, "target_position", low=-size, high=size - 1)
    return np.array(matrix[position])
