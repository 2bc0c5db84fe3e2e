"""attributions_by_group against pandas group means and the normal-theory interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explicable import Explanation, InvalidDataError, InvalidParameterError
from explicable.fairness import attributions_by_group


def make(n: int = 400, seed: int = 0) -> tuple[Explanation, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    sex = rng.integers(0, 2, n).astype(float)
    age = rng.choice(["<25", "25+"], n)
    values = rng.normal(size=(n, 3, 2)) + sex[:, None, None] * np.array([1.0, 0.0, -2.0])[None, :, None]
    data = np.column_stack([sex, rng.normal(size=n), rng.normal(size=n)])
    exp = Explanation(values, np.zeros((n, 2)), ["sex", "income", "debt"], ["good", "bad"], data=data)
    return exp, pd.DataFrame({"sex": sex, "age": age})


def test_means_equal_pandas_groupby_and_ci_brackets_them() -> None:
    exp, frame = make()
    res = attributions_by_group(exp, frame["age"].to_numpy(), n_bootstrap=200, random_state=1).to_frame()
    tidy = exp.to_frame().merge(pd.DataFrame({"row": np.arange(len(exp)), "group": frame["age"]}), on="row")
    tidy["abs"] = tidy["value"].abs()
    expected = tidy.groupby(["group", "feature", "output"]).agg(mean=("value", "mean"), mean_abs=("abs", "mean"),
                                                                n=("row", "size")).reset_index()
    got = res.merge(expected, on=["group", "feature", "output"], suffixes=("", "_pd"))
    assert len(got) == len(res) == 2 * 3 * 2
    np.testing.assert_allclose(got["mean"], got["mean_pd"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got["mean_abs"], got["mean_abs_pd"], rtol=1e-12)
    assert (got["n"] == got["n_pd"]).all()
    assert (res["mean_lower"] <= res["mean"]).all() and (res["mean"] <= res["mean_upper"]).all()
    assert (res["mean_abs_lower"] <= res["mean_abs"]).all() and (res["mean_abs"] <= res["mean_abs_upper"]).all()


def test_bootstrap_interval_matches_normal_theory() -> None:
    exp, frame = make(n=600, seed=2)
    res = attributions_by_group(exp, frame["sex"], n_bootstrap=2000, random_state=0).to_frame()
    v = exp.values
    for (group, feature, output), part in res.groupby(["group", "feature", "output"]):
        rows = frame["sex"].to_numpy() == float(group)
        col = v[rows, exp.feature_names.index(feature), exp.output_names.index(output)]
        half = 1.959964 * col.std(ddof=1) / np.sqrt(col.size)
        width = float(part["mean_upper"].iloc[0] - part["mean_lower"].iloc[0])
        assert width == pytest.approx(2 * half, rel=0.15)


def test_intersectional_groups_and_protected_feature() -> None:
    exp, frame = make()
    res = attributions_by_group(exp, ["sex"], n_bootstrap=50, random_state=0)
    assert res.protected_features == ("sex",) and res.attributes == ("sex",)
    own = res.protected()
    assert set(own["feature"]) == {"sex"}
    women = exp.values[exp.data[:, 0] == 1, 0, 1]
    assert float(own[(own["group"] == "1") & (own["output"] == "bad")]["mean"].iloc[0]) == pytest.approx(women.mean())
    both = attributions_by_group(exp, frame, n_bootstrap=50, random_state=0).to_frame()
    counts = frame.groupby(["sex", "age"]).size()
    for (sex, age), count in counts.items():
        label = f"{int(sex)} & {age}"
        assert (both[both["group"] == label]["n"] == count).all()
    assert "sex" in str(res)


def test_missing_values_form_their_own_group() -> None:
    exp, _ = make(n=6)
    res = attributions_by_group(exp, ["a", "b", None, "a", np.nan, "b"], n_bootstrap=10, random_state=0).to_frame()
    assert dict(res.groupby("group")["n"].first()) == {"a": 2, "b": 2, "missing": 2}


def test_same_seed_same_result_and_seed_is_recorded() -> None:
    exp, frame = make()
    a = attributions_by_group(exp, frame["age"], n_bootstrap=100, random_state=7)
    b = attributions_by_group(exp, frame["age"], n_bootstrap=100, random_state=7)
    c = attributions_by_group(exp, frame["age"], n_bootstrap=100, random_state=8)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert not a.to_frame()["mean_lower"].equals(c.to_frame()["mean_lower"])
    assert a.random_state == 7
    assert attributions_by_group(exp, frame["age"], n_bootstrap=10).random_state is not None


def test_bad_inputs_name_the_parameter() -> None:
    exp, frame = make(n=10)
    with pytest.raises(InvalidDataError, match="sensitive"):
        attributions_by_group(exp, np.zeros(9))
    with pytest.raises(InvalidParameterError, match="confidence"):
        attributions_by_group(exp, frame["age"], confidence=95)
    with pytest.raises(InvalidParameterError, match="protected"):
        attributions_by_group(exp, frame["age"], protected="gender")
    with pytest.raises(InvalidParameterError, match="explanation"):
        attributions_by_group(exp.values, frame["age"])  # type: ignore[arg-type]
