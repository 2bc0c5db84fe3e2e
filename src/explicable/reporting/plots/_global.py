"""The model as a whole: feature importance with its confidence interval, and dependence scatter plots."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from explicable.core.effects import DependenceData
from explicable.core.importance import FeatureImportance
from explicable.reporting.plots._inputs import check_count, check_instance, pick_output
from explicable.reporting.plots._rows import swarm_offsets
from explicable.reporting.plots._style import DECREASE, INCREASE, NEUTRAL, REFERENCE, WHISKER, axes_for, fmt, z_value
from explicable.reporting.plots._text import attach_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_dependence", "plot_importance"]


def plot_importance(importance: FeatureImportance, *, output: int | str | None = None, max_display: int = 15,
                    ax: Any = None) -> Axes:
    """Feature importance as bars, the most important at the top, with the confidence interval as whiskers.

    The whisker of each bar runs from ``ci_low`` to ``ci_high`` (the result's own ``confidence`` interval);
    a bar with an undefined interval (too few repeats) has none, and the alt text says so.

    Parameters
    ----------
    importance : FeatureImportance
    output : int or str, optional
        Needed when the result has several outputs.
    max_display : int, default 15
        Bars drawn; the less important features are left out (importances do not add up, so they are
        not summed) and the alt text says how many.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: feature, importance, stderr, ci_low, ci_high, most important first.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable.reporting.plots import text_alternative
    >>> imp = FeatureImportance(np.array([[0.5], [2.0]]), np.array([[0.1], [0.1]]), np.array([[0.3], [1.8]]),
    ...                         np.array([[0.7], [2.2]]), ["a", "b"], ["score"])
    >>> text_alternative(plot_importance(imp)).table["feature"].tolist()
    ['b', 'a']
    """
    check_instance(importance, "importance", FeatureImportance)
    k = pick_output(output, importance.output_names)
    values = importance.importances[:, k]
    order = np.argsort(-values, kind="stable")[:check_count(max_display, "max_display")]
    table = pd.DataFrame({"feature": [importance.feature_names[j] for j in order], "importance": values[order],
                          "stderr": importance.stderr[order, k], "ci_low": importance.ci_low[order, k],
                          "ci_high": importance.ci_high[order, k]})
    ax = axes_for(ax, (7.0, 0.4 * order.size + 1.4))
    y = np.arange(order.size)[::-1]
    ax.barh(y, table["importance"], color=[INCREASE if v >= 0 else NEUTRAL for v in table["importance"]], height=0.7)
    known = table[["ci_low", "ci_high"]].notna().all(axis=1).to_numpy()
    if known.any():
        ax.hlines(y[known], table["ci_low"][known], table["ci_high"][known], colors=WHISKER, linewidth=1.4, gid="ci")
    ax.axvline(0, color=REFERENCE, linewidth=0.8)
    ax.set_yticks(y, table["feature"])
    method = importance.provenance.method if importance.provenance.method not in ("", "unknown") else "importance"
    ax.set_xlabel(f"{method} ({importance.output_names[k]}), {importance.confidence:.0%} intervals")
    attach_text(ax, "Which features matter most", _importance_alt(table, importance, known), table)
    return ax


def _importance_alt(table: pd.DataFrame, importance: FeatureImportance, known: np.ndarray) -> str:
    top = table.iloc[0]
    parts = [f"Bar chart of {len(table)} features by importance. The most important is {top.feature} "
             f"({fmt(top.importance)}"]
    parts.append(f", {importance.confidence:.0%} interval {fmt(top.ci_low)} to {fmt(top.ci_high)})." if known[0]
                 else ").")
    if len(table) > 1 and known[:2].all():
        second = table.iloc[1]
        settled = second.ci_high < top.ci_low
        parts.append(f" Its lead over {second.feature} is {'clear' if settled else 'not established'}: their "
                     f"intervals {'do not overlap' if settled else 'overlap'}.")
    if not known.all():
        parts.append(f" {int((~known).sum())} features have no interval (too few repeats).")
    hidden = importance.shape[0] - len(table)
    if hidden:
        parts.append(f" {hidden} less important features are not shown.")
    return "".join(parts)


def plot_dependence(dependence: DependenceData, *, output: int | str | None = None, confidence: float = 0.95,
                    ax: Any = None) -> Axes:
    """A feature's value against its attribution, one dot per row, with ``+/- z * stderr`` whiskers.

    Numeric features are plotted on their own scale; categorical ones at one position per category (in
    sorted order), the dots spread sideways so they stay visible.

    Parameters
    ----------
    dependence : DependenceData
    output : int or str, optional
        Needed when the data has several outputs.
    confidence : float, default 0.95
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: row, the feature's value, attribution, stderr, ci_low, ci_high.
    """
    check_instance(dependence, "dependence", DependenceData)
    k = pick_output(output, dependence.output_names)
    z = z_value(confidence)
    attributions = dependence.attributions[:, k]
    se = np.full(attributions.size, np.nan) if dependence.stderr is None else dependence.stderr[:, k]
    ax = axes_for(ax, (6.0, 4.0))
    numeric = dependence.values.dtype != object
    if numeric:
        x = dependence.values
    else:
        labels = sorted({str(v) for v in dependence.values})
        x = np.array([labels.index(str(v)) for v in dependence.values], dtype=float)
        x = x + _category_spread(x, attributions)
        ax.set_xticks(np.arange(len(labels)), labels)
    colours = np.where(attributions >= 0, INCREASE, DECREASE)
    finite = np.isfinite(se)
    if finite.any():
        ax.vlines(x[finite], (attributions - z * se)[finite], (attributions + z * se)[finite], colors=WHISKER,
                  alpha=0.4, linewidth=0.8, gid="ci")
    ax.scatter(x, attributions, s=14, c=colours, gid="points", zorder=3)
    ax.axhline(0, color=REFERENCE, linewidth=0.8)
    ax.set_xlabel(dependence.feature)
    ax.set_ylabel(f"attribution to {dependence.output_names[k]}")
    table = pd.DataFrame({"row": np.arange(attributions.size), dependence.feature: dependence.values,
                          "attribution": attributions, "stderr": se, "ci_low": attributions - z * se,
                          "ci_high": attributions + z * se})
    attach_text(ax, f"How {dependence.feature} affects its attribution",
                _dependence_alt(dependence, attributions, numeric), table)
    return ax


def _category_spread(position: np.ndarray, attributions: np.ndarray) -> np.ndarray:
    spread = np.zeros(position.size)
    for p in np.unique(position):
        members = position == p
        # coarse bins: within a category, dots spread only where attributions really crowd
        spread[members] = swarm_offsets(attributions[members], n_bins=15, width=0.3)
    return spread


def _dependence_alt(dependence: DependenceData, attributions: np.ndarray, numeric: bool) -> str:
    head = (f"Scatter plot of {attributions.size} rows: the value of {dependence.feature} against its attribution, "
            f"which ranges from {fmt(attributions.min())} to {fmt(attributions.max())}.")
    if numeric:
        values = dependence.values.astype(float)
        if np.ptp(values) > 0 and np.ptp(attributions) > 0:
            r = float(np.corrcoef(values, attributions)[0, 1])
            trend = "higher" if r > 0 else "lower"
            return head + f" Higher values of {dependence.feature} tend to give {trend} attributions (correlation " \
                          f"{r:.2f})."
        return head
    means = pd.Series(attributions).groupby(np.asarray([str(v) for v in dependence.values])).mean()
    return head + " Mean attribution by category: " + ", ".join(f"{c} {fmt(m)}" for c, m in means.items()) + "."
