"""One suite run against every registered method on real models: shapes, determinism, error bars and budget for
all; efficiency and the dummy axiom for the additive (Shapley) methods."""

from __future__ import annotations

from collections.abc import Callable

import lightgbm
import numpy as np
import pytest
import torch
import xgboost
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression

import explicable
from explicable.explainers import REGISTRY

rng = np.random.default_rng(7)
X = rng.normal(size=(400, 5))
X[:, 4] = 1.0  # a constant feature: no model can use it, so its attribution must be 0 (dummy axiom)
y_reg = X[:, 0] * 3 + X[:, 1] * X[:, 2] - X[:, 3]
y_bin = (y_reg > 0).astype(int)
X_explain = rng.normal(size=(30, 5))  # here the dummy column varies, the model still ignores it



def _without_x4(model: LogisticRegression) -> LogisticRegression:
    # a constant column is confounded with the intercept, so the solver may give it a small weight; zero it so
    # the model really ignores x4
    model.coef_[:, 4] = 0.0
    return model


def _nonlinear(A: np.ndarray) -> np.ndarray:
    return np.column_stack([np.sin(A[:, 0]) * A[:, 1] + A[:, 2] ** 2 - A[:, 3], A[:, 0] * A[:, 3]])


def _torch_mlp() -> object:
    """A float64 tanh MLP with two outputs that ignores x4 (its first-layer weights are zero)."""
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2)).double()
    with torch.no_grad():
        module[0].weight[:, 4] = 0.0
    return explicable.TorchAdapter(module, output_names=["a", "b"], feature_names=[f"x{j}" for j in range(5)])


GAME_MODELS: list[Callable[[], object]] = [
    lambda: explicable.FunctionModel(_nonlinear, output_names=["a", "b"], n_features=5),
    lambda: lightgbm.LGBMRegressor(n_estimators=20, num_leaves=8, verbose=-1).fit(X, y_reg),
]
BUDGET = 24  # < 2^5: the sampled methods really sample
SAMPLED = {"kernel", "permutation", "lime"}

CASES: dict[str, list[Callable[[], object]]] = {
    "tree": [
        lambda: xgboost.XGBRegressor(n_estimators=20, max_depth=3).fit(X, y_reg),
        lambda: xgboost.XGBClassifier(n_estimators=20, max_depth=3).fit(X, y_bin),
        lambda: lightgbm.LGBMRegressor(n_estimators=20, num_leaves=8, verbose=-1).fit(X, y_reg),
        lambda: lightgbm.LGBMClassifier(n_estimators=20, num_leaves=8, verbose=-1).fit(X, y_bin),
        lambda: RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y_bin),
        lambda: GradientBoostingRegressor(n_estimators=10, max_depth=3, random_state=0).fit(X, y_reg),
    ],
    "linear": [
        lambda: LinearRegression().fit(X, y_reg),
        lambda: _without_x4(LogisticRegression(max_iter=500).fit(X, y_bin)),
    ],
    "exact": GAME_MODELS,
    "kernel": GAME_MODELS,
    "permutation": GAME_MODELS,
    "lime": GAME_MODELS,
    "integrated_gradients": [_torch_mlp],
    "saliency": [_torch_mlp],
    "smoothgrad": [_torch_mlp],
    "occlusion": [_torch_mlp],
}
#: Methods for images or texts only, with their own suites (closed forms, peers, sanity checks).
NON_TABULAR = {"gradcam": "tests/unit/explainers/gradient/test_gradient_gradcam.py",
               "attention": "tests/unit/explainers/attention/"}
#: Methods whose values are no decomposition of the model's output (a surrogate's coefficients, gradients,
#: output drops): no efficiency axiom. The dummy axiom holds for all but LIME (its ridge shares weight).
NOT_ADDITIVE = {"lime": "its values add up to its surrogate's prediction",
                "saliency": "a gradient is no decomposition of the output", "smoothgrad": "a mean gradient is no "
                "decomposition of the output", "occlusion": "output drops overlap and do not add up"}
NO_DUMMY = {"lime"}
#: Gradient methods with error bars from random noise (not a coalition budget).
NOISY = {"smoothgrad"}
PARAMS = [(name, i) for name in REGISTRY.names() for i in range(len(CASES.get(name, [])))]


