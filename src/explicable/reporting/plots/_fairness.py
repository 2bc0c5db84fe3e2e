"""Group fairness: selection rates against the four-fifths line, a metric by group, the LL144 impact ratios."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.fairness._results import FourFifths, GroupMetrics, LL144Table
from explicable.reporting.plots._inputs import check_instance
from explicable.reporting.plots._style import DECREASE, NEUTRAL, REFERENCE, WHISKER, axes_for, fmt
from explicable.reporting.plots._text import attach_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_four_fifths", "plot_group_metric", "plot_ll144"]

FLAGGED = "#E69F00"  # Okabe-Ito orange: a group under the line


def plot_four_fifths(result: FourFifths | GroupMetrics, *, attribute: str | None = None, ax: Any = None) -> Axes:
    """Each group's selection rate as a bar, with the four-fifths line at ``threshold`` x the highest rate.

    A group whose bar ends left of its attribute's line has an impact ratio under the threshold (0.8) and
    is flagged (coloured and hatched). With several attributes (and their intersections), each one's bars
    are labelled ``attribute: group`` and carry their own line. Given a :class:`GroupMetrics`, the bars
    carry its bootstrap interval of the selection rate as whiskers.

    Parameters
    ----------
    result : FourFifths or GroupMetrics
    attribute : str, optional
        Draw one sensitive attribute (or intersection) only; all of them by default.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: attribute, group, n, selected, rate, ci_low, ci_high, impact_ratio,
        p_value, flagged, line (where the attribute's four-fifths line is), top bar first.
    """
    check_instance(result, "result", (FourFifths, GroupMetrics))
    rule = result.four_fifths if isinstance(result, GroupMetrics) else result
    rows = rule.table
    if attribute is not None:
        rows = rows[rows["attribute"] == _attribute(rows["attribute"], attribute)]
    rows = rows.reset_index(drop=True)
    table = rows[["attribute", "group", "n", "selected", "rate"]].assign(ci_low=np.nan, ci_high=np.nan)
    if isinstance(result, GroupMetrics):
        t = result.table[result.table["metric"] == "selection_rate"].set_index(["attribute", "group"])
        keys = pd.MultiIndex.from_frame(table[["attribute", "group"]])
        table["ci_low"] = t["ci_low"].reindex(keys).to_numpy(dtype=float)
        table["ci_high"] = t["ci_high"].reindex(keys).to_numpy(dtype=float)
    table = table.assign(impact_ratio=rows["impact_ratio"], p_value=rows["p_value"], flagged=rows["flagged"],
                         line=rule.threshold * rows["reference_rate"])
    several = table["attribute"].nunique() > 1
    labels = table["attribute"].astype(str) + ": " + table["group"].astype(str) if several else table["group"]
    ax = _bars(table.rename(columns={"rate": "value"}).assign(label=labels), "label", ax)
    y = np.arange(len(table))[::-1]
    for name in dict.fromkeys(table["attribute"]):
        members = (table["attribute"] == name).to_numpy()
        line = float(table["line"][members].iloc[0])
        ax.vlines([line], y[members].min() - 0.45, y[members].max() + 0.45, colors=REFERENCE, linestyles="dashed",
                  linewidth=1.2, gid="four-fifths")
    ax.set_xlabel(f"selection rate (dashed: {rule.threshold:g} x the highest rate of the attribute)")
    flagged = table[table["flagged"]]
    found = ("No group is under its line." if flagged.empty else "Under the line: " + ", ".join(
        f"{a} {g} (impact ratio {fmt(r)}, p={fmt(p)})" for a, g, r, p in
        zip(flagged["attribute"], flagged["group"], flagged["impact_ratio"], flagged["p_value"], strict=True)) + ".")
    names = ", ".join(dict.fromkeys(table["attribute"].astype(str)))
    alt = (f"Bar chart of selection rates by {names}. A dashed line marks {rule.threshold:g} times the highest "
           f"rate of each attribute. {found}")
    attach_text(ax, f"Selection rates by {names} (four-fifths rule)", alt, table)
    return ax


def plot_group_metric(metrics: GroupMetrics, metric: str = "selection_rate", *, attribute: str | None = None,
                      ax: Any = None) -> Axes:
    """One metric by group as bars, with the bootstrap confidence interval as whiskers.

    Parameters
    ----------
    metrics : GroupMetrics
    metric : str, default "selection_rate"
        A metric in ``metrics.table``.
    attribute : str, optional
        Needed when the result has several attributes.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: group, n, value, ci_low, ci_high.
    """
    check_instance(metrics, "metrics", GroupMetrics)
    known = list(dict.fromkeys(metrics.table["metric"]))
    if metric not in known:
        raise InvalidParameterError(parameter="metric", expected=f"one of {known}", got=metric)
    name = _attribute(metrics.table["attribute"], attribute)
    t = metrics.table
    table = t[(t["attribute"] == name) & (t["metric"] == metric)][["group", "n", "value", "ci_low", "ci_high"]]
    ax = _bars(table.assign(flagged=False), "group", ax)
    label = metric.replace("_", " ")
    ax.set_xlabel(f"{label} ({metrics.confidence:.0%} intervals)")
    spread = table["value"].max() - table["value"].min()
    value = table["value"].to_numpy(dtype=float)
    high, low = table.iloc[int(value.argmax())], table.iloc[int(value.argmin())]
    alt = (f"Bar chart of {label} by {name}, with {metrics.confidence:.0%} intervals. Highest: {high.group} "
           f"({fmt(high.value)}); lowest: {low.group} ({fmt(low.value)}); difference {fmt(spread)}.")
    attach_text(ax, f"{label.capitalize()} by {name}", alt, table)
    return ax


def plot_ll144(result: LL144Table, *, dimension: str | None = None, threshold: float = 0.8, ax: Any = None) -> Axes:
    """NYC Local Law 144 impact ratios by category, with a line at ``threshold``.

    Categories excluded for being under ``exclude_under`` of the data have no ratio and are left out (the
    alt text names them).

    Parameters
    ----------
    result : LL144Table
    dimension : str, optional
        ``"sex"``, ``"race"`` or ``"sex & race"``; all of them (labelled ``dimension: category``) by default.
    threshold : float, default 0.8
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: label, n, rate, impact_ratio, flagged.
    """
    check_instance(result, "result", LL144Table)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise InvalidParameterError(parameter="threshold", expected="a number in (0, 1]", got=threshold)
    rows = result.table
    if dimension is not None:
        _attribute(rows["dimension"], dimension, parameter="dimension")
        rows = rows[rows["dimension"] == dimension]
    excluded = rows[rows["excluded"]]
    rows = rows[~rows["excluded"]]
    labels = rows["category"] if dimension is not None else rows["dimension"] + ": " + rows["category"]
    table = pd.DataFrame({"label": labels, "n": rows["n"], "rate": rows["rate"], "value": rows["impact_ratio"],
                          "flagged": rows["impact_ratio"] < threshold}).reset_index(drop=True)
    ax = _bars(table.assign(ci_low=np.nan, ci_high=np.nan), "label", ax)
    ax.vlines([threshold], -0.45, len(table) - 0.55, colors=REFERENCE, linestyles="dashed", linewidth=1.2,
              gid="four-fifths")
    ax.set_xlabel(f"impact ratio ({result.kind} rate / highest rate)")
    flagged = table[table["flagged"]]
    alt = (f"Bar chart of {result.kind} impact ratios for {len(table)} categories; the dashed line is at "
           f"{threshold:g}. " + ("No category is under it." if flagged.empty else "Under it: " + ", ".join(
               f"{lab} ({fmt(v)})" for lab, v in zip(flagged["label"], flagged["value"], strict=True)) + ".")
           + (f" Excluded as too small: {', '.join(excluded['category'].astype(str))}." if len(excluded) else ""))
    attach_text(ax, f"Impact ratios (NYC Local Law 144, {result.kind})", alt,
                table.rename(columns={"value": "impact_ratio"}))
    return ax


def _bars(table: pd.DataFrame, label: str, ax: Any) -> Axes:
    """Horizontal bars of ``table.value`` (first row at the top), whiskers from ci_low to ci_high where known."""
    ax = axes_for(ax, (7.0, 0.45 * len(table) + 1.4))
    y = np.arange(len(table))[::-1]
    flagged = table["flagged"].to_numpy(dtype=bool)
    bars = ax.barh(y, table["value"], height=0.7, color=[FLAGGED if f else DECREASE for f in flagged])
    for bar, f in zip(bars, flagged, strict=True):
        bar.set_hatch("//" if f else "")
    known = table[["ci_low", "ci_high"]].notna().all(axis=1).to_numpy()
    if known.any():
        ax.hlines(y[known], table["ci_low"][known], table["ci_high"][known], colors=WHISKER, linewidth=1.4, gid="ci")
    ax.set_yticks(y, table[label].astype(str))
    ax.axvline(0, color=NEUTRAL, linewidth=0.6)
    return ax


def _attribute(column: pd.Series, value: str | None, *, parameter: str = "attribute") -> str:
    options = list(dict.fromkeys(column.astype(str)))
    if value is None and len(options) == 1:
        return options[0]
    if value not in options:
        raise InvalidParameterError(parameter=parameter, expected=f"one of {options}", got=value)
    return str(value)
