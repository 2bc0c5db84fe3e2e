"""Is a row's top-k ranking of features statistically stable, given each attribution's standard error?

Principal reasons for an adverse decision must not change when the same applicant is explained again. For
a row, the k features ranked first (by value or by magnitude) are stable when each adjacent pair in the
ranking, down to the k-th against the (k+1)-th, is separated by more than its error: the gap
``(a - b) / sqrt(se_a^2 + se_b^2)`` exceeds the normal quantile for ``confidence``, Bonferroni-corrected over
the k comparisons. Exact explanations (no stderr) are stable unless two values tie.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_choice, check_int

__all__ = ["TopKStability", "top_k_stable"]


@dataclass(frozen=True)
class TopKStability:
    """Per row: the top-k features, whether their ranking is stable, and the weakest separation.

    Attributes
    ----------
    stable : bool array (n_rows,)
    top_k : tuple of tuples of str
        The k feature names per row, first ranked first.
    min_z : array (n_rows,)
        Smallest standardised gap among the k comparisons (inf for exact, untied values).
    threshold : float
        The z a gap must exceed.
    """

    stable: np.ndarray
    top_k: tuple[tuple[str, ...], ...]
    min_z: np.ndarray
    threshold: float


def top_k_stable(explanation: Explanation, k: int = 4, confidence: float = 0.95, *, output: int | str = 0,
                 by: str = "value") -> TopKStability:
    """Say per row whether the top-``k`` ranking of features is statistically stable.

    Parameters
    ----------
    explanation : Explanation
    k : int, default 4
    confidence : float, default 0.95
        Joint confidence over the k comparisons of a row.
    output : int or str, default 0
        Which output's attributions to rank.
    by : {"value", "abs"}, default "value"
        Rank by signed value (largest push toward the output first, as principal reasons do) or by magnitude.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import Explanation
    >>> exp = Explanation(np.array([[[3.0], [1.0], [0.9]]]), np.zeros((1, 1)), ["a", "b", "c"], ["y"],
    ...                   stderr=np.array([[[0.1], [0.2], [0.2]]]))
    >>> r = top_k_stable(exp, k=1)
    >>> bool(r.stable[0]), r.top_k[0]
    (True, ('a',))
    >>> bool(top_k_stable(exp, k=2).stable[0])
    False
    """
    if not isinstance(explanation, Explanation):
        raise InvalidParameterError(parameter="explanation", expected="an Explanation", got=explanation)
    n, m, _ = explanation.shape
    check_int(k, "k", low=1, high=m)
    if isinstance(confidence, bool) or not isinstance(confidence, float) or not 0 < confidence < 1:
        raise InvalidParameterError(parameter="confidence", expected="a float in (0, 1)", got=confidence)
    check_choice(by, "by", ("value", "abs"))
    single = explanation.select(outputs=output)
    values = single.values[:, :, 0]
    stderr = np.zeros_like(values) if single.stderr is None else single.stderr[:, :, 0]
    key = values if by == "value" else np.abs(values)
    order = np.argsort(-key, axis=1, kind="stable")
    comparisons = min(k, m - 1)
    threshold = float(norm.ppf(1 - (1 - confidence) / (2 * max(comparisons, 1))))
    ranked = np.take_along_axis(key, order, axis=1)
    ranked_se = np.take_along_axis(stderr, order, axis=1)
    gaps = ranked[:, :comparisons] - ranked[:, 1:comparisons + 1]
    se = np.sqrt(ranked_se[:, :comparisons] ** 2 + ranked_se[:, 1:comparisons + 1] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, gaps / se, np.where(gaps > 0, np.inf, 0.0))
    min_z = z.min(axis=1) if comparisons else np.full(n, np.inf)
    names = explanation.feature_names
    top = tuple(tuple(names[j] for j in row[:k]) for row in order)
    return TopKStability(min_z > threshold, top, min_z, threshold)
