"""The chunked passes every gradient method runs: many inputs per explained row, in chunks, reduced per row.

Inputs are indexed by pairs (row, step) in row-major order (``step`` is an integration step, a noisy copy,
an occluded copy); a chunk is a contiguous run of pairs, so its rows are sorted and a per-row reduction is
one small matrix product (deterministic, unlike scatter-adds on a GPU).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

__all__ = ["backprop", "forward", "pairs", "segment_sum", "slices"]

#: ``build(rows, steps) -> module-layout tensor`` of the inputs of those (row, step) pairs.
Builder = Callable[[np.ndarray, np.ndarray], Any]


def pairs(counts: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and steps of every (row, step) pair, row-major, for ``counts[i]`` steps of row ``i``.

    >>> rows, steps = pairs([2, 3])
    >>> rows.tolist(), steps.tolist()
    ([0, 0, 1, 1, 1], [0, 1, 0, 1, 2])
    """
    counts = np.asarray(counts, dtype=np.int64)
    rows = np.repeat(np.arange(counts.size), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return rows, np.arange(rows.size) - starts


def slices(total: int, size: int) -> Iterator[slice]:
    """Consecutive slices of at most ``size`` items covering ``range(total)``."""
    for start in range(0, total, size):
        yield slice(start, min(start + size, total))


def backprop(adapter: Any, build: Builder, rows: np.ndarray, steps: np.ndarray, targets: Sequence[int],
             batch_size: int, consume: Callable[[slice, list[Any], Any], None]) -> None:
    """Gradients of each target output at every (row, step) input, handed to ``consume`` chunk by chunk.

    ``consume(part, grads, scores)`` gets the slice of pairs, one gradient tensor per target (module layout)
    and the detached outputs (c, k) of the chunk.

    One forward pass per chunk serves every target (the graph is kept for all but the last backward), and
    gradients are taken with respect to the inputs only. The caller holds ``adapter.evaluating(freeze=True)``.
    """
    import torch

    last = len(targets) - 1
    with torch.enable_grad():
        for part in slices(rows.size, batch_size):
            x = build(rows[part], steps[part]).requires_grad_(True)
            out = adapter.scores(x)
            grads = [torch.autograd.grad(out[:, t].sum(), x, retain_graph=i < last)[0]
                     for i, t in enumerate(targets)]
            consume(part, grads, out.detach())


def forward(adapter: Any, build: Builder, rows: np.ndarray, steps: np.ndarray, targets: Sequence[int],
            batch_size: int) -> np.ndarray:
    """Target outputs (len(rows), len(targets)) float64 at every (row, step) input, without gradients."""
    import torch

    out = np.empty((rows.size, len(targets)))
    with torch.no_grad():
        for part in slices(rows.size, batch_size):
            scores = adapter.scores(build(rows[part], steps[part]))[:, list(targets)]
            out[part] = scores.detach().cpu().double().numpy()
    return out


def segment_sum(rows: np.ndarray, weights: np.ndarray, values: Any) -> tuple[np.ndarray, Any]:
    """Per-row weighted sums of ``values`` (c, ...) whose rows are ``rows`` (c,), sorted: (rows (u,), (u, ...)).

    The product runs in the values' precision (a sum of a chunk's terms: float32 is ample) on their device;
    the sums come back in float64, to be accumulated across chunks without further loss.
    """
    import torch

    uniq, inverse = np.unique(rows, return_inverse=True)
    matrix = np.zeros((uniq.size, rows.size))
    matrix[inverse, np.arange(rows.size)] = weights
    flat = values.reshape(values.shape[0], -1)
    summed = torch.as_tensor(matrix, dtype=flat.dtype, device=values.device) @ flat
    return uniq, summed.double().reshape((uniq.size, *values.shape[1:]))
