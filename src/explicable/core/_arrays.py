"""Array checks shared by the core result types."""

from __future__ import annotations

from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError

__all__ = ["readonly_float"]


def readonly_float(value: Any, name: str, *, ndim: int) -> np.ndarray:
    """``value`` as a read-only float64 array with ``ndim`` axes, else InvalidDataError naming ``name``."""
    try:
        arr = np.array(value, dtype="float64")
    except (TypeError, ValueError):
        raise InvalidDataError(parameter=name, expected="an array of numbers", got=value) from None
    if arr.ndim != ndim:
        raise InvalidDataError(parameter=name, expected=f"a {ndim}-D array", got=arr)
    arr.setflags(write=False)
    return arr
