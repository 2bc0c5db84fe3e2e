"""fairness_audit: decisions from a model, group metrics, and a policy's breaches, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from explicable import FunctionModel, InvalidDataError, InvalidParameterError
from explicable.fairness import DEFAULT_POLICY, fairness_audit, load_policy


def eeoc() -> tuple[FunctionModel, np.ndarray, np.ndarray, np.ndarray]:
    """The EEOC example: group a selected at 60%, group b at 30% (ratio 0.5)."""
    selected = np.array([1] * 6 + [0] * 4 + [1] * 3 + [0] * 7, dtype=float)
    model = FunctionModel(lambda X: X[:, 0], feature_names=["score"])
    group = np.array(["a"] * 10 + ["b"] * 10)
    return model, selected[:, None], selected.astype(int), group


def test_four_fifths_breach_by_default() -> None:
    model, X, y, group = eeoc()
    audit = fairness_audit(model, X, y, group, random_state=0, n_bootstrap=50)
    assert audit.policy == DEFAULT_POLICY and not audit.passed and len(audit.breaches) == 1
    assert "b selection rate 0.300 is 0.50 of a's" in audit.breaches[0]
    assert audit.metrics.disparity("demographic_parity_difference", "group") == pytest.approx(0.3)


def test_policy_limits() -> None:
    model, X, y, group = eeoc()
    loose = {"four_fifths": {"threshold": 0.4}, "max_difference": {"demographic_parity_difference": 0.31}}
    assert fairness_audit(model, X, y, group, policy=loose, n_bootstrap=50, random_state=0).passed
    strict = {"min_ratio": {"demographic_parity_ratio": 0.6}}
    audit = fairness_audit(model, X, y, group, policy=strict, n_bootstrap=50, random_state=0)
    assert audit.breaches == ("demographic_parity_ratio for group is 0.500 (limit 0.6)",)
    significant = {"four_fifths": {"threshold": 0.8, "require_significance": True}}  # n=10 each: p = 0.37
    assert fairness_audit(model, X, y, group, policy=significant, n_bootstrap=50, random_state=0).passed


def test_bad_policies_and_outcomes() -> None:
    model, X, y, group = eeoc()
    for policy in ({"nonsense": 1}, {}, {"min_ratio": {"x": "high"}}):
        with pytest.raises(InvalidParameterError) as info:
            load_policy(policy)
        assert info.value.parameter.startswith("policy")
    with pytest.raises(InvalidParameterError, match="metrics among"):
        fairness_audit(model, X, y, group, policy={"max_difference": {"nope": 0.1}}, n_bootstrap=10)
    with pytest.raises(InvalidDataError, match="positive"):
        fairness_audit(model, X, np.where(y == 1, "yes", "no"), group, n_bootstrap=10)
    audit = fairness_audit(model, X, np.where(y == 1, "yes", "no"), group, positive="yes", n_bootstrap=10)
    assert audit.positive == "yes" and not audit.passed