def test_every_registered_method_has_cases() -> None:
    assert set(REGISTRY.names()) == set(CASES) | set(NON_TABULAR)


@pytest.mark.parametrize(("method", "case"), PARAMS)
@pytest.mark.filterwarnings("ignore::explicable.LowFidelityWarning")
class TestConformance:
    def explain(self, method: str, case: int) -> tuple[object, explicable.Explanation]:
        model = CASES[method][case]()
        background = X[:200] if REGISTRY.resolve(method, explicable.wrap(model)).needs_background else None
        return model, explicable.explain(model, X_explain, method=method, background=background,
                                         budget=2**5 if method == "exact" else BUDGET,
                                         random_state=0)

    def test_shapes_and_names(self, method: str, case: int) -> None:
        model, exp = self.explain(method, case)
        k = len(explicable.wrap(model).output_names)
        assert exp.shape == (30, 5, k) and exp.base_values.shape == (30, k)
        assert exp.feature_names == tuple(f"x{j}" for j in range(5))
        assert exp.provenance.method == method

    def test_efficiency(self, method: str, case: int) -> None:
        if method in NOT_ADDITIVE:
            pytest.skip(f"{method}: {NOT_ADDITIVE[method]}")
        model, exp = self.explain(method, case)
        adapter = model if isinstance(model, explicable.ModelAdapter) else \
            explicable.wrap(model, output_space=exp.provenance.output_space)
        target = adapter.predict(X_explain)
        np.testing.assert_allclose(exp.output_totals, target, atol=1e-6, rtol=0)

    def test_dummy(self, method: str, case: int) -> None:
        if method in NO_DUMMY:
            pytest.skip(f"{method} has no dummy axiom")
        _, exp = self.explain(method, case)
        bound = 4 * exp.stderr[:, 4, :] if method == "kernel" and exp.stderr is not None else 0.0
        assert np.all(np.abs(exp.values[:, 4, :]) <= bound + 1e-9)

    def test_deterministic(self, method: str, case: int) -> None:
        _, a = self.explain(method, case)
        _, b = self.explain(method, case)
        assert a.values.tobytes() == b.values.tobytes() and a.base_values.tobytes() == b.base_values.tobytes()

    def test_stderr_and_budget(self, method: str, case: int) -> None:
        _, exp = self.explain(method, case)
        if method in SAMPLED:
            assert exp.stderr is not None and np.all(exp.stderr >= 0) and exp.stderr.max() > 0
            assert exp.provenance.budget_used is not None
            assert exp.provenance.budget_used <= (BUDGET if method != "lime" else 5120)  # lime: its n_samples
            assert exp.provenance.random_state == 0
        elif method in NOISY:
            assert exp.stderr is not None and np.all(exp.stderr >= 0) and exp.stderr.max() > 0
            assert exp.provenance.random_state == 0
        else:
            assert exp.stderr is None


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_single_split_closed_form(library: str) -> None:
    """One tree, one split on x0: phi_0 = f(x) - E[f], with E over the training cover; others are 0."""
    x0 = np.repeat([0.0, 1.0], [300, 100])
    data = np.column_stack([x0, rng.normal(size=400)])
    target = np.where(x0 > 0.5, 5.0, 1.0)
    if library == "xgboost":
        model = xgboost.XGBRegressor(n_estimators=1, max_depth=1, learning_rate=1.0, reg_lambda=0.0,
                                     base_score=0.0, min_child_weight=0).fit(data, target)
    else:
        model = lightgbm.LGBMRegressor(n_estimators=1, num_leaves=2, learning_rate=1.0, min_child_samples=1,
                                       verbose=-1).fit(data, target)
    f = model.predict(np.array([[0.0, 0.0], [1.0, 0.0]]))
    expected_value = 0.75 * f[0] + 0.25 * f[1]  # cover-weighted mean of the two leaves
    exp = explicable.explain(model, np.array([[0.0, 3.0], [1.0, -3.0]]))
    np.testing.assert_allclose(exp.values[:, 0, 0], f - expected_value, atol=1e-5)
    np.testing.assert_allclose(exp.values[:, 1, 0], 0.0, atol=1e-12)
    np.testing.assert_allclose(exp.base_values[:, 0], expected_value, atol=1e-5)
