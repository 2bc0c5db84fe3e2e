"""Explainers: one family per folder, each returning an Explanation; ``explain`` picks one."""

from explicable.explainers.api import explain
from explicable.explainers.base import Explainer
from explicable.explainers.methods import REGISTRY
from explicable.explainers.shapley import ExactShap, KernelShap, LinearShap, PermutationShap, TreeShap

__all__ = ["REGISTRY", "ExactShap", "Explainer", "KernelShap", "LinearShap", "PermutationShap", "TreeShap", "explain"]
