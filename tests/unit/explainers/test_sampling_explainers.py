"""Exact, kernel and permutation explainers through the public API."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPRegressor

import explicable
from explicable import FunctionModel
from explicable.explainers import ExactShap, KernelShap, PermutationShap


def _f(A: np.ndarray) -> np.ndarray:
    return A[:, 0] * A[:, 1] + np.sin(A[:, 2]) + A[:, 3] * A[:, 4] * A[:, 5] + A[:, 6:].sum(axis=1)


@pytest.fixture(scope="module")
def data() -> tuple[FunctionModel, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return FunctionModel(_f, n_features=14), rng.normal(size=(6, 14)), rng.normal(size=(40, 14))


def test_kernel_is_accurate_and_additive(data: tuple[FunctionModel, np.ndarray, np.ndarray]) -> None:
    model, X, bg = data
    exact = explicable.explain(model, X, background=bg, method="exact", budget=2**14)
    kernel = explicable.explain(model, X, background=bg, method="kernel", budget=2048, random_state=1)
    assert kernel.provenance.method == "kernel" and kernel.provenance.budget_used == 2048
    err = np.linalg.norm(kernel.values - exact.values) / np.linalg.norm(exact.values)
    assert err < 0.02
    np.testing.assert_allclose(kernel.output_totals, model.predict(X), atol=1e-9)
    np.testing.assert_allclose(kernel.base_values, exact.base_values, atol=1e-12)


@pytest.mark.parametrize("method", ["kernel", "permutation", "exact"])
def test_row_result_does_not_depend_on_the_batch(method: str,
                                                 data: tuple[FunctionModel, np.ndarray, np.ndarray]) -> None:
    """Audit replay explains one decision alone: it must give the bytes the batch gave."""
    model, X, bg = data
    budget = 2**14 if method == "exact" else 512
    together = explicable.explain(model, X, background=bg, method=method, budget=budget, random_state=4)
    for rows in ([3], [2, 3], [3, 4, 5]):
        part = explicable.explain(model, X[rows], background=bg, method=method, budget=budget, random_state=4)
        at = rows.index(3)
        assert together.values[3].tobytes() == part.values[at].tobytes()
        if together.stderr is not None and part.stderr is not None:
            assert together.stderr[3].tobytes() == part.stderr[at].tobytes()


def test_unseeded_runs_record_their_seed_and_replay(data: tuple[FunctionModel, np.ndarray, np.ndarray]) -> None:
    model, X, bg = data
    first = explicable.explain(model, X[:2], background=bg, method="kernel", budget=256)
    seed = first.provenance.random_state
    assert isinstance(seed, int)
    replay = explicable.explain(model, X[:2], background=bg, method="kernel", budget=256, random_state=seed)
    assert replay.values.tobytes() == first.values.tobytes()


def test_groups_are_players(data: tuple[FunctionModel, np.ndarray, np.ndarray]) -> None:
    _, X, bg = data
    names = [f"x{j}" for j in range(14)]
    wrapped = FunctionModel(_f, feature_names=names)
    groups = {"tail": names[6:], "pair": ["x0", "x1"]}
    exp = explicable.explain(wrapped, X[:2], background=bg, method="exact", groups=groups)
    assert exp.feature_names == ("pair", "x2", "x3", "x4", "x5", "tail")
    assert exp.data is not None and exp.data[0, 0] == (X[0, 0], X[0, 1])
    # the tail is additive: its Shapley value as one player is the sum of its features' effects
    np.testing.assert_allclose(exp.values[:, 5, 0], (X[:2, 6:] - bg[:, 6:].mean(axis=0)).sum(axis=1), atol=1e-10)


def test_frames_with_categories_and_weights() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.choice(["x", "y"], size=300),
                          "c": rng.normal(size=300)})
    model = FunctionModel(lambda A: A[:, 0].astype(float) * (A[:, 1] == "x") + A[:, 2].astype(float),
                          feature_names=["a", "b", "c"], accepts_strings=True)
    exp = explicable.explain(model, frame.iloc[:3], background=frame, method="exact", background_size=25)
    assert exp.provenance.parameters["background_rows"] == 300
    np.testing.assert_allclose(exp.output_totals[:, 0], model.predict(frame.iloc[:3])[:, 0], atol=1e-12)


def test_large_background_warns_with_cost(data: tuple[FunctionModel, np.ndarray, np.ndarray]) -> None:
    model, X, _ = data
    big = np.random.default_rng(0).normal(size=(1200, 14))
    with pytest.warns(UserWarning, match=r"1200 rows .* s per explained row"):
        explicable.explain(model, X[:1], background=big, method="kernel", budget=16, background_size=None)


def test_real_model_probability_space() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=2000, random_state=0).fit(X, X[:, 0] * X[:, 1])
    exp = explicable.explain(model, X[:3], background=X[:30], method="permutation", budget=200, random_state=0)
    assert exp.stderr is not None and exp.provenance.output_space == "raw"
    np.testing.assert_allclose(exp.output_totals[:, 0], model.predict(X[:3]), atol=1e-9)


@pytest.mark.parametrize(("cls", "kwargs", "match"), [
    (KernelShap, {"tol": 2.0}, "tol"),
    (KernelShap, {"size_weights": "magic"}, "size_weights"),
    (PermutationShap, {"budget": 0}, "budget"),
    (ExactShap, {"background_size": 0}, "background_size"),
    (ExactShap, {"random_state": -1}, "random_state"),
])
def test_bad_settings(cls: type, kwargs: dict, match: str) -> None:
    with pytest.raises(explicable.InvalidParameterError, match=match):
        cls(FunctionModel(_f, n_features=14), **kwargs)


def test_permutation_budget_too_small(data: tuple[FunctionModel, np.ndarray, np.ndarray]) -> None:
    model, X, bg = data
    with pytest.raises(explicable.BudgetExceededError, match="at least 54"):
        explicable.explain(model, X[:1], background=bg, method="permutation", budget=40)


def test_wide_data_at_the_default_budget() -> None:
    """60 players: the plan lists coalition sizes directly (listing 2^60 masks would need exabytes)."""
    w = np.linspace(-1, 1, 60)
    model = FunctionModel(lambda A: (A * w).sum(axis=1), n_features=60)
    rng = np.random.default_rng(0)
    X, bg = rng.normal(size=(2, 60)), rng.normal(size=(5, 60))
    exp = explicable.explain(model, X, background=bg, random_state=0)
    assert exp.provenance.method == "kernel" and exp.provenance.budget_used == 4096
    np.testing.assert_allclose(exp.values[:, :, 0], w * (X - bg.mean(axis=0)), atol=1e-8)  # additive: exact
