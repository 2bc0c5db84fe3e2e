"""Global surrogates: exact recovery of a tree-shaped model, the low-fidelity flag, classes, EBM, errors."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from explicable import (
    FunctionModel,
    InvalidDataError,
    InvalidParameterError,
    LowFidelityWarning,
    MethodNotAvailableError,
)
from explicable.explainers.surrogate import distill


@pytest.fixture(scope="module")
def integers() -> np.ndarray:
    # integer features: any threshold between two neighbouring values splits every row the same way, so a
    # held-out row cannot fall between the learnt and the true threshold
    return np.random.default_rng(0).integers(0, 10, size=(600, 3)).astype(float)


def _depth_two(X: np.ndarray) -> np.ndarray:
    return np.where(X[:, 0] > 4.5, np.where(X[:, 1] > 2.5, 3.0, 1.0), np.where(X[:, 2] > 6.5, -2.0, 0.0))


def test_tree_recovers_a_depth_two_model_exactly(integers: np.ndarray) -> None:
    model = FunctionModel(_depth_two, feature_names=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", LowFidelityWarning)
        result = distill(model, integers, max_depth=2, random_state=0)
    assert result.fidelity == 1.0 and result.train_fidelity == 1.0 and not result.low_fidelity
    assert result.fidelity_metric == "r2" and result.task == "regression"
    assert result.n_test == 150 and result.n_train == 450
    X_new = np.random.default_rng(1).integers(0, 10, size=(50, 3)).astype(float)
    np.testing.assert_array_equal(result.surrogate.predict(X_new), _depth_two(X_new))
    for piece in ("a <= 4.5000", "b <= 2.5000", "c <= 6.5000"):
        assert piece in result.rules


def test_low_fidelity_is_flagged_with_a_warning() -> None:
    X = np.random.default_rng(2).normal(size=(400, 2))
    model = FunctionModel(lambda Z: Z[:, 0] + Z[:, 1], feature_names=["a", "b"])
    with pytest.warns(LowFidelityWarning, match="fidelity"):
        result = distill(model, X, max_depth=1, random_state=0)
    # one split on a sum of two equal-variance features explains about a third of its variance
    assert result.low_fidelity and 0.1 < result.fidelity < 0.5
    assert "LOW FIDELITY" in repr(result)


def test_classification_surrogate_measures_agreement(integers: np.ndarray) -> None:
    def proba(Z: np.ndarray) -> np.ndarray:
        p = np.where(Z[:, 1] > 5.5, 0.9, 0.2)
        return np.column_stack([1 - p, p])

    model = FunctionModel(proba, output_names=["good", "bad"], output_space="probability",
                          feature_names=["a", "b", "c"])
    result = distill(model, integers, max_depth=1, random_state=0)
    assert result.task == "classification" and result.fidelity_metric == "agreement"
    assert result.fidelity == 1.0 and result.output_names == ("good", "bad")
    assert set(result.surrogate.predict(integers)) == {"good", "bad"}


def test_same_seed_same_surrogate(integers: np.ndarray) -> None:
    X = np.random.default_rng(3).normal(size=(300, 3))
    model = FunctionModel(lambda Z: np.sin(Z[:, 0]) * Z[:, 1], feature_names=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowFidelityWarning)
        one, two = (distill(model, X, max_depth=3, random_state=4) for _ in range(2))
    assert one.rules == two.rules and one.fidelity == two.fidelity and one.provenance.random_state == 4


def test_ebm_surrogate(integers: np.ndarray) -> None:
    pytest.importorskip("interpret")
    X = np.random.default_rng(5).normal(size=(300, 3))
    model = FunctionModel(lambda Z: 2 * Z[:, 0] + np.sin(2 * Z[:, 1]), feature_names=["a", "b", "c"])
    result = distill(model, X, kind="ebm", random_state=0,
                     ebm_options={"outer_bags": 2, "interactions": 0, "max_rounds": 300, "n_jobs": 1})
    assert result.kind == "ebm" and result.fidelity > 0.9 and not result.low_fidelity
    lines = result.rules.splitlines()[1:]
    assert [line.split(":")[0] for line in lines] == ["a", "b", "c"]  # by importance: 2x, then sin, then noise


def test_ebm_without_interpret_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "interpret.glassbox", None)
    model = FunctionModel(lambda Z: Z[:, 0], feature_names=["a"])
    with pytest.raises(MethodNotAvailableError, match=r"explicable\[glassbox\]"):
        distill(model, np.arange(20.0)[:, None], kind="ebm")


def test_tree_surrogate_one_hot_encodes_categories() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"c": pd.Categorical(rng.choice(["a", "b", "z"], 300)), "x": rng.normal(size=300),
                          "s": rng.choice(["p", "q"], 300).astype(object)})

    def f(Z: np.ndarray) -> np.ndarray:  # 3 when c is "b", plus 1 when s is "q": a depth-2 tree exactly
        return np.where(Z[:, 0] == "b", 3.0, 0.0) + np.where(Z[:, 2] == "q", 1.0, 0.0)

    model = FunctionModel(f, feature_names=["c", "x", "s"], accepts_strings=True)
    result = distill(model, frame, max_depth=2, random_state=0)
    assert result.feature_names == ("c=a", "c=b", "c=z", "x", "s=p", "s=q")
    assert result.fidelity == 1.0 and not result.low_fidelity
    assert "c=b" in result.rules and ("s=q" in result.rules or "s=p" in result.rules)
    numbers_as_objects = np.array([["a", 1.0], ["b", 2.0]] * 10, dtype=object)
    half = distill(FunctionModel(lambda Z: Z[:, 1].astype(float), feature_names=["c", "x"], accepts_strings=True),
                   numbers_as_objects, max_depth=1, random_state=0)
    assert half.feature_names == ("c=a", "c=b", "x") and half.fidelity == 1.0


def test_bad_input() -> None:
    numeric = FunctionModel(lambda Z: Z[:, 0], feature_names=["a"])
    for kwargs, parameter in [({"kind": "forest"}, "kind"), ({"test_size": 1.0}, "test_size"),
                              ({"max_depth": 0}, "max_depth"), ({"min_fidelity": 2}, "min_fidelity"),
                              ({"task": "classification", "target": 0}, "target")]:
        with pytest.raises(InvalidParameterError) as info:
            distill(numeric, np.arange(20.0)[:, None], **kwargs)
        assert info.value.parameter == parameter
    with pytest.raises(InvalidDataError):
        distill(numeric, np.arange(2.0)[:, None])
