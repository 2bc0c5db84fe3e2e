"""The registered explanation methods, the order ``method="auto"`` tries them in, and those planned."""

from __future__ import annotations

from typing import Any

from explicable.core.registry import MethodSpec, Registry
from explicable.explainers.shapley._linear import LinearShap, is_linear
from explicable.explainers.shapley._sampling import ExactShap, KernelShap, PermutationShap
from explicable.explainers.shapley._tree import TreeShap, has_native_treeshap, treeshap_reads
from explicable.explainers.surrogate._lime import LimeTabular

__all__ = ["REGISTRY"]

REGISTRY = Registry(planned={
    "integrated_gradients": "Integrated Gradients, with deep-learning explanations",
    "gradcam": "Grad-CAM, with deep-learning explanations",
    "saliency": "gradient saliency, with deep-learning explanations",
    "smoothgrad": "SmoothGrad, with deep-learning explanations",
    "attention": "attention and attention rollout, with deep-learning explanations",
})

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
