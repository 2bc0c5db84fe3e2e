"""Counterfactuals against DiCE (dice-ml, 'random') on German credit: same model, same constraints.

explicable must return at least as many valid counterfactuals as DiCE, none changing an immutable feature,
with median sparsity and proximity no worse (both libraries' rows judged by the same code).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from explicable.explainers.counterfactual import Counterfactuals

dice_ml = pytest.importorskip("dice_ml")

IMMUTABLE = ["age", "status_sex", "foreign_worker"]


def test_validity_sparsity_and_proximity_no_worse_than_dice(german: tuple[pd.DataFrame, pd.Series]) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, y = german
    X = X.copy()
    categorical = [c for c in X.columns if X[c].dtype.name in ("category", "bool")]
    for c in categorical:  # strings, so DiCE and explicable feed the pipeline the same values
        X[c] = X[c].astype(str)
    numeric = [c for c in X.columns if c not in categorical]
    pipe = Pipeline([("enc", ColumnTransformer([("oh", OneHotEncoder(handle_unknown="ignore"), categorical)],
                                               remainder="passthrough")),
                     ("rf", RandomForestClassifier(n_estimators=50, max_depth=6, random_state=0))]).fit(X, y)
    queries = X.iloc[np.flatnonzero(pipe.predict(X) == 1)[:3]]
    cf = Counterfactuals(pipe, k=3, immutable=IMMUTABLE, random_state=0).fit(X)
    ours = [r.counterfactuals for r in cf.explain(queries)]

    dice = dice_ml.Dice(dice_ml.Data(dataframe=X.assign(credit=y.to_numpy()), continuous_features=numeric,
                                     outcome_name="credit"), dice_ml.Model(model=pipe, backend="sklearn"),
                        method="random")
    vary = [c for c in X.columns if c not in IMMUTABLE]
    theirs = []
    for i in range(len(queries)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = dice.generate_counterfactuals(queries.iloc[[i]], total_CFs=3, desired_class="opposite",
                                                features_to_vary=vary, random_seed=0, verbose=False)
        theirs.append(out.cf_examples_list[0].final_cfs_df.drop(columns=["credit"]))

    def judge(all_rows: list[pd.DataFrame]) -> tuple[int, float, float]:
        n_valid, sparsity, proximity = 0, [], []
        for i, rows in enumerate(all_rows):
            rows = rows[X.columns].astype(X.dtypes.to_dict()).drop_duplicates().head(3)
            z0 = cf.space_.encode(queries.iloc[[i]].to_numpy(dtype=object))[0]
            Z = cf.space_.encode(rows.to_numpy(dtype=object))
            ok = pipe.predict(rows) == 0
            ok &= (rows[IMMUTABLE] == queries.iloc[i][IMMUTABLE]).all(axis=1).to_numpy()
            n_valid += int(ok.sum())
            sparsity += (rows[ok] != queries.iloc[i]).sum(axis=1).tolist()
            proximity += cf.space_.distances(Z[ok], z0).sum(axis=1).tolist()
        return n_valid, float(np.median(sparsity)), float(np.median(proximity))

    (ours_valid, ours_sparse, ours_prox), (dice_valid, dice_sparse, dice_prox) = judge(ours), judge(theirs)
    assert ours_valid == 9 and ours_valid >= dice_valid
    assert ours_sparse <= dice_sparse and ours_prox <= dice_prox
