"""Kernel SHAP: Shapley values as the efficiency-constrained weighted regression on coalitions.

The Shapley values of a game are the solution of ``min_phi sum_S w(S) (v(S) - v(0) - 1_S . phi)^2`` subject
to ``sum(phi) = v(N) - v(0)``, with the Shapley kernel ``w`` (Lundberg & Lee, 2017; Charnes et al., 1988).
The estimator evaluates the coalitions of a :func:`~._plan.make_plan` plan (enumerated size levels exactly,
others stratified, paired, without replacement), solves the constrained normal equations, and estimates its
own standard error with a delete-a-group jackknife over the sampled pairs. With ``tol`` it works in rounds
and stops a row once ``max stderr / (max phi - min phi) < tol`` (Covert & Lee, AISTATS 2021).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from explicable.core.errors import BudgetExceededError
from explicable.explainers.shapley._estimate import Estimate, constrained_solve, converged
from explicable.explainers.shapley._game import Game
from explicable.explainers.shapley._plan import SamplingPlan, level_mass, make_plan

__all__ = ["kernel_shap"]


class _Accumulator:
    """Normal-equation sums per size level and jackknife group, for the rows still being estimated."""

    def __init__(self, p: int, n_rows: int, k: int, n_groups: int) -> None:
        self.A = np.zeros((p + 1, n_groups, p, p))  # indexed by coalition size
        self.b = np.zeros((n_rows, p + 1, n_groups, p, k))
        self.count = np.zeros((p + 1, n_groups))

    def add(self, Z: np.ndarray, y: np.ndarray, groups: np.ndarray, rows: np.ndarray) -> None:
        """Add coalitions ``Z`` (c, p) with centred values ``y`` (len(rows), c, k) in ``groups``."""
        sizes = Z.sum(axis=1)
        Zf = Z.astype("float64")
        for s, g in set(zip(sizes.tolist(), groups.tolist(), strict=True)):
            sel = (sizes == s) & (groups == g)
            self.A[s, g] += Zf[sel].T @ Zf[sel]
            # per row a (p, c) @ (c, k) product on contiguous data: the same arithmetic whatever the batch
            self.b[rows, s, g] += np.matmul(Zf[sel].T, np.ascontiguousarray(y[:, sel]))
            self.count[s, g] += sel.sum()

    def system(self, rows: np.ndarray, p: int, drop: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Weighted (A, b) over all groups, or without group ``drop`` (each level reweighted to its mass)."""
        keep = np.ones(self.count.shape[1], dtype=bool)
        if drop is not None:
            keep[drop] = False
        n_s = self.count[:, keep].sum(axis=1)
        scale = np.zeros(p + 1)
        for s in range(1, p):
            if n_s[s] > 0:
                scale[s] = level_mass(p, s) / n_s[s]
        # Sums are elementwise, group by group and level by level: numpy's reductions may change their
        # summation order with the array's shape, and a row's result must not depend on the batch it is in.
        A, b = np.zeros(self.A.shape[2:]), np.zeros((len(rows), *self.b.shape[3:]))
        for level in np.flatnonzero(scale).tolist():
            for g in np.flatnonzero(keep).tolist():
                A += scale[level] * self.A[level, g]
                b += scale[level] * self.b[rows, level, g]
        return A, b


def kernel_shap(game: Game, budget: int, rng: np.random.Generator, *, tol: float | None = None,
                size_weights: str = "leverage", n_groups: int = 8, n_rounds: int = 8) -> Estimate:
    """Estimate Shapley values of ``game`` with at most ``budget`` coalition evaluations per row.

    Parameters
    ----------
    game : Game
    budget : int
        Hard cap on coalitions evaluated per row, the empty and full coalitions included (>= 4).
    rng : numpy Generator
        Source of the sampling plan (shared by all rows, so a row's result does not depend on the others).
    tol : float, optional
        Early-stopping threshold on ``max stderr / (max phi - min phi)``; None spends the whole budget.
    size_weights : {"leverage", "shapley"}
        How the budget is shared between coalition sizes (see :mod:`._plan`).
    n_groups : int
        Jackknife groups.
    n_rounds : int
        Rounds when ``tol`` is set.
    """
    p, n, k = game.n_players, game.n_rows, game.n_outputs
    if budget < 4 and p > 1:
        raise BudgetExceededError(f"Kernel SHAP needs a budget of at least 4 coalitions; got {budget}.",
                                  parameter="budget", expected=">= 4", got=budget)
    rows = np.arange(n)
    v0 = game(np.zeros((1, p), dtype=bool), rows)[:, 0]
    delta = game(np.ones((1, p), dtype=bool), rows)[:, 0] - v0
    if p == 1:
        return Estimate(delta[:, None, :], v0, np.zeros((n, 1, k)), game.evaluations.copy())
    plan = make_plan(p, budget - 2, rng, size_weights=size_weights, n_groups=n_groups)
    acc = _Accumulator(p, n, k, n_groups + 1)  # the last group holds the enumerated levels, never dropped
    if len(plan.enumerated):
        y = game(plan.enumerated, rows) - v0[:, None, :]
        acc.add(plan.enumerated, y, np.full(len(plan.enumerated), n_groups), rows)
    values, stderr = np.zeros((n, p, k)), np.zeros((n, p, k))
    active = rows
    for chunk in _rounds(plan, n_rounds if tol is not None else 1):
        if len(chunk):
            Z, groups = plan.sampled[chunk], plan.sampled_groups[chunk]
            acc.add(Z, game(Z, active) - v0[active][:, None, :], groups, active)
        values[active], stderr[active] = _estimate_rows(acc, active, p, delta[active], n_groups, plan)
        if tol is None:
            break
        active = active[~converged(values[active], stderr[active], tol)]
        if len(active) == 0:
            break
    return Estimate(values, v0, stderr, game.evaluations.copy())


def _rounds(plan: SamplingPlan, n_rounds: int) -> list[np.ndarray]:
    pairs = len(plan.sampled) // 2
    if pairs == 0:
        return [np.arange(0)]
    cuts = np.unique(np.linspace(0, pairs, n_rounds + 1).round().astype(int))
    return [np.arange(2 * a, 2 * b) for a, b in pairwise(cuts)]


def _estimate_rows(acc: _Accumulator, rows: np.ndarray, p: int, delta: np.ndarray, n_groups: int,
                   plan: SamplingPlan) -> tuple[np.ndarray, np.ndarray]:
    A, b = acc.system(rows, p, None)
    values = constrained_solve(A, b, delta)
    used = np.flatnonzero(acc.count[:, :n_groups].sum(axis=0) > 0)
    if len(plan.sampled) == 0 or len(used) < 2:
        return values, np.zeros_like(values)  # fully enumerated: exact
    replicates = np.stack([constrained_solve(*acc.system(rows, p, int(g)), delta) for g in used])
    g = len(used)
    stderr = np.sqrt((g - 1) / g * ((replicates - replicates.mean(axis=0)) ** 2).sum(axis=0))
    return values, stderr
