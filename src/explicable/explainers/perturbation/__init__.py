"""Whole-model explanations by perturbing the data: permutation importance, partial dependence and ICE, ALE."""

from explicable.explainers.perturbation._ale import ale
from explicable.explainers.perturbation._partial_dependence import partial_dependence
from explicable.explainers.perturbation._permutation_importance import permutation_importance

__all__ = ["ale", "partial_dependence", "permutation_importance"]
