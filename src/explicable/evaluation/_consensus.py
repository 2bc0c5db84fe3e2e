"""A consensus view of several explanations: each method's ranking per feature, and where they disagree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_number
from explicable.evaluation._agreement import aligned
from explicable.evaluation._common import default_k
from explicable.evaluation._result import ConsensusResult

__all__ = ["consensus"]


def consensus(explanations: Sequence[Explanation], *, k: int | None = None, names: Sequence[str] | None = None,
              output: Any = None, by_row: bool = False, threshold: float = 0.25) -> ConsensusResult:
    """Rank the features by each method and name those the methods disagree on.

    A feature is contested when one method ranks it in its top ``k`` (by mean absolute attribution over the
    rows) while another ranks it below ``2k``, or when it is in some method's top ``k`` and the methods'
    mean attributions to it have opposite signs. The same rules applied to each row give ``per_row``.

    Parameters
    ----------
    explanations : sequence of Explanation
        At least two explanations of the same rows and features (matched by name to the first).
    k : int, optional
        Default 5, or one less than the number of features when fewer.
    names : sequence of str, optional
        The methods' names; default each explanation's ``provenance.method`` (numbered when repeated).
    output : str or int, optional
        The output compared in each explanation (default the first of each).
    by_row : bool, default False
        Make ``table`` per row and feature (each method's rank and value in that row, and the row's flags)
        instead of per feature.
    threshold : float, default 0.25
        Pass when the share of contested features among those some method ranks in its top k is at most
        this. With two methods and k = 5 up to ten features are named; 0.25 allows two contested ones.
        Different methods answer different questions (interventional Shapley values, local surrogates), so
        some disagreement is expected; more than a quarter means the explanation depends on the method
        chosen and should not be reported without saying so.

    Returns
    -------
    ConsensusResult
        ``table`` (sorted by the best rank any method gives), ``disagreements`` (feature names), ``methods``.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import Explanation
    >>> a = Explanation(np.array([[[5.0], [4.0], [1.0], [0.5], [0.1]]]), np.zeros((1, 1)), list("abcde"), ["y"])
    >>> b = Explanation(np.array([[[5.0], [0.1], [1.0], [0.5], [4.0]]]), np.zeros((1, 1)), list("abcde"), ["y"])
    >>> r = consensus([a, b], k=2, names=["shap", "lime"])
    >>> r.disagreements, r.table.loc[r.table.feature == "b", "rank_lime"].item()
    (('b', 'e'), 5)
    """
    threshold = check_number(threshold, "threshold")
    if isinstance(explanations, Explanation) or not isinstance(explanations, Sequence) or len(explanations) < 2:
        raise InvalidParameterError(parameter="explanations", expected="a sequence of at least 2 Explanations",
                                    got=explanations)
    first = explanations[0]
    phis = np.stack([aligned(first, e, output, ("explanations[0]", f"explanations[{i}]"))[1]
                     for i, e in enumerate(explanations)])  # (M, n, m)
    methods = _names(names, explanations)
    m = phis.shape[2]
    size = default_k(k, m)
    features = first.feature_names
    mean_abs, mean = np.abs(phis).mean(axis=1), phis.mean(axis=1)  # (M, m)
    ranks = _ranks(mean_abs)
    rank_flag, sign_flag, named = _flags(ranks, mean, size)
    contested = rank_flag | sign_flag
    row_ranks = _ranks(np.abs(phis))
    row_rank, row_sign, row_named = _flags(row_ranks, phis, size)
    per_row = (row_rank | row_sign).sum(axis=1) / np.maximum(row_named.sum(axis=1), 1)
    value = float(contested.sum() / max(int(named.sum()), 1))
    if by_row:
        table = _row_table(features, methods, row_ranks, phis, row_rank, row_sign)
    else:
        table = _feature_table(features, methods, ranks, mean_abs, mean, rank_flag, sign_flag, size)
    disagreements = tuple(f for f, c in zip(features, contested, strict=True) if c)
    details = {"statistic": "share of top-k features contested", "k": size, "methods": list(methods),
               "n_named": int(named.sum())}
    return ConsensusResult("consensus", value, threshold, False, per_row, details, table=table,
                           disagreements=disagreements, methods=methods)


def _names(names: Sequence[str] | None, explanations: Sequence[Explanation]) -> tuple[str, ...]:
    if names is not None:
        out = tuple(str(n) for n in names)
        if len(out) != len(explanations) or len(set(out)) != len(out):
            raise InvalidParameterError(parameter="names", expected=f"{len(explanations)} distinct names", got=names)
        return out
    seen: dict[str, int] = {}
    result = []
    for exp in explanations:
        base = exp.provenance.method
        seen[base] = seen.get(base, 0) + 1
        result.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return tuple(result)


def _ranks(importance: np.ndarray) -> np.ndarray:
    """1-based rank along the last axis, most important first (ties in feature order)."""
    order = np.argsort(-importance, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, importance.shape[-1] + 1), axis=-1)
    return ranks


def _flags(ranks: np.ndarray, values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank disagreement, sign disagreement and 'named by someone' for (M, ..., m) ranks and values."""
    top = np.asarray((ranks <= k).any(axis=0))
    rank_flag = top & np.asarray((ranks > 2 * k).any(axis=0))
    sign_flag = top & np.asarray((values > 0).any(axis=0)) & np.asarray((values < 0).any(axis=0))
    return rank_flag, sign_flag, top


