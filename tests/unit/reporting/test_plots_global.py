"""Plots of the model as a whole: importance with CI whiskers, dependence, PDP/ICE/ALE."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

pytest.importorskip("matplotlib")

from explicable import DependenceData, FeatureEffect, FeatureImportance
from explicable.reporting.plots import plot_dependence, plot_effect, plot_importance, text_alternative

Z95 = stats.norm.ppf(0.975)


def _ci(ax):
    return [c for c in ax.collections if c.get_gid() == "ci"]


def _importance() -> FeatureImportance:
    imp = np.array([[0.2], [1.5], [0.7], [0.0]])
    se = np.array([[0.05], [0.2], [0.1], [0.01]])
    low, high = imp - 2.5 * se, imp + 2.5 * se
    low[3, 0] = high[3, 0] = np.nan  # an undefined interval
    return FeatureImportance(imp, se, low, high, ["a", "b", "c", "d"], ["score"], confidence=0.9)


def test_importance_bars_sorted_with_ci_whiskers() -> None:
    imp = _importance()
    ax = plot_importance(imp)
    bars = sorted(ax.patches, key=lambda p: -p.get_y())  # top first
    assert [b.get_width() for b in bars] == [1.5, 0.7, 0.2, 0.0]
    top_down = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True), reverse=True)
    assert [label for _, label in top_down] == imp.ranking().tolist() == ["b", "c", "a", "d"]
    segments = np.asarray(_ci(ax)[0].get_segments())
    assert segments.shape[0] == 3  # "d" has no interval
    np.testing.assert_allclose(segments[:, :, 0], [[1.0, 2.0], [0.45, 0.95], [0.075, 0.325]])
    # each whisker sits on its bar
    centres = [b.get_y() + b.get_height() / 2 for b in bars[:3]]
    np.testing.assert_allclose(segments[:, 0, 1], centres)
    alt = text_alternative(ax).alt
    assert "most important is b" in alt and "1 features have no interval" in alt
    assert "lead over c is clear" in alt  # [1.0, 2.0] and [0.45, 0.95] do not overlap


def test_importance_max_display_and_overlap_wording() -> None:
    imp = FeatureImportance(np.array([[1.0], [0.9], [0.1]]), np.full((3, 1), 0.1), np.array([[0.8], [0.7], [0.0]]),
                            np.array([[1.2], [1.1], [0.2]]), ["a", "b", "c"], ["s"])
    ax = plot_importance(imp, max_display=2)
    assert len(ax.patches) == 2
    alt = text_alternative(ax).alt
    assert "not established" in alt and "1 less important features are not shown" in alt


def test_dependence_points_and_whiskers() -> None:
    x = np.array([3.0, 1.0, 2.0, 5.0])
    attr = np.array([[0.3], [-0.1], [0.2], [0.6]])
    se = np.array([[0.05], [0.1], [0.0], [0.2]])
    ax = plot_dependence(DependenceData("age", x, attr, ["y"], stderr=se))
    points = next(c for c in ax.collections if c.get_gid() == "points").get_offsets()
    np.testing.assert_allclose(points, np.column_stack([x, attr[:, 0]]))
    segments = np.asarray(_ci(ax)[0].get_segments())
    np.testing.assert_allclose(segments[:, 1, 1] - segments[:, 0, 1], 2 * Z95 * se[:, 0])
    assert "Higher values of age tend to give higher attributions" in text_alternative(ax).alt


def test_dependence_categorical_positions() -> None:
    x = np.array(["b", "a", "b", "c", "a"], dtype=object)
    attr = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    ax = plot_dependence(DependenceData("colour", x, attr, ["y"]))
    points = next(c for c in ax.collections if c.get_gid() == "points").get_offsets()
    expected = np.array([1, 0, 1, 2, 0])
    assert np.all(np.abs(points[:, 0] - expected) <= 0.3 + 1e-9)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert not _ci(ax)
    assert "a 3.5, b 2, c 4" in text_alternative(ax).alt


def test_effect_curve_band_and_ice() -> None:
    grid = np.linspace(0, 1, 5)
    rng = np.random.default_rng(0)
    ice = np.sin(grid)[None, :, None] + rng.normal(size=(80, 1, 1))
    average = ice.mean(axis=0)
    se = ice.std(axis=0, ddof=1) / np.sqrt(80)
    eff = FeatureEffect("ice", ["x"], [grid], average, ["y"], individual=ice, stderr=se)
    ax = plot_effect(eff, max_ice=10, confidence=0.9)
    main = next(line for line in ax.lines if line.get_gid() == "average")
    np.testing.assert_allclose(main.get_xdata(), grid)
    np.testing.assert_allclose(main.get_ydata(), average[:, 0])
    assert len([line for line in ax.lines if line.get_gid() == "ice"]) == 10
    band = _ci(ax)[0].get_paths()[0].vertices
    z = stats.norm.ppf(0.95)
    for xi, mean, s in zip(grid, average[:, 0], se[:, 0], strict=True):
        ys = band[np.isclose(band[:, 0], xi), 1]
        assert ys.max() == pytest.approx(mean + z * s) and ys.min() == pytest.approx(mean - z * s)
    table = text_alternative(ax).table
    np.testing.assert_allclose(table["ci_high"] - table["ci_low"], 2 * z * se[:, 0])


def test_effect_categorical_and_surface() -> None:
    cats = np.array(["x", "y", "z"], dtype=object)
    eff = FeatureEffect("pdp", ["c"], [cats], np.array([[0.1], [0.4], [0.2]]), ["o"], stderr=np.full((3, 1), 0.1))
    ax = plot_effect(eff)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"]
    whiskers = np.asarray(_ci(ax)[0].get_segments())
    np.testing.assert_allclose(whiskers[:, 1, 1] - whiskers[:, 0, 1], 2 * Z95 * 0.1)
    assert "highest 0.4 at y" in text_alternative(ax).alt

    g0, g1 = np.linspace(0, 1, 4), np.linspace(0, 2, 3)
    surface = g0[:, None] * g1[None, :]
    se = 0.01 + surface / 10
    eff2 = FeatureEffect("pdp", ["a", "b"], [g0, g1], surface[..., None], ["o"], stderr=se[..., None])
    ax2 = plot_effect(eff2)
    np.testing.assert_allclose(ax2.get_images()[0].get_array(), surface.T)
    assert _ci(ax2), "a 2-D effect with stderr draws contours of the interval"
    assert len(text_alternative(ax2).table) == 12
