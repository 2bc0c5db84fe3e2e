"""Per-group metrics from confusion counts, and their bootstrap replicates.

Every rate metric of a binary classifier depends on a group's rows only through the four confusion counts
(TN, FP, FN, TP). Resampling ``n`` rows with replacement therefore gives counts with exactly the multinomial
distribution ``Multinomial(n, counts / n)``: the bootstrap draws those counts directly, in O(B) per group
instead of O(B n). Score metrics (mean score, calibration gap) need the rows themselves and are resampled
by index, in chunks that bound memory. Groups are resampled separately (a stratified bootstrap: group sizes
fixed), the usual choice when the groups are the units being compared.
"""

from __future__ import annotations

import numpy as np

__all__ = ["COUNT_METRICS", "SCORE_METRICS", "bootstrap_group", "cell_counts", "percentile_interval",
           "rates_from_counts"]

COUNT_METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "precision", "accuracy",
                 "base_rate")
SCORE_METRICS = ("mean_score", "calibration_gap")
_CHUNK_CELLS = 2_000_000


def cell_counts(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Counts of (TN, FP, FN, TP), shape (4,), for 0/1 arrays."""
    return np.bincount(2 * y_true + y_pred, minlength=4).astype(np.int64)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def rates_from_counts(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Each count metric from counts of shape (..., 4) ordered (TN, FP, FN, TP); NaN where undefined."""
    counts = np.asarray(counts, dtype="float64")
    tn, fp, fn, tp = (counts[..., i] for i in range(4))
    n = tn + fp + fn + tp
    return {
        "selection_rate": _ratio(tp + fp, n),
        "true_positive_rate": _ratio(tp, tp + fn),
        "false_positive_rate": _ratio(fp, fp + tn),
        "precision": _ratio(tp, tp + fp),
        "accuracy": _ratio(tp + tn, n),
        "base_rate": _ratio(tp + fn, n),
    }


def _score_replicates(y_true: np.ndarray, y_score: np.ndarray, n_boot: int,
                      rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = y_true.shape[0]
    per_chunk = max(1, _CHUNK_CELLS // max(n, 1))
    means, gaps = [np.zeros(0)], [np.zeros(0)]
    for start in range(0, n_boot, per_chunk):
        idx = rng.integers(0, n, size=(min(per_chunk, n_boot - start), n))
        mean_score = y_score[idx].mean(axis=1)
        means.append(mean_score)
        gaps.append(mean_score - y_true[idx].mean(axis=1))
    return {"mean_score": np.concatenate(means), "calibration_gap": np.concatenate(gaps)}


def bootstrap_group(y_true: np.ndarray, y_pred: np.ndarray, y_score: np.ndarray | None, n_boot: int,
                    rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Replicates (n_boot,) of every metric for one group's rows."""
    counts = cell_counts(y_true, y_pred)
    n = int(counts.sum())
    draws = rng.multinomial(n, counts / n, size=n_boot)
    out = rates_from_counts(draws)
    if y_score is not None:
        out.update(_score_replicates(y_true, y_score, n_boot, rng))
    return out


def percentile_interval(replicates: np.ndarray, confidence: float) -> tuple[float, float]:
    """The percentile bootstrap interval, ignoring replicates where the metric is undefined (NaN if all are)."""
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high)
