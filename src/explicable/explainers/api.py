"""The front door: ``explicable.explain(model, X)``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_int, check_random_state
from explicable.explainers.methods import REGISTRY
from explicable.models.wrap import wrap

__all__ = ["explain"]


def explain(
    model: Any,
    X: Any,
    *,
    background: Any = None,
    method: str = "auto",
    random_state: int | None = None,
    budget: int | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    target: Any = None,
    **options: Any,
) -> Explanation:
    """Explain the predictions of ``model`` for the rows of ``X``.

    Parameters
    ----------
    model : model object or ModelAdapter
        Anything :func:`explicable.wrap` takes.
    X : array of shape (n_rows, n_features) or DataFrame
        The rows to explain.
    background : array or DataFrame, optional
        Reference rows the attributions are measured against (needed by linear and sampling methods).
    method : str, default "auto"
        "auto" picks the exact method for the model (native TreeSHAP for XGBoost/LightGBM/CatBoost, exact
        linear attributions for linear models); or a registered name: "tree", "linear".
    random_state : int, optional
        Seed for sampled methods; recorded in provenance.
    budget : int, optional
        Most model evaluations a sampled method may spend.
    groups : mapping of str to list of str, optional
        Report the sum of these features' attributions under one name (see :meth:`Explanation.group`).
        Pipelines with a ColumnTransformer are grouped back to their original features automatically.
    target : int, str or list, optional
        Keep only these outputs.
    **options
        Settings of the chosen method.

    Returns
    -------
    Explanation
        The method that ran is ``explanation.provenance.method``.

    Examples
    --------
    >>> import numpy as np, explicable
    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 2.0]])
    >>> exp = explicable.explain(LinearRegression().fit(X, X @ [2.0, -1.0]), X, background=X)
    >>> exp.provenance.method, exp.shape
    ('linear', (3, 2, 1))
    """
    adapter = wrap(model)
    check_random_state(random_state)
    if budget is not None:
        check_int(budget, "budget", low=1)
    if not isinstance(method, str):
        raise InvalidParameterError(parameter="method", expected="a method name (str)", got=method)
    spec = REGISTRY.resolve(method, adapter)
    try:
        explainer = spec.factory(adapter, **options)
    except TypeError as exc:
        if "unexpected keyword" not in str(exc):
            raise
        raise InvalidParameterError(f"The method '{spec.name}' does not take the option(s) {sorted(options)}.",
                                    parameter="options", got=sorted(options)) from None
    result = explainer.fit(background).explain(X, target=target)
    return result if groups is None else result.group(groups)
