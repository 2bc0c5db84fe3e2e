"""Integrals of the gradient along straight paths from a baseline to the input: the work of Integrated Gradients.

A path of row ``i`` is ``b_i + a (x_i - b_i)`` for ``a`` in [0, 1]. :meth:`Path.integrate` computes, for any
set of sub-intervals [lo, hi] of any rows, ``(x - b) * sum_j w_j grad f(b + a_j (x - b))`` with a quadrature
rule mapped onto each interval: one batched pass of every (interval, node) input through the model, in chunks.
:meth:`Path.outputs` evaluates the model at points of the paths (no gradients), which gives each interval's
exact integral ``f(hi) - f(lo)`` to measure the quadrature error against.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

import numpy as np

from explicable.explainers.gradient._base import Batch
from explicable.explainers.gradient._engine import backprop, forward, pairs, segment_sum

__all__ = ["RULES", "Path", "quadrature"]

RULES = ("gausslegendre", "riemann_trapezoid", "riemann_middle", "riemann_left", "riemann_right")


@lru_cache(maxsize=64)
def quadrature(rule: str, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``alpha`` in [0, 1] and weights of an ``n_steps``-point rule for the integral over [0, 1].

    The nodes are captum's (``gausslegendre`` maps numpy's Gauss-Legendre nodes from [-1, 1]). The
    weights sum to 1, so constants integrate exactly; captum's trapezoid weights are 1/n with halved ends,
    which sum to (n - 1)/n (its trapezoid attributions are ours times (n - 1)/n).

    >>> alphas, weights = quadrature("riemann_trapezoid", 3)
    >>> alphas.tolist(), weights.tolist()
    ([0.0, 0.5, 1.0], [0.25, 0.5, 0.25])
    """
    m = n_steps
    if rule == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(m)
        return 0.5 * (nodes + 1.0), 0.5 * weights
    if rule == "riemann_trapezoid":
        weights = np.full(m, 1.0 / (m - 1))
        weights[[0, -1]] /= 2
        return np.linspace(0.0, 1.0, m), weights
    offset = {"riemann_left": 0.0, "riemann_middle": 0.5, "riemann_right": 1.0}[rule]
    return (np.arange(m) + offset) / m, np.full(m, 1.0 / m)


class Path:
    """The straight paths of a batch's rows from ``base`` (1 or n inputs, module layout) to the inputs."""

    def __init__(self, batch: Batch, base: Any, shared: bool, batch_size: int) -> None:
        self.batch, self.base, self.shared, self.batch_size = batch, base, shared, batch_size
        self.diff = (batch.inputs - base).contiguous()
        self._buffer: Any = None

    def point(self, rows: np.ndarray, alphas: np.ndarray) -> Any:
        """The inputs ``b + a (x - b)`` of ``rows`` at ``alphas`` (module layout), written into one buffer
        reused chunk after chunk.

        Reuse matters on a CPU: a fresh multi-megabyte tensor per chunk is fresh pages from the system, and
        faulting them in cost as much as 20% of a chunk's forward+backward on 16 cores. It is safe because a
        chunk's backward pass is over before the next chunk is built (and frozen weights keep autograd from
        saving the inputs). Each run of equal rows is one fused multiply-add, with no gathered copy.
        """
        import torch

        diff, size = self.diff, rows.size
        if self._buffer is None or self._buffer.shape[0] < size:
            self._buffer = torch.empty((max(size, self.batch_size), *diff.shape[1:]), dtype=diff.dtype,
                                       device=diff.device)
        out = self._buffer[:size]
        alpha = torch.as_tensor(alphas, dtype=diff.dtype, device=diff.device).view((-1,) + (1,) * (diff.ndim - 1))
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(rows)) + 1, [size]])
        for a, b in itertools.pairwise(bounds):
            row = int(rows[a])
            start = self.base[:1] if self.shared else self.base[row:row + 1]
            torch.addcmul(start, alpha[a:b], diff[row:row + 1], out=out[a:b])
        return out

    def outputs(self, rows: np.ndarray, alphas: np.ndarray) -> np.ndarray:
        """Target outputs (len(rows), k) at the points ``alphas`` of the paths of ``rows``."""
        return forward(self.batch.adapter, lambda r, s: self.point(rows[r], alphas[r]), np.arange(rows.size),
                       np.zeros(rows.size, dtype=np.int64), self.batch.targets, self.batch_size)

    def integrate(self, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray, nodes: np.ndarray,
                  weights: np.ndarray) -> np.ndarray:
        """Attributions (P, n_features, k) of the intervals [lo_p, hi_p] of the paths of ``rows`` (P,).

        ``nodes`` and ``weights`` are a rule on [0, 1]; it is mapped onto each interval.
        """
        import torch

        batch, diff = self.batch, self.diff
        local, steps = pairs(np.full(rows.size, nodes.size))
        width = (hi - lo)[local]
        alphas = lo[local] + width * nodes[steps]
        item_weights = width * weights[steps]
        # per-interval sums of weighted gradients stay on the device until the end: each chunk adds to them
        totals = [torch.zeros((rows.size, *diff.shape[1:]), dtype=torch.float64, device=diff.device)
                  for _ in batch.targets]

        def consume(part: slice, grads: list[Any], _scores: Any) -> None:
            for total, grad in zip(totals, grads, strict=True):
                seg, summed = segment_sum(local[part], item_weights[part], grad)
                total[torch.as_tensor(seg, device=diff.device)] += summed

        backprop(batch.adapter, lambda r, s: self.point(rows[r], alphas[_positions(r, s, nodes.size)]), local, steps,
                 batch.targets, self.batch_size, consume)
        scale = diff.index_select(0, torch.as_tensor(rows, device=diff.device)).double()
        return np.stack([batch.flat(scale * total).cpu().numpy() for total in totals], axis=-1)


def _positions(local: np.ndarray, steps: np.ndarray, m: int) -> np.ndarray:
    """Positions in the row-major (interval, node) order of the pairs (local, steps)."""
    return np.asarray(local * m + steps)
