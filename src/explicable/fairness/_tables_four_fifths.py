"""The four-fifths rule of the Uniform Guidelines (29 CFR 1607.4(D)), with significance and sample sizes.

"A selection rate for any race, sex, or ethnic group which is less than four-fifths (4/5) (or eighty percent)
of the rate for the group with the highest rate will generally be regarded ... as evidence of adverse impact."
Each group is compared with the highest-rate group of its attribute; the ratio alone is not evidence in small
samples, so each comparison carries a two-sided p-value (see :mod:`._significance` for which test is used).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.validation import check_choice, check_fraction
from explicable.fairness._group_inputs import as_binary, group_labels, sensitive_frame
from explicable.fairness._results import FourFifths
from explicable.fairness._significance import TESTS, compare_proportions

__all__ = ["four_fifths", "four_fifths_from_counts"]


def four_fifths_from_counts(counts: Mapping[str, tuple[Sequence[str], np.ndarray, np.ndarray]], *,
                            threshold: float, test: str, alpha: float) -> FourFifths:
    """The four-fifths table from, per attribute, (groups, selected counts, group sizes)."""
    rows: list[dict[str, Any]] = []
    for attribute, (groups, selected, sizes) in counts.items():
        rates = selected / sizes
        ref = int(np.argmax(rates))  # the first group with the highest rate (groups come sorted)
        for g, group in enumerate(groups):
            ratio = rates[g] / rates[ref] if rates[ref] > 0 else math.nan
            result = None if g == ref else compare_proportions(int(selected[g]), int(sizes[g]), int(selected[ref]),
                                                               int(sizes[ref]), test=test)
            p = result.p_value if result is not None else math.nan
            rows.append({
                "attribute": attribute, "group": group, "n": int(sizes[g]), "selected": int(selected[g]),
                "rate": float(rates[g]), "reference_group": groups[ref], "reference_n": int(sizes[ref]),
                "reference_rate": float(rates[ref]), "impact_ratio": float(ratio),
                "flagged": bool(ratio < threshold), "test": result.test if result is not None else "",
                "statistic": result.statistic if result is not None else math.nan, "p_value": p,
                "significant": bool(p < alpha),
            })
    return FourFifths(pd.DataFrame(rows), threshold, alpha)


def four_fifths(selected: Any, sensitive: Any, *, threshold: float = 0.8, test: str = "auto",
                alpha: float = 0.05) -> FourFifths:
    """Compare each group's selection rate with the highest group's (the EEOC four-fifths rule).

    Parameters
    ----------
    selected : array-like of shape (n,)
        1 (or True) for a selected / favourable outcome.
    sensitive : Series, DataFrame, mapping or array of shape (n,) or (n, a)
        The group of each row; with several attributes, each one and their intersection are tested.
    threshold : float, default 0.8
        Impact ratios under this are flagged.
    test : {"auto", "z", "fisher"}, default "auto"
        "auto": the pooled two-proportion z test, or Fisher's exact test when an expected count is under 5.
    alpha : float, default 0.05
        Significance level of the ``significant`` column.

    Returns
    -------
    FourFifths

    Examples
    --------
    The Uniform Guidelines' arithmetic: 60% against 30% is an impact ratio of 0.50.

    >>> import numpy as np
    >>> sel = np.r_[np.ones(60), np.zeros(40), np.ones(30), np.zeros(70)]
    >>> grp = np.repeat(["A", "B"], 100)
    >>> ff = four_fifths(sel, grp)
    >>> ff.to_frame()[["group", "rate", "impact_ratio", "flagged"]]
      group  rate  impact_ratio  flagged
    0     A   0.6           1.0    False
    1     B   0.3           0.5     True
    """
    threshold = check_fraction(threshold, "threshold")
    alpha = check_fraction(alpha, "alpha")
    check_choice(test, "test", TESTS)
    y = as_binary(selected, "selected")
    frame = sensitive_frame(sensitive, y.shape[0])
    counts = {}
    for attribute, labels in group_labels(frame).items():
        codes, groups = pd.factorize(labels, sort=True)
        sizes = np.bincount(codes, minlength=len(groups))
        chosen = np.bincount(codes, weights=y, minlength=len(groups))
        counts[attribute] = ([str(g) for g in groups], chosen, sizes)
    return four_fifths_from_counts(counts, threshold=threshold, test=test, alpha=alpha)
