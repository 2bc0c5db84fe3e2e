"""proxies: planted proxies found, closed-form mutual information, attribution shares, peers for MI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mutual_info_score

from explicable import Explanation, InvalidDataError, InvalidParameterError
from explicable.fairness import proxies


def frame(seed: int = 0, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n)
    married = np.where(rng.random(n) < 0.9, sex, np.where(sex == "male", "female", "male"))
    return pd.DataFrame({
        "sex": sex,
        "status_sex": pd.Categorical([f"{s} : {m}" for s, m in zip(sex, rng.choice(["single", "married"], n),
                                                                    strict=True)]),
        "height": 165 + 12 * (sex == "male") + rng.normal(0, 6, n),
        "part_time": married,
        "noise": rng.normal(size=n),
        "colour": rng.choice(["red", "green", "blue"], n),
    })


def test_planted_proxies_rank_first_and_noise_is_not_flagged() -> None:
    X = frame()
    res = proxies(X, "sex", random_state=0).to_frame()
    assert "sex" not in set(res["feature"])
    auc = dict(zip(res["feature"], res["auc"], strict=True))
    assert auc["status_sex"] == pytest.approx(1.0)
    # a 90%-accurate binary proxy: out-of-fold shares are ~0.9 / 0.1, so the AUC is the accuracy
    assert auc["part_time"] == pytest.approx(0.9, abs=0.04)
    assert auc["height"] > 0.75
    assert auc["noise"] < 0.62 and auc["colour"] < 0.62
    assert set(res[res["proxy"]]["feature"]) == {"status_sex", "part_time", "height"}
    assert res["feature"].iloc[0] == "status_sex"


def test_mutual_information_of_categorical_features_equals_the_plug_in_value() -> None:
    X = frame(1)
    res = proxies(X, "sex", random_state=0).to_frame().set_index("feature")
    for column in ("status_sex", "part_time", "colour"):
        expected = mutual_info_score(X["sex"], X[column].astype(str))
        assert res.loc[column, "mutual_information"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # status_sex determines sex: its MI is the entropy of sex
    shares = X["sex"].value_counts(normalize=True).to_numpy()
    assert res.loc["status_sex", "mutual_information"] == pytest.approx(-(shares * np.log(shares)).sum())


def test_attribution_share_and_multi_group_attribute() -> None:
    X = frame(2)
    features = ["height", "noise", "colour"]
    values = np.zeros((5, 3, 1))
    values[:, :, 0] = [3.0, -1.0, 0.0]
    exp = Explanation(values, np.zeros((5, 1)), features, ["bad"])
    res = proxies(X[features], X["sex"], explanation=exp, random_state=0)
    share = dict(zip(res.table["feature"], res.table["attribution_share"], strict=True))
    assert share == pytest.approx({"height": 0.75, "noise": 0.25, "colour": 0.0})
    assert "height" in str(res)
    three = proxies(X[["height", "noise"]], X["colour"], random_state=0).to_frame()
    assert three["auc"].between(0.3, 0.7).all()  # nothing predicts an independent three-way attribute


def test_seeded_and_validated() -> None:
    X = frame(3, n=200)
    a = proxies(X, "sex", random_state=5).to_frame()
    pd.testing.assert_frame_equal(a, proxies(X, "sex", random_state=5).to_frame())
    with pytest.raises(InvalidParameterError, match="auc_threshold"):
        proxies(X, "sex", auc_threshold=0.3)
    with pytest.raises(InvalidParameterError, match="sensitive"):
        proxies(X, "gender")
    with pytest.raises(InvalidDataError, match="sensitive"):
        proxies(X, np.array(["f"] * 199 + ["m"]))
