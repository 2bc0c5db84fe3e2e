"""SmoothGrad (Smilkov et al., 2017): the gradient averaged over noisy copies of the input, with its error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.random import make_rng
from explicable.core.validation import check_int, check_number, check_random_state
from explicable.explainers.gradient._base import Batch, GradientExplainer, Result
from explicable.explainers.gradient._engine import backprop, forward, pairs, segment_sum

__all__ = ["SmoothGrad"]


class SmoothGrad(GradientExplainer):
    """The mean gradient of each output over ``n_samples`` copies of the input with Gaussian noise added.

    For input ``x`` the noise has standard deviation ``noise * (max(x) - min(x))`` (Smilkov et al.'s noise
    level, a fraction of the input's range). ``values`` estimate E[d f_k / d x_j (x + e)] (summed over a
    pixel's channels with ``channels="sum"``, per copy, before averaging); ``stderr`` is the standard
    deviation of the sampled gradients over sqrt(n_samples), the standard error of that mean. Like the
    gradient, not additive: ``base_values`` is the model's output f(x).

    Each row's noise comes from its own stream, seeded by ``random_state`` and the row's position, and is
    drawn in the public (channels-last) layout: the same seed and inputs give byte-identical results whatever
    the chunk size or the module's layout.

    Parameters
    ----------
    model : torch.nn.Module or TorchAdapter
    n_samples : int, default 50
    noise : float, default 0.15
        Noise standard deviation as a fraction of each input's range (0: the plain gradient).
    random_state : int, optional
    channels : {"sum", "keep"}, default "sum"
    batch_size : int, optional
        Noisy inputs per forward+backward pass (default: automatic).
    output_names : sequence of str, optional

    Examples
    --------
    >>> import numpy as np, torch
    >>> linear = torch.nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = linear.weight.copy_(torch.tensor([[3.0, -1.0]]))
    >>> exp = SmoothGrad(linear, n_samples=8, random_state=0).fit().explain(np.array([[0.0, 1.0]]))
    >>> exp.values[0, :, 0].tolist(), exp.stderr[0, :, 0].tolist()  # a linear model's gradient is constant
    ([3.0, -1.0], [0.0, 0.0])
    """

    method = "smoothgrad"

    def __init__(self, model: Any, *, n_samples: int = 50, noise: float = 0.15, random_state: int | None = None,
                 channels: str = "sum", batch_size: int | None = None,
                 output_names: Sequence[str] | None = None) -> None:
        super().__init__(model, channels=channels, batch_size=batch_size, output_names=output_names)
        self.n_samples = check_int(n_samples, "n_samples", low=2)
        self.noise = check_number(noise, "noise", low=0)
        self.random_state = check_random_state(random_state)

    def get_params(self) -> dict[str, Any]:
        return {**super().get_params(), "n_samples": self.n_samples, "noise": self.noise}

    def _fit_extra(self) -> None:
        _, self.seed_ = make_rng(self.random_state)

    def _compute(self, batch: Batch) -> Result:
        import torch

        adapter, n, s = batch.adapter, batch.n, self.n_samples
        spread = self.noise * (batch.x.reshape(n, -1).max(axis=1) - batch.x.reshape(n, -1).min(axis=1))
        rows, steps = pairs(np.full(n, s))
        noises = _NoiseCache(self.seed_, batch, spread, s)
        features = batch.flat(batch.inputs[:1]).shape[1]
        # sums of the gradients minus each row's first sampled gradient: a shift near the mean keeps the
        # variance free of cancellation (identical samples give exactly 0)
        shifts = [torch.zeros((n, features), dtype=torch.float64, device=batch.inputs.device) for _ in batch.targets]
        sums = [torch.zeros_like(t) for t in shifts]
        squares = [torch.zeros_like(t) for t in shifts]

        def build(r: np.ndarray, st: np.ndarray) -> Any:
            return torch.cat([batch.inputs[i:i + 1] + noises.get(i)[st[r == i]] for i in np.unique(r)])

        def consume(part: slice, grads: list[Any], _scores: Any) -> None:
            ones = np.ones(part.stop - part.start)
            first = np.flatnonzero(steps[part] == 0)
            owner = torch.as_tensor(rows[part], device=batch.inputs.device)
            for shift, total, square, grad in zip(shifts, sums, squares, grads, strict=True):
                flat = batch.flat(grad).double()
                shift[torch.as_tensor(rows[part][first], device=flat.device)] = flat[torch.as_tensor(first)]
                centred = flat - shift.index_select(0, owner)
                seg, summed = segment_sum(rows[part], ones, centred)
                _, summed_sq = segment_sum(rows[part], ones, centred * centred)
                index = torch.as_tensor(seg, device=flat.device)
                total[index] += summed
                square[index] += summed_sq

        with adapter.evaluating(freeze=True):
            size = batch.chunk(n * s)
            backprop(adapter, build, rows, steps, batch.targets, size, consume)
            base = forward(adapter, lambda r, st: batch.inputs[r], np.arange(n), np.zeros(n, dtype=np.int64),
                           batch.targets, size)
        shift = np.stack([t.cpu().numpy() for t in shifts], axis=-1)
        centred = np.stack([t.cpu().numpy() for t in sums], axis=-1) / s
        second = np.stack([t.cpu().numpy() for t in squares], axis=-1) / s
        variance = np.maximum(second - centred * centred, 0.0) * s / (s - 1)
        mean = shift + centred
        return Result(mean, base, budget_used=n * s + n, stderr=np.sqrt(variance / s))


class _NoiseCache:
    """Each row's noise (n_samples, *input) in the module's layout, drawn once and dropped once passed."""

    def __init__(self, seed: int, batch: Batch, spread: np.ndarray, n_samples: int) -> None:
        self.seed, self.batch, self.spread, self.n_samples = seed, batch, spread, n_samples
        self.rows: dict[int, Any] = {}

    def get(self, row: int) -> Any:
        row = int(row)
        if row not in self.rows:
            for old in [r for r in self.rows if r < row]:
                del self.rows[old]  # chunks walk the rows in order
            rng = np.random.default_rng(np.random.SeedSequence([self.seed, row]))
            draws = rng.standard_normal((self.n_samples, *self.batch.x.shape[1:]))
            self.rows[row] = self.batch.adapter.module_input(draws * self.spread[row])
        return self.rows[row]
