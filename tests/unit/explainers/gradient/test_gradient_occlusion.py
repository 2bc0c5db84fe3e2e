"""Occlusion: brute-force window deltas, captum's numbers, rows, and refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from captum.attr import Occlusion as CaptumOcclusion
from gradient_helpers import images, tiny_cnn

from explicable.core.errors import InvalidParameterError
from explicable.core.images import image_attributions
from explicable.explainers.gradient import Occlusion
from explicable.models.torch import TorchAdapter


def setup_module() -> None:
    torch.set_num_threads(1)


def _brute_force(adapter: TorchAdapter, image: np.ndarray, window: tuple[int, int], starts: list[list[int]],
                 fill: np.ndarray, target: int) -> np.ndarray:
    height, width = image.shape[:2]
    total, count = np.zeros((height, width)), np.zeros((height, width))
    f_x = adapter.predict(image.reshape(1, -1))[0, target]
    for r in starts[0]:
        for c in starts[1]:
            occluded = image.copy()
            occluded[r:r + window[0], c:c + window[1]] = fill[r:r + window[0], c:c + window[1]]
            drop = f_x - adapter.predict(occluded.reshape(1, -1))[0, target]
            total[r:r + window[0], c:c + window[1]] += drop
            count[r:r + window[0], c:c + window[1]] += 1
    return total / count


def test_overlapping_windows_equal_brute_force_deltas():
    adapter = TorchAdapter(tiny_cnn(seed=1), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(2, seed=1)
    exp = Occlusion(adapter, window=(3, 4), stride=(2, 3), baseline=0.5).fit().explain(X, target="b")
    # rows start at 0, 2, 4 and 5 (flush with the edge); columns at 0, 3 and 4
    for i in range(2):
        expected = _brute_force(adapter, X[i], (3, 4), [[0, 2, 4, 5], [0, 3, 4]], np.full((8, 8, 3), 0.5), 1)
        np.testing.assert_allclose(image_attributions(exp)[i], expected, rtol=1e-10, atol=1e-12)
    assert exp.provenance.budget_used == 2 * 12 + 2
    np.testing.assert_allclose(exp.base_values[:, 0], adapter.predict(X.reshape(2, -1))[:, 1], rtol=1e-12)


def test_blur_baseline_and_chunking():
    adapter = TorchAdapter(tiny_cnn(seed=2), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(2, seed=2)
    whole = Occlusion(adapter, window=2, baseline="blur").fit().explain(X)
    chunked = Occlusion(adapter, window=2, baseline="blur", batch_size=5).fit().explain(X)
    np.testing.assert_allclose(chunked.values, whole.values, rtol=1e-10, atol=1e-13)
    from scipy.ndimage import gaussian_filter

    blurred = gaussian_filter(X[1], sigma=(0.5, 0.5, 0))
    starts = [[0, 2, 4, 6], [0, 2, 4, 6]]
    expected = _brute_force(adapter, X[1], (2, 2), starts, blurred, 2)
    np.testing.assert_allclose(image_attributions(whole, "c")[1], expected, rtol=1e-10, atol=1e-12)


def test_agrees_with_captum_when_windows_tile():
    net = tiny_cnn(seed=3)
    adapter = TorchAdapter(net, image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(2, seed=3)
    exp = Occlusion(adapter, window=4).fit().explain(X, target=0)
    reference = CaptumOcclusion(net).attribute(adapter.module_input(X), sliding_window_shapes=(3, 4, 4),
                                               strides=(3, 4, 4), baselines=0.0, target=0)
    # captum accumulates its drops in single precision
    np.testing.assert_allclose(image_attributions(exp), reference.numpy()[:, 0], rtol=1e-6, atol=1e-12)


def test_rows_are_occluded_feature_by_feature():
    torch.manual_seed(4)
    linear = torch.nn.Linear(5, 2).double()
    rng = np.random.default_rng(4)
    background, X = rng.normal(size=(30, 5)), rng.normal(size=(3, 5))
    exp = Occlusion(linear, baseline="mean").fit(background).explain(X)
    w = linear.weight.detach().numpy()
    expected = (X - background.mean(axis=0))[:, :, None] * w.T[None]
    np.testing.assert_allclose(exp.values, expected, rtol=1e-10, atol=1e-12)
    pairs = Occlusion(linear, window=2, stride=2).fit().explain(X)  # windows {0,1}, {2,3}, {3,4}
    drops = np.stack([(X[:, s:s + 2] * w[0, s:s + 2]).sum(axis=1) for s in (0, 2, 3)], axis=1)
    np.testing.assert_allclose(pairs.values[:, :, 0], np.stack(
        [drops[:, 0], drops[:, 0], drops[:, 1], (drops[:, 1] + drops[:, 2]) / 2, drops[:, 2]], axis=1),
        rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"window": 0}, "window"), ({"window": (2, 2, 2)}, "window"), ({"stride": "big"}, "stride"),
    ({"baseline": "noise"}, "baseline"),
])
def test_bad_settings_name_the_parameter(kwargs, parameter):
    with pytest.raises(InvalidParameterError) as err:
        Occlusion(torch.nn.Linear(2, 1), **kwargs)
    assert err.value.parameter == parameter


def test_windows_must_fit_the_input():
    adapter = TorchAdapter(tiny_cnn(seed=5), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    with pytest.raises(InvalidParameterError, match="'window'"):
        Occlusion(adapter, window=9).fit().explain(images(1, seed=5))
    with pytest.raises(InvalidParameterError, match="'window'"):
        Occlusion(torch.nn.Linear(3, 1), window=(1, 1)).fit().explain(np.ones((1, 3)))
