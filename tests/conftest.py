"""Shared fixtures: small generated data sets and the German credit data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explicable.datasets import load_german_credit


@pytest.fixture(scope="session")
def german() -> tuple[pd.DataFrame, pd.Series]:
    """German credit features (without the target and the derived `sex`) and y = 1 for bad credit."""
    data = load_german_credit()
    return data.drop(columns=["credit", "sex"]), (data["credit"] == "bad").astype(int)


@pytest.fixture(scope="session")
def regression_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 5))
    return X, X[:, 0] * 2 - X[:, 1] + np.sin(X[:, 2]) + 0.1 * rng.normal(size=300)


@pytest.fixture(scope="session")
def binary_data(regression_data: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    X, y = regression_data
    return X, (y > np.median(y)).astype(int)


@pytest.fixture(scope="session")
def multiclass_data(regression_data: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    X, y = regression_data
    return X, np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
