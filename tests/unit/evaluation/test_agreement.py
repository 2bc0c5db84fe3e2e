"""Agreement between two explanations and the consensus view of several, against scipy and hand counts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau, spearmanr

import explicable
from explicable import Explanation, InvalidDataError, InvalidParameterError, Provenance
from explicable.evaluation import agreement, consensus


def make(values: np.ndarray, names: str = "abcdef", method: str = "unknown") -> Explanation:
    values = np.asarray(values, dtype="float64")
    return Explanation(values[:, :, None], np.zeros((values.shape[0], 1)), list(names), ["y"],
                       provenance=Provenance(method=method))


def test_identical_and_reversed_rankings() -> None:
    a = make(np.array([[6.0, 5, 4, 3, 2, 1], [1.0, 2, 3, 4, 5, 6]]))
    b = make(np.array([[1.0, 2, 3, 4, 5, 6], [6.0, 5, 4, 3, 2, 1]]))
    same = agreement(a, a, k=3)
    assert same.value == 1.0 and same.details["mean_top_k_jaccard"] == 1.0 and same.passed
    reversed_ = agreement(a, b, k=3)
    np.testing.assert_allclose(reversed_.per_row, [-1.0, -1.0])
    assert reversed_.details["mean_top_k_jaccard"] == 0.0 and not reversed_.passed


def test_matches_scipy_per_row_and_features_by_name() -> None:
    rng = np.random.default_rng(0)
    va, vb = rng.normal(size=(8, 6)), rng.normal(size=(8, 6))
    a, b = make(va), make(vb[:, ::-1], "fedcba")  # same attributions, columns in another order
    result = agreement(a, b)
    expected = [spearmanr(np.abs(x), np.abs(y)).statistic for x, y in zip(va, vb, strict=True)]
    np.testing.assert_allclose(result.per_row, expected)
    kendall = agreement(a, b, method="kendall", by="value")
    np.testing.assert_allclose(kendall.per_row, [kendalltau(x, y).statistic for x, y in zip(va, vb, strict=True)])
    top_a = np.argsort(-np.abs(va), axis=1)[:, :5]
    top_b = np.argsort(-np.abs(vb), axis=1)[:, :5]
    jac = [len(set(x) & set(y)) / len(set(x) | set(y)) for x, y in zip(top_a, top_b, strict=True)]
    np.testing.assert_allclose(result.details["top_k_jaccard"], jac)


def test_exact_and_kernel_shapley_agree() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5))
    model = explicable.FunctionModel(lambda Z: Z @ np.arange(1.0, 6.0) + Z[:, 0] * Z[:, 1],
                                     feature_names=list("abcde"))
    exact = explicable.explain(model, X[:6], background=X, method="exact")
    kernel = explicable.explain(model, X[:6], background=X, method="kernel", budget=24, random_state=0)
    assert agreement(exact, kernel).value > 0.8


def test_agreement_refuses_mismatched_explanations() -> None:
    a = make(np.ones((2, 6)))
    with pytest.raises(InvalidDataError, match="exp_b"):
        agreement(a, make(np.ones((3, 6))))
    with pytest.raises(InvalidDataError, match="exp_b"):
        agreement(a, make(np.ones((2, 6)), "abcdeg"))
    with pytest.raises(InvalidParameterError, match="exp_a"):
        agreement(np.ones((2, 6, 1)), a)  # type: ignore[arg-type]


def test_consensus_names_the_contested_features() -> None:
    # shap ranks a..f first to last; lime swaps b (to 6th) and f (to 2nd), and flips the sign of c
    shap = make(np.array([[6.0, 5, 4, 3, 2, 1]]), method="kernel")
    lime = make(np.array([[6.0, 1, -4, 3, 2, 5]]), method="lime")
    result = consensus([shap, lime], k=2)
    assert result.methods == ("kernel", "lime")
    # top-2 sets: {a, b} and {a, f}; b and f are 6th in the other method (below 2k = 4); c is in no top-2
    assert result.disagreements == ("b", "f")
    assert result.value == pytest.approx(2 / 3) and not result.passed
    table = result.table.set_index("feature")
    assert table.loc["b", "rank_lime"] == 6 and table.loc["f", "rank_kernel"] == 6
    assert "below 4 in lime 6" in table.loc["b", "reason"]
    wider = consensus([shap, lime], k=3)  # c now in both top-3 sets with opposite signs
    assert "c" in wider.disagreements
    assert "opposite signs" in wider.table.set_index("feature").loc["c", "reason"]


def test_consensus_per_row_and_names() -> None:
    rng = np.random.default_rng(2)
    values = np.abs(rng.normal(size=(4, 6))) + 0.1
    a, b = make(values, method="exact"), make(values, method="exact")
    result = consensus([a, b, a])
    assert result.methods == ("exact", "exact#2", "exact#3")
    assert result.disagreements == () and result.value == 0.0 and result.passed
    np.testing.assert_array_equal(result.per_row, np.zeros(4))
    rows = consensus([a, make(-values)], by_row=True, names=["one", "two"]).table
    assert len(rows) == 24 and set(rows.columns) >= {"row", "feature", "rank_one", "value_two", "sign_disagree"}
    # opposite signs everywhere: every feature in a top-k set is contested, row by row
    assert rows.groupby("row")["sign_disagree"].sum().tolist() == [5, 5, 5, 5]
    with pytest.raises(InvalidParameterError, match="names"):
        consensus([a, b], names=["x"])
    with pytest.raises(InvalidParameterError, match="explanations"):
        consensus([a])
