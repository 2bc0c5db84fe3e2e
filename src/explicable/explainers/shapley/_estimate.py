"""The result every Shapley estimator returns, and the constrained least-squares solve they share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Estimate", "constrained_solve"]


@dataclass(frozen=True)
class Estimate:
    """Shapley values for every explained row.

    Attributes
    ----------
    values : (n, p, k)
    base_values : (n, k)
        ``v(empty)``: the expected output over the background.
    stderr : (n, p, k) or None
        None for exact estimates.
    evaluations : (n,) int
        Coalitions evaluated for each row.
    """

    values: np.ndarray
    base_values: np.ndarray
    stderr: np.ndarray | None
    evaluations: np.ndarray


def constrained_solve(A: np.ndarray, b: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Solve ``min phi^T A phi - 2 b^T phi`` subject to ``sum(phi) = total`` for many right-hand sides.

    Parameters
    ----------
    A : (p, p)
        Weighted Gram matrix of the coalition indicators.
    b : (p, r)
        Weighted indicator-value products, one column per (row, output).
    total : (r,)
        ``v(N) - v(empty)`` per column: efficiency holds exactly.

    Returns
    -------
    (p, r)
    """
    p = A.shape[0]
    kkt = np.zeros((p + 1, p + 1))
    kkt[:p, :p] = A
    kkt[:p, p] = kkt[p, :p] = 1.0
    rhs = np.vstack([b, total[None, :]])
    try:
        solution = np.linalg.solve(kkt, rhs)
    except np.linalg.LinAlgError:  # too few distinct coalitions for a unique solution: minimum-norm one
        solution = np.linalg.lstsq(kkt, rhs, rcond=None)[0]
    return solution[:p]
