"""The four-fifths rule and its significance tests, against hand arithmetic and brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.fairness import four_fifths
from explicable.fairness._significance import compare_proportions, fisher_exact_test, two_proportion_z


def _outcomes(*groups: tuple[str, int, int]) -> tuple[np.ndarray, np.ndarray]:
    sel, grp = [], []
    for name, selected, n in groups:
        sel += [1] * selected + [0] * (n - selected)
        grp += [name] * n
    return np.array(sel), np.array(grp)


def _fisher_brute_force(x1: int, n1: int, x2: int, n2: int) -> float:
    # two-sided: sum of the hypergeometric probabilities no larger than the observed table's
    k, n = x1 + x2, n1 + n2
    prob = {a: math.comb(n1, a) * math.comb(n2, k - a) / math.comb(n, k)
            for a in range(max(0, k - n2), min(k, n1) + 1)}
    return sum(p for p in prob.values() if p <= prob[x1] * (1 + 1e-7))


def test_eeoc_example_selection_60_vs_30_gives_impact_ratio_one_half():
    selected, group = _outcomes(("men", 60, 100), ("women", 30, 100))
    table = four_fifths(selected, group).to_frame().set_index("group")
    women = table.loc["women"]
    assert women["impact_ratio"] == pytest.approx(0.30 / 0.60)
    assert women["flagged"] and not table.loc["men", "flagged"]
    assert women["reference_group"] == "men"
    assert (women["n"], women["selected"], women["reference_n"]) == (100, 30, 100)
    # pooled two-proportion z by hand: p = 90/200, se = sqrt(p (1 - p) (1/100 + 1/100))
    pooled = 90 / 200
    z = (0.30 - 0.60) / math.sqrt(pooled * (1 - pooled) * (2 / 100))
    assert women["test"] == "z"
    assert women["statistic"] == pytest.approx(z)
    assert women["p_value"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-9)
    assert women["significant"]


def test_ratio_at_exactly_four_fifths_is_not_flagged_and_small_samples_use_fisher():
    selected, group = _outcomes(("a", 5, 5), ("b", 4, 5))
    row = four_fifths(selected, group).to_frame().set_index("group").loc["b"]
    assert row["impact_ratio"] == pytest.approx(0.8)
    assert not row["flagged"]
    assert row["test"] == "fisher"
    assert row["p_value"] == pytest.approx(_fisher_brute_force(4, 5, 5, 5))


@pytest.mark.parametrize("counts", [(3, 4, 0, 4), (2, 9, 7, 8), (10, 30, 1, 12)])
def test_fisher_matches_brute_force_hypergeometric_sum(counts):
    assert fisher_exact_test(*counts).p_value == pytest.approx(_fisher_brute_force(*counts), rel=1e-9)


def test_auto_uses_z_when_every_expected_count_is_at_least_five():
    assert compare_proportions(20, 50, 30, 50).test == "z"
    assert compare_proportions(2, 50, 3, 50).test == "fisher"  # expected selected counts 2.5
    assert compare_proportions(20, 50, 30, 50, test="fisher").test == "fisher"


def test_z_is_nan_when_nobody_or_everybody_is_selected():
    assert math.isnan(two_proportion_z(0, 10, 0, 20).p_value)
    assert math.isnan(two_proportion_z(10, 10, 20, 20).p_value)


def test_several_attributes_are_tested_each_and_intersected():
    selected = np.array([1, 1, 0, 1, 0, 0, 1, 0])
    sensitive = {"sex": list("ffffmmmm"), "age": ["y", "o"] * 4}
    table = four_fifths(selected, sensitive).to_frame()
    assert set(table["attribute"]) == {"sex", "age", "sex & age"}
    inter = table[table["attribute"] == "sex & age"].set_index("group")
    # f & y: rows 0, 2 -> 1/2; f & o: rows 1, 3 -> 2/2; m & y: rows 4, 6 -> 1/2; m & o: rows 5, 7 -> 0/2
    assert inter["rate"].to_dict() == {"f & o": 1.0, "f & y": 0.5, "m & o": 0.0, "m & y": 0.5}
    assert set(inter["reference_group"]) == {"f & o"}


def test_breached_and_summary():
    selected, group = _outcomes(("a", 50, 100), ("b", 35, 100))
    result = four_fifths(selected, group)
    assert result.flagged == (("group", "b"),)
    assert result.breached()
    p = result.to_frame().set_index("group").loc["b", "p_value"]
    assert result.breached(require_significance=True) == (p < 0.05)
    assert "impact ratio 0.70" in result.summary()


def test_bad_inputs_name_the_parameter():
    with pytest.raises(InvalidDataError) as err:
        four_fifths([0, 2, 1], ["a", "b", "a"])
    assert err.value.parameter == "selected"
    with pytest.raises(InvalidParameterError) as err:
        four_fifths([0, 1], ["a", "b"], threshold=1.2)
    assert err.value.parameter == "threshold"
    with pytest.raises(InvalidParameterError):
        four_fifths([0, 1], ["a", "b"], test="chi2")
    with pytest.raises(InvalidDataError):
        four_fifths([0, 1, 1], ["a", None, "b"])
    with pytest.raises(InvalidDataError):
        four_fifths([0, 1, 1], ["a", "b"])
