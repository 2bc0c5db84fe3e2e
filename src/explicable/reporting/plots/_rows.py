"""Many rows' attributions at once: a beeswarm (one dot per row and feature) and a heatmap over rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from explicable.core.explanation import Explanation
from explicable.reporting.plots._inputs import check_count, check_instance, pick_output
from explicable.reporting.plots._style import (
    DIVERGING,
    NEUTRAL,
    REFERENCE,
    SEQUENTIAL,
    WHISKER,
    axes_for,
    colorbar,
    z_value,
)
from explicable.reporting.plots._text import attach_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_beeswarm", "plot_heatmap", "swarm_offsets"]


def plot_beeswarm(explanation: Explanation, *, output: int | str | None = None, max_display: int = 10,
                  confidence: float = 0.95, ax: Any = None) -> Axes:
    """Every row's attribution for each of the most important features, coloured by the feature's value.

    Features are ordered by mean absolute attribution, the largest at the top (the rest are left out, and
    the alt text says how many). Dots of equal attribution are spread vertically so they do not hide each
    other (deterministically). With a standard error, each dot carries a horizontal whisker of
    ``+/- z * stderr``.

    Parameters
    ----------
    explanation : Explanation
    output : int or str, optional
        Needed when the explanation has several outputs.
    max_display : int, default 10
    confidence : float, default 0.95
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: row, feature, data, value, stderr for the features shown.
    """
    check_instance(explanation, "explanation", Explanation)
    k = pick_output(output, explanation.output_names)
    z = z_value(confidence)
    values = explanation.values[:, :, k]
    # A beeswarm has no meaningful "sum of the others" row: the rest are left out, and the alt text says so.
    shown = np.argsort(-np.abs(values).mean(axis=0), kind="stable")[:check_count(max_display, "max_display")]
    n_rest = values.shape[1] - shown.size
    ax = axes_for(ax, (7.0, 0.5 * shown.size + 1.6))
    xs, ys, colours, records = [], [], [], []
    for pos, j in enumerate(shown):
        xs.append(values[:, j])
        ys.append(shown.size - 1 - pos + swarm_offsets(values[:, j]))
        colours.append(_colour_scale(explanation.data[:, j] if explanation.data is not None else None,
                                     values.shape[0]))
        se = np.full(values.shape[0], np.nan) if explanation.stderr is None else explanation.stderr[:, j, k]
        records.append(pd.DataFrame({"row": np.arange(values.shape[0]), "feature": explanation.feature_names[j],
                                     "data": _data_column(explanation, j), "value": values[:, j], "stderr": se}))
    x, y, c = np.concatenate(xs), np.concatenate(ys), np.concatenate(colours)
    table = pd.concat(records, ignore_index=True)
    _whiskers(ax, x, y, z * table["stderr"].to_numpy())
    known = ~np.isnan(c)
    ax.scatter(x[~known], y[~known], s=12, color=NEUTRAL, gid="points-no-data", zorder=3)
    dots = ax.scatter(x[known], y[known], s=12, c=c[known], cmap=SEQUENTIAL, vmin=0, vmax=1, gid="points", zorder=3)
    if known.any():
        bar = colorbar(ax, dots, ticks=[0, 1], pad=0.01)
        bar.ax.set_yticklabels(["low", "high"])
        bar.set_label("feature value (rank)")
    ax.axvline(0, color=REFERENCE, linewidth=0.8)
    ax.set_yticks(np.arange(shown.size)[::-1], [explanation.feature_names[j] for j in shown])
    ax.set_xlabel(f"attribution to output '{explanation.output_names[k]}'")
    order = ", ".join(f"{explanation.feature_names[j]} ({np.abs(values[:, j]).mean():.3g})" for j in shown[:5])
    alt = (f"Beeswarm chart of {values.shape[0]} rows: each dot is one row's attribution for one feature. "
           f"Features by mean absolute attribution: {order}."
           + (f" {n_rest} less important features are not shown." if n_rest else ""))
    attach_text(ax, "How each feature moves the output, row by row", alt, table)
    return ax


def plot_heatmap(explanation: Explanation, *, output: int | str | None = None, max_display: int = 10,
                 sort_rows: bool = False, confidence: float = 0.95, ax: Any = None) -> Axes:
    """Attributions of many rows as a grid: features down (most important first), rows across.

    Colours are centred on zero (red raises the output, blue lowers it) on a symmetric scale. With a
    standard error, a dot marks each cell whose ``confidence`` interval contains zero: that attribution's
    sign is not established.

    Parameters
    ----------
    explanation, output, max_display, confidence, ax
        As for :func:`plot_beeswarm`.
    sort_rows : bool, default False
        Order the rows by the output they add up to (``output_totals``), lowest first.

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: row, feature, value, stderr, one record per cell.
    """
    check_instance(explanation, "explanation", Explanation)
    k = pick_output(output, explanation.output_names)
    z = z_value(confidence)
    values = explanation.values[:, :, k]
    shown = np.argsort(-np.abs(values).mean(axis=0), kind="stable")[:check_count(max_display, "max_display")]
    rows = np.argsort(explanation.output_totals[:, k], kind="stable") if sort_rows else np.arange(values.shape[0])
    grid = values[np.ix_(rows, shown)].T
    limit = float(np.abs(grid).max()) or 1.0
    ax = axes_for(ax, (8.0, 0.4 * shown.size + 1.8))
    image = ax.imshow(grid, aspect="auto", cmap=DIVERGING, vmin=-limit, vmax=limit, interpolation="nearest")
    colorbar(ax, image, pad=0.01, label="attribution")
    se = None if explanation.stderr is None else explanation.stderr[:, :, k][np.ix_(rows, shown)].T
    if se is not None:
        fi, ri = np.nonzero(np.abs(grid) <= z * se)
        ax.scatter(ri, fi, s=4, color=WHISKER, marker="o", gid="ci")
    ax.set_yticks(np.arange(shown.size), [explanation.feature_names[j] for j in shown])
    ax.set_xlabel("rows" + (" (sorted by output)" if sort_rows else ""))
    fi_all, ri_all = np.meshgrid(np.arange(shown.size), np.arange(rows.size), indexing="ij")
    table = pd.DataFrame({"row": rows[ri_all.reshape(-1)],
                          "feature": np.asarray(explanation.feature_names, dtype=object)[shown][fi_all.reshape(-1)],
                          "value": grid.reshape(-1), "stderr": np.nan if se is None else se.reshape(-1)})
    alt = (f"Heatmap of the attributions of {rows.size} rows to output '{explanation.output_names[k]}' for the "
           f"{shown.size} most important features, red raising and blue lowering the output."
           + (f" Dots mark attributions whose {confidence:.0%} interval contains zero." if se is not None else ""))
    attach_text(ax, "Attributions across rows", alt, table)
    return ax


def swarm_offsets(x: np.ndarray, *, n_bins: int = 50, width: float = 0.4) -> np.ndarray:
    """Vertical offsets that spread points of similar ``x`` apart, deterministically.

    Points are binned on ``x``; within a bin they take offsets 0, +d, -d, +2d, -2d, ... in order of ``x``,
    with ``d`` chosen so the most crowded bin spans ``[-width, width]``.

    >>> swarm_offsets(np.array([0.0, 0.0, 0.0, 5.0])).tolist()
    [0.0, 0.4, -0.4, 0.0]
    """
    span = float(x.max() - x.min())
    bins = np.zeros(x.size, dtype=int) if span == 0 else np.minimum((x - x.min()) / span * n_bins, n_bins - 1)
    bins = bins.astype(int)
    order = np.lexsort((x, bins))
    layer = np.empty(x.size)
    counts: dict[int, int] = {}
    for i in order:
        c = counts.get(int(bins[i]), 0)
        counts[int(bins[i])] = c + 1
        layer[i] = (c + 1) // 2 * (1 if c % 2 else -1)
    top = np.abs(layer).max()
    return layer * (width / top) if top > 0 else layer


def _colour_scale(column: np.ndarray | None, n: int) -> np.ndarray:
    """The rank of each value in [0, 1] (so outliers do not wash out the colours); NaN when not numeric."""
    if column is None:
        return np.full(n, np.nan)
    try:
        numbers = np.asarray(column, dtype="float64")
    except (TypeError, ValueError):
        return np.full(n, np.nan)
    ranks = pd.Series(numbers).rank(method="average").to_numpy()
    finite = ~np.isnan(numbers)
    span = np.nanmax(ranks) - np.nanmin(ranks) if finite.any() else 0.0
    return np.where(finite, (ranks - np.nanmin(ranks)) / span if span > 0 else 0.5, np.nan)


def _data_column(explanation: Explanation, j: int) -> Any:
    return "" if explanation.data is None else explanation.data[:, j]


def _whiskers(ax: Axes, x: np.ndarray, y: np.ndarray, half: np.ndarray) -> None:
    finite = np.isfinite(half)
    if finite.any():
        ax.hlines(y[finite], x[finite] - half[finite], x[finite] + half[finite], colors=WHISKER, alpha=0.35,
                  linewidth=0.8, gid="ci")
