"""Integrated Gradients: closed forms, completeness to the issue's bound on a ReLU CNN, captum, determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from captum.attr import IntegratedGradients as CaptumIG
from gradient_helpers import images, lesion_images, tiny_cnn, trained_cnn
from scipy.ndimage import gaussian_filter

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.images import image_attributions
from explicable.explainers.gradient import IntegratedGradients
from explicable.explainers.gradient._paths import quadrature
from explicable.models.torch import TorchAdapter


def setup_module() -> None:
    torch.set_num_threads(1)


def _linear(seed: int = 0, outputs: int = 2) -> torch.nn.Linear:
    torch.manual_seed(seed)
    return torch.nn.Linear(5, outputs).double()


def _bound(change: np.ndarray) -> np.ndarray:
    return 1e-3 * np.abs(change) + 1e-5


@pytest.mark.parametrize("rule", ["gausslegendre", "riemann_trapezoid", "riemann_middle"])
def test_linear_model_gets_x_minus_baseline_times_weight(rule):
    linear = _linear()
    X = np.random.default_rng(0).normal(size=(6, 5))
    base = np.random.default_rng(1).normal(size=5)
    exp = IntegratedGradients(linear, baseline=base, n_steps=3, rule=rule).fit().explain(X)
    w = linear.weight.detach().numpy()
    np.testing.assert_allclose(exp.values, (X - base)[:, :, None] * w.T[None], rtol=1e-12, atol=1e-12)
    with torch.no_grad():
        f_base = linear(torch.as_tensor(base[None])).numpy()
    np.testing.assert_allclose(exp.base_values, np.repeat(f_base, 6, axis=0), rtol=1e-12)
    assert exp.shape == (6, 5, 2)
    np.testing.assert_array_equal(exp.data, X)


def test_mean_baseline_is_the_background_mean():
    linear = _linear(outputs=1)
    rng = np.random.default_rng(2)
    background, X = rng.normal(size=(40, 5)), rng.normal(size=(3, 5))
    exp = IntegratedGradients(linear, baseline="mean").fit(background).explain(X)
    w = linear.weight.detach().numpy()[0]
    np.testing.assert_allclose(exp.values[:, :, 0], (X - background.mean(axis=0)) * w, rtol=1e-10, atol=1e-12)
    with pytest.raises(InvalidParameterError, match=r"'baseline'.*background"):
        IntegratedGradients(linear, baseline="mean").fit().explain(X)


def test_completeness_on_a_relu_cnn_meets_the_issue_bound():
    net = tiny_cnn(seed=3)
    adapter = TorchAdapter(net, image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(5, seed=3)
    exp = IntegratedGradients(adapter, n_steps=8).fit().explain(X)
    f_x = adapter.predict(X.reshape(5, -1))
    f_b = adapter.predict(np.zeros((1, 192)))
    change = f_x - f_b
    np.testing.assert_allclose(exp.base_values, np.broadcast_to(f_b, (5, 3)), rtol=1e-12)
    error = exp.values.sum(axis=1) + exp.base_values - f_x
    assert (np.abs(error) <= _bound(change)).all(), np.abs(error) / np.abs(change)
    diag = exp.provenance.parameters["diagnostics"]
    np.testing.assert_allclose(np.array(diag["delta"]), error, rtol=1e-6, atol=1e-12)
    assert all(diag["converged"])
    # 8 Gauss-Legendre points do not integrate ReLU kinks to 1e-3: rows were refined, within the budget
    assert 8 < max(diag["n_steps"]) <= 800 and min(diag["n_steps"]) >= 8
    # budget: every gradient step, f(x) of each row, f(0) once, and the forward passes at interval ends
    assert exp.provenance.budget_used > sum(diag["n_steps"]) + 5 + 1


def test_completeness_on_a_trained_cnn_with_little_output_change():
    # The lesion CNN's integrand jumps at about 240 ReLU / max-pool kinks along a path while f(x) - f(0) is
    # small against the gradient's mass: the hard case, which the adaptive refinement still brings under the bound.
    adapter = trained_cnn()
    X, _ = lesion_images(6, seed=11)
    exp = IntegratedGradients(adapter, max_steps=3200).fit().explain(X)
    f_x = adapter.predict(X.reshape(6, -1))
    error = exp.values.sum(axis=1) + exp.base_values - f_x
    assert (np.abs(error) <= _bound(f_x - exp.base_values)).all()
    diag = exp.provenance.parameters["diagnostics"]
    assert all(diag["converged"]) and max(diag["n_steps"]) <= 3200
    assert max(diag["n_steps"]) > 800  # where doubling a fixed rule up to the default cap falls short


def test_without_refinement_rows_keep_their_steps_and_report_the_error():
    adapter = TorchAdapter(tiny_cnn(seed=3), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(5, seed=3)
    exp = IntegratedGradients(adapter, n_steps=2, tol=None).fit().explain(X)
    diag = exp.provenance.parameters["diagnostics"]
    assert diag["n_steps"] == [2] * 5
    f_x = adapter.predict(X.reshape(5, -1))
    np.testing.assert_allclose(np.array(diag["delta"]), exp.values.sum(axis=1) + exp.base_values - f_x,
                               rtol=1e-6, atol=1e-12)
    assert not all(diag["converged"])  # two steps are too few for this network (judged against 1e-3)


@pytest.mark.parametrize("max_steps", [8, 60])
def test_max_steps_caps_refinement(max_steps):
    adapter = TorchAdapter(tiny_cnn(seed=3), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    exp = IntegratedGradients(adapter, n_steps=2, tol=0.0, max_steps=max_steps).fit().explain(images(3, seed=3))
    steps = exp.provenance.parameters["diagnostics"]["n_steps"]
    # the refinement starts from 2 intervals of 5 points after the first 2 points, then halves intervals
    assert max(steps) <= max_steps and (max_steps < 12 or min(steps) > 2)


@pytest.mark.parametrize("rule", ["gausslegendre", "riemann_trapezoid"])
def test_agrees_with_captum(rule):
    net = tiny_cnn(seed=4)
    adapter = TorchAdapter(net, image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(3, seed=4)
    blurred = np.stack([gaussian_filter(img, sigma=(0.5, 0.5, 0)) for img in X])
    exp = IntegratedGradients(adapter, baseline="blur", n_steps=20, rule=rule, tol=None,
                              channels="keep").fit().explain(X, target="c")
    reference = CaptumIG(net).attribute(adapter.module_input(X), baselines=adapter.module_input(blurred), target=2,
                                        n_steps=20, method=rule).detach().numpy().transpose(0, 2, 3, 1)
    if rule == "riemann_trapezoid":
        reference *= 20 / 19  # captum's trapezoid weights sum to (n - 1)/n, ours to 1
    np.testing.assert_allclose(image_attributions(exp), reference, rtol=1e-7, atol=1e-12)


def test_blur_baseline_is_a_gaussian_blur_of_each_image():
    linear = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(48, 1)).double()
    adapter = TorchAdapter(linear, image_shape=(4, 4, 3), channels_first=False)
    X = images(2, side=4, seed=5)
    exp = IntegratedGradients(adapter, baseline="blur", n_steps=2, channels="keep").fit().explain(X)
    blurred = np.stack([gaussian_filter(img, sigma=(0.25, 0.25, 0)) for img in X])
    w = linear[1].weight.detach().numpy()[0].reshape(4, 4, 3)
    np.testing.assert_allclose(image_attributions(exp), (X - blurred) * w, rtol=1e-10, atol=1e-12)


def test_channels_sum_is_the_sum_of_kept_channels():
    adapter = TorchAdapter(tiny_cnn(seed=6), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(2, seed=6)
    kept = IntegratedGradients(adapter, n_steps=10, tol=None, channels="keep").fit().explain(X, target=0)
    summed = IntegratedGradients(adapter, n_steps=10, tol=None).fit().explain(X, target=0)
    assert kept.shape == (2, 192, 1) and summed.shape == (2, 64, 1)
    assert kept.feature_names[:4] == ("r0c0ch0", "r0c0ch1", "r0c0ch2", "r0c1ch0")
    assert summed.feature_names[:2] == ("r0c0", "r0c1")
    np.testing.assert_allclose(image_attributions(kept).sum(axis=-1), image_attributions(summed), rtol=1e-10)
    assert summed.provenance.parameters["image_shape"] == [8, 8, 3]
    assert summed.provenance.parameters["channels"] == "sum"
    assert summed.data is None


def test_channels_last_module_gives_the_same_attributions():
    net = tiny_cnn(seed=7)
    from gradient_helpers import ChannelsLast

    first = TorchAdapter(net, image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    last = TorchAdapter(ChannelsLast(net), image_shape=(8, 8, 3), channels_first=False,
                        output_names=["a", "b", "c"])
    X = images(2, seed=7)
    a = IntegratedGradients(first, n_steps=6, tol=None, channels="keep").fit().explain(X)
    b = IntegratedGradients(last, n_steps=6, tol=None, channels="keep").fit().explain(X)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-10, atol=1e-14)


def test_same_inputs_give_identical_bytes_and_chunking_does_not_change_results():
    adapter = TorchAdapter(tiny_cnn(seed=8, dtype=torch.float32), image_shape=(8, 8, 3),
                           output_names=["a", "b", "c"])
    X = images(4, seed=8)
    first = IntegratedGradients(adapter, n_steps=12).fit().explain(X)
    second = IntegratedGradients(adapter, n_steps=12).fit().explain(X)
    assert first.values.tobytes() == second.values.tobytes()
    assert first.base_values.tobytes() == second.base_values.tobytes()
    chunked = IntegratedGradients(adapter, n_steps=12, batch_size=5).fit().explain(X)
    assert chunked.provenance.parameters["diagnostics"]["batch_size"] == 5
    np.testing.assert_allclose(chunked.values, first.values, rtol=1e-4, atol=1e-6)


def test_target_selects_outputs_and_explanations_round_trip_through_json():
    adapter = TorchAdapter(tiny_cnn(seed=9), image_shape=(8, 8, 3), output_names=["a", "b", "c"])
    X = images(2, seed=9)
    every = IntegratedGradients(adapter, n_steps=6, tol=None).fit().explain(X)
    some = IntegratedGradients(adapter, n_steps=6, tol=None).fit().explain(X, target=["c", "a"])
    assert some.output_names == ("c", "a")
    np.testing.assert_allclose(some.values, every.values[:, :, [2, 0]], rtol=1e-12)
    assert some.provenance.budget_used == 2 * 6 + 2 + 1
    back = Explanation.from_dict(json.loads(json.dumps(some.to_dict())))
    np.testing.assert_array_equal(back.values, some.values)
    assert back.provenance.parameters["diagnostics"]["n_steps"] == [6, 6]
    assert back.provenance.method == "integrated_gradients"


def test_gauss_legendre_nodes_integrate_polynomials_exactly():
    alphas, weights = quadrature("gausslegendre", 5)
    for degree in range(10):  # exact up to degree 2n - 1
        assert abs(weights @ alphas ** degree - 1 / (degree + 1)) < 1e-14


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"n_steps": 0}, "n_steps"), ({"rule": "simpson"}, "rule"), ({"tol": -1.0}, "tol"),
    ({"max_steps": 10}, "max_steps"), ({"baseline": "noise"}, "baseline"), ({"baseline": [np.nan]}, "baseline"),
    ({"channels": "rgb"}, "channels"), ({"batch_size": 0}, "batch_size"),
])
def test_bad_settings_name_the_parameter(kwargs, parameter):
    with pytest.raises(InvalidParameterError) as err:
        IntegratedGradients(_linear(), **kwargs)
    assert err.value.parameter == parameter


def test_bad_baselines_for_the_inputs_are_refused():
    X = np.ones((2, 5))
    with pytest.raises(InvalidDataError, match="'baseline'"):
        IntegratedGradients(_linear(), baseline=np.zeros(4)).fit().explain(X)
    with pytest.raises(InvalidParameterError, match="'blur' is for images"):
        IntegratedGradients(_linear(), baseline="blur").fit().explain(X)
    with pytest.raises(InvalidDataError, match="'background'"):
        IntegratedGradients(_linear(), baseline="mean").fit(np.ones((3, 4))).explain(X)
