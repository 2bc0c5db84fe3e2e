"""Rendering and the text alternative: byte-identical SVG/PNG, nothing external, no pyplot, the Axes API."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib
from matplotlib.figure import Figure

from explicable import Explanation, InvalidParameterError
from explicable.reporting.plots import (
    PlotText,
    plot_force,
    plot_image_overlay,
    plot_waterfall,
    text_alternative,
    to_png,
    to_svg,
)


def _exp() -> Explanation:
    values = np.array([[[0.4], [-0.3], [0.1]]])
    return Explanation(values, np.array([[0.5]]), ["income <&> debt", "age", "term"], ["bad"],
                       stderr=np.full(values.shape, 0.02))


def test_svg_is_byte_identical_and_self_contained() -> None:
    first, second = plot_waterfall(_exp()), plot_waterfall(_exp())
    to_png(first, dpi=70)  # a render at another resolution must not change what comes after
    svg = to_svg(first)
    assert svg == to_svg(second) == to_svg(first)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    without_namespaces = re.sub(r'xmlns(:\w+)?="[^"]*"', "", svg)
    assert "http" not in without_namespaces and "url(#" in svg  # only internal references
    title = text_alternative(first).title
    assert f"<title>{title}</title>" in svg
    assert "<desc>Waterfall chart" in svg and "income &lt;&amp;&gt; debt" in svg
    assert to_svg(first, standalone=True).startswith("<?xml")


def test_svg_embeds_images_inline() -> None:
    image, attribution = np.random.default_rng(0).random((2, 8, 8))
    svg = to_svg(plot_image_overlay(image, attribution))
    assert 'xlink:href="data:image/png;base64,' in svg
    assert to_svg(plot_image_overlay(image, attribution)) == svg


def test_rendering_restores_settings() -> None:
    before = matplotlib.rcParams["svg.hashsalt"]
    to_svg(plot_force(_exp()))
    assert matplotlib.rcParams["svg.hashsalt"] == before


def test_png_is_deterministic() -> None:
    a, b = to_png(plot_waterfall(_exp())), to_png(plot_waterfall(_exp()))
    assert a[:8] == b"\x89PNG\r\n\x1a\n" and a == b
    with pytest.raises(InvalidParameterError):
        to_png(plot_waterfall(_exp()), dpi=0)
    with pytest.raises(InvalidParameterError):
        to_svg("figure")


def test_draws_on_the_given_axes() -> None:
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert plot_waterfall(_exp(), ax=left) is left
    assert plot_force(_exp(), ax=right) is right
    assert len(left.patches) == 3 and len(right.patches) == 3
    svg = to_svg(figure)
    assert "Waterfall chart" in svg and "Force chart" in svg  # both plots' descriptions


def test_text_alternative_contract() -> None:
    ax = plot_waterfall(_exp())
    text = text_alternative(ax)
    assert isinstance(text, PlotText) and text.title == ax.get_title()
    assert list(text.table.columns) == ["feature", "data", "value", "stderr", "ci_low", "ci_high", "start", "end"]
    html = text.to_html()
    assert html.startswith("<table") and f"<caption>{text.title}</caption>" in html and "&lt;&amp;&gt;" in html
    assert text.to_dict()["table"][0]["feature"] == "income <&> debt"
    with pytest.raises(InvalidParameterError) as err:
        text_alternative(Figure().add_subplot())
    assert err.value.parameter == "ax"


def test_plotting_never_imports_pyplot() -> None:
    code = ("import sys, numpy as np\n"
            "import explicable\n"
            "assert 'matplotlib' not in sys.modules\n"
            "from explicable.reporting.plots import plot_waterfall, to_svg\n"
            "e = explicable.Explanation(np.ones((1, 2, 1)), np.zeros((1, 1)), ['a', 'b'], ['y'])\n"
            "to_svg(plot_waterfall(e))\n"
            "assert 'matplotlib.pyplot' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
