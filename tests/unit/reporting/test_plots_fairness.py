"""Fairness plots: selection rates against the four-fifths line, a metric by group, LL144 impact ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from explicable import InvalidParameterError
from explicable.fairness import four_fifths, group_metrics, ll144_table
from explicable.reporting.plots import (
    plot_four_fifths,
    plot_group_metric,
    plot_ll144,
    text_alternative,
)


def _gid(ax, gid):
    return [c for c in ax.collections if c.get_gid() == gid]


@pytest.fixture(scope="module")
def decisions() -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(3)
    sex = np.repeat(["f", "m"], 100)
    age = np.tile(np.repeat(["old", "young"], 50), 2)
    # selection rates by hand: f 0.3, m 0.6
    y_pred = np.r_[np.ones(30), np.zeros(70), np.ones(60), np.zeros(40)].astype(int)
    y_true = rng.integers(0, 2, 200)
    return y_true, y_pred, pd.DataFrame({"sex": sex, "age": age})


def _rates(y_pred: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    return {g: float(y_pred[labels == g].mean()) for g in np.unique(labels)}


def test_four_fifths_line_at_threshold_of_the_highest_rate(decisions) -> None:
    y_true, y_pred, sensitive = decisions
    gm = group_metrics(y_true, y_pred, sensitive, n_bootstrap=40, random_state=0)
    ax = plot_four_fifths(gm, attribute="sex")
    rates = _rates(y_pred, sensitive["sex"].to_numpy())
    bars = sorted(ax.patches, key=lambda p: -p.get_y())  # top first: f then m
    np.testing.assert_allclose([b.get_width() for b in bars], [rates["f"], rates["m"]])
    line = np.asarray(_gid(ax, "four-fifths")[0].get_segments())
    assert line.shape[0] == 1
    np.testing.assert_allclose(line[0, :, 0], 0.8 * max(rates.values()))
    # f: 0.3 / 0.6 = 0.5 < 0.8, flagged and hatched; m is the reference
    assert bars[0].get_hatch() == "//" and not bars[1].get_hatch()
    whiskers = np.asarray(_gid(ax, "ci")[0].get_segments())
    ci = gm.table[(gm.table["metric"] == "selection_rate") & (gm.table["attribute"] == "sex")]
    np.testing.assert_allclose(whiskers[:, :, 0], ci[["ci_low", "ci_high"]].to_numpy())
    text = text_alternative(ax)
    assert "f (impact ratio 0.5" in text.alt
    assert text.table["impact_ratio"].tolist() == pytest.approx([0.5, 1.0])


def test_four_fifths_all_attributes_each_with_its_line(decisions) -> None:
    _, y_pred, sensitive = decisions
    rule = four_fifths(y_pred, sensitive)
    ax = plot_four_fifths(rule)
    attributes = list(dict.fromkeys(rule.table["attribute"]))
    assert len(ax.patches) == len(rule.table)
    lines = np.concatenate([np.asarray(c.get_segments()) for c in _gid(ax, "four-fifths")])
    assert lines.shape[0] == len(attributes)
    groups = {"sex": sensitive["sex"].to_numpy(), "age": sensitive["age"].to_numpy()}
    for segment, name in zip(lines, attributes, strict=True):
        if name in groups:
            assert segment[0, 0] == pytest.approx(0.8 * max(_rates(y_pred, groups[name]).values()))
    assert not _gid(ax, "ci"), "a FourFifths has no interval of the rate"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "sex: f" in labels and "age: young" in labels


def test_group_metric_bars_and_intervals(decisions) -> None:
    y_true, y_pred, sensitive = decisions
    gm = group_metrics(y_true, y_pred, sensitive["sex"], n_bootstrap=40, random_state=1)
    ax = plot_group_metric(gm, "true_positive_rate")
    sex = sensitive["sex"].to_numpy()
    tpr = [y_pred[(sex == g) & (y_true == 1)].mean() for g in ("f", "m")]
    bars = sorted(ax.patches, key=lambda p: -p.get_y())
    np.testing.assert_allclose([b.get_width() for b in bars], tpr)
    assert len(np.asarray(_gid(ax, "ci")[0].get_segments())) == 2
    with pytest.raises(InvalidParameterError) as err:
        plot_group_metric(gm, "nonsense")
    assert err.value.parameter == "metric"


def test_ll144_impact_ratios_by_hand() -> None:
    sex = np.repeat(["female", "male"], 50)
    selected = np.r_[np.ones(20), np.zeros(30), np.ones(40), np.zeros(10)]
    ax = plot_ll144(ll144_table(selected, sex=sex))
    bars = sorted(ax.patches, key=lambda p: -p.get_y())
    np.testing.assert_allclose([b.get_width() for b in bars], [0.4 / 0.8, 1.0])
    assert np.asarray(_gid(ax, "four-fifths")[0].get_segments())[0, 0, 0] == pytest.approx(0.8)
    assert bars[0].get_hatch() == "//"
    assert "female (0.5)" in text_alternative(ax).alt
    with pytest.raises(InvalidParameterError):
        plot_ll144(ll144_table(selected, sex=sex), dimension="race")
