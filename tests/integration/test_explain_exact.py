"""explain(): exact methods add up to the model's output, equal the libraries' own contributions, route right."""

from __future__ import annotations

import catboost
import lightgbm
import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import explicable
from explicable import MethodNotAvailableError, NotFittedError, UnsupportedModelError, wrap
from explicable.explainers import LinearShap, TreeShap

ATOL = 1e-6


def margin_space_prediction(model: object, X: object, space: str) -> np.ndarray:
    return wrap(model, output_space=space).predict(X)


def tree_models(kind: str, X: np.ndarray, y: np.ndarray) -> list[object]:
    xgb = xgboost.XGBClassifier if kind != "regression" else xgboost.XGBRegressor
    lgb = lightgbm.LGBMClassifier if kind != "regression" else lightgbm.LGBMRegressor
    cat = catboost.CatBoostClassifier if kind != "regression" else catboost.CatBoostRegressor
    return [
        xgb(n_estimators=30, max_depth=3).fit(X, y),
        lgb(n_estimators=30, num_leaves=8, verbose=-1).fit(X, y),
        cat(iterations=30, depth=3, verbose=False, random_seed=0, thread_count=2, allow_writing_files=False).fit(X, y),
    ]


SPACE = {"binary": "log-odds", "multiclass": "raw", "regression": "raw"}


@pytest.mark.parametrize("kind", ["binary", "multiclass", "regression"])
def test_tree_additivity_and_native_equality(kind: str, request: pytest.FixtureRequest) -> None:
    X, y = request.getfixturevalue(f"{kind}_data")
    for model in tree_models(kind, X, y):
        exp = explicable.explain(model, X[:50])
        assert exp.provenance.method == "tree" and exp.provenance.output_space == SPACE[kind]
        n_out = 3 if kind == "multiclass" else (2 if kind == "binary" else 1)
        assert exp.shape == (50, 5, n_out)
        target = margin_space_prediction(model, X[:50], SPACE[kind])
        np.testing.assert_allclose(exp.output_totals, target, atol=ATOL, rtol=0)
        native_values, native_base, _ = wrap(model).tree_contributions(X[:50])  # type: ignore[attr-defined]
        np.testing.assert_array_equal(exp.values, native_values)
        np.testing.assert_array_equal(exp.base_values, native_base)
        assert np.ptp(exp.base_values, axis=0).max() < 1e-5  # a constant base, up to float32 rounding


def test_xgboost_values_are_pred_contribs(binary_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = binary_data
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=4).fit(X, y)
    contribs = model.get_booster().predict(xgboost.DMatrix(X[:20]), pred_contribs=True)
    exp = explicable.explain(model, X[:20])
    np.testing.assert_array_equal(exp.values[:, :, 1], contribs[:, :-1].astype("float64"))
    np.testing.assert_array_equal(exp.values[:, :, 0], -contribs[:, :-1].astype("float64"))
    # the bias carries XGBoost's float32 rounding residual (see XGBoostAdapter.contributions)
    np.testing.assert_allclose(exp.base_values[:, 1], contribs[:, -1].astype("float64"), atol=1e-5)


