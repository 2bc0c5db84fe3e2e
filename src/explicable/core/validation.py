"""Checks at the public boundary: parameters and tables, each failing with one clear error.

The table check turns numpy arrays, lists and pandas frames into a :class:`Table`: a 2-D array (float64
when every column is numeric, object otherwise) with column names and the schema to rebuild a frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.schema import Schema

__all__ = ["check_fraction", "check_number", "Table", "as_table", "check_choice", "check_int", "check_random_state"]


@dataclass(frozen=True)
class Table:
    """A validated 2-D table.

    Attributes
    ----------
    values : ndarray of shape (n_rows, n_columns)
        float64 when every column is numeric, otherwise object.
    schema : Schema
        Column names and dtypes (float64 for numeric arrays given without a frame).
    """

    values: np.ndarray
    schema: Schema

    @property
    def columns(self) -> tuple[str, ...]:
        return self.schema.columns

    @property
    def n_rows(self) -> int:
        return int(self.values.shape[0])

    def frame(self) -> pd.DataFrame:
        """The table as a pandas frame with its recorded dtypes."""
        return self.schema.to_frame(self.values)


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming the parameter."""
    options = tuple(choices)
    if not isinstance(value, str) or value not in options:
        raise InvalidParameterError(
            parameter=name, expected="one of " + ", ".join(repr(c) for c in options), got=value
        )
    return value


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int within ``[low, high]``, else raise naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidParameterError(parameter=name, expected="an int", got=value)
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"in the range [{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
        raise InvalidParameterError(parameter=name, expected=f"an int {bounds}", got=value)
    return int(value)


def check_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float, finite and within the bounds (open or closed), else raise naming it.

    >>> check_number(0.5, "alpha", low=0, high=1, low_open=True, high_open=True)
    0.5
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(float(value))
    if ok and low is not None:
        ok = float(value) > low if low_open else float(value) >= low
    if ok and high is not None:
        ok = float(value) < high if high_open else float(value) <= high
    if not ok:
        if low is not None and high is not None:
            bounds = f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            bounds = f" {'>' if low_open else '>='} {low:g}"
        elif high is not None:
            bounds = f" {'<' if high_open else '<='} {high:g}"
        else:
            bounds = ""
        raise InvalidParameterError(parameter=name, expected=f"a finite number{bounds}", got=value)
    return float(value)


def check_fraction(value: Any, name: str) -> float:
    """A number strictly between 0 and 1 (a confidence level, a significance level, a share)."""
    return check_number(value, name, low=0, high=1, low_open=True, high_open=True)


def check_random_state(value: Any, name: str = "random_state") -> int | None:
    """Accept None or a non-negative int seed (recorded in provenance, so generators are refused)."""
    if value is None:
        return None
    return check_int(value, name, low=0)


def as_table(
    X: Any,
    *,
    name: str = "X",
    columns: Sequence[str] | None = None,
    numeric: bool = False,
    allow_nan: bool = True,
    schema: Schema | None = None,
) -> Table:
    """Validate a 2-D table and return it as a :class:`Table`.

    Parameters
    ----------
    X : array-like of shape (n_rows, n_columns) or pandas.DataFrame
        The data.
    name : str
        The parameter's name, used in error messages.
    columns : sequence of str, optional
        Expected columns in order. A frame must have exactly these (reordered if needed); an array must
        have this many.
    numeric : bool
        Refuse non-numeric columns (a model that takes only numbers).
    allow_nan : bool
        Whether NaN may appear (infinity never may).
    schema : Schema, optional
        Dtypes to use for an array given without a frame.

    Raises
    ------
    InvalidDataError
        Naming the column at fault and what was wrong with it.
    """
    if isinstance(X, pd.DataFrame):
        frame = _check_frame(X, name, columns)
        table = Table(_frame_values(frame), Schema.from_frame(frame))
    else:
        table = _array_table(X, name, columns, schema)
    if numeric and table.values.dtype == object:
        _numeric_or_raise(table, name)
        table = Table(table.values.astype("float64"), Schema.numeric(table.columns))
    _check_values(table, name, allow_nan=allow_nan)
    return table