def _feature_table(features: tuple[str, ...], methods: tuple[str, ...], ranks: np.ndarray, mean_abs: np.ndarray,
                   mean: np.ndarray, rank_flag: np.ndarray, sign_flag: np.ndarray, k: int) -> pd.DataFrame:
    columns: dict[str, Any] = {"feature": list(features)}
    for i, name in enumerate(methods):
        columns[f"rank_{name}"] = ranks[i]
        columns[f"mean_abs_{name}"] = mean_abs[i]
        columns[f"mean_{name}"] = mean[i]
    columns["disagree"] = rank_flag | sign_flag
    columns["reason"] = [_reason(j, methods, ranks, mean, rank_flag[j], sign_flag[j], k) for j in range(len(features))]
    table = pd.DataFrame(columns)
    best = ranks.min(axis=0)
    return table.iloc[np.argsort(best, kind="stable")].reset_index(drop=True)


def _reason(j: int, methods: tuple[str, ...], ranks: np.ndarray, mean: np.ndarray, by_rank: bool, by_sign: bool,
            k: int) -> str:
    parts = []
    if by_rank:
        high = ", ".join(f"{m} {ranks[i, j]}" for i, m in enumerate(methods) if ranks[i, j] <= k)
        low = ", ".join(f"{m} {ranks[i, j]}" for i, m in enumerate(methods) if ranks[i, j] > 2 * k)
        parts.append(f"top {k} in {high}; below {2 * k} in {low}")
    if by_sign:
        signs = ", ".join(f"{m} {'+' if mean[i, j] > 0 else '-' if mean[i, j] < 0 else '0'}"
                          for i, m in enumerate(methods))
        parts.append(f"opposite signs ({signs})")
    return "; ".join(parts)


def _row_table(features: tuple[str, ...], methods: tuple[str, ...], ranks: np.ndarray, phis: np.ndarray,
               rank_flag: np.ndarray, sign_flag: np.ndarray) -> pd.DataFrame:
    _, n, m = phis.shape
    columns: dict[str, Any] = {"row": np.repeat(np.arange(n), m), "feature": np.tile(np.asarray(features), n)}
    for i, name in enumerate(methods):
        columns[f"rank_{name}"] = ranks[i].reshape(-1)
        columns[f"value_{name}"] = phis[i].reshape(-1)
    columns["rank_disagree"] = rank_flag.reshape(-1)
    columns["sign_disagree"] = sign_flag.reshape(-1)
    columns["disagree"] = (rank_flag | sign_flag).reshape(-1)
    return pd.DataFrame(columns)
