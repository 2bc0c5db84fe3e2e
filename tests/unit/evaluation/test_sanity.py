"""The model-parameter randomisation test separates explainers that read the model from one that does not."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from scipy import ndimage
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import explicable
from explicable import UnsupportedModelError
from explicable.evaluation import randomization_check, randomize_model


def finite_difference_saliency(model: Any) -> Any:
    """A gradient explainer that only calls the model: central differences of its output."""
    adapter = explicable.wrap(model)

    def explain(X: np.ndarray) -> np.ndarray:
        n, m = X.shape
        step = np.eye(m) * 1e-3
        up = adapter.predict((X[:, None, :] + step).reshape(-1, m))[:, 0].reshape(n, m)
        down = adapter.predict((X[:, None, :] - step).reshape(-1, m))[:, 0].reshape(n, m)
        return (up - down) / 2e-3

    return explain


def edge_detector(model: Any) -> Any:
    """Ignores the model: how far each input is from the rows' mean (an 'edge' in the data)."""
    return lambda X: np.abs(X - X.mean(axis=0))


@pytest.fixture(scope="module")
def mlp() -> tuple[MLPRegressor, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 10))
    y = np.tanh(X @ rng.normal(size=10)) + X[:, 0] * X[:, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a rough fit is all the test needs
        return MLPRegressor(hidden_layer_sizes=(16, 16), max_iter=300, random_state=0).fit(X, y), X


def test_randomisation_separates_a_gradient_from_an_edge_detector(mlp: tuple[MLPRegressor, np.ndarray]) -> None:
    model, X = mlp
    before = model.predict(X[:5])
    gradient = randomization_check(finite_difference_saliency, model, X[:40], random_state=0)
    edges = randomization_check(edge_detector, model, X[:40], random_state=0)
    assert gradient.passed and gradient.value < 0.3
    assert not edges.passed and edges.value == pytest.approx(1.0)
    np.testing.assert_array_equal(model.predict(X[:5]), before)  # the trained model is untouched


def test_cascading_randomisation_reports_every_stage(mlp: tuple[MLPRegressor, np.ndarray]) -> None:
    model, X = mlp
    result = randomization_check(finite_difference_saliency, model, X[:20], cascade=True, random_state=1)
    stages = result.details["cascade"]
    assert [label for label, _ in stages] == ["top 1 of 3 layers", "top 2 of 3 layers", "top 3 of 3 layers"]
    assert stages[-1][1] == pytest.approx(result.value)
    # every stage moves the gradient's ranking well away from the trained one's; the edge detector never moves
    assert max(similarity for _, similarity in stages) < 0.9
    edges = randomization_check(edge_detector, model, X[:20], cascade=True, random_state=1).details["cascade"]
    assert [similarity for _, similarity in edges] == pytest.approx([1.0, 1.0, 1.0])


def test_sobel_edges_of_images_fail_and_torch_gradients_pass() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1)).double()
    images = np.random.default_rng(2).random((10, 8, 8))
    X = images.reshape(10, -1)

    def gradient(model: Any) -> Any:
        return lambda Z: explicable.wrap(model).gradient(Z, 0)

    def sobel(model: Any) -> Any:
        def edges(Z: np.ndarray) -> np.ndarray:
            img = Z.reshape(-1, 8, 8)
            return np.hypot(ndimage.sobel(img, axis=1), ndimage.sobel(img, axis=2)).reshape(len(Z), -1)
        return edges

    assert randomization_check(gradient, net, X, random_state=0).passed
    assert not randomization_check(sobel, net, X, random_state=0).passed
    state = {k: v.clone() for k, v in net.state_dict().items()}
    randomized = randomize_model(net, layers=1, random_state=0)
    assert torch.equal(randomized[0].weight, net[0].weight) and not torch.equal(randomized[2].weight, net[2].weight)
    assert all(torch.equal(state[k], v) for k, v in net.state_dict().items())
    again = randomize_model(net, layers=1, random_state=0)
    assert torch.equal(randomized[2].weight, again[2].weight)


def test_randomize_model_for_linear_models_pipelines_and_adapters() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 5))
    lr = LinearRegression().fit(X, X @ np.arange(5.0))
    first, second = randomize_model(lr, random_state=4), randomize_model(lr, random_state=4)
    np.testing.assert_array_equal(first.coef_, second.coef_)
    assert not np.allclose(first.coef_, lr.coef_) and first.coef_.std() == pytest.approx(lr.coef_.std(), rel=1.0)
    np.testing.assert_allclose(lr.coef_, np.arange(5.0), atol=1e-10)
    pipe = make_pipeline(StandardScaler(), LinearRegression()).fit(X, X @ np.arange(5.0))
    assert not np.allclose(randomize_model(pipe, random_state=0)[-1].coef_, pipe[-1].coef_)
    adapter = explicable.wrap(lr)
    randomized = randomize_model(adapter, random_state=0)
    assert isinstance(randomized, type(adapter)) and randomized.model is not lr
    assert not np.allclose(randomized.predict(X), adapter.predict(X))


def test_given_randomised_models_and_unsupported_ones() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 12))
    trained = LinearRegression().fit(X, X @ np.arange(1.0, 13.0))
    shuffled = LinearRegression().fit(X, X @ rng.permutation(np.arange(1.0, 13.0)))
    coefs = lambda model: (lambda Z: np.broadcast_to(model.coef_, Z.shape))  # noqa: E731
    same = randomization_check(coefs, trained, X, randomized=trained)
    assert same.value == pytest.approx(1.0) and not same.passed
    expected = np.corrcoef(np.argsort(np.argsort(trained.coef_)), np.argsort(np.argsort(shuffled.coef_)))[0, 1]
    given = randomization_check(coefs, trained, X, randomized=[shuffled])
    assert given.value == pytest.approx(expected)
    forest = RandomForestRegressor(n_estimators=2, random_state=0).fit(X, X[:, 0])
    with pytest.raises(UnsupportedModelError, match="randomized"):
        randomization_check(coefs, forest, X)
    with pytest.raises(UnsupportedModelError, match="FunctionModel"):
        randomize_model(explicable.FunctionModel(lambda Z: Z.sum(axis=1)))
