"""Fairness-metric drift: has the impact ratio of the decisions moved between a reference and a current window?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError
from explicable.core.random import make_rng
from explicable.core.validation import check_fraction, check_int, check_random_state
from explicable.fairness import four_fifths

__all__ = ["FairnessDrift", "fairness_drift"]


@dataclass(frozen=True)
class FairnessDrift:
    """The impact ratios of two windows of decisions, their change with a bootstrap interval, and the alerts.

    Attributes
    ----------
    reference, current : DataFrame
        Each window's four-fifths table (one row per group: rate, impact ratio, flagged, p-value).
    reference_ratio, current_ratio : float
        The lowest impact ratio of each window.
    change : float
        ``current_ratio - reference_ratio``.
    ci_low, ci_high : float
        Its 95% bootstrap interval (rows resampled within each window).
    alerts : list of str
    """

    reference: pd.DataFrame
    current: pd.DataFrame
    reference_ratio: float
    current_ratio: float
    change: float
    ci_low: float
    ci_high: float
    alerts: list[str]

    @property
    def breached(self) -> bool:
        """Whether any alert was raised."""
        return bool(self.alerts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures and alerts."""
        return {"reference_ratio": self.reference_ratio, "current_ratio": self.current_ratio, "change": self.change,
                "ci_low": self.ci_low, "ci_high": self.ci_high, "alerts": list(self.alerts)}


def fairness_drift(reference_selected: Any, reference_groups: Any, current_selected: Any, current_groups: Any, *,
                   impact_ratio_min: float = 0.8, max_drop: float = 0.1, n_bootstrap: int = 200,
                   random_state: int | None = None) -> FairnessDrift:
    """Compare the four-fifths impact ratio of the decisions of two windows.

    Two alerts: the current window's lowest impact ratio is under ``impact_ratio_min`` and significantly so
    (the four-fifths table's two-proportion test), or the ratio fell by more than ``max_drop`` with a 95%
    bootstrap interval of the change entirely below zero (so resampling noise alone does not alert).

    Parameters
    ----------
    reference_selected, current_selected : array of shape (n,)
        1 where the decision was favourable.
    reference_groups, current_groups : array of shape (n,)
        Each row's group of one sensitive attribute.
    impact_ratio_min : float, default 0.8
    max_drop : float, default 0.1
    n_bootstrap : int, default 200
    random_state : int, optional

    Returns
    -------
    FairnessDrift

    Examples
    --------
    >>> import numpy as np
    >>> groups = np.repeat(["a", "b"], 200)
    >>> before = np.r_[np.ones(100), np.zeros(100), np.ones(95), np.zeros(105)]
    >>> after = np.r_[np.ones(100), np.zeros(100), np.ones(50), np.zeros(150)]
    >>> drift = fairness_drift(before, groups, after, groups, random_state=0)
    >>> round(drift.reference_ratio, 2), round(drift.current_ratio, 2), drift.breached
    (0.95, 0.5, True)
    """
    impact_ratio_min = check_fraction(impact_ratio_min, "impact_ratio_min")
    max_drop = check_fraction(max_drop, "max_drop")
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=10)
    rng, _ = make_rng(check_random_state(random_state))
    windows = [_window(reference_selected, reference_groups, "reference"),
               _window(current_selected, current_groups, "current")]
    tables = [four_fifths(sel, grp, threshold=impact_ratio_min).table for sel, grp in windows]
    ratios = [_lowest(sel, grp) for sel, grp in windows]
    draws = np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        resampled = []
        for sel, grp in windows:
            pick = rng.integers(0, sel.size, sel.size)
            resampled.append(_lowest(sel[pick], grp[pick]))
        draws[b] = resampled[1] - resampled[0]
    low, high = (float(v) for v in np.nanquantile(draws, [0.025, 0.975]))
    change = ratios[1] - ratios[0]
    alerts = []
    current = tables[1]
    flagged = current[current["flagged"] & current["significant"]]
    for row in flagged.itertuples():
        alerts.append(f"impact ratio of group '{row.group}' is {row.impact_ratio:.3f} < {impact_ratio_min:g} in the "
                      f"current window (p = {row.p_value:.2g})")
    if change < -max_drop and high < 0:
        alerts.append(f"lowest impact ratio fell by {-change:.3f} (> {max_drop:g}; 95% CI of the change "
                      f"[{low:.3f}, {high:.3f}])")
    return FairnessDrift(tables[0], current, ratios[0], ratios[1], change, low, high, alerts)


def _window(selected: Any, groups: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    sel = np.asarray(selected)
    grp = np.asarray(groups)
    if sel.ndim != 1 or grp.shape != sel.shape or sel.size == 0 or not np.isin(sel, (0, 1)).all():
        raise InvalidDataError(parameter=f"{name}_selected", expected="0/1 decisions of shape (n,) with one group "
                               "per decision", got=selected)
    if np.unique(grp).size < 2:
        raise InvalidDataError(parameter=f"{name}_groups", expected="at least two groups", got=groups)
    return sel.astype("int64"), grp.astype(str)


def _lowest(sel: np.ndarray, grp: np.ndarray) -> float:
    names, inverse = np.unique(grp, return_inverse=True)
    sizes = np.bincount(inverse, minlength=names.size)
    rates = np.bincount(inverse, weights=sel, minlength=names.size) / np.maximum(sizes, 1)
    rates = rates[sizes > 0]
    return float(rates.min() / rates.max()) if rates.size > 1 and rates.max() > 0 else float("nan")
