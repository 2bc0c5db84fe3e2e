"""The drift statistics, each vectorised over features: nDCG of a ranking, PSI, KS, Wasserstein, bootstrap CIs.

Every function takes a reference sample and a current sample and compares them column by column; none
decides whether a value is an alert (that is :mod:`explicable.monitoring.drift`'s job).
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["PSI_FLOOR", "bootstrap_mean_change", "categorical_psi", "ks_wasserstein", "ndcg", "psi"]

#: Smallest share a bin is given before the logarithm: an empty bin would make PSI infinite.
PSI_FLOOR = 1e-4


def ndcg(relevance: np.ndarray, current: np.ndarray, top_k: int | None = None) -> float:
    """Normalised discounted cumulative gain of the ranking by ``current``, graded by ``relevance``.

    SageMaker Clarify's definition for feature-attribution drift: features are ranked by their current
    global importance; the gain of the feature at rank ``i`` (1-based) is its *reference* importance,
    discounted by ``log2(i + 1)``; the ideal is the reference's own ranking. 1.0 means the current ranking
    orders the features exactly as the reference does (ties aside).

    Parameters
    ----------
    relevance : array of shape (n_features,)
        Reference global importance (mean |phi|), non-negative.
    current : array of shape (n_features,)
        Current global importance.
    top_k : int, optional
        Only the first ``top_k`` ranks count (in both the gain and the ideal).

    Returns
    -------
    float
        In [0, 1]; 1.0 when every relevance is zero (nothing to rank).

    Examples
    --------
    >>> round(ndcg(np.array([3.0, 2.0, 1.0]), np.array([1.0, 2.0, 3.0])), 4)  # fully reversed
    0.79
    """
    rel = np.asarray(relevance, dtype="float64")
    k = rel.size if top_k is None else min(int(top_k), rel.size)
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    # stable sort on the negated values: ties keep feature order, so the result is deterministic
    order = np.argsort(-np.asarray(current, dtype="float64"), kind="stable")[:k]
    ideal = np.sort(rel)[::-1][:k]
    best = float(ideal @ discount)
    if best <= 0.0:
        return 1.0
    return float(rel[order] @ discount / best)


def _bins(reference: np.ndarray, n_bins: int) -> list[np.ndarray]:
    """Inner edges per column: the reference's quantiles, duplicates removed (ties make empty bins)."""
    qs = np.quantile(reference, np.linspace(0, 1, n_bins + 1)[1:-1], axis=0)
    return [np.unique(qs[:, j]) for j in range(reference.shape[1])]


def psi(reference: np.ndarray, current: np.ndarray, *, n_bins: int = 10, floor: float = PSI_FLOOR) -> np.ndarray:
    """Population stability index per column, on bins at the reference's quantiles.

    ``PSI = sum_b (c_b - r_b) ln(c_b / r_b)`` over the bins, where ``r_b`` and ``c_b`` are the shares of
    reference and current rows in bin ``b``, each raised to at least ``floor``. Bins are the intervals
    between the reference's ``1/n_bins`` quantiles (open at both ends, so every current value falls in one),
    plus one bin for the values equal to each edge (point masses); tied quantiles merge.

    Parameters
    ----------
    reference : array of shape (n_ref, n_columns)
    current : array of shape (n_cur, n_columns)

    Returns
    -------
    array of shape (n_columns,)

    Examples
    --------
    >>> ref = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> psi(ref, np.array([[0.0], [0.0], [0.0], [3.0]]), n_bins=2).round(4)
    array([0.2747])
    """
    out = np.empty(reference.shape[1])
    for j, edges in enumerate(_bins(reference, n_bins)):
        r = np.bincount(_bin_index(edges, reference[:, j]), minlength=2 * edges.size + 1)
        c = np.bincount(_bin_index(edges, current[:, j]), minlength=2 * edges.size + 1)
        out[j] = _psi_shares(r / reference.shape[0], c / current.shape[0], floor)
    return out


