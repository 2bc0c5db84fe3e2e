"""LIME for tables: local kernel-weighted ridge surrogates, with error bars, fidelity and a stable mode."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any, Self

import numpy as np

from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import Table, check_choice, check_fraction, check_int, check_number, check_random_state
from explicable.explainers.base import Attribution, Explainer
from explicable.explainers.surrogate._lime_fit import SurrogateStats, kernel_weights, top_k_set_stable
from explicable.explainers.surrogate._lime_report import attributions, diagnostics, select_outputs
from explicable.explainers.surrogate._lime_sampling import BackgroundSummary, SobolGroups, summarise
from explicable.models.base import ModelAdapter

__all__ = ["LimeTabular"]

MODES = ("quartile", "continuous")
#: Most cells (rows x samples x features) of the interpretable design held at once.
BLOCK_CELLS = 1 << 22


class LimeTabular(Explainer):
    """LIME (Ribeiro et al., 2016) on tabular data, vectorised, with stderr, fidelity and a stable mode.

    Around each explained row ``x``, perturbed rows are drawn, the model is evaluated on them, and a ridge
    regression weighted by the kernel ``sqrt(exp(-d^2 / kernel_width^2))`` of their distance to ``x`` is
    fitted on an interpretable representation ``z``. The attributions are ``values[i, j, k] = coef_jk * z_j(x_i)``
    and ``base_values`` is the intercept, so ``values.sum(axis=1) + base_values`` is the surrogate's
    prediction at the row (compare ``diagnostics["model_output"]``, the model's).

    - ``mode="quartile"`` (lime's default): ``z_j = 1`` when feature ``j`` lies in the same quartile of the
      background as ``x_j`` (categorical features: the same category). Samples are drawn from the
      background's marginals, whatever ``x``; so ``z(x) = 1`` and ``values`` are the coefficients: the
      local change in output when feature ``j`` is in ``x``'s quartile rather than elsewhere. Since the
      samples do not depend on the row, all rows share one set of model evaluations.
    - ``mode="continuous"``: numeric features are sampled around ``x`` as ``x + std * N(0, 1)`` and
      ``z_j = (x_j - mean_j) / std_j``; then ``values`` are the local slope times ``x_j - mean_j``, the
      Shapley value of a linear model exactly when the model is linear.

    The samples of a row fall into ``n_resamples`` independent groups (scrambled Sobol' sequences over the
    features' distributions); ``stderr`` is the delete-one-group jackknife of the attributions. The surrogate's
    weighted R² on its samples (its local fidelity) is in ``provenance.parameters["diagnostics"]``; rows
    under ``min_fidelity`` raise a :class:`LowFidelityWarning`. The same seed gives the same output; each
    row's result does not depend on the other rows explained with it.

    Parameters
    ----------
    model : model object or ModelAdapter
    n_samples : int, default 5000
        Samples per row, rounded up so that each of the ``n_resamples`` groups holds a power of two of
        Sobol' points (5000 becomes 5120 with 10 groups).
    mode : {"quartile", "continuous"}, default "quartile"
    kernel_width : float, optional
        Default ``0.75 * sqrt(n_features)``, as lime.
    alpha : float, default 1.0
        Ridge penalty (on the weighted sums; the intercept is not penalised).
    n_resamples : int, default 10
        Independent groups for the jackknife stderr.
    stable_top_k : int, optional
        Stability-seeking mode: add samples in doubling rounds until, for every output, the set of the
        ``stable_top_k`` largest ``|values|`` is separated from the rest by more than its error at
        ``confidence``, or ``max_samples`` is spent. ``diagnostics["stable"]`` says which rows got there.
    max_samples : int, optional
        Cap per row in the stability-seeking mode (the rounds double the samples while they stay under it);
        default ``16 * n_samples``.
    confidence : float, default 0.99
        Of the stopping test; high because the test is repeated after every round.
    min_fidelity : float, default 0.5
        Weighted R² under which a row's surrogate is flagged (warning and ``diagnostics["low_fidelity"]``).
    random_state : int, optional
    max_batch_rows : int, default 65536
        Most rows per model call.

    Examples
    --------
    >>> import numpy as np
    >>> from explicable import FunctionModel
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> model = FunctionModel(lambda A: 2 * A[:, 0] - A[:, 2], feature_names=["a", "b", "c"])
    >>> lime = LimeTabular(model, mode="continuous", n_samples=1000, random_state=0).fit(X)
    >>> exp = lime.explain(X[:2])
    >>> np.allclose(exp.values[:, :, 0], [2, 0, -1] * (X[:2] - X.mean(axis=0)), atol=0.01)
    True
    """

    method = "lime"
    # Hands the diagnostics from _attribute to explain, per thread; a class attribute so instances pickle.
    _pending = threading.local()

    def __init__(self, model: Any, *, n_samples: int = 5000, mode: str = "quartile",
                 kernel_width: float | None = None, alpha: float = 1.0, n_resamples: int = 10,
                 stable_top_k: int | None = None, max_samples: int | None = None, confidence: float = 0.99,
                 min_fidelity: float = 0.5, random_state: int | None = None, max_batch_rows: int = 65536) -> None:
        super().__init__(model)
        self.n_resamples = check_int(n_resamples, "n_resamples", low=2)
        per_group = -(-check_int(n_samples, "n_samples", low=1) // self.n_resamples)
        self.n_samples = self.n_resamples * 2 ** int(np.ceil(np.log2(per_group)))
        self.mode = check_choice(mode, "mode", MODES)
        self.kernel_width = None if kernel_width is None else \
            check_number(kernel_width, "kernel_width", low=0, low_open=True)
        self.alpha = check_number(alpha, "alpha", low=0)
        self.stable_top_k = None if stable_top_k is None else check_int(stable_top_k, "stable_top_k", low=1)
        self.max_samples = 16 * self.n_samples if max_samples is None else check_int(max_samples, "max_samples",
                                                                                        low=self.n_samples)
        self.confidence = check_fraction(confidence, "confidence")
        self.min_fidelity = check_number(min_fidelity, "min_fidelity", low=0)
        self.random_state = check_random_state(random_state)
        self.max_batch_rows = check_int(max_batch_rows, "max_batch_rows", low=1)

    def get_params(self) -> dict[str, Any]:
        return {"n_samples": self.n_samples, "mode": self.mode, "kernel_width": self.kernel_width,
                "alpha": self.alpha, "n_resamples": self.n_resamples, "stable_top_k": self.stable_top_k,
                "max_samples": self.max_samples if self.stable_top_k else None, "confidence": self.confidence,
                "min_fidelity": self.min_fidelity}

    def fit(self, background: Any = None) -> Self:
        """Learn the features' distributions (sorted values, quartiles, means, stds) from ``background``."""
        if background is None:
            raise InvalidParameterError(
                "The 'background' parameter is required for LIME: perturbations are drawn from the features' "
                "distributions in it (pass a sample of training rows).", parameter="background", got=None)
        table = self.model.check_data(background, name="background")
        self.background_: BackgroundSummary = summarise(table)
        _, self.seed_ = make_rng(self.random_state)
        self.fingerprint_ = self.model.fingerprint()
        return self

    def explain(self, X: Any, *, target: Any = None) -> Explanation:
        """Explain the rows of ``X``; see the class docstring for what the values mean.

        Parameters
        ----------
        X : array of shape (n_rows, n_features) or DataFrame
        target : int, str or list, optional
            Keep only these outputs.

        Returns
        -------
        Explanation
            With ``stderr``, and the diagnostics (fidelity, model output, samples) in
            ``provenance.parameters["diagnostics"]``.
        """
        exp = super().explain(X)
        diag = self._pending.__dict__.pop("diagnostics")
        exp = _with_diagnostics(exp, diag)
        if target is None:
            return exp
        selected = exp.select(outputs=target)
        positions = [exp.output_names.index(name) for name in selected.output_names]
        return _with_diagnostics(selected, select_outputs(diag, positions))

    def _attribute(self, model: ModelAdapter, table: Table) -> Attribution:
        x = table.values
        n, m = x.shape
        bg = self.background_
        model_output = _predict(model, x, self.max_batch_rows)
        bins_x = bg.bins(x)
        z_x = self._z_row(x)
        stats = SurrogateStats(n, m, model_output.shape[1], self.n_resamples, model_output)
        active = np.arange(n)
        stable = np.zeros(model_output.shape, dtype=bool)
        stream = SobolGroups(self.seed_, self.n_resamples, m)
        for size in self._rounds():
            U = stream.draw(size // self.n_resamples)
            self._add_round(model, stats, active, x, bins_x, U)
            if self.stable_top_k is None:
                break
            partial = stats.fit(self.alpha, rows=active)
            values, stderr, _ = attributions(partial, z_x[active])
            stable[active] = top_k_set_stable(values, stderr, min(self.stable_top_k, m), self.confidence)
            active = active[~stable[active].all(axis=1)]
            if active.size == 0:
                break
        fit = stats.fit(self.alpha)
        values, stderr, base = attributions(fit, z_x)
        self._pending.diagnostics = diagnostics(fit, model_output, self.min_fidelity,
                                                stable=stable if self.stable_top_k is not None else None)
        return Attribution(values, base, model.feature_names or table.columns, x, model.output_space,
                           stderr=stderr, budget_used=int(fit.n_samples.max()))

    def _rounds(self) -> list[int]:
        # Doubling rounds: totals n, 2n, 4n, ... up to max_samples, so the stopping test runs O(log) times and
        # every group's points stay a power-of-two prefix of its Sobol' sequence.
        if self.stable_top_k is None:
            return [self.n_samples]
        sizes, total = [self.n_samples], self.n_samples
        while 2 * total <= self.max_samples:
            sizes.append(total)
            total *= 2
        return sizes

    def _z_row(self, x: np.ndarray) -> np.ndarray:
        bg = self.background_
        z = np.ones(x.shape)
        if self.mode == "continuous":
            numeric = ~bg.categorical
            z[:, numeric] = (x[:, numeric].astype("float64") - bg.mean[numeric]) / bg.std[numeric]
        return z

    def _add_round(self, model: ModelAdapter, stats: SurrogateStats, rows: np.ndarray, x: np.ndarray,
                   bins_x: np.ndarray, U: np.ndarray) -> None:
        bg = self.background_
        s, m = U.shape
        width = self.kernel_width if self.kernel_width is not None else 0.75 * np.sqrt(m)
        drawn, drawn_bins = bg.draw(U)
        shared = _predict(model, drawn, self.max_batch_rows) if self.mode == "quartile" else None
        numeric = ~bg.categorical
        # quartile samples are the drawn rows themselves: only the continuous mode needs Gaussian deviates
        deviates = bg.gaussian(U[:, numeric]) if shared is None else np.empty((s, 0))
        block = max(1, BLOCK_CELLS // (s * m))
        for start in range(0, rows.size, block):
            part = rows[start:start + block]
            same = drawn_bins[None] == bins_x[part][:, None, :]
            Z = same.astype("float64")
            if shared is not None:
                Y = np.broadcast_to(shared, (part.size, *shared.shape))
                sq = (m - np.count_nonzero(same, axis=2)).astype("float64")
            else:
                samples = np.broadcast_to(drawn, (part.size, s, m)).copy()
                centre = x[part][:, None, numeric].astype("float64")
                samples[:, :, numeric] = centre + bg.std[numeric] * deviates
                Y = _predict(model, samples.reshape(-1, m), self.max_batch_rows).reshape(part.size, s, -1)
                Z[:, :, numeric] = (samples[:, :, numeric].astype("float64") - bg.mean[numeric]) / bg.std[numeric]
                sq = (deviates**2).sum(axis=1)[None, :] + (1.0 - Z[:, :, ~numeric]).sum(axis=2)
            stats.add(part, Z, kernel_weights(sq, width), Y)


def _predict(model: ModelAdapter, X: np.ndarray, batch: int) -> np.ndarray:
    if X.shape[0] <= batch:
        return model.predict(X)
    return np.concatenate([model.predict(X[i:i + batch]) for i in range(0, X.shape[0], batch)])


def _with_diagnostics(exp: Explanation, diag: dict[str, Any]) -> Explanation:
    parameters = {**exp.provenance.parameters, "diagnostics": diag}
    return replace(exp, provenance=replace(exp.provenance, parameters=parameters))
