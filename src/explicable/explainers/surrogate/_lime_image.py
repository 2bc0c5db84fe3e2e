"""LIME for images: which regions (superpixels or grid cells) does an image model's output rest on?"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from scipy.ndimage import gaussian_filter

from explicable.core.errors import InvalidDataError, InvalidParameterError, NotFittedError
from explicable.core.explanation import Explanation
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_int, check_random_state
from explicable.explainers.surrogate._lime_fit import SurrogateFit
from explicable.explainers.surrogate._lime_masks import ItemModel, digest_items, fit_masks, item_explanation

__all__ = ["LimeImage"]

SEGMENTATIONS = ("slic", "grid")
HIDES = ("mean", "blur")


class LimeImage:
    """LIME on images (Ribeiro et al., 2016): hide segments, fit a kernel-weighted ridge on which are shown.

    The features of an image are its segments: SLIC superpixels (scikit-image, the ``image`` extra) or the
    cells of a regular grid (no extra dependency). Each sample shows every segment with probability 1/2 and
    paints the hidden ones with ``hide``; its weight is lime's kernel (width 0.25) on the cosine distance of
    the mask to the all-shown mask. ``values[i, j, k]`` is the surrogate's coefficient of showing segment
    ``j`` of image ``i`` (``segment_j``, numbered as :meth:`segment` labels them; 0 where an image has fewer
    segments); ``base_values`` is the intercept, so ``values.sum(axis=1) + base_values`` is the surrogate's
    prediction for the whole image. Stderr and fidelity are as in :class:`LimeTabular`.

    Parameters
    ----------
    model : callable or estimator
        Takes images (n, H, W, C) and returns (n, k) numbers.
    segmentation : {"slic", "grid"}, default "slic"
    n_segments : int, default 50
        Target number of superpixels, or of grid cells (the grid is ``round(sqrt(n))`` rows by as many
        columns as needed).
    compactness : float, default 10.0
        SLIC's balance of colour and space.
    hide : {"mean", "blur"} or float, default "mean"
        What hidden segments show: the image's mean colour, a blurred image (Gaussian, sigma = 1/16 of the
        larger side), or a constant.
    n_samples : int, default 1000
    kernel_width : float, default 0.25
    alpha : float, default 1.0
    n_resamples : int, default 10
    min_fidelity : float, default 0.5
    output_names : sequence of str, optional
    batch_size : int, default 100
        Images per model call.
    random_state : int, optional

    Examples
    --------
    >>> import numpy as np
    >>> model = lambda images: images[:, :4, :4, 0].mean(axis=(1, 2))
    >>> lime = LimeImage(model, segmentation="grid", n_segments=4, n_samples=200, alpha=0.0, random_state=0).fit()
    >>> image = np.ones((8, 8, 1)) * np.arange(8)[None, :, None]  # brightness = column
    >>> exp = lime.explain(image)  # showing the top-left cell instead of the mean (3.5) changes the output by -2
    >>> (np.round(exp.values[0, :, 0], 6) + 0.0).tolist()
    [-2.0, 0.0, 0.0, 0.0]
    """

    method = "lime_image"

    def __init__(self, model: Any, *, segmentation: str = "slic", n_segments: int = 50, compactness: float = 10.0,
                 hide: str | float = "mean", n_samples: int = 1000, kernel_width: float = 0.25, alpha: float = 1.0,
                 n_resamples: int = 10, min_fidelity: float = 0.5, output_names: Sequence[str] | None = None,
                 batch_size: int = 100, random_state: int | None = None) -> None:
        self.model = ItemModel(model, output_names, check_int(batch_size, "batch_size", low=1))
        self.segmentation = check_choice(segmentation, "segmentation", SEGMENTATIONS)
        self.n_segments = check_int(n_segments, "n_segments", low=2)
        self.compactness = _number(compactness, "compactness")
        if not (isinstance(hide, str) and hide in HIDES) and \
                not (isinstance(hide, (int, float)) and not isinstance(hide, bool) and np.isfinite(hide)):
            raise InvalidParameterError(parameter="hide", expected="'mean', 'blur' or a number", got=hide)
        self.hide = hide
        self.n_resamples = check_int(n_resamples, "n_resamples", low=2)
        samples = check_int(n_samples, "n_samples", low=self.n_resamples)
        self.n_samples = -(-samples // self.n_resamples) * self.n_resamples
        self.kernel_width = _number(kernel_width, "kernel_width")
        self.alpha = _number(alpha, "alpha", zero=True)
        self.min_fidelity = _number(min_fidelity, "min_fidelity", zero=True)
        self.random_state = check_random_state(random_state)

    def get_params(self) -> dict[str, Any]:
        return {"segmentation": self.segmentation, "n_segments": self.n_segments, "compactness": self.compactness,
                "hide": self.hide, "n_samples": self.n_samples, "kernel_width": self.kernel_width,
                "alpha": self.alpha, "n_resamples": self.n_resamples, "min_fidelity": self.min_fidelity}

    def fit(self, background: Any = None) -> Self:
        """Draw the seed (image LIME learns nothing from data; ``background`` is ignored)."""
        if self.segmentation == "slic":
            _slic()  # fail now, not mid-explanation, when scikit-image is missing
        _, self.seed_ = make_rng(self.random_state)
        return self

    def segment(self, images: Any) -> np.ndarray:
        """Segment labels (n, H, W), numbered 0, 1, ... per image: ``segment_j`` of an Explanation is label j."""
        batch = _check_images(images)
        if self.segmentation == "grid":
            return np.broadcast_to(_grid(batch.shape[1], batch.shape[2], self.n_segments), batch.shape[:3]).copy()
        slic = _slic()
        labels = np.empty(batch.shape[:3], dtype=np.int64)
        for i, image in enumerate(batch):
            raw = slic(image, n_segments=self.n_segments, compactness=self.compactness, start_label=0,
                       channel_axis=-1 if image.shape[2] > 1 else None)
            labels[i] = np.unique(raw, return_inverse=True)[1].reshape(raw.shape)
        return labels

    def explain(self, images: Any, *, target: Any = None) -> Explanation:
        """Explain each image of ``images`` (n, H, W, C) (or one image (H, W, C))."""
        start = time.perf_counter()
        if not hasattr(self, "seed_"):
            raise NotFittedError("This LimeImage is not fitted yet; call fit() first.", parameter="fit")
        batch = _check_images(images)
        labels = self.segment(batch)
        model_output = self.model.predict(batch)
        fits: list[SurrogateFit] = []
        features: list[list[int]] = []
        for i, image in enumerate(batch):
            d = int(labels[i].max()) + 1
            rng = np.random.default_rng(self.seed_)
            masks = rng.integers(0, 2, size=(self.n_samples, d)).astype("float64")
            outputs = self.model.predict(_Perturbed(image, labels[i], masks, self._hidden(image)))
            kept = masks.sum(axis=1)
            sq = np.where(kept > 0, 1 - np.sqrt(kept / d), 1.0) ** 2
            fits.append(fit_masks(masks, outputs, sq, self.kernel_width, self.alpha, self.n_resamples,
                                  model_output[i]))
            features.append(list(range(d)))
        names = [f"segment_{j}" for j in range(max(len(f) for f in features))]
        exp = item_explanation(fits, features, names, self.model, model_output, None, method=self.method,
                               parameters=self.get_params(), seed=self.seed_, min_fidelity=self.min_fidelity,
                               start=start, data_digest=digest_items(batch))
        return exp if target is None else exp.select(outputs=target)

    def _hidden(self, image: np.ndarray) -> np.ndarray:
        if self.hide == "mean":
            return np.broadcast_to(image.mean(axis=(0, 1)), image.shape)
        if self.hide == "blur":
            sigma = max(image.shape[:2]) / 16
            return np.asarray(gaussian_filter(image, sigma=(sigma, sigma, 0)))
        return np.full(image.shape, float(self.hide))


class _Perturbed:
    """The perturbed images of one image, built batch by batch when the model asks for a slice."""

    def __init__(self, image: np.ndarray, labels: np.ndarray, masks: np.ndarray, hidden: np.ndarray) -> None:
        self.image, self.labels, self.masks, self.hidden = image, labels, masks, hidden

    def __len__(self) -> int:
        return int(self.masks.shape[0])

    def __getitem__(self, rows: slice) -> np.ndarray:
        shown = self.masks[rows][:, self.labels] > 0
        return np.where(shown[..., None], self.image[None], self.hidden[None])


def _grid(height: int, width: int, n_segments: int) -> np.ndarray:
    rows = max(1, round(np.sqrt(n_segments)))
    cols = -(-n_segments // rows)
    r = np.arange(height) * rows // height
    c = np.arange(width) * cols // width
    return np.asarray(r[:, None] * cols + c[None, :])


def _slic() -> Any:
    try:
        from skimage.segmentation import slic
    except ImportError:
        raise InvalidParameterError(
            "segmentation='slic' needs scikit-image: pip install explicable[image] (or use segmentation='grid').",
            parameter="segmentation", got="slic") from None
    return slic


def _check_images(images: Any) -> np.ndarray:
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.ndim != 4 or arr.shape[0] == 0 or arr.dtype.kind not in "biuf" or not np.isfinite(arr).all():
        raise InvalidDataError(parameter="images", expected="finite numbers of shape (n, H, W, C) or (H, W, C)",
                               got=images)
    return arr.astype("float64")


def _number(value: Any, name: str, *, zero: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value) \
        and (value >= 0 if zero else value > 0)
    if not ok:
        raise InvalidParameterError(parameter=name, expected="a number " + (">= 0" if zero else "> 0"), got=value)
    return float(value)
