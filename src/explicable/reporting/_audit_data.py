"""What the audit report shows, computed: one function per section, each returning plain tables and numbers.

The sections follow what a model-risk reviewer expects (SR 11-7 style): the model and the data, performance,
global explanations with confidence intervals, local explanations of selected and declined cases with their
principal reasons, explanation-quality checks, the fairness audit with its regulatory tables, counterfactual
examples, limitations and method notes, and provenance. A section that cannot be computed for this model
(say, a flip test for an attribute the model does not take) is reported as a limitation, never dropped silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from explicable.core.errors import ExplicableError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.models.base import ModelAdapter

__all__ = ["AuditInputs", "Section", "prepare_inputs"]


@dataclass
class Section:
    """One section of the report: an id, a heading, paragraphs, tables and figures (added by the renderer)."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[Any] = field(default_factory=list)
    checks: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class AuditInputs:
    """The model, the rows and the outcome, resolved once for every section."""

    model: ModelAdapter
    X: pd.DataFrame
    y: pd.Series
    sensitive: pd.DataFrame
    favorable: Any
    adverse_output: str
    favorable_output: str
    threshold: float
    random_state: int
    #: The model's output for the favourable outcome, per row (predicted once).
    favorable_score: np.ndarray

    @property
    def decisions(self) -> np.ndarray:
        """1 where the decision is favourable (score at or above the threshold)."""
        return (self.favorable_score >= self.threshold).astype(int)


def prepare_inputs(model: ModelAdapter, data: pd.DataFrame, *, target: str, sensitive: Sequence[str],
                   favorable: Any, threshold: float, random_state: int) -> AuditInputs:
    """Split ``data`` into the model's features, the outcome and the sensitive columns; find the outputs."""
    columns = [str(c) for c in data.columns]
    missing = [c for c in [target, *sensitive] if c not in columns]
    if missing:
        raise InvalidParameterError(parameter="target" if target in missing else "sensitive",
                                    expected=f"columns of the data ({', '.join(columns)})", got=missing)
    features = list(model.feature_names) if model.feature_names else [c for c in columns if c != target]
    outputs = list(model.output_names)
    if len(outputs) != 2:
        raise InvalidParameterError(parameter="model", expected="a binary classifier (two outputs)",
                                    got=f"outputs {outputs}")
    values = set(data[target].dropna().unique().tolist())
    if favorable is None:
        if not values <= {0, 1}:
            raise InvalidParameterError(parameter="favorable", got=None, expected="the favourable outcome, "
                                        f"one of {sorted(map(str, values))}")
        favorable = 1
    if str(favorable) not in {str(v) for v in values}:
        raise InvalidParameterError(parameter="favorable", expected=f"one of {sorted(map(str, values))}",
                                    got=favorable)
    fav_output = str(favorable) if str(favorable) in outputs else outputs[-1]
    adverse = next(o for o in outputs if o != fav_output)
    X = data[features]
    score = model.predict(model.check_data(X).values)[:, outputs.index(fav_output)]
    return AuditInputs(model, X, data[target], data[list(sensitive)], favorable, adverse, fav_output,
                       float(threshold), int(random_state), score)


def data_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of the rows (pandas' row hashes, in order): the data's fingerprint in the provenance."""
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()).hexdigest()


def describe_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per column: type, missing values, distinct values, and the range or the most common value."""
    rows = []
    for name in frame.columns:
        col = frame[name]
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        summary = f"{col.min():.4g} to {col.max():.4g}" if numeric and col.notna().any() else \
            (f"most common: {col.mode().iloc[0]}" if col.notna().any() else "")
        rows.append({"column": str(name), "type": str(col.dtype), "missing": int(col.isna().sum()),
                     "distinct": int(col.nunique()), "summary": summary})
    return pd.DataFrame(rows)


def explanation_table(exp: Explanation, row: int, output: str) -> pd.DataFrame:
    """A row's attributions to ``output``, largest magnitude first, with the feature values and stderr."""
    k = exp.output_names.index(output)
    values = exp.values[row, :, k]
    frame = pd.DataFrame({"feature": exp.feature_names,
                          "value": [exp.data[row, j] if exp.data is not None else "" for j in range(len(values))],
                          "contribution": values})
    if exp.stderr is not None:
        frame["stderr"] = exp.stderr[row, :, k]
    return frame.iloc[np.argsort(-np.abs(values), kind="stable")].reset_index(drop=True)


def failure(section: Section, what: str, exc: Exception) -> None:
    """Record in ``section`` that ``what`` could not be computed, and why (never a silent gap)."""
    reason = str(exc) if isinstance(exc, ExplicableError) else f"{type(exc).__name__}: {exc}"
    section.paragraphs.append(f"Not computed: {what}. Reason: {reason}")
