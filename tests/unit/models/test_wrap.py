"""``wrap()``: the adapter chosen for each kind of object, and the errors for what it can't take."""

from __future__ import annotations

import catboost
import lightgbm
import numpy as np
import pytest
import torch
import xgboost
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from explicable import ExplicableError, FunctionModel, ModelAdapter, UnsupportedModelError, wrap
from explicable.models import SUPPORTED
from explicable.models.catboost import CatBoostAdapter
from explicable.models.lightgbm import LightGBMAdapter
from explicable.models.sklearn import SklearnAdapter, SklearnLinearAdapter, SklearnTreeAdapter
from explicable.models.torch import TorchAdapter
from explicable.models.xgboost import XGBoostAdapter


@pytest.mark.parametrize("obj", [object(), "model.pkl", 42, None, [1, 2], np.ones(3), RandomForestClassifier],
                         ids=["object", "str", "int", "None", "list", "array", "a class"])
def test_unsupported_object_lists_what_is_supported(obj):
    with pytest.raises(UnsupportedModelError) as info:
        wrap(obj)
    message = str(info.value)
    assert "No adapter" in message
    for kind in SUPPORTED:
        assert kind in message
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, ExplicableError)
    assert info.value.parameter == "model"


def test_unfitted_estimator_without_predict_is_refused():
    with pytest.raises(UnsupportedModelError):
        wrap(StandardScaler())  # a transformer: no predict


def test_an_adapter_is_returned_as_is():
    adapter = FunctionModel(lambda X: X[:, 0])
    assert wrap(adapter) is adapter


@pytest.mark.parametrize("option", [{"output_space": "raw"}, {"output_names": ["y"]}, {"feature_names": ["a"]}])
def test_options_for_an_adapter_are_refused(option):
    adapter = FunctionModel(lambda X: X[:, 0])
    with pytest.raises(UnsupportedModelError, match=next(iter(option))) as info:
        wrap(adapter, **option)
    assert info.value.parameter == "options"


def test_each_library_gets_its_adapter(numeric_data):
    X, y = numeric_data.frame, numeric_data.binary
    cases = [
        (xgboost.XGBClassifier(n_estimators=2, n_jobs=1).fit(X, y), XGBoostAdapter),
        (lightgbm.LGBMClassifier(n_estimators=2, n_jobs=1, verbose=-1).fit(X, y), LightGBMAdapter),
        (catboost.CatBoostClassifier(iterations=2, thread_count=1, verbose=0, allow_writing_files=False).fit(X, y),
         CatBoostAdapter),
        (RandomForestClassifier(n_estimators=2, random_state=0).fit(X, y), SklearnTreeAdapter),
        (LogisticRegression().fit(X, y), SklearnLinearAdapter),
        (make_pipeline(StandardScaler(), Ridge()).fit(X, y), SklearnAdapter),
        (torch.nn.Linear(4, 1), TorchAdapter),
        (lambda Z: Z.sum(axis=1), FunctionModel),
    ]
    for model, kind in cases:
        adapter = wrap(model)
        assert type(adapter) is kind, type(model)
        assert isinstance(adapter, ModelAdapter)
        assert adapter.model is model


def test_boosters_are_wrapped_like_their_estimators(numeric_data):
    X, y = numeric_data.frame, numeric_data.binary
    xgb = xgboost.XGBClassifier(n_estimators=3, n_jobs=1).fit(X, y)
    lgb = lightgbm.LGBMClassifier(n_estimators=3, n_jobs=1, verbose=-1).fit(X, y)
    for estimator, booster in ((xgb, xgb.get_booster()), (lgb, lgb.booster_)):
        from_booster = wrap(booster)
        assert from_booster.output_names == ("0", "1")
        assert from_booster.feature_names == tuple(X.columns)
        np.testing.assert_allclose(from_booster.predict(X), estimator.predict_proba(X), atol=1e-6)


def test_options_reach_the_adapter(numeric_data):
    model = LogisticRegression().fit(numeric_data.array, numeric_data.binary)
    adapter = wrap(model, output_names=["good", "bad"], feature_names=["a", "b", "c", "d"])
    assert adapter.output_names == ("good", "bad")
    assert adapter.feature_names == ("a", "b", "c", "d")


def test_unknown_option_is_a_type_error(numeric_data):
    model = LogisticRegression().fit(numeric_data.array, numeric_data.binary)
    with pytest.raises(TypeError):
        wrap(model, colour="red")
