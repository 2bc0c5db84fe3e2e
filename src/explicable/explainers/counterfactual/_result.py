"""Typed results: the counterfactuals of one query, and of a batch of queries with a summary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from explicable.core.provenance import Provenance

__all__ = ["CounterfactualResult", "CounterfactualSet"]


@dataclass(frozen=True, eq=False)
class CounterfactualResult:
    """The counterfactuals found for one query.

    Attributes
    ----------
    query : DataFrame of shape (1, n_features)
        The query row, with the fitted data's dtypes.
    counterfactuals : DataFrame of shape (n_found, n_features)
        The counterfactual rows (original dtypes and categories), the cheapest first.
    changed : ndarray of bool, shape (n_found, n_features)
        Which features each counterfactual changes.
    outputs : ndarray of shape (n_found, n_outputs)
        The model's outputs for the counterfactuals.
    query_outputs : ndarray of shape (n_outputs,)
        The model's outputs for the query.
    valid : ndarray of bool, shape (n_found,)
        Whether each counterfactual reaches ``desired`` (checked by calling the model on the returned rows).
    proximity : ndarray of shape (n_found,)
        Normalised L1 distance from the query (numeric ``|delta| / MAD``, 1 a changed category).
    cost : ndarray of shape (n_found,)
        The same distance weighted by the per-feature costs (what the search minimises).
    sparsity : ndarray of int, shape (n_found,)
        Number of features changed.
    plausibility : ndarray of shape (n_found,)
        Normalised L1 distance to the nearest row of the fitted data (lower is more plausible).
    k : int
        How many counterfactuals were asked for.
    desired : str
        The outcome sought, in words.
    output_names : tuple of str
    """

    query: pd.DataFrame
    counterfactuals: pd.DataFrame
    changed: np.ndarray
    outputs: np.ndarray
    query_outputs: np.ndarray
    valid: np.ndarray
    proximity: np.ndarray
    cost: np.ndarray
    sparsity: np.ndarray
    plausibility: np.ndarray
    k: int
    desired: str
    output_names: tuple[str, ...]
    diversity: float = float("nan")

    @property
    def n_found(self) -> int:
        return len(self.counterfactuals)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.query.columns)

    @property
    def validity(self) -> float:
        """Valid counterfactuals over the ``k`` asked for."""
        return float(self.valid.sum()) / self.k

    def to_frame(self) -> pd.DataFrame:
        """The counterfactual rows with their outputs and metrics (one row per counterfactual)."""
        frame = self.counterfactuals.reset_index(drop=True).copy()
        frame.insert(0, "counterfactual", np.arange(self.n_found))
        for i, name in enumerate(self.output_names):
            frame[f"output:{name}"] = self.outputs[:, i] if self.n_found else np.empty(0)
        frame["valid"] = self.valid
        frame["proximity"] = self.proximity
        frame["sparsity"] = self.sparsity
        frame["plausibility"] = self.plausibility
        frame["cost"] = self.cost
        return frame

    def changes(self) -> pd.DataFrame:
        """What would have to change: counterfactual, feature, original and new value (one row per change)."""
        records = []
        names = self.feature_names
        for i, j in zip(*np.nonzero(self.changed), strict=True):
            records.append({"counterfactual": int(i), "feature": names[j], "original": self.query.iat[0, j],
                            "counterfactual_value": self.counterfactuals.iat[i, j]})
        return pd.DataFrame(records, columns=["counterfactual", "feature", "original", "counterfactual_value"])


@dataclass(frozen=True, eq=False)
class CounterfactualSet:
    """The counterfactuals of a batch of queries, in query order, with how they were made.

    Indexing gives a :class:`CounterfactualResult`; :meth:`summary` gives one line per query.
    """

    results: tuple[CounterfactualResult, ...]
    provenance: Provenance = field(default_factory=Provenance)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i: int) -> CounterfactualResult:
        return self.results[i]

    def __iter__(self) -> Iterator[CounterfactualResult]:
        return iter(self.results)

    def summary(self) -> pd.DataFrame:
        """Per query: found, validity, and the median proximity, sparsity and plausibility, and diversity."""
        rows = []
        for q, r in enumerate(self.results):
            rows.append({"query": q, "found": r.n_found, "validity": r.validity,
                         "proximity": _median(r.proximity), "sparsity": _median(r.sparsity),
                         "plausibility": _median(r.plausibility), "diversity": r.diversity})
        return pd.DataFrame(rows, columns=["query", "found", "validity", "proximity", "sparsity", "plausibility",
                                           "diversity"])

    def to_frame(self) -> pd.DataFrame:
        """Every counterfactual of every query (:meth:`CounterfactualResult.to_frame` with a ``query`` column)."""
        frames = [r.to_frame().assign(query=q) for q, r in enumerate(self.results)]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return frame[["query", *[c for c in frame.columns if c != "query"]]] if len(frame.columns) else frame

    def changes(self) -> pd.DataFrame:
        """Every change of every counterfactual, with a ``query`` column."""
        frames = [r.changes().assign(query=q) for q, r in enumerate(self.results)]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["query", *[c for c in frame.columns if c != "query"]]]


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if len(values) else float("nan")
