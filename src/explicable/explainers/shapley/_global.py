"""Whole-model summaries of Shapley values: mean |phi| importance with intervals, and dependence data."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from explicable._version import __version__
from explicable.core.effects import DependenceData
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.importance import FeatureImportance, t_interval
from explicable.core.provenance import Provenance
from explicable.core.validation import check_fraction

__all__ = ["shapley_dependence", "shapley_importance"]


def shapley_importance(explanation: Explanation, *, confidence: float = 0.95) -> FeatureImportance:
    """Global importance as the mean absolute attribution of each feature over the explained rows.

    Parameters
    ----------
    explanation : Explanation
        Attributions of a sample of rows (any additive method: Shapley values, linear, tree).
    confidence : float, default 0.95
        Coverage of the Student-t interval (n_rows - 1 degrees of freedom).

    Returns
    -------
    FeatureImportance
        ``importances[j, k] = mean_i |values[i, j, k]|`` with the explanation's features and outputs;
        ``provenance.method`` is ``"shapley_importance"`` and its parameters name the source method.

    Notes
    -----
    The standard error treats the rows as a sample of the population the importance is about:
    ``sd_i |phi_ij| / sqrt(n)``. When the attributions were estimated (``stderr`` present) their noise is
    added: ``|phi|`` is 1-Lipschitz, so a row's ``stderr`` bounds that of its ``|phi|``, and explicable's
    sampling explainers draw the same coalitions for every row, so the rows' errors may be fully correlated
    and do not average out; the bound for that case, ``mean_i stderr_ij``, is added in quadrature. The
    interval is then conservative for independent errors.

    Examples
    --------
    >>> import numpy as np
    >>> exp = Explanation(np.array([[[1.0], [-2.0]], [[3.0], [0.0]]]), np.zeros((2, 1)), ["a", "b"], ["y"])
    >>> shapley_importance(exp).importances[:, 0].tolist()
    [2.0, 1.0]
    """
    if not isinstance(explanation, Explanation):
        raise InvalidParameterError(parameter="explanation", expected="an Explanation", got=explanation)
    start = time.perf_counter()
    confidence = check_fraction(confidence, "confidence")
    n = explanation.shape[0]
    magnitude = np.abs(explanation.values)
    mean = magnitude.mean(axis=0)
    variance = magnitude.var(axis=0, ddof=1) / n if n > 1 else np.full_like(mean, np.nan)
    if explanation.stderr is not None:
        variance = variance + explanation.stderr.mean(axis=0) ** 2
    stderr = np.sqrt(variance)
    low, high = t_interval(mean, stderr, n - 1, confidence)
    source = explanation.provenance
    provenance = Provenance(
        method="shapley_importance", parameters={"source_method": source.method, "n_rows": n},
        random_state=source.random_state, elapsed_seconds=time.perf_counter() - start,
        model_fingerprint=source.model_fingerprint, data_fingerprint=source.data_fingerprint,
        library_version=__version__, output_space=source.output_space)
    return FeatureImportance(importances=mean, stderr=stderr, ci_low=low, ci_high=high,
                             feature_names=explanation.feature_names, output_names=explanation.output_names,
                             confidence=confidence, provenance=provenance)


def shapley_dependence(explanation: Explanation, feature: Any) -> DependenceData:
    """One feature's values against its attributions over the explained rows, for a dependence plot.

    Parameters
    ----------
    explanation : Explanation
        It must carry the rows' ``data``.
    feature : str or int
        The feature's name or position.

    Returns
    -------
    DependenceData
        ``values`` (n_rows,), ``attributions`` and ``stderr`` (n_rows, n_outputs), and the explanation's
        provenance.

    Examples
    --------
    >>> import numpy as np
    >>> exp = Explanation(np.array([[[1.0], [-2.0]]]), np.zeros((1, 1)), ["a", "b"], ["y"],
    ...                   data=np.array([[5.0, 6.0]]))
    >>> dep = shapley_dependence(exp, "b")
    >>> dep.values.tolist(), dep.attributions.tolist()
    ([6.0], [[-2.0]])
    """
    if not isinstance(explanation, Explanation):
        raise InvalidParameterError(parameter="explanation", expected="an Explanation", got=explanation)
    names = explanation.feature_names
    if isinstance(feature, str) and feature in names:
        j = names.index(feature)
    elif isinstance(feature, (int, np.integer)) and not isinstance(feature, bool) and 0 <= feature < len(names):
        j = int(feature)
    else:
        raise InvalidParameterError(parameter="feature", expected=f"one of {list(names)} or a position", got=feature)
    if explanation.data is None:
        raise InvalidDataError(
            "The explanation carries no data (the explained rows' values), which a dependence plot needs; "
            "explain the rows again, or build the Explanation with data=.", parameter="explanation", got=None)
    return DependenceData(
        feature=names[j], values=explanation.data[:, j], attributions=explanation.values[:, j, :],
        output_names=explanation.output_names,
        stderr=None if explanation.stderr is None else explanation.stderr[:, j, :],
        provenance=explanation.provenance)
