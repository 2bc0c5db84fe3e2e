"""Helpers shared by the checks: choosing an output, reading attributions, ranks and top-k sets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeAlias

import numpy as np
from scipy.stats import rankdata

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_choice, check_int
from explicable.explainers.base import Explainer

__all__ = ["ExplainerLike", "attributions", "call_explainer", "check_explanation", "default_k",
           "jaccard", "model_output", "rank_correlation", "top_k_sets"]

class Explains(Protocol):
    """Any fitted object with ``explain(X) -> Explanation`` (the text, attention and concept explainers)."""

    def explain(self, X: Any, *, target: Any = None) -> Explanation: ...


#: A fitted Explainer or object with ``explain``, or a callable ``X -> Explanation`` (or an array (n, m) /
#: (n, m, k) of attributions).
ExplainerLike: TypeAlias = Explainer | Explains | Callable[[Any], Any]


def check_explanation(value: Any, name: str = "explanation") -> Explanation:
    if not isinstance(value, Explanation):
        raise InvalidParameterError(parameter=name, expected="an Explanation", got=value)
    return value


def output_position(explanation: Explanation, output: Any, name: str = "output") -> int:
    """Position in ``explanation.output_names`` of ``output`` (a name or an index; None: the first output)."""
    names = explanation.output_names
    if output is None:
        if not names:
            raise InvalidParameterError(parameter=name, expected="an output name or index (the explanation has no "
                                        "outputs to default to)", got=None)
        return 0
    if isinstance(output, str):
        if output not in names:
            raise InvalidParameterError(parameter=name, expected=f"one of the outputs {list(names)}", got=output)
        return names.index(output)
    if isinstance(output, bool) or not isinstance(output, (int, np.integer)) or not -len(names) <= output < len(names):
        raise InvalidParameterError(parameter=name, expected=f"an output name or an index below {len(names)}",
                                    got=output)
    return int(output) % len(names)


def attributions(explanation: Explanation, output: Any = None, name: str = "explanation") -> np.ndarray:
    """The (n_rows, n_features) attributions of one output."""
    check_explanation(explanation, name)
    return np.array(explanation.values[:, :, output_position(explanation, output)], dtype="float64")


def model_output(model_names: tuple[str, ...], explanation: Explanation, output: Any) -> int:
    """The model's output column that the chosen output of ``explanation`` explains (matched by name)."""
    name = explanation.output_names[output_position(explanation, output)]
    if name in model_names:
        return model_names.index(name)
    if len(model_names) == 1:
        return 0
    if len(model_names) == len(explanation.output_names):
        return output_position(explanation, output)
    raise InvalidParameterError(parameter="output", expected=f"an output the model has ({list(model_names)})",
                                got=name)


def call_explainer(explainer: Any, X: Any, output: Any, *, name: str = "explainer") -> np.ndarray:
    """Attributions (n, m) of ``explainer`` for ``X``: a fitted Explainer, any fitted object with an
    ``explain(X) -> Explanation`` method (the text and attention explainers), or a callable returning an
    Explanation or an array (n, m) or (n, m, k)."""
    if isinstance(explainer, Explainer):
        rows = X.reshape(X.shape[0], -1) if isinstance(X, np.ndarray) and X.ndim > 2 else X
        return attributions(explainer.explain(rows), output)
    if callable(getattr(explainer, "explain", None)):
        return attributions(explainer.explain(X), output)
    if not callable(explainer):
        raise InvalidParameterError(parameter=name, expected="a fitted Explainer or a callable X -> Explanation",
                                    got=explainer)
    result = explainer(X)
    if isinstance(result, Explanation):
        return attributions(result, output)
    arr = np.asarray(result, dtype="float64")
    if arr.ndim == 2:
        return arr
    if arr.ndim == 3:
        position = 0 if output is None else output
        if isinstance(position, bool) or not isinstance(position, (int, np.integer)):
            raise InvalidParameterError(parameter="output", expected="an index (the explainer returns arrays)",
                                        got=output)
        return arr[:, :, int(position)]
    raise InvalidDataError(parameter=name, expected="an Explanation or attributions of shape (n, m) or (n, m, k)",
                           got=arr)


def default_k(k: Any, n_features: int) -> int:
    """``k`` checked against the number of features; None: 5, or fewer when there are few features."""
    if k is None:
        return max(1, min(5, n_features - 1))
    return check_int(k, "k", low=1, high=n_features)


def top_k_sets(values: np.ndarray, k: int, by: str = "abs") -> np.ndarray:
    """Indices (n, k) of each row's top-k features, sorted by index (a set per row)."""
    check_choice(by, "by", ("abs", "value"))
    key = np.abs(values) if by == "abs" else values
    order = np.argsort(-key, axis=1, kind="stable")[:, :k]
    return np.sort(order, axis=1)


def jaccard(a: np.ndarray, b: np.ndarray, n_features: int) -> np.ndarray:
    """Per-row Jaccard index of the index sets ``a`` (n, k) and ``b`` (n, k')."""
    rows = np.arange(a.shape[0])[:, None]
    in_a = np.zeros((a.shape[0], n_features), dtype=bool)
    in_b = np.zeros_like(in_a)
    in_a[rows, a] = True
    in_b[rows, b] = True
    union = (in_a | in_b).sum(axis=1)
    return np.where(union > 0, (in_a & in_b).sum(axis=1) / np.maximum(union, 1), 1.0)


def rank_correlation(a: np.ndarray, b: np.ndarray, method: str = "spearman") -> np.ndarray:
    """Per-row Spearman (or Kendall tau-b) correlation of the rows of ``a`` and ``b`` (n, m); NaN for a
    constant row."""
    check_choice(method, "method", ("spearman", "kendall"))
    if method == "kendall":
        from scipy.stats import kendalltau

        return np.array([kendalltau(x, y).statistic for x, y in zip(a, b, strict=True)], dtype="float64")
    return pearson_rows(rankdata(a, axis=1), rankdata(b, axis=1))


def pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-row Pearson correlation of (n, s) arrays; NaN where either row is constant."""
    da = a - a.mean(axis=1, keepdims=True)
    db = b - b.mean(axis=1, keepdims=True)
    norm = np.sqrt((da**2).sum(axis=1) * (db**2).sum(axis=1))
    scale = np.maximum(np.abs(a).max(axis=1), np.abs(b).max(axis=1))
    # relative tolerance: a row constant up to rounding is constant
    constant = norm <= 1e-12 * np.maximum(scale, 1e-300) ** 2 * a.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(constant, np.nan, (da * db).sum(axis=1) / np.where(constant, 1.0, norm))
