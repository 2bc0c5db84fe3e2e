"""The report's figures: each section's (kind, data, options) drawn by the plots module and inlined as SVG."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["figures_html"]


def figures_html(figures: list[tuple[str, Any, dict[str, Any]]]) -> list[dict[str, str]]:
    """``[{"svg": ..., "alt": ...}]`` for a section's figures (none when matplotlib is not installed)."""
    try:
        import matplotlib  # noqa: F401

        from explicable.reporting import plots
    except ImportError:
        return []
    draw: dict[str, Callable[..., Any]] = {
        "importance": plots.plot_importance, "waterfall": plots.plot_waterfall, "curve": plots.plot_curve,
        "four_fifths": plots.plot_four_fifths, "image_overlay": plots.plot_image_overlay,
        "token_heat": plots.plot_token_heat, "attention_heads": plots.plot_attention_heads,
        "attention_report": plots.plot_attention_report}
    out = []
    for kind, data, options in figures:
        options = dict(options)
        title = options.pop("title", None)
        ax = draw[kind](data, **options)
        if title is not None:
            ax.set_title(title)
        text = plots.text_alternative(ax)
        out.append({"svg": plots.to_svg(ax), "alt": f"{text.title}. {text.alt}"})
    return out
