"""Explanation quality: the deletion or insertion curve against random orderings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidParameterError
from explicable.reporting.plots._inputs import check_instance, pick_row
from explicable.reporting.plots._style import DECREASE, INCREASE, axes_for, fmt, z_value
from explicable.reporting.plots._text import attach_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from explicable.evaluation._result import CurveResult

__all__ = ["plot_curve"]


def plot_curve(result: CurveResult, *, row: int | None = None, confidence: float = 0.95, ax: Any = None) -> Axes:
    """The model's output as features are removed (deletion) or inserted (insertion), in the explanation's
    order and in random orders.

    A faithful explanation makes the deletion curve fall faster (insertion: rise faster) than the random one.
    Over several rows the mean curves are drawn with a ``+/- z * stderr`` band, the standard error of the
    mean over rows.

    Parameters
    ----------
    result : CurveResult
        From :func:`explicable.evaluation.deletion_curve` or :func:`~explicable.evaluation.insertion_curve`.
    row : int, optional
        One row's curves instead of the mean over rows.
    confidence : float, default 0.95
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: fraction, curve, curve_ci_low/high, random, random_ci_low/high.
    """
    from explicable.evaluation._result import CurveResult

    check_instance(result, "result", CurveResult)
    if result.curve.ndim != 2 or result.curve.shape[0] == 0:
        raise InvalidParameterError(parameter="result", expected="a CurveResult with curves", got=result.curve)
    z = z_value(confidence)
    kind = "deletion" if result.name.startswith("deletion") else "insertion"
    rows = slice(None) if row is None else slice(r := pick_row(row, result.curve.shape[0]), r + 1)
    table = pd.DataFrame({"fraction": result.fractions})
    ax = axes_for(ax, (6.0, 4.0))
    for label, curves, colour, style in (("curve", result.curve[rows], INCREASE, "-"),
                                         ("random", result.random_curve[rows], DECREASE, "--")):
        mean = curves.mean(axis=0)
        half = z * curves.std(axis=0, ddof=1) / np.sqrt(curves.shape[0]) if curves.shape[0] > 1 else None
        table[label] = mean
        table[f"{label}_ci_low"] = np.nan if half is None else mean - half
        table[f"{label}_ci_high"] = np.nan if half is None else mean + half
        if half is not None:
            ax.fill_between(result.fractions, mean - half, mean + half, color=colour, alpha=0.2, linewidth=0, gid="ci")
        name = "explanation's order" if label == "curve" else "random order"
        ax.plot(result.fractions, mean, color=colour, linestyle=style, marker="o", markersize=3, label=name,
                gid=label)
    ax.set_xlabel(f"share of features {'removed' if kind == 'deletion' else 'inserted'}")
    ax.set_ylabel("model output" + (" (mean over rows)" if row is None else ""))
    ax.legend(loc="best", fontsize=8)
    auc, random_auc = float(result.auc[rows].mean()), float(result.random_auc[rows].mean())
    better = auc < random_auc if kind == "deletion" else auc > random_auc
    verb = "removed" if kind == "deletion" else "added"
    alt = (f"{kind.capitalize()} curve: the model's output as features are {verb}"
           f" in the explanation's order, against random orders. Area under the curve {fmt(auc)} vs {fmt(random_auc)}"
           f" at random: the explanation's order is {'better' if better else 'not better'} than chance. The check "
           f"{'passed' if result.passed else 'failed'} ({result.summary()}).")
    attach_text(ax, f"{kind.capitalize()} check" + ("" if row is None else f", row {rows.start}"), alt, table)
    return ax
