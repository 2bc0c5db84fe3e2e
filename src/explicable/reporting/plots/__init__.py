"""Static plots (matplotlib) of explicable's results, each with a text alternative.

Every function takes a result (or plain arrays) and an optional Axes, draws on it (or on a new pyplot-free
Figure), draws the uncertainty wherever the result has one, attaches a :class:`PlotText` (title, alt text,
the numbers as a table; see :func:`text_alternative`) and returns the Axes. :func:`to_svg` and
:func:`to_png` render the figure, byte-identical for the same plot.

matplotlib is needed here only: ``import explicable`` does not import this package.
"""

from explicable.reporting.plots._attention_report import plot_attention_report
from explicable.reporting.plots._attribution import plot_force, plot_waterfall
from explicable.reporting.plots._deep import plot_attention_heads, plot_image_overlay, plot_token_heat
from explicable.reporting.plots._drift import plot_drift
from explicable.reporting.plots._effects import plot_effect
from explicable.reporting.plots._fairness import plot_four_fifths, plot_group_metric, plot_ll144
from explicable.reporting.plots._global import plot_dependence, plot_importance
from explicable.reporting.plots._quality import plot_curve
from explicable.reporting.plots._render import to_png, to_svg
from explicable.reporting.plots._rows import plot_beeswarm, plot_heatmap
from explicable.reporting.plots._text import PlotText, text_alternative

__all__ = [
    "PlotText",
    "plot_attention_heads",
    "plot_attention_report",
    "plot_beeswarm",
    "plot_curve",
    "plot_dependence",
    "plot_drift",
    "plot_effect",
    "plot_force",
    "plot_four_fifths",
    "plot_group_metric",
    "plot_heatmap",
    "plot_image_overlay",
    "plot_importance",
    "plot_ll144",
    "plot_token_heat",
    "plot_waterfall",
    "text_alternative",
    "to_png",
    "to_svg",
]
