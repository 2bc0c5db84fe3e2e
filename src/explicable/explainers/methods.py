"""The registered explanation methods, the order ``method="auto"`` tries them in, and those planned."""

from __future__ import annotations

from typing import Any

from explicable.core.registry import MethodSpec, Registry
from explicable.explainers.shapley._linear import LinearShap, is_linear
from explicable.explainers.shapley._sampling import ExactShap, KernelShap, PermutationShap
from explicable.explainers.shapley._tree import TreeShap, has_native_treeshap, treeshap_reads
from explicable.explainers.surrogate._lime import LimeTabular
from explicable.models.torch import TorchAdapter
from explicable.models.transformers import TextClassifier

__all__ = ["REGISTRY"]

REGISTRY = Registry()

_GAME = frozenset({"budget", "random_state", "groups"})


def _any_model(model: Any, **context: int) -> bool:
    return True


def _exact_fits(model: Any, *, n_players: int = 0, budget: int = 0, **context: int) -> bool:
    return n_players > 0 and 2**n_players <= budget


REGISTRY.register(MethodSpec(
    name="tree", factory=TreeShap, applies=lambda m, **_: has_native_treeshap(m), auto_priority=0,
    auto_when=lambda m, **_: treeshap_reads(m),
    summary="exact TreeSHAP (the library's own for XGBoost, LightGBM, CatBoost; ours for scikit-learn trees)",
))
REGISTRY.register(MethodSpec(
    name="linear", factory=LinearShap, applies=lambda m, **_: is_linear(m), auto_priority=1, needs_background=True,
    summary="exact Shapley values of a linear model against the background mean",
))
REGISTRY.register(MethodSpec(
    name="exact", factory=ExactShap, applies=_any_model, auto_when=_exact_fits, auto_priority=2,
    needs_background=True, settings=_GAME,
    summary="exact Shapley values of the interventional game, all 2^p coalitions",
))
REGISTRY.register(MethodSpec(
    name="kernel", factory=KernelShap, applies=_any_model, auto_priority=3, needs_background=True,
    settings=_GAME | {"tol"}, summary="model-agnostic Kernel SHAP with error bars",
))
REGISTRY.register(MethodSpec(
    name="permutation", factory=PermutationShap, applies=_any_model, needs_background=True,
    settings=_GAME | {"tol"}, summary="model-agnostic antithetic permutation sampling with error bars",
))
REGISTRY.register(MethodSpec(
    name="lime", factory=LimeTabular, applies=_any_model, needs_background=True, settings=frozenset({"random_state"}),
    summary="LIME: local kernel-weighted ridge surrogates with error bars, fidelity and a stability-seeking mode",
))


# ---- deep learning: PyTorch image and tabular modules (TorchAdapter), text classifiers (TextClassifier) --------
def _torch(model: Any, **context: int) -> bool:
    return isinstance(model, TorchAdapter)


def _image(model: Any, **context: int) -> bool:
    return isinstance(model, TorchAdapter) and model.image_shape is not None


def _text(model: Any, **context: int) -> bool:
    return isinstance(model, TextClassifier)


def _image_or_text(model: Any, **context: int) -> bool:
    return _image(model) or _text(model)


def _integrated_gradients(model: Any, **options: Any) -> Any:
    if isinstance(model, TextClassifier):
        from explicable.explainers.tokens import TokenIntegratedGradients

        return TokenIntegratedGradients(model, **options)
    from explicable.explainers.gradient import IntegratedGradients

    return IntegratedGradients(model, **options)


def _occlusion(model: Any, **options: Any) -> Any:
    if isinstance(model, TextClassifier):
        from explicable.explainers.tokens import TokenOcclusion

        return TokenOcclusion(model, **options)
    from explicable.explainers.gradient import Occlusion

    return Occlusion(model, **options)


def _lazy(module: str, name: str) -> Any:
    def factory(model: Any, **options: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(model, **options)

    return factory


REGISTRY.register(MethodSpec(
    name="integrated_gradients", factory=_integrated_gradients, applies=lambda m, **_: _torch(m) or _text(m),
    auto_priority=-1, auto_when=_image_or_text,
    summary="Integrated Gradients (Gauss-Legendre, completeness-checked) on PyTorch images, rows or token embeddings",
))
REGISTRY.register(MethodSpec(
    name="saliency", factory=_lazy("explicable.explainers.gradient", "Saliency"), applies=_torch,
    summary="the input gradient of a PyTorch model",
))
REGISTRY.register(MethodSpec(
    name="smoothgrad", factory=_lazy("explicable.explainers.gradient", "SmoothGrad"), applies=_torch,
    settings=frozenset({"random_state"}), summary="SmoothGrad: the gradient averaged over noisy inputs, with errors",
))
REGISTRY.register(MethodSpec(
    name="gradcam", factory=_lazy("explicable.explainers.gradient", "GradCAM"), applies=_image,
    summary="Grad-CAM on a convolution layer (the last by default), upsampled to the image",
))
REGISTRY.register(MethodSpec(
    name="occlusion", factory=_occlusion, applies=lambda m, **_: _torch(m) or _text(m),
    summary="occlusion: the output change when windows of pixels, features or tokens are hidden",
))
REGISTRY.register(MethodSpec(
    name="attention", factory=_lazy("explicable.explainers.attention", "AttentionExplainer"), applies=_text,
    summary="attention (raw, rollout or flow) of a transformer text classifier; not an attribution",
))
