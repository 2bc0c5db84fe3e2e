"""Saliency: the gradient of an output with respect to the input (Simonyan et al., 2014)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.explainers.gradient._base import Batch, GradientExplainer, Result
from explicable.explainers.gradient._engine import backprop, pairs

__all__ = ["Saliency"]


class Saliency(GradientExplainer):
    """The gradient of each output with respect to each input value: the model's local linear slope.

    ``values[i, j, k]`` is d f_k / d x_j at row ``i`` (for images with ``channels="sum"``, summed over the
    pixel's channels). Signed by default: the sign says which way a feature moves the output, which
    ``absolute=True`` (Simonyan et al.'s map, captum's default) throws away; rankings by magnitude
    (``abs(values)``) remain one step away. A gradient is not an additive decomposition: ``base_values`` is
    the model's output f(x) and the values do not sum to it.

    Parameters
    ----------
    model : torch.nn.Module or TorchAdapter
    absolute : bool, default False
        Take the absolute value of each gradient (before summing channels).
    channels : {"sum", "keep"}, default "sum"
    batch_size : int, optional
        Inputs per forward+backward pass (default: automatic).
    output_names : sequence of str, optional

    Examples
    --------
    >>> import numpy as np, torch
    >>> linear = torch.nn.Linear(3, 1)
    >>> with torch.no_grad():
    ...     _ = linear.weight.copy_(torch.tensor([[1.0, -2.0, 0.5]]))
    >>> Saliency(linear).fit().explain(np.ones((1, 3))).values[:, :, 0].tolist()
    [[1.0, -2.0, 0.5]]
    """

    method = "saliency"

    def __init__(self, model: Any, *, absolute: bool = False, channels: str = "sum", batch_size: int | None = None,
                 output_names: Sequence[str] | None = None) -> None:
        super().__init__(model, channels=channels, batch_size=batch_size, output_names=output_names)
        if not isinstance(absolute, bool):
            raise InvalidParameterError(parameter="absolute", expected="True or False", got=absolute)
        self.absolute = absolute

    def get_params(self) -> dict[str, Any]:
        return {**super().get_params(), "absolute": self.absolute}

    def _compute(self, batch: Batch) -> Result:
        rows, steps = pairs(np.ones(batch.n, dtype=np.int64))
        size = batch.chunk(batch.n)
        parts: list[np.ndarray] = []
        outputs: list[np.ndarray] = []

        def consume(part: slice, grads: list[Any], scores: Any) -> None:
            block = [batch.flat(g.abs() if self.absolute else g).double().cpu().numpy() for g in grads]
            parts.append(np.stack(block, axis=-1))
            outputs.append(scores[:, batch.targets].double().cpu().numpy())

        with batch.adapter.evaluating(freeze=True):
            backprop(batch.adapter, lambda r, s: batch.inputs[r], rows, steps, batch.targets, size, consume)
        return Result(np.concatenate(parts), np.concatenate(outputs), budget_used=batch.n)
