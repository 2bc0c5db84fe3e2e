"""Faithfulness correlation (Bhatt et al. 2020) and infidelity (Yeh et al. 2019).

Both draw random perturbations of each row and ask whether the attributions predict how the output moves:
the sum of the attributions of a removed set should track the fall of the output when that set is removed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_int, check_number
from explicable.evaluation._common import pearson_rows
from explicable.evaluation._perturb import Masked, prepare
from explicable.evaluation._result import CheckResult

__all__ = ["faithfulness_correlation", "infidelity"]


def faithfulness_correlation(model: Any, X: Any, explanation: Explanation, *, background: Any = None,
                             output: Any = None, subset_size: int | None = None, n_samples: int = 50,
                             threshold: float = 0.5, sigma: float | None = None, random_state: int | None = None,
                             max_batch_rows: int = 65536) -> CheckResult:
    """Correlation between the attributions of random feature subsets and the output's fall on removing them.

    For each row, ``n_samples`` random subsets S of ``subset_size`` features are set to the background (as in
    :func:`deletion_curve`); the Pearson correlation across subsets of ``sum_{j in S} phi_j`` with
    ``f(x) - f(x with S removed)`` is the row's faithfulness (Bhatt, Weller and Moura, IJCAI 2020).

    Parameters
    ----------
    model, X, explanation, background, output, sigma, max_batch_rows
        As for :func:`deletion_curve`.
    subset_size : int, optional
        Features removed together; default a quarter of them (at least 1).
    n_samples : int, default 50
        Subsets per row (Bhatt et al. use 50).
    threshold : float, default 0.5
        Pass when the mean correlation over rows is at least this. A correlation of 0.5 is the conventional
        border of a strong linear association: the attributions then account for a quarter of the variance
        of the removal effects, and additive attributions of a model without strong interactions reach
        far more (exact Shapley values of a linear model reach 1).
    random_state : int, optional
        Seed of the subsets (drawn and recorded in ``details`` when None).

    Returns
    -------
    CheckResult
        ``per_row`` holds each row's correlation (NaN where the attribution sums or the falls are constant;
        such rows are left out of the mean and counted in ``details["undefined_rows"]``).

    Examples
    --------
    >>> import numpy as np, explicable
    >>> w = np.array([1.0, -2.0, 3.0, 0.5])
    >>> model = explicable.FunctionModel(lambda X: X @ w)
    >>> X = np.array([[1.0, 2.0, 3.0, 4.0]])
    >>> exp = explicable.Explanation((w * X)[:, :, None], np.zeros((1, 1)), list("abcd"), ["y"])
    >>> r = faithfulness_correlation(model, X, exp, background=np.zeros((1, 4)), subset_size=2, random_state=0)
    >>> round(r.value, 12), r.passed
    (1.0, True)
    """
    threshold = check_number(threshold, "threshold")
    n_samples = check_int(n_samples, "n_samples", low=2)
    rng, seed = make_rng(random_state)
    masked, phi = prepare(model, X, explanation, background=background, output=output, sigma=sigma,
                          max_batch_rows=max_batch_rows)
    n, m = phi.shape
    size = max(1, m // 4) if subset_size is None else check_int(subset_size, "subset_size", low=1, high=m)
    full = masked.predict(masked.x)
    fall, attributed = np.empty((n, n_samples)), np.empty((n, n_samples))
    for rows in masked.blocks(n_samples * m):
        removed = _random_subsets(rng, rows.stop - rows.start, n_samples, m, size)
        fall[rows] = full[rows, None] - masked.outputs(~removed, rows)
        attributed[rows] = np.einsum("nsm,nm->ns", removed, phi[rows])
    per_row = pearson_rows(attributed, fall)
    undefined = int(np.isnan(per_row).sum())
    value = float(np.nanmean(per_row)) if undefined < n else float("nan")
    details = {"statistic": "mean Pearson correlation", "subset_size": size, "n_samples": n_samples,
               "random_state": seed, "undefined_rows": undefined}
    return CheckResult("faithfulness_correlation", value, threshold, True, per_row, details)


def infidelity(model: Any, X: Any, explanation: Explanation, *, background: Any = None, output: Any = None,
               perturbation: str = "square", subset_size: int | None = None, patch: int | None = None,
               noise: float = 0.1, n_samples: int = 50, normalize: bool = True, threshold: float = 0.1,
               sigma: float | None = None, random_state: int | None = None,
               max_batch_rows: int = 65536) -> CheckResult:
    """Expected squared error of the attributions' prediction of output changes (Yeh et al., NeurIPS 2019).

    ``INFD = E_I[(I . phi - (f(x) - f(x - I)))^2]`` over random perturbations ``I``:

    * ``"square"``: removal of a random set (a random square of ``patch`` x ``patch`` pixels for images, a
      random subset of ``subset_size`` features for tables), set to the background as in
      :func:`deletion_curve`; ``I`` is then the indicator of the set, so ``I . phi`` is the set's
      attribution. This suits attributions that add up to the output (Shapley values, Integrated Gradients):
      the exact Shapley values of a linear model have infidelity 0.
    * ``"gaussian"``: ``I ~ N(0, (noise * std_j)^2)`` per column (std over the background rows, or over X
      for images or a one-row background), the model evaluated at ``x - I``; suits gradient-like
      attributions (per unit of input).

    Parameters
    ----------
    model, X, explanation, background, output, sigma, max_batch_rows
        As for :func:`deletion_curve`.
    perturbation : {"square", "gaussian"}, default "square"
    subset_size : int, optional
        Tabular removal size; default a quarter of the features (at least 1).
    patch : int, optional
        Side of the removed squares in pixels; default ``max(1, min(H, W) // 4)``.
    noise : float, default 0.1
        Gaussian scale as a share of each column's standard deviation.
    n_samples : int, default 50
    normalize : bool, default True
        Scale the attributions by the best factor ``beta = E[(I.phi) df] / E[(I.phi)^2]`` first (as Yeh et
        al.'s code does, so a correct ranking at the wrong scale is not punished) and divide by ``E[df^2]``:
        the statistic is then unit-free in [0, 1], 0 when the attributions predict every change exactly and 1
        when they predict nothing. Without it, the raw infidelity (in squared output units).
    threshold : float, default 0.1
        Pass when the mean over rows is at most this. For the normalised statistic, 0.1 means the
        attributions leave at most a tenth of the energy of the output changes unexplained (an uncentred
        R^2 of 0.9). Set a threshold in squared output units when ``normalize=False``.
    random_state : int, optional

    Returns
    -------
    CheckResult
        ``details`` holds the raw infidelity and the mean scale factor beta even when normalised.

    Examples
    --------
    >>> import numpy as np, explicable
    >>> w = np.array([1.0, -2.0, 3.0])
    >>> model = explicable.FunctionModel(lambda X: X @ w)
    >>> X = np.array([[1.0, 2.0, 3.0]])
    >>> exp = explicable.Explanation((w * X)[:, :, None], np.zeros((1, 1)), list("abc"), ["y"])
    >>> infidelity(model, X, exp, background=np.zeros((1, 3)), random_state=0).value
    0.0
    """
    threshold = check_number(threshold, "threshold")
    check_choice(perturbation, "perturbation", ("square", "gaussian"))
    n_samples = check_int(n_samples, "n_samples", low=1)
    rng, seed = make_rng(random_state)
    masked, phi = prepare(model, X, explanation, background=background, output=output, sigma=sigma,
                          max_batch_rows=max_batch_rows)
    if perturbation == "square":
        predicted, change, setting = _removal(masked, phi, rng, n_samples, subset_size, patch)
    else:
        scale = check_number(noise, "noise", low=0, low_open=True)
        predicted, change, setting = _gaussian(masked, phi, rng, n_samples, scale)
    raw = ((predicted - change) ** 2).mean(axis=1)
    energy_attr = (predicted**2).sum(axis=1)
    beta = np.where(energy_attr > 0, (predicted * change).sum(axis=1) / np.where(energy_attr > 0, energy_attr, 1), 0)
    scaled = ((beta[:, None] * predicted - change) ** 2).mean(axis=1)
    energy = (change**2).mean(axis=1)
    relative = np.where(energy > 0, scaled / np.where(energy > 0, energy, 1.0), np.where(scaled > 0, np.inf, 0.0))
    per_row = relative if normalize else raw
    details = {"statistic": "normalised infidelity" if normalize else "infidelity", "perturbation": perturbation,
               **setting, "n_samples": n_samples, "random_state": seed, "raw_infidelity": float(raw.mean()),
               "mean_beta": float(beta.mean())}
    return CheckResult("infidelity", float(per_row.mean()), threshold, False, per_row, details)


def _random_subsets(rng: np.random.Generator, n: int, s: int, m: int, size: int) -> np.ndarray:
    """Boolean (n, s, m): each row of each sample marks ``size`` distinct features chosen uniformly."""
    order = np.argsort(rng.random((n, s, m)), axis=2)
    removed = np.zeros((n, s, m), dtype=bool)
    np.put_along_axis(removed, order[:, :, :size], True, axis=2)
    return removed


def _random_squares(rng: np.random.Generator, n: int, s: int, shape: tuple[int, int], units_per_pixel: int,
                    patch: int) -> np.ndarray:
    """Boolean (n, s, H*W*units_per_pixel): a random patch x patch square per sample (all its channels)."""
    h, w = shape
    top = rng.integers(0, h - patch + 1, size=(n, s))
    left = rng.integers(0, w - patch + 1, size=(n, s))
    rows = np.arange(h)[None, None, :]
    cols = np.arange(w)[None, None, :]
    in_rows = (rows >= top[..., None]) & (rows < top[..., None] + patch)
    in_cols = (cols >= left[..., None]) & (cols < left[..., None] + patch)
    square = in_rows[..., :, None] & in_cols[..., None, :]  # (n, s, h, w)
    return np.repeat(square.reshape(n, s, h * w), units_per_pixel, axis=2)


def _removal(masked: Masked, phi: np.ndarray, rng: np.random.Generator, n_samples: int, subset_size: int | None,
             patch: int | None) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    n, m = phi.shape
    if masked.image_shape is not None:
        h, w, _ = masked.image_shape
        side = max(1, min(h, w) // 4) if patch is None else check_int(patch, "patch", low=1, high=min(h, w))
        setting: dict[str, Any] = {"patch": side}
    else:
        size = max(1, m // 4) if subset_size is None else check_int(subset_size, "subset_size", low=1, high=m)
        setting = {"subset_size": size}
    full = masked.predict(masked.x)
    change, predicted = np.empty((n, n_samples)), np.empty((n, n_samples))
    for rows in masked.blocks(n_samples * m):
        count = rows.stop - rows.start
        if masked.image_shape is not None:
            removed = _random_squares(rng, count, n_samples, (h, w), m // (h * w), side)
        else:
            removed = _random_subsets(rng, count, n_samples, m, size)
        change[rows] = full[rows, None] - masked.outputs(~removed, rows)
        predicted[rows] = np.einsum("nsm,nm->ns", removed, phi[rows])
    return predicted, change, setting


def _gaussian(masked: Masked, phi: np.ndarray, rng: np.random.Generator, n_samples: int,
              noise: float) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    x = masked.x
    if x.dtype == object:
        raise InvalidDataError(parameter="X", expected="numeric columns for Gaussian perturbations", got="objects")
    if masked.image_shape is not None:
        std = np.full(x.shape[1], float(x.std()))
    else:  # a background of one (mean) row has no spread: use the explained rows'
        spread = masked.reference[0] if masked.reference.shape[1] > 1 else x
        std = spread.astype("float64").std(axis=0)
    n, d = x.shape
    full = masked.predict(x)
    change, predicted = np.empty((n, n_samples)), np.empty((n, n_samples))
    for rows in masked.blocks(n_samples * d):
        count = rows.stop - rows.start
        shifts = rng.standard_normal((count, n_samples, d)) * (noise * std)
        perturbed = (x[rows, None, :] - shifts).reshape(-1, d)
        change[rows] = full[rows, None] - masked.predict(perturbed).reshape(count, n_samples)
        predicted[rows] = np.einsum("nsm,nm->ns", masked.unit_sums(shifts), phi[rows])
    return predicted, change, {"noise": noise}
