"""Quality curves, deep-learning views (image, tokens, attention) and drift charts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

pytest.importorskip("matplotlib")

from explicable import InvalidDataError, InvalidParameterError
from explicable.evaluation import CurveResult
from explicable.reporting.plots import (
    plot_attention_heads,
    plot_curve,
    plot_drift,
    plot_image_overlay,
    plot_token_heat,
    text_alternative,
)

Z95 = stats.norm.ppf(0.975)


def _gid(ax, gid):
    return [c for c in [*ax.collections, *ax.lines] if c.get_gid() == gid]


def _curve_result() -> CurveResult:
    rng = np.random.default_rng(2)
    fractions = np.linspace(0, 1, 6)
    curve = 1 - fractions[None] ** 0.5 + rng.normal(scale=0.05, size=(8, 6))
    random = 1 - fractions[None] + rng.normal(scale=0.05, size=(8, 6))
    return CurveResult("deletion_curve", 0.3, 0.1, True, np.zeros(8), fractions=fractions, curve=curve,
                       random_curve=random, auc=np.trapezoid(curve, fractions, axis=1),
                       random_auc=np.trapezoid(random, fractions, axis=1))


def test_curve_means_and_bands() -> None:
    result = _curve_result()
    ax = plot_curve(result)
    line = _gid(ax, "curve")[0]
    np.testing.assert_allclose(line.get_ydata(), result.curve.mean(axis=0))
    np.testing.assert_allclose(_gid(ax, "random")[0].get_ydata(), result.random_curve.mean(axis=0))
    table = text_alternative(ax).table
    half = Z95 * result.curve.std(axis=0, ddof=1) / np.sqrt(8)
    np.testing.assert_allclose(table["curve_ci_high"] - table["curve"], half)
    assert len(_gid(ax, "ci")) == 2
    assert "better than chance" in text_alternative(ax).alt and "passed" in text_alternative(ax).alt


def test_curve_one_row_has_no_band() -> None:
    result = _curve_result()
    ax = plot_curve(result, row=3)
    np.testing.assert_allclose(_gid(ax, "curve")[0].get_ydata(), result.curve[3])
    assert not _gid(ax, "ci")
    with pytest.raises(InvalidParameterError):
        plot_curve(result, row=8)


def test_image_overlay_sums_channels_and_summarises_blocks() -> None:
    rng = np.random.default_rng(0)
    image = rng.random((16, 16, 3))
    attribution = np.zeros((16, 16, 3))
    attribution[12:, 12:, :] = 1.0  # bottom right
    ax = plot_image_overlay(image, attribution, stderr=np.full((16, 16), 0.5), blocks=4)
    overlay = ax.get_images()[1].get_array()
    np.testing.assert_allclose(overlay, attribution.sum(axis=2))
    table = text_alternative(ax).table
    assert len(table) == 16 and table["attribution"].sum() == pytest.approx(attribution.sum())
    assert "bottom right" in text_alternative(ax).alt
    assert _gid(ax, "ci"), "a contour encloses the pixels whose interval excludes zero"
    with pytest.raises(InvalidDataError):
        plot_image_overlay(image, np.zeros((8, 8)))


def test_token_heat_colours_and_underlines() -> None:
    tokens = ["the", "income", "is", "too", "low"]
    scores = np.array([0.0, -0.9, 0.05, 0.3, 1.2])
    stderr = np.array([0.1, 0.1, 0.1, 0.1, 0.1])
    ax = plot_token_heat(tokens, scores, stderr=stderr)
    texts = [t for t in ax.texts if t.get_text() in tokens]
    assert [t.get_text() for t in texts] == tokens
    colours = [t.get_bbox_patch().get_facecolor() for t in texts]
    from matplotlib import colormaps

    np.testing.assert_allclose(colours[4], colormaps["RdBu_r"](1.0))  # the largest score gets the end of the scale
    underlines = np.asarray(_gid(ax, "ci")[0].get_segments())
    assert len(underlines) == int((np.abs(scores) <= Z95 * stderr).sum()) == 2
    assert text_alternative(ax).table["token"].tolist() == tokens
    with pytest.raises(InvalidDataError):
        plot_token_heat(tokens, scores[:3])


def test_attention_heads_grid() -> None:
    rng = np.random.default_rng(1)
    att = rng.random((2, 3, 4, 4))
    ax = plot_attention_heads(att, ["a", "b", "c", "d"], layer=1)
    assert len(ax.child_axes) == 3
    for h, inner in enumerate(ax.child_axes):
        np.testing.assert_allclose(inner.get_images()[0].get_array(), att[1, h])
    table = text_alternative(ax).table
    np.testing.assert_allclose(table["weight"], att[1].reshape(3, -1).max(axis=1))
    with pytest.raises(InvalidParameterError):
        plot_attention_heads(att, ["a", "b", "c", "d"])
    with pytest.raises(InvalidDataError):
        plot_attention_heads(att[0], ["a", "b"])


def test_drift_threshold_alerts_and_band() -> None:
    frame = pd.DataFrame({"age": [0.0, 0.1, 0.3, 0.4], "income": [0.05, 0.05, 0.05, 0.25]},
                         index=pd.date_range("2024-01-01", periods=4, freq="D"))
    ax = plot_drift(frame, threshold=0.2, lower=frame.to_numpy() - 0.05, upper=frame.to_numpy() + 0.05)
    series = _gid(ax, "series")
    assert [line.get_label() for line in series] == ["age", "income"]
    np.testing.assert_allclose(series[0].get_ydata(), frame["age"])
    assert _gid(ax, "threshold")[0].get_ydata()[0] == 0.2
    alerts = sum(len(c.get_offsets()) for c in _gid(ax, "alert"))
    assert alerts == int((frame.to_numpy() > 0.2).sum()) == 3
    assert len(_gid(ax, "ci")) == 2
    assert "age from 2024-01-03, income from 2024-01-04" in text_alternative(ax).alt
    with pytest.raises(InvalidParameterError):
        plot_drift(frame, lower=frame.to_numpy())


def test_drift_plain_array() -> None:
    ax = plot_drift(np.array([0.1, 0.2, 0.15]), names=["psi"])
    table = text_alternative(ax).table
    assert table["series"].tolist() == ["psi"] * 3 and table["alert"].tolist() == [False] * 3
