"""The grid a partial dependence curve is evaluated on: scikit-learn's rule, so the two give the same points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats.mstats import mquantiles

from explicable.core.errors import InvalidDataError, InvalidParameterError

__all__ = ["check_percentiles", "feature_grid", "is_categorical_column"]


def check_percentiles(value: Any) -> tuple[float, float]:
    """Two increasing numbers in [0, 1]."""
    ok = isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2 and all(
        isinstance(p, (int, float, np.floating)) and not isinstance(p, bool) and 0 <= p <= 1 for p in value)
    if not ok or value[0] >= value[1]:
        raise InvalidParameterError(parameter="percentiles", expected="two increasing numbers in [0, 1]", got=value)
    return float(value[0]), float(value[1])


def is_categorical_column(column: np.ndarray) -> bool:
    """True when a column holds anything other than numbers (strings, categories, booleans kept as objects)."""
    if column.dtype != object:
        return False
    return not all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in column)


def feature_grid(column: np.ndarray, name: str, *, grid_resolution: int, percentiles: tuple[float, float],
                 custom: Any = None) -> np.ndarray:
    """The points one feature takes on a partial dependence grid.

    As :func:`sklearn.inspection.partial_dependence`: the sorted distinct values when the feature is
    categorical or has fewer than ``grid_resolution`` of them; otherwise ``grid_resolution`` evenly spaced
    points between the ``percentiles`` of the column (``scipy.stats.mstats.mquantiles``, the same estimator).
    Missing values are left out of the grid.
    """
    if custom is not None:
        values = np.asarray(custom)
        if values.ndim != 1 or values.size == 0:
            raise InvalidParameterError(parameter="custom_values", expected=f"a non-empty 1-D array for '{name}'",
                                        got=custom)
        return values.astype("float64") if values.dtype.kind in "biuf" else values.astype(object)
    if is_categorical_column(column):
        present = [v for v in column if not (isinstance(v, float) and np.isnan(v)) and v is not None]
        try:
            return np.asarray(sorted(set(present)), dtype=object)
        except TypeError:  # mixed types that do not sort: first-seen order
            return np.asarray(list(dict.fromkeys(present)), dtype=object)
    numbers = column.astype("float64")
    numbers = numbers[~np.isnan(numbers)]
    if numbers.size == 0:
        raise InvalidDataError(parameter="X", expected=f"at least one value in column '{name}'", got="only NaN")
    uniques = np.unique(numbers)
    if uniques.size < grid_resolution:
        return uniques
    low, high = mquantiles(numbers, prob=percentiles, axis=0)
    if np.isclose(low, high):
        raise InvalidParameterError(
            f"The 'percentiles' {percentiles} of column '{name}' are both {low:g}; choose percentiles further "
            "apart.", parameter="percentiles", got=percentiles)
    return np.linspace(low, high, num=grid_resolution, endpoint=True)


def custom_for(custom_values: Mapping[Any, Any] | None, name: str, position: int) -> Any:
    """The user's grid for a feature, looked up by name or position."""
    if custom_values is None:
        return None
    if not isinstance(custom_values, Mapping):
        raise InvalidParameterError(parameter="custom_values", expected="a mapping of feature to grid values",
                                    got=custom_values)
    return custom_values.get(name, custom_values.get(position))
