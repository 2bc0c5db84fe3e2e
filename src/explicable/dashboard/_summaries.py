"""Plain-dict summaries the dashboard shows: the data's columns, the model's scores, a fairness audit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable.dashboard._jsonable import jsonable, records
from explicable.fairness import FairnessAudit

__all__ = ["column_summary", "fairness_summary", "score_summary"]

#: Columns of the four-fifths table the dashboard shows (the full table is in the library's result).
FOUR_FIFTHS_COLUMNS = ("attribute", "group", "n", "selected", "rate", "reference_group", "impact_ratio", "flagged",
                       "p_value", "significant")


def column_summary(name: str, column: pd.Series, role: str) -> dict[str, Any]:
    """One column: its role, missing count and either its range and mean or its most common values.

    Examples
    --------
    >>> column_summary("age", pd.Series([20, 30, None]), "feature")["mean"]
    25.0
    """
    summary: dict[str, Any] = {"name": name, "role": role, "dtype": str(column.dtype),
                               "missing": int(column.isna().sum())}
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        finite = values[np.isfinite(values)]
        summary["kind"] = "numeric"
        if finite.size:
            summary.update(min=finite.min(), max=finite.max(), mean=finite.mean(),
                           std=finite.std(ddof=1) if finite.size > 1 else None)
        return jsonable(summary)
    counts = column.astype("object").value_counts(dropna=True)
    summary["kind"] = "boolean" if pd.api.types.is_bool_dtype(column.dtype) else "categorical"
    summary["levels"] = len(counts)
    summary["top"] = [{"value": v, "count": int(c)} for v, c in counts.head(5).items()]
    return jsonable(summary)


def score_summary(scores: np.ndarray, threshold: float | None, bins: int = 10) -> dict[str, Any]:
    """The distribution of one output over the rows: quantiles, a histogram and the share at the threshold.

    Parameters
    ----------
    scores : array of shape (n_rows,)
    threshold : float or None
        The decision threshold (None when the output is not a probability).
    bins : int, default 10

    Examples
    --------
    >>> s = score_summary(np.array([0.1, 0.2, 0.7, 0.9]), 0.5, bins=2)
    >>> s["at_or_above_threshold"], s["histogram"]["counts"]
    (0.5, [2, 2])
    """
    counts, edges = np.histogram(scores, bins=bins)
    summary = {"mean": scores.mean(), "min": scores.min(), "max": scores.max(),
               "quartiles": np.quantile(scores, [0.25, 0.5, 0.75]),
               "histogram": {"counts": counts, "edges": edges}, "threshold": threshold,
               "at_or_above_threshold": None if threshold is None else float(np.mean(scores >= threshold))}
    return jsonable(summary)


def fairness_summary(audit: FairnessAudit, attributes: Sequence[str]) -> dict[str, Any]:
    """The audit's findings: per-group metrics with intervals, disparities, the four-fifths table, breaches."""
    metrics = audit.metrics
    four_fifths = metrics.four_fifths.table
    shown = [c for c in FOUR_FIFTHS_COLUMNS if c in four_fifths.columns]
    return {"available": True, "attributes": list(attributes), "positive": audit.positive,
            "threshold": audit.threshold, "passed": audit.passed, "breaches": list(audit.breaches),
            "confidence": metrics.confidence, "n_bootstrap": metrics.n_bootstrap,
            "random_state": metrics.random_state, "groups": records(metrics.table),
            "disparities": records(metrics.disparities), "four_fifths": records(four_fifths[shown])}
