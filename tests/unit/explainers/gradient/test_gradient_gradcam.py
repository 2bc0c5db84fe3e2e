"""Grad-CAM: a hand computation on a tiny conv net, layer choice, captum's numbers, and refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from captum.attr import LayerAttribution, LayerGradCam
from gradient_helpers import images, tiny_cnn

from explicable.core.errors import InvalidDataError, InvalidParameterError, UnsupportedModelError
from explicable.core.images import image_attributions
from explicable.explainers.gradient import GradCAM
from explicable.models.torch import TorchAdapter


def setup_module() -> None:
    torch.set_num_threads(1)


def _net() -> torch.nn.Sequential:
    # conv (2 channels, 3x3, no padding): 6x6 -> 4x4, then a linear head over the flattened activations
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(32, 2)).double()


def _bilinear(small: np.ndarray, size: int) -> np.ndarray:
    """Bilinear upsampling with half-pixel centres (align_corners=False), by hand."""
    n = small.shape[0]
    scale = n / size
    coords = np.maximum((np.arange(size) + 0.5) * scale - 0.5, 0.0)
    lo = np.minimum(np.floor(coords).astype(int), n - 1)
    hi = np.minimum(lo + 1, n - 1)
    t = coords - lo
    rows = small[lo] * (1 - t)[:, None] + small[hi] * t[:, None]
    return rows[:, lo] * (1 - t)[None] + rows[:, hi] * t[None]


def test_gradcam_equals_a_hand_computation():
    net = _net()
    X = images(2, side=6, channels=1, seed=1)
    conv_w, conv_b = net[0].weight.detach().numpy(), net[0].bias.detach().numpy()
    head = net[3].weight.detach().numpy()  # (2 outputs, 32 = 2 channels x 4 x 4)
    exp = GradCAM(TorchAdapter(net, image_shape=(6, 6, 1), output_names=["p", "q"])).fit().explain(X)
    for i in range(2):
        # activations A (2, 4, 4) by hand: a valid 3x3 correlation, then ReLU
        patches = np.lib.stride_tricks.sliding_window_view(X[i, :, :, 0], (3, 3))  # (4, 4, 3, 3)
        pre = np.einsum("hwij,cij->chw", patches, conv_w[:, 0]) + conv_b[:, None, None]
        acts = np.maximum(pre, 0.0)
        for k in range(2):
            grads = head[k].reshape(2, 4, 4)  # d output / d A: the head's weights
            weights = grads.mean(axis=(1, 2))
            cam = np.maximum(np.einsum("c,chw->hw", weights, acts), 0.0)
            np.testing.assert_allclose(exp.values[i, :, k], _bilinear(cam, 6).ravel(), rtol=1e-10, atol=1e-12)
    assert exp.feature_names[:3] == ("r0c0", "r0c1", "r0c2")
    np.testing.assert_allclose(exp.base_values, net(torch.as_tensor(X.transpose(0, 3, 1, 2))).detach().numpy())
    assert exp.provenance.parameters["layer"] == "0" and exp.provenance.parameters["relu"] is True


def test_signed_map_without_relu_has_negative_evidence():
    net = _net()
    X = images(3, side=6, channels=1, seed=2)
    adapter = TorchAdapter(net, image_shape=(6, 6, 1), output_names=["p", "q"])
    signed = GradCAM(adapter, relu=False).fit().explain(X)
    clipped = GradCAM(adapter).fit().explain(X)
    assert (signed.values < 0).any() and (clipped.values >= 0).all()


def test_default_layer_is_the_last_convolution_and_others_can_be_named():
    net = tiny_cnn(seed=3)
    adapter = TorchAdapter(net, image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(2, seed=3)
    auto = GradCAM(adapter).fit()
    assert auto.layer_name == "3" and auto.layer_ is net[3]
    by_module = GradCAM(adapter, layer=net[0]).fit().explain(X, target="c")
    by_name = GradCAM(adapter, layer="0").fit().explain(X, target="c")
    np.testing.assert_array_equal(by_module.values, by_name.values)
    reference = LayerAttribution.interpolate(
        LayerGradCam(net, net[0]).attribute(adapter.module_input(X), target=2, relu_attributions=True), (8, 8),
        interpolate_mode="bilinear")
    np.testing.assert_allclose(image_attributions(by_name), reference.detach().numpy()[:, 0], rtol=1e-12)


def test_refusals_name_the_parameter():
    with pytest.raises(UnsupportedModelError, match="'layer'"):
        GradCAM(torch.nn.Linear(3, 1))
    with pytest.raises(InvalidParameterError, match="'layer'"):
        GradCAM(tiny_cnn(), layer="conv9")
    with pytest.raises(InvalidParameterError, match="'layer'"):
        GradCAM(tiny_cnn(), layer=torch.nn.Conv2d(1, 1, 1))
    with pytest.raises(InvalidParameterError, match="'relu'"):
        GradCAM(tiny_cnn(), relu=1)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 1, 1), torch.nn.Flatten(), torch.nn.Linear(4, 1))
    with pytest.raises(InvalidDataError, match=r"'X'.*images"):
        GradCAM(net).fit().explain(np.ones((2, 4)))
