"""Plain Python callables as models; also the test double of the model seam."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.models.base import ModelAdapter

__all__ = ["FunctionModel"]


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
        self.n_calls = 0
        self.n_rows = 0

    def _predict(self, X: np.ndarray) -> Any:
        self.n_calls += 1
        self.n_rows += X.shape[0]
        return self.model(X)

    def native_input(self, X: np.ndarray) -> Any:
        return X

    def fingerprint(self) -> str:
        code = getattr(self.model, "__code__", None)
        ident = getattr(self.model, "__qualname__", type(self.model).__qualname__)
        payload = ident.encode() + (code.co_code + repr(code.co_consts).encode() if code is not None else b"")
        return "sha256:" + hashlib.sha256(payload).hexdigest()
