"""The model-agnostic search: batched random changes of a few features at a time, drawn from each grid.

For every query, all single-feature changes are tried first (up to ``enumerate_cap`` values a feature), then
``n_samples`` random rows changing 2, 3, ... features (chosen with probability inversely proportional to
their cost), until the query has enough valid rows or ``max_changes`` is reached. All queries' rows of a
round go to the model together (one predict per ``batch_rows``). Each query has its own generator, so its
counterfactuals do not depend on which other queries share the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from explicable.explainers.counterfactual._constraints import FeatureSpace

__all__ = ["Evaluate", "Grids", "Moves", "SearchSettings", "candidates", "grids_of", "moves_of"]

#: ``(rows (n, m) in code space, query index (n,)) -> valid (n,) bool``: the model, called once per batch.
Evaluate = Callable[[np.ndarray, np.ndarray], np.ndarray]

#: Changes of this many features are always tried, even when single changes already give enough valid rows:
#: two small changes are often closer than one large one.
MIN_CHANGES_TRIED = 2


@dataclass(frozen=True)
class SearchSettings:
    """How hard to search: ``n_samples`` rows per query and round; stop a query at ``enough`` valid rows."""

    n_samples: int
    max_changes: int
    enough: int
    enumerate_cap: int = 32


@dataclass(frozen=True)
class Grids:
    """Every feature's grid, padded with NaN into one (m, G) array, and their sizes (m,)."""

    values: np.ndarray
    sizes: np.ndarray


@dataclass(frozen=True)
class Moves:
    """For each query and feature (q, m): grid positions ``[lo, hi)`` a change may take, minus the query's own."""

    lo: np.ndarray
    hi: np.ndarray
    own: np.ndarray
    has_own: np.ndarray

    @property
    def count(self) -> np.ndarray:
        return np.maximum(self.hi - self.lo - self.has_own, 0)

    def position(self, q: int | np.ndarray, j: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The grid position of the ``u``-th allowed change of feature ``j`` for query ``q``."""
        idx = self.lo[q, j] + u
        return np.asarray(idx + (self.has_own[q, j] & (idx >= self.own[q, j])))


def grids_of(space: FeatureSpace) -> Grids:
    sizes = np.array([f.grid.size for f in space.features], dtype=np.intp)
    values = np.full((len(space.features), max(int(sizes.max(initial=0)), 1)), np.nan)
    for j, spec in enumerate(space.features):
        values[j, : spec.grid.size] = spec.grid
    return Grids(values, sizes)


def moves_of(space: FeatureSpace, Z0: np.ndarray) -> Moves:
    """Allowed grid positions for the queries ``Z0`` (q, m): monotone directions cut each grid at the query."""
    q, m = Z0.shape
    lo, hi = np.zeros((q, m), np.intp), np.zeros((q, m), np.intp)
    own, has_own = np.zeros((q, m), np.intp), np.zeros((q, m), bool)
    for j, spec in enumerate(space.features):
        x, grid = Z0[:, j], spec.grid
        known = np.isfinite(x)
        if not spec.mutable:
            continue
        left, right = np.searchsorted(grid, x, "left"), np.searchsorted(grid, x, "right")
        lo[:, j] = right if spec.direction > 0 else 0
        hi[:, j] = left if spec.direction < 0 else grid.size
        own[:, j] = left
        has_own[:, j] = right > left  # the query's own value is on the grid (and is skipped)
        hi[~known, j] = lo[~known, j]  # a missing value is left alone
        has_own[~known, j] = False
    has_own &= (own >= lo) & (own < hi)
    return Moves(lo, hi, own, has_own)


def _singles(Z0: np.ndarray, q: int, grids: Grids, moves: Moves, cap: int) -> np.ndarray:
    """Every single-feature change of query ``q`` (at most ``cap`` evenly spaced values a feature)."""
    blocks = []
    for j in np.flatnonzero(moves.count[q] > 0):
        count = int(moves.count[q, j])
        u = np.unique(np.round(np.linspace(0, count - 1, min(count, cap))).astype(np.intp))
        rows = np.repeat(Z0[q][None, :], u.size, axis=0)
        rows[:, j] = grids.values[j, moves.position(q, np.full(u.size, j), u)]
        blocks.append(rows)
    return np.concatenate(blocks) if blocks else np.empty((0, Z0.shape[1]))


def _sample(Z0: np.ndarray, q: int, s: int, n: int, rng: np.random.Generator, costs: np.ndarray,
            grids: Grids, moves: Moves) -> np.ndarray:
    """``n`` rows changing ``s`` features of query ``q``, features drawn with probability ~ 1 / cost."""
    eligible = np.flatnonzero(moves.count[q] > 0)
    if eligible.size < s:
        return np.empty((0, Z0.shape[1]))
    # an exponential race: the smallest of Exp(rate 1/cost) draws wins with probability ~ 1 / cost
    keys = rng.exponential(size=(n, eligible.size)) * costs[eligible]
    chosen = eligible[np.argsort(keys, axis=1, kind="stable")[:, :s]]
    u = np.floor(rng.random((n, s)) * moves.count[q, chosen]).astype(np.intp)
    rows = np.repeat(Z0[q][None, :], n, axis=0)
    rows[np.arange(n)[:, None], chosen] = grids.values[chosen, moves.position(q, chosen, u)]
    return rows


def candidates(space: FeatureSpace, Z0: np.ndarray, rngs: Sequence[np.random.Generator], evaluate: Evaluate,
               settings: SearchSettings) -> tuple[np.ndarray, np.ndarray, int]:
    """Valid rows found for the queries ``Z0`` (q, m).

    Returns
    -------
    rows : ndarray (n, m)
        Valid rows in code space.
    query : ndarray (n,)
        The query each row belongs to.
    evaluated : int
        Rows sent to the model.
    """
    grids, moves = grids_of(space), moves_of(space, Z0)
    n_queries, m = Z0.shape
    n_eligible = (moves.count > 0).sum(axis=1)
    # the first round holds the single changes and every size up to MIN_CHANGES_TRIED: one model call
    blocks = [np.concatenate([_singles(Z0, q, grids, moves, settings.enumerate_cap)]
                             + [_sample(Z0, q, s, settings.n_samples, rngs[q], space.costs, grids, moves)
                                for s in range(2, min(MIN_CHANGES_TRIED, settings.max_changes) + 1)])
              for q in range(n_queries)]
    s = min(MIN_CHANGES_TRIED, settings.max_changes)
    found_rows: list[np.ndarray] = []
    found_query: list[np.ndarray] = []
    n_found = np.zeros(n_queries, np.intp)
    evaluated = 0
    while True:
        qid = np.repeat(np.arange(n_queries), [len(b) for b in blocks])
        Z = np.concatenate(blocks) if blocks else np.empty((0, m))
        if len(Z):
            ok = evaluate(Z, qid)
            evaluated += len(Z)
            found_rows.append(Z[ok])
            found_query.append(qid[ok])
            n_found += np.bincount(qid[ok], minlength=n_queries)
        s += 1
        active = (n_found < settings.enough) & (n_eligible >= s)
        if s > settings.max_changes or not active.any():
            break
        blocks = [_sample(Z0, q, s, settings.n_samples, rngs[q], space.costs, grids, moves) if active[q]
                  else np.empty((0, m)) for q in range(n_queries)]
    rows = np.concatenate(found_rows) if found_rows else np.empty((0, m))
    query = np.concatenate(found_query) if found_query else np.empty(0, np.intp)
    return rows, query, evaluated
