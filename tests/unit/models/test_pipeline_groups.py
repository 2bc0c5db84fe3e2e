"""Feature groups of scikit-learn pipelines: which original column each derived column comes from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    Normalizer,
    OneHotEncoder,
    PolynomialFeatures,
    SplineTransformer,
    StandardScaler,
)

from explicable import wrap
from explicable.models._pipeline import derive_groups, derived_names
from explicable.models.sklearn import SklearnLinearAdapter


@pytest.fixture(scope="module")
def frame() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(5)
    n = 120
    X = pd.DataFrame({
        "city": rng.choice(["Lyon", "Nice", "Paris"], n),
        "age": rng.normal(40, 10, n),
        "customer_id": np.arange(n, dtype=float),
        "job": rng.choice(["clerk", "nurse"], n),
        "income": rng.normal(50, 15, n),
        "tenure": rng.normal(5, 2, n),
    })
    y = ((X["age"] > 40) ^ (X["city"] == "Paris")).astype(int).to_numpy()
    return X, y


@pytest.fixture(scope="module")
def pipeline(frame) -> Pipeline:
    X, y = frame
    pre = ColumnTransformer(
        [("onehot", OneHotEncoder(), ["city", "job"]),
         ("scale", StandardScaler(), ["age", "income"]),
         ("ignore", "drop", ["customer_id"])],
        remainder="passthrough",
    )
    return Pipeline([("pre", pre), ("model", LogisticRegression(max_iter=1000))]).fit(X, y)


def _origins(groups: list[frozenset[int]] | None, inputs: list[str]) -> list[set[str]]:
    assert groups is not None
    return [{inputs[i] for i in g} for g in groups]


def test_column_transformer_maps_each_column_to_its_original(pipeline, frame):
    X, _ = frame
    pre, n_out = pipeline[:-1], pipeline[-1].n_features_in_
    names = derived_names(pre, n_out)
    assert names == ("onehot__city_Lyon", "onehot__city_Nice", "onehot__city_Paris", "onehot__job_clerk",
                     "onehot__job_nurse", "scale__age", "scale__income", "remainder__tenure")
    origins = _origins(derive_groups(pre, list(X.columns), n_out), list(X.columns))
    assert origins == [{"city"}] * 3 + [{"job"}] * 2 + [{"age"}, {"income"}, {"tenure"}]


def test_decompose_gives_groups_and_the_pipeline_transform(pipeline, frame):
    X, _ = frame
    adapter = wrap(pipeline)
    d = adapter.decompose()
    assert d.groups == {
        ("city",): ["onehot__city_Lyon", "onehot__city_Nice", "onehot__city_Paris"],
        ("job",): ["onehot__job_clerk", "onehot__job_nurse"],
        ("age",): ["scale__age"],
        ("income",): ["scale__income"],
        ("tenure",): ["remainder__tenure"],
    }
    assert "customer_id" not in {f for group in d.groups for f in group}  # dropped: no derived column
    Z = d.transform(adapter.check_data(X).values)
    np.testing.assert_allclose(np.asarray(Z, dtype=float), pipeline[:-1].transform(X))
    # the inner model applied to the transform is the pipeline
    assert isinstance(d.inner, SklearnLinearAdapter)
    np.testing.assert_allclose(d.inner.predict(np.asarray(Z, dtype=float)), pipeline.predict_proba(X))
    assert d.inner.output_names == adapter.output_names


def test_polynomial_features_make_a_joint_group(frame):
    X, y = frame
    pre = ColumnTransformer([("poly", PolynomialFeatures(2, include_bias=False), ["age", "income"])],
                            remainder="passthrough")
    data = X[["age", "income", "tenure"]]
    model = Pipeline([("pre", pre), ("model", Ridge())]).fit(data, y)
    d = wrap(model).decompose()
    assert d.groups == {
        ("age", "income"): ["poly__age", "poly__income", "poly__age^2", "poly__age income", "poly__income^2"],
        ("tenure",): ["remainder__tenure"],
    }
    np.testing.assert_allclose(d.transform(data.to_numpy()), model[:-1].transform(data))


def test_polynomial_step_over_two_columns_is_one_group(frame):
    X, y = frame
    data = X[["age", "income"]]
    model = make_pipeline(StandardScaler(), PolynomialFeatures(2), LinearRegression()).fit(data, y)
    d = wrap(model).decompose()
    assert d.groups is not None
    assert list(d.groups) == [("age", "income")]
    assert len(d.groups["age", "income"]) == 6


def test_pca_mixes_every_input(frame):
    """PCA keeps the number of columns but each component depends on all inputs: no one-to-one mapping."""
    X, y = frame
    data = X[["age", "income", "tenure"]]
    for model in (make_pipeline(StandardScaler(), PCA(), LogisticRegression()),
                  Pipeline([("pre", ColumnTransformer([("pca", PCA(2), ["age", "income"])],
                                                      remainder="passthrough")),
                            ("model", LogisticRegression())])):
        model.fit(data, y)
        groups = wrap(model).decompose().groups
        assert groups is not None
        if isinstance(model[0], ColumnTransformer):
            assert groups == {("age", "income"): ["pca__pca0", "pca__pca1"], ("tenure",): ["remainder__tenure"]}
        else:
            assert groups == {("age", "income", "tenure"): ["pca0", "pca1", "pca2"]}


def test_row_normalizer_mixes_every_input(frame):
    X, y = frame
    data = X[["age", "income"]]
    groups = wrap(make_pipeline(Normalizer(), LogisticRegression()).fit(data, y)).decompose().groups
    assert groups == {("age", "income"): ["age", "income"]}


def test_one_to_one_steps_keep_the_mapping(frame):
    X, y = frame
    data = X[["age", "income", "tenure"]]
    model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()).fit(data, y)
    groups = wrap(model).decompose().groups
    assert groups == {("age",): ["age"], ("income",): ["income"], ("tenure",): ["tenure"]}


def test_one_hot_step_without_column_transformer(frame):
    X, y = frame
    data = X[["city", "job"]]
    model = make_pipeline(OneHotEncoder(), LogisticRegression()).fit(data, y)
    groups = wrap(model).decompose().groups
    assert groups == {("city",): ["city_Lyon", "city_Nice", "city_Paris"], ("job",): ["job_clerk", "job_nurse"]}


def test_splines_belong_to_their_column(frame):
    X, y = frame
    data = X[["age", "income"]]
    model = make_pipeline(SplineTransformer(n_knots=3, degree=2), Ridge()).fit(data, y)
    groups = wrap(model).decompose().groups
    assert groups is not None
    assert set(groups) == {("age",), ("income",)}
    assert all(name.startswith("age_") for name in groups["age",])


def test_numpy_trained_column_transformer(frame):
    X, y = frame
    data = X[["age", "income", "tenure"]].to_numpy()
    model = Pipeline([("pre", ColumnTransformer([("scale", StandardScaler(), [0, 2])], remainder="passthrough")),
                      ("model", Ridge())]).fit(data, y)
    groups = wrap(model).decompose().groups
    assert groups == {("x0",): ["scale__x0"], ("x2",): ["scale__x2"], ("x1",): ["remainder__x1"]}


def test_unknown_mapping_is_none_not_a_crash(frame):
    """A step that can't name its outputs leaves the explanation in the derived space."""
    X, y = frame
    data = X[["age", "income", "tenure"]]
    for pre in (FunctionTransformer(np.abs),
                ColumnTransformer([("abs", FunctionTransformer(np.abs), ["age", "income"])],
                                  remainder="passthrough")):
        model = make_pipeline(pre, LogisticRegression()).fit(data, y)
        d = wrap(model).decompose()
        assert d.groups is None
        assert d.derived_names == ("z0", "z1", "z2")
        np.testing.assert_allclose(d.transform(data.to_numpy()), model[:-1].transform(data))


def test_plain_model_is_its_own_decomposition(frame):
    X, y = frame
    data = X[["age", "income"]]
    adapter = wrap(LogisticRegression().fit(data, y))
    d = adapter.decompose()
    assert d.inner is adapter
    assert d.groups is None
    assert d.derived_names == ("age", "income")
