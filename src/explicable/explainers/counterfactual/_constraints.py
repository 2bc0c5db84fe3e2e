"""What a counterfactual may change: the feature space learned from data, with the user's constraints.

Every row is searched in a numeric *code space*: numeric features keep their values, categorical (and boolean)
features become the position of their level. Each mutable feature has a sorted *grid* of values it may take
(the data's own values within its range, or its allowed levels), so monotone directions and ranges become
index ranges into the grid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.core.schema import Schema
from explicable.core.validation import Table

__all__ = ["DIRECTIONS", "FeatureSpace", "FeatureSpec", "build_space"]

#: Monotone directions a feature may be given.
DIRECTIONS = {"increase": 1, "decrease": -1}


@dataclass(frozen=True)
class FeatureSpec:
    """One feature of the search space.

    Attributes
    ----------
    name : str
    categorical : bool
        Coded by level position (distance 1 when changed) rather than by value (distance ``|delta| / scale``).
    levels : ndarray of object or None
        The levels of a categorical feature, in code order.
    grid : ndarray of float64, sorted
        Values (codes for categoricals) a counterfactual may give this feature; empty when immutable.
    scale : float
        Divisor of a numeric change in the normalised L1 distance (MAD, or std when the MAD is 0).
    direction : int
        +1 may only increase, -1 may only decrease, 0 either way.
    cost : float
        Weight of this feature's distance in the search objective.
    """

    name: str
    categorical: bool
    levels: np.ndarray | None
    grid: np.ndarray
    scale: float
    direction: int
    cost: float

    @property
    def mutable(self) -> bool:
        return self.grid.size > 0


@dataclass(frozen=True)
class FeatureSpace:
    """The features in model order, with the schema to rebuild frames."""

    features: tuple[FeatureSpec, ...]
    schema: Schema

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    @property
    def categorical(self) -> np.ndarray:
        return np.array([f.categorical for f in self.features], dtype=bool)

    @property
    def scales(self) -> np.ndarray:
        return np.array([f.scale for f in self.features], dtype="float64")

    @property
    def costs(self) -> np.ndarray:
        return np.array([f.cost for f in self.features], dtype="float64")

    def encode(self, values: np.ndarray) -> np.ndarray:
        """Table values (n, m) to codes (n, m) float64; an unknown or missing level becomes NaN (kept as is)."""
        out = np.empty(values.shape, dtype="float64")
        for j, spec in enumerate(self.features):
            column = values[:, j]
            if spec.levels is None:
                out[:, j] = pd.to_numeric(pd.Series(column, dtype=object), errors="coerce").to_numpy("float64")
            else:
                index = {_key(v): i for i, v in enumerate(spec.levels)}
                out[:, j] = [index.get(_key(v), np.nan) for v in column]
        return out

    def decode(self, Z: np.ndarray, originals: np.ndarray) -> np.ndarray:
        """Codes (n, m) back to table values, starting from ``originals`` (n, m) so unchanged cells stay exact."""
        out = originals.copy()
        for j, spec in enumerate(self.features):
            if not spec.mutable:
                continue
            column = Z[:, j]
            if spec.levels is None:
                out[:, j] = column if out.dtype != object else column.astype(object)
                continue
            known = np.isfinite(column)
            out[known, j] = spec.levels[column[known].astype(np.intp)]
        return out

    def distances(self, Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
        """Per-feature normalised distances (n, m) of rows ``Z`` from ``z0`` (n, m) or (m,)."""
        changed = changed_mask(Z, z0)
        delta = np.abs(np.nan_to_num(Z - z0)) / self.scales
        return np.where(changed, np.where(self.categorical, 1.0, delta), 0.0)


def changed_mask(Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
    """Where ``Z`` differs from ``z0`` (NaN equals NaN: a missing value left alone is unchanged)."""
    return (z0 != Z) & ~(np.isnan(Z) & np.isnan(z0))


def _key(value: Any) -> Any:
    # numpy scalars and Python values of the same level must meet in one dict slot
    return value.item() if isinstance(value, np.generic) else value


def _is_categorical(dtype: Any) -> bool:
    return not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))


def _levels(column: np.ndarray, dtype: Any) -> np.ndarray:
    if isinstance(dtype, pd.CategoricalDtype) and dtype.categories is not None:
        return np.asarray(list(dtype.categories), dtype=object)
    if pd.api.types.is_bool_dtype(dtype):
        return np.asarray([False, True], dtype=object)
    seen = [v for v in pd.unique(pd.Series(column, dtype=object)) if not pd.isna(v)]
    return np.asarray(sorted(seen, key=lambda v: (type(v).__name__, str(v))), dtype=object)


def _scale(values: np.ndarray, how: str) -> float:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 1.0
    mad = float(np.median(np.abs(finite - np.median(finite))))
    std = float(finite.std())
    first, second = (mad, std) if how == "mad" else (std, mad)
    return first if first > 0 else (second if second > 0 else 1.0)


def _check_names(value: Iterable[str], parameter: str, names: tuple[str, ...]) -> None:
    for name in value:
        if name not in names:
            raise InvalidParameterError(parameter=parameter, expected="feature names of the model, one of "
                                        + ", ".join(names[:8]) + (", ..." if len(names) > 8 else ""), got=name)


def _check_range(name: str, bounds: Any) -> tuple[float, float]:
    try:
        low, high = bounds
        low = -np.inf if low is None else float(low)
        high = np.inf if high is None else float(high)
    except (TypeError, ValueError):
        raise InvalidParameterError(parameter="ranges", expected=f"a (low, high) pair of numbers for '{name}'",
                                    got=bounds) from None
    if np.isnan(low) or np.isnan(high) or low > high:
        raise InvalidParameterError(parameter="ranges", expected=f"low <= high for '{name}'", got=bounds)
    return low, high


def _numeric_grid(values: np.ndarray, bounds: tuple[float, float], allowed: Any, max_grid: int) -> np.ndarray:
    pool = values if allowed is None else np.asarray(list(allowed), dtype="float64")
    pool = np.unique(pool[np.isfinite(pool)])
    pool = pool[(pool >= bounds[0]) & (pool <= bounds[1])]
    if pool.size > max_grid:
        # data quantiles: a uniform draw over the grid then follows the data's own distribution
        pool = np.unique(np.quantile(pool, np.linspace(0.0, 1.0, max_grid), method="nearest"))
    return pool


def _categorical_grid(name: str, levels: np.ndarray, allowed: Any) -> np.ndarray:
    if allowed is None:
        return np.arange(levels.size, dtype="float64")
    index = {_key(v): i for i, v in enumerate(levels)}
    codes = []
    for value in allowed:
        if _key(value) not in index:
            raise InvalidParameterError(parameter="allowed", expected=f"levels of '{name}': {list(levels)}",
                                        got=value)
        codes.append(index[_key(value)])
    return np.unique(np.asarray(codes, dtype="float64"))


def _direction(name: str, value: Any, ordered: bool) -> int:
    if not isinstance(value, str) or value not in DIRECTIONS:
        raise InvalidParameterError(parameter="monotone", expected=f"'increase' or 'decrease' for '{name}'",
                                    got=value)
    if not ordered:
        raise InvalidParameterError(parameter="monotone", expected=f"a numeric or ordered categorical feature; "
                                    f"'{name}' is an unordered category", got=value)
    return DIRECTIONS[value]


def _cost(name: str, value: Any) -> float:
    try:
        cost = float(value)
    except (TypeError, ValueError):
        cost = np.nan
    if not np.isfinite(cost) or cost <= 0:
        raise InvalidParameterError(parameter="costs", expected=f"a positive finite number for '{name}'", got=value)
    return cost


@dataclass(frozen=True)
class Constraints:
    """The user's constraints, by feature name (checked against the model's features in :func:`build_space`)."""

    immutable: tuple[str, ...] = ()
    monotone: Mapping[str, str] | None = None
    ranges: Mapping[str, Any] | None = None
    allowed: Mapping[str, Iterable[Any]] | None = None
    costs: Mapping[str, Any] | None = None

    def check(self, names: tuple[str, ...]) -> None:
        """Raise InvalidParameterError for a constraint on a feature the model does not have."""
        _check_names(self.immutable, "immutable", names)
        for parameter in ("monotone", "ranges", "allowed", "costs"):
            mapping = getattr(self, parameter)
            if mapping is not None and not isinstance(mapping, Mapping):
                raise InvalidParameterError(parameter=parameter, expected="a mapping of feature name to value",
                                            got=mapping)
            _check_names(mapping or {}, parameter, names)


def build_space(table: Table, constraints: Constraints, *, scale: str = "mad", max_grid: int = 64) -> FeatureSpace:
    """Learn the search space from the data ``table`` under ``constraints``.

    Numeric features get their data range unless ``ranges`` narrows or widens it, and a grid of at most
    ``max_grid`` of the data's own values inside it; categorical features get their levels (or the
    ``allowed`` ones).
    """
    names = table.columns
    constraints.check(names)
    features = []
    for j, (name, dtype) in enumerate(zip(names, table.schema.dtypes, strict=True)):
        features.append(_feature(name, dtype, table.values[:, j], constraints, scale, max_grid))
    return FeatureSpace(tuple(features), table.schema)


def _feature(name: str, dtype: Any, column: np.ndarray, c: Constraints, how: str, max_grid: int) -> FeatureSpec:
    allowed = (c.allowed or {}).get(name)
    cost = _cost(name, (c.costs or {}).get(name, 1.0))
    monotone = c.monotone or {}
    if _is_categorical(dtype):
        if name in (c.ranges or {}):
            raise InvalidParameterError(parameter="ranges", expected=f"a numeric feature; '{name}' is categorical "
                                        "(use 'allowed' for its levels)", got=name)
        levels = _levels(column, dtype)
        ordered = isinstance(dtype, pd.CategoricalDtype) and bool(dtype.ordered)
        direction = _direction(name, monotone[name], ordered) if name in monotone else 0
        grid = _categorical_grid(name, levels, allowed)
        grid = grid if name not in c.immutable else grid[:0]
        return FeatureSpec(name, True, levels, grid, 1.0, direction, cost)
    values = pd.to_numeric(pd.Series(column, dtype=object), errors="coerce").to_numpy("float64")
    direction = _direction(name, monotone[name], True) if name in monotone else 0
    finite = values[np.isfinite(values)]
    data_bounds = (float(finite.min()), float(finite.max())) if finite.size else (-np.inf, np.inf)
    low, high = _check_range(name, (c.ranges or {}).get(name, data_bounds))
    grid = _numeric_grid(values, (low, high), allowed, max_grid)
    if grid.size == 0 and np.isfinite(low) and np.isfinite(high):
        grid = np.linspace(low, high, 16)  # a range outside the data: spread values over it
        if pd.api.types.is_integer_dtype(dtype):
            grid = np.round(grid)
            grid = grid[(grid >= low) & (grid <= high)]
        grid = np.unique(grid)
    grid = grid if name not in c.immutable else grid[:0]
    return FeatureSpec(name, False, None, grid, _scale(values, how), direction, cost)
