"""The drift statistics against hand computations: nDCG (Clarify's definition), PSI, bootstrap determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explicable.monitoring._drift_stats import PSI_FLOOR, bootstrap_mean_change, categorical_psi, ndcg, psi


def test_ndcg_equals_hand_computation() -> None:
    relevance = np.array([0.5, 3.0, 1.0, 2.0])  # reference ranking: f1, f3, f2, f0
    current = np.array([2.0, 0.1, 3.0, 1.0])   # current ranking: f2, f0, f3, f1
    gains = [1.0, 0.5, 2.0, 3.0]               # reference importance of f2, f0, f3, f1
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate([3.0, 2.0, 1.0, 0.5]))
    assert ndcg(relevance, current) == pytest.approx(dcg / idcg, abs=1e-12)
    top2 = (1.0 + 0.5 / math.log2(3)) / (3.0 + 2.0 / math.log2(3))
    assert ndcg(relevance, current, top_k=2) == pytest.approx(top2, abs=1e-12)


def test_ndcg_is_one_for_the_same_ranking_and_for_nothing_to_rank() -> None:
    rel = np.array([3.0, 1.0, 2.0])
    assert ndcg(rel, rel * 7.0) == 1.0
    assert ndcg(np.zeros(3), np.array([1.0, 2.0, 3.0])) == 1.0


def test_psi_equals_hand_computation_on_a_tiny_example() -> None:
    ref = np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]])
    cur = np.array([[1.0], [1.5], [2.0], [2.5], [3.0], [6.5]])
    # n_bins=3: edges at the reference's 1/3 and 2/3 quantiles, 2.667 and 4.333 -> reference shares 1/3 each;
    # current: 1, 1.5, 2, 2.5 | 3 | 6.5 -> 4/6, 1/6, 1/6 (no value sits on an edge: those bins add 0)
    r = np.array([1 / 3, 1 / 3, 1 / 3])
    c = np.array([4 / 6, 1 / 6, 1 / 6])
    expected = float(np.sum((c - r) * np.log(c / r)))
    assert psi(ref, cur, n_bins=3)[0] == pytest.approx(expected, abs=1e-12)


def test_psi_is_zero_for_identical_windows_and_handles_ties() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    x[:, 2] = 0.0  # an unused feature: every attribution is 0, every quantile ties
    assert np.allclose(psi(x, x), 0.0)
    moved = x.copy()
    moved[:, 2] = 1.0
    assert psi(x, moved)[2] == pytest.approx(2 * (1 - PSI_FLOOR) * math.log(1 / PSI_FLOOR), rel=1e-9)


def test_categorical_psi_by_hand() -> None:
    got = categorical_psi(np.array(["a", "a", "b", "b"], dtype=object), np.array(["a", "b", "b", "b"], dtype=object))
    expected = (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5)
    assert got == pytest.approx(expected, abs=1e-12)


def test_bootstrap_interval_covers_the_change_and_replays() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.exponential(1.0, size=(2000, 2)), rng.exponential(1.0, size=(2000, 2)) + np.array([0.0, 0.5])
    low, high = bootstrap_mean_change(a, b, n_bootstrap=200, rng=np.random.default_rng(3))
    assert low[0] < 0 < high[0]          # no change: the interval holds zero
    assert low[1] < 0.5 < high[1] and low[1] > 0.3
    again = bootstrap_mean_change(a, b, n_bootstrap=200, rng=np.random.default_rng(3))
    assert np.array_equal(low, again[0]) and np.array_equal(high, again[1])


def test_large_sample_ks_and_wasserstein_match_scipy() -> None:
    from scipy.stats import ks_2samp, wasserstein_distance

    from explicable.monitoring._drift_stats import ks_wasserstein

    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(12_000, 2)), rng.normal(size=(15_000, 2)) + np.array([0.0, 0.05])
    stat, pval, dist = ks_wasserstein(a, b)
    for j in range(2):
        ref = ks_2samp(a[:, j], b[:, j])
        assert stat[j] == pytest.approx(ref.statistic, abs=1e-12) and pval[j] == pytest.approx(ref.pvalue, rel=1e-9)
        assert dist[j] == pytest.approx(wasserstein_distance(a[:, j], b[:, j]), rel=1e-9)
