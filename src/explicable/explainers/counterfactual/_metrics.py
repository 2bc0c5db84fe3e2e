"""Quality of counterfactuals: proximity, sparsity, plausibility and diversity, all in one normalised L1.

The distance between two rows is the sum over features of ``|a - b| / scale`` for a numeric feature (its
MAD, as in Wachter et al. 2018) and ``1`` for a categorical feature that differs. Plausibility is that
distance to the nearest real row of the fitted data: embedding numeric features as ``x / scale`` and each
categorical as a one-hot vector times 1/2 makes it a plain Manhattan distance, so a k-d tree finds it.
"""

from __future__ import annotations

import numpy as np

from explicable.explainers.counterfactual._constraints import FeatureSpace, changed_mask

__all__ = ["Plausibility", "mean_pairwise", "proximity", "sparsity"]


def proximity(space: FeatureSpace, Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
    """Normalised L1 distance (n,) of rows ``Z`` (n, m) from the query ``z0`` (m,); costs not applied."""
    return space.distances(Z, z0).sum(axis=1)


def sparsity(Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
    """Number of features changed (n,)."""
    return changed_mask(Z, z0).sum(axis=1).astype(np.intp)


def mean_pairwise(space: FeatureSpace, Z: np.ndarray) -> float:
    """Mean normalised L1 distance between the rows of ``Z`` (NaN for fewer than two rows)."""
    n = len(Z)
    if n < 2:
        return float("nan")
    total = sum(float(space.distances(Z[i + 1:], Z[i]).sum()) for i in range(n - 1))
    return total / (n * (n - 1) / 2)


class Plausibility:
    """Distance of rows to the nearest row of ``data`` (both in code space), by a Manhattan k-d tree.

    Parameters
    ----------
    space : FeatureSpace
    data : ndarray of shape (n, m)
        The fitted data's rows in code space.
    """

    def __init__(self, space: FeatureSpace, data: np.ndarray) -> None:
        from sklearn.neighbors import KDTree

        self.space = space
        # a missing numeric value is placed at the feature's median
        self.fill = np.zeros(len(space.features))
        for j in np.flatnonzero(~space.categorical):
            finite = data[np.isfinite(data[:, j]), j]
            self.fill[j] = float(np.median(finite)) if finite.size else 0.0
        # a k-d tree rather than NearestNeighbors: its threaded dispatcher costs ~0.1 s a call for a few rows
        self.index = KDTree(self._embed(data), metric="manhattan")

    def _embed(self, Z: np.ndarray) -> np.ndarray:
        parts = []
        for j, spec in enumerate(self.space.features):
            column = Z[:, j]
            if spec.levels is None:
                parts.append((np.where(np.isnan(column), self.fill[j], column) / spec.scale)[:, None])
                continue
            onehot = np.zeros((len(Z), spec.levels.size))
            known = np.isfinite(column)
            onehot[np.flatnonzero(known), column[known].astype(np.intp)] = 0.5
            parts.append(onehot)
        return np.hstack(parts)

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        """Distance (n,) of each row to its nearest data row."""
        if len(Z) == 0:
            return np.empty(0)
        distance, _ = self.index.query(self._embed(Z), k=1)
        return np.asarray(distance[:, 0], dtype="float64")
