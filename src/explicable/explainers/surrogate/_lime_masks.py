"""What LIME for text and images share: a model over raw items, random masks, and the Explanation.

Text and images are not tables, so these explainers do not go through :class:`ModelAdapter`; the model is a
callable (or an estimator with ``predict_proba``/``predict``) taking a batch of items and returning (n, k)
numbers, checked here. Features are parts of an item (distinct tokens, image segments), switched on or off
by binary masks; the surrogate is the same kernel-weighted ridge as for tables.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from explicable._version import __version__
from explicable.core.errors import InvalidParameterError, ModelOutputError
from explicable.core.explanation import Explanation
from explicable.core.fingerprint import digest_array
from explicable.core.provenance import Provenance
from explicable.explainers.surrogate._lime_fit import SurrogateFit, SurrogateStats, kernel_weights
from explicable.explainers.surrogate._lime_report import attributions, diagnostics
from explicable.models._digest import digest_callable, digest_object

__all__ = ["ItemModel", "fit_masks", "item_explanation", "random_masks"]


class ItemModel:
    """A model over a batch of raw items (strings, images) returning (n, k) float64.

    Parameters
    ----------
    model : callable or estimator
        ``model(items)``, or an object with ``predict_proba`` (used first) or ``predict``.
    output_names : sequence of str, optional
        Default: the estimator's ``classes_``, else ``output_0, ...``.
    batch_size : int
        Most items per call.
    """

    def __init__(self, model: Any, output_names: Sequence[str] | None, batch_size: int) -> None:
        fn: Callable[[Any], Any] | None = getattr(model, "predict_proba", None) or getattr(model, "predict", None)
        if fn is None and callable(model):
            fn = model
        if fn is None:
            raise InvalidParameterError(parameter="model", expected="a callable or an estimator with predict_proba "
                                        "or predict", got=model)
        self.model = model
        self.fn = fn
        self.output_space = "probability" if getattr(model, "predict_proba", None) is not None else "raw"
        classes = getattr(model, "classes_", None)
        self.output_names: tuple[str, ...] | None = (
            tuple(str(n) for n in output_names) if output_names is not None
            else tuple(str(c) for c in classes) if classes is not None and self.output_space == "probability"
            else None)
        self.batch_size = batch_size

    def predict(self, items: Any) -> np.ndarray:
        """Outputs for ``items`` (a list, or an array whose first axis is the items): (n, k)."""
        n = len(items)
        parts = [self._call(items[i:i + self.batch_size]) for i in range(0, n, self.batch_size)]
        out = np.concatenate(parts) if parts else np.empty((0, 1))
        if self.output_names is None:
            self.output_names = tuple(f"output_{j}" for j in range(out.shape[1]))
        if out.shape[1] != len(self.output_names):
            raise ModelOutputError(parameter="model", expected=f"({n}, {len(self.output_names)}) outputs",
                                   got=out.shape)
        return out

    def _call(self, batch: Any) -> np.ndarray:
        try:
            out = np.asarray(self.fn(batch), dtype="float64")
        except (TypeError, ValueError) as exc:
            raise ModelOutputError(f"The model did not return numbers for a batch of {len(batch)} items ({exc}).",
                                   parameter="model", got=type(batch).__name__) from None
        if out.ndim == 1:
            out = out[:, None]
        if out.ndim != 2 or out.shape[0] != len(batch) or not np.isfinite(out).all():
            raise ModelOutputError(parameter="model", expected=f"({len(batch)}, k) finite numbers", got=out)
        return out

    def fingerprint(self) -> str:
        return digest_object(self.model) if hasattr(self.model, "fit") else digest_callable(self.model)


def random_masks(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """lime's masks: remove a uniform number of features (1 to d - 1) chosen at random; (n, d) of 0/1.

    With a single feature there is nothing to keep it against: masks are then 0 or 1 with equal odds.
    """
    if d == 1:
        return rng.integers(0, 2, size=(n, 1)).astype("float64")
    removed = rng.integers(1, d, size=n)
    rank = np.argsort(rng.random((n, d)), axis=1).argsort(axis=1)
    return (rank >= removed[:, None]).astype("float64")


def fit_masks(masks: np.ndarray, outputs: np.ndarray, sq_distance: np.ndarray, width: float, alpha: float,
              n_groups: int, model_output: np.ndarray) -> SurrogateFit:
    """The ridge surrogate of one item from its masks (n, d), outputs (n, k) and squared distances (n,)."""
    d = masks.shape[1]
    stats = SurrogateStats(1, d, outputs.shape[1], n_groups, model_output.reshape(1, -1))
    stats.add(np.array([0]), masks[None], kernel_weights(sq_distance, width)[None], outputs[None])
    return stats.fit(alpha)


def item_explanation(fits: list[SurrogateFit], features: list[list[int]], names: Sequence[str],
                     model: ItemModel, model_output: np.ndarray, data: np.ndarray | None, *, method: str,
                     parameters: dict[str, Any], seed: int, min_fidelity: float, start: float,
                     data_digest: str) -> Explanation:
    """Assemble per-item fits into one Explanation over the union of features (0 where an item lacks one)."""
    n, m, k = len(fits), len(names), model_output.shape[1]
    values, stderr, base = np.zeros((n, m, k)), np.zeros((n, m, k)), np.zeros((n, k))
    for i, (fit, cols) in enumerate(zip(fits, features, strict=True)):
        v, s, b = attributions(fit, np.ones((1, len(cols))))
        values[i, cols], stderr[i, cols], base[i] = v[0], s[0], b[0]
    joined = SurrogateFit(values, base, stderr, np.concatenate([f.r2 for f in fits]),
                          np.concatenate([f.n_samples for f in fits]))
    diag = diagnostics(joined, model_output, min_fidelity, stacklevel=4)
    return Explanation(
        values=values, base_values=base, feature_names=tuple(names), output_names=model.output_names or (), data=data,
        stderr=stderr, provenance=Provenance(
            method=method, parameters={**parameters, "diagnostics": diag}, random_state=seed,
            budget_used=int(joined.n_samples.max()), elapsed_seconds=time.perf_counter() - start,
            model_fingerprint=model.fingerprint(), data_fingerprint=data_digest, library_version=__version__,
            output_space=model.output_space))


def digest_items(arr: np.ndarray) -> str:
    """Fingerprint of the explained items (strings are digested through their UTF-8 bytes)."""
    if arr.dtype.kind in "OUS":
        arr = np.frombuffer("\x00".join(map(str, arr.ravel())).encode("utf-8"), dtype=np.uint8)
    return digest_array(np.ascontiguousarray(arr))
