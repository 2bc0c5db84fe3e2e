"""Checks of the plot functions' arguments: which result, which row, which output, how many features."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError

__all__ = ["check_instance", "pick_output", "pick_row", "check_count", "top_order", "cell_text", "as_array"]


def check_instance(value: Any, name: str, kinds: type | tuple[type, ...]) -> None:
    """Raise naming ``name`` unless ``value`` is one of ``kinds``."""
    if not isinstance(value, kinds):
        types = kinds if isinstance(kinds, tuple) else (kinds,)
        expected = " or ".join(f"a {t.__name__}" for t in types)
        raise InvalidParameterError(parameter=name, expected=expected, got=value)


def pick_output(output: Any, names: Sequence[str]) -> int:
    """The position of ``output`` (int or name) among ``names``; None only when there is one output."""
    if output is None:
        if len(names) == 1:
            return 0
        raise InvalidParameterError(parameter="output", expected=f"one of {list(names)} (the result has "
                                    f"{len(names)} outputs)", got=None)
    return _position(output, "output", names)


def pick_row(row: Any, n_rows: int) -> int:
    """A row position in ``[-n_rows, n_rows)``, as a non-negative int."""
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)) or not -n_rows <= row < n_rows:
        raise InvalidParameterError(parameter="row", expected=f"an int in [{-n_rows}, {n_rows - 1}]", got=row)
    return int(row) % n_rows


def check_count(value: Any, name: str, *, low: int = 1) -> int:
    """An int of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InvalidParameterError(parameter=name, expected=f"an int >= {low}", got=value)
    return int(value)


def top_order(magnitude: np.ndarray, max_display: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the ``max_display`` largest magnitudes (largest first, ties by position) and the rest.

    When only one feature would be left over it is shown rather than folded into an "other" entry.
    """
    order = np.argsort(-magnitude, kind="stable")
    if order.size <= max_display + 1:
        return order, order[:0]
    return order[:max_display], order[max_display:]


def cell_text(value: Any) -> str:
    """A data cell for a label: numbers in 4 significant digits, anything else as text."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value)


def as_array(value: Any, name: str, ndim: int | tuple[int, ...], *, numeric: bool = True) -> np.ndarray:
    """``value`` as an array of the given number(s) of dimensions, finite float64 when ``numeric``."""
    dims = (ndim,) if isinstance(ndim, int) else ndim
    try:
        arr = np.asarray(value, dtype="float64" if numeric else None)
    except (TypeError, ValueError):
        raise InvalidDataError(parameter=name, expected="numbers", got=value) from None
    if arr.ndim not in dims or arr.size == 0:
        raise InvalidDataError(parameter=name, expected=f"a non-empty array with {' or '.join(map(str, dims))} "
                               "dimensions", got=arr)
    if numeric and not np.isfinite(arr).all():
        raise InvalidDataError(parameter=name, expected="finite numbers", got=arr)
    return arr


def _position(key: Any, name: str, names: Sequence[str]) -> int:
    if isinstance(key, str):
        if key not in names:
            raise InvalidParameterError(parameter=name, expected=f"one of {list(names)}", got=key)
        return list(names).index(key)
    size = len(names)
    if isinstance(key, bool) or not isinstance(key, (int, np.integer)) or not -size <= key < size:
        raise InvalidParameterError(parameter=name, expected=f"a name in {list(names)} or an int in "
                                    f"[{-size}, {size - 1}]", got=key)
    return int(key) % size
