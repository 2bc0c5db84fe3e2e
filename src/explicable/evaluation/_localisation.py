"""Localisation of image attributions against ground-truth masks: the pointing game and top-pixel IoU.

Both checks take attribution maps (n, H, W) — raw arrays, or an image Explanation whose pixels are features —
and boolean masks (n, H, W) of where the evidence truly is (a lesion, an object). Rows whose mask is empty
(images without the object) are left out (NaN in ``per_row``): there is nothing to point at.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.ndimage import distance_transform_edt
from scipy.stats import norm

from explicable.core.errors import InvalidDataError
from explicable.core.explanation import Explanation
from explicable.core.images import image_attributions
from explicable.core.validation import check_choice, check_fraction, check_number
from explicable.evaluation._result import CheckResult

__all__ = ["attribution_iou", "pointing_game"]


def pointing_game(attributions: Any, masks: Any, *, output: Any = None, tolerance: float = 0.0, by: str = "value",
                  threshold: float = 0.9, confidence: float = 0.95) -> CheckResult:
    """Does the map's maximum fall on the object? (Zhang et al., "Top-down Neural Attention by Excitation
    Backprop", ECCV 2016.)

    A row is a hit when the pixel of largest attribution lies inside its mask, or within ``tolerance`` pixels
    (Euclidean) of it; Zhang et al. use 15 pixels on ~224-pixel images. Where several pixels share the
    maximum (a flat map), the row scores the share of them that hit, so a constant map scores its chance
    level rather than a lucky first pixel. The hit rate comes with a Wilson interval.

    Parameters
    ----------
    attributions : array (n, H, W) or (n, H, W, C), or an image Explanation
        Attribution maps (channels are summed). An Explanation's pixels are reshaped with
        :func:`explicable.core.images.image_attributions`.
    masks : array (n, H, W) of bool
        Ground truth. A single image may be given as (H, W) maps and mask.
    output : str or int, optional
        The explanation's output to use (default: its first); ignored for arrays.
    tolerance : float, default 0
        Pixels of slack around the mask.
    by : {"value", "abs"}, default "value"
        Point with the largest signed attribution (evidence for the output) or the largest magnitude.
    threshold : float, default 0.9
        Pass when the hit rate is at least this (the target the project set for Grad-CAM on the lesion CNN);
        compare with ``details["chance"]``, the hit rate of a uniformly random point.
    confidence : float, default 0.95
        Level of the Wilson interval in ``details``.

    Returns
    -------
    CheckResult
        ``value``: the hit rate over rows with a non-empty mask; ``per_row``: 1 / 0 (a share under ties) or
        NaN; ``details``: ``n_evaluated``, ``hits``, ``ci_low``, ``ci_high``, ``chance`` and the settings.

    Examples
    --------
    >>> import numpy as np
    >>> masks = np.zeros((2, 4, 4), dtype=bool); masks[:, 0, 0] = True
    >>> maps = np.zeros((2, 4, 4)); maps[0, 0, 0] = 1.0; maps[1, 3, 3] = 1.0
    >>> r = pointing_game(maps, masks)
    >>> r.value, r.per_row.tolist()
    (0.5, [1.0, 0.0])
    >>> pointing_game(maps, masks, tolerance=5).value
    1.0
    """
    tolerance = check_number(tolerance, "tolerance", low=0)
    check_choice(by, "by", ("value", "abs"))
    threshold = check_number(threshold, "threshold", low=0, high=1)
    confidence = check_fraction(confidence, "confidence")
    maps, masks = _maps_and_masks(attributions, masks, output)
    per_row = np.full(maps.shape[0], np.nan)
    chance = np.full(maps.shape[0], np.nan)
    for i, (scores, mask) in enumerate(zip(_key(maps, by), masks, strict=True)):
        if not mask.any():
            continue
        region = mask if tolerance == 0 else distance_transform_edt(~mask) <= tolerance
        per_row[i] = float(region[scores == scores.max()].mean())
        chance[i] = float(region.mean())
    evaluated = ~np.isnan(per_row)
    n = int(evaluated.sum())
    hits = float(per_row[evaluated].sum())
    value = hits / n if n else float("nan")
    low, high = _wilson(hits, n, float(norm.ppf(0.5 + confidence / 2)))
    details = {"n_evaluated": n, "hits": hits, "ci_low": low, "ci_high": high, "confidence": confidence,
               "chance": float(chance[evaluated].mean()) if n else float("nan"), "tolerance": tolerance, "by": by}
    return CheckResult("pointing_game", value, threshold, True, per_row, details)


def attribution_iou(attributions: Any, masks: Any, *, output: Any = None, top: float | None = None,
                    by: str = "value", threshold: float = 0.5) -> CheckResult:
    """Intersection over union of the most attributed pixels with the mask.

    For each image, the ``k`` pixels of largest attribution are selected, where ``k`` is the mask's own area
    (``top=None``: the map is asked to find an object of the right size) or ``round(top * H * W)``; pixels
    tied with the ``k``-th value are all selected, so ties never break by position. The row's statistic is
    ``|selected & mask| / |selected | mask|``.

    Parameters
    ----------
    attributions : array (n, H, W) or (n, H, W, C), or an image Explanation
        As in :func:`pointing_game`.
    masks : array (n, H, W) of bool
    output : str or int, optional
    top : float in (0, 1], optional
        Share of pixels selected; default: each mask's area share.
    by : {"value", "abs"}, default "value"
        Rank pixels by signed attribution or by magnitude.
    threshold : float, default 0.5
        Pass when the mean IoU is at least this (the overlap PASCAL VOC asks of a detection).

    Returns
    -------
    CheckResult
        ``value``: the mean IoU over rows with a non-empty mask; ``per_row``: IoU or NaN; ``details``:
        ``n_evaluated``, ``median``, ``selected_share`` (mean share of pixels selected) and the settings.

    Examples
    --------
    >>> import numpy as np
    >>> masks = np.zeros((1, 4, 4), dtype=bool); masks[0, :2, :2] = True          # 4 pixels
    >>> maps = np.zeros((1, 4, 4)); maps[0, 0, :4] = [4.0, 3.0, 2.0, 1.0]          # top 4: 2 inside
    >>> round(attribution_iou(maps, masks).value, 4)                               # 2 / (4 + 4 - 2)
    0.3333
    """
    if top is not None:
        top = check_number(top, "top", low=0, high=1, low_open=True)
    check_choice(by, "by", ("value", "abs"))
    threshold = check_number(threshold, "threshold", low=0, high=1)
    maps, masks = _maps_and_masks(attributions, masks, output)
    per_row = np.full(maps.shape[0], np.nan)
    selected_share = np.full(maps.shape[0], np.nan)
    pixels = maps.shape[1] * maps.shape[2]
    for i, (scores, mask) in enumerate(zip(_key(maps, by), masks, strict=True)):
        area = int(mask.sum())
        if area == 0:
            continue
        k = area if top is None else max(1, round(top * pixels))
        cutoff = np.partition(scores.reshape(-1), pixels - k)[pixels - k]
        selected = scores >= cutoff
        per_row[i] = float((selected & mask).sum() / (selected | mask).sum())
        selected_share[i] = float(selected.mean())
    evaluated = ~np.isnan(per_row)
    n = int(evaluated.sum())
    value = float(per_row[evaluated].mean()) if n else float("nan")
    details = {"n_evaluated": n, "median": float(np.median(per_row[evaluated])) if n else float("nan"),
               "selected_share": float(selected_share[evaluated].mean()) if n else float("nan"),
               "top": "mask area" if top is None else top, "by": by}
    return CheckResult("attribution_iou", value, threshold, True, per_row, details)


def _key(maps: np.ndarray, by: str) -> np.ndarray:
    return np.abs(maps) if by == "abs" else maps


def _maps_and_masks(attributions: Any, masks: Any, output: Any) -> tuple[np.ndarray, np.ndarray]:
    """Attribution maps (n, H, W) float64 and masks (n, H, W) bool, checked against each other."""
    mask_array = np.asarray(masks)
    if mask_array.ndim == 2:
        mask_array = mask_array[None]
    if mask_array.ndim != 3 or mask_array.dtype != bool:
        raise InvalidDataError(parameter="masks", expected="a boolean array (n, H, W) or (H, W)", got=masks)
    if isinstance(attributions, Explanation):
        maps = image_attributions(attributions, output)
    else:
        maps = np.asarray(attributions, dtype="float64")
        if maps.ndim == 2:
            maps = maps[None]
    if maps.ndim == 4:  # channels kept: sum them, as image explanations do with channels="sum"
        maps = maps.sum(axis=-1)
    if maps.shape != mask_array.shape:
        raise InvalidDataError(parameter="attributions", expected=f"maps of the masks' shape {mask_array.shape} "
                               "(or with a trailing channel axis)", got=attributions)
    if not np.isfinite(maps).all():
        raise InvalidDataError(parameter="attributions", expected="finite values", got=attributions)
    return maps, mask_array


def _wilson(successes: float, trials: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion (Brown, Cai & DasGupta, 2001); NaN without trials."""
    if trials == 0:
        return float("nan"), float("nan")
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))
