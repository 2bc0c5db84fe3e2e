"""Exact Shapley values of linear models: ``phi_j = w_j (x_j - E[x_j])``.

For ``f(x) = w . x + b`` with the background as the reference distribution (interventional, features
treated as independent), the Shapley value of feature j is ``w_j (x_j - mean_j)`` and the base value is
``f(mean)``; they add up to ``f(x)`` exactly. Classifiers are explained in their decision-function space
(log-odds for logistic regression).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from explicable.core.errors import InvalidParameterError, UnsupportedModelError
from explicable.core.validation import Table
from explicable.explainers._derived import to_original_features
from explicable.explainers.base import Attribution, Explainer
from explicable.models.base import LinearTerms, ModelAdapter

__all__ = ["LinearShap", "is_linear"]


def is_linear(model: ModelAdapter) -> bool:
    """True when the model (or a pipeline's final estimator) exposes exact linear terms."""
    return isinstance(model.decompose().inner, LinearTerms)


class LinearShap(Explainer):
    """Exact Shapley values of a linear model against a background sample.

    Parameters
    ----------
    model : linear scikit-learn model, or a Pipeline ending in one

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 2.0]]); y = X @ [2.0, -1.0] + 0.5
    >>> exp = LinearShap(LinearRegression().fit(X, y)).fit(X).explain(X[:1])
    >>> np.round(exp.values[0, :, 0], 6).tolist()
    [-4.0, 1.0]
    """

    method = "linear"

    def __init__(self, model: Any) -> None:
        super().__init__(model)
        if not is_linear(self.model):
            raise UnsupportedModelError(
                f"Exact linear attributions need a linear scikit-learn model (or a Pipeline ending in one); got "
                f"{type(self.model.model).__name__}.", parameter="model", got=self.model.model)

    def get_params(self) -> dict[str, Any]:
        return {"feature_perturbation": "interventional", "background_rows": getattr(self, "background_rows_", None)}

    def fit(self, background: Any = None) -> Self:
        if background is None:
            raise InvalidParameterError(
                "The 'background' parameter is required for linear attributions: they are measured against the "
                "background's mean (pass a sample of training rows).", parameter="background", got=None)
        table = self.model.check_data(background, name="background")
        d = self.model.decompose()
        Z = d.transform(table.values)
        self.background_mean_ = np.asarray(Z.mean(axis=0), dtype="float64").reshape(-1)
        self.background_rows_ = table.n_rows
        self.fingerprint_ = self.model.fingerprint()
        return self

    def _attribute(self, model: ModelAdapter, table: Table) -> Attribution:
        d = model.decompose()
        Z = d.transform(table.values)
        dense = np.asarray(Z.toarray() if hasattr(Z, "toarray") else Z, dtype="float64")
        coef, intercept, space = d.inner.linear_terms()  # type: ignore[attr-defined]
        centred = dense - self.background_mean_
        values = centred[:, :, None] * coef.T[None, :, :]
        base = np.tile(self.background_mean_ @ coef.T + intercept, (table.n_rows, 1))
        values, names, data = to_original_features(values, d, table, Z)
        return Attribution(values, base, names, data, space)