def _bin_index(edges: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Bin 2i: strictly between edges i-1 and i; bin 2i+1: equal to edge i.

    Attributions often have point masses (an unused feature is exactly 0 on every row), and then quantile
    edges coincide with the mass: giving each edge its own bin keeps a shift off the mass visible. For
    continuous values the edge bins are (almost) empty in both windows and add nothing.
    """
    return np.searchsorted(edges, x, side="left") + np.searchsorted(edges, x, side="right")


def _psi_shares(r: np.ndarray, c: np.ndarray, floor: float) -> float:
    r = np.maximum(r, floor)
    c = np.maximum(c, floor)
    return float(np.sum((c - r) * np.log(c / r)))


def categorical_psi(reference: np.ndarray, current: np.ndarray, *, floor: float = PSI_FLOOR) -> float:
    """PSI of one non-numeric column, with one bin per value seen in either window."""
    ref = np.asarray([str(v) for v in reference], dtype=object)
    cur = np.asarray([str(v) for v in current], dtype=object)
    levels = np.unique(np.concatenate([ref, cur]).astype(str))
    r = np.array([np.mean(ref == v) for v in levels])
    c = np.array([np.mean(cur == v) for v in levels])
    return _psi_shares(r, c, floor)


def ks_wasserstein(reference: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-sample Kolmogorov-Smirnov statistic and p-value, and the Wasserstein-1 distance, per column."""
    from scipy.stats import ks_2samp, wasserstein_distance

    m = reference.shape[1]
    stat, pval, dist = np.empty(m), np.empty(m), np.empty(m)
    n1, n2 = reference.shape[0], current.shape[0]
    if min(n1, n2) > 10_000:  # scipy's asymptotic method, as ks_2samp itself uses at this size, without its overhead
        from scipy.stats import kstwo

        for j in range(m):
            a, b = np.sort(reference[:, j]), np.sort(current[:, j])
            grid = np.sort(np.concatenate([a, b]), kind="mergesort")
            d = np.abs(np.searchsorted(a, grid, side="right") / n1 - np.searchsorted(b, grid, side="right") / n2)
            stat[j] = float(d.max())
            pval[j] = float(np.clip(kstwo.sf(stat[j], np.round(n1 * n2 / (n1 + n2))), 0.0, 1.0))
            # W1 = integral of |F - G|: the CDFs are constant between consecutive points of the pooled sample
            dist[j] = float(np.sum(d[:-1] * np.diff(grid)))
        return stat, pval, dist
    for j in range(m):
        with warnings.catch_warnings():
            # ties (attributions have point masses) make the exact p-value fail over to the asymptotic one
            warnings.filterwarnings("ignore", "ks_2samp: Exact calculation unsuccessful", RuntimeWarning)
            res = ks_2samp(reference[:, j], current[:, j])
        stat[j], pval[j] = float(res.statistic), float(res.pvalue)
        dist[j] = float(wasserstein_distance(reference[:, j], current[:, j]))
    return stat, pval, dist


def _bootstrap_means(x: np.ndarray, n_bootstrap: int, rng: np.random.Generator, chunk: int = 25) -> np.ndarray:
    """Column means of ``n_bootstrap`` resamples of the rows of ``x``: shape (n_bootstrap, n_columns).

    A resample is a multinomial count per row, so the means are one matrix product per chunk of resamples
    instead of a gather of n rows each time (and memory stays at chunk x n counts).
    """
    n = x.shape[0]
    out = np.empty((n_bootstrap, x.shape[1]))
    for start in range(0, n_bootstrap, chunk):
        stop = min(start + chunk, n_bootstrap)
        picks = rng.integers(0, n, size=(stop - start, n))
        # bincount of n uniform picks is a multinomial draw, several times faster than Generator.multinomial
        counts = np.vstack([np.bincount(row, minlength=n) for row in picks]).astype("float64")
        out[start:stop] = counts @ x / n
    return out


def bootstrap_mean_change(reference: np.ndarray, current: np.ndarray, *, n_bootstrap: int,
                          rng: np.random.Generator, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of ``mean(current) - mean(reference)`` per column.

    The two windows are resampled independently (they are independent samples).

    Returns
    -------
    (low, high) : arrays of shape (n_columns,)
    """
    diff = _bootstrap_means(current, n_bootstrap, rng) - _bootstrap_means(reference, n_bootstrap, rng)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(diff, [tail, 1.0 - tail], axis=0)
    return low, high
