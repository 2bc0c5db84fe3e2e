"""The result of TCAV: per concept, the scores of its CAVs against those of random CAVs, and a verdict."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TCAVResult"]


@dataclass(frozen=True, eq=False)
class TCAVResult:
    """TCAV scores of several concepts for one output of a model at one layer.

    Attributes
    ----------
    concepts : tuple of str
    target : str or int
        The output explained (its name where the model has names).
    layer : str
        The layer whose activations the CAVs live in.
    scores : array (n_concepts, n_random)
        TCAV score of each concept CAV: the share of inputs whose directional derivative of ``target``
        along the CAV is positive.
    random_scores : array (n_random,)
        The same for the random-vs-random CAVs (the null distribution).
    cav_accuracy : array (n_concepts, n_random)
        Held-out accuracy of the linear classifier behind each concept CAV (near 0.5: the layer does not
        separate the concept from random images, and its CAVs mean little).
    random_cav_accuracy : array (n_random,)
    p_values : array (n_concepts,)
        Two-sided Welch t-test of ``scores[c]`` against ``random_scores``.
    p_values_corrected : array (n_concepts,)
        Bonferroni-corrected over the concepts (``min(1, p * n_concepts)``).
    alpha : float
        Significance level the corrected p-values are compared with.
    n_inputs : int
        Images the scores are computed on.
    random_state : int
    parameters : dict
        The explainer's settings.
    significant : array of bool (n_concepts,)
        Derived: ``p_values_corrected < alpha``.
    """

    concepts: tuple[str, ...]
    target: str | int
    layer: str
    scores: np.ndarray
    random_scores: np.ndarray
    cav_accuracy: np.ndarray
    random_cav_accuracy: np.ndarray
    p_values: np.ndarray
    p_values_corrected: np.ndarray
    alpha: float
    n_inputs: int
    random_state: int
    parameters: dict[str, Any] = field(default_factory=dict)
    significant: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        for name in ("scores", "random_scores", "cav_accuracy", "random_cav_accuracy", "p_values",
                     "p_values_corrected"):
            arr = np.array(getattr(self, name), dtype="float64")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        significant = self.p_values_corrected < self.alpha
        significant.setflags(write=False)
        object.__setattr__(self, "significant", significant)

    @property
    def mean(self) -> np.ndarray:
        """Mean TCAV score of each concept over its CAVs, (n_concepts,)."""
        return np.asarray(self.scores.mean(axis=1))

    @property
    def std(self) -> np.ndarray:
        """Standard deviation (ddof=1) of each concept's TCAV scores over its CAVs, (n_concepts,)."""
        return np.asarray(self.scores.std(axis=1, ddof=1)) if self.scores.shape[1] > 1 else \
            np.zeros(len(self.concepts))

    def to_frame(self) -> pd.DataFrame:
        """One row per concept: mean and std of its scores, the random scores', p-values, verdict, accuracy."""
        random_std = float(self.random_scores.std(ddof=1)) if self.random_scores.size > 1 else 0.0
        return pd.DataFrame({
            "concept": list(self.concepts),
            "target": [self.target] * len(self.concepts),
            "layer": [self.layer] * len(self.concepts),
            "tcav_score": self.mean,
            "std": self.std,
            "random_score": [float(self.random_scores.mean())] * len(self.concepts),
            "random_std": [random_std] * len(self.concepts),
            "p_value": self.p_values,
            "p_value_corrected": self.p_values_corrected,
            "significant": self.significant,
            "cav_accuracy": self.cav_accuracy.mean(axis=1),
            "n_cavs": [self.scores.shape[1]] * len(self.concepts),
        })

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of everything, arrays as lists (NaN as None)."""
        return {
            "concepts": list(self.concepts), "target": self.target, "layer": self.layer,
            "scores": _listed(self.scores), "random_scores": _listed(self.random_scores),
            "cav_accuracy": _listed(self.cav_accuracy), "random_cav_accuracy": _listed(self.random_cav_accuracy),
            "mean": _listed(self.mean), "std": _listed(self.std), "p_values": _listed(self.p_values),
            "p_values_corrected": _listed(self.p_values_corrected),
            "significant": [bool(s) for s in self.significant], "alpha": self.alpha, "n_inputs": self.n_inputs,
            "random_state": self.random_state, "parameters": dict(self.parameters),
        }

    def summary(self) -> str:
        """One line per concept."""
        lines = [f"TCAV for output {self.target!r} at layer {self.layer!r} ({self.n_inputs} inputs; random "
                 f"CAVs score {self.random_scores.mean():.3f}):"]
        for c, name in enumerate(self.concepts):
            verdict = "significant" if self.significant[c] else "not significant"
            lines.append(f"  {name}: {self.mean[c]:.3f} +/- {self.std[c]:.3f}, corrected p = "
                         f"{self.p_values_corrected[c]:.3g} ({verdict} at {self.alpha:g})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _listed(arr: np.ndarray) -> Any:
    if arr.ndim > 1:
        return [_listed(row) for row in arr]
    return [None if not math.isfinite(v) else float(v) for v in arr.tolist()]
