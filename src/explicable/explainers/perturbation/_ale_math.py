"""ALE from per-row local effects: weighted bin means, accumulation, centring (the arithmetic, no model calls).

Both functions take row ``weights`` so that the bootstrap re-weights the same local effects instead of
evaluating the model again; a bin (cell) a resample leaves empty takes the full sample's mean, ``base_means``.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["ale_curve_1d", "ale_surface_2d"]


def ale_curve_1d(effects: np.ndarray, index: list[np.ndarray], sizes: list[int], weights: np.ndarray,
                 base_means: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centred 1-D ALE at the K + 1 edges, (K + 1, k); the weight per bin (K,); the bin means (K, k).

    ``effects[i]`` is row i's ``f(z_b) - f(z_{b-1})`` for its bin ``b = index[0][i]``.
    """
    size = sizes[0]
    counts = np.bincount(index[0], weights=weights, minlength=size)
    sums = _weighted_sums(index[0], weights, effects, size)
    means = _means(sums, counts[:, None], base_means)
    curve = np.concatenate([np.zeros((1, effects.shape[1])), np.cumsum(means, axis=0)])
    middle = (curve[:-1] + curve[1:]) / 2
    curve -= (counts[:, None] * middle).sum(axis=0) / counts.sum()
    return curve, counts, means


def ale_surface_2d(effects: np.ndarray, index: list[np.ndarray], sizes: list[int], weights: np.ndarray,
                   base_means: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centred second-order ALE at the (K0 + 1, K1 + 1) edge grid, with both main effects removed.

    ``effects[i]`` is row i's cross-difference over its cell. Returns the surface (K0 + 1, K1 + 1, k), the
    weight per cell (K0, K1) and the cell means (K0, K1, k).
    """
    k0, k1 = sizes
    k = effects.shape[1]
    counts = np.bincount(index[0] * k1 + index[1], weights=weights, minlength=k0 * k1).reshape(k0, k1)
    sums = _weighted_sums(index[0] * k1 + index[1], weights, effects, k0 * k1).reshape(k0, k1, k)
    if base_means is None:
        means = _means(sums, counts[..., None], None)
        means = _fill_empty(means, counts)
    else:
        means = _means(sums, counts[..., None], base_means)
    surface = np.zeros((k0 + 1, k1 + 1, k))
    surface[1:, 1:] = np.cumsum(np.cumsum(means, axis=0), axis=1)
    # each feature's main effect of the accumulated surface, as ALEPlot: count-weighted means of the
    # differences along that feature, averaged over the two edges of the other feature's bin
    step0 = surface[1:] - surface[:-1]
    main0 = _means((counts[..., None] * (step0[:, :-1] + step0[:, 1:]) / 2).sum(axis=1), counts.sum(axis=1)[:, None])
    step1 = surface[:, 1:] - surface[:, :-1]
    main1 = _means((counts[..., None] * (step1[:-1] + step1[1:]) / 2).sum(axis=0), counts.sum(axis=0)[:, None])
    surface -= np.concatenate([np.zeros((1, k)), np.cumsum(main0, axis=0)])[:, None, :]
    surface -= np.concatenate([np.zeros((1, k)), np.cumsum(main1, axis=0)])[None, :, :]
    corners = (surface[:-1, :-1] + surface[:-1, 1:] + surface[1:, :-1] + surface[1:, 1:]) / 4
    surface -= (counts[..., None] * corners).sum(axis=(0, 1)) / counts.sum()
    return surface, counts, means


def _weighted_sums(cells: np.ndarray, weights: np.ndarray, effects: np.ndarray, size: int) -> np.ndarray:
    return np.stack([np.bincount(cells, weights=weights * effects[:, o], minlength=size)
                     for o in range(effects.shape[1])], axis=-1)


def _means(sums: np.ndarray, counts: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    """``sums / counts`` where counts > 0, else ``fallback`` (or 0)."""
    out = np.zeros(sums.shape) if fallback is None else np.array(np.broadcast_to(fallback, sums.shape))
    np.divide(sums, counts, out=out, where=np.broadcast_to(counts > 0, sums.shape))
    return out


def _fill_empty(means: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Empty cells take the mean of the nearest non-empty cell, in bin positions scaled to [0, 1] (as ALEPlot)."""
    empty = counts <= 0
    if not empty.any():
        return means
    k0, k1 = counts.shape
    scale = np.array([1.0 / max(k0 - 1, 1), 1.0 / max(k1 - 1, 1)])
    full_cells = np.argwhere(~empty)
    empty_cells = np.argwhere(empty)
    _, nearest = cKDTree(full_cells * scale).query(empty_cells * scale)
    filled = means.copy()
    source = full_cells[nearest]
    filled[empty_cells[:, 0], empty_cells[:, 1]] = means[source[:, 0], source[:, 1]]
    return filled
