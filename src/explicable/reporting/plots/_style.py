"""Shared look of the plots: a colour-blind-safe palette, the axes to draw on, the width of an interval.

Nothing here touches matplotlib's global state: a new Figure is made without pyplot, so plotting works
headless and two plots never share a current figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scipy import stats

from explicable.core.errors import InvalidParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.cm import ScalarMappable
    from matplotlib.colorbar import Colorbar

__all__ = ["INCREASE", "DECREASE", "NEUTRAL", "WHISKER", "REFERENCE", "DIVERGING", "SEQUENTIAL",
           "axes_for", "colorbar", "z_value", "fmt"]

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies and in greyscale.
INCREASE = "#D55E00"   # pushes the output up
DECREASE = "#0072B2"   # pushes the output down
NEUTRAL = "#999999"
WHISKER = "#222222"
REFERENCE = "#000000"
DIVERGING = "RdBu_r"
SEQUENTIAL = "viridis"


def axes_for(ax: Any, size: tuple[float, float]) -> Axes:
    """``ax`` if given (checked), else the Axes of a new pyplot-free Figure of ``size`` inches."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if ax is None:
        figure = Figure(figsize=size, layout="constrained")
        figure._explicable_owned = True  # type: ignore[attr-defined]  # lets the renderer freeze its layout
        return figure.add_subplot()
    if not isinstance(ax, Axes):
        raise InvalidParameterError(parameter="ax", expected="a matplotlib Axes or None", got=ax)
    return ax


def colorbar(ax: Axes, mappable: ScalarMappable, **kwargs: Any) -> Colorbar:
    """A colour bar beside ``ax``, on ``ax``'s own figure."""
    return ax.get_figure(root=True).colorbar(mappable, ax=ax, **kwargs)  # type: ignore[union-attr]


def z_value(confidence: Any) -> float:
    """The two-sided normal quantile for ``confidence`` (1.96 for 0.95), checked."""
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise InvalidParameterError(parameter="confidence", expected="a float in (0, 1)", got=confidence)
    return float(stats.norm.ppf(0.5 + confidence / 2))


def fmt(value: Any) -> str:
    """A number in 4 significant digits, or the value as text."""
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return str(value)
