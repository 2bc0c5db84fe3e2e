"""Shapley-value explainers: exact TreeSHAP and linear attributions; exact, kernel and permutation estimates."""

from explicable.explainers.shapley._global import shapley_dependence, shapley_importance
from explicable.explainers.shapley._linear import LinearShap
from explicable.explainers.shapley._sampling import DEFAULT_BUDGET, ExactShap, KernelShap, PermutationShap
from explicable.explainers.shapley._tree import TreeShap

__all__ = [
    "DEFAULT_BUDGET",
    "ExactShap",
    "KernelShap",
    "LinearShap",
    "PermutationShap",
    "TreeShap",
    "shapley_dependence",
    "shapley_importance",
]
