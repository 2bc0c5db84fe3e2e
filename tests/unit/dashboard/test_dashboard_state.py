"""DashboardState: every view checked against the closed form of an additive model, or the model called directly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from dashboard_models import FEATURES, additive_model, classifier_model, make_frame, probability, terms

from explicable import FunctionModel
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.dashboard import DashboardState


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="module")
def additive() -> FunctionModel:
    return additive_model()


@pytest.fixture(scope="module")
def classifier() -> FunctionModel:
    return classifier_model()


def _contributions(result: dict[str, Any]) -> dict[str, float]:
    return {item["feature"]: item["contribution"] for item in result["explanation"]["items"]}


@pytest.fixture(scope="module")
def state(additive: Any, frame: pd.DataFrame) -> DashboardState:
    # importance over every row (a tenth of importance_rows for a method that is not tree or linear)
    return DashboardState(additive, frame, target="y", sensitive=["sex"], importance_rows=10 * len(frame),
                          random_state=0)


def _reference(state: DashboardState) -> np.ndarray:
    """Each term's mean over the state's reference rows (a seeded sample of 100 of the 120)."""
    assert state.background_ is not None and len(state.background_) == 100
    return terms(state.background_).mean(axis=0)


def test_a_rows_explanation_is_the_closed_form(state: DashboardState, frame: pd.DataFrame) -> None:
    T = terms(frame[FEATURES])
    result = state.row(5)
    expected = dict(zip(FEATURES, T[5] - _reference(state), strict=True))
    got = _contributions(result)
    assert got.keys() == expected.keys()
    np.testing.assert_allclose([got[f] for f in FEATURES], [expected[f] for f in FEATURES], atol=1e-9)
    assert result["prediction"]["value"] == pytest.approx(T[5].sum())
    assert result["explanation"]["base_value"] + sum(got.values()) == pytest.approx(T[5].sum())
    magnitudes = [abs(item["contribution"]) for item in result["explanation"]["items"]]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_what_if_re_predicts_and_re_explains_the_edited_row(state: DashboardState, frame: pd.DataFrame) -> None:
    T = terms(frame[FEATURES])
    result = state.what_if(5, {"income": "2000", "job": "c", "age": frame.age[5]})
    edited = frame[FEATURES].iloc[[5]].copy()
    edited["income"], edited["job"] = 2000.0, "c"
    assert result["changed"] == ["income", "job"]  # age was sent unchanged
    assert result["prediction"]["value"] == pytest.approx(terms(edited).sum())
    assert result["original"] == pytest.approx(T[5].sum())
    assert result["delta"] == pytest.approx(terms(edited).sum() - T[5].sum())
    got = _contributions(result)
    assert got["income"] == pytest.approx(0.002 * 2000 - _reference(state)[0])
    assert got["job"] == pytest.approx(-1.0 - _reference(state)[2])
    assert got["age"] == pytest.approx(_contributions(state.row(5))["age"])
    assert result["values"]["income"] == 2000.0 and result["values"]["job"] == "c"


def test_importance_is_the_mean_absolute_attribution_with_an_interval(state: DashboardState,
                                                                      frame: pd.DataFrame) -> None:
    T = terms(frame[FEATURES])
    expected = np.abs(T - _reference(state)).mean(axis=0)
    imp = state.importance()
    assert imp["n_rows"] == len(frame)
    got = {item["feature"]: item for item in imp["items"]}
    np.testing.assert_allclose([got[f]["importance"] for f in FEATURES], expected, atol=1e-9)
    assert [item["feature"] for item in imp["items"]] == [FEATURES[j] for j in np.argsort(-expected)]
    assert all(item["ci_low"] < item["importance"] < item["ci_high"] for item in imp["items"])


def test_reasons_are_the_largest_upward_contributions(state: DashboardState, frame: pd.DataFrame) -> None:
    T = terms(frame[FEATURES])
    for row in (0, 1, 2):
        phi = T[row] - _reference(state)
        expected = [FEATURES[j] for j in np.argsort(-phi) if phi[j] > 0]
        assert [r["feature"] for r in state.row(row)["reasons"]["items"]] == expected


def test_overview_describes_the_data_and_the_scores(state: DashboardState, frame: pd.DataFrame,
                                                    additive: Any) -> None:
    o = state.overview()
    scores = additive.predict(frame[FEATURES])[:, 0]
    assert (o["n_rows"], o["n_columns"]) == frame.shape
    roles = {c["name"]: c["role"] for c in o["columns"]}
    assert roles == {"income": "feature", "age": "feature", "job": "feature", "owner": "feature",
                     "sex": "sensitive", "y": "target"}
    assert sum(o["scores"]["histogram"]["counts"]) == len(frame)
    assert o["scores"]["mean"] == pytest.approx(scores.mean())
    assert o["scores"]["threshold"] is None  # raw outputs have no decision threshold
    np.testing.assert_allclose([p["score"] for p in o["preview"]], scores[:20])
    income = next(c for c in o["columns"] if c["name"] == "income")
    assert income["min"] == frame.income.min() and income["mean"] == pytest.approx(frame.income.mean())
    job = next(c for c in o["columns"] if c["name"] == "job")
    assert job["top"][0]["count"] == frame.job.value_counts().max()


def test_counterfactuals_flip_the_decision_and_never_touch_sensitive_columns(classifier: Any,
                                                                             frame: pd.DataFrame) -> None:
    state = DashboardState(classifier, frame, sensitive=["sex"], random_state=0)
    X = frame[[*FEATURES, "sex"]]
    for row in (0, 3):
        result = state.counterfactuals(row)
        assert result["available"] and result["items"] and result["immutable"] == ["sex"]
        before = probability(X.iloc[[row]])[0] >= 0.5
        for item in result["items"]:
            edited = X.iloc[[row]].astype(object).copy()
            for change in item["changes"]:
                assert change["feature"] != "sex"
                assert change["from"] == X.iloc[row][change["feature"]]
                edited.loc[edited.index[0], change["feature"]] = change["to"]
            assert (probability(edited)[0] >= 0.5) != before
            assert item["score"] == pytest.approx(probability(edited)[0])


def test_counterfactuals_of_a_regression_model_say_why_they_are_missing(state: DashboardState) -> None:
    result = state.counterfactuals(0)
    assert result["available"] is False and "desired" in result["reason"]


def test_fairness_selection_rates_are_the_group_means_of_the_decisions(classifier: Any, frame: pd.DataFrame) -> None:
    state = DashboardState(classifier, frame, target="y", sensitive=["sex"], random_state=0)
    decided = pd.Series(probability(frame[[*FEATURES, "sex"]]) >= 0.5)
    expected = decided.groupby(frame["sex"]).mean()
    f = state.fairness()
    assert f["available"] and f["attributes"] == ["sex"]
    rates = {g["group"]: g["value"] for g in f["groups"] if g["metric"] == "selection_rate"}
    assert rates == pytest.approx(expected.to_dict())
    ratio = {r["group"]: r["impact_ratio"] for r in f["four_fifths"]}
    assert min(ratio.values()) == pytest.approx(expected.min() / expected.max())
    assert f["passed"] == (expected.min() / expected.max() >= 0.8)


def test_fairness_needs_a_target_and_sensitive_columns(classifier: Any, frame: pd.DataFrame) -> None:
    result = DashboardState(classifier, frame, random_state=0).fairness()
    assert result["available"] is False and "--target" in result["reason"]


@pytest.mark.parametrize(("row", "changes", "parameter"), [
    (0, {"salary": 3}, "changes"),
    (0, {"income": "lots"}, "changes.income"),
    (0, {"income": float("inf")}, "changes.income"),
    (0, {"job": "z"}, "changes.job"),
    (0, {"owner": "maybe"}, "changes.owner"),
    (0, ["income", 3], "changes"),
    (10_000, {}, "row"),
    (-1, {}, "row"),
    ("3", {}, "row"),
])
def test_bad_what_if_input_names_the_parameter(state: DashboardState, row: Any, changes: Any,
                                               parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        state.what_if(row, changes)
    assert info.value.parameter == parameter


@pytest.mark.parametrize(("kwargs", "error", "parameter"), [
    ({"data": np.zeros((3, 4))}, InvalidParameterError, "data"),
    ({"target": "outcome"}, InvalidParameterError, "target"),
    ({"sensitive": ["race"]}, InvalidParameterError, "sensitive"),
    ({"output": "bad"}, InvalidParameterError, "output"),
    ({"threshold": 1.5}, InvalidParameterError, "threshold"),
    ({"data": "drop-age"}, InvalidDataError, "data"),
])
def test_bad_settings_name_the_parameter(additive: Any, frame: pd.DataFrame, kwargs: dict[str, Any],
                                         error: type, parameter: str) -> None:
    settings = dict(kwargs)
    data = settings.pop("data", frame)
    if isinstance(data, str):
        data = frame.drop(columns=["age"])
    with pytest.raises(error) as info:
        DashboardState(additive, data, **settings)
    assert info.value.parameter == parameter


def test_an_unseeded_state_records_the_seed_it_drew(additive: Any, frame: pd.DataFrame) -> None:
    state = DashboardState(additive, frame)
    assert isinstance(state.random_state_, int)
    assert state.overview()["random_state"] == state.random_state_
