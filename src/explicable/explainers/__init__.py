"""Explainers: one family per folder, each returning an Explanation; ``explain`` picks one.

Whole-model explanations (permutation importance, partial dependence and ICE, ALE, Shapley importance and
dependence, distilled surrogates) return the typed results of :mod:`explicable.core`.
"""

from explicable.explainers.api import explain
from explicable.explainers.base import Explainer
from explicable.explainers.counterfactual import CounterfactualResult, Counterfactuals, CounterfactualSet
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

__all__ = [
    "REGISTRY",
    "CounterfactualResult",
    "CounterfactualSet",
    "Counterfactuals",
    "ExactShap",
    "Explainer",
    "GlobalSurrogate",
    "KernelShap",
    "LimeImage",
    "LimeTabular",
    "LimeText",
    "LinearShap",
    "PermutationShap",
    "TreeShap",
    "ale",
    "distill",
    "explain",
    "partial_dependence",
    "permutation_importance",
    "shapley_dependence",
    "shapley_importance",
]
