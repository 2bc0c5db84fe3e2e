"""Policy files: a valid one becomes typed dataclasses; each kind of error names the key path and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from explicable.core.errors import InvalidParameterError
from explicable.monitoring.policy import DriftPolicy, Policy, TopKPolicy, load_policy

VALID = """\
method: tree
rows: 40
random_state: 3
quality:
  deletion_margin_min: 0.05
  top_k: {k: 3, min_stable_fraction: 0.9}
  randomization_max_similarity: 0.5
fairness:
  sensitive: [sex, age_group]
  positive: good
  impact_ratio_min: 0.8
  equalized_odds_difference_max: 0.1
drift:
  ndcg_min: 0.9
  psi_max: 0.2
  ks_alpha: 0.01
"""


def test_a_valid_policy_file_becomes_typed_sections(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(VALID)
    policy = load_policy(path)
    assert policy.method == "tree" and policy.rows == 40 and policy.random_state == 3
    assert policy.quality.top_k == TopKPolicy(k=3, min_stable_fraction=0.9)
    assert policy.quality.deletion_margin_min == 0.05 and policy.quality.randomization_max_similarity == 0.5
    assert policy.fairness.sensitive == ("sex", "age_group") and policy.fairness.positive == "good"
    assert policy.fairness.impact_ratio_min == 0.8 and policy.fairness.demographic_parity_difference_max is None
    assert policy.drift == DriftPolicy(ndcg_min=0.9, psi_max=0.2, ks_alpha=0.01, mean_abs_change_max=None)
    assert policy.source == "policy.yaml"
    assert load_policy(VALID) == Policy(**{**vars(policy), "source": "<policy>"})  # text and file agree
    with pytest.raises(AttributeError):
        policy.drift.psi_max = 1.0  # type: ignore[misc]


def test_an_empty_policy_sets_no_thresholds() -> None:
    policy = load_policy("quality:\n")
    assert policy.quality.deletion_margin_min is None and policy.quality.top_k is None
    assert policy.drift.ndcg_min is None and policy.method == "auto"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("edit", "key", "words"), [
    # wrong type
    (("impact_ratio_min: 0.8", "impact_ratio_min: high"), "fairness.impact_ratio_min", ["number", "'high'"]),
    # out of range
    (("impact_ratio_min: 0.8", "impact_ratio_min: 1.5"), "fairness.impact_ratio_min", ["1.5", "[0"]),
    (("ks_alpha: 0.01", "ks_alpha: 0"), "drift.ks_alpha", ["0"]),
    (("k: 3,", "k: 0,"), "quality.top_k.k", ["an int in the range [1", "Got 0"]),
    (("rows: 40", "rows: 2.5"), "rows", ["int", "2.5"]),
    (("method: tree", "method: magic"), "method", ["'magic'", "kernel"]),
    (("sensitive: [sex, age_group]", "sensitive: 3"), "fairness.sensitive", ["list of column names", "3"]),
    # a section given as a value
    (("drift:\n  ndcg_min: 0.9\n  psi_max: 0.2\n  ks_alpha: 0.01\n", "drift: 0.5\n"), "drift",
     ["section", "ndcg_min"]),
])
def test_a_bad_value_names_key_expectation_value_and_line(edit: tuple[str, str], key: str, words: list[str]) -> None:
    text = VALID.replace(*edit)
    with pytest.raises(InvalidParameterError) as info:
        load_policy(text)
    message = str(info.value)
    assert f"line {line_of(text, edit[1].strip().split(':')[0] + ':')}:" in message
    assert f"'{key}'" in message and info.value.parameter == key
    assert all(w in message for w in words), message


@pytest.mark.parametrize(("wrong", "key", "suggestion"), [
    ("impact_ratio_mn", "fairness.impact_ratio_mn", "fairness.impact_ratio_min"),
    ("equalised_odds_difference_max", "fairness.equalised_odds_difference_max",
     "fairness.equalized_odds_difference_max"),
])
def test_an_unknown_key_is_rejected_with_a_suggestion(wrong: str, key: str, suggestion: str) -> None:
    text = VALID.replace("impact_ratio_min", wrong) if "impact" in wrong else \
        VALID.replace("equalized_odds_difference_max", wrong)
    with pytest.raises(InvalidParameterError, match=rf"line {line_of(text, wrong)}: unknown key '{key}' "
                       rf"\(did you mean '{suggestion}'\?\)"):
        load_policy(text)


def test_an_unknown_section_and_an_unguessable_key() -> None:
    with pytest.raises(InvalidParameterError, match=r"line 2: unknown key 'qualty' \(did you mean 'quality'\?\)"):
        load_policy("rows: 10\nqualty:\n  deletion_margin_min: 0.1\n")
    with pytest.raises(InvalidParameterError) as info:
        load_policy("drift:\n  ndcg_min: 0.9\n  zzz: 1\n")
    assert "line 3: unknown key 'drift.zzz'" in str(info.value) and "did you mean" not in str(info.value)
    assert "ndcg_min, psi_max, ks_alpha, mean_abs_change_max" in str(info.value)


@pytest.mark.parametrize(("text", "line"), [
    ("quality:\n  deletion_margin_min: 0.1\n fairness: [\n", 3),   # bad indentation
    ("rows: 10\nquality: {deletion_margin_min: 0.1\n", 3),         # unclosed flow mapping, found at the end
    ("rows: 10\n\tquality: 1\n", 2),                               # a tab
])
def test_bad_yaml_syntax_names_its_line(text: str, line: int) -> None:
    with pytest.raises(InvalidParameterError, match=rf"^<policy>, line {line}: not valid YAML"):
        load_policy(text)


def test_not_a_mapping_missing_file_and_missing_sensitive(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="must be a mapping of sections"):
        load_policy("- a\n- b\n")
    with pytest.raises(InvalidParameterError, match="readable YAML file"):
        load_policy(tmp_path / "absent.yaml")
    with pytest.raises(InvalidParameterError, match=r"'fairness\.sensitive' is required"):
        load_policy("fairness:\n  impact_ratio_min: 0.8\n")
