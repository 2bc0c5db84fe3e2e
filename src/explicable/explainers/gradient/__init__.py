"""Gradient and perturbation explanations of PyTorch models: images (n, H, W, C) or rows (n, m).

- :class:`Saliency`: the input gradient (Simonyan et al., 2014);
- :class:`IntegratedGradients`: the path-integrated gradient from a baseline, additive, with its
  completeness error measured and bounded per row (Sundararajan et al., 2017);
- :class:`SmoothGrad`: the gradient averaged over noisy inputs, with its standard error (Smilkov et al., 2017);
- :class:`GradCAM`: a convolution layer's gradient-weighted activations, upsampled (Selvaraju et al., 2017);
- :class:`Occlusion`: the output drop under sliding windows of baseline values (Zeiler & Fergus, 2014).

All choose how many inputs go through one pass from the input size and free memory (``batch_size=None``),
and record the choice in ``provenance.parameters["diagnostics"]``. Needs the ``deep`` extra (PyTorch,
captum).
"""

from explicable.explainers.gradient._base import GradientExplainer
from explicable.explainers.gradient._gradcam import GradCAM
from explicable.explainers.gradient._integrated_gradients import IntegratedGradients
from explicable.explainers.gradient._occlusion import Occlusion
from explicable.explainers.gradient._saliency import Saliency
from explicable.explainers.gradient._side_by_side import SIDE_BY_SIDE, side_by_side_explainer
from explicable.explainers.gradient._smoothgrad import SmoothGrad

__all__ = ["SIDE_BY_SIDE", "GradCAM", "GradientExplainer", "IntegratedGradients", "Occlusion", "Saliency", "SmoothGrad",
           "side_by_side_explainer"]
