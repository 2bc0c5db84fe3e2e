"""Small input noise for the checks that re-explain perturbed rows (max-sensitivity, stability)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError

__all__ = ["Rows"]


class Rows:
    """The explained rows as numbers, able to give back perturbed copies in the caller's container.

    Parameters
    ----------
    X : array (n, m), DataFrame of numbers, or images (n, H, W, C)
    scale : float or array (m,), optional
        The unit of the noise per column; default each column's standard deviation over X (one standard
        deviation over all pixels for images).
    """

    def __init__(self, X: Any, scale: Any = None) -> None:
        self.frame = X if isinstance(X, pd.DataFrame) else None
        try:
            values = np.asarray(X.to_numpy() if self.frame is not None else X, dtype="float64")
        except (TypeError, ValueError):
            raise InvalidDataError(parameter="X", expected="numeric rows (noise is added to them)", got=X) from None
        if values.ndim not in (2, 4) or values.shape[0] == 0:
            raise InvalidDataError(parameter="X", expected="a 2-D table (n, m) or images (n, H, W, C)", got=values)
        self.values = values
        self.scale = self._scale(scale)

    def _scale(self, scale: Any) -> np.ndarray:
        flat = self.values.reshape(self.values.shape[0], -1)
        if scale is None:
            if self.values.ndim == 4:
                return np.full(flat.shape[1], float(flat.std()))
            return flat.std(axis=0)
        arr = np.broadcast_to(np.asarray(scale, dtype="float64"), (flat.shape[1],)) if np.ndim(scale) <= 1 else None
        if arr is None or not np.isfinite(arr).all() or (arr < 0).any():
            raise InvalidParameterError(parameter="scale", expected=f"a non-negative number or {flat.shape[1]} of "
                                        "them", got=scale)
        return np.array(arr)

    @property
    def n_rows(self) -> int:
        return int(self.values.shape[0])

    def original(self) -> Any:
        return self.frame if self.frame is not None else self.values

    def shifted(self, shift: np.ndarray) -> Any:
        """The rows plus ``shift`` (n, d) in column units, in the container X came in."""
        values = self.values + shift.reshape(self.values.shape)
        if self.frame is not None:
            return pd.DataFrame(values, columns=self.frame.columns, index=self.frame.index)
        return values

    def gaussian(self, rng: np.random.Generator, noise: float) -> Any:
        """The rows plus ``N(0, (noise * scale)^2)`` noise."""
        flat = self.values.reshape(self.n_rows, -1)
        return self.shifted(rng.standard_normal(flat.shape) * (noise * self.scale))

    def uniform(self, rng: np.random.Generator, radius: float) -> Any:
        """The rows plus noise uniform in the box ``|delta_j| <= radius * scale_j``."""
        flat = self.values.reshape(self.n_rows, -1)
        return self.shifted(rng.uniform(-1.0, 1.0, flat.shape) * (radius * self.scale))
