"""Property tests (hypothesis): whatever the model and constraints, counterfactuals never change an immutable
feature, keep changed values inside their ranges, allowed levels and monotone directions, and are valid when
the model is called on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explicable import FunctionModel
from explicable.explainers.counterfactual import Counterfactuals

NUMERIC = ("a", "b", "c")
LEVELS = ("p", "q", "r", "s")


def _data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(np.round(rng.uniform(0, 10, size=(120, 3)), 1), columns=list(NUMERIC))
    frame["a"] = frame["a"].round().astype("int64")  # an integer column keeps its dtype
    frame["d"] = pd.Categorical(rng.choice(LEVELS, size=120), categories=list(LEVELS))
    return frame


def _model(weights: list[float], bonus: list[float]) -> tuple[FunctionModel, object]:
    w, extra = np.asarray(weights), dict(zip(LEVELS, bonus, strict=True))

    def score(X: np.ndarray) -> np.ndarray:
        numbers = X[:, :3].astype("float64")
        return numbers @ w + np.array([extra[v] for v in X[:, 3]])

    model = FunctionModel(lambda X: (score(X) > 0).astype(float), feature_names=[*NUMERIC, "d"],
                          output_space="probability", output_names=["approved"], accepts_strings=True)
    return model, score


constraints = st.fixed_dictionaries({
    "immutable": st.lists(st.sampled_from([*NUMERIC, "d"]), max_size=2, unique=True),
    "monotone": st.dictionaries(st.sampled_from(NUMERIC), st.sampled_from(["increase", "decrease"]), max_size=2),
    "ranges": st.dictionaries(st.sampled_from(NUMERIC),
                              st.tuples(st.floats(0, 4), st.floats(6, 10)), max_size=2),
    "allowed": st.one_of(st.just({}), st.lists(st.sampled_from(LEVELS), min_size=1, max_size=3,
                                              unique=True).map(lambda v: {"d": v})),
    "max_changes": st.one_of(st.none(), st.integers(1, 3)),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), weights=st.lists(st.floats(-1, 1), min_size=3, max_size=3),
       bonus=st.lists(st.floats(-3, 3), min_size=4, max_size=4), options=constraints,
       k=st.integers(1, 4))
def test_counterfactuals_respect_constraints_and_are_valid(seed: int, weights: list[float], bonus: list[float],
                                                           options: dict, k: int) -> None:
    data = _data(seed)
    model, score = _model(weights, bonus)
    threshold_rows = data.iloc[:3]
    cf = Counterfactuals(model, k=k, n_samples=100, random_state=seed, **options).fit(data)
    found = cf.explain(threshold_rows)
    for q, result in enumerate(found):
        query, rows = threshold_rows.iloc[q], result.counterfactuals
        assert result.n_found <= k and len(rows.drop_duplicates()) == len(rows)
        assert (rows.dtypes == data.dtypes).all()
        # valid when the model is called on the returned rows: the class flips
        before = score(threshold_rows.iloc[[q]].to_numpy(dtype=object))[0] > 0
        assert ((score(rows.to_numpy(dtype=object)) > 0) != before).all()
        for column in options["immutable"]:
            assert (rows[column] == query[column]).all()
        for column, (low, high) in options["ranges"].items():
            moved = rows[column] != query[column]
            assert rows.loc[moved, column].between(low, high).all()
        for column, direction in options["monotone"].items():
            delta = rows[column] - query[column]
            assert (delta >= 0).all() if direction == "increase" else (delta <= 0).all()
        if options["allowed"]:
            moved = rows["d"] != query["d"]
            assert rows.loc[moved, "d"].isin(options["allowed"]["d"]).all()
        if options["max_changes"] is not None:
            assert (result.sparsity <= options["max_changes"]).all()
        changed = (rows.to_numpy(dtype=object) != threshold_rows.iloc[[q]].to_numpy(dtype=object)).sum(axis=1)
        assert result.sparsity.tolist() == changed.tolist()


def test_search_finds_counterfactuals_when_data_rows_show_one_exists() -> None:
    # not vacuous: over random linear models, whenever some data row has the other class, k are found
    found, possible = 0, 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        data = _data(seed)
        model, score = _model(list(rng.uniform(-1, 1, 3)), list(rng.uniform(-3, 3, 4)))
        classes = score(data.to_numpy(dtype=object)) > 0
        result = Counterfactuals(model, k=3, n_samples=100, random_state=seed).fit(data).explain(data.iloc[:3])
        for q, r in enumerate(result):
            if (classes != classes[q]).any():
                possible += 1
                found += r.n_found == 3
    assert possible >= 20 and found == possible
