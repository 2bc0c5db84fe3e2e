"""Plain JSON values from numpy and pandas ones: what the dashboard's endpoints return."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["jsonable", "records"]


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays as Python ones, and NaN, infinity and missing values as None.

    Examples
    --------
    >>> jsonable({"a": np.float64("nan"), "b": np.arange(2), "c": (np.int64(3), pd.NA)})
    {'a': None, 'b': [0, 1], 'c': [3, None]}
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready dicts."""
    return [jsonable(dict(zip(frame.columns, row, strict=True))) for row in frame.itertuples(index=False)]
