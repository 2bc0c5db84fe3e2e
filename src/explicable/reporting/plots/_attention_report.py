"""The attention validation report drawn: every method's token scores side by side, and their deletion curves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from explicable.reporting.plots._inputs import check_instance
from explicable.reporting.plots._style import DIVERGING, NEUTRAL, axes_for, fmt
from explicable.reporting.plots._text import attach_text

__all__ = ["plot_attention_report"]

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from explicable.evaluation import AttentionReport


def plot_attention_report(report: AttentionReport, *, ax: Any = None) -> Axes:
    """Is attention faithful on this input? Token scores of every method, side by side, and their deletion curves.

    Left: one row per method, one column per token; each cell coloured by the method's score scaled to its
    largest magnitude (red: toward the explained output, blue: against it; attention is never negative), the
    value written in the cell. Special tokens are greyed. Right: each method's deletion curve (the target
    output as the non-special tokens are removed in the method's order), the mean random ordering dashed.

    Parameters
    ----------
    report : AttentionReport
        From :func:`explicable.explainers.attention.attention_report`.
    ax : matplotlib Axes, optional
        The area both panels fill (its own frame is hidden).

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: method, spearman (with the reference), deletion_margin, deletion_passed,
        verdict.
    """
    from explicable.evaluation import METHOD_LABELS, AttentionReport

    check_instance(report, "report", AttentionReport)
    methods, tokens = list(report.methods), list(report.tokens)
    ax = axes_for(ax, (max(6.0, 0.7 * len(tokens) + 5.5), 0.45 * len(methods) + 2.2))
    ax.set_axis_off()
    heat = ax.inset_axes((0.0, 0.12, 0.58, 0.8))
    scaled = np.stack([report.scores[m] / (float(np.abs(report.scores[m][list(report.content_positions)]).max())
                                           or 1.0) for m in methods])
    scaled[:, list(report.special_positions)] = np.nan
    heat.imshow(np.ma.masked_invalid(scaled), cmap=DIVERGING, vmin=-1, vmax=1, aspect="auto",
                interpolation="nearest", gid="scores")
    heat.set_facecolor(NEUTRAL)
    for i, m in enumerate(methods):
        for j in range(len(tokens)):
            if j not in report.special_positions:
                heat.text(j, i, f"{report.scores[m][j]:.2g}", ha="center", va="center", fontsize=6,
                          color="white" if abs(scaled[i, j]) > 0.6 else "black")
    heat.set_xticks(np.arange(len(tokens)), tokens, rotation=60, fontsize=7)
    heat.set_yticks(np.arange(len(methods)), [METHOD_LABELS[m] for m in methods], fontsize=7)
    curves = ax.inset_axes((0.7, 0.12, 0.3, 0.8))
    first = report.deletion[methods[0]]
    curves.plot(first.fractions, first.random_curve[0], color=NEUTRAL, linestyle="--", label="random order",
                gid="random")
    for m in methods:
        curves.plot(report.deletion[m].fractions, report.deletion[m].curve[0], marker="o", markersize=2,
                    label=METHOD_LABELS[m], gid=f"curve-{m}")
    curves.set_xlabel("share of tokens removed", fontsize=7)
    curves.set_ylabel(f"{report.target} ({report.output_space})", fontsize=7)
    curves.tick_params(labelsize=6)
    curves.legend(fontsize=6, loc="best")
    ref = report.reference
    table = pd.DataFrame({
        "method": methods,
        "spearman": [report.spearman[i, methods.index(ref)] if ref else np.nan for i in range(len(methods))],
        "deletion_margin": [report.deletion[m].value for m in methods],
        "deletion_passed": [report.deletion[m].passed for m in methods],
        "verdict": [report.verdicts.get(m, "reference" if m == ref else "") for m in methods],
    })
    judged = [m for m in methods if m in report.verdicts]
    alt = (f'Token scores of {len(methods)} methods on "{report.text}", toward {report.target}, and their deletion '
           "curves. " + " ".join(f"{METHOD_LABELS[m]}: {report.verdicts[m]} (deletion margin "
                                  f"{fmt(report.deletion[m].value)})." for m in judged))
    attach_text(ax, "Is attention faithful on this input?", alt, table)
    return ax
