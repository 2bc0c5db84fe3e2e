"""The one seam between explainers and models: ``ModelAdapter.predict(X) -> (n, k) float64``.

Adapters also say what their outputs mean (``output_names``, ``output_space``), which columns they take
(``feature_names``, ``accepts_strings``, ``allows_nan``), and, through :meth:`ModelAdapter.decompose`, how a
pipeline splits into preprocessing and a final model, so exact methods can work on the final model and
report per original feature.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError, ModelOutputError
from explicable.core.provenance import OUTPUT_SPACES
from explicable.core.schema import Schema
from explicable.core.validation import Table, as_table, check_choice

__all__ = ["Decomposition", "Differentiable", "LinearTerms", "ModelAdapter", "TreeContributions"]


@dataclass(frozen=True)
class Decomposition:
    """A model seen as ``inner(transform(X))``.

    Attributes
    ----------
    transform : callable
        Maps a validated (n, m) array of original features to the inner model's native input (an array,
        a sparse matrix or a frame).
    inner : ModelAdapter
        The final model, over derived features.
    derived_names : tuple of str
        Names of the inner model's input columns.
    groups : dict or None
        Original features (a 1-tuple, or several for columns derived from them jointly) -> derived columns;
        None when the mapping is unknown (explanations then stay in the derived space).
    """

    transform: Callable[[np.ndarray], Any]
    inner: ModelAdapter
    derived_names: tuple[str, ...]
    groups: dict[tuple[str, ...], list[str]] | None


@runtime_checkable
class TreeContributions(Protocol):
    """An adapter whose library computes exact TreeSHAP values natively."""

    def tree_contributions(self, Z: Any, background: Any = None) -> tuple[np.ndarray, np.ndarray, str]:
        """Return ``(values (n, d, k), base_values (n, k), output_space)`` for native input ``Z``.

        ``background`` (native input rows) asks for interventional TreeSHAP; adapters that only have the
        path-dependent algorithm ignore it.
        """
        ...


@runtime_checkable
class LinearTerms(Protocol):
    """An adapter that is linear in its inputs in some output space."""

    def linear_terms(self) -> tuple[np.ndarray, np.ndarray, str]:
        """Return ``(coef (k, d), intercept (k,), output_space)`` with ``output = Z @ coef.T + intercept``."""
        ...


@runtime_checkable
class Differentiable(Protocol):
    """An adapter gradient methods can differentiate (PyTorch modules)."""

    def gradient(self, X: np.ndarray, target: int) -> np.ndarray:
        """d output[:, target] / d X, shape like ``X``."""
        ...


class ModelAdapter(ABC):
    """Base class of every adapter.

    Parameters
    ----------
    model : object
        The wrapped model (kept as ``.model``).
    output_names : sequence of str
        One name per output column of :meth:`predict`.
    output_space : {"probability", "log-odds", "raw"}
        What the outputs are.
    feature_names : sequence of str, optional
        The columns the model takes, in order; None when the model was trained without names.
    n_features : int, optional
        Number of columns, when there are no names.
    schema : Schema, optional
        Column dtypes used to rebuild a frame for models trained on pandas (categoricals, strings).
    accepts_strings, allows_nan : bool
        Whether non-numeric columns and NaN may be passed to the model.
    """

    def __init__(
        self,
        model: Any,
        *,
        output_names: Sequence[str],
        output_space: str,
        feature_names: Sequence[str] | None = None,
        n_features: int | None = None,
        schema: Schema | None = None,
        accepts_strings: bool = False,
        allows_nan: bool = False,
    ) -> None:
        self.model = model
        self.output_names = tuple(str(n) for n in output_names)
        self.output_space = check_choice(output_space, "output_space", OUTPUT_SPACES)
        self.feature_names = None if feature_names is None else tuple(str(f) for f in feature_names)
        self.n_features = len(self.feature_names) if self.feature_names is not None else n_features
        self.schema = schema
        self.accepts_strings = accepts_strings
        self.allows_nan = allows_nan

    # ---- the seam -------------------------------------------------------------------------------------
    def predict(self, X: Any) -> np.ndarray:
        """Model outputs for the rows of ``X``.

        Parameters
        ----------
        X : array of shape (n, m) or DataFrame
            Rows in the model's column order (a frame is checked and reordered by name).

        Returns
        -------
        ndarray of shape (n, k), float64

        Raises
        ------
        InvalidDataError
            Wrong columns or shape, infinite values, or NaN for a model that can't take it (naming the column).
        ModelOutputError
            The model returned something other than (n, k) finite numbers.
        """
        adapter = self
        if isinstance(X, pd.DataFrame):
            table = self.check_data(X)
            X = table.values
            if self.schema is None and not table.schema.is_numeric:
                # The frame's dtypes (categories, strings) are what the model was trained on; keep them for
                # this call without changing the adapter.
                adapter = self.with_schema(table.schema)
        arr = np.asarray(X)
        if arr.ndim != 2 or (self.n_features is not None and arr.shape[1] != self.n_features):
            raise InvalidDataError(parameter="X", expected=f"a 2-D array with {self.n_features} columns", got=arr)
        if arr.dtype.kind == "f" and not np.isfinite(arr).all() and (not self.allows_nan or np.isinf(arr).any()):
            self.check_data(arr)  # raises naming the column: infinity never, NaN unless the model takes it
        return self._check_output(adapter._predict(arr), arr.shape[0])

    @abstractmethod
    def _predict(self, X: np.ndarray) -> Any:
        """Raw model call on a validated array; :meth:`predict` checks what comes back."""

    # ---- data ---------------------------------------------------------------------------------------------
    def check_data(self, X: Any, name: str = "X") -> Table:
        """Validate ``X`` against what this model takes (columns, dtypes, NaN), naming any bad column."""
        return as_table(X, name=name, columns=self.feature_names, numeric=not self.accepts_strings,
                        allow_nan=self.allows_nan, schema=self.schema)

    def with_schema(self, schema: Schema) -> ModelAdapter:
        """This adapter, remembering the column dtypes of ``schema`` (a shallow copy)."""
        clone = copy.copy(self)
        clone.schema = schema
        if clone.feature_names is None:
            clone.feature_names = schema.columns
            clone.n_features = len(schema.columns)
        return clone

    def native_input(self, X: np.ndarray) -> Any:
        """What the wrapped model's own predict takes: a frame when it was trained on named columns."""
        if self.schema is not None:
            return self.schema.to_frame(X)
        if self.feature_names is not None and getattr(self.model, "feature_names_in_", None) is not None:
            return pd.DataFrame(X, columns=list(self.feature_names))
        return X

    # ---- structure ------------------------------------------------------------------------------------
    def decompose(self) -> Decomposition:
        """The model as ``inner(transform(X))``; a plain model is its own inner model."""
        names = self.feature_names or tuple(f"x{j}" for j in range(self.n_features or 0))
        return Decomposition(self.native_input, self, names, None)

    @abstractmethod
    def fingerprint(self) -> str:
        """A digest of the model's content, for provenance."""

    def _check_output(self, out: Any, n: int) -> np.ndarray:
        k = len(self.output_names)
        try:
            arr = np.asarray(out, dtype="float64")
        except (TypeError, ValueError):
            raise ModelOutputError(f"The model's predict returned {type(out).__name__}, not numbers.",
                                   parameter="model", got=out) from None
        if arr.ndim == 1 and k == 1:
            arr = arr.reshape(-1, 1)
        if arr.shape != (n, k):
            raise ModelOutputError(
                f"The model's predict returned shape {arr.shape} for {n} rows; expected ({n}, {k}) for the outputs "
                f"{list(self.output_names)}. Pass output_names to wrap() if the model has other outputs.",
                parameter="model", expected=f"({n}, {k})", got=arr.shape,
            )
        if not np.isfinite(arr).all():
            raise ModelOutputError("The model's predict returned NaN or infinite values.", parameter="model", got=arr)
        return arr

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({type(self.model).__name__}, outputs={list(self.output_names)}, "
                f"output_space={self.output_space!r})")


def binary_columns(score: np.ndarray) -> np.ndarray:
    """A binary model's single margin ``m`` as the two columns ``[-m, m]`` (log-odds of each class)."""
    score = np.asarray(score, dtype="float64").reshape(-1)
    return np.column_stack([-score, score])


def check_option(value: Any, name: str, allowed: Sequence[str]) -> str:
    """Validate a string option that depends on the model (e.g. the output spaces it supports)."""
    if value not in allowed:
        raise InvalidParameterError(parameter=name, expected="one of " + ", ".join(map(repr, allowed)) +
                                    " for this model", got=value)
    return str(value)
