"""Typed results of the group-fairness audit: each holds tidy frames and says in words what it found.

Front ends print ``to_frame()`` and ``summary()``; a CI gate reads ``breached(...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["FourFifths", "GroupMetrics", "LL144Table", "MitigationResult"]


@dataclass(frozen=True, eq=False)
class FourFifths:
    """The four-fifths rule (29 CFR 1607.4(D)): each group's selection rate against the highest group's.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per attribute and group: ``attribute, group, n, selected, rate, reference_group,
        reference_n, reference_rate, impact_ratio, flagged, test, statistic, p_value, significant``. The
        reference group (highest rate of its attribute) has ratio 1 and no test. ``test`` is ``"z"`` (pooled
        two-proportion z) or ``"fisher"`` (Fisher's exact, used by ``test="auto"`` when an expected count of the
        2x2 table is under 5); p-values are two-sided.
    threshold : float
        A group is flagged when its impact ratio is below this (0.8).
    alpha : float
        A difference is significant when its p-value is below this.
    """

    table: pd.DataFrame
    threshold: float
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    @property
    def flagged(self) -> tuple[tuple[str, str], ...]:
        """(attribute, group) pairs whose impact ratio is under the threshold."""
        rows = self.table[self.table["flagged"]]
        return tuple(zip(rows["attribute"].astype(str), rows["group"].astype(str), strict=True))

    def breached(self, *, require_significance: bool = False) -> bool:
        """Whether some group is flagged (and, if asked, its difference is also significant)."""
        hit = self.table["flagged"]
        if require_significance:
            hit = hit & self.table["significant"]
        return bool(hit.any())

    def summary(self) -> str:
        """One line per flagged group, or a line saying that none is."""
        rows = self.table[self.table["flagged"]]
        if rows.empty:
            return f"four-fifths: no group's selection rate is under {self.threshold:g} of the highest."
        lines = [
            f"four-fifths: {r.attribute}={r.group} selected at {r.rate:.1%} ({r.selected}/{r.n}) vs "
            f"{r.reference_group} at {r.reference_rate:.1%} (n={r.reference_n}): impact ratio {r.impact_ratio:.2f}, "
            f"p={r.p_value:.3g} ({r.test})" for r in rows.itertuples()
        ]
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class GroupMetrics:
    """Per-group metrics with bootstrap confidence intervals, the disparities between groups and the four-fifths
    rule with significance.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: ``attribute, group, metric, value, ci_low, ci_high, n``. ``attribute`` is a sensitive column or,
        with several, their intersection (``"sex & age_group"``, groups like ``"female & young"``).
    disparities : pandas.DataFrame
        Tidy: ``attribute, metric, value, ci_low, ci_high`` for demographic parity difference and ratio,
        equalized odds difference and ratio, equal opportunity difference and the disparate impact ratio.
    four_fifths : FourFifths
        Selection rates against the highest group's, with p-values and sample sizes.
    confidence : float
    n_bootstrap : int
    random_state : int
        The seed used (drawn and recorded when none was given).
    """

    table: pd.DataFrame
    disparities: pd.DataFrame
    four_fifths: FourFifths
    confidence: float
    n_bootstrap: int
    random_state: int

    def to_frame(self) -> pd.DataFrame:
        """The per-group table (a copy)."""
        return self.table.copy()

    def value(self, metric: str, attribute: str, group: str) -> float:
        """One metric's value for one group."""
        t = self.table
        hit = t[(t["metric"] == metric) & (t["attribute"] == attribute) & (t["group"] == group)]
        if hit.empty:
            raise KeyError((metric, attribute, group))
        return float(hit["value"].iloc[0])

    def disparity(self, metric: str, attribute: str) -> float:
        """One disparity summary's value for one attribute."""
        d = self.disparities
        hit = d[(d["metric"] == metric) & (d["attribute"] == attribute)]
        if hit.empty:
            raise KeyError((metric, attribute))
        return float(hit["value"].iloc[0])

    def summary(self) -> str:
        """The disparities, one line per attribute, then the four-fifths findings."""
        lines = []
        for attribute, rows in self.disparities.groupby("attribute", sort=False):
            parts = ", ".join(f"{r.metric}={r.value:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]" for r in rows.itertuples())
            lines.append(f"{attribute}: {parts}")
        return "\n".join([*lines, self.four_fifths.summary()])


@dataclass(frozen=True, eq=False)
class LL144Table:
    """A NYC Local Law 144 bias-audit table (6 RCNY 5-301): rates and impact ratios by sex, race/ethnicity and
    their intersection.

    Attributes
    ----------
    kind : {"selection", "scoring"}
        Selection rate (share selected) or scoring rate (share scoring above the full sample's median).
    table : pandas.DataFrame
        ``dimension, category, n, n_positive, rate, share, impact_ratio, excluded``: ``share`` is the
        category's part of all rows; ``excluded`` categories (under ``exclude_under`` of the data) have no
        impact ratio and are not candidates for the highest rate.
    unknown : mapping of str to int
        Per dimension, how many rows have an unknown category (not in the table's rates or ratios).
    median : float or None
        The full sample's median score (scoring tables).
    exclude_under : float
        The share under which categories were excluded (0: none).
    notes : tuple of str
        What a reader must be told: exclusions, unknown counts, the median used.
    """

    kind: str
    table: pd.DataFrame
    unknown: Mapping[str, int]
    median: float | None
    exclude_under: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def unknown_frame(self) -> pd.DataFrame:
        """The unknown-category counts: ``dimension, n_unknown``."""
        return pd.DataFrame({"dimension": list(self.unknown), "n_unknown": list(self.unknown.values())})

    def breached(self, threshold: float = 0.8) -> bool:
        """Whether some included category's impact ratio is under ``threshold``."""
        ratios = self.table.loc[~self.table["excluded"], "impact_ratio"]
        return bool((ratios < threshold).any())

    def summary(self) -> str:
        """The notes, one per line."""
        return "\n".join(self.notes)


@dataclass(frozen=True, eq=False)
class MitigationResult:
    """A fairness-mitigated model and how it compares with the original on evaluation data.

    Attributes
    ----------
    model : MitigatedModel
        A scikit-learn classifier (``predict_proba`` deterministic, ``predict`` fairlearn's randomized
        decision with a recorded seed); ``explicable.wrap(result.model)`` explains it.
    comparison : pandas.DataFrame
        ``attribute, metric, before, after, change``: accuracy and every disparity (``attribute`` is ``"all"``
        for accuracy and selection rate).
    method, constraint : str
    random_state : int
    details : mapping
        Settings passed to fairlearn.
    """

    model: Any
    comparison: pd.DataFrame
    method: str
    constraint: str
    random_state: int
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The before/after table (a copy)."""
        return self.comparison.copy()
