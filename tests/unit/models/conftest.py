"""Small data sets for the model-adapter tests: numeric frames and a mixed frame with strings and categories."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest


@dataclass(frozen=True)
class NumericData:
    """200 rows, 4 named numeric columns, with binary, 3-class and regression targets."""

    frame: pd.DataFrame
    binary: np.ndarray
    multiclass: np.ndarray
    regression: np.ndarray

    @property
    def array(self) -> np.ndarray:
        return self.frame.to_numpy(dtype="float64")


@dataclass(frozen=True)
class MixedData:
    """200 rows: two numeric columns and two string columns (``city``, ``job``), with binary and regression targets.

    ``strings`` keeps the text columns as Python strings (object), ``categories`` as pandas categoricals.
    """

    strings: pd.DataFrame
    categories: pd.DataFrame
    binary: np.ndarray
    regression: np.ndarray


@pytest.fixture(scope="session")
def numeric_data() -> NumericData:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 4))
    score = 1.5 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + 0.3 * rng.normal(size=200)
    frame = pd.DataFrame(X, columns=["age", "income", "debt", "tenure"])
    return NumericData(
        frame=frame,
        binary=(score > 0).astype(int),
        multiclass=np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])),
        regression=score,
    )


@pytest.fixture(scope="session")
def mixed_data() -> MixedData:
    rng = np.random.default_rng(11)
    n = 200
    strings = pd.DataFrame({
        "age": rng.normal(40, 10, n),
        "city": rng.choice(["Lyon", "Nice", "Paris"], n).astype(object),
        "income": rng.normal(50, 15, n),
        "job": rng.choice(["clerk", "nurse"], n).astype(object),
    })
    score = (strings["age"] - 40) / 10 + np.where(strings["city"] == "Paris", 1.5, -0.5) \
        + np.where(strings["job"] == "nurse", 0.7, 0.0) + 0.3 * rng.normal(size=n)
    categories = strings.astype({"city": "category", "job": "category"})
    return MixedData(strings=strings, categories=categories, binary=(score > 0).astype(int),
                     regression=score.to_numpy())
