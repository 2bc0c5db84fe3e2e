"""The coalition game: what Shapley estimators value, separate from how they estimate it.

For explained rows ``x`` and a background sample ``B`` (optionally weighted), the interventional game is
``v_x(S) = sum_b w_b f(x_S, b_{not S}) / sum_b w_b``: features of players in ``S`` take the row's values,
the others take background values, and the model output is averaged over the background. Players are
features or groups of features.

The game batches model calls: every call evaluates many (row, coalition, background) combinations at once,
in chunks of at most ``max_batch_rows`` model rows, so memory stays bounded and no call is per coalition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.models.base import ModelAdapter

__all__ = ["CoalitionGame", "Game"]


class Game(Protocol):
    """What an estimator sees: players, rows and a way to value coalitions (and a counter of evaluations)."""

    n_players: int
    n_rows: int
    n_outputs: int
    evaluations: np.ndarray

    def __call__(self, coalitions: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Values of ``coalitions`` (c, p) bool for the given rows: (len(rows), c, k)."""
        ...


class CoalitionGame:
    """Interventional coalition game of a model, explained rows and a background.

    Parameters
    ----------
    model : ModelAdapter
    X : ndarray of shape (n, m)
        Explained rows (validated, model column order).
    background : ndarray of shape (b, m)
    weights : ndarray of shape (b,), optional
        Background weights (e.g. cluster sizes of a summarised background); uniform by default.
    players : sequence of sequences of int, optional
        Feature positions of each player; one player per feature by default.
    max_batch_rows : int, default 65536
        Most model rows per predict call.

    Attributes
    ----------
    evaluations : ndarray of shape (n,)
        Coalitions evaluated so far for each row (the unit of an estimator's budget).
    """

    def __init__(self, model: ModelAdapter, X: np.ndarray, background: np.ndarray, *,
                 weights: np.ndarray | None = None, players: Sequence[Sequence[int]] | None = None,
                 max_batch_rows: int = 65536) -> None:
        self.model = model
        self.X = X
        self.background = background
        m = X.shape[1]
        w = np.ones(len(background)) if weights is None else np.asarray(weights, dtype="float64")
        if w.shape != (len(background),) or (w < 0).any() or w.sum() <= 0:
            raise InvalidParameterError(parameter="background_weights",
                                        expected=f"{len(background)} non-negative weights with a positive sum",
                                        got=weights)
        self.weights = w / w.sum()
        groups = [[j] for j in range(m)] if players is None else [list(p) for p in players]
        self.membership = np.zeros((len(groups), m), dtype=bool)
        for i, members in enumerate(groups):
            self.membership[i, members] = True
        self.n_players = len(groups)
        self.n_rows = X.shape[0]
        self.n_outputs = len(model.output_names)
        self.max_batch_rows = max_batch_rows
        self.evaluations = np.zeros(self.n_rows, dtype=np.int64)

    def __call__(self, coalitions: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Values (len(rows), c, k) of boolean ``coalitions`` (c, p) for the explained ``rows``."""
        coalitions = np.asarray(coalitions, dtype=bool)
        rows = np.asarray(rows, dtype=np.int64)
        masks = coalitions @ self.membership  # (c, m): which features come from the row
        nb, c = len(self.background), len(masks)
        out = np.empty((len(rows) * c, self.n_outputs))
        per_call = max(1, self.max_batch_rows // nb)  # (row, coalition) units per predict call
        for start in range(0, len(rows) * c, per_call):
            units = np.arange(start, min(start + per_call, len(rows) * c))
            row_of, coalition_of = units // c, units % c
            data = np.where(masks[coalition_of][:, None, :], self.X[rows[row_of]][:, None, :],
                            self.background[None, :, :])
            pred = self.model.predict(data.reshape(-1, data.shape[-1]))
            # per unit a (1, b) @ (b, k) product: the same arithmetic whatever else is in the batch
            out[units] = np.matmul(self.weights, pred.reshape(len(units), nb, -1))
        self.evaluations[rows] += c
        return out.reshape(len(rows), c, self.n_outputs)
