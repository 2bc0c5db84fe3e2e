"""Image explanations: pixel feature names, and attributions reshaped back to the image.

An image Explanation has one feature per pixel, in row-major order, named ``r{row}c{col}`` (channels summed)
or one per pixel and channel, ``r{row}c{col}ch{c}`` (channels kept); its provenance records
``parameters["image_shape"] = [H, W, C]`` and ``parameters["channels"]`` (``"sum"`` or ``"keep"``).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.core.explanation import Explanation

__all__ = ["CHANNELS", "image_attributions", "pixel_names"]

#: How an image explanation treats colour channels: summed into one value per pixel, or kept apart.
CHANNELS = ("sum", "keep")


@functools.lru_cache(maxsize=16)  # the same few image sizes are named on every call
def pixel_names(height: int, width: int, channels: int | None = None) -> tuple[str, ...]:
    """Feature names of an image's pixels in row-major order; with ``channels``, one per pixel and channel.

    Examples
    --------
    >>> pixel_names(2, 2)
    ('r0c0', 'r0c1', 'r1c0', 'r1c1')
    >>> pixel_names(1, 2, channels=2)
    ('r0c0ch0', 'r0c0ch1', 'r0c1ch0', 'r0c1ch1')
    """
    pixels = [f"r{r}c{c}" for r in range(height) for c in range(width)]
    if channels is None:
        return tuple(pixels)
    return tuple(f"{p}ch{ch}" for p in pixels for ch in range(channels))


def image_attributions(exp: Explanation, output: Any = None) -> np.ndarray:
    """An image explanation's values of one output, as images.

    Parameters
    ----------
    exp : Explanation
        Made by an image explainer (its provenance records ``image_shape`` and ``channels``).
    output : str or int, optional
        Output name or position; default the first output.

    Returns
    -------
    ndarray of shape (n, H, W), or (n, H, W, C) when the channels were kept

    Examples
    --------
    >>> from explicable.core.provenance import Provenance
    >>> exp = Explanation(np.arange(4.0).reshape(1, 4, 1), np.zeros((1, 1)), pixel_names(2, 2), ["y"],
    ...                   provenance=Provenance(parameters={"image_shape": [2, 2, 3], "channels": "sum"}))
    >>> image_attributions(exp).tolist()
    [[[0.0, 1.0], [2.0, 3.0]]]
    """
    if not isinstance(exp, Explanation):
        raise InvalidParameterError(parameter="exp", expected="an Explanation", got=exp)
    params = exp.provenance.parameters
    shape = params.get("image_shape")
    if not isinstance(shape, (list, tuple)) or len(shape) != 3:
        raise InvalidDataError(parameter="exp", expected="an image explanation (provenance.parameters with "
                               "'image_shape' [H, W, C])", got=f"parameters {sorted(params)}")
    height, width, channels = (int(s) for s in shape)
    keep = params.get("channels", "sum") == "keep"
    target = (height, width, channels) if keep else (height, width)
    if exp.shape[1] != int(np.prod(target)):
        raise InvalidDataError(parameter="exp", expected=f"{int(np.prod(target))} features for an image of shape "
                               f"{list(target)}", got=f"{exp.shape[1]} features (a selection of pixels?)")
    k = _output(exp, output)
    return np.array(exp.values[:, :, k].reshape((exp.shape[0], *target)), dtype="float64")


def _output(exp: Explanation, output: Any) -> int:
    names = exp.output_names
    if output is None:
        return 0
    if isinstance(output, str):
        if output not in names:
            raise InvalidParameterError(parameter="output", expected=f"one of the outputs {list(names)}", got=output)
        return names.index(output)
    if isinstance(output, bool) or not isinstance(output, (int, np.integer)) or not -len(names) <= output < len(names):
        raise InvalidParameterError(parameter="output", expected=f"an output name or an index below {len(names)}",
                                    got=output)
    return int(output) % len(names)
