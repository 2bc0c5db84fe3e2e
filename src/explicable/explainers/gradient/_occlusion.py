"""Occlusion (Zeiler & Fergus, 2014): slide a window of baseline values over the input, record the output drop."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.explainers.gradient._base import Batch, GradientExplainer, Result
from explicable.explainers.gradient._baselines import check_baseline, resolve_baseline
from explicable.explainers.gradient._engine import forward, pairs

__all__ = ["Occlusion", "window_starts"]


def window_starts(length: int, window: int, stride: int) -> list[int]:
    """Window starts along an axis: every ``stride``, plus one flush with the end so every position is covered.

    >>> window_starts(10, 4, 4), window_starts(8, 4, 2)
    ([0, 4, 6], [0, 2, 4])
    """
    starts = list(range(0, length - window + 1, stride))
    if starts[-1] != length - window:
        starts.append(length - window)
    return starts


class Occlusion(GradientExplainer):
    """The drop of each output when a window of the input is replaced by the baseline, averaged per feature.

    Every window position ``p`` (images: ``window`` rows x columns, all channels; rows: ``window``
    consecutive features) gives ``drop_p = f(x) - f(x with the window set to the baseline)``; a feature's
    value is the mean drop of the windows covering it (captum's ``Occlusion``). Windows start every
    ``stride`` and one more sits flush with the far edge, so every feature is covered. Exact (no sampling),
    one forward pass per window position, no gradients; values are one per pixel for images. Not additive:
    ``base_values`` is the model's output f(x).

    Parameters
    ----------
    model : torch.nn.Module or TorchAdapter
    window : int or (int, int), optional
        Window size: (8, 8) pixels for images by default (an int is a square), 1 feature for rows.
    stride : int or (int, int), optional
        Step between window starts; default the window size (windows tile the input).
    baseline : {"zeros", "blur", "mean"}, float or array, default 0.0
        What an occluded window shows (as for :class:`IntegratedGradients`).
    batch_size : int, optional
        Occluded inputs per forward pass (default: automatic).
    output_names : sequence of str, optional

    Examples
    --------
    >>> import numpy as np, torch
    >>> linear = torch.nn.Linear(3, 1, bias=False)
    >>> with torch.no_grad():
    ...     _ = linear.weight.copy_(torch.tensor([[1.0, 2.0, 3.0]]))
    >>> Occlusion(linear).fit().explain(np.array([[1.0, 1.0, 2.0]])).values[0, :, 0].tolist()
    [1.0, 2.0, 6.0]
    """

    method = "occlusion"
    per_pixel = True

    def __init__(self, model: Any, *, window: Any = None, stride: Any = None, baseline: Any = 0.0,
                 batch_size: int | None = None, output_names: Sequence[str] | None = None) -> None:
        super().__init__(model, channels="sum", batch_size=batch_size, output_names=output_names)
        self.window = None if window is None else _sizes(window, "window")
        self.stride = None if stride is None else _sizes(stride, "stride")
        self.baseline = check_baseline(baseline)

    def get_params(self) -> dict[str, Any]:
        baseline = self.baseline.tolist() if isinstance(self.baseline, np.ndarray) else self.baseline
        return {"window": None if self.window is None else list(self.window),
                "stride": None if self.stride is None else list(self.stride), "baseline": baseline,
                "batch_size": self.batch_size}

    def _compute(self, batch: Batch) -> Result:
        import torch

        adapter, n = batch.adapter, batch.n
        masks = self._masks(batch)  # (P, *input) bool, public layout
        base_np, shared = resolve_baseline(self.baseline, batch.x, image=batch.image, background=self.background_)
        base = adapter.module_input(base_np)
        # masks in the module's layout, with a channel axis of 1 that broadcasts over the channels
        layout = torch.as_tensor(masks, device=base.device)
        if batch.image:
            layout = layout[:, None] if adapter.channels_first else layout[..., None]
        rows, steps = pairs(np.full(n, masks.shape[0]))

        def build(r: np.ndarray, s: np.ndarray) -> Any:
            index = torch.as_tensor(r, device=base.device)
            hidden = base if shared else base.index_select(0, index)
            return torch.where(layout[torch.as_tensor(s, device=base.device)], hidden,
                               batch.inputs.index_select(0, index))

        with adapter.evaluating():
            size = batch.chunk(rows.size, backward=False)
            occluded = forward(adapter, build, rows, steps, batch.targets, size)
            fx = forward(adapter, lambda r, s: batch.inputs[r], np.arange(n), np.zeros(n, dtype=np.int64),
                         batch.targets, size)
        drops = fx[:, None, :] - occluded.reshape(n, masks.shape[0], -1)  # (n, P, k)
        cover = masks.reshape(masks.shape[0], -1).astype("float64")  # (P, features)
        values = np.einsum("npk,pf->nfk", drops, cover) / cover.sum(axis=0)[None, :, None]
        return Result(values, fx, budget_used=n * masks.shape[0] + n)

    def _masks(self, batch: Batch) -> np.ndarray:
        """The windows as boolean masks (P, H, W) for images, (P, m) for rows."""
        shape = batch.x.shape[1:3] if batch.image else batch.x.shape[1:]
        window = _per_axis(self.window or ((8, 8) if batch.image else (1,)), "window", shape)
        stride = _per_axis(self.stride or window, "stride", shape)
        if any(w > s for w, s in zip(window, shape, strict=True)):
            raise InvalidParameterError(parameter="window", expected=f"at most the input size {list(shape)}",
                                        got=list(window))
        grids = [window_starts(length, w, s) for length, w, s in zip(shape, window, stride, strict=True)]
        starts = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1).reshape(-1, len(shape))
        masks = np.zeros((starts.shape[0], *shape), dtype=bool)
        for p, start in enumerate(starts):
            region: tuple[Any, ...] = (p, *(slice(a, a + w) for a, w in zip(start, window, strict=True)))
            masks[region] = True
        return masks


def _sizes(value: Any, name: str) -> tuple[int, ...]:
    items = value if isinstance(value, (tuple, list)) else (value,)
    ok = 1 <= len(items) <= 2 and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
                                      for v in items)
    if not ok:
        raise InvalidParameterError(parameter=name, expected="a positive int or a pair of positive ints", got=value)
    return tuple(int(v) for v in items)


def _per_axis(value: tuple[int, ...], name: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    if len(value) == 1 and len(shape) == 2:
        value = value * 2  # an int is a square window
    if len(value) != len(shape):
        raise InvalidParameterError(parameter=name, expected=f"{len(shape)} size(s) for inputs of shape {list(shape)}",
                                    got=list(value))
    return value
