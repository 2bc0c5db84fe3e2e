"""Tables and parameters at the boundary: one clear error naming the column or parameter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explicable import InvalidDataError, InvalidParameterError
from explicable.core.validation import as_table, check_choice, check_int, check_random_state


def test_numeric_frame_becomes_float_array() -> None:
    table = as_table(pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5], "c": [True, False]}))
    assert table.values.dtype == np.float64 and table.columns == ("a", "b", "c")
    np.testing.assert_array_equal(table.values, [[1, 0.5, 1], [2, 1.5, 0]])


def test_mixed_frame_keeps_objects_and_dtypes() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": pd.Categorical(["x", "y"])})
    table = as_table(frame)
    assert table.values.dtype == object and table.values[1, 1] == "y"
    rebuilt = table.frame()
    assert isinstance(rebuilt["b"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(rebuilt, frame)


def test_columns_are_reordered_by_name() -> None:
    table = as_table(pd.DataFrame({"b": [2.0], "a": [1.0]}), columns=["a", "b"])
    np.testing.assert_array_equal(table.values, [[1.0, 2.0]])


@pytest.mark.parametrize(("frame", "match"), [
    (pd.DataFrame({"a": [1.0]}), "missing the column 'b'"),
    (pd.DataFrame({"a": [1.0], "b": [1.0], "target": [0]}), "column 'target' that the model does not take"),
])
def test_missing_and_extra_columns_are_named(frame: pd.DataFrame, match: str) -> None:
    with pytest.raises(InvalidDataError, match=match) as err:
        as_table(frame, columns=["a", "b"])
    assert err.value.parameter == "X"


def test_nan_named_when_not_allowed() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, 1.0]})
    with pytest.raises(InvalidDataError, match=r"1 missing value\(s\) \(NaN\) in column 'b'"):
        as_table(frame, allow_nan=False)
    assert np.isnan(as_table(frame).values[0, 1])


def test_nan_in_string_column_named() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "s": ["x", None]})
    with pytest.raises(InvalidDataError, match="column 's'"):
        as_table(frame, allow_nan=False)


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinity_always_refused(bad: float) -> None:
    with pytest.raises(InvalidDataError, match="infinite value in column 'x1' \\(row 1\\)"):
        as_table(np.array([[0.0, 1.0], [2.0, bad]]))


def test_strings_for_numeric_model_name_column_and_value() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "city": ["Paris", "Rome"]})
    with pytest.raises(InvalidDataError, match="non-numeric value 'Paris' in column 'city' \\(row 0\\)"):
        as_table(frame, numeric=True)


def test_numeric_strings_in_object_array_are_converted() -> None:
    table = as_table(np.array([["1.5", 2]], dtype=object), numeric=True)
    assert table.values.dtype == np.float64 and table.values[0, 0] == 1.5


@pytest.mark.parametrize(("X", "match"), [
    (None, "2-D array"),
    (np.zeros(3), "reshape"),
    (np.zeros((0, 3)), "at least one row"),
    (pd.DataFrame({"a": []}), "at least one row"),
    (pd.Series([1.0, 2.0]), "Series"),
    (np.zeros((2, 2, 2)), "2-D"),
])
def test_shapes(X: object, match: str) -> None:
    with pytest.raises(InvalidDataError, match=match):
        as_table(X)


def test_wrong_width_for_columns() -> None:
    with pytest.raises(InvalidDataError, match="3 columns"):
        as_table(np.zeros((2, 2)), columns=["a", "b", "c"])


def test_parameter_checks() -> None:
    assert check_choice("a", "mode", ["a", "b"]) == "a"
    with pytest.raises(InvalidParameterError, match=r"The 'mode' parameter must be one of 'a', 'b'\. Got 'c'"):
        check_choice("c", "mode", ["a", "b"])
    assert check_int(3, "n", low=1) == 3
    with pytest.raises(InvalidParameterError, match=r"in the range \[1, inf\]"):
        check_int(0, "n", low=1)
    with pytest.raises(InvalidParameterError, match="an int"):
        check_int(True, "n")
    assert check_random_state(None) is None and check_random_state(7) == 7
    with pytest.raises(InvalidParameterError, match="random_state"):
        check_random_state(np.random.default_rng(0))


def test_schema_keeps_values_outside_recorded_categories() -> None:
    frame = pd.DataFrame({"c": pd.Categorical(["a", "b"])})
    table = as_table(frame)
    rebuilt = table.schema.to_frame(np.array([["b"], ["z"], [np.nan]], dtype=object))
    assert list(rebuilt["c"].cat.categories) == ["a", "b", "z"]
    assert rebuilt["c"].iloc[1] == "z" and pd.isna(rebuilt["c"].iloc[2])
    assert rebuilt["c"].cat.codes.tolist()[0] == 1  # recorded codes keep their meaning
