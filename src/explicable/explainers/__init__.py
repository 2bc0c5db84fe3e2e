"""Explainers: one family per folder, each returning an Explanation; ``explain`` picks one."""

from explicable.explainers.api import explain
from explicable.explainers.base import Explainer
from explicable.explainers.methods import REGISTRY
from explicable.explainers.shapley import LinearShap, TreeShap

__all__ = ["REGISTRY", "Explainer", "LinearShap", "TreeShap", "explain"]
