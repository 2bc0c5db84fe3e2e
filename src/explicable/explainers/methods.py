"""The registered explanation methods and those planned for later releases."""

from __future__ import annotations

from explicable.core.registry import MethodSpec, Registry
from explicable.explainers.shapley._linear import LinearShap, is_linear
from explicable.explainers.shapley._tree import TreeShap, has_native_treeshap

__all__ = ["REGISTRY"]

REGISTRY = Registry(planned={
    "exact": "exact Shapley values by enumerating coalitions, from the Shapley engine",
    "kernel": "model-agnostic Kernel SHAP with error bars, from the Shapley engine",
    "permutation": "model-agnostic permutation Shapley values with error bars, from the Shapley engine",
    "lime": "LIME, with whole-model explanations",
    "integrated_gradients": "Integrated Gradients, with deep-learning explanations",
    "gradcam": "Grad-CAM, with deep-learning explanations",
    "saliency": "gradient saliency, with deep-learning explanations",
    "smoothgrad": "SmoothGrad, with deep-learning explanations",
    "attention": "attention and attention rollout, with deep-learning explanations",
})

REGISTRY.register(MethodSpec(
    name="tree", factory=TreeShap, applies=has_native_treeshap, auto_priority=0,
    summary="exact path-dependent TreeSHAP from XGBoost, LightGBM or CatBoost itself",
))
REGISTRY.register(MethodSpec(
    name="linear", factory=LinearShap, applies=is_linear, auto_priority=1, needs_background=True,
    summary="exact Shapley values of a linear model against the background mean",
))
