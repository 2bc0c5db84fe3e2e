"""The features a dashboard user may edit: what kind each is, the values it takes, and checking an edit.

A what-if edit arrives as JSON (numbers, strings, booleans). Each value is checked against the feature's
kind before the model sees it: a number for a numeric feature (any finite number, also outside the data's
range: asking "what if the income were twice as high" is the point), one of the data's levels for a
categorical feature, true or false for a boolean one. A bad edit raises an error that names the feature.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError

__all__ = ["FeatureInfo", "apply_changes", "coerce_value", "describe_features"]

#: Most levels a categorical feature lists (the what-if form shows them in a drop-down).
MAX_LEVELS = 200
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


@dataclass(frozen=True)
class FeatureInfo:
    """One editable feature.

    Attributes
    ----------
    name : str
    kind : {"numeric", "categorical", "boolean"}
    levels : tuple
        The values a categorical or boolean feature takes in the data (empty for numeric features).
    low, high : float or None
        The data's range of a numeric feature.
    integer : bool
        Whether a numeric feature holds whole numbers.
    """

    name: str
    kind: str
    levels: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    integer: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The description the what-if form is built from."""
        return {"name": self.name, "kind": self.kind, "levels": [_plain(v) for v in self.levels],
                "low": self.low, "high": self.high, "integer": self.integer}


def describe_features(frame: pd.DataFrame) -> tuple[FeatureInfo, ...]:
    """The kind, levels and range of every column of ``frame``.

    Examples
    --------
    >>> frame = pd.DataFrame({"age": [30, 41], "job": pd.Categorical(["a", "b"]), "owner": [True, False]})
    >>> [(f.name, f.kind, f.levels) for f in describe_features(frame)]
    [('age', 'numeric', ()), ('job', 'categorical', ('a', 'b')), ('owner', 'boolean', (False, True))]
    """
    return tuple(_describe(str(name), frame[name]) for name in frame.columns)


def _describe(name: str, column: pd.Series) -> FeatureInfo:
    if pd.api.types.is_bool_dtype(column.dtype):
        return FeatureInfo(name, "boolean", (False, True))
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (None, None)
        whole = bool(finite.size) and bool(np.all(finite == np.round(finite)))
        integer = bool(pd.api.types.is_integer_dtype(column.dtype)) or whole
        return FeatureInfo(name, "numeric", (), low, high, integer)
    if isinstance(column.dtype, pd.CategoricalDtype):
        levels = tuple(column.cat.categories)
    else:
        levels = tuple(sorted(column.dropna().unique().tolist(), key=str))
    return FeatureInfo(name, "categorical", levels[:MAX_LEVELS])


def coerce_value(info: FeatureInfo, value: Any) -> Any:
    """``value`` as the feature takes it, or an :class:`InvalidParameterError` naming ``changes.<feature>``.

    Examples
    --------
    >>> coerce_value(FeatureInfo("age", "numeric"), "42")
    42.0
    >>> coerce_value(FeatureInfo("job", "categorical", ("a", "b")), "c")
    Traceback (most recent call last):
    ...
    explicable.core.errors.InvalidParameterError: The 'changes.job' parameter must be one of 'a', 'b'. Got 'c' instead.
    """
    parameter = f"changes.{info.name}"
    if info.kind == "numeric":
        number = _number(value)
        if number is None:
            raise InvalidParameterError(parameter=parameter, expected="a finite number", got=value)
        return number
    if info.kind == "boolean":
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in _TRUE + _FALSE:
            return bool(value) if isinstance(value, bool) else text in _TRUE
        raise InvalidParameterError(parameter=parameter, expected="true or false", got=value)
    for level in info.levels:
        if value == level or str(value) == str(level):
            return level
    shown = ", ".join(repr(_plain(v)) for v in info.levels[:20])
    raise InvalidParameterError(parameter=parameter, expected=f"one of {shown}", got=value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def apply_changes(row: pd.DataFrame, features: Mapping[str, FeatureInfo], changes: Any) -> tuple[pd.DataFrame,
                                                                                                   list[str]]:
    """A copy of the one-row frame ``row`` with ``changes`` (feature -> value) applied.

    Returns
    -------
    (DataFrame of shape (1, n_features), list of str)
        The edited row (dtypes kept where the new value fits them) and the features whose value changed.
    """
    if not isinstance(changes, Mapping):
        raise InvalidParameterError(parameter="changes", expected="a mapping of feature name to value", got=changes)
    edited = row.copy()
    changed = []
    for name, value in changes.items():
        info = features.get(str(name))
        if info is None:
            raise InvalidParameterError(parameter="changes", got=name,
                                        expected="names of the model's features (" + ", ".join(features) + ")")
        new = coerce_value(info, value)
        old = edited[info.name].iat[0]
        if _same(old, new):
            continue
        column = edited[info.name]
        if pd.api.types.is_integer_dtype(column.dtype) and float(new) != round(float(new)):
            edited[info.name] = column.astype("float64")  # a fractional edit of a whole-number column
        elif pd.api.types.is_integer_dtype(column.dtype):
            new = int(new)
        edited.loc[edited.index[0], info.name] = new
        changed.append(info.name)
    return edited, changed


def _same(old: Any, new: Any) -> bool:
    try:
        if isinstance(new, float) and not isinstance(old, bool):
            return float(old) == new
        return bool(old == new)
    except (TypeError, ValueError):  # a missing value (pd.NA) or a level that is not a number
        return False


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
