"""Fairness-metric drift: a real drop of a group's selection rate alerts; resampling the same rates does not."""

from __future__ import annotations

import numpy as np
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.monitoring import fairness_drift


def _window(rng: np.random.Generator, rate_a: float, rate_b: float, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    groups = rng.choice(["a", "b"], size=n)
    selected = (rng.uniform(size=n) < np.where(groups == "a", rate_a, rate_b)).astype(int)
    return selected, groups


def test_ratios_equal_hand_computation() -> None:
    groups = np.repeat(["a", "b"], [100, 50])
    before = np.r_[np.ones(60), np.zeros(40), np.ones(27), np.zeros(23)]  # 0.60 and 0.54: ratio 0.9
    after = np.r_[np.ones(60), np.zeros(40), np.ones(15), np.zeros(35)]   # 0.60 and 0.30: ratio 0.5
    drift = fairness_drift(before, groups, after, groups, random_state=0)
    assert drift.reference_ratio == pytest.approx(0.9) and drift.current_ratio == pytest.approx(0.5)
    assert drift.change == pytest.approx(-0.4) and drift.ci_high < 0
    assert drift.breached and any("group 'b'" in a for a in drift.alerts)


def test_injected_drop_alerts_and_resamples_do_not() -> None:
    rng = np.random.default_rng(0)
    dropped = fairness_drift(*_window(rng, 0.5, 0.48), *_window(rng, 0.5, 0.3), random_state=0)
    assert dropped.breached
    false_alarms = sum(fairness_drift(*_window(np.random.default_rng(s), 0.5, 0.48),
                                      *_window(np.random.default_rng(100 + s), 0.5, 0.48),
                                      random_state=s).breached for s in range(20))
    assert false_alarms <= 1  # >= 95% of 20 seeds raise no alert


def test_bad_input_names_the_parameter() -> None:
    groups = np.array(["a", "b"] * 5)
    with pytest.raises(InvalidDataError, match="reference_selected"):
        fairness_drift(np.full(10, 2), groups, np.ones(10), groups)
    with pytest.raises(InvalidDataError, match="current_groups"):
        fairness_drift(np.ones(10), groups, np.ones(10), np.array(["a"] * 10))
    with pytest.raises(InvalidParameterError, match="impact_ratio_min"):
        fairness_drift(np.ones(10), groups, np.ones(10), groups, impact_ratio_min=1.5)


def test_attribution_drift_reports_fairness_drift_from_the_explanations() -> None:
    """Decisions are the explained output (base + sum of values) over the threshold; groups a feature's data."""
    from explicable.core.explanation import Explanation
    from explicable.monitoring import attribution_drift, drift_report

    rng = np.random.default_rng(3)

    def window(rate_b: float) -> Explanation:
        group = rng.integers(0, 2, 800)
        score = (rng.uniform(size=800) < np.where(group == 1, rate_b, 0.5)).astype(float)
        values = np.column_stack([score - 0.25, np.zeros(800)])[:, :, None]
        data = np.column_stack([np.zeros(800), group])
        return Explanation(values, np.full((800, 1), 0.25), ["x", "group"], ["y"], data=data)

    reference, current = window(0.5), window(0.25)
    drift = attribution_drift(reference, current, sensitive="group", random_state=0)
    direct = fairness_drift((reference.output_totals[:, 0] >= 0.5).astype(int), reference.data[:, 1],
                            (current.output_totals[:, 0] >= 0.5).astype(int), current.data[:, 1], random_state=0)
    assert drift.fairness is not None and drift.fairness.current_ratio == pytest.approx(direct.current_ratio)
    assert any(a.startswith("fairness: ") for a in drift.alerts) and drift.breached
    assert "Fairness-metric drift" in drift_report(drift) and drift.to_dict()["fairness"]["alerts"]
    with pytest.raises(InvalidParameterError, match="sensitive"):
        attribution_drift(reference, current, sensitive="nope")
