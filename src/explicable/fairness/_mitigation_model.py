"""A fairlearn mitigator presented as a scikit-learn classifier, so that ``explicable.wrap`` can explain it.

fairlearn's ThresholdOptimizer and ExponentiatedGradient are randomized classifiers: each row is accepted with
some probability. :meth:`MitigatedModel.predict_proba` returns that probability (deterministic: the quantity
an explainer should explain); :meth:`MitigatedModel.predict` draws the decisions as fairlearn does, with the
recorded seed. The ThresholdOptimizer needs each row's sensitive attribute when it predicts: it is read from
the columns of ``X`` named at fit time, or must be given as ``sensitive_features``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from explicable.core.errors import InvalidParameterError

__all__ = ["MitigatedModel", "fairlearn_frame"]


def fairlearn_frame(X: Any) -> Any:
    """``X`` with pandas categorical / string columns as plain objects: fairlearn's input check casts a frame
    to one numpy dtype and fails on categorical columns of strings; the estimator sees the same values."""
    if not isinstance(X, pd.DataFrame):
        return X
    out = X.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
            out[column] = out[column].astype(object)
    return out


class MitigatedModel(ClassifierMixin, BaseEstimator):
    """A fitted fairlearn mitigator as a binary classifier with classes ``[0, 1]``.

    Parameters
    ----------
    mitigator : fitted ThresholdOptimizer or ExponentiatedGradient
    sensitive_columns : sequence of str, optional
        Columns of ``X`` holding the sensitive attributes (ThresholdOptimizer needs them to predict).
    needs_sensitive : bool
        Whether predictions depend on the sensitive attributes (ThresholdOptimizer).
    random_state : int
        Seed of the randomized decisions of :meth:`predict`.
    feature_names : sequence of str, optional
        The columns of ``X`` at fit time (``feature_names_in_``).
    categorical : sequence of bool, optional
        Which of them are non-numeric (the mitigated model encodes them itself, as its estimator does).
    """

    def __init__(self, mitigator: Any, *, sensitive_columns: Sequence[str] | None, needs_sensitive: bool,
                 random_state: int, feature_names: Sequence[str] | None = None,
                 categorical: Sequence[bool] | None = None) -> None:
        self.mitigator = mitigator
        self.sensitive_columns = sensitive_columns
        self.needs_sensitive = needs_sensitive
        self.random_state = random_state
        self.feature_names = feature_names
        self.categorical = categorical
        self.classes_ = np.array([0, 1])
        if feature_names is not None:
            self.feature_names_in_ = np.asarray(list(feature_names), dtype=object)
            self.n_features_in_ = len(feature_names)
        if categorical is not None and any(categorical):
            # the convention explicable's scikit-learn adapter reads for "takes categorical columns of a frame"
            self.categorical_features = "from_dtype"
            self.is_categorical_ = np.asarray(categorical, dtype=bool)

    def _frame(self, X: Any) -> Any:
        if self.feature_names is not None and not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(np.asarray(X, dtype=object), columns=list(self.feature_names)).infer_objects()
        return fairlearn_frame(X)

    def _sensitive(self, X: Any, sensitive_features: Any) -> Any:
        if sensitive_features is not None:
            return sensitive_features
        if self.sensitive_columns is None:
            raise InvalidParameterError(
                "This mitigated model (ThresholdOptimizer) needs each row's sensitive attribute to predict; pass "
                "sensitive_features=..., or mitigate with sensitive given as column names of X so that the model "
                "reads them from X.", parameter="sensitive_features", expected="the rows' sensitive attributes",
                got=None)
        columns = list(self.sensitive_columns)
        return X[columns[0]] if len(columns) == 1 else X[columns]

    def predict_proba(self, X: Any, sensitive_features: Any = None) -> np.ndarray:
        """Probability of each class, shape (n, 2): the chance the randomized classifier decides 0 or 1."""
        X = self._frame(X)
        if self.needs_sensitive:
            proba = self.mitigator._pmf_predict(X, sensitive_features=self._sensitive(X, sensitive_features))
        else:
            proba = self.mitigator._pmf_predict(X)
        return np.asarray(proba, dtype="float64")

    def predict(self, X: Any, sensitive_features: Any = None) -> np.ndarray:
        """Decisions (n,) in {0, 1}, drawn as fairlearn does with ``random_state``."""
        X = self._frame(X)
        if self.needs_sensitive:
            out = self.mitigator.predict(X, sensitive_features=self._sensitive(X, sensitive_features),
                                         random_state=self.random_state)
        else:
            out = self.mitigator.predict(X, random_state=self.random_state)
        return np.asarray(out).astype(np.int64)
