"""SmoothGrad: converges to the analytic expected gradient; its standard error is calibrated; seeded replay."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gradient_helpers import SinModel, images, tiny_cnn

from explicable.core.errors import InvalidParameterError
from explicable.explainers.gradient import Saliency, SmoothGrad
from explicable.models.torch import TorchAdapter


def setup_module() -> None:
    torch.set_num_threads(1)


def _sin(seed: int = 0) -> tuple[SinModel, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=3)
    return SinModel(a, np.zeros(3)), a, rng.normal(size=(4, 3))


def _expected(a: np.ndarray, X: np.ndarray, noise: float) -> np.ndarray:
    # E[a cos(a.(x + e))] for e ~ N(0, s^2 I) is a cos(a.x) exp(-s^2 |a|^2 / 2), s = noise * (max(x) - min(x))
    sigma = noise * (X.max(axis=1) - X.min(axis=1))
    return a[None] * (np.cos(X @ a) * np.exp(-(sigma ** 2) * (a @ a) / 2))[:, None]


def test_mean_converges_to_the_expected_gradient():
    model, a, X = _sin()
    exp = SmoothGrad(model, n_samples=4000, noise=0.3, random_state=0).fit().explain(X)
    truth = _expected(a, X, 0.3)
    z = (exp.values[:, :, 0] - truth) / exp.stderr[:, :, 0]
    assert np.abs(z).max() < 4.5
    assert np.abs(exp.values[:, :, 0] - truth).max() < 0.05 * np.abs(a).max()
    np.testing.assert_allclose(exp.base_values[:, 0], np.sin(X @ a), rtol=1e-12)
    assert exp.provenance.budget_used == 4 * 4000 + 4 and exp.provenance.random_state == 0


def test_stderr_is_calibrated_over_seeds():
    model, a, X = _sin(1)
    truth = _expected(a, X, 0.4)
    z = np.concatenate([
        ((e.values[:, :, 0] - truth) / e.stderr[:, :, 0]).ravel()
        for e in (SmoothGrad(model, n_samples=40, noise=0.4, random_state=s).fit().explain(X) for s in range(40))
    ])
    # 480 z-scores: a standard error that is right gives |z| < 1.96 about 95% of the time (t with 39 dof: 94%)
    assert 0.90 <= np.mean(np.abs(z) < 1.96) <= 0.98
    assert 0.85 <= z.std() <= 1.2


def test_same_seed_identical_bytes_other_seed_differs_chunking_does_not_matter():
    adapter = TorchAdapter(tiny_cnn(seed=4, dtype=torch.float32), image_shape=(8, 8, 3),
                           output_names=["a", "b", "c"])
    X = images(3, seed=4)
    first = SmoothGrad(adapter, n_samples=10, random_state=7).fit().explain(X)
    again = SmoothGrad(adapter, n_samples=10, random_state=7).fit().explain(X)
    assert first.values.tobytes() == again.values.tobytes() and first.stderr.tobytes() == again.stderr.tobytes()
    other = SmoothGrad(adapter, n_samples=10, random_state=8).fit().explain(X)
    assert not np.array_equal(first.values, other.values)
    chunked = SmoothGrad(adapter, n_samples=10, random_state=7, batch_size=4).fit().explain(X)
    np.testing.assert_allclose(chunked.values, first.values, rtol=1e-4, atol=1e-6)
    # each row's noise is its own stream: explaining a prefix gives the same rows
    head = SmoothGrad(adapter, n_samples=10, random_state=7).fit().explain(X[:2])
    np.testing.assert_allclose(head.values, first.values[:2], rtol=1e-4, atol=1e-6)


def test_unseeded_runs_record_their_seed_and_replay():
    model, _, X = _sin(2)
    exp = SmoothGrad(model, n_samples=5).fit().explain(X)
    seed = exp.provenance.random_state
    assert isinstance(seed, int)
    replay = SmoothGrad(model, n_samples=5, random_state=seed).fit().explain(X)
    assert replay.values.tobytes() == exp.values.tobytes()


def test_zero_noise_is_the_gradient_with_zero_error():
    adapter = TorchAdapter(tiny_cnn(seed=5), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(2, seed=5)
    smooth = SmoothGrad(adapter, n_samples=3, noise=0.0, random_state=0, channels="keep").fit().explain(X)
    plain = Saliency(adapter, channels="keep").fit().explain(X)
    np.testing.assert_allclose(smooth.values, plain.values, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(smooth.stderr, 0.0)


def test_channel_sums_have_their_own_error():
    adapter = TorchAdapter(tiny_cnn(seed=6), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(1, seed=6)
    kept = SmoothGrad(adapter, n_samples=20, random_state=1, channels="keep").fit().explain(X, target=0)
    summed = SmoothGrad(adapter, n_samples=20, random_state=1).fit().explain(X, target=0)
    np.testing.assert_allclose(summed.values[0, :, 0], kept.values[0, :, 0].reshape(64, 3).sum(axis=1), rtol=1e-10)
    # the error of a sum of correlated estimates is not the sum of their errors
    assert not np.allclose(summed.stderr[0, :, 0], kept.stderr[0, :, 0].reshape(64, 3).sum(axis=1))


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"n_samples": 1}, "n_samples"), ({"noise": -0.1}, "noise"), ({"random_state": -1}, "random_state"),
])
def test_bad_settings_name_the_parameter(kwargs, parameter):
    with pytest.raises(InvalidParameterError) as err:
        SmoothGrad(torch.nn.Linear(2, 1), **kwargs)
    assert err.value.parameter == parameter
