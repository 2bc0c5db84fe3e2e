"""run_checks on German credit: a passing and a failing gate, verdicts checked against direct computations,
and the JUnit XML parsed and counted."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.linear_model import LogisticRegression

from explicable.core.errors import InvalidParameterError
from explicable.datasets import load_german_credit
from explicable.monitoring._checks import run_checks
from explicable.monitoring.policy import load_policy

POLICY = """\
rows: 40
random_state: 0
quality:
  deletion_margin_min: 0.05
  top_k: {k: 3, min_stable_fraction: 0.9}
  randomization_max_similarity: 0.5
fairness:
  sensitive: [sex]
  impact_ratio_min: IMPACT
  equalized_odds_difference_max: 0.2
drift: {ndcg_min: 0.9}
"""


def german() -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    frame = load_german_credit()
    y = (frame.pop("credit") == "good").astype(int)
    sex = frame.pop("sex")
    X = pd.get_dummies(frame, dtype=float)
    X.columns = [f"f{i}" for i in range(X.shape[1])]  # plain names: xgboost refuses [, ] and <
    return X, y, sex


@pytest.fixture(scope="module")
def credit() -> dict[str, object]:
    X, y, sex = german()
    model = xgboost.XGBClassifier(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    selected = model.predict_proba(X)[:, 1] >= 0.5
    rates = pd.Series(selected).groupby(sex.to_numpy()).mean()
    return {"model": model, "data": X.assign(credit=y, sex=sex), "impact": float(rates.min() / rates.max())}


def test_a_policy_the_model_meets_passes(credit: dict[str, object]) -> None:
    report = run_checks(credit["model"], credit["data"], load_policy(POLICY.replace("IMPACT", "0.8")),
                        target="credit")
    status = {c.name: c.status for c in report.checks}
    assert status == {"deletion_margin": "passed", "top_k_stability": "passed", "randomization": "skipped",
                      "impact_ratio": "passed", "equalized_odds_difference": "passed", "drift": "skipped"}
    assert report.passed and not report.failures
    impact = next(c for c in report.checks if c.name == "impact_ratio")
    assert impact.value == pytest.approx(credit["impact"], abs=1e-12) and impact.threshold == 0.8  # measured directly
    assert credit["impact"] > 0.8


def test_a_stricter_policy_fails_on_the_same_model(credit: dict[str, object]) -> None:
    strict = f"{credit['impact'] + 0.02:.4f}"  # just above the measured ratio: must fail
    report = run_checks(credit["model"], credit["data"], POLICY.replace("IMPACT", strict), target="credit")
    assert not report.passed and [c.name for c in report.failures] == ["impact_ratio"]
    failure = report.failures[0]
    assert "four-fifths: sex=" in failure.message and failure.line().startswith("fairness.impact_ratio: FAIL")


def test_junit_xml_has_one_case_per_check_with_failures_and_skips(credit: dict[str, object]) -> None:
    strict = f"{credit['impact'] + 0.02:.4f}"
    report = run_checks(credit["model"], credit["data"], POLICY.replace("IMPACT", strict), target="credit")
    root = ET.fromstring(report.to_junit_xml())
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests", "")) == len(report.checks) == 6
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    skipped = [c.get("name") for c in cases if c.find("skipped") is not None]
    assert failed == ["impact_ratio"] and suite.get("failures") == "1"
    assert skipped == ["randomization", "drift"] and suite.get("skipped") == "2" and suite.get("errors") == "0"
    assert {c.get("classname") for c in cases} == {"explicable.quality", "explicable.fairness", "explicable.drift"}


def test_randomization_runs_on_a_linear_model_and_errors_become_error_cases() -> None:
    X, y, _ = german()
    X = X / X.abs().max().replace(0.0, 1.0)  # scaled, so lbfgs converges
    model = LogisticRegression(max_iter=1000).fit(X, y)
    policy = "rows: 30\nquality:\n  randomization_max_similarity: 0.99\n  top_k: {k: 500}\n"
    report = run_checks(model, X, policy)
    top_k, randomization = report.checks
    assert randomization.status == "passed" and -1 <= randomization.value <= 0.99  # type: ignore[operator]
    assert top_k.status == "error" and "'k'" in top_k.message and not report.passed  # k > 61 features
    root = ET.fromstring(report.to_junit_xml())
    assert len(root.findall("./testsuite/testcase/error")) == 1


def test_fairness_needs_the_target_and_the_sensitive_columns(credit: dict[str, object]) -> None:
    policy = POLICY.replace("IMPACT", "0.8")
    with pytest.raises(InvalidParameterError, match="'target'"):
        run_checks(credit["model"], credit["data"], policy)
    with pytest.raises(InvalidParameterError, match=r"'fairness\.sensitive'"):
        run_checks(credit["model"], credit["data"], policy.replace("[sex]", "[gender]"), target="credit")


def test_same_seed_same_report(credit: dict[str, object]) -> None:
    policy = POLICY.replace("IMPACT", "0.8")
    first, second = (run_checks(credit["model"], credit["data"], policy, target="credit") for _ in range(2))
    assert [(c.value, c.status) for c in first.checks] == [(c.value, c.status) for c in second.checks]
    assert np.isfinite([c.value for c in first.checks if c.value is not None]).all()
