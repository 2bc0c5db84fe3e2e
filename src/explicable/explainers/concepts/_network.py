"""The network side of concept methods: a layer of a PyTorch image model, its activations and their gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError, UnsupportedModelError

__all__ = ["LayerProbe", "check_images"]


def check_images(images: Any, name: str) -> np.ndarray:
    """Images as float32 (n, H, W, C), at least one."""
    arr = np.asarray(images)
    if arr.ndim != 4 or arr.shape[0] == 0 or not np.issubdtype(arr.dtype, np.number):
        raise InvalidDataError(parameter=name, expected="numeric images (n, H, W, C) with n >= 1", got=images)
    arr = arr.astype("float32", copy=False)
    if not np.isfinite(arr).all():
        raise InvalidDataError(parameter=name, expected="finite pixel values", got=images)
    return arr


class LayerProbe:
    """Reads one layer of a PyTorch image model: flattened activations, and gradients of an output there.

    Parameters
    ----------
    model : torch.nn.Module or explicable.models.torch.TorchAdapter
        A plain module takes torch's channels-first images (n, C, H, W); an adapter builds the module's input
        itself (``module_input``), so channels-last modules and other devices work.
    layer : str, torch.nn.Module or None
        A name from ``named_modules()``, the module itself, or None for the last convolution.
    batch_size : int
        Images per forward (and backward) pass.
    """

    def __init__(self, model: Any, layer: Any, batch_size: int) -> None:
        try:
            import torch
        except ImportError as exc:  # pragma: no cover - exercised only without the extra
            raise UnsupportedModelError("concept methods need PyTorch: pip install explicable[deep]") from exc
        inner = getattr(model, "model", None)
        if isinstance(model, torch.nn.Module):
            self.module, self.adapter = model, None
        elif isinstance(inner, torch.nn.Module) and hasattr(model, "module_input"):
            self.module, self.adapter = inner, model
        else:
            raise UnsupportedModelError(parameter="model", expected="a torch.nn.Module or a TorchAdapter",
                                        got=type(model).__name__)
        self.layer_name, self.layer = _find_layer(self.module, layer)
        self.batch_size = batch_size

    @property
    def output_names(self) -> Sequence[str] | None:
        return None if self.adapter is None else tuple(self.adapter.output_names)

    def _input(self, images: np.ndarray) -> Any:
        import torch

        if self.adapter is not None:
            return self.adapter.module_input(images)
        param = next(iter(self.module.parameters()), None)
        device = param.device if param is not None else torch.device("cpu")
        return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).to(device)

    def _run(self, images: np.ndarray, target: int | None) -> np.ndarray:
        """Activations (target None) or gradients of output ``target`` w.r.t. the layer, flattened (n, D)."""
        import torch

        captured: list[Any] = []

        def hook(_module: Any, _inputs: Any, output: Any) -> None:
            if not isinstance(output, torch.Tensor):
                raise UnsupportedModelError(parameter="layer", expected="a layer whose output is one tensor",
                                            got=type(output).__name__)
            captured.append(output)

        handle = self.layer.register_forward_hook(hook)
        was_training = self.module.training
        self.module.eval()  # the function the model computes at prediction time (dropout off, BN statistics)
        parts = []
        try:
            for start in range(0, images.shape[0], self.batch_size):
                captured.clear()
                batch = self._input(images[start:start + self.batch_size])
                parts.append(self._batch(batch, captured, target))
        finally:
            handle.remove()
            self.module.train(was_training)
        return np.concatenate(parts)

    def _batch(self, batch: Any, captured: list[Any], target: int | None) -> np.ndarray:
        import torch

        if target is None:
            with torch.no_grad():
                self.module(batch)
            return _flat(captured[0])
        with torch.enable_grad():
            out = self.module(batch)
            out = out.reshape(out.shape[0], -1)
            if not 0 <= target < out.shape[1]:
                raise InvalidParameterError(parameter="target", expected=f"an output index below {out.shape[1]}",
                                            got=target)
            # Rows are independent in eval mode, so the gradient of the sum is each row's own gradient.
            (grad,) = torch.autograd.grad(out[:, target].sum(), captured[0])
        return _flat(grad)

    def activations(self, images: np.ndarray) -> np.ndarray:
        """The layer's activations, flattened: (n, D) float64."""
        return self._run(images, None)

    def gradients(self, images: np.ndarray, target: int) -> np.ndarray:
        """d output[target] / d activations, flattened: (n, D) float64."""
        return self._run(images, target)


def _flat(tensor: Any) -> np.ndarray:
    return np.asarray(tensor.detach().cpu().reshape(tensor.shape[0], -1).numpy(), dtype="float64")


def _find_layer(module: Any, layer: Any) -> tuple[str, Any]:
    import torch

    named = dict(module.named_modules())
    if layer is None:
        convs = [(name, m) for name, m in named.items() if isinstance(m, torch.nn.modules.conv._ConvNd)]
        if not convs:
            raise UnsupportedModelError(parameter="layer", expected="a model with a convolution layer, or the "
                                        "layer (a name or a module) to use", got=type(module).__name__)
        return convs[-1]
    if isinstance(layer, str):
        if layer not in named or layer == "":
            raise InvalidParameterError(parameter="layer", expected="one of the model's layers "
                                        f"{[n for n in named if n][:20]}", got=layer)
        return layer, named[layer]
    for name, m in named.items():
        if m is layer and name:
            return name, m
    raise InvalidParameterError(parameter="layer", expected="a name or a sub-module of the model", got=layer)
