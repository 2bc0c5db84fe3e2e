"""Feature effects: partial dependence, ICE and ALE curves (one feature) and surfaces (two features)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from explicable.core.effects import FeatureEffect
from explicable.reporting.plots._inputs import cell_text, check_count, check_instance, pick_output
from explicable.reporting.plots._style import DIVERGING, INCREASE, NEUTRAL, WHISKER, axes_for, colorbar, fmt, z_value
from explicable.reporting.plots._text import attach_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_effect"]

_NAMES = {"pdp": "Partial dependence", "ice": "Individual conditional expectation", "ale": "Accumulated local effect"}


def plot_effect(effect: FeatureEffect, *, output: int | str | None = None, confidence: float = 0.95,
                max_ice: int = 50, ax: Any = None) -> Axes:
    """A PDP, ICE or ALE curve for one feature, or a surface for two.

    One feature: the average effect as a line with a ``+/- z * stderr`` band where the standard error was
    estimated, the ICE curves (at most ``max_ice`` of them, evenly chosen) as thin lines behind it. A
    categorical feature is drawn as points with whiskers, one per category. Two features: the surface as a
    colour grid, with dashed contours of the interval's half-width where the standard error is known.

    Parameters
    ----------
    effect : FeatureEffect
    output : int or str, optional
        Needed when the effect has several outputs.
    confidence : float, default 0.95
    max_ice : int, default 50
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Its text alternative's table: the grid value(s), value, stderr, ci_low, ci_high.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable.reporting.plots import text_alternative
    >>> eff = FeatureEffect("pdp", ["a"], [np.array([0.0, 1.0])], np.array([[1.0], [3.0]]), ["y"],
    ...                     stderr=np.array([[0.1], [0.1]]))
    >>> text_alternative(plot_effect(eff)).table["ci_high"].round(3).tolist()
    [1.196, 3.196]
    """
    check_instance(effect, "effect", FeatureEffect)
    k = pick_output(output, effect.output_names)
    z = z_value(confidence)
    check_count(max_ice, "max_ice", low=0)
    frame = effect.to_frame()
    table = frame[frame["output"] == effect.output_names[k]].drop(columns="output")
    table = table.assign(ci_low=table["value"] - z * table["stderr"], ci_high=table["value"] + z * table["stderr"])
    ax = axes_for(ax, (6.0, 4.2))
    name = _NAMES[effect.kind]
    if effect.ndim == 1:
        _curve(ax, effect, k, z, max_ice)
        alt = _curve_alt(effect, k, name, confidence)
    else:
        _surface(ax, effect, k, z)
        avg = effect.average[..., k]
        alt = (f"{name} of {effect.output_names[k]} on {effect.features[0]} and {effect.features[1]}, as a colour "
               f"grid from {fmt(avg.min())} to {fmt(avg.max())}."
               + (f" Dashed contours give the {confidence:.0%} interval's half-width." if effect.stderr is not None
                  else ""))
    attach_text(ax, f"{name}: {' and '.join(effect.features)}", alt, table)
    return ax


def _curve(ax: Axes, effect: FeatureEffect, k: int, z: float, max_ice: int) -> None:
    grid = effect.grid[0]
    numeric = grid.dtype != object
    x = grid if numeric else np.arange(grid.size, dtype=float)
    average = effect.average[:, k]
    if effect.individual is not None and max_ice > 0:
        n = effect.individual.shape[0]
        picks = np.unique(np.linspace(0, n - 1, min(n, max_ice)).round().astype(int))
        ax.plot(x, effect.individual[picks, :, k].T, color=NEUTRAL, alpha=0.35, linewidth=0.7, gid="ice")
    if effect.stderr is not None:
        half = z * effect.stderr[:, k]
        if numeric:
            ax.fill_between(x, average - half, average + half, color=INCREASE, alpha=0.2, linewidth=0, gid="ci")
        else:
            ax.vlines(x, average - half, average + half, colors=WHISKER, linewidth=1.4, gid="ci")
    ax.plot(x, average, color=INCREASE, linewidth=2, marker=None if numeric else "o",
            linestyle="-" if numeric else "none", gid="average")
    if not numeric:
        ax.set_xticks(x, [str(v) for v in grid])
    ax.set_xlabel(effect.features[0])
    ax.set_ylabel(("centred " if effect.centered or effect.kind == "ale" else "") + f"{effect.output_names[k]}")


def _surface(ax: Axes, effect: FeatureEffect, k: int, z: float) -> None:
    g0, g1 = effect.grid
    average = effect.average[:, :, k]
    limit = float(np.abs(average).max()) or 1.0
    cmap, low = (DIVERGING, -limit) if effect.kind == "ale" or effect.centered else ("viridis", float(average.min()))
    image = ax.imshow(average.T, origin="lower", aspect="auto", cmap=cmap, vmin=low,
                      vmax=limit if low < 0 else float(average.max()), interpolation="nearest")
    colorbar(ax, image, label=effect.output_names[k])
    if effect.stderr is not None:
        half = z * effect.stderr[:, :, k]
        if np.ptp(half) > 0:
            contours = ax.contour(np.arange(g0.size), np.arange(g1.size), half.T, levels=4, colors=WHISKER,
                                  linestyles="dashed", linewidths=0.8)
            contours.set_gid("ci")
            ax.clabel(contours, fmt=lambda v: f"±{v:.2g}", fontsize=7)
    for axis, grid in ((ax.xaxis, g0), (ax.yaxis, g1)):
        ticks = np.unique(np.linspace(0, grid.size - 1, min(grid.size, 5)).round().astype(int))
        axis.set_ticks(ticks, [f"{grid[t]:.3g}" if grid.dtype != object else str(grid[t]) for t in ticks])
    ax.set_xlabel(effect.features[0])
    ax.set_ylabel(effect.features[1])


def _curve_alt(effect: FeatureEffect, k: int, name: str, confidence: float) -> str:
    grid, average = effect.grid[0], effect.average[:, k]
    lo, hi = int(np.argmin(average)), int(np.argmax(average))
    text = (f"{name} of {effect.output_names[k]} on {effect.features[0]}: from {fmt(average[0])} at "
            f"{cell_text(grid[0])} to {fmt(average[-1])} at {cell_text(grid[-1])}; lowest {fmt(average[lo])} at "
            f"{cell_text(grid[lo])}, highest {fmt(average[hi])} at {cell_text(grid[hi])}.")
    if effect.stderr is not None:
        text += f" The band shows the {confidence:.0%} interval."
    if effect.individual is not None:
        text += f" Thin lines are individual rows ({effect.individual.shape[0]} in all)."
    return text
