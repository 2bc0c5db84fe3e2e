"""explain_decision: golden texts on hand-built explanations, properties on random ones, reading level, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

from explicable import Explanation, InvalidParameterError, Provenance
from explicable.reporting import APPLICANT_JARGON, explain_decision, find_jargon, flesch_reading_ease

GERMAN = ["duration", "credit_amount", "status", "savings", "age"]


def german_case(values: list[float], base: float = 0.30, space: str = "probability") -> Explanation:
    data = np.array([[48, 9000, "... < 0 DM", ".. >= 1000 DM", 35]], dtype=object)
    return Explanation(np.array(values, dtype=float)[None, :, None], np.array([[base]]), GERMAN, ["bad"], data=data,
                       provenance=Provenance(output_space=space))


def test_golden_declined_german_applicant() -> None:
    exp = german_case([0.12, 0.05, 0.21, -0.08, 0.04])  # score 0.30 + 0.34 = 0.64
    assert explain_decision(exp) == (
        "The application was declined mainly because of checking account balance (less than 0 DM), loan term "
        "(48 months) and loan amount (9,000 DM). An application that scores 0.50 or more is declined. This one "
        "scored 0.64, from a starting point of 0.30 for a typical application. Checking account balance counted "
        "the most: it raised the score by 0.21. Loan term raised it by 0.12, and loan amount by 0.05. Pulling the "
        "other way, savings (1,000 DM or more) lowered the score by 0.08.")


def test_golden_approved_in_log_odds_with_own_words() -> None:
    names = ["years_experience", "test_score", "gap_in_cv"]
    exp = Explanation(np.array([[[-0.9], [-0.4], [0.3]]]), np.array([[-0.2]]), names, ["reject"],
                      data=np.array([[12.0, 87.5, True]], dtype=object), provenance=Provenance(output_space="log-odds"))
    text = explain_decision(exp, outcome_labels=("invited", "rejected"), subject="candidate", k=2,
                            labels={"test_score": ("test score", "points")})
    assert text == (
        "The candidate was invited mainly because of years experience (12) and test score (87.5 points). A "
        "candidate that scores 0.00 or more is rejected. This one scored -1.20, from a starting point of -0.20 for "
        "a typical candidate. Years experience counted the most: it lowered the score by 0.90. Test score lowered "
        "it by 0.40. Pulling the other way, gap in cv (yes) raised the score by 0.30.")


def test_one_hot_columns_merged_and_coded_values_decoded_with_the_codebook() -> None:
    names = ["onehot__status_A11", "onehot__status_A14", "remainder__duration"]
    exp = Explanation(np.array([[[0.3], [0.1], [0.2]]]), np.array([[0.1]]), names, ["bad"],
                      data=np.array([[1.0, 0.0, 24.0]]), provenance=Provenance(output_space="probability"))
    text = explain_decision(exp, k=2, groups=["status", "duration"])
    assert text.startswith("The application was declined mainly because of checking account balance (less than "
                           "0 DM) and loan term (24 months).")
    assert "raised the score by 0.40" in text  # 0.3 + 0.1: the group's attribution is its columns' sum


def test_non_german_names_are_not_given_german_labels() -> None:
    exp = Explanation(np.array([[[0.4], [0.2]]]), np.zeros((1, 1)), ["status", "income"], ["y"],
                      data=np.array([["gold", 10.0]], dtype=object))
    text = explain_decision(exp, threshold=0.5)
    assert "because of status (gold) and income (10)" in text and "checking" not in text


def test_unstable_reasons_are_said_to_be_estimates() -> None:
    exp = Explanation(np.array([[[0.30], [0.29], [0.1]]]), np.zeros((1, 1)), ["a", "b", "c"], ["y"],
                      stderr=np.full((1, 3, 1), 0.2))
    assert explain_decision(exp, threshold=0.5).endswith(
        "These reasons are estimates: their order could change if the application were checked again.")
    exact = Explanation(exp.values, exp.base_values, exp.feature_names, exp.output_names)
    assert "estimates" not in explain_decision(exact, threshold=0.5)


def test_no_reason_when_nothing_pushed_toward_the_outcome() -> None:
    exp = Explanation(np.array([[[-0.1], [-0.05]]]), np.array([[0.9]]), ["a", "b"], ["y"])
    text = explain_decision(exp, threshold=0.5)
    assert text.startswith("The application was declined. No single detail of it pushed the score toward this "
                           "result.")
    assert "This one scored 0.75, from a starting point of 0.90" in text


def _random_case(seed: int) -> tuple[Explanation, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    values = rng.normal(scale=0.2, size=len(GERMAN))
    base = float(rng.uniform(0.2, 0.6))
    data = np.array([[int(rng.integers(6, 72)), int(rng.integers(250, 18000)), "no checking account",
                      "... < 100 DM", int(rng.integers(19, 75))]], dtype=object)
    exp = Explanation(values[None, :, None], np.array([[base]]), GERMAN, ["bad"], data=data,
                      provenance=Provenance(output_space="probability"))
    return exp, values, base


@pytest.mark.parametrize("seed", range(8))
def test_properties_top_reason_first_numbers_match_plain_and_deterministic(seed: int) -> None:
    from explicable.reporting._narrative_labels import GERMAN_CREDIT_LABELS

    exp, values, base = _random_case(seed)
    text = explain_decision(exp)
    assert text == explain_decision(exp)
    score = base + values.sum()
    declined = score >= 0.5
    push = values if declined else -values
    order = [j for j in np.argsort(-push, kind="stable") if push[j] > 0][:3]
    assert f"scored {score:.2f}, from a starting point of {base:.2f}" in text
    assert text.startswith(f"The application was {'declined' if declined else 'approved'}")
    if order:
        top = GERMAN_CREDIT_LABELS[GERMAN[order[0]]][0]
        assert text.split("mainly because of ")[1].startswith(top)
        verb = "raised" if declined else "lowered"
        assert f"{top[0].upper()}{top[1:]} counted the most: it {verb} the score by {push[order[0]]:.2f}." in text
    # Every "by X" amount printed is one of the inputs' magnitudes, rounded as printed.
    printed = [float(x) for x in re.findall(r"by (-?\d+\.\d+)", text)]
    assert printed and all(any(abs(p - abs(v)) <= 0.5 * 10 ** -len(str(p).split(".")[1]) + 1e-12 for v in values)
                           for p in printed)
    assert flesch_reading_ease(text) >= 60
    assert find_jargon(text, APPLICANT_JARGON) == []


def test_errors_name_the_parameter() -> None:
    exp = german_case([0.1, 0.0, 0.0, 0.0, 0.0])
    raw = Explanation(exp.values, exp.base_values, exp.feature_names, exp.output_names)
    cases = [(lambda: explain_decision(raw), "threshold"), (lambda: explain_decision(exp, row=1), "row"),
             (lambda: explain_decision(exp, output="good"), "output"), (lambda: explain_decision(exp, k=0), "k"),
             (lambda: explain_decision(exp, outcome_labels=("yes",)), "outcome_labels"),  # type: ignore[arg-type]
             (lambda: explain_decision(exp, threshold=float("nan")), "threshold"),
             (lambda: explain_decision(exp, subject=""), "subject"),
             (lambda: explain_decision(exp.values), "explanation"),  # type: ignore[arg-type]
             (lambda: explain_decision(exp, labels={"age": 3}), "labels['age']")]
    for call, parameter in cases:
        with pytest.raises(InvalidParameterError) as info:
            call()
        assert info.value.parameter == parameter


def test_every_codebook_value_of_german_credit_reads_as_words() -> None:
    from explicable.datasets import GERMAN_COLUMNS, load_german_credit
    from explicable.reporting._narrative_labels import GERMAN_CREDIT_LABELS, make_labels

    assert set(GERMAN_COLUMNS[:-1]) | {"sex"} == set(GERMAN_CREDIT_LABELS)
    words = make_labels(None, GERMAN_COLUMNS[:-1])
    df = load_german_credit()
    for column in GERMAN_COLUMNS[:-1]:
        for value in df[column].unique():
            text = words.value(column, value.item() if hasattr(value, "item") else value)
            assert text and not any(s in text for s in ("...", "<", ">", "/", " : ")), (column, value, text)
    assert words.value("status", "A11") == words.value("status", "... < 0 DM") == "less than 0 DM"
    assert words.value("status", "A13") == "200 DM or more or salary assignments for at least 1 year"
    assert words.value("status_sex", "A92") == "female, divorced, separated or married"
    assert words.value("telephone", "A192") == "yes" and words.value("duration", 48) == "48 months"
