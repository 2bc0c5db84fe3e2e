"""Turn an indexing key for one axis (int, name, slice, list, mask) into integer positions.

An int selects a length-1 axis: indexing an Explanation never drops an axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError

__all__ = ["axis_positions"]


def axis_positions(key: Any, axis: str, size: int, names: Sequence[str] | None) -> np.ndarray:
    """Positions (1-D int array) selected by ``key`` on an axis of ``size`` items called ``names``."""
    if isinstance(key, slice):
        return np.arange(size)[key]
    if isinstance(key, (str, int, np.integer)) and not isinstance(key, bool):
        return np.array([_position(key, axis, size, names)])
    if isinstance(key, (list, tuple, np.ndarray)):
        arr = np.asarray(key)
        if arr.dtype == bool:
            if arr.shape != (size,):
                raise InvalidParameterError(
                    parameter=axis, expected=f"a boolean mask of length {size}", got=arr
                )
            return np.flatnonzero(arr)
        return np.array([_position(k, axis, size, names) for k in arr.tolist()], dtype=int)
    raise InvalidParameterError(
        parameter=axis, expected="an int, a name, a slice, a list of ints or names, or a boolean mask", got=key
    )


def _position(key: Any, axis: str, size: int, names: Sequence[str] | None) -> int:
    if isinstance(key, str):
        if names is None or key not in names:
            shown = ", ".join(list(names or [])[:12])
            raise InvalidParameterError(parameter=axis, expected=f"a known name ({shown})", got=key)
        return list(names).index(key)
    if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
        raise InvalidParameterError(parameter=axis, expected="an int or a name", got=key)
    if not -size <= key < size:
        raise InvalidParameterError(parameter=axis, expected=f"an index in [{-size}, {size - 1}]", got=key)
    return int(key) % size
