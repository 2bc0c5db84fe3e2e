"""The text alternative of a plot: a title, a sentence or two of alt text, and the plotted numbers as a table.

Every plot function attaches one to the Axes it draws; reports and dashboards embed it next to the figure
so a screen reader (or a reviewer who wants the numbers) gets the same information as the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from explicable.core.errors import InvalidParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PlotText", "attach_text", "text_alternative"]

_ATTRIBUTE = "_explicable_text"


@dataclass(frozen=True, eq=False)
class PlotText:
    """What a plot shows, in words and numbers.

    Attributes
    ----------
    title : str
        The plot's title (also drawn on the Axes).
    alt : str
        Alt text: what the plot shows and its main finding, in plain sentences.
    table : pandas.DataFrame
        The plotted numbers, one row per drawn element (bar, point, curve point), with their uncertainty.

    Examples
    --------
    >>> import pandas as pd
    >>> t = PlotText("Importance", "Feature a matters most.", pd.DataFrame({"feature": ["a"], "importance": [1.0]}))
    >>> t.to_dict()["table"]
    [{'feature': 'a', 'importance': 1.0}]
    """

    title: str
    alt: str
    table: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """Title, alt text and the table as a list of records (JSON-ready apart from the cells' types)."""
        return {"title": self.title, "alt": self.alt, "table": self.table.to_dict(orient="records")}

    def to_html(self) -> str:
        """The table as an HTML ``<table>`` with the title as its caption (escaped, no styling, no links)."""
        html = self.table.to_html(index=False, border=0, float_format=lambda v: f"{v:.4g}", escape=True)
        caption = _escape(self.title)
        return html.replace(">", f"><caption>{caption}</caption>", 1) if html.startswith("<table") else html


def attach_text(ax: Axes, title: str, alt: str, table: pd.DataFrame) -> PlotText:
    """Set the title on ``ax`` and store the text alternative on it."""
    ax.set_title(title)
    text = PlotText(title, alt, table.reset_index(drop=True))
    setattr(ax, _ATTRIBUTE, text)
    return text


def text_alternative(ax: Axes) -> PlotText:
    """The text alternative a plot function attached to ``ax``.

    Raises
    ------
    InvalidParameterError
        When ``ax`` was not drawn by one of explicable's plot functions.
    """
    text = getattr(ax, _ATTRIBUTE, None)
    if not isinstance(text, PlotText):
        raise InvalidParameterError(parameter="ax", expected="an Axes drawn by an explicable plot function", got=ax)
    return text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