def test_lightgbm_values_are_pred_contrib(multiclass_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = multiclass_data
    model = lightgbm.LGBMClassifier(n_estimators=20, num_leaves=8, verbose=-1).fit(X, y)
    contrib = model.booster_.predict(X[:20], pred_contrib=True).reshape(20, 3, 6)
    exp = explicable.explain(model, X[:20])
    for k in range(3):
        np.testing.assert_array_equal(exp.values[:, :, k], contrib[:, k, :-1])
        np.testing.assert_array_equal(exp.base_values[:, k], contrib[:, k, -1])


def test_lightgbm_sigmoid_scaling(binary_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = binary_data
    model = lightgbm.LGBMClassifier(n_estimators=20, sigmoid=2.0, verbose=-1).fit(X, y)
    exp = explicable.explain(model, X[:30])
    p = model.predict_proba(X[:30])[:, 1]
    np.testing.assert_allclose(exp.output_totals[:, 1], np.log(p / (1 - p)), atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: LinearRegression(), lambda: Ridge(alpha=3.0),
])
def test_linear_regression_closed_form(make: object, regression_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = regression_data
    model = make().fit(X, y)  # type: ignore[operator]
    background = X[100:]
    exp = explicable.explain(model, X[:40], background=background)
    assert exp.provenance.method == "linear" and exp.provenance.output_space == "raw"
    expected = model.coef_ * (X[:40] - background.mean(axis=0))
    np.testing.assert_allclose(exp.values[:, :, 0], expected, atol=1e-12)
    np.testing.assert_allclose(exp.output_totals[:, 0], model.predict(X[:40]), atol=ATOL)


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_logistic_additivity_in_decision_space(kind: str, request: pytest.FixtureRequest) -> None:
    X, y = request.getfixturevalue(f"{kind}_data")
    model = LogisticRegression(max_iter=500).fit(X, y)
    exp = explicable.explain(model, X[:40], background=X)
    decision = model.decision_function(X[:40])
    target = np.column_stack([-decision, decision]) if decision.ndim == 1 else decision
    np.testing.assert_allclose(exp.output_totals, target, atol=ATOL)
    assert exp.provenance.output_space == ("log-odds" if kind == "binary" else "raw")


def test_linear_needs_background(regression_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = regression_data
    with pytest.raises(explicable.InvalidParameterError, match="background"):
        explicable.explain(LinearRegression().fit(X, y), X[:2])


def german_pipeline(X: pd.DataFrame, final: object) -> Pipeline:
    categorical = [c for c in X.columns if X[c].dtype.name in ("category", "bool")]
    numeric = [c for c in X.columns if c not in categorical]
    encode = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), categorical),
                                ("scale", StandardScaler(), numeric)])
    return Pipeline([("encode", encode), ("model", final)])


