"""Max-sensitivity (Yeh et al., NeurIPS 2019): how far attributions move under small input perturbations."""

from __future__ import annotations

from typing import Any

import numpy as np

from explicable.core.random import make_rng
from explicable.core.validation import check_int, check_number
from explicable.evaluation._common import ExplainerLike, call_explainer
from explicable.evaluation._noise import Rows
from explicable.evaluation._result import CheckResult

__all__ = ["max_sensitivity"]


def max_sensitivity(explainer: ExplainerLike, X: Any, *, radius: float = 0.05, n_samples: int = 10,
                    scale: Any = None, output: Any = None, threshold: float = 0.2,
                    random_state: int | None = None) -> CheckResult:
    """The largest change of a row's attributions when the row moves a little, relative to their usual size.

    For each of ``n_samples`` draws, every row is perturbed uniformly within ``|delta_j| <= radius *
    scale_j`` and re-explained (one explain call per draw, all rows together); a row's sensitivity is
    ``max_draws ||phi(x + delta) - phi(x)||_2 / mean_rows ||phi(x)||_2``. Dividing by the mean norm over the
    rows, not the row's own, keeps rows whose attributions are near zero (close to the background mean)
    from dominating.

    Parameters
    ----------
    explainer : Explainer or callable
        A fitted :class:`~explicable.explainers.Explainer`, or a callable ``X -> Explanation`` (or attributions
        (n, m) or (n, m, k)). Callables get X as given; images go to an Explainer flattened.
    X : array (n, m), numeric DataFrame, or images (n, H, W, C)
    radius : float, default 0.05
        Half-width of the perturbation box in units of ``scale``.
    n_samples : int, default 10
        Perturbations per row (Yeh et al. use Monte Carlo draws; each costs one explain call).
    scale : float or array (m,), optional
        Unit of the perturbation per column; default the column's standard deviation over X.
    output : str or int, optional
        The output whose attributions are compared (default the first).
    threshold : float, default 0.2
        Pass when the mean over rows is at most this. A move of 5% of each feature's spread should change a
        stable explanation by about as much (a linear model's Shapley values change by exactly ``w_j
        delta_j``); 0.2, four times the perturbation's size, leaves room for curvature and sampling noise
        and flags explanations that jump.
    random_state : int, optional
        Seed of the perturbations (drawn and recorded in ``details`` when None).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 5.0]])
    >>> r = max_sensitivity(lambda Z: Z * np.array([1.0, -2.0]), X, random_state=0)
    >>> r.passed, r.details["n_samples"]
    (True, 10)
    """
    threshold = check_number(threshold, "threshold")
    radius = check_number(radius, "radius", low=0, low_open=True)
    n_samples = check_int(n_samples, "n_samples", low=1)
    rows = Rows(X, scale)
    rng, seed = make_rng(random_state)
    phi = call_explainer(explainer, rows.original(), output)
    norms = np.linalg.norm(phi, axis=1)
    typical = float(norms.mean())
    worst = np.zeros(rows.n_rows)
    for _ in range(n_samples):
        moved = call_explainer(explainer, rows.uniform(rng, radius), output)
        worst = np.maximum(worst, np.linalg.norm(moved - phi, axis=1))
    per_row = worst / typical if typical > 0 else np.where(worst > 0, np.inf, 0.0)
    details = {"statistic": "mean relative max-sensitivity", "radius": radius, "n_samples": n_samples,
               "random_state": seed, "mean_attribution_norm": typical, "max": float(per_row.max())}
    return CheckResult("max_sensitivity", float(per_row.mean()), threshold, False, per_row, details)
