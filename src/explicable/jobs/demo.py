"""The main job on the embedded default: a credit model on the German credit data, and why it declined.

Trains a gradient-boosting classifier (one-hot encoding in a scikit-learn Pipeline, XGBoost) on a stratified
70% of the applicants, finds the first held-out applicant the model declines (P(bad) >= threshold), and
explains that decision with exact TreeSHAP, reported per original feature. The held-out applicants, with
their outcome and sex, are returned for the audit report the demo command writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from explicable.core.errors import UnsupportedModelError
from explicable.core.explanation import Explanation
from explicable.datasets import load_german_credit
from explicable.explainers import explain
from explicable.models.wrap import wrap

__all__ = ["PROTECTED", "DemoResult", "Factor", "run_demo"]

#: Columns of the German credit data the demo model is not trained on.
PROTECTED = ("sex", "status_sex", "foreign_worker")


@dataclass(frozen=True)
class Factor:
    """One feature's part in the decision: its value and its contribution to the log-odds of "bad"."""

    feature: str
    value: Any
    contribution: float


@dataclass(frozen=True)
class DemoResult:
    """What the demo found: the applicant, the model's score, the explanation and its principal factors."""

    applicant: int
    probability_bad: float
    threshold: float
    test_accuracy: float
    explanation: Explanation
    factors: tuple[Factor, ...]
    model: Any = None
    audit_data: Any = None


def _pipeline(categorical: list[str], random_state: int) -> Any:
    try:
        from xgboost import XGBClassifier
    except ImportError:
        raise UnsupportedModelError("The demo trains an XGBoost model: install explicable[trees].",
                                    parameter="xgboost") from None
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    encode = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical)],
                               remainder="passthrough")
    booster = XGBClassifier(n_estimators=300, max_depth=3, learning_rate=0.05, subsample=0.9, n_jobs=2,
                            random_state=random_state)
    return Pipeline([("encode", encode), ("gbm", booster)])


def run_demo(*, random_state: int = 0, threshold: float = 0.5, n_factors: int = 5) -> DemoResult:
    """Run the demo job.

    Parameters
    ----------
    random_state : int, default 0
        Seed of the split and of the model.
    threshold : float, default 0.5
        An applicant is declined when P(bad) is at least this.
    n_factors : int, default 5
        How many principal factors to report (those pushing most toward "bad").
    """
    from sklearn.model_selection import train_test_split

    data = load_german_credit()
    # sex (and the codebook's marital-status-and-sex column) and foreign-worker status are prohibited bases for
    # credit decisions (ECOA, Regulation B): the model never sees them; the audit report checks its outcomes by sex
    X = data.drop(columns=["credit", *PROTECTED])
    y = (data["credit"] == "bad").astype(int)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=random_state)
    categorical = [c for c in X.columns if X[c].dtype.name in ("category", "bool")]
    model = wrap(_pipeline(categorical, random_state).fit(X_train, y_train), output_names=["good", "bad"])
    X_test = X_test.sort_index()
    p_bad = model.predict(X_test)[:, 1]
    declined = np.flatnonzero(p_bad >= threshold)
    if declined.size == 0:
        raise UnsupportedModelError(f"No held-out applicant has P(bad) >= {threshold}.", parameter="threshold",
                                    got=threshold)
    row = int(declined[0])
    exp = explain(model, X_test.iloc[[row]], target="bad")
    contributions = exp.values[0, :, 0]
    order = [j for j in np.argsort(-contributions, kind="stable") if contributions[j] > 0][:n_factors]
    factors = tuple(Factor(exp.feature_names[j], exp.data[0, j] if exp.data is not None else None,
                           float(contributions[j])) for j in order)
    accuracy = float(((model.predict(X_test)[:, 1] >= 0.5).astype(int) == y_test.loc[X_test.index]).mean())
    # the held-out applicants with their outcome and sex (not a model input), for the audit report
    audit_data = X_test.assign(credit=data.loc[X_test.index, "credit"], sex=data.loc[X_test.index, "sex"])
    return DemoResult(int(X_test.index[row]), float(p_bad[row]), threshold, accuracy, exp, factors, model,
                      audit_data)
