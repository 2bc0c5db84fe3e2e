"""Scores of a model's outputs against the truth, higher is better, with scikit-learn's names and meanings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.models.base import ModelAdapter

__all__ = ["CLASSIFICATION", "REGRESSION", "Scorer", "default_scoring", "make_scorer"]

#: Scores on class labels: the outputs are per-class probabilities ("neg_log_loss") or scores (argmax).
CLASSIFICATION = ("accuracy", "neg_log_loss")
#: Scores on numeric targets, averaged uniformly over the outputs.
REGRESSION = ("neg_mean_squared_error", "r2", "neg_mean_absolute_error")


@dataclass(frozen=True)
class Scorer:
    """A score of predictions ``(n, k)`` against the encoded truth, higher is better."""

    name: str
    truth: np.ndarray
    score: Callable[[np.ndarray, np.ndarray], float]

    def __call__(self, pred: np.ndarray) -> float:
        return float(self.score(self.truth, pred))


def is_classifier(adapter: ModelAdapter) -> bool:
    """Whether the adapter's outputs are per-class (probabilities, log-odds or a classifier's decision scores)."""
    return adapter.output_space in ("probability", "log-odds") or bool(getattr(adapter, "is_classifier", False))


def default_scoring(adapter: ModelAdapter) -> str:
    """"neg_log_loss" for probabilities, "accuracy" for other class scores, "neg_mean_squared_error" otherwise."""
    if adapter.output_space == "probability":
        return "neg_log_loss"
    return "accuracy" if is_classifier(adapter) else "neg_mean_squared_error"


def make_scorer(scoring: Any, adapter: ModelAdapter, y: Any, n_rows: int) -> Scorer:
    """The scorer named ``scoring`` (or a callable ``scoring(y, pred) -> float``) with ``y`` checked and encoded."""
    if callable(scoring):
        return Scorer(getattr(scoring, "__name__", "score"), _column_or_table(y, n_rows), _call(scoring))
    if scoring in CLASSIFICATION:
        if scoring == "neg_log_loss" and adapter.output_space != "probability":
            raise InvalidParameterError(
                f"scoring='neg_log_loss' needs probabilities, and the model's outputs are {adapter.output_space}; "
                "wrap the model with output_space='probability' or use scoring='accuracy'.",
                parameter="scoring", got=scoring)
        truth = _class_positions(y, adapter.output_names, n_rows)
        return Scorer(scoring, truth, _log_loss if scoring == "neg_log_loss" else _accuracy)
    if scoring in REGRESSION:
        truth = _column_or_table(y, n_rows).astype("float64")
        if truth.ndim == 2 and truth.shape[1] != len(adapter.output_names):
            raise InvalidDataError(parameter="y", expected=f"{len(adapter.output_names)} columns, one per output",
                                   got=truth)
        return Scorer(scoring, truth, {"neg_mean_squared_error": _neg_mse, "r2": _r2,
                                       "neg_mean_absolute_error": _neg_mae}[scoring])
    raise InvalidParameterError(parameter="scoring", expected="one of " + ", ".join(map(repr, CLASSIFICATION +
                                REGRESSION)) + ", a callable scoring(y, pred) -> float, or None", got=scoring)


def _call(fn: Callable[[Any, np.ndarray], Any]) -> Callable[[np.ndarray, np.ndarray], float]:
    def score(truth: np.ndarray, pred: np.ndarray) -> float:
        return float(fn(truth, pred))
    return score


def _column_or_table(y: Any, n_rows: int) -> np.ndarray:
    arr = y.to_numpy() if isinstance(y, (pd.Series, pd.DataFrame)) else np.asarray(y)
    if arr.ndim not in (1, 2) or arr.shape[0] != n_rows:
        raise InvalidDataError(parameter="y", expected=f"{n_rows} values, one per row of X", got=arr)
    return arr


def _class_positions(y: Any, output_names: tuple[str, ...], n_rows: int) -> np.ndarray:
    labels = _column_or_table(y, n_rows)
    if labels.ndim != 1:
        raise InvalidDataError(parameter="y", expected="one class label per row", got=labels)
    position = {name: j for j, name in enumerate(output_names)}
    text = [str(v) for v in labels.tolist()]
    unknown = sorted({t for t in text if t not in position})
    if unknown:
        raise InvalidDataError(parameter="y", expected=f"class labels among the outputs {list(output_names)}",
                               got=unknown[0])
    return np.array([position[t] for t in text], dtype=np.intp)


def _accuracy(truth: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(np.argmax(pred, axis=1) == truth))


def _log_loss(truth: np.ndarray, pred: np.ndarray) -> float:
    # as scikit-learn: probabilities clipped away from 0 so that a confident mistake costs a finite amount
    chosen = np.clip(pred[np.arange(pred.shape[0]), truth], np.finfo("float64").eps, 1.0)
    return float(np.mean(np.log(chosen)))


def _as_table(truth: np.ndarray, pred: np.ndarray) -> np.ndarray:
    return truth.reshape(-1, 1) if truth.ndim == 1 else truth


def _neg_mse(truth: np.ndarray, pred: np.ndarray) -> float:
    return -float(np.mean((_as_table(truth, pred) - pred) ** 2))


def _neg_mae(truth: np.ndarray, pred: np.ndarray) -> float:
    return -float(np.mean(np.abs(_as_table(truth, pred) - pred)))


def _r2(truth: np.ndarray, pred: np.ndarray) -> float:
    table = _as_table(truth, pred)
    residual = ((table - pred) ** 2).sum(axis=0)
    total = ((table - table.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_output = np.where(total > 0, 1.0 - residual / total, np.where(residual > 0, 0.0, 1.0))
    return float(per_output.mean())
