"""FunctionModel: plain callables as models, the checks on what they return, and the call counters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explicable import (
    ExplicableError,
    FunctionModel,
    InvalidDataError,
    InvalidParameterError,
    ModelOutputError,
)

W = np.array([1.0, -2.0, 0.5])


def linear(X: np.ndarray) -> np.ndarray:
    return X @ W


def test_one_dimensional_return_is_one_output():
    model = FunctionModel(linear, feature_names=["a", "b", "c"])
    X = np.arange(12.0).reshape(4, 3)
    out = model.predict(X)
    assert out.shape == (4, 1)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[:, 0], X @ W)
    assert model.output_names == ("output",)
    assert model.output_space == "raw"


def test_integer_returns_become_float64():
    model = FunctionModel(lambda X: np.ones((len(X), 2), dtype=np.int32), output_names=["p", "q"])
    out = model.predict(np.zeros((3, 2)))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.ones((3, 2)))


def test_several_outputs_keep_their_names():
    model = FunctionModel(lambda X: np.column_stack([X[:, 0], -X[:, 0]]), output_names=["up", "down"],
                          output_space="log-odds")
    out = model.predict(np.array([[2.0, 0.0]]))
    np.testing.assert_array_equal(out, [[2.0, -2.0]])
    assert model.output_names == ("up", "down")
    assert model.output_space == "log-odds"


@pytest.mark.parametrize(
    ("fn", "got"),
    [
        (lambda X: np.ones((len(X), 3)), (5, 3)),       # one output too many
        (lambda X: np.ones(len(X) - 1), (4, 1)),        # a row missing
        (lambda X: np.ones((len(X), 2, 1)), (5, 2, 1)),  # 3-D
        (lambda X: np.float64(1.0), ()),                 # a scalar
    ],
    ids=["columns", "rows", "3-D", "scalar"],
)
def test_wrong_shape_states_expected_and_got(fn, got):
    model = FunctionModel(fn, output_names=["p", "q"] if got == (5, 3) else ["p"])
    k = len(model.output_names)
    with pytest.raises(ModelOutputError) as info:
        model.predict(np.zeros((5, 2)))
    message = str(info.value)
    assert f"({5}, {k})" in message  # expected
    assert str(got) in message       # got
    assert info.value.expected == f"(5, {k})"
    assert info.value.got == got


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_output_is_refused(bad):
    def fn(X: np.ndarray) -> np.ndarray:
        out = X.sum(axis=1)
        out[1] = bad
        return out

    with pytest.raises(ModelOutputError, match="NaN or infinite"):
        FunctionModel(fn).predict(np.ones((3, 2)))


def test_non_numeric_output_is_refused():
    with pytest.raises(ModelOutputError, match="not numbers"):
        FunctionModel(lambda X: np.array(["yes"] * len(X))).predict(np.ones((2, 2)))


def test_strings_in_a_frame_name_the_column():
    model = FunctionModel(linear, feature_names=["a", "b", "c"])
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0], "c": ["low", "high"]})
    with pytest.raises(InvalidDataError, match="'c'") as info:
        model.predict(frame)
    assert "low" in str(info.value)
    assert model.n_calls == 0  # refused before the function ran


def test_numeric_strings_are_numbers():
    model = FunctionModel(linear, feature_names=["a", "b", "c"])
    frame = pd.DataFrame({"a": ["1.5", "2"], "b": [3.0, 4.0], "c": [0, 1]}).astype({"a": object})
    np.testing.assert_allclose(model.predict(frame)[:, 0], np.array([[1.5, 3.0, 0.0], [2.0, 4.0, 1.0]]) @ W)


def test_accepts_strings_passes_objects_through():
    seen: list[np.ndarray] = []

    def fn(X: np.ndarray) -> np.ndarray:
        seen.append(X)
        return (X[:, 1] == "yes").astype(float)

    model = FunctionModel(fn, feature_names=["x", "flag"], accepts_strings=True)
    out = model.predict(pd.DataFrame({"x": [1.0, 2.0], "flag": ["yes", "no"]}))
    np.testing.assert_array_equal(out[:, 0], [1.0, 0.0])
    assert seen[0].dtype == object


def test_frame_columns_are_reordered_by_name():
    model = FunctionModel(linear, feature_names=["a", "b", "c"])
    frame = pd.DataFrame({"c": [1.0], "a": [2.0], "b": [3.0]})
    np.testing.assert_allclose(model.predict(frame), [[2.0 - 6.0 + 0.5]])


def test_counters_count_calls_and_rows():
    model = FunctionModel(linear)
    assert (model.n_calls, model.n_rows) == (0, 0)
    model.predict(np.ones((4, 3)))
    model.predict(np.ones((6, 3)))
    model.predict(pd.DataFrame(np.ones((2, 3)), columns=["x0", "x1", "x2"]))
    assert (model.n_calls, model.n_rows) == (3, 12)
    model.reset_counts()
    assert (model.n_calls, model.n_rows) == (0, 0)


def test_counters_are_shared_with_schema_copies():
    """Explainers predict through ``with_schema`` copies; the budget they spend shows on the caller's model."""
    model = FunctionModel(lambda X: np.zeros(len(X)), feature_names=["x", "flag"], accepts_strings=True)
    model.predict(pd.DataFrame({"x": [1.0, 2.0, 3.0], "flag": ["a", "b", "c"]}))  # a frame with strings
    copy = model.with_schema(model.check_data(pd.DataFrame({"x": [1.0], "flag": ["a"]})).schema)
    copy.predict(np.array([[1.0, "a"]], dtype=object))
    assert (model.n_calls, model.n_rows) == (2, 4)
    assert (copy.n_calls, copy.n_rows) == (2, 4)


def test_not_callable_is_refused():
    with pytest.raises(InvalidParameterError, match="'fn'") as info:
        FunctionModel(np.ones(3))  # type: ignore[arg-type]
    assert isinstance(info.value, ExplicableError)


def test_invalid_output_space_is_refused():
    with pytest.raises(InvalidParameterError, match="output_space"):
        FunctionModel(linear, output_space="logits")


def test_n_features_is_checked_for_arrays():
    model = FunctionModel(linear, n_features=3)
    with pytest.raises(InvalidDataError, match="3 columns"):
        model.predict(np.ones((2, 4)))
