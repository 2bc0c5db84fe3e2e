"""From fitted surrogates to attributions, their diagnostics, and the low-fidelity warning.

The Explanation has no field for per-row diagnostics, so LIME records them under
``provenance.parameters["diagnostics"]`` (JSON-ready lists, rows first, outputs in ``output_names`` order):

- ``"fidelity"``: the surrogate's weighted R² on its samples, per row and output;
- ``"model_output"``: the model's output at the row, to compare with ``values.sum(axis=1) + base_values``
  (the surrogate's prediction there);
- ``"samples"``: samples spent per row;
- ``"stable"``: per row and output, whether the top-k set was separated (stability-seeking mode only);
- ``"low_fidelity"``: per row and output, whether the fidelity fell below ``min_fidelity``.

They describe the rows as explained: selecting rows of the Explanation does not select them.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from explicable.core.errors import LowFidelityWarning
from explicable.explainers.surrogate._lime_fit import SurrogateFit

__all__ = ["attributions", "diagnostics"]


def attributions(fit: SurrogateFit, z_row: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values ``coef * z(x)``, their stderr and the base value (the intercept).

    Parameters
    ----------
    fit : SurrogateFit
    z_row : array (r, m)
        The explained rows in the interpretable representation.

    Returns
    -------
    values, stderr : arrays (r, m, k)
    base_values : array (r, k)
        So that ``values.sum(axis=1) + base_values`` is the surrogate's prediction at the row.
    """
    z = z_row[:, :, None]
    return fit.coef * z, fit.coef_stderr * np.abs(z), fit.intercept


def diagnostics(fit: SurrogateFit, model_output: np.ndarray, min_fidelity: float, *,
                stable: np.ndarray | None = None, stacklevel: int = 5) -> dict[str, Any]:
    """The JSON-ready diagnostics mapping; warns with :class:`LowFidelityWarning` when a row fits poorly."""
    low = fit.r2 < min_fidelity
    if low.any():
        rows = np.flatnonzero(low.any(axis=1))
        warnings.warn(
            f"LIME's surrogate explains the model poorly around {rows.size} of {low.shape[0]} row(s) "
            f"(weighted R^2 under {min_fidelity}, lowest {fit.r2.min():.2f}; rows {rows[:5].tolist()}"
            f"{'...' if rows.size > 5 else ''}): its attributions describe a linear fit the model does not follow "
            "there. See provenance.parameters['diagnostics']['fidelity'].",
            LowFidelityWarning, stacklevel=stacklevel,
        )
    out: dict[str, Any] = {
        "fidelity": np.round(fit.r2, 12).tolist(),
        "model_output": np.asarray(model_output, dtype="float64").tolist(),
        "samples": [int(c) for c in fit.n_samples],
        "low_fidelity": low.tolist(),
    }
    if stable is not None:
        out["stable"] = stable.tolist()
    return out


def select_outputs(diag: dict[str, Any], positions: list[int]) -> dict[str, Any]:
    """The diagnostics of some outputs only (per-output entries are lists over rows of lists over outputs)."""
    out = dict(diag)
    for key in ("fidelity", "model_output", "low_fidelity", "stable"):
        if key in out:
            out[key] = [[row[p] for p in positions] for row in out[key]]
    return out
