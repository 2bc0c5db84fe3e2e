"""reasons: order and filtering by hand, one-hot merging, reason-code mappings, stability, German credit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import explicable
from explicable import Explanation, InvalidDataError, InvalidParameterError
from explicable.reasons import UnstableRankingError, load_reason_codes, prefix_groups, reasons

FEATURES = ["income", "age", "sex", "duration", "debt"]


def make(values: list[float], stderr: list[float] | None = None, data: list[object] | None = None) -> Explanation:
    v = np.array(values, dtype=float)[None, :, None]
    se = None if stderr is None else np.array(stderr, dtype=float)[None, :, None]
    d = None if data is None else np.array([data], dtype=object)
    return Explanation(v, np.zeros((1, 1)), FEATURES[:len(values)], ["bad"], stderr=se, data=d)


def test_largest_positive_pushes_first_zero_and_negative_dropped_k_respected() -> None:
    exp = make([0.5, -0.7, 0.0, 0.9, 0.2], data=[1200.0, 35.0, 1.0, 48.0, 300.0])
    found = reasons(exp, k=4)
    assert [r.feature for r in found] == ["duration", "income", "debt"]  # sex (exactly 0) and age (< 0) out
    assert [r.contribution for r in found] == [0.9, 0.5, 0.2]
    assert [r.statement for r in found] == ["Duration: 48", "Income: 1200", "Debt: 300"]
    assert [r.feature for r in reasons(exp, k=2)] == ["duration", "income"]
    lower = reasons(exp, k=1, toward="lower")  # a score whose decrease is adverse: age pushed hardest
    assert [(r.feature, r.contribution) for r in lower] == [("age", 0.7)]


def test_one_hot_columns_are_merged_into_the_applicants_feature() -> None:
    names = ["onehot__status_A11", "onehot__status_A14", "remainder__duration", "remainder__credit_amount"]
    values = np.array([[[0.3], [0.25], [0.4], [-0.1]]])
    data = np.array([[1.0, 0.0, 24.0, 1000.0]])
    exp = Explanation(values, np.zeros((1, 1)), names, ["bad"], data=data)
    assert prefix_groups(names, ["status", "duration", "credit_amount", "credit"])["status"] == names[:2]
    found = reasons(exp, groups=["status", "duration", "credit_amount"])
    assert [(r.feature, r.value) for r in found] == [("status", "A11"), ("duration", 24.0)]
    assert found.reasons[0].contribution == pytest.approx(0.55)
    assert found.reasons[0].statement == "Status: A11"
    by_mapping = reasons(exp, groups={"status": names[:2]})
    assert by_mapping.reasons[0].feature == "status" and by_mapping.reasons[0].value == "A11"


def test_mapping_from_dict_json_and_csv_give_the_same_statements(tmp_path: object) -> None:
    exp = make([0.5, 0.0, 0.0, 0.9], data=[1200.0, 35.0, 1.0, 48.0])
    codes = {"duration": {"code": "R07", "text": "Term of the loan too long ({value} months)"},
             "income": {"code": "R02", "text": "{label} insufficient"}}
    path = tmp_path / "codes.json"  # type: ignore[operator]
    path.write_text(json.dumps(codes))
    csv = tmp_path / "codes.csv"  # type: ignore[operator]
    pd.DataFrame([{"feature": f, **c} for f, c in codes.items()]).to_csv(csv, index=False)
    expected = [("R07", "Term of the loan too long (48 months)"), ("R02", "Income insufficient")]
    for mapping in (codes, str(path), csv, load_reason_codes(codes)):
        found = reasons(exp, mapping=mapping)
        assert [(r.code, r.statement) for r in found] == expected
    text = str(reasons(exp, mapping=codes))
    assert "1. [R07] Term of the loan too long (48 months)" in text and "2. [R02] Income insufficient" in text
    with pytest.raises(InvalidDataError, match="mapping"):
        reasons(exp, mapping={"income": {"code": "R1", "text": "{amount} too low"}})
    with pytest.raises(InvalidDataError, match="mapping"):
        load_reason_codes({"income": 3})


def test_unstable_ranking_is_refused_and_exact_rankings_are_not() -> None:
    # duration vs income 0.1 apart with stderr 0.2 each: z = 0.35, far under the Bonferroni threshold
    exp = make([0.8, 0.0, 0.0, 0.9], stderr=[0.2, 0.0, 0.0, 0.2])
    with pytest.raises(UnstableRankingError, match="not stable") as err:
        reasons(exp, k=2)
    assert err.value.rows == (0,)
    assert err.value.min_z[0] == pytest.approx(0.1 / np.hypot(0.2, 0.2))
    assert isinstance(err.value, explicable.ExplicableError)
    flagged = reasons(exp, k=2, require_stable=False)
    assert flagged.stable == (False,) and "NOT stable" in str(flagged)
    assert reasons(make([0.8, 0.0, 0.0, 9.0], stderr=[0.01, 0.0, 0.0, 0.01]), k=2).stable == (True,)
    assert reasons(make([0.8, 0.8, 0.0, 0.9]), k=3).stable == (True,)  # exact, tied: still reproducible


def test_outputs_rows_and_bad_parameters() -> None:
    values = np.arange(2 * 5 * 2, dtype=float).reshape(2, 5, 2) - 8
    exp = Explanation(values, np.zeros((2, 2)), FEATURES, ["good", "bad"])
    with pytest.raises(InvalidParameterError, match="adverse_output"):
        reasons(exp)
    found = reasons(exp, adverse_output="bad", row=1, k=2)
    assert found.rows == (1,) and [r.feature for r in found] == ["debt", "duration"]
    assert [r.contribution for r in found] == [values[1, 4, 1], values[1, 3, 1]]
    assert list(found.to_frame().columns) == ["row", "rank", "feature", "value", "contribution", "stderr", "code",
                                              "statement"]
    with pytest.raises(InvalidParameterError, match="row"):
        reasons(exp, adverse_output=1, row=2)
    with pytest.raises(InvalidParameterError, match="k"):
        reasons(exp, k=0, adverse_output=1)
    with pytest.raises(InvalidParameterError, match="toward"):
        reasons(exp, adverse_output=1, toward="up")


@pytest.fixture(scope="module")
def german() -> tuple[explicable.ModelAdapter, pd.DataFrame]:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from explicable.datasets import load_german_credit

    df = load_german_credit()
    X, y = df.drop(columns=["credit", "sex"]), (df["credit"] == "bad").astype(int)
    categorical = [c for c in X.columns if X[c].dtype.name in ("category", "bool")]
    numeric = [c for c in X.columns if c not in categorical]
    encode = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
                                ("num", StandardScaler(), numeric)])
    pipe = Pipeline([("encode", encode), ("lr", LogisticRegression(max_iter=1000))]).fit(X, y)
    return explicable.wrap(pipe, output_names=["good", "bad"]), X


def test_german_credit_default_statements_use_the_applicants_own_values(german: tuple) -> None:
    model, X = german
    exp = explicable.explain(model, X.iloc[:3], background=X.iloc[:100], target="bad")
    found = reasons(exp)
    assert len(found) > 0
    for r in found:
        raw = X.iloc[r.row][r.feature]
        if isinstance(raw, (bool, np.bool_)):
            shown = "yes" if raw else "no"
        else:
            shown = str(int(raw)) if isinstance(raw, (int, np.integer)) else str(raw).strip()
        words = r.feature.replace("_", " ")
        assert r.statement == f"{words[0].upper()}{words[1:]}: {shown}"
        assert r.contribution == pytest.approx(exp.values[r.row, exp.feature_names.index(r.feature), 0])
    applicant = found.for_row(1)
    assert applicant[0].statement == "Duration: 48"  # the codebook's second applicant: 48 months


def test_same_applicant_and_seed_give_the_same_reasons(german: tuple) -> None:
    model, X = german
    runs = [reasons(explicable.explain(model, X.iloc[[1]], background=X.iloc[:50], target="bad", method="kernel",
                                       random_state=seed, budget=256), require_stable=False).to_frame()
            for seed in (3, 3)]
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert runs[0]["stderr"].notna().all()
