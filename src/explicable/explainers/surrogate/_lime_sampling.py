"""LIME's tabular perturbations, drawn for all features and rows at once.

The background is kept as its columns sorted, each with the bin of every sorted value. A uniform ``u`` in
[0, 1) picks the value at position ``floor(u * n_background)`` of a column: an exact draw from the feature's
training marginal, whose bin then follows the training frequencies. This replaces lime's per-feature loop of
"choose a bin, then draw a truncated normal inside it" by two ``take_along_axis`` calls, and keeps real
values (integers stay integers, a gap between clusters is never filled). The uniforms are scrambled Sobol'
points, an independent sequence per group: on the breast-cancer benchmark they halve the spread of the
surrogate's coefficients across seeds at equal samples (as four times the samples would), where a Latin
hypercube gains nothing, and the groups stay independent, as the jackknife needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import qmc

from explicable.core.validation import Table

__all__ = ["BackgroundSummary", "SobolGroups", "summarise"]

#: Quantiles that cut a numeric feature into lime's four "quartile" bins.
QUARTILES = (25.0, 50.0, 75.0)
#: Bin of a missing value: after the four quartile bins.
MISSING_BIN = len(QUARTILES) + 1


@dataclass(frozen=True)
class BackgroundSummary:
    """What LIME keeps from the background (training sample).

    Attributes
    ----------
    sorted_values : array (n_background, m)
        Each column sorted (categorical columns by category); float64, or object when there are categories.
    sorted_bins : int array (n_background, m)
        Bin of each sorted value: quartile bin (0-3, 4 for missing) or category code.
    edges : array (m, 3)
        Quartile edges of numeric features (NaN for categorical ones).
    categorical : bool array (m,)
    mean, std : arrays (m,)
        Of numeric features (0 and 1 for categorical ones); ``std`` is 1 where the feature is constant.
    categories : tuple of arrays
        Per feature, its categories in code order (empty for numeric features).
    """

    sorted_values: np.ndarray
    sorted_bins: np.ndarray
    edges: np.ndarray
    categorical: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    categories: tuple[np.ndarray, ...]

    @property
    def n_rows(self) -> int:
        return int(self.sorted_values.shape[0])

    def bins(self, X: np.ndarray) -> np.ndarray:
        """Bin (or category code, -1 for an unseen category) of each cell of ``X`` (n, m)."""
        out = np.empty(X.shape, dtype=np.int64)
        for j in range(X.shape[1]):
            if self.categorical[j]:
                out[:, j] = _codes(X[:, j], self.categories[j])
            else:
                out[:, j] = _quartile_bins(X[:, j].astype("float64"), self.edges[j])
        return out

    def draw(self, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values and bins of samples from the features' marginals; ``U`` (n, m) uniforms in [0, 1)."""
        idx = np.minimum((U * self.n_rows).astype(np.int64), self.n_rows - 1)
        return (np.take_along_axis(self.sorted_values, idx, axis=0),
                np.take_along_axis(self.sorted_bins, idx, axis=0))

    def gaussian(self, U: np.ndarray) -> np.ndarray:
        """Standard normal deviates from uniforms (continuous mode), finite even at ``u = 0``."""
        return np.asarray(ndtri(np.clip(U, 1e-12, 1 - 1e-12)))


def summarise(table: Table) -> BackgroundSummary:
    """Sort the background's columns and bin them; categorical columns are those of non-numeric dtype."""
    values = table.values
    m = values.shape[1]
    categorical = np.array([not _is_numeric(d) for d in table.schema.dtypes]) if values.dtype == object \
        else np.zeros(m, dtype=bool)
    sorted_values = np.empty(values.shape, dtype=values.dtype)
    sorted_bins = np.empty(values.shape, dtype=np.int64)
    edges = np.full((m, len(QUARTILES)), np.nan)
    mean, std = np.zeros(m), np.ones(m)
    categories: list[np.ndarray] = []
    for j in range(m):
        column = values[:, j]
        if categorical[j]:
            cats = pd.unique(pd.Series(column).dropna().astype(object))
            cats = np.asarray(sorted(cats, key=str), dtype=object)
            codes = _codes(column, cats)
            order = np.argsort(codes, kind="stable")
            sorted_values[:, j], sorted_bins[:, j] = column[order], codes[order]
            categories.append(cats)
            continue
        numbers = column.astype("float64")
        finite = numbers[~np.isnan(numbers)]
        edges[j] = np.percentile(finite, QUARTILES) if finite.size else np.nan
        ordered = np.sort(numbers)
        sorted_values[:, j], sorted_bins[:, j] = ordered, _quartile_bins(ordered, edges[j])
        if finite.size:
            mean[j] = finite.mean()
            spread = finite.std()
            std[j] = spread if spread > 0 else 1.0
        categories.append(np.empty(0, dtype=object))
    return BackgroundSummary(sorted_values, sorted_bins, edges, categorical, mean, std, tuple(categories))


class SobolGroups:
    """Independent scrambled Sobol' sequences, one per group, continued across rounds.

    Each group draws a power of two of points at a time, so the points of a group so far are always a
    balanced prefix of its sequence. The groups are independent randomisations, which is what makes the
    jackknife over groups an honest error estimate (randomised quasi-Monte Carlo).

    Parameters
    ----------
    seed : int
    n_groups, n_dims : int
    """

    def __init__(self, seed: int, n_groups: int, n_dims: int) -> None:
        self.engines = [qmc.Sobol(n_dims, scramble=True, seed=np.random.default_rng([seed, g]))
                        for g in range(n_groups)]

    def draw(self, per_group: int) -> np.ndarray:
        """The next ``per_group`` points of every group, group after group: (n_groups * per_group, n_dims)."""
        return np.concatenate([engine.random(per_group) for engine in self.engines])


def _quartile_bins(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    # lime's QuartileDiscretizer: np.searchsorted(quartiles, x), so x <= q25 is bin 0.
    bins = np.searchsorted(edges, x).astype(np.int64)
    bins[np.isnan(x)] = MISSING_BIN
    return bins


def _codes(column: np.ndarray, categories: np.ndarray) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(categories)}
    return np.array([lookup.get(v, -1) for v in column], dtype=np.int64)


def _is_numeric(dtype: Any) -> bool:
    return bool(pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))
