"""The model seen through masks: rows with some attribution units replaced by a reference, in bounded batches.

Tabular rows: an absent feature takes each background row's value and the model's output is averaged over
the background rows (the interventional expectation, the same game Shapley values of that background
value); pass the background's mean as one row for the cheaper plug-in version. Images (n, H, W, C): an
absent pixel takes the value of a per-image reference, the image blurred (Gaussian, the default) or its
per-channel mean, or a given reference image. Models take rows as explicable adapters do, 2-D: an image
model receives the flattened images ``(n, H * W * C)`` (a FunctionModel can reshape them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.ndimage import gaussian_filter

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.core.validation import check_number
from explicable.evaluation._common import attributions, check_explanation, model_output
from explicable.models.base import ModelAdapter
from explicable.models.wrap import wrap

__all__ = ["MAX_BATCH_ELEMENTS", "Masked", "prepare"]

#: Most numbers in one batch of model rows or of masks (128 MiB of float64): bounds memory for wide images.
MAX_BATCH_ELEMENTS = 2**24


@dataclass(frozen=True)
class Masked:
    """Rows, their references, and how attribution units map to model columns.

    Attributes
    ----------
    x : array (n, d)
        The explained rows as the model takes them (images flattened).
    reference : array (n, b, d)
        Per row, the b reference rows an absent unit's columns are taken from (weights ``weights``).
    repeat : int
        Model columns per attribution unit (the channels under one pixel's attribution), contiguous.
    image_shape : (H, W, C) or None
    """

    model: ModelAdapter
    target: int
    x: np.ndarray
    reference: np.ndarray
    weights: np.ndarray
    repeat: int
    image_shape: tuple[int, int, int] | None
    max_batch_rows: int

    @property
    def n_units(self) -> int:
        return self.x.shape[1] // self.repeat

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """The target output for model rows (N, d), in batches of ``max_batch_rows``."""
        step = max(1, min(self.max_batch_rows, MAX_BATCH_ELEMENTS // rows.shape[1]))
        parts = [self.model.predict(rows[i:i + step])[:, self.target] for i in range(0, rows.shape[0], step)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def blocks(self, per_row: int) -> list[slice]:
        """Consecutive blocks of rows, each with at most :data:`MAX_BATCH_ELEMENTS` mask entries (``per_row``
        a row), so masks for many steps or samples of wide images stay bounded."""
        n = self.x.shape[0]
        size = max(1, MAX_BATCH_ELEMENTS // max(per_row, 1))
        return [slice(start, min(start + size, n)) for start in range(0, n, size)]

    def outputs(self, present: np.ndarray, rows: slice = slice(None)) -> np.ndarray:
        """Expected output (n, s) for masks ``present`` (n, s, n_units) of the rows ``rows``: True keeps the
        row's value, False takes the reference's."""
        n, s, m = present.shape
        b, d = self.reference.shape[1], self.x.shape[1]
        flat = present.reshape(n * s, m)
        owner = np.arange(self.x.shape[0])[rows][np.repeat(np.arange(n), s)]
        out = np.empty(n * s)
        per_call = max(1, min(self.max_batch_rows, MAX_BATCH_ELEMENTS // d) // b)
        for start in range(0, n * s, per_call):
            part = slice(start, start + per_call)
            mask = np.repeat(flat[part], self.repeat, axis=1) if self.repeat > 1 else flat[part]
            who = owner[part]
            batch = np.where(mask[:, None, :], self.x[who][:, None, :], self.reference[who])
            pred = self.model.predict(batch.reshape(-1, d))[:, self.target].reshape(-1, b)
            out[part] = pred @ self.weights
        return out.reshape(n, s)

    def unit_sums(self, columns: np.ndarray) -> np.ndarray:
        """Sum model-column values (..., d) into attribution units (..., n_units)."""
        return columns.reshape(*columns.shape[:-1], self.n_units, self.repeat).sum(axis=-1)


def prepare(model: Any, X: Any, explanation: Explanation, *, background: Any, output: Any, sigma: float | None,
            max_batch_rows: int) -> tuple[Masked, np.ndarray]:
    """Validate the inputs of a perturbation check; return the masked view and the attributions (n, m)."""
    adapter = wrap(model)
    check_explanation(explanation)
    if not isinstance(max_batch_rows, (int, np.integer)) or isinstance(max_batch_rows, bool) or max_batch_rows < 1:
        raise InvalidParameterError(parameter="max_batch_rows", expected="an int >= 1", got=max_batch_rows)
    phi = attributions(explanation, output)
    target = model_output(adapter.output_names, explanation, output)
    if isinstance(X, np.ndarray) and X.ndim == 4:
        x, reference, repeat, shape = _images(X, phi, background, sigma)
    else:
        x, reference, phi = _table(adapter, X, explanation, phi, background)
        repeat, shape = 1, None
    if phi.shape[0] != x.shape[0]:
        raise InvalidDataError(parameter="explanation", expected=f"attributions for the {x.shape[0]} rows of X",
                               got=f"{phi.shape[0]} rows")
    weights = np.full(reference.shape[1], 1.0 / reference.shape[1])
    return Masked(adapter, target, x, reference, weights, repeat, shape, int(max_batch_rows)), phi


def _table(adapter: ModelAdapter, X: Any, explanation: Explanation, phi: np.ndarray,
           background: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = adapter.check_data(X)
    if background is None:
        raise InvalidParameterError(
            "The 'background' parameter is required for tabular data: removed features take the background's "
            "values (pass a sample of training rows, or their mean as one row).", parameter="background", got=None)
    ref = adapter.check_data(background, name="background").values
    columns = adapter.feature_names or table.columns
    names = explanation.feature_names
    if len(names) != len(columns):
        raise InvalidDataError(parameter="explanation", expected=f"attributions for the model's {len(columns)} "
                               "features (ungrouped)", got=f"{len(names)} features")
    if set(names) == set(columns) and tuple(names) != tuple(columns):
        phi = phi[:, [names.index(c) for c in columns]]
    x = table.values
    return x, np.broadcast_to(ref[None], (x.shape[0], *ref.shape)), phi


def _images(X: np.ndarray, phi: np.ndarray, background: Any,
            sigma: float | None) -> tuple[np.ndarray, np.ndarray, int, tuple[int, int, int]]:
    n, h, w, c = X.shape
    images = np.asarray(X, dtype="float64")
    if phi.shape[1] not in (h * w, h * w * c):
        raise InvalidDataError(parameter="explanation", expected=f"one attribution per pixel ({h * w}) or per pixel "
                               f"and channel ({h * w * c})", got=f"{phi.shape[1]} features")
    repeat = c if phi.shape[1] == h * w else 1
    reference = image_reference(images, "blur" if background is None else background, sigma)
    return images.reshape(n, -1), reference, repeat, (h, w, c)


def image_reference(images: np.ndarray, background: Any, sigma: float | None) -> np.ndarray:
    """Per image, the reference (n, 1, H*W*C) that removed pixels take."""
    n, h, w, c = images.shape
    if isinstance(background, str):
        if background == "blur":
            s = max(h, w) / 8 if sigma is None else check_number(sigma, "sigma", low=0, low_open=True)
            ref = gaussian_filter(images, sigma=(0, s, s, 0), mode="nearest")
        elif background == "mean":
            ref = np.broadcast_to(images.mean(axis=(1, 2), keepdims=True), images.shape)
        else:
            raise InvalidParameterError(parameter="background", expected="'blur', 'mean' or a reference image",
                                        got=background)
        return np.ascontiguousarray(ref).reshape(n, 1, -1)
    arr = np.asarray(background, dtype="float64")
    if arr.shape == (h, w, c):
        arr = arr[None]
    if arr.ndim != 4 or arr.shape[1:] != (h, w, c):
        raise InvalidDataError(parameter="background", expected=f"'blur', 'mean' or images of shape (b, {h}, {w}, "
                               f"{c})", got=arr)
    return np.broadcast_to(arr.reshape(1, arr.shape[0], -1), (n, arr.shape[0], h * w * c))
