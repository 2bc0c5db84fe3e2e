"""Grad-CAM (Selvaraju et al., 2017): a convolution layer's activations weighted by their mean gradients."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError, UnsupportedModelError
from explicable.explainers.gradient._base import Batch, GradientExplainer, Result
from explicable.explainers.gradient._engine import forward, slices

__all__ = ["GradCAM", "last_conv_layer"]


def last_conv_layer(module: Any) -> tuple[str, Any]:
    """Name and module of the last ``torch.nn.Conv2d`` in ``module``'s registration order."""
    import torch

    found = [(name, m) for name, m in module.named_modules() if isinstance(m, torch.nn.Conv2d)]
    if not found:
        raise UnsupportedModelError(parameter="layer", expected="a model with a torch.nn.Conv2d layer, or the layer "
                                    "(a name or a module) to use", got=type(module).__name__)
    return found[-1]


class GradCAM(GradientExplainer):
    """Class activation maps from gradients: where in the image a convolution layer sees evidence for an output.

    For layer activations ``A`` (channels c, positions h x w) and output ``f_k``, the weight of channel c is
    the mean over positions of d f_k / d A_c, and the map is ``relu(sum_c weight_c * A_c)`` (captum's
    ``LayerGradCam``), upsampled bilinearly to the image size (``align_corners=False``). Values are one per
    pixel (features ``r{row}c{col}``). A map is not an additive decomposition: ``base_values`` is the model's
    output f(x), and the values do not sum to it.

    Parameters
    ----------
    model : torch.nn.Module or TorchAdapter
        An image model (images (n, H, W, C) are explained).
    layer : str or torch.nn.Module, optional
        The layer whose activations (n, c, h, w) are used: a name from ``named_modules()`` or the module;
        default the last ``torch.nn.Conv2d`` registered in the model.
    relu : bool, default True
        Keep only positive evidence (Selvaraju et al.); False keeps the signed map.
    batch_size : int, optional
        Images per pass (default: automatic).
    output_names : sequence of str, optional
    """

    method = "gradcam"
    per_pixel = True
    images_only = True

    def __init__(self, model: Any, *, layer: Any = None, relu: bool = True, batch_size: int | None = None,
                 output_names: Sequence[str] | None = None) -> None:
        super().__init__(model, channels="sum", batch_size=batch_size, output_names=output_names)
        self.layer_name, self.layer_ = _find_layer(self.model.model, layer)
        if not isinstance(relu, bool):
            raise InvalidParameterError(parameter="relu", expected="True or False", got=relu)
        self.relu = relu

    def get_params(self) -> dict[str, Any]:
        return {"layer": self.layer_name, "relu": self.relu, "batch_size": self.batch_size}

    def _compute(self, batch: Batch) -> Result:
        from captum.attr import LayerAttribution, LayerGradCam

        adapter, n = batch.adapter, batch.n
        height, width = adapter.image_shape[:2]
        cam = LayerGradCam(adapter.scores, self.layer_)
        values = np.empty((n, height * width, len(batch.targets)))
        with adapter.evaluating():
            size = batch.chunk(n)
            for part in slices(n, size):
                for j, target in enumerate(batch.targets):
                    maps = cam.attribute(batch.inputs[part], target=target, relu_attributions=self.relu)
                    if maps.ndim != 4:
                        raise UnsupportedModelError(parameter="layer", expected="a layer whose output is (n, c, h, "
                                                    "w)", got=f"output of shape {tuple(maps.shape)}")
                    up = LayerAttribution.interpolate(maps, (height, width), interpolate_mode="bilinear")
                    values[part, :, j] = up.detach().reshape(up.shape[0], -1).double().cpu().numpy()
            base = forward(adapter, lambda r, s: batch.inputs[r], np.arange(n), np.zeros(n, dtype=np.int64),
                           batch.targets, size)
        return Result(values, base, budget_used=n * len(batch.targets) + n)


def _find_layer(module: Any, layer: Any) -> tuple[str, Any]:
    import torch

    if layer is None:
        return last_conv_layer(module)
    named = dict(module.named_modules())
    if isinstance(layer, str):
        if layer not in named or layer == "":
            shown = ", ".join(name for name in list(named)[1:13])
            raise InvalidParameterError(parameter="layer", expected=f"a module name of the model ({shown}, ...)",
                                        got=layer)
        return layer, named[layer]
    if isinstance(layer, torch.nn.Module):
        for name, candidate in named.items():
            if candidate is layer:
                return name, layer
    raise InvalidParameterError(parameter="layer", expected="None, a module name, or a module of the model",
                                got=layer)