@pytest.mark.filterwarnings("ignore:Native TreeSHAP is path-dependent")
@pytest.mark.parametrize("final", [
    lambda: xgboost.XGBClassifier(n_estimators=40, max_depth=3),
    lambda: lightgbm.LGBMClassifier(n_estimators=40, num_leaves=8, verbose=-1),
    lambda: LogisticRegression(max_iter=2000),
])
def test_german_credit_pipeline_grouped_and_additive(final: object, german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    model = german_pipeline(X, final()).fit(X, y)  # type: ignore[operator]
    exp = explicable.explain(model, X.iloc[:25], background=X.iloc[200:])
    # reported per original feature, in the original order, with the applicant's original values
    assert exp.feature_names == tuple(X.columns)
    assert exp.data is not None and exp.data[0, list(X.columns).index("purpose")] == X["purpose"].iloc[0]
    space = exp.provenance.output_space
    assert space == "log-odds"
    np.testing.assert_allclose(exp.output_totals, wrap(model, output_space=space).predict(X.iloc[:25]), atol=ATOL)


def test_pipeline_grouping_equals_sum_of_derived(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    model = german_pipeline(X, xgboost.XGBClassifier(n_estimators=20, max_depth=3)).fit(X, y)
    exp = explicable.explain(model, X.iloc[:5])
    Z = model[:-1].transform(X.iloc[:5])
    contribs = model[-1].get_booster().predict(xgboost.DMatrix(Z), pred_contribs=True)
    names = list(model[:-1].get_feature_names_out())
    purpose = [j for j, n in enumerate(names) if n.startswith("onehot__purpose_")]
    j = list(exp.feature_names).index("purpose")
    np.testing.assert_allclose(exp.values[:, j, 1], contribs[:, purpose].sum(axis=1), atol=1e-6)


def test_dropped_feature_gets_zero(regression_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = regression_data
    frame = pd.DataFrame(X, columns=list("abcde"))
    pre = ColumnTransformer([("keep", "passthrough", ["a", "b", "c"])], remainder="drop")
    model = Pipeline([("pre", pre), ("lr", LinearRegression())]).fit(frame, y)
    exp = explicable.explain(model, frame.iloc[:10], background=frame)
    assert exp.feature_names == tuple("abcde")
    np.testing.assert_array_equal(exp.values[:, 3:, 0], 0.0)
    np.testing.assert_allclose(exp.output_totals[:, 0], model.predict(frame.iloc[:10]), atol=ATOL)


def test_categorical_frames_native(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    model = lightgbm.LGBMClassifier(n_estimators=30, num_leaves=8, verbose=-1).fit(X, y)
    exp = explicable.explain(model, X.iloc[:20])
    raw = model.predict(X.iloc[:20], raw_score=True)
    np.testing.assert_allclose(exp.output_totals[:, 1], raw, atol=ATOL)
    xgb = xgboost.XGBClassifier(n_estimators=30, max_depth=3, enable_categorical=True).fit(X, y)
    exp = explicable.explain(xgb, X.iloc[:20])
    np.testing.assert_allclose(exp.output_totals[:, 1], xgb.predict(X.iloc[:20], output_margin=True), atol=ATOL)


def test_explicit_groups_and_target(binary_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = binary_data
    model = xgboost.XGBClassifier(n_estimators=10).fit(X, y)
    full = explicable.explain(model, X[:5])
    exp = explicable.explain(model, X[:5], groups={"first two": ["x0", "x1"]}, target=1)
    assert exp.feature_names == ("first two", "x2", "x3", "x4") and exp.output_names == ("1",)
    np.testing.assert_allclose(exp.values[:, 0, 0], full.values[:, 0, 1] + full.values[:, 1, 1])


def test_routing_and_method_errors(binary_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = binary_data
    small = explicable.FunctionModel(lambda A: A @ np.arange(5.0), feature_names=[f"x{j}" for j in range(5)])
    assert explicable.explain(small, X[:2], background=X[:20]).provenance.method == "exact"  # 2^5 <= budget
    wide = explicable.FunctionModel(lambda A: A.sum(axis=1), n_features=13)
    X13 = np.tile(X[:, :1], (1, 13))
    assert explicable.explain(wide, X13[:2], background=X13[:20], budget=512).provenance.method == "kernel"
    with pytest.raises(explicable.InvalidParameterError, match="background"):
        explicable.explain(small, X[:2])
    with pytest.raises(MethodNotAvailableError, match="does not apply to a function; methods that do: exact"):
        explicable.explain(small, X[:2], method="integrated_gradients")  # gradients need a PyTorch model
    with pytest.raises(MethodNotAvailableError, match="does not apply") as err:
        explicable.explain(small, X[:2], method="tree")
    assert err.value.parameter == "method"
    with pytest.raises(MethodNotAvailableError, match="'auto' or one of"):
        explicable.explain(small, X[:2], method="magic")
    model = xgboost.XGBClassifier(n_estimators=5).fit(X, y)
    with pytest.raises(explicable.InvalidParameterError, match="does not take the option"):
        explicable.explain(model, X[:2], colour="red")
    with pytest.raises(explicable.InvalidParameterError, match="budget"):
        explicable.explain(model, X[:2], budget=0)
    with pytest.raises(explicable.BudgetExceededError, match="2\\^13"):
        explicable.explain(wide, X13[:2], background=X13[:20], method="exact")


def test_tree_warns_about_background_and_records_provenance(binary_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = binary_data
    model = xgboost.XGBClassifier(n_estimators=5).fit(X, y)
    with pytest.warns(UserWarning, match="path-dependent"):
        exp = explicable.explain(model, X[:3], background=X)
    prov = exp.provenance
    assert prov.parameters == {"feature_perturbation": "tree_path_dependent"}
    assert prov.model_fingerprint == wrap(model).fingerprint() and prov.library_version == explicable.__version__
    assert prov.data_fingerprint != explicable.explain(model, X[3:6]).provenance.data_fingerprint
    again = explicable.explain(model, X[:3])
    assert again.values.tobytes() == exp.values.tobytes()


def test_explainer_classes_contract(regression_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = regression_data
    with pytest.raises(NotFittedError, match="fit"):
        LinearShap(LinearRegression().fit(X, y)).explain(X[:2])
    with pytest.raises(UnsupportedModelError):
        TreeShap(LinearRegression().fit(X, y))
    with pytest.raises(UnsupportedModelError):
        LinearShap(xgboost.XGBRegressor(n_estimators=2).fit(X, y))


def test_data_checked_against_model(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    model = german_pipeline(X, LogisticRegression(max_iter=500)).fit(X, y)
    with pytest.raises(explicable.InvalidDataError, match="missing the column 'age'"):
        explicable.explain(model, X.drop(columns=["age"]).iloc[:3], background=X)
    with pytest.raises(explicable.InvalidDataError, match="background"):
        explicable.explain(model, X.iloc[:3], background=X.drop(columns=["age"]))
