"""Antithetic permutation sampling (Castro et al., 2009; Mitchell et al., 2022).

Each permutation adds players one by one; a player's marginal contribution when it joins is an unbiased
sample of its Shapley value, and the contributions of one permutation add up to ``v(N) - v(0)`` exactly.
Permutations come in antithetic pairs (a permutation and its reverse), whose average is the sampling unit:
the standard error is the spread of those pair averages over the square root of their number.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from explicable.core.errors import BudgetExceededError
from explicable.explainers.shapley._estimate import Estimate, converged
from explicable.explainers.shapley._game import Game

__all__ = ["permutation_shap"]


def _pair_contributions(game: Game, perms: np.ndarray, rows: np.ndarray, v0: np.ndarray,
                        vN: np.ndarray) -> np.ndarray:
    """Marginal contributions averaged over each antithetic pair: (len(rows), n_pairs, p, k)."""
    n_perm, p = perms.shape
    prefixes = np.zeros((n_perm, p - 1, p), dtype=bool)
    for j in range(1, p):
        np.put_along_axis(prefixes[:, j - 1], perms[:, :j], True, axis=1)
    inner = game(prefixes.reshape(-1, p), rows).reshape(len(rows), n_perm, p - 1, -1)
    chain = np.concatenate([np.broadcast_to(v0[rows][:, None, None], (len(rows), n_perm, 1, v0.shape[1])), inner,
                            np.broadcast_to(vN[rows][:, None, None], (len(rows), n_perm, 1, v0.shape[1]))], axis=2)
    steps = np.diff(chain, axis=2)  # step j: contribution of perms[:, j]
    contributions = np.zeros_like(steps)
    np.put_along_axis(contributions, perms[None, :, :, None], steps, axis=2)
    half = n_perm // 2
    return (contributions[:, :half] + contributions[:, half:]) / 2


def permutation_shap(game: Game, budget: int, rng: np.random.Generator, *, tol: float | None = None,
                     n_rounds: int = 8) -> Estimate:
    """Estimate Shapley values with antithetic permutations, at most ``budget`` coalitions per row.

    Each antithetic pair costs ``2 (p - 1)`` coalitions (the empty and full ones are shared).
    """
    p, n, k = game.n_players, game.n_rows, game.n_outputs
    pairs = (budget - 2) // (2 * max(p - 1, 1))
    if pairs < 2 and p > 1:
        raise BudgetExceededError(
            f"Permutation sampling of {p} players needs at least {2 + 4 * (p - 1)} coalition evaluations per row "
            f"(two antithetic pairs, for an error estimate); the budget is {budget}.", parameter="budget", got=budget)
    rows = np.arange(n)
    v0 = game(np.zeros((1, p), dtype=bool), rows)[:, 0]
    vN = game(np.ones((1, p), dtype=bool), rows)[:, 0]
    if p == 1:
        return Estimate((vN - v0)[:, None, :], v0, np.zeros((n, 1, k)), game.evaluations.copy())
    forward = np.argsort(rng.random((pairs, p)), axis=1)
    samples: list[np.ndarray] = [np.zeros((0, p, k))] * n
    values, stderr = np.zeros((n, p, k)), np.zeros((n, p, k))
    active = rows
    cuts = np.unique(np.linspace(0, pairs, (n_rounds if tol is not None else 1) + 1).round().astype(int))
    for a, b in pairwise(cuts):
        if b - a < 1:
            continue
        perms = np.concatenate([forward[a:b], forward[a:b, ::-1]])
        new = _pair_contributions(game, perms, active, v0, vN)
        for idx, r in enumerate(active):
            samples[r] = np.concatenate([samples[r], new[idx]])
            values[r] = samples[r].mean(axis=0)
            m = len(samples[r])
            stderr[r] = samples[r].std(axis=0, ddof=1) / np.sqrt(m) if m > 1 else np.inf
        if tol is None:
            continue
        active = active[~converged(values[active], stderr[active], tol)]
        if len(active) == 0:
            break
    return Estimate(values, v0, stderr, game.evaluations.copy())
