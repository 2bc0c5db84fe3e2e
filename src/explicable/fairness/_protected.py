"""Turn the protected attribute(s) a caller gives into one group label per row.

A protected attribute arrives as a column name (of the explained data or of ``X``), a list of names (their
intersection), a 1-D array or Series, or a frame of several columns. Rows then fall into groups labelled by
their values, joined with " & " for an intersection; a missing value is its own group, "missing", so that
unknown-category counts stay visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError

__all__ = ["MISSING", "Groups", "group_rows", "label", "wilson_interval"]

#: Label of a row whose protected value is missing.
MISSING = "missing"


@dataclass(frozen=True)
class Groups:
    """Rows split by protected attribute.

    Attributes
    ----------
    labels : object array (n_rows,)
        Each row's group label (str).
    attributes : tuple of str
        The attribute names, one per column of the intersection.
    """

    labels: np.ndarray
    attributes: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The distinct groups, sorted (so that results and their random draws are reproducible)."""
        return tuple(sorted(set(self.labels.tolist())))


def group_rows(sensitive: Any, n_rows: int, *, columns: Sequence[str] = (), data: np.ndarray | None = None,
               name: str = "sensitive") -> Groups:
    """Group labels for ``n_rows`` rows.

    Parameters
    ----------
    sensitive : str, list of str, array-like (n_rows,), Series or DataFrame
        Names refer to ``columns`` (with their values in ``data``); arrays give the values directly.
    n_rows : int
    columns : sequence of str
        Column names of ``data``.
    data : array (n_rows, len(columns)), optional
    name : str
        The parameter's name in errors.

    Examples
    --------
    >>> g = group_rows(pd.DataFrame({"sex": ["f", "m"], "age": ["<25", "<25"]}), 2)
    >>> g.labels.tolist(), g.attributes
    (['f & <25', 'm & <25'], ('sex', 'age'))
    """
    frame = _as_frame(sensitive, columns, data, name)
    if len(frame) != n_rows:
        raise InvalidDataError(parameter=name, expected=f"{n_rows} values (one per row)", got=f"{len(frame)} values")
    parts = [frame[c].astype(object).map(label).to_numpy(dtype=object) for c in frame.columns]
    labels = parts[0].copy()
    for part in parts[1:]:
        labels = np.array([f"{a} & {b}" for a, b in zip(labels, part, strict=True)], dtype=object)
    return Groups(labels, tuple(str(c) for c in frame.columns))


def _as_frame(sensitive: Any, columns: Sequence[str], data: np.ndarray | None, name: str) -> pd.DataFrame:
    if isinstance(sensitive, str) or (isinstance(sensitive, (list, tuple)) and sensitive
                                      and all(isinstance(s, str) for s in sensitive)
                                      and all(s in columns for s in sensitive)):
        names = [sensitive] if isinstance(sensitive, str) else list(sensitive)
        missing = [s for s in names if s not in columns]
        if missing or data is None:
            shown = ", ".join(list(columns)[:12])
            raise InvalidParameterError(parameter=name, expected=f"column names of the data ({shown}) or values "
                                        "per row", got=missing[0] if missing else sensitive)
        return pd.DataFrame({s: data[:, list(columns).index(s)] for s in names})
    if isinstance(sensitive, pd.DataFrame):
        if sensitive.shape[1] == 0:
            raise InvalidDataError(parameter=name, expected="at least one column", got=sensitive)
        return sensitive.reset_index(drop=True)
    if isinstance(sensitive, pd.Series):
        return pd.DataFrame({str(sensitive.name) if sensitive.name is not None else name:
                             sensitive.reset_index(drop=True)})
    arr = np.asarray(sensitive, dtype=object)
    if arr.ndim != 1:
        raise InvalidDataError(parameter=name, expected="a column name, a 1-D array or a DataFrame", got=arr)
    return pd.DataFrame({name: arr})


def label(value: Any) -> str:
    """A value as a group label: integral floats without ".0", missing values as "missing"."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return MISSING
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def wilson_interval(successes: np.ndarray | int, trials: np.ndarray | int, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (NaN where there are no trials).

    Preferred over the normal (Wald) interval: it stays inside [0, 1] and keeps its coverage near 0 and 1,
    where flip rates of an honest model live (Brown, Cai & DasGupta, 2001).

    >>> lo, hi = wilson_interval(0, 20, 1.96)
    >>> float(lo), round(float(hi), 3)
    (0.0, 0.161)
    """
    s = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lower = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    upper = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lower, upper
