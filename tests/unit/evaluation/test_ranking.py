"""top_k_stable against hand-computed z statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from explicable import Explanation, InvalidParameterError, top_k_stable


def make(values: list[float], stderr: list[float] | None) -> Explanation:
    v = np.array(values)[None, :, None]
    se = None if stderr is None else np.array(stderr)[None, :, None]
    return Explanation(v, np.zeros((1, 1)), [f"f{j}" for j in range(len(values))], ["y"], stderr=se)


def test_threshold_is_bonferroni() -> None:
    result = top_k_stable(make([5.0, 4.0, 3.0, 2.0, 1.0], [0.1] * 5), k=3, confidence=0.9)
    assert result.threshold == pytest.approx(norm.ppf(1 - 0.1 / 6))
    assert result.top_k[0] == ("f0", "f1", "f2") and bool(result.stable[0])
    assert result.min_z[0] == pytest.approx(1.0 / np.hypot(0.1, 0.1))


def test_unstable_when_a_gap_is_within_noise() -> None:
    # f2 vs f3 (the k-th against the next) are 0.1 apart with stderr 0.2: not separable
    result = top_k_stable(make([5.0, 4.0, 3.0, 2.9], [0.05, 0.05, 0.2, 0.2]), k=3)
    assert not bool(result.stable[0])
    assert result.min_z[0] == pytest.approx(0.1 / np.hypot(0.2, 0.2))


def test_abs_ranking_and_exact_values() -> None:
    exp = make([0.5, -3.0, 1.0], None)
    assert top_k_stable(exp, k=2, by="abs").top_k[0] == ("f1", "f2")
    assert top_k_stable(exp, k=2).top_k[0] == ("f2", "f0")
    assert bool(top_k_stable(exp, k=2).stable[0])
    assert not bool(top_k_stable(make([1.0, 1.0, 0.0], None), k=1).stable[0])  # a tie is not stable


@pytest.mark.parametrize(("kwargs", "match"), [({"k": 0}, "k"), ({"k": 9}, "k"),
                                               ({"k": 1, "confidence": 1.5}, "confidence"),
                                               ({"k": 1, "by": "rank"}, "by")])
def test_bad_parameters(kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        top_k_stable(make([1.0, 2.0, 3.0], None), **kwargs)
