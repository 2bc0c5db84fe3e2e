"""Typed results of the explanation checks: a statistic, the threshold it is judged against, pass or fail."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CheckResult", "ConsensusResult", "CurveResult"]


@dataclass(frozen=True, eq=False)
class CheckResult:
    """The outcome of one check of explanation quality.

    Attributes
    ----------
    name : str
        The check (``"deletion_curve"``, ``"faithfulness_correlation"``, ...).
    value : float
        The statistic the check is judged on (NaN when it could not be computed: the check then fails).
    threshold : float
        The value the statistic is compared with (each check documents and justifies its default).
    higher_is_better : bool
        Pass when ``value >= threshold`` (or ``>`` when ``strict``); otherwise when ``value <= threshold``.
    per_row : array of shape (n_rows,)
        The statistic per explained row (NaN where undefined for that row).
    details : mapping
        Further numbers the check computed (settings used, seeds, secondary statistics).
    strict : bool, default False
        Whether equality with the threshold fails.
    passed : bool
        Derived from the above; not a constructor argument.

    Examples
    --------
    >>> import numpy as np
    >>> r = CheckResult("agreement", 0.8, 0.5, True, np.array([0.7, 0.9]))
    >>> r.passed, r.summary()
    (True, 'agreement: PASS value=0.8 (needs >= 0.5) over 2 rows')
    """

    name: str
    value: float
    threshold: float
    higher_is_better: bool
    per_row: np.ndarray
    details: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = False
    passed: bool = field(init=False)

    def __post_init__(self) -> None:
        value, threshold = float(self.value), float(self.threshold)
        rows = np.array(self.per_row, dtype="float64").reshape(-1)
        rows.setflags(write=False)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "threshold", threshold)
        object.__setattr__(self, "per_row", rows)
        object.__setattr__(self, "details", dict(self.details))
        object.__setattr__(self, "passed", _judge(value, threshold, self.higher_is_better, self.strict))

    @property
    def comparison(self) -> str:
        """The test the value must meet, as an operator: ``">="``, ``">"``, ``"<="`` or ``"<"``."""
        return (">" if self.higher_is_better else "<") + ("" if self.strict else "=")

    def summary(self) -> str:
        """One line for a CI log: name, PASS/FAIL, value and threshold."""
        verdict = "PASS" if self.passed else "FAIL"
        return (f"{self.name}: {verdict} value={self.value:.4g} (needs {self.comparison} {self.threshold:.4g}) "
                f"over {self.per_row.size} rows")

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the verdict and the statistic (per-row values as a list, NaN as None)."""
        return {"name": self.name, "passed": self.passed, "value": _finite_or_none(self.value),
                "threshold": self.threshold, "comparison": self.comparison,
                "per_row": [_finite_or_none(v) for v in self.per_row.tolist()],
                "details": {k: _jsonable(v) for k, v in self.details.items()}}


@dataclass(frozen=True, eq=False)
class CurveResult(CheckResult):
    """A deletion or insertion check: the curves behind the statistic.

    Attributes
    ----------
    fractions : array of shape (n_steps + 1,)
        Share of features removed (deletion) or inserted (insertion) at each point, from 0 to 1.
    curve : array of shape (n_rows, n_steps + 1)
        The model's output along the explanation's ordering.
    random_curve : array of shape (n_rows, n_steps + 1)
        The mean output along the random orderings.
    auc, random_auc : arrays of shape (n_rows,)
        Areas under ``curve`` and ``random_curve`` over ``fractions`` (so in the model's output units).
    """

    fractions: np.ndarray = field(default_factory=lambda: np.zeros(0))
    curve: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    random_curve: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    auc: np.ndarray = field(default_factory=lambda: np.zeros(0))
    random_auc: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True, eq=False)
class ConsensusResult(CheckResult):
    """Where several explanations of the same rows agree and where they do not.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature (or per row and feature): each method's rank, mean absolute and mean signed
        attribution, and ``disagree`` / ``reason`` columns.
    disagreements : tuple of str
        The features some method ranks in its top k while another ranks them outside its top 2k, or
        whose attributions differ in sign between methods.
    methods : tuple of str
        The methods' names, in the order given.
    """

    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    disagreements: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()


def _judge(value: float, threshold: float, higher: bool, strict: bool) -> bool:
    if math.isnan(value):
        return False
    if higher:
        return value > threshold if strict else value >= threshold
    return value < threshold if strict else value <= threshold


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (np.floating, float)):
        return _finite_or_none(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value
