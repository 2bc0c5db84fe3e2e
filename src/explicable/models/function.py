"""Plain Python callables as models; also the test double of the model seam."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.models._digest import digest_callable
from explicable.models.base import ModelAdapter

__all__ = ["FunctionModel"]


class _Counts:
    def __init__(self) -> None:
        self.calls = 0
        self.rows = 0


class FunctionModel(ModelAdapter):
    """Wrap ``fn(X: ndarray (n, m)) -> (n, k) or (n,)`` as a model.

    It counts what it is asked (``n_calls``, ``n_rows``), so tests can prove an explainer's budget.

    Parameters
    ----------
    fn : callable
        The model.
    output_names : sequence of str, default ("output",)
    output_space : {"raw", "probability", "log-odds"}, default "raw"
    feature_names : sequence of str, optional
    n_features : int, optional
    accepts_strings : bool, default False
        Pass object arrays through instead of requiring numbers.
    allows_nan : bool, default True

    Examples
    --------
    >>> import numpy as np
    >>> model = FunctionModel(lambda X: X @ np.array([1.0, 2.0]), feature_names=["a", "b"])
    >>> model.predict(np.array([[1.0, 1.0]]))
    array([[3.]])
    """

    def __init__(
        self,
        fn: Callable[[np.ndarray], Any],
        *,
        output_names: Sequence[str] = ("output",),
        output_space: str = "raw",
        feature_names: Sequence[str] | None = None,
        n_features: int | None = None,
        accepts_strings: bool = False,
        allows_nan: bool = True,
    ) -> None:
        if not callable(fn):
            raise InvalidParameterError(parameter="fn", expected="a callable", got=fn)
        super().__init__(fn, output_names=output_names, output_space=output_space, feature_names=feature_names,
                         n_features=n_features, accepts_strings=accepts_strings, allows_nan=allows_nan)
        # One counter shared with the copies ``with_schema`` makes (explainers predict through such a copy),
        # so the budget an explainer spends is seen on the model the caller holds.
        self._counts = _Counts()

    @property
    def n_calls(self) -> int:
        """How many times the function was called."""
        return self._counts.calls

    @property
    def n_rows(self) -> int:
        """How many rows the function was given in all."""
        return self._counts.rows

    def reset_counts(self) -> None:
        """Set ``n_calls`` and ``n_rows`` back to zero."""
        self._counts.calls = self._counts.rows = 0

    def _predict(self, X: np.ndarray) -> Any:
        self._counts.calls += 1
        self._counts.rows += X.shape[0]
        return self.model(X)

    def native_input(self, X: np.ndarray) -> Any:
        return X

    def fingerprint(self) -> str:
        """Digest of the function's code and what it reaches: captured values, defaults, the bound model."""
        return digest_callable(self.model)
