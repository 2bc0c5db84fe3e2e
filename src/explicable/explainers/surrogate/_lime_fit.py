"""The LIME surrogate: a kernel-weighted ridge fitted from sufficient statistics, with jackknife errors.

Every LIME variant (tabular, text, image) reduces to the same problem: for each explained row ``r``, samples
``z`` in an interpretable representation (n, m), kernel weights ``w`` (n,) and model outputs ``y`` (n, k).
The samples of a row are dealt into ``G`` groups that are independent and identically distributed; each
group keeps the weighted sums ``Σw, Σwz, Σwzzᵀ, Σwy, Σwzyᵀ, Σwy²``. The surrogate is the ridge fit on all
groups; its standard error is the delete-one-group jackknife; its local fidelity is the weighted R² on
the samples. Sums make the stability-seeking mode cheap: more samples only add to the sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

__all__ = ["SurrogateFit", "SurrogateStats", "kernel_weights", "top_k_set_stable"]


def kernel_weights(sq_distance: np.ndarray, width: float) -> np.ndarray:
    """LIME's exponential kernel ``sqrt(exp(-d^2 / width^2))`` (as lime 0.2 computes it)."""
    return np.sqrt(np.exp(-sq_distance / width**2))


@dataclass(frozen=True)
class SurrogateFit:
    """Ridge surrogates of several rows.

    Attributes
    ----------
    coef : array (r, m, k)
        Surrogate coefficients on the interpretable features.
    intercept : array (r, k)
    coef_stderr : array (r, m, k)
        Delete-one-group jackknife standard error of ``coef``.
    r2 : array (r, k)
        Weighted R² of the surrogate on the row's samples (its local fidelity); 1 when the model's output
        did not vary over the samples.
    n_samples : array (r,) of int
    """

    coef: np.ndarray
    intercept: np.ndarray
    coef_stderr: np.ndarray
    r2: np.ndarray
    n_samples: np.ndarray


