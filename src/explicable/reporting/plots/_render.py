"""Render a plot's figure to SVG text or PNG bytes, byte-identical for the same plot.

Matplotlib stamps a date, its own name and URL, and random element ids into its output; these are fixed
or removed here so a report's content hash depends on what it shows only.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from explicable.core.errors import InvalidParameterError
from explicable.reporting.plots._text import _escape

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["to_png", "to_svg"]

_SALT = "explicable"


def to_svg(ax: Any, *, standalone: bool = False) -> str:
    """The figure of ``ax`` as SVG text, with its title and alt text as ``<title>``/``<desc>``.

    Parameters
    ----------
    ax : matplotlib Axes (or Figure)
    standalone : bool, default False
        Keep the XML declaration, DOCTYPE and metadata (for an ``.svg`` file). Without them the text can be
        inlined in an HTML page as it is; its only URLs are the SVG and XLink namespace names.

    Returns
    -------
    str
        The same plot gives the same text, byte for byte; it references nothing outside itself (glyphs
        are drawn as paths, images are embedded).
    """
    import matplotlib

    figure = _figure(ax)
    buffer = io.StringIO()
    # svg.hashsalt seeds the ids matplotlib gives clip paths and glyphs (random otherwise); the rc context
    # restores the previous settings on exit.
    with matplotlib.rc_context({"svg.hashsalt": _SALT, "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "explicable", "Format": None,
                                                       "Type": None})
    text = buffer.getvalue()
    start = text.index("<svg")
    if not standalone:
        # inline SVG needs neither the prolog nor the RDF block (whose namespaces are URLs, which would trip
        # a check for external references)
        text = re.sub(r"\s*<metadata>.*?</metadata>", "", text[start:], count=1, flags=re.DOTALL)
        start = 0
    end = text.index(">", start) + 1
    return text[:end] + _accessible_header(ax) + text[end:]


def to_png(ax: Any, *, dpi: int = 100) -> bytes:
    """The figure of ``ax`` as PNG bytes (no timestamp or software stamp), the same bytes for the same plot."""
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not 10 <= dpi <= 1200:
        raise InvalidParameterError(parameter="dpi", expected="an int in [10, 1200]", got=dpi)
    buffer = io.BytesIO()
    _figure(ax).savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _figure(ax: Any) -> Figure:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    figure = ax if isinstance(ax, Figure) else ax.get_figure(root=True) if isinstance(ax, Axes) else None
    if isinstance(figure, Figure):
        if getattr(figure, "_explicable_owned", False) and figure.get_layout_engine() is not None:
            # Constrained layout re-runs at every draw and lands on slightly different positions after a
            # draw at another dpi; laying out once and keeping the result makes every render identical.
            figure.draw_without_rendering()
            figure.set_layout_engine("none")
        return figure
    raise InvalidParameterError(parameter="ax", expected="a matplotlib Axes on a Figure, or a Figure", got=ax)


def _accessible_header(ax: Any) -> str:
    from explicable.reporting.plots._text import PlotText

    texts = [t for a in _axes(ax) if isinstance(t := getattr(a, "_explicable_text", None), PlotText)]
    if not texts:
        return ""
    title = "; ".join(t.title for t in texts)
    alt = " ".join(t.alt for t in texts)
    return f"<title>{_escape(title)}</title><desc>{_escape(alt)}</desc>"


def _axes(ax: Any) -> list[Axes]:
    from matplotlib.figure import Figure

    return list(ax.axes) if isinstance(ax, Figure) else [ax]
