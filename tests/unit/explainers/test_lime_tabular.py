"""LimeTabular: closed forms, error bars against the spread across seeds, stability mode, fidelity, contracts."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import explicable
from explicable import Explanation, FunctionModel, LowFidelityWarning
from explicable.core.errors import InvalidParameterError, NotFittedError
from explicable.explainers.surrogate import LimeTabular

rng = np.random.default_rng(3)
X = rng.normal(size=(400, 6)) * [1.0, 2.0, 0.5, 1.0, 3.0, 1.0] + [0.0, 1.0, -2.0, 0.0, 5.0, 0.0]
W = np.array([1.5, -0.5, 2.0, 0.0, 0.3, -1.0])


def linear() -> FunctionModel:
    return FunctionModel(lambda A: A @ W + 0.7, n_features=6)


def bumpy() -> FunctionModel:
    return FunctionModel(lambda A: np.column_stack([np.tanh(A[:, 0] * A[:, 1]) + np.sin(2 * A[:, 2]) + A[:, 3] ** 2,
                                                    A[:, 4] - A[:, 5]]), output_names=["u", "v"], n_features=6)


def quiet(explainer: LimeTabular, rows: np.ndarray) -> Explanation:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowFidelityWarning)
        return explainer.explain(rows)


def test_continuous_mode_on_a_linear_model_is_its_shapley_value() -> None:
    """f = w.x + b: the surrogate is exact, so values = w * (x - mean), and they add up to f(x)."""
    exp = LimeTabular(linear(), mode="continuous", alpha=0.0, n_samples=640, random_state=0).fit(X).explain(X[:5])
    np.testing.assert_allclose(exp.values[:, :, 0], W * (X[:5] - X.mean(axis=0)), atol=1e-9)
    np.testing.assert_allclose(exp.output_totals[:, 0], X[:5] @ W + 0.7, atol=1e-9)
    np.testing.assert_allclose(exp.stderr, 0.0, atol=1e-9)
    assert exp.provenance.parameters["diagnostics"]["fidelity"] == [[1.0]] * 5


def test_quartile_mode_recovers_a_model_linear_in_the_bins() -> None:
    """f = sum c_j [x_j in the explained row's quartile]: z is exactly what f reads, so coef = c."""
    c = np.array([1.0, -2.0, 0.5, 0.0, 3.0, -1.0])
    q1 = np.percentile(X, 25, axis=0)
    row = np.minimum(X[:1], q1 - 0.01)  # every feature in the bottom quartile
    model = FunctionModel(lambda A: (q1 >= A) @ c, n_features=6)
    exp = LimeTabular(model, alpha=0.0, n_samples=640, random_state=1).fit(X).explain(row)
    np.testing.assert_allclose(exp.values[0, :, 0], c, atol=1e-9)
    np.testing.assert_allclose(exp.base_values, 0.0, atol=1e-9)


def test_quartile_samples_follow_the_background_and_share_one_model_call() -> None:
    model = bumpy()
    lime = LimeTabular(model, n_samples=1000, random_state=2).fit(X)
    model.reset_counts()
    exp = quiet(lime, X[:7])
    # one call for the rows themselves, one for the samples every row shares
    assert model.n_calls == 2 and model.n_rows == 7 + lime.n_samples == 7 + 1280
    assert exp.provenance.budget_used == 1280
    U = lime.background_.draw(np.random.default_rng(0).random((20000, 6)))[1]
    shares = np.array([(b == U).mean(axis=0) for b in range(4)])
    np.testing.assert_allclose(shares, 0.25, atol=0.02)


def test_same_seed_same_bytes_and_rows_do_not_depend_on_their_batch() -> None:
    a = quiet(LimeTabular(bumpy(), n_samples=200, random_state=5).fit(X), X[:4])
    b = quiet(LimeTabular(bumpy(), n_samples=200, random_state=5).fit(X), X[:4])
    c = quiet(LimeTabular(bumpy(), n_samples=200, random_state=5).fit(X), X[2:3])
    d = quiet(LimeTabular(bumpy(), n_samples=200, random_state=6).fit(X), X[:4])
    assert a.values.tobytes() == b.values.tobytes() and a.stderr.tobytes() == b.stderr.tobytes()
    np.testing.assert_array_equal(a.values[2:3], c.values)
    assert not np.allclose(a.values, d.values)
    assert a.provenance.random_state == 5


@pytest.mark.parametrize("mode", ["quartile", "continuous"])
def test_stderr_matches_the_spread_across_seeds(mode: str) -> None:
    runs = [quiet(LimeTabular(bumpy(), mode=mode, n_samples=320, random_state=s).fit(X), X[:3]) for s in range(24)]
    values = np.array([r.values for r in runs])
    spread = values.std(axis=0, ddof=1)
    claimed = np.sqrt(np.mean([r.stderr**2 for r in runs], axis=0))
    moving = spread > 1e-6
    ratio = np.median(claimed[moving] / spread[moving])
    assert 0.7 < ratio < 1.4, ratio


def test_stability_mode_spends_samples_where_the_ranking_is_unsure() -> None:
    # feature 0 dominates and 1, 2 tie exactly: top-1 is settled at once, top-2 never is
    model = FunctionModel(lambda A: 3 * A[:, 0] + A[:, 1] + A[:, 2] + np.sin(3 * A[:, 3]), n_features=6)
    Xs = rng.normal(size=(300, 6))
    row = Xs.mean(axis=0, keepdims=True) + np.array([2.0, 1.0, 1.0, 0.0, 0.0, 0.0])  # values 6, 1, 1, 0, 0, 0
    easy = quiet(LimeTabular(model, mode="continuous", n_samples=200, stable_top_k=1, random_state=0).fit(Xs), row)
    hard = quiet(LimeTabular(model, mode="continuous", n_samples=200, stable_top_k=2, max_samples=1600,
                             random_state=0).fit(Xs), row)
    assert easy.provenance.parameters["diagnostics"]["stable"] == [[True]]
    assert easy.provenance.budget_used == 320
    assert hard.provenance.parameters["diagnostics"]["stable"] == [[False]]
    assert hard.provenance.budget_used == 1280  # 320, 640, 1280; the next doubling would pass 1600


def test_stable_top_k_set_agrees_across_seeds() -> None:
    model = FunctionModel(lambda A: A @ W + 0.5 * np.sin(4 * A[:, 1]), n_features=6)
    sets = []
    for seed in range(5):
        exp = quiet(LimeTabular(model, n_samples=320, stable_top_k=3, random_state=seed).fit(X), X[:4])
        sets.append([frozenset(np.argsort(-np.abs(v[:, 0]))[:3]) for v in exp.values])
        assert all(all(s) for s in exp.provenance.parameters["diagnostics"]["stable"])
    assert all(len({run[i] for run in sets}) == 1 for i in range(4))


def test_low_fidelity_is_flagged_and_warned() -> None:
    model = FunctionModel(lambda A: np.sign(A[:, 0] * A[:, 1]), n_features=6)
    with pytest.warns(LowFidelityWarning, match="weighted R\\^2 under 0.5"):
        exp = LimeTabular(model, n_samples=200, random_state=0).fit(X).explain(X[:2])
    assert exp.provenance.parameters["diagnostics"]["low_fidelity"] == [[True], [True]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", LowFidelityWarning)
        LimeTabular(linear(), mode="continuous", n_samples=200, random_state=0).fit(X).explain(X[:2])


def test_categorical_columns_are_sampled_by_frequency() -> None:
    frame = pd.DataFrame({"colour": pd.Categorical(rng.choice(["red", "green", "blue"], 300, p=[0.5, 0.3, 0.2])),
                          "size": rng.normal(size=300)})
    q1 = np.percentile(frame["size"], 25)
    model = FunctionModel(lambda A: 2.0 * (A[:, 0] == "red") + (A[:, 1].astype(float) <= q1),
                          feature_names=["colour", "size"], accepts_strings=True)
    row = pd.DataFrame({"colour": pd.Categorical(["red"], categories=["blue", "green", "red"]), "size": [q1 - 1]})
    exp = LimeTabular(model, alpha=0.0, n_samples=320, random_state=0).fit(frame).explain(row)
    np.testing.assert_allclose(exp.values[0, :, 0], [2.0, 1.0], atol=1e-9)
    assert exp.feature_names == ("colour", "size")


def test_front_door_target_and_json_round_trip() -> None:
    exp = quiet_explain(method="lime", target="v")
    assert exp.provenance.method == "lime" and exp.output_names == ("v",)
    diag = exp.provenance.parameters["diagnostics"]
    assert len(diag["fidelity"]) == 3 and all(len(r) == 1 for r in diag["fidelity"])
    assert Explanation.from_json(exp.to_json()) == exp
    auto = explicable.explain(linear(), X[:2], background=X)
    assert auto.provenance.method != "lime"


def quiet_explain(**kwargs: object) -> Explanation:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowFidelityWarning)
        return explicable.explain(bumpy(), X[:3], background=X, random_state=0, n_samples=200, **kwargs)


def test_bad_settings_and_order_of_calls() -> None:
    with pytest.raises(InvalidParameterError, match="'mode'"):
        LimeTabular(linear(), mode="deciles")
    with pytest.raises(InvalidParameterError, match="'alpha'"):
        LimeTabular(linear(), alpha=-1.0)
    with pytest.raises(InvalidParameterError, match="'confidence'"):
        LimeTabular(linear(), confidence=1.5)
    with pytest.raises(InvalidParameterError, match="'max_samples'"):
        LimeTabular(linear(), n_samples=1000, max_samples=10)
    with pytest.raises(InvalidParameterError, match="background"):
        LimeTabular(linear()).fit(None)
    with pytest.raises(NotFittedError):
        LimeTabular(linear()).explain(X[:1])
    with pytest.raises(InvalidParameterError, match="does not take"):
        explicable.explain(linear(), X[:1], background=X, method="lime", budget_per_row=3)