class SurrogateStats:
    """Weighted sums per row and group, to which samples are added in any number of rounds.

    Parameters
    ----------
    n_rows, n_features, n_outputs, n_groups : int
    shift : array (n_rows, n_outputs)
        Subtracted from the outputs before summing (the model's output at the row) so the centred sums do not
        lose digits to cancellation when outputs are near-constant probabilities.
    """

    def __init__(self, n_rows: int, n_features: int, n_outputs: int, n_groups: int, shift: np.ndarray) -> None:
        r, m, k, g = n_rows, n_features, n_outputs, n_groups
        self.shift = np.asarray(shift, dtype="float64").reshape(r, k)
        self.sw = np.zeros((r, g))
        self.sz = np.zeros((r, g, m))
        self.szz = np.zeros((r, g, m, m))
        self.sy = np.zeros((r, g, k))
        self.szy = np.zeros((r, g, m, k))
        self.syy = np.zeros((r, g, k))
        self.count = np.zeros(r, dtype=np.int64)

    @property
    def n_groups(self) -> int:
        return int(self.sw.shape[1])

    def add(self, rows: np.ndarray, Z: np.ndarray, w: np.ndarray, Y: np.ndarray) -> None:
        """Add samples to ``rows``.

        Parameters
        ----------
        rows : int array (b,)
            Which rows the samples belong to.
        Z : array (b, n, m)
            Interpretable representation; ``n`` must be a multiple of the number of groups (sample ``s`` goes
            to group ``s * G // n``, so each group receives a contiguous, equally sized block).
        w : array (b, n)
        Y : array (b, n, k)
        """
        b, n, m = Z.shape
        g = self.n_groups
        k = Y.shape[2]
        Zg = Z.reshape(b, g, n // g, m)
        wg = w.reshape(b, g, n // g)
        Yg = (Y - self.shift[rows][:, None, :]).reshape(b, g, n // g, k)
        wZ = Zg * wg[..., None]
        self.sw[rows] += wg.sum(axis=2)
        self.sz[rows] += wZ.sum(axis=2)
        self.szz[rows] += np.matmul(wZ.transpose(0, 1, 3, 2), Zg)
        self.sy[rows] += (Yg * wg[..., None]).sum(axis=2)
        self.szy[rows] += np.matmul(wZ.transpose(0, 1, 3, 2), Yg)
        self.syy[rows] += (Yg**2 * wg[..., None]).sum(axis=2)
        self.count[rows] += n

    def fit(self, alpha: float, rows: np.ndarray | None = None) -> SurrogateFit:
        """Ridge fits on all groups and on all groups but one; jackknife stderr; weighted R²."""
        sel = slice(None) if rows is None else rows
        sums = [a[sel] for a in (self.sw, self.sz, self.szz, self.sy, self.szy, self.syy)]
        totals = [a.sum(axis=1, keepdims=True) for a in sums]
        # Axis 1: the full fit first, then the G delete-one-group fits.
        stacked = [np.concatenate([t, t - a], axis=1) for t, a in zip(totals, sums, strict=True)]
        coef, intercept, r2 = _ridge(*stacked, alpha=alpha)
        g = self.n_groups
        leave_out = coef[:, 1:]
        spread = leave_out - leave_out.mean(axis=1, keepdims=True)
        stderr = np.sqrt((g - 1) / g * (spread**2).sum(axis=1))
        return SurrogateFit(coef[:, 0], intercept[:, 0] + self.shift[sel], stderr, r2[:, 0], self.count[sel].copy())


def _ridge(sw: np.ndarray, sz: np.ndarray, szz: np.ndarray, sy: np.ndarray, szy: np.ndarray, syy: np.ndarray, *,
           alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Weighted ridge with an unpenalised intercept, as scikit-learn's Ridge(sample_weight=...): centre on the
    # weighted means, solve (Czz + alpha I) beta = Czy, intercept = mean_y - mean_z . beta.
    total = np.maximum(sw, np.finfo(float).tiny)[..., None]
    mean_z = sz / total
    mean_y = sy / total
    czz = szz - sz[..., :, None] * mean_z[..., None, :]
    czy = szy - sz[..., :, None] * mean_y[..., None, :]
    cyy = syy - sy * mean_y
    m = czz.shape[-1]
    if alpha > 0:
        coef = np.linalg.solve(czz + alpha * np.eye(m), czy)
    else:
        coef = np.matmul(np.linalg.pinv(czz, hermitian=True), czy)
    intercept = mean_y - np.einsum("...m,...mk->...k", mean_z, coef)
    residual = cyy - 2 * np.einsum("...mk,...mk->...k", coef, czy) + np.einsum("...mk,...mj,...jk->...k", coef,
                                                                               czz, coef)
    scale = np.maximum(np.abs(syy), np.finfo(float).tiny)
    flat = cyy <= 1e-12 * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(flat, 1.0, 1.0 - np.maximum(residual, 0.0) / np.where(flat, 1.0, cyy))
    return coef, intercept, r2


def top_k_set_stable(values: np.ndarray, stderr: np.ndarray, k: int, confidence: float) -> np.ndarray:
    """Per row and output: is the set of the ``k`` largest ``|values|`` separated from the rest by its error?

    Every feature inside the set must exceed every feature outside by more than ``z * sqrt(se_i^2 + se_j^2)``,
    with ``z`` the two-sided normal quantile of ``confidence``. The same rule as
    :func:`explicable.evaluation.ranking.top_k_stable`, applied to the set (its order inside is free), which
    is what decides whether two runs report the same features.

    Parameters
    ----------
    values, stderr : arrays (r, m, k_out)

    Returns
    -------
    bool array (r, k_out)
    """
    mag = np.abs(values)
    m = mag.shape[1]
    if k >= m:
        return np.ones((mag.shape[0], mag.shape[2]), dtype=bool)
    order = np.argsort(-mag, axis=1, kind="stable")
    ranked = np.take_along_axis(mag, order, axis=1)
    ranked_se = np.take_along_axis(stderr, order, axis=1)
    gap = ranked[:, :k, None, :] - ranked[:, None, k:, :]
    se = np.sqrt(ranked_se[:, :k, None, :] ** 2 + ranked_se[:, None, k:, :] ** 2)
    threshold = float(norm.ppf(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, gap / se, np.where(gap > 0, np.inf, 0.0))
    return np.asarray(z.min(axis=(1, 2)) > threshold)
