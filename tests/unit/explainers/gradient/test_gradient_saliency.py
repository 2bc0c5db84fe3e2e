"""Saliency: the analytic gradient of known functions, captum's numbers, layouts, channels and targets."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from captum.attr import Saliency as CaptumSaliency
from gradient_helpers import ChannelsLast, SinModel, images, tiny_cnn

from explicable.core.errors import InvalidParameterError
from explicable.core.images import image_attributions
from explicable.explainers.gradient import Saliency
from explicable.models.torch import TorchAdapter


def setup_module() -> None:
    torch.set_num_threads(1)


def test_saliency_is_the_analytic_gradient():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=4), rng.normal(size=4)
    X = rng.normal(size=(7, 4))
    exp = Saliency(SinModel(a, b)).fit().explain(X)
    expected = a[None] * np.cos(X @ a)[:, None] + 2 * b[None] * X
    np.testing.assert_allclose(exp.values[:, :, 0], expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(exp.base_values[:, 0], np.sin(X @ a) + (X * X) @ b, rtol=1e-12)
    assert exp.provenance.method == "saliency" and exp.provenance.budget_used == 7
    assert exp.stderr is None
    absolute = Saliency(SinModel(a, b), absolute=True, batch_size=3).fit().explain(X)
    np.testing.assert_allclose(absolute.values[:, :, 0], np.abs(expected), rtol=1e-12, atol=1e-14)


def test_agrees_with_captum_on_a_cnn_and_channels_sum():
    net = tiny_cnn(seed=1)
    adapter = TorchAdapter(net, image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(3, seed=1)
    kept = Saliency(adapter, channels="keep").fit().explain(X, target="b")
    reference = CaptumSaliency(net).attribute(adapter.module_input(X).requires_grad_(), target=1, abs=False)
    np.testing.assert_allclose(image_attributions(kept), reference.numpy().transpose(0, 2, 3, 1), rtol=1e-12)
    summed = Saliency(adapter).fit().explain(X, target="b")
    np.testing.assert_allclose(image_attributions(summed), image_attributions(kept).sum(axis=-1), rtol=1e-12)
    absolute = Saliency(adapter, absolute=True, channels="keep").fit().explain(X, target="b")
    reference = CaptumSaliency(net).attribute(adapter.module_input(X).requires_grad_(), target=1, abs=True)
    np.testing.assert_allclose(image_attributions(absolute), reference.numpy().transpose(0, 2, 3, 1), rtol=1e-12)


def test_layouts_agree_and_the_adapter_gradient_matches():
    net = tiny_cnn(seed=2)
    first = TorchAdapter(net, image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    last = TorchAdapter(ChannelsLast(net), image_shape=(8, 8, 3), channels_first=False,
                        output_names=["a", "b", "c"])
    X = images(2, seed=2)
    a = Saliency(first, channels="keep").fit().explain(X, target=2)
    b = Saliency(last, channels="keep").fit().explain(X, target=2)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-12)
    # the adapter's own gradient (rows in HWC order) is the same vector
    np.testing.assert_allclose(first.gradient(X.reshape(2, -1), 2), a.values[:, :, 0], rtol=1e-12)


def test_all_targets_by_default_and_one_pass_serves_them():
    adapter = TorchAdapter(tiny_cnn(seed=3), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(2, seed=3)
    every = Saliency(adapter).fit().explain(X)
    assert every.output_names == ("a", "b", "c") and every.shape == (2, 64, 3)
    one = Saliency(adapter).fit().explain(X, target=-1)
    np.testing.assert_array_equal(one.values[:, :, 0], every.values[:, :, 2])
    np.testing.assert_allclose(every.base_values, adapter.predict(X.reshape(2, -1)), rtol=1e-12)


def test_absolute_must_be_a_bool():
    with pytest.raises(InvalidParameterError, match="'absolute'"):
        Saliency(torch.nn.Linear(2, 1), absolute="yes")
