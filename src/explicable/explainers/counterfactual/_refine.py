"""From valid rows to k good counterfactuals: shortlist, sparsify, tighten, then pick k diverse ones.

- *sparsify*: revert each changed feature (the costliest first) where the row stays valid;
- *tighten*: move each changed numeric feature as close to the query as its grid allows while the row stays
  valid (a binary search on grid positions, all rows at once);
- *select*: the cheapest row, then greedily the row minimising ``cost - diversity * (distance to the nearest
  row already chosen)`` (a max-min rule), never a duplicate.

Only rows the model has called valid are ever kept, so every counterfactual returned is valid.
"""

from __future__ import annotations

import numpy as np

from explicable.explainers.counterfactual._constraints import FeatureSpace
from explicable.explainers.counterfactual._search import Evaluate, Grids

__all__ = ["select", "shortlist", "sparsify", "tighten"]


def _costs(space: FeatureSpace, Z: np.ndarray, z0: np.ndarray) -> np.ndarray:
    """Per-feature weighted distances (n, m)."""
    return space.distances(Z, z0) * space.costs


def shortlist(space: FeatureSpace, Z: np.ndarray, qid: np.ndarray, Z0: np.ndarray,
              n_keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows, at most ``n_keep`` per query, the cheapest first (ties in a fixed order)."""
    if len(Z) == 0:
        return Z, qid
    keys = np.column_stack([qid, np.nan_to_num(Z, nan=-np.inf)])
    _, first = np.unique(keys, axis=0, return_index=True)
    first = np.sort(first)
    Z, qid = Z[first], qid[first]
    cost = _costs(space, Z, Z0[qid]).sum(axis=1)
    order = np.lexsort((cost, qid))
    Z, qid = Z[order], qid[order]
    starts = np.searchsorted(qid, qid, "left")
    keep = np.arange(len(qid)) - starts < n_keep
    return Z[keep], qid[keep]


def sparsify(space: FeatureSpace, Z: np.ndarray, qid: np.ndarray, Z0: np.ndarray, evaluate: Evaluate) -> np.ndarray:
    """Revert changes that the outcome does not need, the costliest first; returns the new rows."""
    Z = Z.copy()
    contributions = _costs(space, Z, Z0[qid])
    order = np.argsort(-contributions, axis=1, kind="stable")
    n_changed = (contributions > 0).sum(axis=1)
    remaining = n_changed.copy()
    for t in range(int(n_changed.max(initial=0))):
        # reverting a row's last change gives the query back, which is never valid
        rows = np.flatnonzero((n_changed > t) & (remaining >= 2))
        if rows.size == 0:
            break
        f = order[rows, t]
        trial = Z[rows].copy()
        trial[np.arange(rows.size), f] = Z0[qid[rows], f]
        ok = evaluate(trial, qid[rows])
        Z[rows[ok]] = trial[ok]
        remaining[rows[ok]] -= 1
    return Z


def _path(grid: np.ndarray, x: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid positions from next to ``x`` toward ``v``: ``position(t) = first + step * t`` for t in [0, length]."""
    below_x = (grid < x[:, None]).sum(axis=1)
    upto_x = (grid <= x[:, None]).sum(axis=1)
    at_v = (grid < v[:, None]).sum(axis=1)
    up = v > x
    first = np.where(up, upto_x, below_x - 1)
    step = np.where(up, 1, -1)
    return first, step, np.abs(at_v - first)


#: Grid positions tried per row and step of the search toward the query: the interval shrinks by this plus
#: one each model call (a binary search tries one).
POINTS_PER_STEP = 7


def tighten(space: FeatureSpace, grids: Grids, Z: np.ndarray, qid: np.ndarray, Z0: np.ndarray,
            evaluate: Evaluate) -> np.ndarray:
    """Move changed numeric features toward the query while the row stays valid; returns the new rows."""
    Z = Z.copy()
    contributions = np.where(space.categorical, 0.0, _costs(space, Z, Z0[qid]))
    order = np.argsort(-contributions, axis=1, kind="stable")
    n_changed = (contributions > 0).sum(axis=1)
    for t in range(int(n_changed.max(initial=0))):
        rows = np.flatnonzero(n_changed > t)
        f = order[rows, t]
        grid = grids.values[f]
        first, step, length = _path(grid, Z0[qid[rows], f], Z[rows, f])
        # position -1 is the query's own value (invalid), ``length`` the row's value (valid)
        lo, hi = np.full(rows.size, -1), length.copy()
        while True:
            active = np.flatnonzero(hi - lo > 1)
            if active.size == 0:
                break
            fractions = np.arange(1, POINTS_PER_STEP + 1) / (POINTS_PER_STEP + 1)
            gap = (hi - lo)[active, None]
            points = np.clip(lo[active, None] + np.ceil(gap * fractions).astype(np.intp), lo[active, None] + 1,
                             hi[active, None] - 1)
            owner = np.repeat(active, POINTS_PER_STEP)
            trial = Z[rows[owner]].copy()
            trial[np.arange(owner.size), f[owner]] = grid[owner, first[owner] + step[owner] * points.reshape(-1)]
            ok = evaluate(trial, qid[rows[owner]]).reshape(-1, POINTS_PER_STEP)
            lowest_ok = np.where(ok, points, hi[active, None]).min(axis=1)
            highest_bad = np.where(~ok & (points < lowest_ok[:, None]), points, lo[active, None]).max(axis=1)
            hi[active], lo[active] = lowest_ok, highest_bad
        Z[rows, f] = grid[np.arange(rows.size), first + step * hi]
    return Z


def select(space: FeatureSpace, Z: np.ndarray, z0: np.ndarray, k: int, diversity: float) -> np.ndarray:
    """At most ``k`` distinct rows of ``Z`` (rows of one query ``z0``): cheap, and far from each other."""
    if len(Z) == 0:
        return Z
    keys = np.nan_to_num(Z, nan=-np.inf)
    _, first = np.unique(keys, axis=0, return_index=True)
    C = Z[np.sort(first)]
    cost = _costs(space, C, z0).sum(axis=1)
    chosen = [int(np.argmin(cost))]
    nearest = _costs(space, C, C[chosen[0]]).sum(axis=1)
    while len(chosen) < k:
        score = np.where(nearest > 0, cost - diversity * nearest, np.inf)
        if not np.isfinite(score).any():
            break
        pick = int(np.argmin(score))
        chosen.append(pick)
        nearest = np.minimum(nearest, _costs(space, C, C[pick]).sum(axis=1))
    return C[chosen]
