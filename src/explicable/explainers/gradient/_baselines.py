"""Reference inputs ("baselines") for Integrated Gradients and occlusion: what "absent" means for an input."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.ndimage import gaussian_filter

from explicable.core.errors import InvalidDataError, InvalidParameterError

__all__ = ["BASELINES", "check_baseline", "resolve_baseline"]

#: Named baselines: all zeros, a Gaussian blur of the input (images), the background's mean.
BASELINES = ("zeros", "blur", "mean")


def check_baseline(value: Any, name: str = "baseline") -> str | float | np.ndarray:
    """A named baseline, a finite number, or a finite array (checked against the inputs at explain time)."""
    if isinstance(value, str):
        if value not in BASELINES:
            raise InvalidParameterError(parameter=name, expected="one of 'zeros', 'blur', 'mean', a number or an "
                                        "array", got=value)
        return value
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if not np.isfinite(value):
            raise InvalidParameterError(parameter=name, expected="a finite number", got=value)
        return float(value)
    try:
        arr = np.array(value, dtype="float64")
    except (TypeError, ValueError):
        raise InvalidParameterError(parameter=name, expected="one of 'zeros', 'blur', 'mean', a number or an "
                                    "array", got=value) from None
    if arr.ndim == 0 or arr.size == 0 or not np.isfinite(arr).all():
        raise InvalidParameterError(parameter=name, expected="a non-empty array of finite numbers", got=value)
    arr.setflags(write=False)
    return arr


def resolve_baseline(spec: str | float | np.ndarray, x: np.ndarray, *, image: bool,
                     background: np.ndarray | None, name: str = "baseline") -> tuple[np.ndarray, bool]:
    """The baseline of every input (like ``x``: (n, H, W, C) or (n, m)) and whether all rows share it.

    ``"mean"`` is the background's mean input when ``fit`` had a background; without one, an image's mean
    colour (rows need a background). ``"blur"`` (images only) is each image blurred by a Gaussian of
    sigma = 1/16 of its larger side, as :class:`~explicable.explainers.surrogate.LimeImage` hides segments.
    """
    one = x.shape[1:]
    if isinstance(spec, float):
        return np.full((1, *one), spec), True
    if isinstance(spec, np.ndarray):
        return _array_baseline(spec, x, name)
    if spec == "zeros":
        return np.zeros((1, *one)), True
    if spec == "mean":
        if background is not None:
            flat = background.reshape(background.shape[0], -1)
            if flat.shape[1] != int(np.prod(one)):
                raise InvalidDataError(parameter="background", expected=f"inputs of shape {list(one)} like X",
                                       got=background)
            return flat.mean(axis=0).reshape((1, *one)), True
        if not image:
            raise InvalidParameterError(parameter=name, expected="a background passed to fit() for 'mean' on "
                                        "rows (or another baseline)", got=spec)
        return np.broadcast_to(x.mean(axis=(1, 2), keepdims=True), x.shape).copy(), False
    if not image:
        raise InvalidParameterError(parameter=name, expected="'zeros', 'mean', a number or an array for rows "
                                    "('blur' is for images)", got=spec)
    sigma = max(x.shape[1], x.shape[2]) / 16
    return np.stack([np.asarray(gaussian_filter(img, sigma=(sigma, sigma, 0))) for img in x]), False


def _array_baseline(arr: np.ndarray, x: np.ndarray, name: str) -> tuple[np.ndarray, bool]:
    one = x.shape[1:]
    size = int(np.prod(one))
    if arr.size == size:
        return arr.reshape((1, *one)), True
    if arr.size == size * x.shape[0] and arr.shape[0] == x.shape[0]:
        return arr.reshape(x.shape), False
    raise InvalidDataError(parameter=name, expected=f"an array of one input {list(one)} or one per row "
                           f"{list(x.shape)}", got=arr)
