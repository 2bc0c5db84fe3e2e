"""The column schema of a table: names and pandas dtypes, so arrays can be turned back into frames.

Explainers move rows around as 2-D arrays (numeric ``float64`` or ``object`` for mixed tables). Models
trained on pandas frames (categorical columns, one-hot pipelines, LightGBM with categories) need the frame
back with the same dtypes; :class:`Schema` records them and rebuilds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Schema"]


@dataclass(frozen=True)
class Schema:
    """Ordered column names with their pandas dtypes.

    Parameters
    ----------
    columns : tuple of str
        Column names in model order.
    dtypes : tuple
        One pandas/numpy dtype per column.
    """

    columns: tuple[str, ...]
    dtypes: tuple[Any, ...]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Schema:
        """Record the columns and dtypes of ``frame``."""
        return cls(tuple(str(c) for c in frame.columns), tuple(frame.dtypes))

    @classmethod
    def numeric(cls, columns: Sequence[str]) -> Schema:
        """A schema of float64 columns."""
        return cls(tuple(columns), tuple(np.dtype("float64") for _ in columns))

    @property
    def is_numeric(self) -> bool:
        """True when every column is a number or a boolean."""
        return all(_is_numeric(d) for d in self.dtypes)

    def select(self, columns: Sequence[str]) -> Schema:
        """The schema of a subset of columns, in the given order."""
        index = {c: i for i, c in enumerate(self.columns)}
        return Schema(tuple(columns), tuple(self.dtypes[index[c]] for c in columns))

    def to_frame(self, values: np.ndarray) -> pd.DataFrame:
        """Build a frame from a 2-D array whose columns follow this schema."""
        data = {}
        for j, (name, dtype) in enumerate(zip(self.columns, self.dtypes, strict=True)):
            data[name] = _column(values[:, j], dtype)
        return pd.DataFrame(data, columns=list(self.columns))


def _is_numeric(dtype: Any) -> bool:
    return bool(pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))


def _column(values: np.ndarray, dtype: Any) -> pd.Series | pd.Categorical | np.ndarray:
    if isinstance(dtype, pd.CategoricalDtype) and dtype.categories is None:
        return pd.Categorical(values, ordered=dtype.ordered)
    if isinstance(dtype, pd.CategoricalDtype):
        # Values outside the recorded categories (rows mixed in from a background) extend them at the end, so
        # recorded codes keep their meaning and no value silently turns into NaN.
        known = set(dtype.categories)
        extra = list(dict.fromkeys(v for v in values if v not in known and not pd.isna(v)))
        return pd.Categorical(values, categories=[*dtype.categories, *extra], ordered=dtype.ordered)
    if _is_numeric(dtype) and values.dtype.kind == "f" and not pd.api.types.is_integer_dtype(dtype):
        return values.astype(dtype)
    if _is_numeric(dtype):
        numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        if pd.api.types.is_integer_dtype(dtype) and numbers.isna().any():
            return numbers.to_numpy(dtype="float64")
        return numbers.astype(dtype).to_numpy()
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return values
    return pd.Series(values, dtype=dtype).to_numpy()
