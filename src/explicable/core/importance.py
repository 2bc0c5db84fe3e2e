"""Whole-model feature importance with confidence intervals: one result type for every global method.

Permutation importance, mean absolute Shapley values and any later global ranking return a
:class:`FeatureImportance` with fixed axes (features, outputs), whatever was asked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from explicable.core._arrays import readonly_float
from explicable.core._serialize import decode_array, encode_array
from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.provenance import Provenance
from explicable.core.validation import check_fraction

__all__ = ["IMPORTANCE_SCHEMA", "FeatureImportance", "t_interval"]

#: Identifier and version of the serialised form of a :class:`FeatureImportance`.
IMPORTANCE_SCHEMA = "explicable.importance/1"


@dataclass(frozen=True, eq=False)
class FeatureImportance:
    """How much each feature matters to the model as a whole, with a confidence interval.

    Every array keeps both axes: ``importances[j, k]`` is feature ``j``'s importance for output ``k``
    (for permutation importance the one "output" is the score that was used).

    Parameters
    ----------
    importances : array of shape (n_features, n_outputs)
    stderr : array of shape (n_features, n_outputs)
        Standard error of each importance (NaN where there is too little to estimate it).
    ci_low, ci_high : arrays of shape (n_features, n_outputs)
        The two-sided ``confidence`` interval.
    feature_names : sequence of str, length n_features
    output_names : sequence of str, length n_outputs
    confidence : float
        Coverage of ``[ci_low, ci_high]``, in (0, 1).
    samples : array of shape (n_features, n_outputs, n_samples), optional
        The values the importance averages (one per permutation repeat), where kept.
    baseline : array of shape (n_outputs,), optional
        The reference the importances are measured from (the unpermuted score for permutation importance).
    provenance : Provenance
        Method, settings, seed and fingerprints.

    Examples
    --------
    >>> import numpy as np
    >>> imp = FeatureImportance(np.array([[2.0], [0.5]]), np.array([[0.1], [0.1]]), np.array([[1.8], [0.3]]),
    ...                         np.array([[2.2], [0.7]]), ["a", "b"], ["score"], confidence=0.95)
    >>> imp.ranking().tolist()
    ['a', 'b']
    >>> imp.to_frame().shape
    (2, 6)
    """

    importances: np.ndarray
    stderr: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    feature_names: tuple[str, ...]
    output_names: tuple[str, ...]
    confidence: float = 0.95
    samples: np.ndarray | None = None
    baseline: np.ndarray | None = None
    provenance: Provenance = field(default_factory=Provenance)

    def __post_init__(self) -> None:
        values = readonly_float(self.importances, "importances", ndim=2)
        m, k = values.shape
        object.__setattr__(self, "importances", values)
        for name in ("stderr", "ci_low", "ci_high"):
            arr = readonly_float(getattr(self, name), name, ndim=2)
            if arr.shape != (m, k):
                raise InvalidDataError(parameter=name, expected=f"shape {(m, k)} like importances", got=arr)
            object.__setattr__(self, name, arr)
        if self.samples is not None:
            samples = readonly_float(self.samples, "samples", ndim=3)
            if samples.shape[:2] != (m, k):
                raise InvalidDataError(parameter="samples", expected=f"shape {(m, k)} + (n_samples,)", got=samples)
            object.__setattr__(self, "samples", samples)
        if self.baseline is not None:
            baseline = readonly_float(self.baseline, "baseline", ndim=1)
            if baseline.shape != (k,):
                raise InvalidDataError(parameter="baseline", expected=f"shape {(k,)}", got=baseline)
            object.__setattr__(self, "baseline", baseline)
        object.__setattr__(self, "feature_names", unique_names(self.feature_names, "feature_names", m))
        object.__setattr__(self, "output_names", unique_names(self.output_names, "output_names", k))
        object.__setattr__(self, "confidence", check_fraction(self.confidence, "confidence"))
        if not isinstance(self.provenance, Provenance):
            raise InvalidParameterError(parameter="provenance", expected="a Provenance", got=self.provenance)

    @property
    def shape(self) -> tuple[int, int]:
        """(n_features, n_outputs)."""
        m, k = self.importances.shape
        return int(m), int(k)

    def ranking(self, output: int | str = 0) -> np.ndarray:
        """Feature names from the most to the least important for one output (ties keep feature order)."""
        k = self.output_names.index(output) if isinstance(output, str) and output in self.output_names else output
        if isinstance(k, str) or not isinstance(k, (int, np.integer)) or not -self.shape[1] <= k < self.shape[1]:
            raise InvalidParameterError(parameter="output", expected=f"one of {list(self.output_names)} or a "
                                        f"position below {self.shape[1]}", got=output)
        order = np.argsort(-self.importances[:, k], kind="stable")
        return np.asarray(self.feature_names, dtype=object)[order]

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: feature, output, importance, stderr, ci_low, ci_high (one row per feature and output)."""
        m, k = self.shape
        feats, outs = np.meshgrid(np.arange(m), np.arange(k), indexing="ij")
        return pd.DataFrame({
            "feature": np.asarray(self.feature_names, dtype=object)[feats.reshape(-1)],
            "output": np.asarray(self.output_names, dtype=object)[outs.reshape(-1)],
            "importance": self.importances.reshape(-1),
            "stderr": self.stderr.reshape(-1),
            "ci_low": self.ci_low.reshape(-1),
            "ci_high": self.ci_high.reshape(-1),
        })

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` restores an equal result."""
        return {
            "schema": IMPORTANCE_SCHEMA,
            "feature_names": list(self.feature_names),
            "output_names": list(self.output_names),
            "confidence": self.confidence,
            **{name: encode_array(getattr(self, name))
               for name in ("importances", "stderr", "ci_low", "ci_high", "samples", "baseline")},
            "provenance": self.provenance.to_dict(),
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> FeatureImportance:
        """Inverse of :meth:`to_dict`, checking the schema version."""
        check_schema(obj, IMPORTANCE_SCHEMA)
        arrays = {name: decode_array(obj.get(name), name)
                  for name in ("importances", "stderr", "ci_low", "ci_high", "samples", "baseline")}
        return cls(feature_names=tuple(obj["feature_names"]), output_names=tuple(obj["output_names"]),
                   confidence=obj["confidence"], provenance=Provenance.from_dict(obj.get("provenance", {})),
                   **arrays)  # type: ignore[arg-type]

    def to_json(self) -> str:
        """Standard JSON (no NaN literals)."""
        return json.dumps(self.to_dict(), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> FeatureImportance:
        """Inverse of :meth:`to_json`."""
        return cls.from_dict(load_json(text))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureImportance):
            return NotImplemented
        return (self.feature_names == other.feature_names and self.output_names == other.output_names
                and self.confidence == other.confidence and self.provenance == other.provenance
                and all(same_array(getattr(self, n), getattr(other, n))
                        for n in ("importances", "stderr", "ci_low", "ci_high", "samples", "baseline")))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        m, k = self.shape
        return (f"FeatureImportance(features={m}, outputs={k}, method={self.provenance.method!r}, "
                f"confidence={self.confidence})")


def t_interval(mean: np.ndarray, stderr: np.ndarray, dof: int, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Student-t interval ``mean -/+ t * stderr`` (NaN bounds when ``dof < 1``)."""
    if dof < 1:
        nan = np.full(np.shape(mean), np.nan)
        return nan, nan.copy()
    half = stats.t.ppf(0.5 + confidence / 2, dof) * np.asarray(stderr)
    return np.asarray(mean) - half, np.asarray(mean) + half


# ---- helpers shared with the effect types ----------------------------------------------------------------
def unique_names(value: Any, name: str, size: int) -> tuple[str, ...]:
    """``size`` distinct names as a tuple of str."""
    if isinstance(value, str) or not isinstance(value, (Sequence, np.ndarray)):
        raise InvalidDataError(parameter=name, expected=f"a sequence of {size} names", got=value)
    names = tuple(str(v) for v in value)
    if len(names) != size or len(set(names)) != size:
        raise InvalidDataError(parameter=name, expected=f"{size} distinct names", got=names)
    return names


def check_schema(obj: Any, schema: str) -> None:
    if not isinstance(obj, Mapping) or obj.get("schema") != schema:
        got = obj.get("schema") if isinstance(obj, Mapping) else obj
        raise InvalidDataError(parameter="schema", expected=f"'{schema}'", got=got)


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDataError(parameter="text", expected="JSON", got=f"invalid JSON ({exc})") from None


def same_array(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Exact equality (NaN equal to NaN, object cells compared by value)."""
    if a is None or b is None:
        return a is None and b is None
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype == object:
        return all(x == y or (x != x and y != y) for x, y in zip(a.reshape(-1), b.reshape(-1), strict=True))
    return bool(np.array_equal(a, b, equal_nan=True))
