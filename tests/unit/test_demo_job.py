"""The demo job: a declined applicant, exact and additive, factors ordered by contribution."""

from __future__ import annotations

import numpy as np

from explicable.jobs import run_demo


def test_demo_result_is_consistent() -> None:
    result = run_demo(random_state=0)
    exp = result.explanation
    assert result.probability_bad >= result.threshold
    p = result.probability_bad
    np.testing.assert_allclose(exp.output_totals[0, 0], np.log(p / (1 - p)), atol=1e-6)
    contributions = [f.contribution for f in result.factors]
    assert contributions == sorted(contributions, reverse=True) and all(c > 0 for c in contributions)
    top = int(np.argmax(exp.values[0, :, 0]))
    assert result.factors[0].feature == exp.feature_names[top]
    assert 0.6 < result.test_accuracy < 0.9
    again = run_demo(random_state=0)
    assert again.explanation.values.tobytes() == exp.values.tobytes() and again.applicant == result.applicant
