"""Group fairness metrics with bootstrap confidence intervals, disparities between groups and the four-fifths rule.

Point values come from fairlearn's :class:`~fairlearn.metrics.MetricFrame` (so they equal fairlearn's);
what this adds is the uncertainty: a percentile bootstrap interval for every group's metric and for every
disparity, and a significance test beside every four-fifths flag.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_fraction, check_int
from explicable.fairness._group_inputs import as_binary, as_scores, group_labels, sensitive_frame
from explicable.fairness._metrics_bootstrap import (
    COUNT_METRICS,
    SCORE_METRICS,
    bootstrap_group,
    cell_counts,
    percentile_interval,
)
from explicable.fairness._metrics_disparities import disparity_rows
from explicable.fairness._results import GroupMetrics
from explicable.fairness._significance import TESTS
from explicable.fairness._tables_four_fifths import four_fifths_from_counts

__all__ = ["METRICS", "group_metrics"]

METRICS = COUNT_METRICS + SCORE_METRICS


def _point_metrics(names: Sequence[str]) -> tuple[dict[str, Callable[..., float]], Callable[[np.ndarray], dict]]:
    """fairlearn / scikit-learn metric functions by name, and the sample_params they need given the scores."""
    from fairlearn.metrics import false_positive_rate, selection_rate, true_positive_rate
    from sklearn.metrics import accuracy_score, precision_score

    def base_rate(y_true: Any, y_pred: Any) -> float:
        return float(np.mean(y_true))

    def mean_score(y_true: Any, y_pred: Any, *, scores: Any) -> float:
        return float(np.mean(scores))

    def calibration_gap(y_true: Any, y_pred: Any, *, scores: Any) -> float:
        # calibration-in-the-large: mean predicted probability minus the observed rate of positives
        return float(np.mean(scores) - np.mean(y_true))

    def precision(y_true: Any, y_pred: Any) -> float:
        return float(precision_score(y_true, y_pred, zero_division=np.nan))

    every: dict[str, Callable[..., float]] = {
        "selection_rate": selection_rate, "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate, "precision": precision, "accuracy": accuracy_score,
        "base_rate": base_rate, "mean_score": mean_score, "calibration_gap": calibration_gap,
    }
    chosen = {name: every[name] for name in names}

    def params(scores: np.ndarray) -> dict:
        return {name: {"scores": scores} for name in chosen if name in SCORE_METRICS}

    return chosen, params


def _check_metrics(metrics: Any, has_scores: bool) -> tuple[str, ...]:
    available = METRICS if has_scores else COUNT_METRICS
    if metrics is None:
        return available
    names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    for name in names:
        if name in SCORE_METRICS and not has_scores:
            raise InvalidParameterError(f"The metric {name!r} needs y_score (predicted probabilities).",
                                        parameter="metrics", got=name)
        check_choice(name, "metrics", METRICS)
    if not names:
        raise InvalidParameterError(parameter="metrics", expected="at least one metric name", got=metrics)
    return names


def _undefined_as_nan(value: float, name: str, counts: np.ndarray) -> float:
    # fairlearn returns 0 for a rate whose denominator is empty (no positives for TPR); NaN says "undefined"
    tn, fp, fn, tp = counts
    empty = {"true_positive_rate": tp + fn == 0, "false_positive_rate": fp + tn == 0, "precision": tp + fp == 0}
    return math.nan if empty.get(name, False) else float(value)


def _attribute_rows(attribute: str, labels: pd.Series, data: tuple[np.ndarray, np.ndarray, np.ndarray | None],
                    names: Sequence[str], settings: tuple[int, float], rng: np.random.Generator
                    ) -> tuple[list[dict], dict[str, dict[str, np.ndarray]], np.ndarray]:
    from fairlearn.metrics import MetricFrame

    y_true, y_pred, y_score = data
    n_boot, confidence = settings
    fns, params = _point_metrics(names)
    frame = MetricFrame(metrics=fns, y_true=y_true, y_pred=y_pred, sensitive_features=labels.rename(attribute),
                        sample_params=params(y_score) if y_score is not None else None)
    by_group = frame.by_group
    groups = sorted(str(g) for g in by_group.index)
    rows, replicates, counts = [], {}, []
    for group in groups:
        mask = (labels == group).to_numpy()
        cells = cell_counts(y_true[mask], y_pred[mask])
        counts.append(cells)
        reps = bootstrap_group(y_true[mask], y_pred[mask], None if y_score is None else y_score[mask], n_boot, rng)
        replicates[group] = reps
        for name in names:
            low, high = percentile_interval(reps[name], confidence) if n_boot else (math.nan, math.nan)
            rows.append({"attribute": attribute, "group": group, "metric": name,
                         "value": _undefined_as_nan(by_group.loc[group, name], name, cells),
                         "ci_low": low, "ci_high": high, "n": int(mask.sum())})
    return rows, replicates, np.array(counts)


def group_metrics(y_true: Any, y_pred: Any, sensitive: Any, *, y_score: Any = None, metrics: Any = None,
                  confidence: float = 0.95, n_bootstrap: int = 1000, random_state: int | None = None,
                  threshold: float = 0.8, test: str = "auto", alpha: float = 0.05) -> GroupMetrics:
    """Fairness metrics per group and per intersection of groups, with confidence intervals.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        True and predicted binary outcomes (1 = positive / favourable, e.g. "approved" or "hired").
    sensitive : Series, DataFrame, mapping or array of shape (n,) or (n, a)
        The sensitive attributes; with several, each one and their intersection are reported.
    y_score : array-like of shape (n,), optional
        Predicted probabilities of the positive outcome: adds ``mean_score`` and ``calibration_gap`` (mean
        predicted probability minus observed positive rate, "calibration-in-the-large").
    metrics : sequence of str, optional
        Subset of :data:`METRICS` for the per-group table (default: all that apply). The disparities and the
        four-fifths table are always computed.
    confidence : float, default 0.95
        Of the percentile bootstrap intervals.
    n_bootstrap : int, default 1000
        Bootstrap replicates (groups resampled separately); 0 skips the intervals.
    random_state : int, optional
        Seed of the bootstrap (drawn and recorded when None).
    threshold, test, alpha
        Of the four-fifths rule (see :func:`four_fifths`).

    Returns
    -------
    GroupMetrics
        ``table`` (attribute, group, metric, value, ci_low, ci_high, n), ``disparities`` and ``four_fifths``.

    Examples
    --------
    >>> import numpy as np
    >>> y_true = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    >>> y_pred = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    >>> sex = np.array(["f", "f", "f", "f", "m", "m", "m", "m"])
    >>> gm = group_metrics(y_true, y_pred, sex, n_bootstrap=200, random_state=0)
    >>> gm.value("selection_rate", "group", "f"), gm.disparity("demographic_parity_difference", "group")
    (0.75, 0.5)
    """
    confidence = check_fraction(confidence, "confidence")
    n_boot = check_int(n_bootstrap, "n_bootstrap", low=0)
    check_choice(test, "test", TESTS)
    yt = as_binary(y_true, "y_true")
    yp = as_binary(y_pred, "y_pred", yt.shape[0])
    scores = None if y_score is None else as_scores(y_score, "y_score", yt.shape[0], probability=True)
    names = _check_metrics(metrics, scores is not None)
    frame = sensitive_frame(sensitive, yt.shape[0])
    rng, seed = make_rng(random_state)
    rows: list[dict] = []
    disparities: list[dict] = []
    counts: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
    for attribute, labels in group_labels(frame).items():
        per_group, replicates, cells = _attribute_rows(attribute, labels, (yt, yp, scores), names,
                                                       (n_boot, confidence), rng)
        rows += per_group
        disparities += disparity_rows(attribute, cells, replicates, confidence if n_boot else None)
        counts[attribute] = (sorted(replicates), cells[:, 1] + cells[:, 3], cells.sum(axis=1))
    ff = four_fifths_from_counts(counts, threshold=check_fraction(threshold, "threshold"), test=test,
                                 alpha=check_fraction(alpha, "alpha"))
    return GroupMetrics(pd.DataFrame(rows), pd.DataFrame(disparities), ff, confidence, n_boot, seed)
