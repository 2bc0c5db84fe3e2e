"""Models with closed-form attributions, and their data, for the dashboard's tests.

(Plain functions, not a conftest: with ``--doctest-modules`` two non-root conftest.py files clash.)

The score is additive, ``f(x) = 0.002 income - 0.05 age + job effect + 0.5 owner (+ 0.8 [sex == m])``, so the
interventional Shapley value of feature j against reference rows B is ``f_j(x_j) - mean_B f_j(b_j)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from explicable import FunctionModel

JOB = {"a": 0.0, "b": 1.0, "c": -1.0}
FEATURES = ["income", "age", "job", "owner"]


def terms(X: Any, with_sex: bool = False) -> np.ndarray:
    """Each feature's term of the score, shape (n, 4) or (n, 5) with sex."""
    X = np.asarray(X, dtype=object)
    columns = [0.002 * X[:, 0].astype(float), -0.05 * X[:, 1].astype(float),
               np.array([JOB[j] for j in X[:, 2]]), 0.5 * X[:, 3].astype(float)]
    if with_sex:
        columns.append(0.8 * (X[:, 4] == "m"))
    return np.column_stack(columns).astype(float)


def probability(X: Any) -> np.ndarray:
    """P(bad): a logistic of the score with sex, centred near the data's median."""
    return 1.0 / (1.0 + np.exp(-(terms(X, with_sex=True).sum(axis=1) + 0.5)))


def make_frame() -> pd.DataFrame:
    """120 rows: income, age, job (categorical), owner (bool), sex, and a 0/1 outcome y."""
    rng = np.random.default_rng(7)
    n = 120
    return pd.DataFrame({
        "income": rng.normal(1000, 300, n).round(1),
        "age": rng.integers(20, 70, n),
        "job": pd.Categorical(rng.choice(list(JOB), n), categories=list(JOB)),
        "owner": rng.random(n) < 0.4,
        "sex": rng.choice(["f", "m"], n),
        "y": rng.integers(0, 2, n),
    })


def additive_model() -> FunctionModel:
    """The additive score of the four features (raw output)."""
    return FunctionModel(lambda X: terms(X).sum(axis=1), feature_names=FEATURES, accepts_strings=True)


def classifier_model() -> FunctionModel:
    """P(good), P(bad) from the score with sex: sex is a feature here, so counterfactuals must keep it."""
    return FunctionModel(lambda X: np.column_stack([1 - probability(X), probability(X)]),
                         feature_names=[*FEATURES, "sex"], output_names=["good", "bad"],
                         output_space="probability", accepts_strings=True)
