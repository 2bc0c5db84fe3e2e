"""What-if edits: each feature's kind, and an edit checked and applied without losing the column's dtype."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from explicable.core.errors import InvalidParameterError
from explicable.dashboard._features import FeatureInfo, apply_changes, coerce_value, describe_features


@pytest.fixture
def row() -> pd.DataFrame:
    return pd.DataFrame({"age": [30], "income": [1200.5], "job": pd.Categorical(["a"], categories=["a", "b"]),
                         "code": pd.Categorical([1], categories=[1, 2, 3]), "owner": [True], "city": ["Oslo"]})


def test_kinds_levels_and_ranges(row: pd.DataFrame) -> None:
    frame = pd.concat([row, row.assign(age=61, income=99.0, city="Bergen")], ignore_index=True)
    info = {f.name: f for f in describe_features(frame)}
    assert (info["age"].kind, info["age"].low, info["age"].high, info["age"].integer) == ("numeric", 30, 61, True)
    assert (info["income"].kind, info["income"].integer) == ("numeric", False)
    assert info["job"].levels == ("a", "b")  # the categories, also those no row holds
    assert info["code"].levels == (1, 2, 3)
    assert (info["owner"].kind, info["owner"].levels) == ("boolean", (False, True))
    assert (info["city"].kind, info["city"].levels) == ("categorical", ("Bergen", "Oslo"))


@pytest.mark.parametrize(("info", "value", "expected"), [
    (FeatureInfo("x", "numeric"), "2.5", 2.5),
    (FeatureInfo("x", "numeric"), 7, 7.0),
    (FeatureInfo("x", "categorical", (1, 2, 3)), "2", 2),  # a form sends text; the level is the number
    (FeatureInfo("x", "boolean", (False, True)), "false", False),
    (FeatureInfo("x", "boolean", (False, True)), "True", True),
    (FeatureInfo("x", "boolean", (False, True)), False, False),
])
def test_values_are_coerced_to_the_features_kind(info: FeatureInfo, value: Any, expected: Any) -> None:
    got = coerce_value(info, value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("info", "value"), [
    (FeatureInfo("x", "numeric"), "nan"),
    (FeatureInfo("x", "numeric"), "-inf"),
    (FeatureInfo("x", "numeric"), True),
    (FeatureInfo("x", "numeric"), None),
    (FeatureInfo("x", "numeric"), ""),
    (FeatureInfo("x", "categorical", ("a", "b")), "c"),
    (FeatureInfo("x", "boolean", (False, True)), "2"),
])
def test_bad_values_name_the_feature(info: FeatureInfo, value: Any) -> None:
    with pytest.raises(InvalidParameterError) as err:
        coerce_value(info, value)
    assert err.value.parameter == "changes.x"


def test_changes_keep_dtypes_and_report_only_what_differs(row: pd.DataFrame) -> None:
    features = {f.name: f for f in describe_features(row)}
    edited, changed = apply_changes(row, features, {"age": "31", "job": "b", "code": "3", "owner": "true",
                                                    "income": 1200.5, "city": "Oslo"})
    assert changed == ["age", "job", "code"]
    assert edited.dtypes.to_dict() == row.dtypes.to_dict()
    assert edited.iloc[0].to_dict() == {"age": 31, "income": 1200.5, "job": "b", "code": 3, "owner": True,
                                        "city": "Oslo"}
    assert row.iloc[0]["age"] == 30  # the original is left alone


def test_a_fractional_edit_of_a_whole_number_column_is_kept(row: pd.DataFrame) -> None:
    features = {f.name: f for f in describe_features(row)}
    edited, changed = apply_changes(row, features, {"age": 30.5})
    assert changed == ["age"] and edited.iloc[0]["age"] == 30.5


def test_an_unknown_feature_is_refused(row: pd.DataFrame) -> None:
    features = {f.name: f for f in describe_features(row)}
    with pytest.raises(InvalidParameterError, match="age, income") as err:
        apply_changes(row, features, {"salary": 1})
    assert err.value.parameter == "changes" and err.value.got == "salary"
