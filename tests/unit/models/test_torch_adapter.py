"""PyTorch modules: predictions equal a manual forward pass; gradients equal closed forms; modes are restored."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explicable import InvalidDataError, InvalidParameterError, ModelOutputError, wrap
from explicable.models import Differentiable
from explicable.models.torch import TorchAdapter


@pytest.fixture
def net() -> torch.nn.Sequential:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))


@pytest.fixture(scope="module")
def rows() -> np.ndarray:
    return np.random.default_rng(3).normal(size=(25, 4))


def _forward(module: torch.nn.Module, rows: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return module(torch.tensor(rows, dtype=torch.float32)).numpy().astype("float64")


def test_predict_equals_a_manual_forward_pass(net, rows):
    adapter = wrap(net, output_names=["a", "b", "c"])
    out = adapter.predict(rows)
    assert out.dtype == np.float64
    assert out.shape == (25, 3)
    np.testing.assert_array_equal(out, _forward(net, rows))
    # and the same arithmetic by hand, from the weights
    w1, b1 = net[0].weight.detach().numpy(), net[0].bias.detach().numpy()
    w2, b2 = net[2].weight.detach().numpy(), net[2].bias.detach().numpy()
    manual = np.tanh(rows.astype(np.float32) @ w1.T + b1) @ w2.T + b2
    np.testing.assert_allclose(out, manual, rtol=1e-5, atol=1e-5)


def test_batches_give_the_same_predictions(net, rows):
    whole = TorchAdapter(net, output_names=["a", "b", "c"]).predict(rows)
    batched = TorchAdapter(net, output_names=["a", "b", "c"], batch_size=4).predict(rows)
    np.testing.assert_allclose(batched, whole, rtol=1e-6, atol=1e-7)


def test_one_output_module_may_return_a_vector(rows):
    torch.manual_seed(1)
    linear = torch.nn.Linear(4, 1)
    out = wrap(torch.nn.Sequential(linear, torch.nn.Flatten(0))).predict(rows)
    assert out.shape == (25, 1)
    np.testing.assert_allclose(out, _forward(linear, rows), rtol=1e-6)


def test_float64_modules_run_in_float64(rows):
    torch.manual_seed(2)
    linear = torch.nn.Linear(4, 1).double()
    out = wrap(linear).predict(rows)
    with torch.no_grad():
        expected = linear(torch.tensor(rows)).numpy()
    np.testing.assert_array_equal(out, expected)


def test_gradient_of_a_linear_layer_is_its_weight_row(rows):
    torch.manual_seed(4)
    linear = torch.nn.Linear(4, 2)
    adapter = wrap(linear, output_names=["u", "v"])
    assert isinstance(adapter, Differentiable)
    weight = linear.weight.detach().numpy().astype("float64")
    for target in (0, 1):
        grad = adapter.gradient(rows, target)
        assert grad.shape == rows.shape
        assert grad.dtype == np.float64
        np.testing.assert_allclose(grad, np.tile(weight[target], (len(rows), 1)), rtol=1e-6)


def test_gradient_of_tanh_layer_matches_the_chain_rule(rows):
    torch.manual_seed(5)
    module = torch.nn.Sequential(torch.nn.Linear(4, 1), torch.nn.Tanh())
    w = module[0].weight.detach().numpy().astype("float64")[0]
    b = float(module[0].bias.detach())
    grad = wrap(module).gradient(rows, 0)
    expected = (1 - np.tanh(rows @ w + b) ** 2)[:, None] * w[None, :]
    np.testing.assert_allclose(grad, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("training", [True, False])
def test_training_flag_is_restored(net, rows, training):
    net.train(training)
    adapter = wrap(net, output_names=["a", "b", "c"])
    adapter.predict(rows)
    assert net.training is training
    assert all(m.training is training for m in net.modules())
    adapter.gradient(rows, 0)
    assert net.training is training


def test_dropout_is_off_in_predict_and_gradient(rows):
    torch.manual_seed(6)
    module = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Dropout(0.5), torch.nn.Linear(16, 1))
    module.train()
    adapter = wrap(module)
    np.testing.assert_array_equal(adapter.predict(rows), adapter.predict(rows))
    np.testing.assert_array_equal(adapter.gradient(rows, 0), adapter.gradient(rows, 0))
    assert module.training


def test_predict_does_not_track_gradients(net, rows):
    wrap(net, output_names=["a", "b", "c"]).predict(rows)
    assert all(p.grad is None for p in net.parameters())


def test_wrong_output_count_is_reported(net, rows):
    with pytest.raises(ModelOutputError, match=r"\(25, 3\)"):
        wrap(net).predict(rows)  # default: one output named "output"


def test_nan_inputs_are_refused(net, rows):
    rows = rows.copy()
    rows[0, 2] = np.nan
    with pytest.raises(InvalidDataError, match="'x2'"):
        wrap(net, output_names=["a", "b", "c"]).predict(rows)


def test_fingerprint_follows_the_weights(net):
    adapter = wrap(net, output_names=["a", "b", "c"])
    first = adapter.fingerprint()
    assert adapter.fingerprint() == first
    with torch.no_grad():
        net[2].bias[0] += 1.0
    assert adapter.fingerprint() != first


# ---- image modules ------------------------------------------------------------------------------------------
def _conv(seed: int = 7) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(64, 2))


class _ChannelsLast(torch.nn.Module):
    def __init__(self, inner: torch.nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x.permute(0, 3, 1, 2))


@pytest.fixture(scope="module")
def pictures() -> np.ndarray:
    return np.random.default_rng(8).random((5, 6, 6, 3))


def test_image_predict_takes_flattened_hwc_rows(pictures):
    net = _conv()
    adapter = TorchAdapter(net, image_shape=(6, 6, 3), output_names=["a", "b"])
    assert adapter.n_features == 108 and adapter.input_shape == (6, 6, 3)
    out = adapter.predict(pictures.reshape(5, -1))
    with torch.no_grad():
        expected = net(torch.tensor(pictures.transpose(0, 3, 1, 2), dtype=torch.float32)).numpy()
    np.testing.assert_array_equal(out, expected.astype("float64"))
    last = TorchAdapter(_ChannelsLast(net), image_shape=(6, 6, 3), channels_first=False, output_names=["a", "b"])
    np.testing.assert_allclose(last.predict(pictures.reshape(5, -1)), out, rtol=1e-6)
    with pytest.raises(InvalidDataError, match="108 columns"):
        adapter.predict(pictures.reshape(5, 6, -1)[:, 0])


def test_module_input_and_to_public_are_inverse(pictures):
    adapter = TorchAdapter(_conv(), image_shape=(6, 6, 3), output_names=["a", "b"])
    tensor = adapter.module_input(pictures)
    assert tuple(tensor.shape) == (5, 3, 6, 6) and tensor.is_contiguous() and tensor.dtype == torch.float32
    np.testing.assert_allclose(adapter.to_public(tensor), pictures, rtol=1e-6)
    np.testing.assert_array_equal(adapter.module_input(pictures.reshape(5, -1)), tensor)
    assert adapter.device == torch.device("cpu")
    rows = TorchAdapter(torch.nn.Linear(4, 1).double())
    assert rows.module_input(np.ones((2, 4))).dtype == torch.float64 and rows.input_shape is None


def test_image_gradient_is_in_hwc_row_order(pictures):
    net = _conv()
    adapter = TorchAdapter(net, image_shape=(6, 6, 3), output_names=["a", "b"])
    grad = adapter.gradient(pictures.reshape(5, -1), 1)
    x = torch.tensor(pictures.transpose(0, 3, 1, 2), dtype=torch.float32, requires_grad=True)
    (expected,) = torch.autograd.grad(net(x)[:, 1].sum(), x)
    np.testing.assert_allclose(grad, expected.numpy().transpose(0, 2, 3, 1).reshape(5, -1), rtol=1e-5, atol=1e-8)
    assert grad.shape == (5, 108) and grad.dtype == np.float64


def test_image_settings_are_checked():
    for shape in [(6, 6), (6, 0, 3), [6, 6, 3.0], "663"]:
        with pytest.raises(InvalidParameterError, match="'image_shape'"):
            TorchAdapter(_conv(), image_shape=shape)
    with pytest.raises(InvalidParameterError, match="'n_features'"):
        TorchAdapter(_conv(), image_shape=(6, 6, 3), n_features=10)
    with pytest.raises(InvalidParameterError, match="'channels_first'"):
        TorchAdapter(_conv(), image_shape=(6, 6, 3), channels_first="yes")
    with pytest.raises(InvalidParameterError, match="'batch_size'"):
        TorchAdapter(_conv(), batch_size=0)


def test_evaluating_freezes_and_restores(net):
    adapter = wrap(net, output_names=["a", "b", "c"])
    net.train()
    with adapter.evaluating(freeze=True):
        assert not net.training and not any(p.requires_grad for p in net.parameters())
    assert net.training and all(p.requires_grad for p in net.parameters())


def test_fingerprint_records_the_image_layout():
    net = _conv()
    assert TorchAdapter(net).fingerprint() != TorchAdapter(net, image_shape=(6, 6, 3)).fingerprint()
    assert TorchAdapter(net, image_shape=(6, 6, 3)).fingerprint() != TorchAdapter(
        net, image_shape=(6, 6, 3), channels_first=False).fingerprint()
