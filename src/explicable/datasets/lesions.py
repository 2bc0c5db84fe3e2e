"""Synthetic skin-lesion images with ground-truth masks: a localisation problem for image explanations.

Every image is generated here (no download, CC0): a textured "skin" background, distractors that occur in
both classes with the same probabilities (hairs, a ruler with tick marks, a round benign spot, a specular
glare), and, in the positive class, one lesion of random position, size, colour, contrast and irregular
border. Because the distractors are as frequent in negatives as in positives, a model can only separate the
classes by the lesion itself, so a faithful attribution map must point at the mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter

from explicable.core.errors import InvalidDataError
from explicable.core.random import make_rng
from explicable.core.validation import check_int, check_number

__all__ = ["LesionImages", "lesion_patches", "make_lesions"]

#: Class names, in label order.
LESION_CLASSES = ("no_lesion", "lesion")

# Probabilities of the distractors, identical in both classes (so none of them predicts the label).
_P_SPOT, _P_RULER, _P_GLARE, _MEAN_HAIRS = 0.5, 0.3, 0.3, 1.5


@dataclass(frozen=True, eq=False)
class LesionImages:
    """A generated set of lesion images.

    Attributes
    ----------
    images : array of shape (n, H, W, 3), float32 in [0, 1]
        Channels-last RGB images.
    labels : array of shape (n,), int64
        1 where the image holds a lesion, 0 otherwise.
    masks : array of shape (n, H, W), bool
        The lesion's pixels (all False for negatives).
    class_names : tuple of str
        ``("no_lesion", "lesion")``, in label order.
    random_state : int
        The seed the set was generated from.
    """

    images: np.ndarray
    labels: np.ndarray
    masks: np.ndarray
    class_names: tuple[str, ...]
    random_state: int

    def __len__(self) -> int:
        return int(self.labels.shape[0])


def make_lesions(n: int, *, size: int = 64, positive_fraction: float = 0.5,
                 random_state: int | None = None) -> LesionImages:
    """Generate ``n`` skin images, a share of them with a lesion, and the lesions' masks.

    Background: a skin tone drawn per image, low-frequency blotches (Gaussian-smoothed noise), an
    illumination gradient in a random direction and fine pore-like texture. Distractors, with the same
    probabilities in both classes: dark hairs (Poisson, mean 1.5, thin quadratic curves), a small round benign
    spot (p = 0.5; a red angioma or a light tan freckle, regular and smaller than any lesion), a ruler strip
    with dark ticks along one edge (p = 0.3) and a soft specular glare (p = 0.3). Lesion: a dark brown blob of
    mean radius 4.5 to 11 pixels (at size 64; scaled with ``size``), border ``r(theta) = R (1 + sum_k a_k
    cos(k theta + phi_k))`` for k = 2..6, mottled inside, with contrast against the skin between 0.5 and 1
    (faint lesions are harder). Its mask is the set of pixels at least half covered by it; hair drawn over a
    lesion stays inside the mask.

    Parameters
    ----------
    n : int
        Number of images (at least 1).
    size : int, default 64
        Height and width in pixels (at least 32).
    positive_fraction : float, default 0.5
        Share of images with a lesion: exactly ``round(n * positive_fraction)``, in random order.
    random_state : int, optional
        Seed; the same seed gives byte-identical images (one is drawn, and recorded, when None).

    Returns
    -------
    LesionImages

    Examples
    --------
    >>> data = make_lesions(6, random_state=0)
    >>> data.images.shape, data.images.dtype.name, data.labels.tolist()
    ((6, 64, 64, 3), 'float32', [0, 0, 1, 1, 0, 1])
    >>> bool((data.masks.any(axis=(1, 2)) == (data.labels == 1)).all())
    True
    """
    n = check_int(n, "n", low=1)
    size = check_int(size, "size", low=32)
    positive_fraction = check_number(positive_fraction, "positive_fraction", low=0, high=1)
    rng, seed = make_rng(random_state)
    n_pos = round(n * positive_fraction)
    labels = np.zeros(n, dtype="int64")
    labels[rng.permutation(n)[:n_pos]] = 1
    images = np.empty((n, size, size, 3), dtype="float32")
    masks = np.zeros((n, size, size), dtype=bool)
    yy, xx = np.mgrid[0:size, 0:size].astype("float64")
    for i in range(n):
        canvas = _Canvas(_skin(rng, size), yy, xx, size / 64.0)
        centre, radius = (None, 0.0)
        if labels[i] == 1:
            centre, radius, masks[i] = _lesion(rng, canvas)
        _distractors(rng, canvas, centre, radius)
        images[i] = np.clip(canvas.image, 0.0, 1.0)
    return LesionImages(images=images, labels=labels, masks=masks, class_names=LESION_CLASSES, random_state=seed)


def lesion_patches(data: LesionImages, *, patch: int = 24, lesion: bool = True, max_patches: int | None = None,
                   random_state: int | None = None) -> np.ndarray:
    """Concept images for TCAV: a square patch of each image pasted onto a plain skin-coloured canvas.

    With ``lesion=True`` the patch is centred on each positive image's lesion (the "lesion-like blob"
    concept); with ``lesion=False`` it is a random patch of skin from each negative image (the random
    counterpart, same size and placement). The canvas has the image's own median colour, so the patch's
    content is the only difference between the two kinds.

    Parameters
    ----------
    data : LesionImages
    patch : int, default 24
        Side of the square patch in pixels (at most the image size).
    lesion : bool, default True
    max_patches : int, optional
        Keep at most this many (the first ones).
    random_state : int, optional
        Seed of the positions (the patch's place on the canvas, and for skin patches, where it is cut).

    Returns
    -------
    array of shape (p, H, W, 3), float32
    """
    size = data.images.shape[1]
    patch = check_int(patch, "patch", low=2, high=size)
    rng, _ = make_rng(random_state)
    rows = np.flatnonzero(data.labels == (1 if lesion else 0))
    if max_patches is not None:
        rows = rows[:check_int(max_patches, "max_patches", low=1)]
    if rows.size == 0:
        raise InvalidDataError(parameter="data", expected=f"at least one {'positive' if lesion else 'negative'} image",
                               got=data.labels)
    out = np.empty((rows.size, size, size, 3), dtype="float32")
    for j, i in enumerate(rows):
        image = data.images[i]
        if lesion:
            ys, xs = np.nonzero(data.masks[i])
            cy, cx = round(ys.mean()), round(xs.mean())
        else:
            cy, cx = (int(v) for v in rng.integers(patch // 2, size - patch + patch // 2 + 1, size=2))
        top = min(max(cy - patch // 2, 0), size - patch)
        left = min(max(cx - patch // 2, 0), size - patch)
        out[j] = np.median(image.reshape(-1, 3), axis=0)
        py, px = (int(v) for v in rng.integers(0, size - patch + 1, size=2))
        out[j, py:py + patch, px:px + patch] = image[top:top + patch, left:left + patch]
    return out


class _Canvas:
    """One image being drawn on, with its pixel grid and scale (size / 64)."""

    def __init__(self, image: np.ndarray, yy: np.ndarray, xx: np.ndarray, scale: float) -> None:
        self.image, self.yy, self.xx, self.scale = image, yy, xx, scale
        self.size = image.shape[0]

    def blend(self, alpha: np.ndarray, colour: np.ndarray) -> None:
        """Paint ``colour`` (H, W, 3) or (3,) over the image with coverage ``alpha`` (H, W)."""
        self.image *= 1.0 - alpha[..., None]
        self.image += alpha[..., None] * colour


def _skin(rng: np.random.Generator, size: int) -> np.ndarray:
    """One background (size, size, 3), float64: tone, blotches, illumination and pores."""
    scale = size / 64.0
    tone = (np.array([0.82, 0.63, 0.52]) + rng.normal(0.0, [0.04, 0.035, 0.035])) * rng.uniform(0.8, 1.08)
    # Blotches: smoothed noise, mostly in brightness with a little in colour.
    lum = _smooth_noise(rng, (size, size), 5.0 * scale) * rng.uniform(0.02, 0.06)
    chroma = _smooth_noise(rng, (size, size, 3), 7.0 * scale) * 0.008
    pores = gaussian_filter(rng.normal(0.0, 1.0, (size, size)), 0.7) * 0.03
    grain = rng.normal(0.0, 0.012, (size, size, 3))
    angle, strength = rng.uniform(0.0, 2 * np.pi), rng.uniform(0.0, 0.3)
    ramp = np.linspace(-0.5, 0.5, size)
    light = 1.0 + strength * (np.cos(angle) * ramp[None, :] + np.sin(angle) * ramp[:, None])
    return (tone * (1.0 + lum + pores)[..., None] + chroma + grain) * light[..., None]


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    """Gaussian-smoothed white noise over the first two (image) axes, rescaled to unit standard deviation."""
    sigmas = (sigma, sigma) + (0.0,) * (len(shape) - 2)
    field = gaussian_filter(rng.normal(0.0, 1.0, shape), sigmas, mode="wrap")
    return field / field.std()


def _lesion(rng: np.random.Generator, canvas: _Canvas) -> tuple[tuple[float, float], float, np.ndarray]:
    """Draw one lesion; return its centre, mean radius and mask."""
    s, size = canvas.scale, canvas.size
    radius = rng.uniform(4.5, 11.0) * s
    margin = radius + 2.0 * s
    cy, cx = rng.uniform(margin, size - margin, size=2)
    k = np.arange(2, 7)
    amplitude = rng.uniform(0.0, 0.28, size=k.size) / np.sqrt(k - 1)
    phase = rng.uniform(0.0, 2 * np.pi, size=k.size)
    dy, dx = canvas.yy - cy, canvas.xx - cx
    theta = np.arctan2(dy, dx)
    border = radius * (1.0 + (amplitude[:, None, None] * np.cos(k[:, None, None] * theta + phase[:, None, None]))
                       .sum(axis=0))
    border = np.maximum(border, 0.35 * radius)
    softness = rng.uniform(0.4, 1.2) * s
    alpha = 1.0 / (1.0 + np.exp(-(border - np.hypot(dy, dx)) / softness))
    brown = np.array([0.42, 0.25, 0.17]) * rng.uniform(0.55, 1.25) + rng.normal(0.0, 0.03, 3)
    # Mottling and, often, a darker centre: lesions are not flat discs.
    mottle = 1.0 + 0.18 * _smooth_noise(rng, (size, size), 1.5 * s)
    core = 1.0 - rng.uniform(0.0, 0.35) * np.exp(-(dy ** 2 + dx ** 2) / (2 * (0.5 * radius) ** 2))
    colour = np.clip(brown[None, None, :] * (mottle * core)[..., None], 0.0, 1.0)
    contrast = rng.uniform(0.5, 1.0)
    canvas.blend(contrast * alpha, colour)
    return (float(cy), float(cx)), float(radius), alpha >= 0.5


def _distractors(rng: np.random.Generator, canvas: _Canvas, centre: tuple[float, float] | None,
                 radius: float) -> None:
    """Spot, glare, ruler and hairs, drawn with the same probabilities whatever the label."""
    draws = rng.uniform(size=3)
    if draws[0] < _P_SPOT:
        _spot(rng, canvas, centre, radius)
    if draws[1] < _P_GLARE:
        _glare(rng, canvas)
    if draws[2] < _P_RULER:
        _ruler(rng, canvas)
    for _ in range(int(rng.poisson(_MEAN_HAIRS))):
        _hair(rng, canvas)


def _spot(rng: np.random.Generator, canvas: _Canvas, centre: tuple[float, float] | None, radius: float) -> None:
    s, size = canvas.scale, canvas.size
    r = rng.uniform(1.8, 3.5) * s
    cy, cx = rng.uniform(r + 1, size - r - 1, size=2)
    for _ in range(20):  # keep it off the lesion, so the mask holds the lesion only
        if centre is None or np.hypot(cy - centre[0], cx - centre[1]) > 1.4 * radius + r + 2 * s:
            break
        cy, cx = rng.uniform(r + 1, size - r - 1, size=2)
    red = rng.uniform() < 0.5
    colour = np.array([0.78, 0.25, 0.3]) if red else np.array([0.6, 0.42, 0.31])
    colour = colour + rng.normal(0.0, 0.03, 3)
    d = np.hypot(canvas.yy - cy, canvas.xx - cx)
    canvas.blend(rng.uniform(0.6, 0.95) * np.clip(r - d + 0.5, 0.0, 1.0), colour)


def _glare(rng: np.random.Generator, canvas: _Canvas) -> None:
    s, size = canvas.scale, canvas.size
    cy, cx = rng.uniform(0, size, size=2)
    sy, sx = rng.uniform(2.0, 6.0, size=2) * s
    alpha = rng.uniform(0.3, 0.6) * np.exp(-0.5 * (((canvas.yy - cy) / sy) ** 2 + ((canvas.xx - cx) / sx) ** 2))
    canvas.blend(alpha, np.array([1.0, 0.98, 0.95]))


def _ruler(rng: np.random.Generator, canvas: _Canvas) -> None:
    s, size = canvas.scale, canvas.size
    width = max(3, round(rng.uniform(3.0, 5.0) * s))
    strip = np.zeros((size, size))
    strip[:width] = 1.0
    period = max(3, round(4 * s))
    ticks = np.zeros((size, size))
    long_every = 5
    for j, col in enumerate(range(int(rng.integers(0, period)), size, period)):
        ticks[: width if j % long_every == 0 else width // 2 + 1, col] = 1.0
    rot = int(rng.integers(4))  # which edge
    strip, ticks = np.rot90(strip, rot), np.rot90(ticks, rot)
    canvas.blend(0.9 * strip, np.array([0.93, 0.93, 0.88]))
    canvas.blend(0.85 * ticks, np.array([0.15, 0.15, 0.15]))


def _hair(rng: np.random.Generator, canvas: _Canvas) -> None:
    s, size = canvas.scale, canvas.size
    p0, p2 = rng.uniform(-0.1 * size, 1.1 * size, size=(2, 2))
    p1 = (p0 + p2) / 2 + rng.normal(0.0, 0.25 * size, 2)
    t = np.linspace(0.0, 1.0, 6 * size)[:, None]  # about 4 points a pixel along the curve
    curve = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2
    half = rng.uniform(0.35, 0.7) * s
    d = _distance_near_curve(curve, size, int(np.ceil(half + 1.0)))
    colour = np.array([0.12, 0.08, 0.06]) * rng.uniform(0.6, 1.6)
    canvas.blend(rng.uniform(0.6, 0.9) * np.clip(half - d + 0.5, 0.0, 1.0), colour)


def _distance_near_curve(curve: np.ndarray, size: int, reach: int) -> np.ndarray:
    """Distance of each pixel to the densely sampled ``curve`` (p, 2), exact within ``reach`` pixels of it
    (inf farther away, where a hair paints nothing): only the pixels near each point are visited."""
    offsets = np.arange(-reach, reach + 1)
    base = np.round(curve).astype("int64")
    rows = (base[:, 0, None, None] + offsets[None, :, None]).repeat(offsets.size, axis=2).reshape(-1)
    cols = (base[:, 1, None, None] + offsets[None, None, :]).repeat(offsets.size, axis=1).reshape(-1)
    pts = np.repeat(curve, offsets.size ** 2, axis=0)
    inside = (rows >= 0) & (rows < size) & (cols >= 0) & (cols < size)
    dist = np.hypot(rows[inside] - pts[inside, 0], cols[inside] - pts[inside, 1])
    out = np.full(size * size, np.inf)
    np.minimum.at(out, rows[inside] * size + cols[inside], dist)
    return out.reshape(size, size)
