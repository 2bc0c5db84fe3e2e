"""The model as the search sees it: code-space rows in, valid or not out, with as few model calls as can be.

A model call has a fixed cost (a scikit-learn pipeline: about 10 ms even for one row), so the oracle folds
the queries' own prediction into the first batch and remembers the outputs of valid rows, which the results
then report without calling the model again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explicable.explainers.counterfactual._constraints import FeatureSpace
from explicable.explainers.counterfactual._target import Target

__all__ = ["Oracle"]


class Oracle:
    """Validity of rows for a batch of queries.

    Parameters
    ----------
    predict : callable
        Table values (n, m) to model outputs (n, k).
    space : FeatureSpace
    target : Target
    originals : ndarray of shape (q, m)
        The queries as table values.
    """

    def __init__(self, predict: Callable[[np.ndarray], np.ndarray], space: FeatureSpace, target: Target,
                 originals: np.ndarray) -> None:
        self.predict, self.space, self.target, self.originals = predict, space, target, originals
        self.spent = 0
        self._query_outputs: np.ndarray | None = None
        self._seen: dict[tuple[int, bytes], np.ndarray] = {}

    @property
    def query_outputs(self) -> np.ndarray:
        """The model's outputs (q, k) for the queries."""
        if self._query_outputs is None:
            self._query_outputs = self.predict(self.originals)
        return self._query_outputs

    @property
    def query_class(self) -> np.ndarray:
        return self.target.predicted_class(self.query_outputs)

    def __call__(self, Z: np.ndarray, qid: np.ndarray) -> np.ndarray:
        """Whether each row of ``Z`` (n, m), a candidate for query ``qid`` (n,), reaches the target."""
        rows = self.space.decode(Z, self.originals[qid])
        self.spent += len(Z)
        if self._query_outputs is None:
            outputs = self.predict(np.concatenate([self.originals, rows]))
            q = len(self.originals)
            self._query_outputs, outputs = outputs[:q], outputs[q:]
        else:
            outputs = self.predict(rows)
        ok = self.target.valid(outputs, self.query_class[qid])
        for i in np.flatnonzero(ok):
            self._seen[(int(qid[i]), Z[i].tobytes())] = outputs[i]
        return ok

    def outputs(self, Z: np.ndarray, qid: np.ndarray) -> np.ndarray:
        """Outputs (n, k) of rows already found valid (the model is called only for rows never seen)."""
        k = self.query_outputs.shape[1]
        out = np.empty((len(Z), k))
        missing = []
        for i in range(len(Z)):
            hit = self._seen.get((int(qid[i]), Z[i].tobytes()))
            if hit is None:
                missing.append(i)
            else:
                out[i] = hit
        if missing:
            out[missing] = self.predict(self.space.decode(Z[missing], self.originals[qid[missing]]))
        return out
