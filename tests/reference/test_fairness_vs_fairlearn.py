"""Group metrics and disparities equal fairlearn's on shared inputs (single attributes and intersections)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

from explicable.fairness import group_metrics


@pytest.fixture(scope="module")
def shared() -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(11)
    n = 1500
    frame = pd.DataFrame({"sex": rng.choice(["female", "male"], n, p=[0.4, 0.6]),
                          "age_group": rng.choice(["<25", "25-60", ">60"], n)})
    y_true = rng.integers(0, 2, n)
    y_pred = (rng.random(n) < np.where(frame["sex"] == "male", 0.55, 0.35)).astype(int)
    return y_true, y_pred, frame


@pytest.fixture(scope="module")
def ours(shared):
    y_true, y_pred, frame = shared
    return group_metrics(y_true, y_pred, frame, n_bootstrap=20, random_state=0)


FAIRLEARN = {"selection_rate": selection_rate, "true_positive_rate": true_positive_rate,
             "false_positive_rate": false_positive_rate, "precision": precision_score, "accuracy": accuracy_score}


@pytest.mark.parametrize("columns", [["sex"], ["age_group"], ["sex", "age_group"]])
def test_per_group_values_equal_metricframe(shared, ours, columns):
    y_true, y_pred, frame = shared
    mf = MetricFrame(metrics=FAIRLEARN, y_true=y_true, y_pred=y_pred, sensitive_features=frame[columns])
    attribute = " & ".join(columns)
    for key, row in mf.by_group.iterrows():
        group = " & ".join(key) if isinstance(key, tuple) else key
        for metric in FAIRLEARN:
            assert ours.value(metric, attribute, group) == pytest.approx(row[metric], abs=1e-12)
    table = ours.to_frame()
    counts = table[(table["attribute"] == attribute) & (table["metric"] == "selection_rate")]
    assert counts.set_index("group")["n"].sum() == len(y_true)


@pytest.mark.parametrize("columns", [["sex"], ["age_group"], ["sex", "age_group"]])
def test_disparities_equal_fairlearn(shared, ours, columns):
    y_true, y_pred, frame = shared
    sf = frame[columns]
    attribute = " & ".join(columns)
    expected = {
        "demographic_parity_difference": demographic_parity_difference(y_true, y_pred, sensitive_features=sf),
        "demographic_parity_ratio": demographic_parity_ratio(y_true, y_pred, sensitive_features=sf),
        "equalized_odds_difference": equalized_odds_difference(y_true, y_pred, sensitive_features=sf),
        "equalized_odds_ratio": equalized_odds_ratio(y_true, y_pred, sensitive_features=sf),
        "equal_opportunity_difference": equal_opportunity_difference(y_true, y_pred, sensitive_features=sf),
        "disparate_impact_ratio": demographic_parity_ratio(y_true, y_pred, sensitive_features=sf),
    }
    for metric, value in expected.items():
        assert ours.disparity(metric, attribute) == pytest.approx(value, abs=1e-12), metric


def test_four_fifths_ratios_equal_fairlearn_selection_rates(shared, ours):
    y_true, y_pred, frame = shared
    rates = MetricFrame(metrics=selection_rate, y_true=y_true, y_pred=y_pred,
                        sensitive_features=frame["sex"]).by_group
    table = ours.four_fifths.to_frame().query("attribute == 'sex'").set_index("group")
    for group, rate in rates.items():
        assert table.loc[group, "impact_ratio"] == pytest.approx(rate / rates.max(), abs=1e-12)
