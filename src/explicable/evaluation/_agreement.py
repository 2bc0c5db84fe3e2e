"""Do two explanations of the same rows agree? Rank correlation and top-k overlap, per row."""

from __future__ import annotations

from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_choice, check_number
from explicable.evaluation._common import (
    attributions,
    check_explanation,
    default_k,
    jaccard,
    rank_correlation,
    top_k_sets,
)
from explicable.evaluation._result import CheckResult

__all__ = ["agreement", "aligned"]


def agreement(exp_a: Explanation, exp_b: Explanation, *, k: int | None = None, output: Any = None,
              by: str = "abs", method: str = "spearman", threshold: float = 0.5) -> CheckResult:
    """Per-row rank correlation and top-k overlap of two explanations of the same rows (e.g. Shapley and LIME).

    Parameters
    ----------
    exp_a, exp_b : Explanation
        The same rows and features (``exp_b``'s features are matched to ``exp_a``'s by name).
    k : int, optional
        Size of the compared top sets; default 5, or one less than the number of features when fewer.
    output : str or int, optional
        The output compared in each explanation (default the first of each).
    by : {"abs", "value"}, default "abs"
        Rank by magnitude (methods on different scales, like Shapley values and LIME weights, agree on what
        matters more often than on how much) or by signed value.
    method : {"spearman", "kendall"}, default "spearman"
    threshold : float, default 0.5
        Pass when the mean rank correlation is at least this: 0.5 is the conventional border of a strong
        association, where the two rankings share their broad order even if neighbours swap.

    Returns
    -------
    CheckResult
        ``per_row`` is each row's rank correlation; ``details["top_k_jaccard"]`` the per-row overlap of the
        top-k sets and ``details["mean_top_k_jaccard"]`` its mean.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import Explanation
    >>> a = Explanation(np.array([[[4.0], [3.0], [2.0], [1.0]]]), np.zeros((1, 1)), list("abcd"), ["y"])
    >>> b = Explanation(np.array([[[1.0], [2.0], [3.0], [4.0]]]), np.zeros((1, 1)), list("abcd"), ["y"])
    >>> agreement(a, a).value, agreement(a, b).value, agreement(a, b, k=2).details["mean_top_k_jaccard"]
    (1.0, -1.0, 0.0)
    """
    threshold = check_number(threshold, "threshold")
    check_choice(by, "by", ("abs", "value"))
    phi_a, phi_b = aligned(exp_a, exp_b, output)
    size = default_k(k, phi_a.shape[1])
    key_a, key_b = (np.abs(phi_a), np.abs(phi_b)) if by == "abs" else (phi_a, phi_b)
    per_row = rank_correlation(key_a, key_b, method)
    overlap = jaccard(top_k_sets(phi_a, size, by), top_k_sets(phi_b, size, by), phi_a.shape[1])
    undefined = int(np.isnan(per_row).sum())
    value = float(np.nanmean(per_row)) if undefined < per_row.size else float("nan")
    details = {"statistic": f"mean {method} rank correlation", "k": size, "by": by,
               "mean_top_k_jaccard": float(overlap.mean()), "top_k_jaccard": overlap, "undefined_rows": undefined}
    return CheckResult("agreement", value, threshold, True, per_row, details)


def aligned(exp_a: Explanation, exp_b: Explanation, output: Any, names: tuple[str, str] = ("exp_a", "exp_b")
            ) -> tuple[np.ndarray, np.ndarray]:
    """The attributions (n, m) of both explanations, ``exp_b``'s features in ``exp_a``'s order."""
    check_explanation(exp_a, names[0])
    check_explanation(exp_b, names[1])
    if len(exp_a) != len(exp_b):
        raise InvalidDataError(parameter=names[1], expected=f"an explanation of the same {len(exp_a)} rows",
                               got=f"{len(exp_b)} rows")
    if set(exp_a.feature_names) != set(exp_b.feature_names):
        missing = sorted(set(exp_a.feature_names) ^ set(exp_b.feature_names))
        raise InvalidDataError(parameter=names[1], expected=f"the features of {names[0]}",
                               got=f"different features ({', '.join(missing[:5])})")
    phi_b = attributions(exp_b, output, names[1])
    order = [exp_b.feature_names.index(f) for f in exp_a.feature_names]
    return attributions(exp_a, output, names[0]), phi_b[:, order]
