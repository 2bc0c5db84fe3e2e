"""CheckResult: the verdict follows the value, threshold, direction and strictness; summaries and JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from explicable import InvalidParameterError
from explicable.core.validation import check_number
from explicable.evaluation import CheckResult


@pytest.mark.parametrize(("value", "higher", "strict", "passed"), [
    (0.5, True, False, True), (0.5, True, True, False), (0.6, True, True, True), (0.4, True, False, False),
    (0.5, False, False, True), (0.5, False, True, False), (0.4, False, True, True), (0.6, False, False, False),
    (float("nan"), True, False, False), (float("nan"), False, False, False),
])
def test_verdict(value: float, higher: bool, strict: bool, passed: bool) -> None:
    result = CheckResult("x", value, 0.5, higher, np.array([value]), strict=strict)
    assert result.passed is passed
    assert ("PASS" if passed else "FAIL") in result.summary()
    assert result.comparison == (">" if higher else "<") + ("" if strict else "=")


def test_to_dict_is_json_and_arrays_are_frozen() -> None:
    result = CheckResult("x", 0.25, 0.5, False, [0.0, np.nan], {"seeds": np.array([1, 2]), "mean": np.float64(1.5)})
    obj = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert obj["passed"] is True and obj["per_row"] == [0.0, None] and obj["details"]["seeds"] == [1, 2]
    with pytest.raises(ValueError, match="read-only"):
        result.per_row[0] = 1.0
    assert str(result) == result.summary()


@pytest.mark.parametrize("bad", [True, "0.5", float("inf"), None])
def test_threshold_must_be_a_finite_number(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match="threshold"):
        check_number(bad, "threshold")
