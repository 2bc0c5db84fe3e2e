"""flip_test against brute force, scipy's Wilson interval, and planted dependence over 20 seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from explicable import FunctionModel, InvalidDataError, InvalidParameterError
from explicable.fairness import flip_test
from explicable.fairness._protected import wilson_interval

NAMES = ["sex", "income", "debt"]


def data(seed: int, n: int = 300) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.integers(0, 2, n), rng.normal(size=n), rng.normal(size=n)]).astype(float)


def score(weight: float) -> FunctionModel:
    """P(bad) of a logistic model with ``weight`` on sex: a planted dependence when weight != 0."""
    def fn(A: np.ndarray) -> np.ndarray:
        z = weight * A[:, 0] + A[:, 1] - 0.5 * A[:, 2] - weight / 2
        return np.column_stack([1 / (1 + np.exp(z)), 1 / (1 + np.exp(-z))])
    return FunctionModel(fn, feature_names=NAMES, output_names=["good", "bad"], output_space="probability")


def test_rate_equals_brute_force_and_ci_equals_scipy_wilson() -> None:
    X = data(0)
    model = score(1.5)
    res = flip_test(model, X, "sex", confidence=0.9)
    flipped = X.copy()
    flipped[:, 0] = 1 - flipped[:, 0]
    expected = (model.predict(X)[:, 1] >= 0.5) != (model.predict(flipped)[:, 1] >= 0.5)
    assert res.n == X.shape[0] and res.flips == int(expected.sum())
    np.testing.assert_array_equal(res.flipped, expected)
    ci = binomtest(res.flips, res.n).proportion_ci(confidence_level=0.9, method="wilson")
    assert (res.lower, res.upper) == pytest.approx((ci.low, ci.high), abs=1e-12)
    shift = np.abs(model.predict(X)[:, 1] - model.predict(flipped)[:, 1]).mean()
    assert res.mean_shift == pytest.approx(shift)
    table = res.to_frame()
    women = table[(table["from"] == "1") & (table["to"] == "0")].iloc[0]
    assert women["n"] == int((X[:, 0] == 1).sum()) and women["flips"] == int(expected[X[:, 0] == 1].sum())
    assert table.iloc[-1][["from", "to", "flips"]].tolist() == ["all", "all", res.flips]


def test_planted_dependence_is_detected_and_absence_is_not_over_20_seeds() -> None:
    detected = quiet = 0
    for seed in range(20):
        X = data(seed, n=200)
        detected += flip_test(score(1.0), X, "sex").lower > 0.05
        none = flip_test(score(0.0), X, "sex")
        quiet += none.flips == 0
        # no flip in n rows: the Wilson upper bound is z^2 / (n + z^2)
        assert none.upper == pytest.approx(1.959964**2 / (200 + 1.959964**2), rel=1e-6)
    assert (detected, quiet) == (20, 20)


def test_wilson_interval_matches_scipy() -> None:
    for k, n in [(0, 10), (3, 10), (10, 10), (57, 400)]:
        lo, hi = wilson_interval(k, n, 1.959963984540054)
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert (float(lo), float(hi)) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_mapping_of_counterparts_on_strings_and_a_decision_function() -> None:
    X = pd.DataFrame({"status_sex": ["male : single", "female : single", "male : married", "male : single"],
                      "x": [0.0, 1.0, 2.0, 3.0]})

    def fn(A: np.ndarray) -> np.ndarray:
        return np.array([float(s.startswith("female")) + 0.1 * x for s, x in A], dtype=float)

    model = FunctionModel(fn, feature_names=["status_sex", "x"], accepts_strings=True)
    res = flip_test(model, X, "status_sex", values={"male : single": "female : single"},
                    threshold=lambda p: p[:, 0] > 0.5)
    # only the two single men are tested; both get a different decision as single women
    assert (res.n, res.flips) == (2, 2)
    np.testing.assert_array_equal(res.rows, [0, 3])


def test_subsample_is_seeded() -> None:
    X = data(3, n=500)
    a = flip_test(score(1.0), X, "sex", max_rows=100, random_state=4)
    b = flip_test(score(1.0), X, "sex", max_rows=100, random_state=4)
    assert a.n == 100 and a.random_state == 4
    np.testing.assert_array_equal(a.rows, b.rows)
    assert a.flips == b.flips
    assert "sex" in str(a)


def test_bad_inputs_name_the_parameter() -> None:
    X = data(0, n=20)
    with pytest.raises(InvalidParameterError, match="attribute"):
        flip_test(score(1.0), X, "gender")
    with pytest.raises(InvalidParameterError, match="output"):
        flip_test(score(1.0), X, "sex", output="approve")
    with pytest.raises(InvalidParameterError, match="threshold"):
        flip_test(score(1.0), X, "sex", threshold="high")  # type: ignore[arg-type]
    X[:, 0] = 1.0
    with pytest.raises(InvalidDataError, match="values"):
        flip_test(score(1.0), X, "sex")
