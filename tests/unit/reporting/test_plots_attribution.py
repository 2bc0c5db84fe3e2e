"""Plots of attributions: waterfall, force-style bar, beeswarm, heatmap. Checked against the numbers they draw."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

pytest.importorskip("matplotlib")

from explicable import Explanation, InvalidParameterError
from explicable.reporting.plots import (
    plot_beeswarm,
    plot_force,
    plot_heatmap,
    plot_waterfall,
    text_alternative,
)
from explicable.reporting.plots._rows import swarm_offsets

Z95 = stats.norm.ppf(0.975)


def _ci_segments(ax):
    found = [c for c in ax.collections if c.get_gid() == "ci"]
    return np.concatenate([np.asarray(c.get_segments()) for c in found]) if found else np.zeros((0, 2, 2))


def _bars(ax):
    return [(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in ax.patches]


@pytest.fixture
def exp() -> Explanation:
    values = np.array([[[0.5, -0.5], [-2.0, 2.0], [0.1, -0.1], [1.0, -1.0], [-0.05, 0.05], [0.02, -0.02]],
                       [[1.0, 0.0], [0.0, 1.0], [0.3, 0.2], [0.2, 0.3], [0.1, 0.1], [0.0, 0.0]]])
    stderr = np.abs(values) * 0.1 + 0.01
    data = np.array([[1.5, 2.0, 3.0, 4.0, 5.0, 6.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]])
    return Explanation(values, np.array([[0.2, 0.8], [0.2, 0.8]]), ["a", "b", "c", "d", "e", "f"], ["bad", "good"],
                       data=data, stderr=stderr)


def test_waterfall_walks_from_base_to_output(exp: Explanation) -> None:
    ax = plot_waterfall(exp, 0, output="bad", max_display=3)
    bars = _bars(ax)
    assert len(bars) == 4  # three features and "3 other features"
    # bottom to top: other (0.1 - 0.05 + 0.02), a (0.5), d (1.0), b (-2.0), starting at the base value 0.2
    steps = [0.07, 0.5, 1.0, -2.0]
    ends = 0.2 + np.cumsum(steps)
    starts = ends - steps
    for (x, _, w, _), s, e in zip(bars, starts, ends, strict=True):
        assert x == pytest.approx(min(s, e)) and w == pytest.approx(abs(e - s))
    assert ends[-1] == pytest.approx(exp.output_totals[0, 0])
    bottom_up = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True))
    assert [label for _, label in bottom_up] == ["3 other features", "a = 1.5", "d = 4", "b = 2"]
    table = text_alternative(ax).table
    assert table["feature"].tolist() == ["b", "d", "a", "3 other features"]
    assert table["end"].iloc[0] == pytest.approx(exp.output_totals[0, 0])


def test_waterfall_whiskers_are_the_interval_at_each_bar_end(exp: Explanation) -> None:
    ax = plot_waterfall(exp, 0, output=0, max_display=3)
    segments = _ci_segments(ax)
    assert segments.shape[0] == 4
    se = exp.stderr[0, :, 0]
    expected_half = Z95 * np.array([se[[2, 4, 5]].sum(), se[0], se[3], se[1]])  # other (upper bound: sum), a, d, b
    lengths = segments[:, 1, 0] - segments[:, 0, 0]
    np.testing.assert_allclose(lengths, 2 * expected_half)
    ends = 0.2 + np.cumsum([0.07, 0.5, 1.0, -2.0])
    np.testing.assert_allclose(segments.mean(axis=1)[:, 0], ends)


def test_waterfall_without_stderr_draws_no_whiskers(exp: Explanation) -> None:
    plain = Explanation(exp.values, exp.base_values, exp.feature_names, exp.output_names)
    ax = plot_waterfall(plain, 1, output="good")
    assert _ci_segments(ax).shape[0] == 0
    assert len(_bars(ax)) == 6  # all shown: max_display 10
    assert "Whiskers" not in text_alternative(ax).alt


def test_several_outputs_need_a_choice(exp: Explanation) -> None:
    with pytest.raises(InvalidParameterError) as err:
        plot_waterfall(exp)
    assert err.value.parameter == "output"
    with pytest.raises(InvalidParameterError):
        plot_force(exp, output="nope")
    with pytest.raises(InvalidParameterError):
        plot_waterfall(exp, 5, output=0)
    with pytest.raises(InvalidParameterError):
        plot_waterfall(exp, output=0, confidence=1.5)
    with pytest.raises(InvalidParameterError):
        plot_waterfall(exp, output=0, ax="not an axes")


def test_force_segments_meet_at_the_output(exp: Explanation) -> None:
    ax = plot_force(exp, 0, output="good", max_display=10)
    values = exp.values[0, :, 1]
    total = exp.output_totals[0, 1]
    bars = _bars(ax)
    assert len(bars) == 6
    widths = sorted(w for _, _, w, _ in bars)
    np.testing.assert_allclose(widths, np.sort(np.abs(values)))
    table = text_alternative(ax).table
    pos, neg = table[table["value"] >= 0], table[table["value"] < 0]
    # the positive ones tile [total - sum(pos), total], the largest touching the output
    assert pos["right"].max() == pytest.approx(total) and pos["left"].min() == pytest.approx(total - pos["value"].sum())
    assert pos.iloc[0]["right"] == pytest.approx(total)
    assert neg["left"].min() == pytest.approx(total) and neg["right"].max() == pytest.approx(total - neg["value"].sum())
    lines = sorted(line.get_xdata()[0] for line in ax.lines)
    np.testing.assert_allclose(lines, sorted([exp.base_values[0, 1], total]))
    lengths = np.diff(_ci_segments(ax)[:, :, 0], axis=1).ravel()
    np.testing.assert_allclose(np.sort(lengths), np.sort(2 * Z95 * exp.stderr[0, :, 1]))


def test_beeswarm_draws_every_row_of_the_top_features(exp: Explanation) -> None:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(30, 4, 1)) * np.array([1.0, 3.0, 0.1, 2.0])[None, :, None]
    e = Explanation(values, np.zeros((30, 1)), ["w", "x", "y", "z"], ["out"], data=rng.normal(size=(30, 4)),
                    stderr=np.full(values.shape, 0.05))
    ax = plot_beeswarm(e, max_display=3)
    top_down = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels()), strict=True), reverse=True)
    assert [label for _, label in top_down] == ["x", "z", "w"]
    points = np.concatenate([c.get_offsets() for c in ax.collections if c.get_gid() in ("points", "points-no-data")])
    assert points.shape == (90, 2)
    for row, j in ((2, 1), (1, 3), (0, 0)):  # y position of each feature's row, from the bottom
        mine = np.abs(points[:, 1] - row) <= 0.4 + 1e-9
        np.testing.assert_allclose(np.sort(points[mine, 0]), np.sort(values[:, j, 0]))
    lengths = np.diff(_ci_segments(ax)[:, :, 0], axis=1).ravel()
    assert lengths.size == 90 and np.allclose(lengths, 2 * Z95 * 0.05)
    assert "1 less important features are not shown" in text_alternative(ax).alt


def test_swarm_offsets_separate_equal_values() -> None:
    x = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 9.0])
    offsets = swarm_offsets(x)
    assert len(set(offsets[:5].round(9))) == 5
    assert np.abs(offsets).max() == pytest.approx(0.4)
    assert offsets[5] == 0.0


def test_heatmap_shows_values_and_marks_unsettled_signs(exp: Explanation) -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=(12, 3, 1))
    stderr = np.full(values.shape, 0.5)
    e = Explanation(values, np.zeros((12, 1)), ["p", "q", "r"], ["y"], stderr=stderr)
    ax = plot_heatmap(e, sort_rows=True)
    image = ax.get_images()[0].get_array()
    order = np.argsort(-np.abs(values[:, :, 0]).mean(axis=0), kind="stable")
    rows = np.argsort(e.output_totals[:, 0], kind="stable")
    np.testing.assert_allclose(image, values[:, :, 0][np.ix_(rows, order)].T)
    dots = next(c for c in ax.collections if c.get_gid() == "ci").get_offsets()
    assert len(dots) == int((np.abs(values) <= Z95 * 0.5).sum())
    low, high = ax.get_images()[0].get_clim()
    assert low == -high == -np.abs(values).max()
