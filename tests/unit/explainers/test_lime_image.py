"""LimeImage: a model that reads the top-left quadrant, on a grid and on SLIC superpixels."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import pytest

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.explainers.surrogate import LimeImage


def top_left(images: np.ndarray) -> np.ndarray:
    h, w = images.shape[1] // 2, images.shape[2] // 2
    return images[:, :h, :w, :].mean(axis=(1, 2, 3))


def test_grid_closed_form() -> None:
    """Output = mean of the top-left quadrant; hidden cells take the image mean; a 2x2 grid is exact."""
    rng = np.random.default_rng(0)
    images = rng.random((2, 8, 8, 3))
    exp = LimeImage(top_left, segmentation="grid", n_segments=4, alpha=0.0, n_samples=100,
                    random_state=0).fit().explain(images)
    shown, hidden = images[:, :4, :4].mean(axis=(1, 2, 3)), images.mean(axis=(1, 2, 3))
    np.testing.assert_allclose(exp.values[:, 0, 0], shown - hidden, atol=1e-9)
    np.testing.assert_allclose(exp.values[:, 1:, 0], 0.0, atol=1e-9)
    np.testing.assert_allclose(exp.output_totals[:, 0], top_left(images), atol=1e-9)
    assert exp.feature_names == ("segment_0", "segment_1", "segment_2", "segment_3")


def test_slic_finds_the_bright_square() -> None:
    image = np.zeros((32, 32, 3))
    image[:16, :16] = 1.0  # the part the model reads is one bright square
    image[16:, 16:] = 0.5
    lime = LimeImage(top_left, segmentation="slic", n_segments=4, compactness=1.0, n_samples=200, random_state=0)
    exp = lime.fit().explain(image)
    labels = lime.segment(image)[0]
    best = int(np.abs(exp.values[0, :, 0]).argmax())
    assert (labels[:16, :16] == best).mean() > 0.9
    assert exp.values[0, best, 0] > 0  # showing the bright square raises the output


def test_blur_and_constant_hide_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    image = np.random.default_rng(1).random((8, 8, 1))
    for hide in ("blur", 0.0):
        exp = LimeImage(top_left, segmentation="grid", n_segments=4, hide=hide, n_samples=100,
                        random_state=0).fit().explain(image)
        assert int(np.abs(exp.values[0, :, 0]).argmax()) == 0
    with pytest.raises(InvalidDataError, match="'images'"):
        LimeImage(top_left, segmentation="grid").fit().explain(np.zeros((8, 8)))
    with pytest.raises(InvalidParameterError, match="'hide'"):
        LimeImage(top_left, hide="noise")
    real_import = builtins.__import__

    def no_skimage(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("skimage"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skimage)
    with pytest.raises(InvalidParameterError, match=r"pip install explicable\[image\]"):
        LimeImage(top_left).fit()
    LimeImage(top_left, segmentation="grid", n_samples=20).fit().explain(image)  # grid needs no extra