def _check_frame(X: pd.DataFrame, name: str, columns: Sequence[str] | None) -> pd.DataFrame:
    if X.shape[0] == 0:
        raise InvalidDataError(parameter=name, expected="a table with at least one row", got=X)
    frame = X.rename(columns=str)
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise InvalidDataError(f"The '{name}' table has the column '{dup}' twice; column names must be unique.",
                               parameter=name, got=dup)
    if columns is None:
        return frame
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidDataError(
            f"The '{name}' table is missing the column '{missing[0]}' that the model takes"
            + (f" (and {len(missing) - 1} more: {', '.join(missing[1:4])})" if len(missing) > 1 else "")
            + f". Expected columns: {', '.join(columns)}.",
            parameter=name, expected=", ".join(columns), got=missing[0],
        )
    extra = [c for c in frame.columns if c not in set(columns)]
    if extra:
        raise InvalidDataError(
            f"The '{name}' table has the column '{extra[0]}' that the model does not take"
            + (f" (and {len(extra) - 1} more)" if len(extra) > 1 else "")
            + ". Drop it (a target or ID column?) before explaining.",
            parameter=name, expected=", ".join(columns), got=extra[0],
        )
    return frame[list(columns)]


def _frame_values(frame: pd.DataFrame) -> np.ndarray:
    if all(pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d) for d in frame.dtypes):
        return frame.to_numpy(dtype="float64", na_value=np.nan)
    out = np.empty(frame.shape, dtype=object)
    for j, column in enumerate(frame.columns):
        series = frame[column]
        out[:, j] = series.astype(object).where(series.notna(), np.nan).to_numpy()
    return out


def _array_table(X: Any, name: str, columns: Sequence[str] | None, schema: Schema | None) -> Table:
    if X is None:
        raise InvalidDataError(parameter=name, expected="a 2-D array or DataFrame", got=None)
    if isinstance(X, pd.Series):
        raise InvalidDataError(parameter=name, expected="a 2-D table (a Series is one column or one row; "
                               "use series.to_frame().T for one row)", got=X)
    arr = np.asarray(X)
    if arr.ndim != 2:
        hint = " (for one row use X.reshape(1, -1))" if arr.ndim == 1 else ""
        raise InvalidDataError(parameter=name, expected=f"a 2-D array (n_rows, n_features){hint}", got=arr)
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidDataError(parameter=name, expected="a table with at least one row and one column", got=arr)
    if columns is not None and arr.shape[1] != len(columns):
        raise InvalidDataError(parameter=name, expected=f"an array with {len(columns)} columns", got=arr)
    names = tuple(columns) if columns is not None else tuple(f"x{j}" for j in range(arr.shape[1]))
    if schema is not None and schema.columns == names:
        use = schema
    else:
        use = Schema.numeric(names) if arr.dtype.kind in "biuf" else Schema(names, tuple(object for _ in names))
    if arr.dtype.kind in "biuf" and use.is_numeric:
        return Table(arr.astype("float64"), use)
    if arr.dtype.kind not in "biufOUS":
        raise InvalidDataError(parameter=name, expected="numbers or strings", got=f"an array of dtype {arr.dtype}")
    return Table(arr.astype(object), use)


def _check_values(table: Table, name: str, *, allow_nan: bool) -> None:
    values = table.values
    numbers = _numeric_columns(table) if values.dtype == object else dict(enumerate(values.T))
    for j, col in numbers.items():
        column = table.columns[j]
        if np.isinf(col).any():
            row = int(np.flatnonzero(np.isinf(col))[0])
            raise InvalidDataError(f"The '{name}' table has an infinite value in column '{column}' (row {row}); "
                                   "replace it with a finite number or NaN.", parameter=name, got=column)
    if not allow_nan:
        nan_mask = pd.isna(pd.DataFrame(values)).to_numpy()
        if nan_mask.any():
            j = int(np.flatnonzero(nan_mask.any(axis=0))[0])
            count = int(nan_mask[:, j].sum())
            raise InvalidDataError(
                f"The '{name}' table has {count} missing value(s) (NaN) in column '{table.columns[j]}', "
                "and this model can't take missing values; impute them or use a model that handles NaN.",
                parameter=name, got=table.columns[j],
            )


def _numeric_or_raise(table: Table, name: str) -> None:
    for j, column in enumerate(table.columns):
        col = table.values[:, j]
        for i, v in enumerate(col):
            if isinstance(v, (bool, int, float, np.number)) or v is None:
                continue
            try:
                float(v)
            except (TypeError, ValueError):
                raise InvalidDataError(
                    f"The '{name}' table has a non-numeric value {v!r} in column '{column}' (row {i}), "
                    "and this model takes only numbers; encode the column first.",
                    parameter=name, expected="numbers", got=v,
                ) from None


def _numeric_columns(table: Table) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    for j, dtype in enumerate(table.schema.dtypes):
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            out[j] = pd.to_numeric(pd.Series(table.values[:, j]), errors="coerce").to_numpy(dtype="float64")
    return out
