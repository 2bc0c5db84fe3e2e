"""Disparities between groups: one number per attribute summarising how far apart the groups are.

Definitions follow fairlearn's (``method="between_groups"``, ``agg="worst_case"``): differences are the largest
minus the smallest group value, ratios the smallest over the largest; equalized odds takes the worse of the
true- and false-positive rates. The disparate impact ratio is the lowest four-fifths ratio (lowest selection
rate over the highest), hence equal to the demographic parity ratio; it is reported under the name regulators
use. Groups where a rate is undefined (no positives for TPR) are left out of that rate's comparison.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping

import numpy as np

from explicable.fairness._metrics_bootstrap import percentile_interval, rates_from_counts

__all__ = ["DISPARITIES", "disparities", "disparity_rows"]


def _spread(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as they should
        return np.nanmax(values, axis=0), np.nanmin(values, axis=0)


def _difference(values: np.ndarray) -> np.ndarray:
    high, low = _spread(values)
    return np.asarray(high - low)


def _ratio(values: np.ndarray) -> np.ndarray:
    high, low = _spread(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(high > 0, low / np.where(high > 0, high, 1.0), np.nan))


DISPARITIES: dict[str, Callable[[Mapping[str, np.ndarray]], np.ndarray]] = {
    "demographic_parity_difference": lambda r: _difference(r["selection_rate"]),
    "demographic_parity_ratio": lambda r: _ratio(r["selection_rate"]),
    "equalized_odds_difference": lambda r: np.fmax(_difference(r["true_positive_rate"]),
                                                   _difference(r["false_positive_rate"])),
    "equalized_odds_ratio": lambda r: np.fmin(_ratio(r["true_positive_rate"]), _ratio(r["false_positive_rate"])),
    "equal_opportunity_difference": lambda r: _difference(r["true_positive_rate"]),
    "disparate_impact_ratio": lambda r: _ratio(r["selection_rate"]),
}


def disparities(cells: np.ndarray) -> dict[str, float]:
    """Every disparity from the groups' confusion counts, shape (n_groups, 4) ordered (TN, FP, FN, TP)."""
    rates = rates_from_counts(cells)
    return {name: float(fn(rates)) for name, fn in DISPARITIES.items()}


def disparity_rows(attribute: str, cells: np.ndarray, replicates: Mapping[str, Mapping[str, np.ndarray]],
                   confidence: float | None) -> list[dict]:
    """Tidy rows (attribute, metric, value, ci_low, ci_high); the bootstrap replicates of the groups are
    combined replicate by replicate (groups resampled independently)."""
    point = disparities(cells)
    groups = list(replicates)
    stacked = {m: np.stack([replicates[g][m] for g in groups]) for m in
               ("selection_rate", "true_positive_rate", "false_positive_rate")}
    rows = []
    for name, fn in DISPARITIES.items():
        low, high = percentile_interval(fn(stacked), confidence) if confidence is not None else (np.nan, np.nan)
        rows.append({"attribute": attribute, "metric": name, "value": point[name], "ci_low": low, "ci_high": high})
    return rows
