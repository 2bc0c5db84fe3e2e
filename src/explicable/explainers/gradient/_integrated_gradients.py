"""Integrated Gradients (Sundararajan et al., 2017), with its completeness measured and enforced per row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.validation import check_choice, check_int, check_number
from explicable.explainers.gradient._adaptive import PIECE, first_mesh, refine
from explicable.explainers.gradient._base import Batch, GradientExplainer, Result
from explicable.explainers.gradient._baselines import check_baseline, resolve_baseline
from explicable.explainers.gradient._paths import RULES, Path, quadrature

__all__ = ["IntegratedGradients"]

#: Absolute slack of the completeness test, for outputs that barely move between baseline and input.
ATOL = 1e-5


class IntegratedGradients(GradientExplainer):
    """Integrated Gradients: the path integral of the gradient from a baseline to the input, times the step.

    ``values[i, j, k] = (x_j - b_j) * integral_0^1 d f_k / d x_j (b + a (x - b)) da``, computed with an
    ``n_steps``-point quadrature rule; ``base_values`` is f(b), so ``values.sum(axis=1) + base_values``
    equals f(x) up to the quadrature error (completeness). That error is measured for every row and output,
    ``delta = sum(values) - (f(x) - f(b))``. A row whose ``|delta| > tol * |f(x) - f(b)| + 1e-5`` is
    integrated again adaptively (ReLU kinks make the integrand jump, where any fixed rule converges slowly):
    on a mesh of sub-intervals with 5-point Gauss-Legendre rules, each interval's error measured against its
    exact integral ``f(hi) - f(lo)`` and the intervals carrying the error halved, until the bound holds or
    the row has used ``max_steps`` gradient steps. The deltas, the steps each row used and whether it met
    the bound (``tol``, or 1e-3 when ``tol`` is None) are in ``provenance.parameters["diagnostics"]``
    (``delta``, ``n_steps``, ``converged``). Without refinement the values equal captum's for the same rule.

    Parameters
    ----------
    model : torch.nn.Module or TorchAdapter
    baseline : {"zeros", "blur", "mean"}, float or array, default "zeros"
        The reference input: zeros; a Gaussian blur of each image (sigma 1/16 of its larger side); the mean
        of ``fit``'s background (an image's mean colour without one); a constant; or an array of one input
        (like one row of X) or of one per row.
    n_steps : int, default 50
    rule : {"gausslegendre", "riemann_trapezoid", "riemann_middle", "riemann_left", "riemann_right"}
        The quadrature rule (captum's ``method``), Gauss-Legendre by default.
    tol : float or None, default 1e-3
        Relative completeness bound that triggers refinement; None: never refine (deltas still reported).
    max_steps : int, default 800
    channels : {"sum", "keep"}, default "sum"
    batch_size : int, optional
        Inputs (rows x steps) per forward+backward pass; default automatic (recorded in the diagnostics).
    output_names : sequence of str, optional

    Examples
    --------
    >>> import numpy as np, torch
    >>> linear = torch.nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = linear.weight.copy_(torch.tensor([[2.0, -1.0]])), linear.bias.zero_()
    >>> exp = IntegratedGradients(linear, n_steps=4).fit().explain(np.array([[3.0, 1.0]]))
    >>> exp.values[0, :, 0].tolist(), exp.base_values.tolist()  # (x - 0) * w, f(0)
    ([6.0, -1.0], [[0.0]])
    """

    method = "integrated_gradients"

    def __init__(self, model: Any, *, baseline: Any = "zeros", n_steps: int = 50, rule: str = "gausslegendre",
                 tol: float | None = 1e-3, max_steps: int = 800, channels: str = "sum",
                 batch_size: int | None = None, output_names: Sequence[str] | None = None) -> None:
        super().__init__(model, channels=channels, batch_size=batch_size, output_names=output_names)
        self.baseline = check_baseline(baseline)
        self.rule = check_choice(rule, "rule", RULES)
        self.n_steps = check_int(n_steps, "n_steps", low=2 if rule == "riemann_trapezoid" else 1)
        self.tol = None if tol is None else check_number(tol, "tol", low=0)
        self.max_steps = check_int(max_steps, "max_steps", low=1)
        if self.max_steps < self.n_steps:
            raise InvalidParameterError(parameter="max_steps", expected=f"an int >= n_steps ({self.n_steps})",
                                        got=max_steps)

    def get_params(self) -> dict[str, Any]:
        baseline = self.baseline.tolist() if isinstance(self.baseline, np.ndarray) else self.baseline
        return {**super().get_params(), "baseline": baseline, "n_steps": self.n_steps, "rule": self.rule,
                "tol": self.tol, "max_steps": self.max_steps}

    def _compute(self, batch: Batch) -> Result:
        adapter, n = batch.adapter, batch.n
        base_np, shared = resolve_baseline(self.baseline, batch.x, image=batch.image, background=self.background_)
        base = adapter.module_input(base_np)
        with adapter.evaluating(freeze=True):
            path = Path(batch, base, shared, batch.chunk(n * self.n_steps))
            rows = np.arange(n)
            # f(x) and f(b) in one pass; a shared baseline is evaluated once
            starts = rows[:1] if shared else rows
            both = path.outputs(np.concatenate([rows, starts]), np.concatenate([np.ones(n), np.zeros(starts.size)]))
            f_x, f_b = both[:n], np.broadcast_to(both[n:], (n, both.shape[1])).copy()
            nodes, weights = quadrature(self.rule, self.n_steps)
            values = path.integrate(rows, np.zeros(n), np.ones(n), nodes, weights)
            used = np.full(n, self.n_steps)
            budget = n * (self.n_steps + 1) + (1 if shared else n)
            change = f_x - f_b
            bad = np.flatnonzero(~_complete(values.sum(axis=1) - change, change, self.tol).all(axis=1))
            if self.tol is not None and bad.size and self.max_steps >= self.n_steps + PIECE * first_mesh(self.n_steps):
                values[bad], used[bad], ends = refine(path, bad, f_x[bad], f_b[bad], self.tol * np.abs(change[bad])
                                                      + ATOL, self.n_steps, self.max_steps)
                budget += int(used[bad].sum()) - bad.size * self.n_steps + ends
        delta = values.sum(axis=1) - change
        converged = _complete(delta, change, 1e-3 if self.tol is None else self.tol).all(axis=1)
        diagnostics = {"delta": delta.tolist(), "n_steps": used.tolist(), "converged": converged.tolist()}
        return Result(values, f_b, budget_used=int(budget), diagnostics=diagnostics)


def _complete(delta: np.ndarray, change: np.ndarray, tol: float | None) -> np.ndarray:
    """Whether each |delta| meets the completeness bound tol * |f(x) - f(b)| + ATOL."""
    bound = (np.inf if tol is None else tol) * np.abs(change) + ATOL
    return np.asarray(np.abs(delta) <= bound)
