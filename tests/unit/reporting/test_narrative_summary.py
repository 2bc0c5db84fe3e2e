"""audit_narrative and stakeholder_summary: golden paragraphs, numbers that match the inputs, reading level."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explicable import FeatureImportance, FunctionModel, InvalidParameterError, Provenance
from explicable.evaluation import CheckResult
from explicable.fairness import FairnessAudit, FlipResult, fairness_audit
from explicable.reporting import audit_narrative, flesch_reading_ease, stakeholder_summary


def eeoc(policy: dict | None = None) -> FairnessAudit:
    """The EEOC example: group a selected at 60% (6 of 10), group b at 30% (3 of 10): impact ratio 0.5."""
    selected = np.array([1] * 6 + [0] * 4 + [1] * 3 + [0] * 7, dtype=float)
    model = FunctionModel(lambda X: X[:, 0], feature_names=["score"])
    group = pd.Series(["a"] * 10 + ["b"] * 10, name="group")
    return fairness_audit(model, selected[:, None], selected.astype(int), group, policy=policy, n_bootstrap=40,
                          random_state=0)


def flip(flips: int, n: int = 200) -> FlipResult:
    return FlipResult("sex", flips / n, 0.01, 0.05, n, flips, pd.DataFrame(), np.zeros(n, bool), np.arange(n), 0.02,
                      0.95, None)


def test_golden_audit_narrative_on_the_eeoc_example() -> None:
    audit = eeoc()
    p = audit.metrics.four_fifths.table.set_index("group").loc["b", "p_value"]
    assert f"{p:.3g}" == "0.37"  # Fisher's exact test on 6/10 vs 3/10 (scipy: 0.3698)
    assert audit_narrative(audit, flips=flip(3)) == (
        "The audit compares how often each group is selected. A decision counts as selected when the score for '1' "
        "is 0.50 or more. Intervals are 95% bootstrap intervals from 40 resamples (seed 0).\n\n"
        "The policy was breached once. The group b (group) was selected at 30.0% (3 of 10), against 60.0% for a: a "
        "ratio of 0.50, under the limit of 0.8 (p = 0.37).\n\n"
        "Selection rates by group: a 60.0% (6 of 10) and b 30.0% (3 of 10). The lowest ratio is 0.50, for b against "
        "a: under the four-fifths limit of 0.8. The difference is not statistically significant (p = 0.37, Fisher's "
        "exact test).\n\n"
        "Changing only sex, and nothing else, changed 3 of 200 decisions (1.5%; 95% interval 1.0% to 5.0%).")


def test_policy_limits_are_reported_with_the_audits_numbers() -> None:
    audit = eeoc({"four_fifths": {"threshold": 0.4}, "max_difference": {"demographic_parity_difference": 0.1},
                  "min_ratio": {"demographic_parity_ratio": 0.4}})
    row = audit.metrics.disparities.set_index("metric").loc["demographic_parity_difference"]
    text = audit_narrative(audit)
    assert "The policy was breached once. The demographic parity difference for group is 0.300, above the limit of " \
           "0.1." in text
    assert (f"The demographic parity difference (the gap between the highest and lowest selection rates) for group "
            f"is 0.300 (interval {row.ci_low:.3f} to {row.ci_high:.3f}). The policy allows at most 0.1, so it is "
            "breached.") in text
    assert "The policy allows at least 0.4, so it holds." in text  # ratio 0.5
    assert "Every group is selected at four-fifths" not in text and "lowest ratio is 0.50" in text
    passing = audit_narrative(eeoc({"four_fifths": {"threshold": 0.4}}), flips=[flip(0)])
    assert "The policy holds: no limit was breached." in passing
    assert passing.endswith("changed none of 200 decisions (95% interval 1.0% to 5.0%).")


def importance() -> FeatureImportance:
    return FeatureImportance(np.array([[0.02], [0.052], [0.004]]), np.array([[0.005], [0.01], [0.004]]),
                             np.array([[0.011], [0.031], [-0.004]]), np.array([[0.029], [0.073], [0.012]]),
                             ["credit_amount", "duration", "telephone"], ["accuracy"], confidence=0.95,
                             provenance=Provenance(method="permutation_importance"))


def checks() -> list[CheckResult]:
    return [CheckResult("deletion_curve", 0.42, 0.1, True, np.array([0.42])),
            CheckResult("randomization_check", 0.91, 0.5, False, np.array([0.91]))]


def test_golden_drivers_section_and_the_numbers_of_each_part() -> None:
    summary = stakeholder_summary(purpose="It estimates the risk that a loan is not repaid.", importance=importance(),
                                  quality=checks(), audit=eeoc(), flips=flip(3), performance={"accuracy": 0.755},
                                  limitations=["It was trained on loans from 1973 to 1975."])
    assert [s.heading for s in summary.sections] == ["What the model does", "What drives it overall",
                                                     "How far the explanations can be trusted", "Fairness",
                                                     "Limitations"]
    assert summary.section("What drives it overall").text() == (
        "What drives it overall\n----------------------\n\n"
        "The factors that matter most, with 95% intervals (measured by the permutation importance method):\n\n"
        "1. Loan term: 0.052 (0.031 to 0.073)\n2. Loan amount: 0.02 (0.011 to 0.029)\n"
        "3. Telephone on record: 0.004 (-0.004 to 0.012)\n\n"
        "For 1 of 3 factors the interval includes zero: their effect cannot be told apart from none.")
    assert summary.section("What the model does").paragraphs[1] == "On data it was not trained on, it scored: " \
                                                                   "accuracy 0.755."
    trust = summary.section("How far the explanations can be trusted")
    assert trust.paragraphs == ("1 of 2 checks passed.",)
    assert trust.items == ("Deletion curve: passed (value 0.42, needs at least 0.1)",
                           "Randomization check: FAILED (value 0.91, needs at most 0.5)")
    fairness = summary.section("Fairness")
    assert fairness.paragraphs[1] == "The policy was breached once:"
    assert "30.0% (3 of 10), against 60.0% for a" in fairness.items[0]
    assert fairness.closing == ("Changing only sex changed 3 of 200 decisions (1.5%).",)
    assert summary.section("Limitations").items[0] == "It was trained on loans from 1973 to 1975."
    assert flesch_reading_ease(summary.text) >= 50
    html = summary.to_html()
    assert html.count("<section>") == 5 and "http" not in html and "<script" not in html


def test_missing_parts_are_stated_as_limitations() -> None:
    summary = stakeholder_summary(purpose="It ranks claims for review.")
    assert summary.section("What drives it overall").paragraphs == ("Overall importance was not measured.",)
    assert summary.section("Fairness").paragraphs == ("Fairness was not audited.",)
    limits = summary.section("Limitations").items
    assert "The explanations' quality was not checked." in limits and "Fairness was not audited." in limits
    assert stakeholder_summary(purpose="It ranks claims for review.").text == summary.text
    assert flesch_reading_ease(summary.text) >= 50


def test_errors_name_the_parameter() -> None:
    cases = [({"purpose": ""}, "purpose"), ({"purpose": "x", "importance": 3}, "importance"),
             ({"purpose": "x", "quality": [1]}, "quality"), ({"purpose": "x", "audit": "a"}, "audit"),
             ({"purpose": "x", "flips": [2]}, "flips"), ({"purpose": "x", "top": 0}, "top"),
             ({"purpose": "x", "limitations": "one"}, "limitations"),
             ({"purpose": "x", "importance": importance(), "output": "auc"}, "output")]
    for kwargs, parameter in cases:
        with pytest.raises(InvalidParameterError) as info:
            stakeholder_summary(**kwargs)
        assert info.value.parameter == parameter
    with pytest.raises(InvalidParameterError) as info:
        audit_narrative("audit")  # type: ignore[arg-type]
    assert info.value.parameter == "audit"
