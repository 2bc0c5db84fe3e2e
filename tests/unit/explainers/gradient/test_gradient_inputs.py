"""What the gradient explainers take and refuse: images, rows, frames, bare modules, targets; chunk sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from gradient_helpers import images, tiny_cnn

from explicable.core.errors import (
    InvalidDataError,
    InvalidParameterError,
    ModelOutputError,
    NotFittedError,
    UnsupportedModelError,
)
from explicable.core.explanation import Explanation
from explicable.core.images import image_attributions, pixel_names
from explicable.core.provenance import Provenance
from explicable.explainers.gradient import IntegratedGradients, Occlusion, Saliency, SmoothGrad
from explicable.explainers.gradient._chunking import auto_batch_size, balanced, cache_bytes, free_bytes, input_bytes
from explicable.models.torch import TorchAdapter

CPU = torch.device("cpu")


def setup_module() -> None:
    torch.set_num_threads(1)


def _adapter(seed: int = 0) -> TorchAdapter:
    return TorchAdapter(tiny_cnn(seed=seed), image_shape=(8, 8, 3), output_names=["a", "b", "c"])


def test_one_image_a_batch_and_flattened_rows_give_the_same_values():
    adapter, X = _adapter(), images(2)
    batch = Saliency(adapter).fit().explain(X)
    one = Saliency(adapter).fit().explain(X[1])
    rows = Saliency(adapter).fit().explain(X.reshape(2, -1))
    assert one.shape == (1, 64, 3)
    np.testing.assert_array_equal(one.values[0], batch.values[1])
    np.testing.assert_array_equal(rows.values, batch.values)
    assert batch.provenance.data_fingerprint == rows.provenance.data_fingerprint


def test_a_bare_module_takes_images_and_names_its_outputs():
    net = tiny_cnn(seed=1)
    exp = Saliency(net).fit().explain(images(2, seed=1))
    assert exp.output_names == ("output_0", "output_1", "output_2")
    assert exp.provenance.parameters["image_shape"] == [8, 8, 3]
    named = Saliency(net, output_names=["x", "y", "z"]).fit().explain(images(2, seed=1), target="y")
    np.testing.assert_array_equal(named.values[:, :, 0], exp.values[:, :, 1])
    with pytest.raises(ModelOutputError, match="'output_names'"):
        Saliency(net, output_names=["x", "y"]).fit().explain(images(1))


def test_rows_from_a_frame_keep_their_names_and_data():
    torch.manual_seed(2)
    linear = torch.nn.Linear(3, 1).double()
    frame = pd.DataFrame({"age": [30.0, 40.0], "income": [1.0, 2.0], "debt": [0.5, 0.0]})
    exp = IntegratedGradients(TorchAdapter(linear, feature_names=["age", "income", "debt"])).fit().explain(frame)
    assert exp.feature_names == ("age", "income", "debt")
    np.testing.assert_array_equal(exp.data, frame.to_numpy())
    assert "image_shape" not in exp.provenance.parameters


@pytest.mark.parametrize("bad", [np.ones((2, 7, 8, 3)), np.ones((2, 8, 8)), np.full((1, 8, 8, 3), np.nan),
                                 np.ones((0, 8, 8, 3)), np.array([["a"] * 192])])
def test_bad_images_are_refused_naming_x(bad):
    with pytest.raises(InvalidDataError, match=r"'X'.*\(n, 8, 8, 3\)"):
        Saliency(_adapter()).fit().explain(bad)


def test_module_errors_become_data_errors():
    with pytest.raises(InvalidDataError, match="'X'"):
        Saliency(torch.nn.Linear(4, 1)).fit().explain(np.ones((2, 3)))


def test_refusals_before_fit_and_for_other_models():
    with pytest.raises(NotFittedError):
        Saliency(_adapter()).explain(images(1))
    with pytest.raises(UnsupportedModelError, match="'model'"):
        Saliency(lambda X: X)
    with pytest.raises(InvalidParameterError, match="'output_names'"):
        Saliency(_adapter(), output_names=["a"])
    with pytest.raises(InvalidParameterError, match="'target'"):
        Saliency(_adapter()).fit().explain(images(1), target="d")
    with pytest.raises(InvalidParameterError, match="'channels'"):
        SmoothGrad(_adapter(), channels="rgb")
    with pytest.raises(InvalidParameterError, match="'batch_size'"):
        Occlusion(_adapter(), batch_size=0)
    with pytest.raises(InvalidDataError, match="'background'"):
        IntegratedGradients(_adapter()).fit(np.full((2, 192), np.inf))


def test_image_attributions_reshape_back_and_check_their_input():
    exp = Saliency(_adapter(), channels="keep").fit().explain(images(2))
    maps = image_attributions(exp, "b")
    assert maps.shape == (2, 8, 8, 3)
    np.testing.assert_array_equal(maps.reshape(2, -1), exp.values[:, :, 1])
    assert pixel_names(2, 3)[-1] == "r1c2"
    with pytest.raises(InvalidDataError, match="image explanation"):
        image_attributions(Explanation(np.ones((1, 4, 1)), np.zeros((1, 1)), list("abcd"), ["y"]))
    with pytest.raises(InvalidDataError, match="features"):
        image_attributions(exp[:, :10])
    with pytest.raises(InvalidParameterError, match="'output'"):
        image_attributions(exp, "d")
    odd = Explanation(np.ones((1, 4, 1)), np.zeros((1, 1)), pixel_names(2, 2), ["y"],
                      provenance=Provenance(parameters={"image_shape": [2, 2, 1], "channels": "sum"}))
    assert image_attributions(odd, 0).shape == (1, 2, 2)


def test_the_training_mode_and_gradient_flags_are_restored():
    adapter = _adapter()
    adapter.model.train()
    IntegratedGradients(adapter, n_steps=4).fit().explain(images(1))
    assert adapter.model.training
    assert all(p.requires_grad and p.grad is None for p in adapter.model.parameters())


def test_probe_measures_what_autograd_keeps_per_input():
    torch.manual_seed(3)
    layer = torch.nn.Sequential(torch.nn.Linear(1000, 500), torch.nn.ReLU(), torch.nn.Linear(500, 1))
    for p in layer.parameters():
        p.requires_grad_(False)
    saved = input_bytes(layer, torch.zeros(1, 1000), backward=True, key=layer)
    # ReLU keeps its output (500 floats); the second linear layer needs only its weight (shared, not counted);
    # three copies of the input (1000 floats)
    assert saved == 4 * (500 + 3 * 1000)
    assert input_bytes(layer, torch.zeros(1, 1000), backward=False, key=layer) == 4 * (500 + 500 + 1 + 1 + 3000)


def test_chunk_sizes_follow_memory_and_cache():
    assert cache_bytes() >= 2**20
    assert free_bytes(CPU) > 0
    target = min(cache_bytes(), 64 * 2**20)
    assert auto_batch_size(target // 10, 1000, CPU) == 10
    assert auto_batch_size(target // 10, 15, CPU) == 8  # 2 chunks of 8 rather than 10 + 5
    assert auto_batch_size(1, 10**6, CPU) == balanced(10**6, 8192)
    assert auto_batch_size(10**15, 1000, CPU) == 1  # beyond memory: one at a time
    assert balanced(100, 30) == 25


def test_the_chosen_chunk_is_recorded_and_a_given_one_is_used():
    adapter = _adapter()
    auto = IntegratedGradients(adapter, n_steps=10, tol=None).fit().explain(images(3))
    assert 1 <= auto.provenance.parameters["diagnostics"]["batch_size"] <= 30
    fixed = IntegratedGradients(adapter, n_steps=10, tol=None, batch_size=7).fit().explain(images(3))
    assert fixed.provenance.parameters["diagnostics"]["batch_size"] == 6  # 30 inputs: 5 chunks of 6
    assert fixed.provenance.parameters["batch_size"] == 7


def test_front_door_takes_a_bare_module_given_images() -> None:
    """explicable.explain(module, images, method=...) picks the image methods and names the outputs itself."""
    import explicable
    from explicable.datasets import lesion_cnn, make_lesions
    from explicable.explainers.gradient import GradCAM

    data = make_lesions(3, random_state=0)
    module = lesion_cnn()
    auto = explicable.explain(module, data.images, target="output_1")
    assert auto.provenance.method == "integrated_gradients" and auto.shape == (3, 64 * 64, 1)
    cam = explicable.explain(module, data.images, method="gradcam", target=1)
    direct = GradCAM(module).fit().explain(data.images, target=1)
    assert cam.output_names == ("output_1",) and cam.values.tobytes() == direct.values.tobytes()
