"""Exact Shapley values by evaluating all ``2^p`` coalitions (Shapley, 1953)."""

from __future__ import annotations

from math import factorial

import numpy as np

from explicable.core.errors import BudgetExceededError
from explicable.explainers.shapley._estimate import Estimate
from explicable.explainers.shapley._game import Game

__all__ = ["all_coalitions", "exact_shapley"]


def all_coalitions(p: int) -> np.ndarray:
    """Every coalition of ``p`` players as a (2^p, p) bool array; row ``j`` is the bitmask ``j``."""
    return ((np.arange(2**p, dtype=np.int64)[:, None] >> np.arange(p)) & 1).astype(bool)


def exact_shapley(game: Game, budget: int | None = None) -> Estimate:
    """``phi_i = sum_{S not containing i} |S|! (p-|S|-1)! / p! (v(S + i) - v(S))`` over all coalitions.

    Raises
    ------
    BudgetExceededError
        When ``2^p`` exceeds ``budget``.
    """
    p, n = game.n_players, game.n_rows
    if budget is not None and 2**p > budget:
        raise BudgetExceededError(
            f"Exact Shapley values of {p} players need 2^{p} = {2**p} coalition evaluations per row; the budget "
            f"is {budget}. Raise the budget or use method='kernel'.", parameter="budget", got=budget)
    masks = np.arange(2**p, dtype=np.int64)
    v = game(all_coalitions(p), np.arange(n))  # (n, 2^p, k)
    sizes = np.array([bin(j).count("1") for j in range(2**p)])
    weight = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)])
    values = np.empty((n, p, game.n_outputs))
    for i in range(p):
        without = masks[(masks >> i) & 1 == 0]
        gains = np.ascontiguousarray(v[:, without | (1 << i)] - v[:, without])
        values[:, i] = np.matmul(weight[sizes[without]], gains)  # per row: the same arithmetic in any batch
    return Estimate(values, v[:, 0], None, game.evaluations.copy())
