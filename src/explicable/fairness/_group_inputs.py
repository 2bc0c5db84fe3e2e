"""Checking the inputs of the group metrics: binary outcomes, scores, and sensitive attributes as group labels.

Every sensitive attribute becomes a column of string labels (``True`` -> ``"True"``, ``30`` -> ``"30"``), so
groups sort and print the same whatever the input's dtype; with several attributes their intersection is one
more "attribute" whose labels join the parts with ``" & "`` (``"female & 30-39"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError

__all__ = ["INTERSECTION_SEP", "as_binary", "as_scores", "group_labels", "sensitive_frame"]

INTERSECTION_SEP = " & "


def _one_dimensional(values: Any, name: str) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InvalidDataError(parameter=name, expected="one column", got=values)
        values = values.iloc[:, 0]
    arr = np.asarray(values)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidDataError(parameter=name, expected="a non-empty 1-D array", got=arr)
    return arr


def as_binary(values: Any, name: str, n: int | None = None) -> np.ndarray:
    """``values`` as a 0/1 int array (bools and 0/1 numbers accepted), else an error naming ``name``."""
    arr = _one_dimensional(values, name)
    if n is not None and arr.shape[0] != n:
        raise InvalidDataError(parameter=name, expected=f"{n} values (one per row)", got=arr)
    if arr.dtype == bool:
        return arr.astype(np.int64)
    try:
        numbers = arr.astype("float64")
    except (TypeError, ValueError):
        raise InvalidDataError(parameter=name, expected="binary outcomes (0/1 or bool)", got=arr) from None
    if not np.isin(numbers, (0.0, 1.0)).all():
        bad = numbers[~np.isin(numbers, (0.0, 1.0))][0]
        raise InvalidDataError(f"The '{name}' values must be 0/1 or bool (1 = the favourable or positive outcome); "
                               f"got {bad!r}.", parameter=name, expected="0/1 or bool", got=bad)
    return numbers.astype(np.int64)


def as_scores(values: Any, name: str, n: int, *, probability: bool = False) -> np.ndarray:
    """``values`` as finite float64 scores of length ``n`` (in [0, 1] when ``probability``)."""
    arr = _one_dimensional(values, name)
    if arr.shape[0] != n:
        raise InvalidDataError(parameter=name, expected=f"{n} values (one per row)", got=arr)
    try:
        scores = arr.astype("float64")
    except (TypeError, ValueError):
        raise InvalidDataError(parameter=name, expected="numeric scores", got=arr) from None
    if not np.isfinite(scores).all():
        raise InvalidDataError(parameter=name, expected="finite scores (no NaN or infinity)", got=arr)
    if probability and ((scores < 0).any() or (scores > 1).any()):
        raise InvalidDataError(parameter=name, expected="probabilities in [0, 1]", got=arr)
    return scores


def sensitive_frame(sensitive: Any, n: int, name: str = "sensitive") -> pd.DataFrame:
    """The sensitive attributes as a frame of string labels, one column per attribute.

    Accepts a Series (its name is the attribute's), a DataFrame, a mapping of name -> values, or a 1-D array
    (named ``"group"``). Missing values are refused: give them an explicit category such as ``"unknown"``.
    """
    if isinstance(sensitive, pd.DataFrame):
        frame = sensitive.reset_index(drop=True)
    elif isinstance(sensitive, pd.Series):
        frame = sensitive.reset_index(drop=True).to_frame(name=sensitive.name if sensitive.name is not None
                                                           else "group")
    elif isinstance(sensitive, Mapping):
        frame = pd.DataFrame({str(k): _one_dimensional(v, f"{name}[{k!r}]") for k, v in sensitive.items()})
    else:
        frame = pd.DataFrame({"group": _one_dimensional(sensitive, name)})
    if frame.shape[1] == 0:
        raise InvalidParameterError(parameter=name, expected="at least one sensitive attribute", got=sensitive)
    if frame.shape[0] != n:
        raise InvalidDataError(parameter=name, expected=f"{n} rows (one per outcome)", got=frame)
    frame.columns = [str(c) for c in frame.columns]
    missing = frame.isna().any()
    if missing.any():
        col = str(missing[missing].index[0])
        raise InvalidDataError(
            f"The '{name}' attribute '{col}' has {int(frame[col].isna().sum())} missing value(s); give them an "
            "explicit category (e.g. 'unknown') so that they are counted, not dropped.", parameter=name, got=col)
    return frame.apply(lambda col: col.astype(str))


def group_labels(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Attribute name -> labels: each column, then their intersection when there are several."""
    out = {str(c): frame[c] for c in frame.columns}
    if frame.shape[1] > 1:
        key = INTERSECTION_SEP.join(str(c) for c in frame.columns)
        out[key] = frame.astype(str).agg(INTERSECTION_SEP.join, axis=1)
    return out
