"""attribution_drift: an injected drift is found on the right feature; resamples raise no alert; results replay."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingRegressor

import explicable
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.monitoring import attribution_drift, drift_report

FEATURES = [f"x{i}" for i in range(5)]


def rows(n: int, seed: int) -> pd.DataFrame:
    return pd.DataFrame(np.random.default_rng(seed).normal(size=(n, 5)), columns=FEATURES)


@pytest.fixture(scope="module")
def models() -> tuple[GradientBoostingRegressor, GradientBoostingRegressor]:
    """The same data; the retrained model's dependence on x2 changed from +0.5 x2 to -1.5 x2."""
    X = rows(1000, 0)
    noise = 0.1 * np.random.default_rng(9).normal(size=1000)
    before = 2 * X.x0 + X.x1 + 0.5 * X.x2 + noise
    after = 2 * X.x0 + X.x1 - 1.5 * X.x2 + noise
    fit = {"n_estimators": 50, "max_depth": 3, "random_state": 0}
    return GradientBoostingRegressor(**fit).fit(X, before), GradientBoostingRegressor(**fit).fit(X, after)


def test_injected_drift_is_detected_on_the_changed_feature(models: tuple[object, object]) -> None:
    old, new = models
    X = rows(400, 1)
    result = attribution_drift(explicable.explain(old, X, method="tree"), explicable.explain(new, X, method="tree"),
                               random_state=0)
    assert result.breached
    alerted = set(result.to_frame().query("alert")["feature"])
    assert alerted == {"x2"}
    assert any("psi" in a and "'x2'" in a for a in result.alerts)
    x2 = result.to_frame().set_index("feature").loc["x2"]
    assert x2["psi"] > 0.2 and x2["change_ci_low"] > 0  # |phi| of x2 grew, and the interval says so
    assert np.isclose(result.to_frame()["data_psi"], 0.0).all()  # same rows: the inputs did not move


def test_resamples_of_the_same_distribution_raise_no_alert_in_20_seeds(models: tuple[object, object]) -> None:
    old, _ = models
    breached = 0
    for seed in range(20):
        ref = explicable.explain(old, rows(400, 100 + seed), method="tree")
        cur = explicable.explain(old, rows(400, 200 + seed), method="tree")
        breached += attribution_drift(ref, cur, random_state=seed).breached
    assert breached <= 1  # >= 95% of the 20 seeds without an alert


def test_input_drift_is_reported_for_context_without_alerts(models: tuple[object, object]) -> None:
    old, _ = models
    shifted = rows(400, 2).assign(x4=lambda f: f.x4 + 3.0)  # x4 barely matters to the model
    result = attribution_drift(explicable.explain(old, rows(400, 1), method="tree"),
                               explicable.explain(old, shifted, method="tree"), random_state=0)
    frame = result.to_frame().set_index("feature")
    assert frame.loc["x4", "data_psi"] > 1.0 and frame.loc["x4", "data_ks_p"] < 1e-10
    assert frame.loc["x0", "data_psi"] < 0.2
    assert not any("data" in a for a in result.alerts)


def window(rng: np.random.Generator, scale: np.ndarray, n: int = 300) -> Explanation:
    values = rng.normal(size=(n, 3, 1)) * scale[None, :, None]
    return Explanation(values, np.zeros((n, 1)), ["a", "b", "c"], ["y"])


def test_ndcg_alert_lists_and_determinism() -> None:
    rng = np.random.default_rng(0)
    ref = [window(rng, np.array([3.0, 2.0, 1.0]), 150), window(rng, np.array([3.0, 2.0, 1.0]), 150)]
    cur = window(rng, np.array([0.5, 2.0, 3.0]))
    result = attribution_drift(ref, cur, random_state=5, mean_abs_change_max=0.5)
    assert result.n_reference == 300 and result.ndcg < 0.9
    assert result.alerts[0].startswith("ndcg = ")
    assert any("mean |phi| of feature 'a'" in a for a in result.alerts)
    again = attribution_drift(ref, cur, random_state=5, mean_abs_change_max=0.5)
    assert json.dumps(result.to_dict()) == json.dumps(again.to_dict())
    assert "BREACHED" in result.summary()


def test_bonferroni_makes_ks_stricter_with_more_features() -> None:
    rng = np.random.default_rng(3)
    ref = window(rng, np.array([1.0, 1.0, 1.0]), 2000)
    shift = ref.values.copy()
    shift[:, 0, 0] += 0.09  # a small shift: KS p-value between 0.01/3 and 0.01
    cur = Explanation(shift[rng.permutation(2000)], ref.base_values, ref.feature_names, ref.output_names)
    loose = attribution_drift(ref, cur, alpha=0.5, random_state=0)
    p = loose.to_frame().loc[0, "ks_p"]
    strict = attribution_drift(ref, cur, alpha=min(0.99, p * 2), random_state=0)  # p < alpha, but p > alpha / 3
    assert not any(a.startswith("ks") for a in strict.alerts)
    assert any(a.startswith("ks") for a in attribution_drift(ref, cur, alpha=min(0.99, p * 4), random_state=0).alerts)


def test_bad_input_is_refused_naming_the_parameter() -> None:
    rng = np.random.default_rng(0)
    a = window(rng, np.ones(3))
    other = Explanation(a.values, a.base_values, ["a", "b", "z"], ["y"])
    with pytest.raises(InvalidDataError, match="current"):
        attribution_drift(a, other)
    with pytest.raises(InvalidParameterError, match="reference"):
        attribution_drift([], a)
    with pytest.raises(InvalidParameterError, match="ndcg_threshold"):
        attribution_drift(a, a, ndcg_threshold=1.5)
    with pytest.raises(InvalidParameterError, match="output"):
        attribution_drift(a, a, output="nope")
    with pytest.raises(InvalidDataError, match="reference_data"):
        attribution_drift(a, a, reference_data=np.zeros((2, 3)))


def test_report_is_self_contained_html() -> None:
    rng = np.random.default_rng(0)
    result = attribution_drift(window(rng, np.array([3.0, 2.0, 1.0])), window(rng, np.array([0.5, 2.0, 3.0])),
                               random_state=0)
    page = drift_report(result)
    assert page.startswith("<!DOCTYPE html>") or page.lstrip().lower().startswith("<!doctype html>")
    assert "ndcg = " in page and "<svg" in page and "Input data drift" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "<script src" not in page
