"""One suite for every Shapley estimator, on hand-derived games with a counter that proves the budget.

Axioms: efficiency (to 1e-8, enforced), dummy, symmetry, linearity, determinism, budget, shapes; exact values
equal brute force over permutations and the closed forms of unanimity and glove games.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import permutations

import numpy as np
import pytest

from explicable.core.errors import BudgetExceededError
from explicable.explainers.shapley._estimate import Estimate
from explicable.explainers.shapley._exact import exact_shapley
from explicable.explainers.shapley._kernel import kernel_shap
from explicable.explainers.shapley._permutation import permutation_shap


class TableGame:
    """A game given by a Python function of the coalition (one per row), counting evaluations."""

    def __init__(self, p: int, fns: list[Callable[[np.ndarray], np.ndarray]]) -> None:
        self.n_players, self.n_rows, self.fns = p, len(fns), fns
        self.n_outputs = len(np.atleast_1d(fns[0](np.zeros(p, dtype=bool))))
        self.evaluations = np.zeros(self.n_rows, dtype=np.int64)

    def __call__(self, coalitions: np.ndarray, rows: np.ndarray) -> np.ndarray:
        self.evaluations[rows] += len(coalitions)
        return np.array([[np.atleast_1d(self.fns[r](c)) for c in coalitions] for r in rows], dtype="float64")


def unanimity(T: list[int], scale: float = 1.0) -> Callable[[np.ndarray], np.ndarray]:
    return lambda S: np.array([scale * float(all(S[T]))])


def nonlinear(weights: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    # additive part, pairwise and a 3-way interaction, player 5 a dummy, players 1 and 2 symmetric
    def v(S: np.ndarray) -> np.ndarray:
        s = S.astype(float)
        return np.array([weights @ s + 2 * s[1] * s[2] + s[0] * s[3] * s[4] - s[3] * s[6] + 0.5 * s[0] * s[6],
                         np.sin(s[:5].sum()) + s[6]])
    return v


P = 7
W = np.array([1.0, 0.5, 0.5, -2.0, 0.3, 0.0, 1.5])
ESTIMATORS: dict[str, Callable[[TableGame, int, int], Estimate]] = {
    "exact": lambda g, budget, seed: exact_shapley(g, budget),
    "kernel": lambda g, budget, seed: kernel_shap(g, budget, np.random.default_rng(seed)),
    "kernel-shapley-weights": lambda g, budget, seed: kernel_shap(g, budget, np.random.default_rng(seed),
                                                                  size_weights="shapley"),
    "kernel-tol": lambda g, budget, seed: kernel_shap(g, budget, np.random.default_rng(seed), tol=0.01),
    "permutation": lambda g, budget, seed: permutation_shap(g, budget, np.random.default_rng(seed)),
}
SAMPLED_BUDGET = 64  # < 2^7: sampled estimators really sample
BUDGET = {"exact": 2**P}


def run(name: str, fns: list[Callable[[np.ndarray], np.ndarray]], seed: int = 0,
        budget: int | None = None) -> tuple[Estimate, TableGame]:
    game = TableGame(P, fns)
    return ESTIMATORS[name](game, budget or BUDGET.get(name, SAMPLED_BUDGET), seed), game


def brute_force(v: Callable[[np.ndarray], np.ndarray], p: int) -> np.ndarray:
    """The definition: the average marginal contribution over all p! orders."""
    k = len(np.atleast_1d(v(np.zeros(p, dtype=bool))))
    phi = np.zeros((p, k))
    orders = list(permutations(range(p)))
    for order in orders:
        S = np.zeros(p, dtype=bool)
        before = np.atleast_1d(v(S))
        for i in order:
            S[i] = True
            after = np.atleast_1d(v(S))
            phi[i] += after - before
            before = after
    return phi / len(orders)


@pytest.mark.parametrize("name", list(ESTIMATORS))
class TestAxioms:
    def test_shapes_and_efficiency(self, name: str) -> None:
        fns = [nonlinear(W), nonlinear(W[::-1].copy())]
        est, _ = run(name, fns)
        assert est.values.shape == (2, P, 2) and est.base_values.shape == (2, 2)
        for r, fn in enumerate(fns):
            total = fn(np.ones(P, dtype=bool)) - fn(np.zeros(P, dtype=bool))
            np.testing.assert_allclose(est.values[r].sum(axis=0), total, atol=1e-8, rtol=0)
            np.testing.assert_allclose(est.base_values[r], fn(np.zeros(P, dtype=bool)), atol=1e-12)

    def test_dummy(self, name: str) -> None:
        est, _ = run(name, [nonlinear(W)])
        bound = 0.0 if est.stderr is None or name.startswith("permutation") else 4 * est.stderr[0, 5]
        assert np.all(np.abs(est.values[0, 5]) <= bound + 1e-9)

    def test_symmetry(self, name: str) -> None:
        est, _ = run(name, [nonlinear(W)])
        bound = 0.0 if est.stderr is None else 4 * np.hypot(est.stderr[0, 1], est.stderr[0, 2])
        assert np.all(np.abs(est.values[0, 1] - est.values[0, 2]) <= bound + 1e-9)

    def test_linearity(self, name: str) -> None:
        u, w = unanimity([0, 3]), nonlinear(W)
        a, _ = run(name, [u])
        b, _ = run(name, [lambda S: w(S)[:1]])
        both, _ = run(name, [lambda S: 2 * u(S) - 3 * w(S)[:1]])
        np.testing.assert_allclose(both.values, 2 * a.values - 3 * b.values, atol=1e-10)

    def test_deterministic_with_seed(self, name: str) -> None:
        a, _ = run(name, [nonlinear(W)], seed=5)
        b, _ = run(name, [nonlinear(W)], seed=5)
        assert a.values.tobytes() == b.values.tobytes()
        if a.stderr is not None and b.stderr is not None:
            assert a.stderr.tobytes() == b.stderr.tobytes()

    @pytest.mark.parametrize("budget", [16, 30, 64, 100, 127, 128, 1000])
    def test_budget_respected(self, name: str, budget: int) -> None:
        game = TableGame(P, [nonlinear(W)] * 3)
        try:
            ESTIMATORS[name](game, budget, 0)
        except BudgetExceededError as err:
            assert err.parameter == "budget" and game.evaluations.max() == 0
            return
        assert game.evaluations.max() <= budget
        if name != "kernel-tol":  # early stopping may spend less, by design
            assert game.evaluations.max() >= min(budget, 2**P) * 0.5  # and it spends what it is given


@pytest.mark.parametrize("T", [[0], [1, 4], [0, 2, 5, 6]])
def test_exact_unanimity_closed_form(T: list[int]) -> None:
    est, _ = run("exact", [unanimity(T, 3.0)])
    expected = np.zeros(P)
    expected[T] = 3.0 / len(T)
    np.testing.assert_allclose(est.values[0, :, 0], expected, atol=1e-14)


def test_exact_glove_game() -> None:
    """Left gloves {0, 1}, right glove {2}: v(S) = number of pairs. phi = (1/6, 1/6, 2/3)."""
    game = TableGame(3, [lambda S: np.array([float(min(S[0] + S[1], S[2]))])])
    est = exact_shapley(game, 8)
    np.testing.assert_allclose(est.values[0, :, 0], [1 / 6, 1 / 6, 2 / 3], atol=1e-14)


def test_exact_equals_brute_force() -> None:
    fn = nonlinear(W)
    est, _ = run("exact", [fn])
    np.testing.assert_allclose(est.values[0], brute_force(fn, P), atol=1e-12)


@pytest.mark.parametrize("size_weights", ["leverage", "shapley"])
def test_kernel_with_full_budget_is_exact(size_weights: str) -> None:
    fn = nonlinear(W)
    game = TableGame(P, [fn])
    est = kernel_shap(game, 2**P, np.random.default_rng(0), size_weights=size_weights)
    np.testing.assert_allclose(est.values[0], brute_force(fn, P), atol=1e-10)
    assert est.stderr is not None and np.all(est.stderr == 0)


@pytest.mark.parametrize("name", ["kernel", "permutation"])
def test_errors_are_calibrated(name: str) -> None:
    """Across seeds, at least 90% of exact values lie within 2 stderr of the estimates."""
    p = 10

    def v(S: np.ndarray) -> np.ndarray:
        s = S.astype(float)
        return np.array([np.sin(s[:4].sum()) * 2 + s[4] * s[5] * s[6] + np.arange(p) @ s * 0.1 + s[7] * s[8]])

    exact = brute_force_fast(v, p)
    covered = []
    for seed in range(20):
        game = TableGame(p, [v])
        est = (kernel_shap(game, 256, np.random.default_rng(seed)) if name == "kernel"
               else permutation_shap(game, 256, np.random.default_rng(seed)))
        assert est.stderr is not None
        covered.append(np.abs(est.values[0, :, 0] - exact) <= 2 * est.stderr[0, :, 0] + 1e-12)
    assert np.mean(covered) >= 0.9


def brute_force_fast(v: Callable[[np.ndarray], np.ndarray], p: int) -> np.ndarray:
    game = TableGame(p, [v])
    return exact_shapley(game, 2**p).values[0, :, 0]


def test_tol_stops_early_and_kernel_beats_permutation() -> None:
    fn = nonlinear(W)
    game = TableGame(P, [fn])
    kernel_shap(game, 120, np.random.default_rng(0), tol=0.5)
    assert game.evaluations[0] < 120
    exact = brute_force(fn, P)[:, 0]
    k_err = [np.linalg.norm(run("kernel", [lambda S: fn(S)[:1]], seed=s)[0].values[0, :, 0] - exact)
             for s in range(10)]
    p_err = [np.linalg.norm(run("permutation", [lambda S: fn(S)[:1]], seed=s)[0].values[0, :, 0] - exact)
             for s in range(10)]
    assert np.mean(k_err) < np.mean(p_err)
