"""Data checks at the model seam: columns, NaN, infinity and shapes, each error naming what is wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from explicable import ExplicableError, InvalidDataError, wrap


@pytest.fixture(scope="module")
def logistic(numeric_data):
    return wrap(LogisticRegression().fit(numeric_data.frame, numeric_data.binary))


@pytest.fixture(scope="module")
def booster(numeric_data):
    model = xgboost.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1)
    return model, wrap(model.fit(numeric_data.frame, numeric_data.binary))


def _raises_naming(column: str, call, *args):
    with pytest.raises(InvalidDataError) as info:
        call(*args)
    assert f"'{column}'" in str(info.value)
    assert isinstance(info.value, ExplicableError)
    assert isinstance(info.value, ValueError)
    return info.value


def test_missing_column_is_named(logistic, numeric_data):
    frame = numeric_data.frame.drop(columns=["debt"])
    err = _raises_naming("debt", logistic.predict, frame)
    assert err.got == "debt"
    _raises_naming("debt", logistic.check_data, frame)


def test_extra_column_is_named(logistic, numeric_data):
    frame = numeric_data.frame.assign(customer_id=np.arange(200))
    err = _raises_naming("customer_id", logistic.predict, frame)
    assert "does not take" in str(err)
    _raises_naming("customer_id", logistic.check_data, frame)


def test_columns_in_another_order_are_reordered(logistic, numeric_data):
    shuffled = numeric_data.frame[["tenure", "debt", "age", "income"]]
    np.testing.assert_array_equal(logistic.predict(shuffled), logistic.predict(numeric_data.frame))
    assert logistic.check_data(shuffled).columns == ("age", "income", "debt", "tenure")


def test_nan_for_a_model_without_nan_support_names_the_column(logistic, numeric_data):
    frame = numeric_data.frame.copy()
    frame.loc[3, "income"] = np.nan
    err = _raises_naming("income", logistic.predict, frame)
    assert "missing value" in str(err)
    _raises_naming("income", logistic.check_data, frame)
    # the same rows as an array are refused the same way, before the model sees them
    _raises_naming("income", logistic.predict, frame.to_numpy())


def test_nan_is_accepted_where_the_model_handles_it(booster, numeric_data):
    model, adapter = booster
    frame = numeric_data.frame.head(20).copy()
    frame.loc[[1, 4], "income"] = np.nan
    assert adapter.allows_nan
    np.testing.assert_allclose(adapter.predict(frame), model.predict_proba(frame), atol=1e-6)
    np.testing.assert_allclose(adapter.predict(frame.to_numpy()), model.predict_proba(frame), atol=1e-6)


def test_nan_is_accepted_by_sklearn_models_that_take_it(numeric_data):
    model = HistGradientBoostingClassifier(max_iter=5).fit(numeric_data.frame, numeric_data.binary)
    frame = numeric_data.frame.head(10).copy()
    frame.loc[0, "age"] = np.nan
    np.testing.assert_allclose(wrap(model).predict(frame), model.predict_proba(frame), atol=1e-12)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
@pytest.mark.parametrize("which", ["logistic", "xgboost"])
def test_infinite_values_are_refused(logistic, booster, numeric_data, value, which):
    adapter = logistic if which == "logistic" else booster[1]
    frame = numeric_data.frame.head(5).copy()
    frame.loc[2, "tenure"] = value
    err = _raises_naming("tenure", adapter.predict, frame)
    assert "infinite" in str(err)
    assert "row 2" in str(err)
    _raises_naming("tenure", adapter.check_data, frame)
    _raises_naming("tenure", adapter.predict, frame.to_numpy())


@pytest.mark.parametrize("shape", [(5, 3), (5, 5), (1, 1)])
def test_wrong_number_of_columns_for_arrays(logistic, shape):
    with pytest.raises(InvalidDataError, match="4 columns") as info:
        logistic.predict(np.zeros(shape))
    assert info.value.parameter == "X"
    with pytest.raises(InvalidDataError, match="4 columns"):
        logistic.check_data(np.zeros(shape))


@pytest.mark.parametrize("X", [np.zeros(4), np.zeros((2, 2, 2))], ids=["1-D", "3-D"])
def test_arrays_must_be_two_dimensional(logistic, X):
    with pytest.raises(InvalidDataError, match="2-D"):
        logistic.predict(X)


def test_empty_frame_is_refused(logistic, numeric_data):
    with pytest.raises(InvalidDataError, match="at least one row"):
        logistic.predict(numeric_data.frame.head(0))


def test_strings_for_a_numeric_model_name_the_column(logistic, numeric_data):
    frame = numeric_data.frame.head(3).astype({"debt": object})
    frame.loc[1, "debt"] = "a lot"
    err = _raises_naming("debt", logistic.predict, frame)
    assert "a lot" in str(err)


def test_pipeline_takes_strings_but_still_checks_columns(mixed_data):
    pre = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), ["city", "job"]),
                             ("scale", StandardScaler(), ["age", "income"])])
    model = Pipeline([("pre", pre), ("lr", LogisticRegression())]).fit(mixed_data.strings, mixed_data.binary)
    adapter = wrap(model)
    assert adapter.accepts_strings
    np.testing.assert_allclose(adapter.predict(mixed_data.strings), model.predict_proba(mixed_data.strings))
    _raises_naming("job", adapter.predict, mixed_data.strings.drop(columns=["job"]))
    frame = mixed_data.strings.head(5).copy()
    frame.loc[0, "age"] = np.nan
    _raises_naming("age", adapter.predict, frame)  # the pipeline has no imputer: NaN can't go in


def test_check_data_returns_the_validated_table(logistic, numeric_data):
    table = logistic.check_data(pd.DataFrame(numeric_data.frame.head(3)))
    assert table.values.dtype == np.float64
    assert table.values.shape == (3, 4)
    np.testing.assert_array_equal(table.values, numeric_data.array[:3])
