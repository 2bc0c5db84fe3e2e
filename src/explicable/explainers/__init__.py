"""Explainers: one family per folder, each returning an Explanation; ``explain`` picks one.

Deep learning (the ``deep`` and ``text`` extras): gradient methods for PyTorch images and rows, token
attributions and attention of text classifiers, TCAV concepts.

Whole-model explanations (permutation importance, partial dependence and ICE, ALE, Shapley importance and
dependence, distilled surrogates) return the typed results of :mod:`explicable.core`.
"""

from explicable.explainers.api import explain
from explicable.explainers.attention import (
    AttentionExplainer,
    attention_flow,
    attention_rollout,
    extract_attention,
)
from explicable.explainers.base import Explainer
from explicable.explainers.concepts import TCAV, TCAVResult
from explicable.explainers.counterfactual import CounterfactualResult, Counterfactuals, CounterfactualSet
from explicable.explainers.gradient import GradCAM, IntegratedGradients, Occlusion, Saliency, SmoothGrad
from explicable.explainers.methods import REGISTRY
from explicable.explainers.perturbation import ale, partial_dependence, permutation_importance
from explicable.explainers.shapley import (
    ExactShap,
    KernelShap,
    LinearShap,
    PermutationShap,
    TreeShap,
    shapley_dependence,
    shapley_importance,
)
from explicable.explainers.surrogate import GlobalSurrogate, LimeImage, LimeTabular, LimeText, distill
from explicable.explainers.tokens import TokenIntegratedGradients, TokenOcclusion, run_probes

__all__ = [
    "REGISTRY",
    "TCAV",
    "AttentionExplainer",
    "CounterfactualResult",
    "CounterfactualSet",
    "Counterfactuals",
    "ExactShap",
    "Explainer",
    "GlobalSurrogate",
    "GradCAM",
    "IntegratedGradients",
    "KernelShap",
    "LimeImage",
    "LimeTabular",
    "LimeText",
    "LinearShap",
    "Occlusion",
    "PermutationShap",
    "Saliency",
    "SmoothGrad",
    "TCAVResult",
    "TokenIntegratedGradients",
    "TokenOcclusion",
    "TreeShap",
    "ale",
    "attention_flow",
    "attention_rollout",
    "distill",
    "explain",
    "extract_attention",
    "partial_dependence",
    "permutation_importance",
    "run_probes",
    "shapley_dependence",
    "shapley_importance",
]
