"""Counterfactuals: closed forms on linear models, brute-force metrics, constraints, determinism, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explicable import FunctionModel
from explicable.core.errors import InvalidParameterError, NotFittedError
from explicable.explainers.counterfactual import CounterfactualResult, Counterfactuals, CounterfactualSet


def _linear(weights: list[float], threshold: float, names: list[str]) -> FunctionModel:
    w = np.asarray(weights)
    return FunctionModel(lambda X: (X @ w > threshold).astype(float), feature_names=names,
                         output_space="probability", output_names=["approved"])


@pytest.fixture(scope="module")
def numeric_data() -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.round(rng.uniform(0, 10, size=(300, 3)), 1)


def test_closed_form_minimal_change(numeric_data: np.ndarray) -> None:
    # approve when a + 2 b > 12; b and c immutable: the closest counterfactual moves a to the smallest grid
    # value above 12 - 2 b, found here by brute force over the grid
    model = _linear([1.0, 2.0, 0.0], 12.0, ["a", "b", "c"])
    cf = Counterfactuals(model, immutable=["b", "c"], k=1, random_state=0).fit(numeric_data)
    query = np.array([[1.0, 3.0, 5.0]])
    result = cf.explain(query)[0]
    grid = cf.space_.features[0].grid
    expected = grid[grid > 12.0 - 2 * 3.0].min()
    assert result.counterfactuals["a"].tolist() == [expected]
    assert result.counterfactuals[["b", "c"]].to_numpy().tolist() == [[3.0, 5.0]]
    mad = np.median(np.abs(numeric_data[:, 0] - np.median(numeric_data[:, 0])))
    assert result.proximity[0] == pytest.approx((expected - 1.0) / mad)
    assert result.sparsity.tolist() == [1]


def test_metrics_match_brute_force(numeric_data: np.ndarray) -> None:
    model = _linear([1.0, 1.0, 1.0], 18.0, ["a", "b", "c"])
    cf = Counterfactuals(model, k=3, random_state=1).fit(numeric_data)
    query = np.array([[2.0, 3.0, 4.0]])
    result = cf.explain(query)[0]
    rows = result.counterfactuals.to_numpy()
    mad = np.median(np.abs(numeric_data - np.median(numeric_data, axis=0)), axis=0)
    np.testing.assert_allclose(result.proximity, (np.abs(rows - query) / mad).sum(axis=1))
    assert result.sparsity.tolist() == (rows != query).sum(axis=1).tolist()
    brute = (np.abs(rows[:, None, :] - numeric_data[None, :, :]) / mad).sum(axis=2).min(axis=1)
    np.testing.assert_allclose(result.plausibility, brute)
    np.testing.assert_array_equal(result.valid, rows.sum(axis=1) > 18.0)
    assert result.valid.all() and result.n_found == 3 and result.validity == 1.0
    assert len({tuple(r) for r in rows}) == 3  # distinct
    assert np.all(np.diff(result.cost[:1]) >= 0) and result.cost[0] == result.cost.min()  # cheapest first


def test_only_needed_features_change(numeric_data: np.ndarray) -> None:
    # only a matters: sparsification must revert every change of b and c
    model = _linear([1.0, 0.0, 0.0], 7.0, ["a", "b", "c"])
    result = Counterfactuals(model, k=3, random_state=0).fit(numeric_data).explain(np.array([[1.0, 1.0, 1.0]]))[0]
    assert result.n_found == 3
    assert result.changed.tolist() == [[True, False, False]] * 3
    assert (result.counterfactuals["a"] > 7.0).all()


def test_costs_steer_the_change(numeric_data: np.ndarray) -> None:
    model = _linear([1.0, 1.0, 0.0], 14.0, ["a", "b", "c"])
    query = np.array([[5.0, 5.0, 5.0]])
    cheap_b = Counterfactuals(model, k=1, costs={"a": 100.0}, random_state=0).fit(numeric_data).explain(query)[0]
    cheap_a = Counterfactuals(model, k=1, costs={"b": 100.0}, random_state=0).fit(numeric_data).explain(query)[0]
    assert cheap_b.changed[0].tolist() == [False, True, False]
    assert cheap_a.changed[0].tolist() == [True, False, False]


def test_monotone_and_ranges(numeric_data: np.ndarray) -> None:
    # approval needs a large a - b; b may only rise and a is capped at 9: the answer must come from a <= 9
    model = _linear([1.0, -1.0, 0.0], 4.0, ["a", "b", "c"])
    cf = Counterfactuals(model, k=3, monotone={"b": "increase"}, ranges={"a": (None, 9.0)}, immutable=["c"],
                         random_state=0).fit(numeric_data)
    result = cf.explain(np.array([[2.0, 3.0, 1.0]]))[0]
    frame = result.counterfactuals
    assert result.n_found == 3 and result.valid.all()
    assert (frame["b"] >= 3.0).all() and (frame["a"] <= 9.0).all() and (frame["c"] == 1.0).all()
    assert ((frame["a"] - frame["b"]) > 4.0).all()


def test_max_changes(numeric_data: np.ndarray) -> None:
    model = _linear([1.0, 1.0, 1.0], 22.0, ["a", "b", "c"])
    result = Counterfactuals(model, k=3, max_changes=2, random_state=0).fit(numeric_data).explain(
        np.array([[5.0, 5.0, 5.0]]))[0]
    assert result.n_found >= 1 and (result.sparsity <= 2).all() and result.valid.all()


def test_same_seed_same_output_and_independent_of_batch(numeric_data: np.ndarray) -> None:
    model = _linear([1.0, 1.0, 1.0], 18.0, ["a", "b", "c"])
    queries = np.array([[2.0, 3.0, 4.0], [1.0, 1.0, 1.0]])
    first = Counterfactuals(model, k=3, random_state=5).fit(numeric_data).explain(queries)
    again = Counterfactuals(model, k=3, random_state=5).fit(numeric_data).explain(queries)
    alone = Counterfactuals(model, k=3, random_state=5).fit(numeric_data).explain(queries[[1]])
    pd.testing.assert_frame_equal(first.to_frame(), again.to_frame())
    pd.testing.assert_frame_equal(first[1].to_frame(), alone[0].to_frame())
    assert first.provenance.random_state == 5 and first.provenance.method == "counterfactual"


def test_budget_is_every_row_the_model_saw(numeric_data: np.ndarray) -> None:
    model = _linear([1.0, 1.0, 1.0], 18.0, ["a", "b", "c"])
    cf = Counterfactuals(model, k=2, n_samples=50, random_state=0).fit(numeric_data)
    model.reset_counts()
    result = cf.explain(numeric_data[:4])
    # the queries' own rows ride with the first batch; the results reuse outputs of rows already checked
    assert model.n_rows == result.provenance.budget_used + 4


def test_regression_range_target(numeric_data: np.ndarray) -> None:
    model = FunctionModel(lambda X: X[:, 0] + X[:, 1], feature_names=["a", "b", "c"])
    cf = Counterfactuals(model, desired=(12.0, 13.0), k=3, random_state=0).fit(numeric_data)
    result = cf.explain(np.array([[2.0, 3.0, 4.0]]))[0]
    total = result.counterfactuals["a"] + result.counterfactuals["b"]
    assert result.n_found == 3 and ((total >= 12.0) & (total <= 13.0)).all()
    np.testing.assert_allclose(result.outputs[:, 0], total)


def test_multiclass_desired_class(numeric_data: np.ndarray) -> None:
    centres = np.array([[2.0, 2.0, 5.0], [8.0, 2.0, 5.0], [5.0, 8.0, 5.0]])

    def scores(X: np.ndarray) -> np.ndarray:
        return -np.abs(X[:, None, :2] - centres[None, :, :2]).sum(axis=2)

    model = FunctionModel(scores, feature_names=["a", "b", "c"], output_names=["x", "y", "z"],
                          output_space="log-odds")
    result = Counterfactuals(model, desired="z", k=2, random_state=0).fit(numeric_data).explain(
        np.array([[2.0, 2.0, 5.0]]))[0]
    assert result.n_found == 2 and (np.argmax(scores(result.counterfactuals.to_numpy()), axis=1) == 2).all()
    assert result.desired == "class z"


def test_german_credit_pipeline(german: tuple[pd.DataFrame, pd.Series]) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, y = german
    categorical = [c for c in X.columns if X[c].dtype.name in ("category", "bool")]
    pipe = Pipeline([("enc", ColumnTransformer([("oh", OneHotEncoder(handle_unknown="ignore"), categorical)],
                                               remainder="passthrough")),
                     ("rf", RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0))]).fit(X, y)
    declined = X.iloc[np.flatnonzero(pipe.predict(X) == 1)[:4]]
    allowed = ["... < 100 DM", "100 <= ... < 500 DM"]
    cf = Counterfactuals(pipe, k=3, immutable=["age", "status_sex", "foreign_worker"],
                         monotone={"credit_amount": "decrease"}, allowed={"savings": allowed},
                         random_state=0).fit(X)
    found = cf.explain(declined)
    frame = found.to_frame()
    assert (found.summary()["validity"] == 1.0).all()
    for q, result in enumerate(found):
        rows = result.counterfactuals
        assert (rows.dtypes == X.dtypes).all()  # original dtypes and categories
        assert (pipe.predict(rows) == 0).all()
        for column in ("age", "status_sex", "foreign_worker"):
            assert (rows[column] == declined.iloc[q][column]).all()
        assert (rows["credit_amount"] <= declined.iloc[q]["credit_amount"]).all()
        moved = rows["savings"] != declined.iloc[q]["savings"]
        assert rows.loc[moved, "savings"].isin(allowed).all()
        assert len(result.changes()) == int(result.changed.sum())
    assert len(frame) == sum(r.n_found for r in found) and "output:1" in frame.columns


def test_result_types(numeric_data: np.ndarray) -> None:
    model = _linear([1.0, 1.0, 1.0], 18.0, ["a", "b", "c"])
    found = Counterfactuals(model, k=2, random_state=0).fit(numeric_data).explain(numeric_data[:3])
    assert isinstance(found, CounterfactualSet) and isinstance(found[0], CounterfactualResult) and len(found) == 3
    assert list(found.summary().columns) == ["query", "found", "validity", "proximity", "sparsity",
                                             "plausibility", "diversity"]
    changes = found.changes()
    assert list(changes.columns) == ["query", "counterfactual", "feature", "original", "counterfactual_value"]
    assert len(changes) == sum(int(r.changed.sum()) for r in found)


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"immutable": ["nope"]}, "immutable"),
    ({"immutable": "a"}, "immutable"),
    ({"ranges": {"a": (5.0, 1.0)}}, "ranges"),
    ({"ranges": {"a": "wide"}}, "ranges"),
    ({"monotone": {"a": "up"}}, "monotone"),
    ({"monotone": {"zz": "increase"}}, "monotone"),
    ({"costs": {"a": -1.0}}, "costs"),
    ({"k": 0}, "k"),
    ({"diversity": -0.5}, "diversity"),
    ({"desired": "maybe"}, "desired"),
    ({"desired": (3.0, 1.0)}, "desired"),
    ({"scale": "iqr"}, "scale"),
])
def test_bad_parameters_name_the_parameter(kwargs: dict, parameter: str, numeric_data: np.ndarray) -> None:
    model = _linear([1.0, 1.0, 1.0], 18.0, ["a", "b", "c"])
    with pytest.raises(InvalidParameterError) as err:
        Counterfactuals(model, **kwargs).fit(numeric_data)
    assert err.value.parameter == parameter


def test_constraints_checked_against_data_and_fit_required(numeric_data: np.ndarray) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "kind": pd.Categorical(["x", "y", "x"])})
    model = FunctionModel(lambda X: (X[:, 0] > 2).astype(float), feature_names=["a", "kind"],
                          output_space="probability", accepts_strings=True)
    with pytest.raises(InvalidParameterError) as err:
        Counterfactuals(model, allowed={"kind": ["z"]}).fit(frame)
    assert err.value.parameter == "allowed"
    with pytest.raises(InvalidParameterError) as err:
        Counterfactuals(model, monotone={"kind": "increase"}).fit(frame)  # unordered category
    assert err.value.parameter == "monotone"
    with pytest.raises(InvalidParameterError) as err:
        Counterfactuals(FunctionModel(lambda X: X[:, 0], feature_names=["a", "b", "c"]))  # regression, no range
    assert err.value.parameter == "desired"
    with pytest.raises(NotFittedError):
        Counterfactuals(_linear([1.0, 1.0, 1.0], 1.0, ["a", "b", "c"])).explain(numeric_data[:1])
