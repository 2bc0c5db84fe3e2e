"""The model-parameter randomisation check (Adebayo et al., 2018) passes for every gradient method."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gradient_helpers import lesion_images, trained_cnn, trained_mlp

from explicable.evaluation import randomization_check
from explicable.explainers.gradient import GradCAM, IntegratedGradients, Occlusion, Saliency, SmoothGrad


def setup_module() -> None:
    torch.set_num_threads(1)


IMAGE_METHODS = {
    "saliency": lambda m: Saliency(m).fit(),
    "integrated_gradients": lambda m: IntegratedGradients(m, n_steps=16, tol=None).fit(),
    "smoothgrad": lambda m: SmoothGrad(m, n_samples=16, random_state=0).fit(),
    "gradcam": lambda m: GradCAM(m).fit(),
    "occlusion": lambda m: Occlusion(m, window=3).fit(),
}
ROW_METHODS = {
    "saliency": lambda m: Saliency(m).fit(),
    "integrated_gradients": lambda m: IntegratedGradients(m, n_steps=16).fit(),
    "smoothgrad": lambda m: SmoothGrad(m, n_samples=32, random_state=0).fit(),
    "occlusion": lambda m: Occlusion(m).fit(),
}


@pytest.mark.parametrize("name", sorted(IMAGE_METHODS))
def test_image_explanations_depend_on_the_trained_weights(name):
    adapter = trained_cnn()
    X, _ = lesion_images(6, seed=7)
    result = randomization_check(IMAGE_METHODS[name], adapter, X, output="lesion", random_state=0)
    assert result.passed, (name, result.value)
    assert result.value < 0.5
    assert adapter.model[0].weight.requires_grad  # the trained model is untouched


@pytest.mark.parametrize("name", sorted(ROW_METHODS))
def test_row_explanations_depend_on_the_trained_weights(name):
    adapter, X = trained_mlp()
    result = randomization_check(ROW_METHODS[name], adapter, X[:20], random_state=0)
    assert result.passed, (name, result.value)


def test_an_input_only_map_fails_the_same_check():
    # the check can fail: |input| as an "explanation" ignores the model entirely
    adapter = trained_cnn()
    X, _ = lesion_images(6, seed=7)
    result = randomization_check(lambda m: (lambda Z: np.abs(np.asarray(Z).reshape(len(Z), -1))), adapter, X,
                                 random_state=0)
    assert not result.passed
