"""The background sample: the user's rows, summarised when large, with a warning about the cost.

Every coalition evaluation costs one model call per background row, so a large background multiplies the
cost. Above ``size`` rows it is summarised with k-means (scikit-learn) into ``size`` weighted rows. Each
cluster is represented by its medoid, a real row, weighted by the cluster's size. Centroids would invent
rows between categories, so they are not used.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from explicable.core.validation import Table
from explicable.models.base import ModelAdapter

__all__ = ["WARN_ROWS", "summarise_background"]

#: A background larger than this is used in full only with a warning that states its cost.
WARN_ROWS = 1000


def _features(table: Table) -> np.ndarray:
    """Numbers for clustering: numeric columns standardised, the others one-hot."""
    frame = pd.DataFrame(table.values, columns=list(table.columns))
    parts = []
    for j, column in enumerate(table.columns):
        col = frame[column]
        numeric = pd.to_numeric(col, errors="coerce") if table.values.dtype == object else col.astype(float)
        if table.values.dtype != object or numeric.notna().all():
            x = numeric.to_numpy(dtype="float64")
            parts.append(((x - x.mean()) / (x.std() or 1.0))[:, None])
        else:
            parts.append(pd.get_dummies(col.astype(str), prefix=str(j)).to_numpy(dtype="float64"))
    return np.nan_to_num(np.hstack(parts))


def summarise_background(table: Table, size: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(rows, weights)``: the background itself, or ``size`` weighted medoids of it.

    Parameters
    ----------
    table : Table
        The validated background.
    size : int or None
        Most rows to keep; None keeps all.
    seed : int
        For k-means.
    """
    n = table.n_rows
    if size is None or n <= size:
        return table.values, np.full(n, 1.0 / n)
    from sklearn.cluster import KMeans

    features = _features(table)
    km = KMeans(n_clusters=size, n_init=1, random_state=seed).fit(features)
    medoids = np.empty(size, dtype=np.int64)
    for c in range(size):
        members = np.flatnonzero(km.labels_ == c)
        distance = ((features[members] - km.cluster_centers_[c]) ** 2).sum(axis=1)
        medoids[c] = members[np.argmin(distance)]
    counts = np.bincount(km.labels_, minlength=size).astype("float64")
    return table.values[medoids], counts / counts.sum()


def warn_if_large(model: ModelAdapter, background: np.ndarray, budget: int) -> None:
    """Warn, with a measured estimate of the cost, when a background above :data:`WARN_ROWS` is kept whole."""
    n = len(background)
    if n <= WARN_ROWS:
        return
    probe = background[: min(n, 2000)]
    start = time.perf_counter()
    model.predict(probe)
    per_row = (time.perf_counter() - start) / len(probe)
    warnings.warn(
        f"The background has {n} rows and is used whole: each coalition costs {n} model evaluations, about "
        f"{per_row * n * budget:.1f} s per explained row at a budget of {budget} coalitions. Pass "
        "background_size=100 (the default) to summarise it with weighted k-means.", UserWarning, stacklevel=4)
