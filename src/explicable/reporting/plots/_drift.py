"""Drift over time: one line per monitored quantity, its interval as a band, the alert threshold as a line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.reporting.plots._inputs import as_array
from explicable.reporting.plots._style import REFERENCE, axes_for, fmt
from explicable.reporting.plots._text import attach_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_drift"]

# Okabe-Ito, without black (the threshold) and yellow (too light on white).
_LINES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def plot_drift(values: Any, *, times: Sequence[Any] | None = None, names: Sequence[str] | None = None,
               lower: Any = None, upper: Any = None, threshold: float | None = None,
               label: str = "drift", ax: Any = None) -> Axes:
    """Drift statistics over time, with their intervals and the alert threshold.

    Parameters
    ----------
    values : DataFrame (index: time, columns: series), or array of shape (n_times,) or (n_times, n_series)
        The statistic per period (a PSI, a distance between attribution distributions, a score).
    times : sequence, optional
        The periods (default: the frame's index, or 0, 1, ...). Numbers, dates or labels.
    names : sequence of str, optional
        The series' names (default: the frame's columns, or ``series 0``, ...).
    lower, upper : arrays like ``values``, optional
        An interval per point, drawn as a band (both or neither).
    threshold : float, optional
        The alert level, drawn as a dashed line; points above it are marked.
    label : str, default "drift"
        The y-axis label.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: time, series, value, ci_low, ci_high, alert.
    """
    frame = _frame(values, times, names)
    low, high = _bounds(lower, upper, frame.shape)
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                  or not np.isfinite(threshold)):
        raise InvalidParameterError(parameter="threshold", expected="a finite number or None", got=threshold)
    ax = axes_for(ax, (7.0, 3.6))
    x = _positions(frame.index)
    for j, name in enumerate(frame.columns):
        colour = _LINES[j % len(_LINES)]
        y = frame.iloc[:, j].to_numpy(dtype=float)
        if low is not None and high is not None:
            ax.fill_between(x, low[:, j], high[:, j], color=colour, alpha=0.2, linewidth=0, gid="ci")
        ax.plot(x, y, color=colour, marker="o", markersize=3, label=str(name), gid="series")
        if threshold is not None and (y > threshold).any():
            over = y > threshold
            ax.scatter(x[over], y[over], s=60, facecolors="none", edgecolors=REFERENCE, zorder=4, gid="alert")
    if threshold is not None:
        ax.axhline(threshold, color=REFERENCE, linestyle="--", linewidth=1, gid="threshold")
    if not np.issubdtype(np.asarray(frame.index).dtype, np.number):
        ax.set_xticks(x, [_when(t) for t in frame.index], rotation=30, ha="right")
    ax.set_ylabel(label)
    if frame.shape[1] > 1:
        ax.legend(loc="best", fontsize=8)
    table = _table(frame, low, high, threshold)
    attach_text(ax, f"{label.capitalize()} over time", _alt(table, frame, threshold, label), table)
    return ax


def _frame(values: Any, times: Sequence[Any] | None, names: Sequence[str] | None) -> pd.DataFrame:
    if isinstance(values, pd.DataFrame):
        frame = values.copy()
        as_array(frame.to_numpy(), "values", 2)
    else:
        arr = as_array(values, "values", (1, 2))
        frame = pd.DataFrame(arr.reshape(arr.shape[0], -1))
        frame.columns = [f"series {j}" for j in range(frame.shape[1])]
    if times is not None:
        if len(times) != frame.shape[0]:
            raise InvalidDataError(parameter="times", expected=f"{frame.shape[0]} periods", got=times)
        frame.index = pd.Index(list(times))
    if names is not None:
        if isinstance(names, str) or len(names) != frame.shape[1]:
            raise InvalidDataError(parameter="names", expected=f"{frame.shape[1]} names", got=names)
        frame.columns = [str(n) for n in names]
    return frame


def _bounds(lower: Any, upper: Any, shape: tuple[int, int]) -> tuple[np.ndarray | None, np.ndarray | None]:
    if (lower is None) != (upper is None):
        raise InvalidParameterError(parameter="lower, upper", expected="both or neither",
                                    got="only " + ("lower" if upper is None else "upper"))
    if lower is None:
        return None, None
    bounds = []
    for name, value in (("lower", lower), ("upper", upper)):
        arr = as_array(np.asarray(value, dtype=float), name, (1, 2)).reshape(shape[0], -1)
        if arr.shape != shape:
            raise InvalidDataError(parameter=name, expected=f"shape {shape} like values", got=arr)
        bounds.append(arr)
    return bounds[0], bounds[1]


def _positions(index: pd.Index) -> np.ndarray:
    if np.issubdtype(np.asarray(index).dtype, np.number):
        return np.asarray(index, dtype=float)
    if isinstance(index, pd.DatetimeIndex):
        from matplotlib.dates import date2num

        return np.asarray(date2num(index.to_pydatetime()))
    return np.arange(len(index), dtype=float)


def _table(frame: pd.DataFrame, low: np.ndarray | None, high: np.ndarray | None,
           threshold: float | None) -> pd.DataFrame:
    n, m = frame.shape
    t, s = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    value = frame.to_numpy(dtype=float)[t, s].reshape(-1)
    return pd.DataFrame({"time": np.asarray(frame.index, dtype=object)[t.reshape(-1)],
                         "series": np.asarray(frame.columns, dtype=object)[s.reshape(-1)], "value": value,
                         "ci_low": np.nan if low is None else low.reshape(-1),
                         "ci_high": np.nan if high is None else high.reshape(-1),
                         "alert": False if threshold is None else value > threshold})


def _alt(table: pd.DataFrame, frame: pd.DataFrame, threshold: float | None, label: str) -> str:
    text = f"Line chart of {label} for {frame.shape[1]} series over {frame.shape[0]} periods."
    if threshold is None:
        return text
    alerts = table[table["alert"]]
    if alerts.empty:
        return text + f" No value passes the threshold {fmt(threshold)}."
    first = alerts.groupby("series", sort=False)["time"].first()
    return text + f" Above the threshold {fmt(threshold)}: " + ", ".join(
        f"{s} from {_when(t)}" for s, t in first.items()) + "."


def _when(time: Any) -> str:
    """A period as text: a date without its time of day when that is midnight."""
    if isinstance(time, pd.Timestamp) and time == time.normalize():
        return time.strftime("%Y-%m-%d")
    return str(time)
