"""Shared logic of gradient-boosted tree adapters: margins, link functions and native contributions.

Boosting libraries predict a margin per output and apply a link: identity (regression, ranking),
logistic (binary) or softmax (multiclass). Their native TreeSHAP works in margin space, so exact tree
explanations are in "raw" (identity, softmax logits) or "log-odds" (binary) space.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import expit, softmax

from explicable.models.base import ModelAdapter, binary_columns, check_option

__all__ = ["BoostedTreesAdapter"]

_SPACES = {"identity": ("raw",), "logistic": ("probability", "log-odds"), "softmax": ("probability", "raw")}
_TREE_SPACE = {"identity": "raw", "logistic": "log-odds", "softmax": "raw"}


class BoostedTreesAdapter(ModelAdapter):
    """Base of the XGBoost and LightGBM adapters.

    Parameters
    ----------
    model : object
        The library's model.
    link : {"identity", "logistic", "softmax"}
    output_names : sequence of str
        Class labels for classifiers, target names for regressors.
    output_space : str or None
        Default: "probability" for classifiers, "raw" otherwise.
    **kwargs
        Passed to :class:`ModelAdapter`.
    """

    def __init__(self, model: Any, *, link: str, output_names: Sequence[str], output_space: str | None,
                 **kwargs: Any) -> None:
        self.link = link
        space = output_space if output_space is not None else ("raw" if link == "identity" else "probability")
        check_option(space, "output_space", _SPACES[link])
        super().__init__(model, output_names=output_names, output_space=space, allows_nan=True, **kwargs)

    @abstractmethod
    def margin(self, Z: Any) -> np.ndarray:
        """Margins for native input ``Z``: (n,) or (n, t)."""

    @abstractmethod
    def contributions(self, Z: Any) -> tuple[np.ndarray, np.ndarray]:
        """Native margin contributions: values (n, d, t) and bias (n, t)."""

    def native_input(self, X: np.ndarray) -> Any:
        """Numeric models take the array as is (fast path); categorical ones a frame rebuilt from the schema."""
        if not self.accepts_strings and X.dtype != object:
            return X
        return super().native_input(X)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_native(self.native_input(X))

    def predict_native(self, Z: Any) -> np.ndarray:
        """Outputs for the library's own input ``Z`` (used by pipelines that end in this model)."""
        m = self.margin(Z)
        if self.link == "logistic":
            return np.column_stack([1 - expit(m), expit(m)]) if self.output_space == "probability" else \
                binary_columns(m)
        if self.link == "softmax" and self.output_space == "probability":
            return np.asarray(softmax(m, axis=1))
        return m

    def tree_contributions(self, Z: Any, background: Any = None) -> tuple[np.ndarray, np.ndarray, str]:
        """Exact TreeSHAP (path-dependent) from the library, in margin space, one column per output.

        The libraries have no interventional TreeSHAP: ``background`` is ignored (``TreeShap`` warns).
        """
        values, bias = self.contributions(Z)
        if self.link == "logistic":
            values = np.concatenate([-values, values], axis=2)
            bias = np.concatenate([-bias, bias], axis=1)
        return values, bias, _TREE_SPACE[self.link]
