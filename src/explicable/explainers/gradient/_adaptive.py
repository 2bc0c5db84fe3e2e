"""Adaptive refinement of Integrated Gradients where the quadrature misses completeness.

Along a path the integrand ``grad f . (x - b)`` of a ReLU network jumps at every activation kink, so a fixed
rule converges slowly (error ~ 1/steps) and doubling the steps everywhere wastes them on smooth stretches.
Here a row that misses the bound is integrated on a mesh of sub-intervals, each with a ``PIECE``-point
Gauss-Legendre rule; the exact integral of an interval is known, ``f(hi) - f(lo)`` (a forward pass at its
ends), so every interval's own error is measured, and the intervals that carry the error are halved until
the row's total error meets the bound or its step budget is spent. Steps go where the kinks are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explicable.explainers.gradient._paths import Path, quadrature

__all__ = ["PIECE", "first_mesh", "refine"]

#: Gauss-Legendre points per sub-interval.
PIECE = 5


def first_mesh(n_steps: int) -> int:
    """Intervals of the uniform mesh a refined row starts from: about ``n_steps`` points in all."""
    return max(2, -(-n_steps // PIECE))


@dataclass
class _Mesh:
    """The intervals of one row: ends, outputs at the ends (L, k), attributions (L, F, k)."""

    lo: np.ndarray
    hi: np.ndarray
    f_lo: np.ndarray
    f_hi: np.ndarray
    values: np.ndarray

    def errors(self) -> np.ndarray:
        """Each interval's quadrature error (L, k): its attributions' sum minus its exact integral."""
        return np.asarray(self.values.sum(axis=1) - (self.f_hi - self.f_lo))

    def replace(self, split: np.ndarray, mids: np.ndarray, f_mid: np.ndarray, halves: np.ndarray) -> None:
        """Halve the intervals ``split`` (positions) at ``mids``; ``halves`` (2 per interval, left then right)."""
        keep = np.setdiff1d(np.arange(self.lo.size), split)
        lo = np.concatenate([self.lo[keep], self.lo[split], mids])
        hi = np.concatenate([self.hi[keep], mids, self.hi[split]])
        f_lo = np.concatenate([self.f_lo[keep], self.f_lo[split], f_mid])
        f_hi = np.concatenate([self.f_hi[keep], f_mid, self.f_hi[split]])
        values = np.concatenate([self.values[keep], halves[0::2], halves[1::2]])
        order = np.argsort(lo, kind="stable")
        self.lo, self.hi, self.f_lo, self.f_hi, self.values = lo[order], hi[order], f_lo[order], f_hi[order], \
            values[order]


def refine(path: Path, rows: np.ndarray, f_x: np.ndarray, f_b: np.ndarray, bound: np.ndarray, n_steps: int,
           max_steps: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Attributions (R, F, k) of ``rows`` on adaptive meshes, the gradient steps each used beyond the first
    ``n_steps`` (R,), and the forward evaluations spent on interval ends.

    ``f_x``, ``f_b`` and ``bound`` are (R, k): outputs at the input and the baseline, and the allowed
    |completeness error|. Each row starts from a uniform mesh of about ``n_steps`` points and stops at the
    bound or when another halving would pass ``max_steps`` steps in all (counting the first pass).
    """
    nodes, weights = quadrature("gausslegendre", PIECE)
    pieces = first_mesh(n_steps)
    edges = np.linspace(0.0, 1.0, pieces + 1)
    r_idx = np.repeat(rows, pieces)
    lo, hi = np.tile(edges[:-1], rows.size), np.tile(edges[1:], rows.size)
    inner = path.outputs(np.repeat(rows, pieces - 1), np.tile(edges[1:-1], rows.size)).reshape(rows.size,
                                                                                               pieces - 1, -1)
    first = path.integrate(r_idx, lo, hi, nodes, weights).reshape(rows.size, pieces, -1, f_x.shape[1])
    meshes = []
    for i in range(rows.size):
        ends = np.concatenate([f_b[i][None], inner[i], f_x[i][None]])
        meshes.append(_Mesh(edges[:-1].copy(), edges[1:].copy(), ends[:-1], ends[1:], first[i]))
    used = np.full(rows.size, n_steps + pieces * PIECE)
    evaluated = rows.size * (pieces - 1)
    while True:
        plan = _plan(meshes, bound, used, max_steps)
        if not plan:
            break
        evaluated += _split(path, rows, meshes, plan, nodes, weights)
        for i, chosen in plan.items():
            used[i] += 2 * PIECE * chosen.size
    values = np.stack([mesh.values.sum(axis=0) for mesh in meshes])
    return values, used, evaluated


def _plan(meshes: list[_Mesh], bound: np.ndarray, used: np.ndarray, max_steps: int) -> dict[int, np.ndarray]:
    """Per unfinished row, the intervals to halve: those with |error| >= bound / (number of intervals),
    the largest first, as many as the step budget allows."""
    plan = {}
    for i, mesh in enumerate(meshes):
        errors = mesh.errors()
        if (np.abs(errors.sum(axis=0)) <= bound[i]).all():
            continue
        score = (np.abs(errors) / bound[i]).max(axis=1)
        chosen = np.flatnonzero(score * mesh.lo.size >= 1.0)
        room = (max_steps - int(used[i])) // (2 * PIECE)
        chosen = chosen[np.argsort(-score[chosen], kind="stable")][:room]
        if chosen.size:
            plan[i] = np.sort(chosen)
    return plan


def _split(path: Path, rows: np.ndarray, meshes: list[_Mesh], plan: dict[int, np.ndarray], nodes: np.ndarray,
           weights: np.ndarray) -> int:
    """Halve the planned intervals of every row in one batched pass; returns the forward evaluations used."""
    owners = np.concatenate([np.full(chosen.size, i) for i, chosen in plan.items()])
    lo = np.concatenate([meshes[i].lo[chosen] for i, chosen in plan.items()])
    hi = np.concatenate([meshes[i].hi[chosen] for i, chosen in plan.items()])
    mids = (lo + hi) / 2
    f_mid = path.outputs(rows[owners], mids)
    halves = path.integrate(np.repeat(rows[owners], 2), np.stack([lo, mids], axis=1).reshape(-1),
                            np.stack([mids, hi], axis=1).reshape(-1), nodes, weights)
    start = 0
    for i, chosen in plan.items():
        stop = start + chosen.size
        meshes[i].replace(chosen, mids[start:stop], f_mid[start:stop], halves[2 * start:2 * stop])
        start = stop
    return int(mids.size)
