"""Group metrics: values by hand, bootstrap intervals against a brute-force bootstrap and the binomial normal
approximation, determinism, and errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.fairness import group_metrics


def _tiny() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y_true = np.array([1, 0, 1, 0, 1, 1, 0, 0, 1, 0])
    y_pred = np.array([1, 1, 0, 0, 1, 0, 0, 1, 1, 0])
    sex = np.array(["f"] * 4 + ["m"] * 6)
    return y_true, y_pred, sex


def test_per_group_values_by_hand():
    y_true, y_pred, sex = _tiny()
    gm = group_metrics(y_true, y_pred, sex, n_bootstrap=50, random_state=0)
    # f: TP=1 (row 0), FP=1 (row 1), FN=1 (row 2), TN=1 (row 3)
    assert gm.value("selection_rate", "group", "f") == 0.5
    assert gm.value("true_positive_rate", "group", "f") == 0.5
    assert gm.value("false_positive_rate", "group", "f") == 0.5
    assert gm.value("precision", "group", "f") == 0.5
    # m (rows 4-9): y_true 1 1 0 0 1 0, y_pred 1 0 0 1 1 0 -> TP=2, FN=1, FP=1, TN=2
    assert gm.value("selection_rate", "group", "m") == pytest.approx(3 / 6)
    assert gm.value("true_positive_rate", "group", "m") == pytest.approx(2 / 3)
    assert gm.value("false_positive_rate", "group", "m") == pytest.approx(1 / 3)
    assert gm.value("accuracy", "group", "m") == pytest.approx(4 / 6)
    assert gm.value("base_rate", "group", "m") == pytest.approx(3 / 6)
    n = gm.to_frame().groupby("group")["n"].first().to_dict()
    assert n == {"f": 4, "m": 6}
    assert gm.disparity("equalized_odds_difference", "group") == pytest.approx(max(2 / 3 - 1 / 2, 1 / 2 - 1 / 3))
    assert gm.disparity("equal_opportunity_difference", "group") == pytest.approx(2 / 3 - 1 / 2)
    assert gm.disparity("equalized_odds_ratio", "group") == pytest.approx(min(0.5 / (2 / 3), (1 / 3) / 0.5))
    assert gm.disparity("demographic_parity_difference", "group") == 0.0


def test_undefined_rate_is_nan_not_zero():
    y_true = np.array([0, 0, 1, 0])
    y_pred = np.array([1, 0, 1, 0])
    gm = group_metrics(y_true, y_pred, np.array(["a", "a", "b", "b"]), n_bootstrap=20, random_state=0)
    assert math.isnan(gm.value("true_positive_rate", "group", "a"))  # group a has no positives
    # the equal-opportunity difference leaves group a out of the comparison: a single group -> 0
    assert gm.disparity("equal_opportunity_difference", "group") == 0.0


def test_scores_give_mean_score_and_calibration_gap():
    y_true, y_pred, sex = _tiny()
    score = np.linspace(0.05, 0.95, 10)
    gm = group_metrics(y_true, y_pred, sex, y_score=score, n_bootstrap=50, random_state=0)
    assert gm.value("mean_score", "group", "f") == pytest.approx(score[:4].mean())
    assert gm.value("calibration_gap", "group", "m") == pytest.approx(score[4:].mean() - 3 / 6)


def test_intersection_groups_and_columns():
    rng = np.random.default_rng(1)
    n = 300
    frame = pd.DataFrame({"sex": rng.choice(["f", "m"], n), "age": rng.choice(["young", "old"], n)})
    y_true, y_pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
    gm = group_metrics(y_true, y_pred, frame, n_bootstrap=30, random_state=0)
    table = gm.to_frame()
    assert list(table.columns) == ["attribute", "group", "metric", "value", "ci_low", "ci_high", "n"]
    assert set(table["attribute"]) == {"sex", "age", "sex & age"}
    mask = (frame["sex"] == "f") & (frame["age"] == "old")
    assert gm.value("selection_rate", "sex & age", "f & old") == pytest.approx(y_pred[mask].mean())
    assert table[(table["group"] == "f & old")]["n"].iloc[0] == mask.sum()


def test_interval_matches_a_row_resampling_bootstrap():
    # the multinomial draw of confusion counts is the row bootstrap in distribution: compare with brute force
    rng = np.random.default_rng(2)
    n = 400
    y_true, y_pred = rng.integers(0, 2, n), (rng.random(n) < 0.3).astype(int)
    gm = group_metrics(y_true, y_pred, np.zeros(n, dtype=int), n_bootstrap=4000, random_state=3)
    row = gm.to_frame().query("metric == 'true_positive_rate'").iloc[0]
    idx = rng.integers(0, n, size=(4000, n))
    tp = ((y_true[idx] == 1) & (y_pred[idx] == 1)).sum(axis=1)
    tpr = tp / (y_true[idx] == 1).sum(axis=1)
    low, high = np.quantile(tpr, [0.025, 0.975])
    assert row["ci_low"] == pytest.approx(low, abs=0.01)
    assert row["ci_high"] == pytest.approx(high, abs=0.01)


def test_interval_matches_the_binomial_normal_approximation():
    n, p = 2000, 0.3
    y_pred = np.r_[np.ones(int(n * p)), np.zeros(n - int(n * p))].astype(int)
    gm = group_metrics(np.zeros(n, dtype=int), y_pred, np.repeat(["a"], n), n_bootstrap=4000, random_state=0,
                       metrics=["selection_rate"])
    row = gm.to_frame().iloc[0]
    half = 1.959964 * math.sqrt(p * (1 - p) / n)
    assert row["ci_low"] == pytest.approx(p - half, abs=0.004)
    assert row["ci_high"] == pytest.approx(p + half, abs=0.004)


def test_same_seed_same_result_and_seed_recorded():
    y_true, y_pred, sex = _tiny()
    a = group_metrics(y_true, y_pred, sex, n_bootstrap=100, random_state=7)
    b = group_metrics(y_true, y_pred, sex, n_bootstrap=100, random_state=7)
    c = group_metrics(y_true, y_pred, sex, n_bootstrap=100, random_state=8)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    pd.testing.assert_frame_equal(a.disparities, b.disparities)
    assert not a.to_frame()["ci_low"].equals(c.to_frame()["ci_low"])
    assert a.random_state == 7
    assert isinstance(group_metrics(y_true, y_pred, sex, n_bootstrap=5).random_state, int)


def test_no_bootstrap_gives_nan_intervals_and_the_four_fifths_table():
    y_true, y_pred, sex = _tiny()
    gm = group_metrics(y_true, y_pred, sex, n_bootstrap=0)
    assert gm.to_frame()["ci_low"].isna().all()
    assert gm.disparities["ci_high"].isna().all()
    assert set(gm.four_fifths.to_frame()["group"]) == {"f", "m"}
    assert "demographic_parity_difference" in gm.summary()


def test_disparity_interval_brackets_a_real_gap():
    rng = np.random.default_rng(4)
    n = 1000
    group = rng.choice(["a", "b"], n)
    y_pred = (rng.random(n) < np.where(group == "a", 0.6, 0.3)).astype(int)
    gm = group_metrics(rng.integers(0, 2, n), y_pred, pd.Series(group, name="g"), n_bootstrap=500, random_state=0)
    row = gm.disparities.set_index("metric").loc["demographic_parity_difference"]
    assert row["ci_low"] > 0.15
    assert row["ci_low"] <= row["value"] <= row["ci_high"]
    assert gm.four_fifths.flagged == (("g", "b"),)


def test_bad_inputs_name_the_parameter():
    y_true, y_pred, sex = _tiny()
    with pytest.raises(InvalidDataError) as err:
        group_metrics(y_true, y_pred * 2, sex)
    assert err.value.parameter == "y_pred"
    with pytest.raises(InvalidParameterError) as err:
        group_metrics(y_true, y_pred, sex, metrics=["mean_score"])
    assert err.value.parameter == "metrics"
    with pytest.raises(InvalidParameterError):
        group_metrics(y_true, y_pred, sex, metrics=["f1"])
    with pytest.raises(InvalidParameterError) as err:
        group_metrics(y_true, y_pred, sex, confidence=95)
    assert err.value.parameter == "confidence"
    with pytest.raises(InvalidParameterError):
        group_metrics(y_true, y_pred, sex, n_bootstrap=-1)
    with pytest.raises(InvalidDataError) as err:
        group_metrics(y_true, y_pred, sex, y_score=np.full(10, 2.0))
    assert err.value.parameter == "y_score"
    with pytest.raises(InvalidDataError):
        group_metrics(y_true, y_pred[:5], sex)
