"""The result every Shapley estimator returns, and the constrained least-squares solve they share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Estimate", "constrained_solve", "converged"]


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
    """Solve ``min phi^T A phi - 2 b^T phi`` subject to ``sum(phi) = total``, row by row.

    Parameters
    ----------
    A : (p, p)
        Weighted Gram matrix of the coalition indicators (shared by all rows).
    b : (r, p, k)
        Weighted indicator-value products per row and output.
    total : (r, k)
        ``v(N) - v(empty)``: efficiency holds exactly.

    Returns
    -------
    (r, p, k)

    Notes
    -----
    The KKT matrix is inverted once and applied to each row as its own (p+1, p+1) @ (p+1, k) product, so a
    row's result is the same bytes whether it is explained alone or in a batch (audit replay relies on it).
    """
    p = A.shape[0]
    kkt = np.zeros((p + 1, p + 1))
    kkt[:p, :p] = A
    kkt[:p, p] = kkt[p, :p] = 1.0
    try:
        inverse = np.linalg.inv(kkt)
    except np.linalg.LinAlgError:  # too few distinct coalitions for a unique solution: minimum-norm one
        inverse = np.linalg.pinv(kkt)
    rhs = np.concatenate([b, total[:, None, :]], axis=1)  # (r, p + 1, k)
    return np.matmul(inverse, rhs)[:, :p]


def converged(values: np.ndarray, stderr: np.ndarray, tol: float) -> np.ndarray:
    """Rows whose ``max stderr / (max phi - min phi)`` is below ``tol`` (Covert & Lee, AISTATS 2021).

    ``values`` and ``stderr`` are (r, p, k); a row whose values are all equal never counts as converged.
    """
    spread = np.ptp(values, axis=1).max(axis=1)
    return stderr.max(axis=(1, 2)) < tol * np.where(spread > 0, spread, np.inf)
