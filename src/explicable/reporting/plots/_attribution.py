"""One row's attributions: a waterfall from the base value to the output, and a force-style bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from explicable.core.explanation import Explanation
from explicable.reporting.plots._inputs import cell_text, check_count, check_instance, pick_output, pick_row, top_order
from explicable.reporting.plots._style import DECREASE, INCREASE, REFERENCE, WHISKER, axes_for, fmt, z_value
from explicable.reporting.plots._text import attach_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_force", "plot_waterfall", "row_contributions"]


def row_contributions(explanation: Explanation, row: int, output: int, max_display: int) -> pd.DataFrame:
    """One row's attributions, the largest ``max_display`` by magnitude first, the rest summed into one entry.

    Returns a frame ``feature, data, value, stderr`` (stderr NaN when the explanation has none). The folded
    entry's stderr is the sum of its members': an upper bound whatever their correlation.
    """
    values = explanation.values[row, :, output]
    stderr = None if explanation.stderr is None else explanation.stderr[row, :, output]
    data = explanation.data[row] if explanation.data is not None else None
    shown, rest = top_order(np.abs(values), max_display)
    frame = pd.DataFrame({
        "feature": [explanation.feature_names[j] for j in shown],
        "data": [cell_text(data[j]) if data is not None else "" for j in shown],
        "value": values[shown],
        "stderr": np.full(shown.size, np.nan) if stderr is None else stderr[shown],
    })
    if rest.size:
        other = {"feature": f"{rest.size} other features", "data": "", "value": float(values[rest].sum()),
                 "stderr": np.nan if stderr is None else float(stderr[rest].sum())}
        frame = pd.concat([frame, pd.DataFrame([other])], ignore_index=True)
    return frame


def plot_waterfall(explanation: Explanation, row: int = 0, *, output: int | str | None = None,
                   max_display: int = 10, confidence: float = 0.95, ax: Any = None) -> Axes:
    """How one row's output is built from the base value, one feature at a time.

    The bottom bar starts at the base value; each bar adds one feature's attribution, so the top bar ends at
    ``base_value + sum(values)``. Where the explanation has a standard error, a whisker of
    ``+/- z * stderr`` is drawn at the end of each bar (``z`` = 1.96 for 95 %).

    Parameters
    ----------
    explanation : Explanation
    row : int, default 0
    output : int or str, optional
        Needed when the explanation has several outputs.
    max_display : int, default 10
        Features shown; the others are summed into one bar.
    confidence : float, default 0.95
        Coverage of the whiskers.
    ax : matplotlib Axes, optional
        Drawn on a new Figure when None.

    Returns
    -------
    matplotlib Axes
        With its text alternative (see :func:`text_alternative`): one table row per bar, top (largest) first.

    Examples
    --------
    >>> import numpy as np
    >>> exp = Explanation(np.array([[[2.0], [-1.0]]]), np.array([[0.5]]), ["a", "b"], ["y"])
    >>> from explicable.reporting.plots import text_alternative
    >>> ax = plot_waterfall(exp)
    >>> text_alternative(ax).table["end"].tolist()
    [1.5, -0.5]
    """
    check_instance(explanation, "explanation", Explanation)
    r = pick_row(row, explanation.shape[0])
    k = pick_output(output, explanation.output_names)
    z = z_value(confidence)
    parts = row_contributions(explanation, r, k, check_count(max_display, "max_display"))[::-1]
    base = float(explanation.base_values[r, k])
    ends = base + np.cumsum(parts["value"].to_numpy())
    starts = ends - parts["value"].to_numpy()
    ax = axes_for(ax, (7.0, 0.45 * len(parts) + 1.6))
    y = np.arange(len(parts))
    colours = [INCREASE if v >= 0 else DECREASE for v in parts["value"]]
    ax.barh(y, np.abs(parts["value"]), left=np.minimum(starts, ends), color=colours, height=0.7)
    table = parts.assign(start=starts, end=ends, ci_low=parts["value"] - z * parts["stderr"],
                         ci_high=parts["value"] + z * parts["stderr"])
    has_ci = parts["stderr"].notna().to_numpy()
    if has_ci.any():
        half = z * parts["stderr"].to_numpy()[has_ci]
        ax.hlines(y[has_ci], ends[has_ci] - half, ends[has_ci] + half, colors=WHISKER, linewidth=1.2, gid="ci")
    for yi, end, value in zip(y, ends, parts["value"], strict=True):
        ax.annotate(f"{value:+.3g}", (end, yi), xytext=(4 if value >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if value >= 0 else "right", va="center", fontsize=8)
    ax.axvline(base, color=REFERENCE, linestyle=":", linewidth=1)
    ax.axvline(ends[-1], color=REFERENCE, linestyle="--", linewidth=1)
    ax.set_yticks(y, [_label(f, d) for f, d in zip(parts["feature"], parts["data"], strict=True)])
    ax.set_xlabel(f"output '{explanation.output_names[k]}' (base {fmt(base)}, row {fmt(ends[-1])})")
    biggest = parts.iloc[::-1].iloc[:3]
    top = ", ".join(f"{f} ({v:+.3g})" for f, v in zip(biggest["feature"], biggest["value"], strict=True))
    alt = (f"Waterfall chart of row {r}: starting from the base value {fmt(base)}, the features move the output "
           f"'{explanation.output_names[k]}' to {fmt(ends[-1])}. Largest contributions: {top}."
           + (f" Whiskers show {confidence:.0%} intervals." if has_ci.any() else ""))
    columns = ["feature", "data", "value", "stderr", "ci_low", "ci_high", "start", "end"]
    attach_text(ax, f"Why row {r} got {fmt(ends[-1])}", alt, table[columns].iloc[::-1])
    return ax


def plot_force(explanation: Explanation, row: int = 0, *, output: int | str | None = None,
               max_display: int = 10, confidence: float = 0.95, ax: Any = None) -> Axes:
    """One row's attributions as a single bar: what pushes the output up meets what pushes it down at f(x).

    Positive attributions are stacked to the left of the output, the largest next to it; negative ones to
    its right. The leftmost edge is therefore ``f(x) - sum(positive)`` and the base value lies at
    ``f(x) - sum(values)``. With a standard error, each segment carries a whisker of ``+/- z * stderr``
    centred on it, above the bar.

    Parameters
    ----------
    explanation, row, output, max_display, confidence, ax
        As for :func:`plot_waterfall`; features beyond ``max_display`` are summed into one entry.

    Returns
    -------
    matplotlib Axes
        Its text alternative has one row per segment: feature, data, value, stderr, left, right.
    """
    check_instance(explanation, "explanation", Explanation)
    r = pick_row(row, explanation.shape[0])
    k = pick_output(output, explanation.output_names)
    z = z_value(confidence)
    parts = row_contributions(explanation, r, k, check_count(max_display, "max_display"))
    base = float(explanation.base_values[r, k])
    total = base + float(parts["value"].sum())
    values = parts["value"].to_numpy()
    # Positives are stacked leftwards from f(x), negatives rightwards, the largest of each next to f(x).
    pos = values >= 0
    left = np.empty(values.size)
    left[pos] = total - np.cumsum(values[pos])
    left[~pos] = total + np.cumsum(-values[~pos]) + values[~pos]
    right = left + np.abs(values)
    ax = axes_for(ax, (9.0, 2.6))
    ax.barh(np.zeros(values.size), right - left, left=left, height=0.5,
            color=[INCREASE if v >= 0 else DECREASE for v in values], edgecolor="white", linewidth=1)
    has_ci = parts["stderr"].notna().to_numpy()
    if has_ci.any():
        mid = (left + right)[has_ci] / 2
        half = z * parts["stderr"].to_numpy()[has_ci]
        ax.hlines(np.full(mid.size, 0.4), mid - half, mid + half, colors=WHISKER, linewidth=1.2, gid="ci")
    for j, (lo, hi) in enumerate(zip(left, right, strict=True)):
        ax.annotate(parts["feature"][j], ((lo + hi) / 2, -0.3), ha="right", va="top", rotation=35, fontsize=8)
    ax.axvline(total, color=REFERENCE, linestyle="--", linewidth=1)
    ax.axvline(base, color=REFERENCE, linestyle=":", linewidth=1)
    ax.set_ylim(-1.6, 0.8)
    ax.set_yticks([])
    ax.set_xlabel(f"output '{explanation.output_names[k]}': base {fmt(base)} (dotted), row {fmt(total)} (dashed)")
    up, down = parts[values >= 0], parts[values < 0]
    alt = (f"Force chart of row {r}: the output '{explanation.output_names[k]}' is {fmt(total)} against a base "
           f"value of {fmt(base)}. Pushing it up: {_names(up)}. Pushing it down: {_names(down)}.")
    attach_text(ax, f"What pushes row {r} up and down", alt, parts.assign(left=left, right=right))
    return ax


def _label(feature: str, data: str) -> str:
    return f"{feature} = {data}" if data else feature


def _names(parts: pd.DataFrame) -> str:
    if parts.empty:
        return "nothing"
    return ", ".join(f"{f} ({v:+.3g})" for f, v in zip(parts["feature"], parts["value"], strict=True))
